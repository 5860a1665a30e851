# METADATA
# description: |
#   Analyses one IAM policy document against the required actions of the catalog
#   (data.vbaws.requirements). The result does not depend on the role, so a document seen
#   in many roles is analysed the same way each time: which catalog actions each valid
#   statement matches, how much of Resource "*" it covers, and its Condition. Invalid
#   statements are reported as errors and left out of evaluation.
#
#   Matching is indexed: literal actions are looked up in a map, wildcard patterns are
#   globbed only against the catalog actions of their own service prefix.
package vbaws.iam.policy

import data.vbaws.iam.conditions
import data.vbaws.lib.values

# METADATA
# description: Every catalog action (all requirement sets), in the catalog's spelling.
catalog_actions contains action if {
	some set in data.vbaws.requirements
	some action in set.actions
}

# lower-case action -> catalog spelling
_by_lower := {lower(action): action | some action in catalog_actions}

# The catalog's lower-case actions, one per line, for matching wildcard patterns with one
# regex call each.
_catalog_lines := concat("\n", sort(object.keys(_by_lower)))

# The catalog's service prefixes as a regex alternation, made with two builtin calls
# rather than a step per action: repeated prefixes are harmless in an alternation, and
# IAM service prefixes are plain lower-case letters, digits and hyphens (a test holds the
# catalog to that).
_service_alternatives := strings.replace_n({"\n": "|"}, regex.replace(_catalog_lines, `:[^\n]*`, ""))

_valid_versions := {"2012-10-17", "2008-10-17"}

_top_level_keys := {"Version", "Id", "Statement"}

# METADATA
# description: |
#   Analyses a parsed identity-side policy document (identity policy, boundary or SCP).
#   Returns {"statements", "summary", "conditioned", "errors"}. "statements" holds the valid
#   statements that match some catalog action, each analysed as {"sid", "effect", "actions"
#   (set of catalog actions it matches), "resource" ("all", "some" or "none" of Resource
#   "*"), "condition" (object, {} if none)}; statements about other services cannot change
#   a decision and are only validated. The summary holds what the statements without a
#   Condition give, the same for every role: the action sets allow_full, allow_any,
#   deny_full, deny_any and the statements that explain partial grants and denials;
#   "conditioned" lists the statements whose Condition each role decides.
analyze(document) := {
	"statements": analysed,
	"summary": _summary(array.concat(
		[object.union(s, {"full": s.resource == "all"}) | some s in relevant; count(s.condition) == 0],
		_static_conditioned(relevant),
	)),
	"conditioned": [s | some s in relevant; count(s.condition) > 0; _role_dependent(s.condition)],
	"errors": array.concat(sort(document_errors(document)), [e | some problems in invalid; some e in problems]),
} if {
	statements := _statements(document)

	# Nearly every statement passes the one-rule shape check; only the others are looked
	# at closely enough to say what is wrong (keyed by position, so errors keep their order).
	invalid := {i: problems |
		some i, statement in statements
		not _well_formed(statement, "identity")
		problems := sort(statement_errors(statement, i, "identity"))
		count(problems) > 0
	}
	analysed := [_analysed_statement(statement, i, actions) |
		some i, statement in statements
		not invalid[i]
		actions := _matched_actions(statement)
		count(actions) > 0
	]
	relevant := [s | some s in analysed; s.resource != "none"]
}

# A Condition that names no principal key is decided the same way for every role (almost
# always UNKNOWN: region, tags, source IP...), so it is decided once, here, not per role.
_static_conditioned(analysed) := [object.union(s, {
	"full": _full(s.resource, condition.value),
	"unknown_conditions": condition.unknown,
}) |
	some s in analysed
	count(s.condition) > 0
	not _role_dependent(s.condition)
	condition := conditions.evaluate(s.condition, conditions.role_independent_context)
	condition.value != "false"
]

_role_dependent(condition) if {
	some block in condition
	is_object(block)
	some key, _ in block
	startswith(lower(key), "aws:principal")
}

_full("all", "true") := true

_full(resource, value) := false if {
	[resource, value] != ["all", "true"]
}

_summary([]) := {
	"allow_full": set(), "allow_any": set(), "deny_full": set(), "deny_any": set(),
	"full_denies": [], "partial_allows": [], "partial_denies": [],
}

_summary(effective) := {
	"allow_full": union({s.actions | some s in effective; s.effect == "Allow"; s.full}),
	"allow_any": union({s.actions | some s in effective; s.effect == "Allow"}),
	"deny_full": union({s.actions | some s in effective; s.effect == "Deny"; s.full}),
	"deny_any": union({s.actions | some s in effective; s.effect == "Deny"}),
	"full_denies": [s | some s in effective; s.effect == "Deny"; s.full],
	"partial_allows": [s | some s in effective; s.effect == "Allow"; not s.full],
	"partial_denies": [s | some s in effective; s.effect == "Deny"; not s.full],
} if {
	count(effective) > 0
}

_statements(document) := values.as_list(document.Statement) if is_array(document.Statement)

_statements(document) := [document.Statement] if is_object(document.Statement)

_statements(document) := [] if {
	not is_array(object.get(document, "Statement", null))
	not is_object(object.get(document, "Statement", null))
}

# METADATA
# description: Problems with the document as a whole (set of messages).
document_errors(document) := set() if {
	_plain_document(document)
} else := union({
	{"has no Statement" | not "Statement" in object.keys(document)},
	{"Statement must be an object or a list of objects" |
		"Statement" in object.keys(document)
		not is_array(object.get(document, "Statement", null))
		not is_object(object.get(document, "Statement", null))
	},
	{sprintf("unknown top-level element %q", [key]) |
		some key, _ in document
		not key in _top_level_keys
	},
	{sprintf("Version %v is not 2012-10-17 or 2008-10-17", [json.marshal(document.Version)]) |
		"Version" in object.keys(document)
		not document.Version in _valid_versions
	},
})

# The common case, in a few builtin calls.
_plain_document(document) if {
	count(object.keys(document) - _top_level_keys) == 0
	object.get(document, "Version", "2012-10-17") in _valid_versions
	type_name(document.Statement) in {"array", "object"}
}

# METADATA
# description: |
#   A statement's label for messages: its position (1-based) and Sid when it has one.
label(statement, i) := sprintf("statement %d (Sid %q)", [i + 1, statement.Sid]) if {
	is_object(statement)
	is_string(statement.Sid)
} else := sprintf("statement %d", [i + 1])

# METADATA
# scope: document
# description: |
#   Problems that make a statement invalid (set of messages). kind is "identity" for
#   identity policies, boundaries and SCPs, "trust" for role trust policies.
statement_errors(statement, i, _) := {sprintf("%s is not an object", [label(statement, i)])} if {
	not is_object(statement)
}

statement_errors(statement, _, kind) := set() if _well_formed(statement, kind)

statement_errors(statement, i, kind) := {sprintf("%s: %s", [label(statement, i), problem]) |
	some problem in (_common_problems(statement) | _kind_problems(statement, kind))
} if {
	is_object(statement)
	not _well_formed(statement, kind)
}

# The common case, checked with a few builtin calls before any message is built. For
# identity-side statements the check is stricter than validity (no keys beyond the known
# ones): a statement it refuses is looked at by statement_errors, which has the last word.
_well_formed(statement, "identity") if {
	(object.keys(statement) - _optional_statement_keys) in _identity_shapes
	statement.Effect in _effects
	_condition_ok(object.get(statement, "Condition", {}))

	# Action or NotAction, then Resource or NotResource: concat is undefined when any element
	# is not a string. Matching reads a list as lines, so no entry may hold a line break.
	actions := object.get(statement, "Action", object.get(statement, "NotAction", null))
	resources := object.get(statement, "Resource", object.get(statement, "NotResource", null))
	not contains(concat("", array.flatten([actions, resources])), "\n")
	regex.match(_valid_action_lines, concat("\n", array.flatten([actions])))
	not object.get(statement, "NotAction", null) in {[], [""], ""}
	not object.get(statement, "NotResource", null) in {[], [""], ""}
}

_well_formed(statement, "trust") if {
	statement.Effect in _effects
	_one_action_list(statement)
	_condition_ok(object.get(statement, "Condition", {}))
	_principal_ok(statement.Principal)
	not "NotPrincipal" in object.keys(statement)
}

_principal_shape := `Principal must be "*" or an object of strings or lists of strings`

# "*" or {"AWS" | "Service" | "Federated" | ...: a string or a list of strings}
_principal_ok("*")

_principal_ok(principal) if {
	is_object(principal)
	every _, value in principal {
		_strings(value)
	}
}

_effects := {"Allow", "Deny"}

# What a NotAction or NotResource that excludes nothing looks like (spelled out in
# _well_formed too, which keeps its references to other rules within Regal's limit).
_excludes_nothing := {[], [""], ""}

# IAM's grammar: {operator: {key: value or [values]}}, values strings, numbers or Booleans.
# The usual statement has no Condition: one clause, no iteration.
_condition_ok({})

_condition_ok(condition) if {
	is_object(condition)
	every _, block in condition {
		is_object(block)
		every _, value in block {
			_condition_value_ok(value)
		}
	}
}

_condition_value_ok(value) if type_name(value) in _condition_scalars

_condition_value_ok(value) if {
	is_array(value)
	every v in value {
		type_name(v) in _condition_scalars
	}
}

_condition_scalars := {"string", "number", "boolean"}

_condition_blocks(statement) := statement.Condition if is_object(statement.Condition)

else := {}

_condition_values := "values must be strings, numbers or Booleans, or lists of them"

_optional_statement_keys := {"Sid", "Condition"}

_identity_shapes := {
	{"Effect", "Action", "Resource"},
	{"Effect", "Action", "NotResource"},
	{"Effect", "NotAction", "Resource"},
	{"Effect", "NotAction", "NotResource"},
}

_one_action_list(statement) if {
	not "NotAction" in object.keys(statement)
	_valid_actions(statement.Action)
}

_one_action_list(statement) if {
	not "Action" in object.keys(statement)
	_valid_actions(statement.NotAction)
	not statement.NotAction in _excludes_nothing
}

_valid_actions(actions) if {
	_strings(actions)
	not contains(concat("", values.as_list(actions)), "\n")
	regex.match(_valid_action_lines, concat("\n", array.flatten([actions])))
}

_action_grammar := `it must be "*" or service:name, with no wildcard in the service`

# An action is "*" (or stars alone) or "service:name" (IAM-SEMANTICS.md §1-2): the service
# prefix is compared for equality, so a wildcard in it ("*:*", "e?2:*") matches no service;
# IAM refuses "ec2*" or a second colon. A list is checked as lines by one regex anchored at
# the start (one pass; a search for a bad line cost four times as much). "" matches nothing
# and is tolerated, except as a whole exclusion list.
_action_line := `(?:\*+|[^:*?\n]+:[^:\n]+)`

_valid_action := concat("", ["^", _action_line, "$"])

_valid_action_lines := concat("", ["^(?:", _action_line, "(?:\n", _action_line, ")*)?$"])

# A string or a list of strings; concat fails (undefined) on any non-string element.
_strings(value) if is_string(value)

_strings(value) if {
	is_array(value)
	is_string(concat("", value))
}

_common_problems(statement) := union({
	{"has no Effect" | not "Effect" in object.keys(statement)},
	{sprintf("Effect must be exactly \"Allow\" or \"Deny\", got %v", [json.marshal(statement.Effect)]) |
		"Effect" in object.keys(statement)
		not statement.Effect in {"Allow", "Deny"}
	},
	{"has both Action and NotAction" |
		"Action" in object.keys(statement)
		"NotAction" in object.keys(statement)
	},
	{"has neither Action nor NotAction" |
		not "Action" in object.keys(statement)
		not "NotAction" in object.keys(statement)
	},
	{sprintf("%s value %v is not a string", [key, json.marshal(value)]) |
		some key in ["Action", "NotAction"]
		some value in values.as_list(object.get(statement, key, []))
		not is_string(value)
	},
	{sprintf("%s \"*:*\" is not a valid action (undocumented; IAM Access Analyzer rejects it)", [key]) |
		some key in ["Action", "NotAction"]
		"*:*" in values.as_list(object.get(statement, key, []))
	},
	{sprintf("%s %s is not a valid action: %s", [key, json.marshal(value), _action_grammar]) |
		some key in ["Action", "NotAction"]
		some value in values.as_list(object.get(statement, key, []))
		is_string(value)
		not value in {"*:*", ""}
		not contains(value, "\n")
		not regex.match(_valid_action, value)
	},
	{sprintf("%s value %s contains a line break", [key, json.marshal(value)]) |
		some key in ["Action", "NotAction", "Resource", "NotResource"]
		some value in values.as_list(object.get(statement, key, []))
		is_string(value)
		contains(value, "\n")
	},
	{sprintf("%s is empty (it would exclude nothing)", [key]) |
		some key in ["NotAction", "NotResource"]
		statement[key] in _excludes_nothing
	},
	{"Condition must be an object" |
		"Condition" in object.keys(statement)
		not is_object(object.get(statement, "Condition", null))
	},
	{sprintf("Condition %s must be an object of condition keys, got %s", [operator, json.marshal(block)]) |
		some operator, block in _condition_blocks(statement)
		not is_object(block)
	},
	{sprintf("Condition %s %s: %s, got %s", [operator, key, _condition_values, json.marshal(value)]) |
		some operator, block in _condition_blocks(statement)
		some key, value in block
		not _condition_value_ok(value)
	},
})

_kind_problems(statement, "identity") := union({
	{"has both Resource and NotResource" |
		"Resource" in object.keys(statement)
		"NotResource" in object.keys(statement)
	},
	{"has neither Resource nor NotResource" |
		not "Resource" in object.keys(statement)
		not "NotResource" in object.keys(statement)
	},
	{sprintf("%s value %v is not a string", [key, json.marshal(value)]) |
		some key in ["Resource", "NotResource"]
		some value in values.as_list(object.get(statement, key, []))
		not is_string(value)
	},
	{sprintf("%s is not allowed in an identity policy", [key]) |
		some key in ["Principal", "NotPrincipal"]
		key in object.keys(statement)
	},
})

_kind_problems(statement, "trust") := union({
	{"NotPrincipal is not allowed in a trust policy" | "NotPrincipal" in object.keys(statement)},
	{"has no Principal" |
		not "Principal" in object.keys(statement)
		not "NotPrincipal" in object.keys(statement)
	},
	{sprintf("%s, got %s", [_principal_shape, json.marshal(statement.Principal)]) |
		"Principal" in object.keys(statement)
		not _principal_ok(statement.Principal)
	},
})

_analyse_statement(statement, i) := _analysed_statement(statement, i, _matched_actions(statement))

# A statement that matches no catalog action cannot change a decision: its resource
# coverage is not worked out ("resource": null).
_analysed_statement(statement, i, actions) := {
	"sid": _sid(statement, i),
	"effect": statement.Effect,
	"actions": actions,
	"resource": _resource_scope(statement),
	"condition": object.get(statement, "Condition", {}),
	"unknown_conditions": [],
} if {
	count(actions) > 0
} else := {
	"sid": _sid(statement, i),
	"effect": statement.Effect,
	"actions": actions,
	"resource": null,
	"condition": object.get(statement, "Condition", {}),
	"unknown_conditions": [],
}

_sid(statement, i) := statement.Sid if {
	is_string(statement.Sid)
} else := sprintf("statement %d", [i + 1])

_matched_actions(statement) := match_patterns(_strings_of(statement.Action)) if {
	"Action" in object.keys(statement)
} else := catalog_actions - match_patterns(_strings_of(statement.NotAction))

_strings_of(value) := value if is_array(value)

else := [value]

# METADATA
# description: |
#   The catalog actions that any of the IAM action patterns (strings) match (set).
#   This is the hot path of batch evaluation, so it works on the whole list with a few
#   builtin calls instead of a loop per pattern: literal patterns are found with one
#   object.filter over the catalog; wildcard patterns are picked out with one regex and
#   globbed only against the catalog actions of their own service (every catalog action
#   when the service part itself has a wildcard). Large policies name mostly services
#   outside the catalog, which cost one regex call.
match_patterns(patterns) := _matches(lower(concat("\n", patterns)))

_matches(joined) := set() if {
	not regex.match(_relevant_line, joined)
} else := _literal_matches(joined) | _wildcard_matches(joined)

# A line that names a catalog service or has a wildcard before its first colon.
_relevant_line := concat("", [`(?m)^(?:(?:`, _service_alternatives, `):|[^:\n]*[*?])`])

_literal_matches(joined) := {action | some action in object.filter(_by_lower, split(joined, "\n"))}

# Most statements of the documents that matter here have no wildcard at all: the regex
# machinery is only started for those that do.
_wildcard_matches(joined) := set() if {
	not contains(joined, "*")
	not contains(joined, "?")
} else := {action |
	some action in object.filter(_by_lower, [lowered |
		some pattern in regex.find_n(_relevant_wildcard, joined, -1)
		some lowered in regex.find_n(_glob_regex(pattern), _catalog_lines, -1)
	])
}

# A wildcard pattern whose service part is a catalog service or itself has a wildcard.
_relevant_wildcard := concat("", [
	`(?m)^(?:(?:`,
	_service_alternatives,
	`):[^\n]*[*?][^\n]*|[^:\n]*[*?][^\n]*)$`,
])

# An IAM wildcard pattern as a regex over the lines of _catalog_lines: every regex
# metacharacter is literal, `*` is any run of characters and `?` one character.
_glob_regex(pattern) := concat("", ["(?m)^", strings.replace_n(_regex_of, pattern), "$"])

_regex_of := {
	"*": `[^\n]*`, "?": `[^\n]`, "\\": `\\`, ".": `\.`, "+": `\+`, "(": `\(`, ")": `\)`, "|": `\|`,
	"[": `\[`, "]": `\]`, "{": `\{`, "}": `\}`, "^": `\^`, "$": `\$`,
}

# How much of the request resource "*" a statement covers (IAM-SEMANTICS.md, literal
# reading): "all", "some" or "none". Only an entry made of wildcards alone matches the
# string "*"; an entry with a policy variable never does (a variable with no value
# matches nothing, and under Version 2008-10-17 it is literal text).
_resource_scope(statement) := _scope(_lines(statement.Resource), "Resource") if {
	"Resource" in object.keys(statement)
} else := _scope(_lines(statement.NotResource), "NotResource")

# Resource/NotResource entries, one per line ("" for an empty list).
_lines(value) := value if is_string(value)

_lines(value) := concat("\n", value) if is_array(value)

_scope(lines, kind) := "none" if {
	lines == ""
	kind == "Resource"
} else := _covering_scope[kind] if {
	regex.match(`(?m)^(?:\*+|\**\?\**)$`, lines)
} else := _narrow_scope[kind]

_covering_scope := {"Resource": "all", "NotResource": "none"}

_narrow_scope := {"Resource": "some", "NotResource": "all"}
