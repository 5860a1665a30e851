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
	invalid := invalid_statements(statements)
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
	condition := conditions.evaluate_role_independent(s.condition)
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

_statements(document) := document.Statement if {
	is_array(document.Statement)
} else := [document.Statement] if {
	is_object(document.Statement)
} else := []

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

# The catalog actions a valid statement's Action (or NotAction) names. This is the hot path
# of batch evaluation, so it works on the whole list with a few builtin calls instead of a
# loop per pattern, and calls no helper for the list itself (each call costs as much as a
# builtin here): literal patterns are found with one object.filter over the catalog;
# wildcard patterns are picked out with one regex and globbed only against the catalog
# actions of their own service (every catalog action when the service part itself has a
# wildcard). Large policies name mostly services outside the catalog, which cost one regex
# call.
_matched_actions(statement) := _matches(lower(concat("\n", array.flatten([statement.Action])))) if {
	"Action" in object.keys(statement)
} else := catalog_actions - _matches(lower(concat("\n", array.flatten([statement.NotAction]))))

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
} else := _not_resource_scope(statement.Effect, _lines(statement.NotResource))

# An Allow with NotResource grants the action on every resource but those it names. Where
# an excluded ARN may be a resource the required actions act on ("arn:*", any ARN of a
# catalog service: "arn:aws:ec2:*:*:volume/*" leaves ec2:CreateSnapshot without the volumes
# it snapshots), the grant covers the request resource "*" but not every resource: a
# partial grant, as a narrower Resource is. ARNs of other services ("arn:aws:s3:::x") take
# nothing a catalog action needs. A Deny keeps its reading: it blocks "*" either way.
_not_resource_scope(effect, lines) := "some" if {
	effect == "Allow"
	_scope(lines, "NotResource") == "all"
	regex.match(_catalog_resource_line, lines)
} else := _scope(lines, "NotResource")

# A NotResource line that may name a resource of a catalog service: a wildcard in its
# partition or service, or a catalog service.
_catalog_resource_line := concat("", [
	`(?m)^arn:(?:[^:\n]*[*?]|[^:\n]*:(?:[^:\n]*[*?]|(?:`,
	_service_alternatives,
	`)(?::|$)))`,
])

# Resource/NotResource entries, one per line ("" for an empty list).
_lines(value) := value if {
	is_string(value)
} else := concat("\n", value) if {
	is_array(value)
}

_scope(lines, kind) := "none" if {
	lines == ""
	kind == "Resource"
} else := _covering_scope[kind] if {
	regex.match(`(?m)^(?:\*+|\**\?\**)$`, lines)
} else := _narrow_scope[kind]

_covering_scope := {"Resource": "all", "NotResource": "none"}

_narrow_scope := {"Resource": "some", "NotResource": "all"}
