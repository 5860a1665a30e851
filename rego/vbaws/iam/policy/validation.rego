package vbaws.iam.policy

import data.vbaws.lib.values

# Validation of policy documents and statements (IAM-SEMANTICS.md §1, decision 3): what makes
# a document or a statement invalid, with the message that says so. analyze (policy.rego)
# leaves invalid statements out of evaluation and reports these messages as errors; the
# trust check (vbaws.iam.trust) uses the same rules for trust policies.

_valid_versions := {"2012-10-17", "2008-10-17"}

_top_level_keys := {"Version", "Id", "Statement"}

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
	some problem in _problems(statement, kind)
} if {
	is_object(statement)
	not _well_formed(statement, kind)
}

# A statement _well_formed refuses is never taken as valid: should no rule below say what
# is wrong with it, it is still invalid, and says so.
_problems(statement, kind) := problems if {
	problems := _common_problems(statement) | _kind_problems(statement, kind)
	count(problems) > 0
} else := {"is not in a form this engine can read, so it takes no part in evaluation"}

# The common case, checked with a few builtin calls before any message is built. For
# identity-side statements the check is stricter than validity (no keys beyond the known
# ones): a statement it refuses is looked at by statement_errors, which has the last word.
_well_formed(statement, "identity") if {
	(object.keys(statement) - _optional_statement_keys) in _identity_shapes
	statement.Effect in _effects
	is_string(object.get(statement, "Sid", ""))
	_condition_ok(object.get(statement, "Condition", {}))

	# Action or NotAction, then Resource or NotResource: concat is undefined when any element
	# is not a string. Matching reads a list as lines, so no entry may hold a line break.
	actions := object.get(statement, "Action", object.get(statement, "NotAction", null))
	resources := object.get(statement, "Resource", object.get(statement, "NotResource", null))
	not contains(concat("", array.flatten([actions, resources])), "\n")
	regex.match(_valid_action_lines, concat("\n", array.flatten([actions])))
	regex.match(_valid_resource_lines, concat("\n", array.flatten([resources])))
	not _excludes_nothing(object.get(statement, "NotAction", null))
	not _excludes_nothing(object.get(statement, "NotResource", null))
}

_well_formed(statement, "trust") if {
	statement.Effect in _effects
	is_string(object.get(statement, "Sid", ""))
	_one_action_list(statement)
	_condition_ok(object.get(statement, "Condition", {}))
	_principal_ok(statement.Principal)
	_principal_names_ok(statement.Principal)
	count(object.keys(statement) - _trust_statement_keys) == 0
}

# METADATA
# description: |
#   The invalid statements of a list of identity-side statements, as {position: [messages]}.
invalid_statements(statements) := {} if {
	text := json.marshal(statements)
	regex.match(_well_formed_document, text)
	not _repeats_condition_key(statements, text)
} else := {i: problems |
	some i, statement in statements
	not _well_formed(statement, "identity")
	problems := sort(statement_errors(statement, i, "identity"))
	count(problems) > 0
}

# The common case for a whole document at once: json.marshal writes canonical JSON (keys
# sorted, compact, quotes and line breaks escaped), and this regex accepts a list only when
# every statement is one _well_formed accepts, in a narrower spelling (strings without
# escapes, no empty lists, string Sid); anything else is looked at statement by statement.
# Lists are matched as "(?:item[,\]])+", which on valid JSON accepts exactly the lists.
# Every branch is picked by its first character and the program stays under Go's limit of
# 1,000 instructions, so Go's one-pass matcher runs it: about a third of the time of
# checking the statements one by one, on the managed-policy corpus.
_well_formed_document := concat("", [`^\[(?:`, _plain_statement, `[,\]])+$`])

_plain_statement := concat("", [
	`\{"(?:Action":`, _plain_list(_plain_action), `,"(?:Condition":`, _plain_condition, `,")?`, _plain_effect,
	`|(?:Condition":`, _plain_condition, `,")?`, _plain_effect, `NotAction":`, _plain_list(_plain_action), `,")`,
	`(?:NotResource":`, _plain_list(_plain_resource), `|Resource":`, _plain_list(_plain_resource), `)`,
	`(?:,"Sid":"[^"\\]*")?\}`,
])

_plain_effect := `Effect":"(?:Allow|Deny)","`

_plain_list(item) := concat("", [`(?:`, item, `|\[(?:`, item, `[,\]])+)`])

_plain_action := `"(?:\*+|[^"\\:*?]+:[^"\\:]+)"`

_plain_resource := `"(?:\*+|arn:[^"\\]*)"`

_plain_condition := concat("", [`\{(?:"`, _operator, `":\{(?:"[^"\\]*":`, _plain_value, `[,}])+[,}])+`])

_plain_value := concat("", [`(?:`, _plain_scalar, `|\[(?:\]|(?:`, _plain_scalar, `[,\]])+))`])

_plain_scalar := `(?:"[^"\\]*"|-?[0-9][0-9.eE+-]*|true|false)`

_principal_shape := `Principal must be "*" or an object of strings or lists of strings`

# "*" or {"AWS" | "Service" | "Federated" | ...: a string or a list of strings}
_principal_ok("*")

_principal_ok(principal) if {
	is_object(principal)
	every _, value in principal {
		_strings(value)
	}
}

# IAM's principal types, spelled as IAM spells them; an ARN in a principal takes no
# wildcard ("*" alone means everyone). Read leniently, "aws" or "role/*" would match no
# caller, and a Deny written so would silently deny nobody.
_principal_names_ok("*")

_principal_names_ok(principal) if {
	is_object(principal)
	count(object.keys(principal) - _principal_types) == 0
	every value in values.as_list(object.get(principal, "AWS", [])) {
		_aws_principal_ok(value)
	}
}

_principal_types := {"AWS", "Service", "Federated", "CanonicalUser"}

_aws_principal_ok("*")

_aws_principal_ok(value) if not regex.match(`[*?]`, value)

# NotPrincipal is listed so that it gets its own message, not "unknown element".
_trust_statement_keys := {"Sid", "Effect", "Principal", "Action", "NotAction", "Condition"}

_effects := {"Allow", "Deny"}

# A NotAction or NotResource that excludes nothing: no entry, or empty strings alone
# (["", ""] as much as [""]). Called with a missing value (null), it is false.
_excludes_nothing(value) if {
	value != null
	every entry in values.as_list(value) {
		entry == ""
	}
}

# IAM's grammar: {operator: {key: value or [values]}}, values strings, numbers or Booleans.
# The usual statement has no Condition: one clause, no iteration.
_condition_ok({})

_condition_ok(condition) if {
	is_object(condition)
	every operator, block in condition {
		regex.match(_condition_operator, operator)
		is_object(block)
		every _, value in block {
			_condition_value_ok(value)
		}
		_distinct_keys(block)
	}
}

# Condition keys ignore case, so "aws:PrincipalArn" and "AWS:PrincipalArn" in one block are
# one key twice, which IAM Access Analyzer refuses (IAM-SEMANTICS.md §1); read as two tests
# ANDed, they would let one of them switch off a Deny. The regex above cannot see case, so
# this is checked beside it, on the few statements with a Condition.
_distinct_keys(block) if count({lower(key) | some key, _ in block}) == count(block)

_repeats_condition_key(statements, text) if {
	contains(text, `"Condition":`)
	some statement in statements
	some block in statement.Condition
	count(block) > 1
	not _distinct_keys(block)
}

_condition_value_ok(value) if type_name(value) in _condition_scalars

_condition_value_ok(value) if {
	is_array(value)
	every v in value {
		type_name(v) in _condition_scalars
	}
}

_condition_scalars := {"string", "number", "boolean"}

# IAM's condition operators (IAM-SEMANTICS.md §4), spelled as IAM spells them: IAM refuses
# any other, and a misspelt one ("stringnotequals") cannot be decided, only guessed at.
# IfExists goes with every operator but Null. Written so that the next character always
# picks the branch, which keeps _well_formed_document one-pass (see there).
_condition_operator := concat("", ["^", _operator, "$"])

_operator := concat("", [
	`(?:ForA(?:llValues|nyValue):)?(?:`,
	`String(?:Not)?(?:Equals(?:I(?:gnoreCase(?:IfExists)?|fExists))?|Like(?:IfExists)?)`,
	`|Date`, _comparison,
	`|B(?:ool|inaryEquals)(?:IfExists)?`,
	`|IpAddress(?:IfExists)?`,
	`|Arn(?:Not)?(?:Equals|Like)(?:IfExists)?`,
	`|N(?:otIpAddress(?:IfExists)?|ull|umeric`, _comparison, `))`,
])

_comparison := `(?:Equals|NotEquals|LessThan(?:Equals)?|GreaterThan(?:Equals)?)(?:IfExists)?`

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
	not _excludes_nothing(statement.NotAction)
}

_valid_actions(actions) if {
	_strings(actions)
	not contains(concat("", values.as_list(actions)), "\n")
	regex.match(_valid_action_lines, concat("\n", array.flatten([actions])))
}

_action_grammar := `it must be "*" or service:name, with no wildcard in the service`

# A resource is an ARN or "*" (stars alone); IAM refuses anything else, and the analysis
# could only guess what such an entry covers. "" is tolerated (it matches nothing).
_resource_line := `(?:\*+|arn:[^\n]*)`

_valid_resource := concat("", ["^", _resource_line, "$"])

_valid_resource_lines := concat("", ["^(?:", _resource_line, "(?:\n", _resource_line, ")*)?$"])

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
	{sprintf("Sid must be a string, got %s", [json.marshal(statement.Sid)]) |
		"Sid" in object.keys(statement)
		not is_string(statement.Sid)
	},
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
	{sprintf("%s must be a string or a list of strings, got %s", [key, json.marshal(statement[key])]) |
		some key in ["Action", "NotAction"]
		_not_string_or_list(statement, key)
	},
	{sprintf("%s value %v is not a string", [key, json.marshal(value)]) |
		some key in ["Action", "NotAction"]
		is_array(object.get(statement, key, null))
		some value in statement[key]
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
		_excludes_nothing(statement[key])
	},
	{sprintf("Condition operator %q is not an IAM condition operator", [operator]) |
		some operator, _ in _condition_blocks(statement)
		not regex.match(_condition_operator, operator)
	},
	{"Condition must be an object" |
		"Condition" in object.keys(statement)
		not is_object(object.get(statement, "Condition", null))
	},
	{sprintf("Condition %s must be an object of condition keys, got %s", [operator, json.marshal(block)]) |
		some operator, block in _condition_blocks(statement)
		not is_object(block)
	},
	{sprintf("Condition %s names key %q more than once (condition keys ignore case)", [operator, lower(key)]) |
		some operator, block in _condition_blocks(statement)
		is_object(block)
		some key, _ in block
		count([other | some other, _ in block; lower(other) == lower(key)]) > 1
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
	{sprintf("%s must be a string or a list of strings, got %s", [key, json.marshal(statement[key])]) |
		some key in ["Resource", "NotResource"]
		_not_string_or_list(statement, key)
	},
	{sprintf("%s value %v is not a string", [key, json.marshal(value)]) |
		some key in ["Resource", "NotResource"]
		is_array(object.get(statement, key, null))
		some value in statement[key]
		not is_string(value)
	},
	{sprintf("%s %s is not a valid resource: it must be an ARN (arn:...) or \"*\"", [key, json.marshal(value)]) |
		some key in ["Resource", "NotResource"]
		some value in values.as_list(object.get(statement, key, []))
		is_string(value)
		not value == ""
		not contains(value, "\n")
		not regex.match(_valid_resource, value)
	},
	{sprintf("%s is not allowed in an identity policy", [key]) |
		some key in ["Principal", "NotPrincipal"]
		key in object.keys(statement)
	},
	# IAM refuses a policy with an element it does not know; one misspelt ("Condtion") would
	# otherwise be ignored here, and its statement read as having no Condition.
	{sprintf("unknown element %q", [key]) |
		some key, _ in statement
		not key in _identity_statement_keys
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
	{sprintf("Principal type %q is not one of AWS, Service, Federated, CanonicalUser", [key]) |
		is_object(statement.Principal)
		some key, _ in statement.Principal
		not key in _principal_types
	},
	{sprintf("Principal AWS %q has a wildcard (only \"*\" alone is allowed)", [value]) |
		is_object(statement.Principal)
		some value in values.as_list(object.get(statement.Principal, "AWS", []))
		is_string(value)
		not _aws_principal_ok(value)
	},
	{sprintf("%s is not allowed in a trust policy", [key]) |
		some key in ["Resource", "NotResource"]
		key in object.keys(statement)
	},
	{sprintf("unknown element %q", [key]) |
		some key, _ in statement
		not key in _trust_statement_keys
		not key in {"Resource", "NotResource", "NotPrincipal"}
	},
})

_identity_statement_keys := {
	"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition",
	"Principal", "NotPrincipal",
}

# values.as_list reads null as an empty list: a present element of another type is named here.
_not_string_or_list(statement, key) if {
	key in object.keys(statement)
	not type_name(statement[key]) in {"string", "array"}
}
