# METADATA
# description: |
#   Three-valued evaluation of an IAM Condition block for a role (IAM-SEMANTICS.md §4).
#   Keys known for a role are decided (aws:PrincipalArn, aws:PrincipalAccount,
#   aws:PrincipalType, aws:PrincipalTag/* when the role's tags are known, aws:username and
#   aws:userid-free absences); every other key is UNKNOWN. Operators are decided for
#   string, ARN, Bool and Null comparisons; others on a present key stay UNKNOWN.
package vbaws.iam.conditions

import data.vbaws.lib.values
import data.vbaws.lib.wildcard

# METADATA
# description: |
#   The request context an analyser can know for a role: {"present": {lower key: [values]},
#   "absent": {lower keys known to be absent}}. tags_known says whether the role's tags
#   were supplied (only then is a missing aws:PrincipalTag/<key> known to be absent).
role_context(arn, tags, tags_known) := {
	"present": object.union(
		{key: [v] | some key, v in _principal_keys(arn)},
		{lower(sprintf("aws:PrincipalTag/%s", [k])): [v] | some k, v in tags},
	),
	"absent": {"aws:username"},
	"tags_known": tags_known,
}

# METADATA
# description: |
#   The context for conditions that name no principal key: nothing is known but that
#   aws:username is absent (as for every role).
role_independent_context := {"present": {}, "absent": {"aws:username"}, "tags_known": false}

# METADATA
# description: |
#   evaluate(condition, role_independent_context) for a Condition of a valid statement (every
#   block an object). In that context only aws:username is known, so a Condition that does
#   not name it is UNKNOWN on every key it names: that is told from its canonical JSON, where
#   a string followed by a colon is a key, without deciding key by key.
evaluate_role_independent(condition) := {"value": "unknown", "unknown": unknown} if {
	not contains(lower(json.marshal(condition)), `"aws:username":`)
	unknown := sort([sprintf("%s %s", [op, key]) | some op, block in condition; some key, _ in block])
	count(unknown) > 0
} else := evaluate(condition, role_independent_context)

_principal_keys(arn) := {
	"aws:principalarn": arn,
	"aws:principalaccount": values.arn_account(arn),
	"aws:principaltype": "AssumedRole",
	"aws:principalisawsservice": "false",
} if {
	values.arn_account(arn)
}

_principal_keys(arn) := {"aws:principaltype": "AssumedRole", "aws:principalisawsservice": "false"} if {
	not values.arn_account(arn)
}

# METADATA
# description: |
#   Evaluates a Condition block: {"value": "true"|"false"|"unknown", "unknown": [op key, ...]}.
#   Operators and keys are ANDed; the block is false when any part is false, unknown when
#   any part is unknown and none is false.
evaluate(condition, context) := _combine(array.concat(
	[[sprintf("%s %s", [op, key]), _pair_total(op, key, expected, context)] |
		some op, block in condition
		is_object(block)
		some key, expected in block
	],
	[[op, "unknown"] | some op, block in condition; not is_object(block)],
))

_combine(results) := {"value": "false", "unknown": []} if {
	some [_, "false"] in results
} else := {"value": "unknown", "unknown": unknown} if {
	unknown := sort([name | some [name, "unknown"] in results])
	count(unknown) > 0
} else := {"value": "true", "unknown": []}

# Anything this evaluator cannot decide is UNKNOWN, never silently true.
_pair_total(op, key, expected, context) := result if {
	result := _pair(op, key, expected, context)
} else := "unknown"

_pair(op, key, expected, context) := _decide(_operator(op), lower(key), values.as_list(expected), context)

# {"set": "" | "forany" | "forall", "base": operator without IfExists, "if_exists": bool}
_operator(op) := {"set": set_op, "base": base, "if_exists": endswith(rest, "IfExists")} if {
	[set_op, rest] := _split_set_operator(op)
	base := trim_suffix(rest, "IfExists")
}

_split_set_operator(op) := ["forany", substring(op, 12, -1)] if startswith(lower(op), "foranyvalue:")

_split_set_operator(op) := ["forall", substring(op, 13, -1)] if startswith(lower(op), "forallvalues:")

_split_set_operator(op) := ["", op] if {
	not startswith(lower(op), "foranyvalue:")
	not startswith(lower(op), "forallvalues:")
}

_key_state(key, context) := "present" if context.present[key]

_key_state(key, context) := "absent" if {
	not context.present[key]
	key in context.absent
}

_key_state(key, context) := "absent" if {
	not context.present[key]
	startswith(key, "aws:principaltag/")
	context.tags_known
}

_key_state(key, context) := "unknown" if {
	not context.present[key]
	not key in context.absent
	not _absent_tag(key, context)
}

_absent_tag(key, context) if {
	startswith(key, "aws:principaltag/")
	context.tags_known
}

# Policy variables in the expected values depend on the request: never decided here.
_decide(_, _, expected, _) := "unknown" if {
	some e in expected
	is_string(e)
	contains(e, "${")
}

_decide(parsed, key, expected, context) := result if {
	not _has_variable(expected)
	state := _key_state(key, context)
	result := _decide_state(parsed, state, object.get(context.present, key, []), expected)
}

_has_variable(expected) if {
	some e in expected
	is_string(e)
	contains(e, "${")
}

_decide_state(_, "unknown", _, _) := "unknown"

# A missing key: Null "true" holds, IfExists and negated operators hold, ForAllValues is
# vacuously true, everything else is false. ForAnyValue is false on a missing key even with
# IfExists, which IAM applies to each value of the key, not to the key as a whole.
_decide_state(parsed, "absent", _, expected) := "true" if _absent_holds(parsed, expected)

_decide_state(parsed, "absent", _, expected) := "false" if not _absent_holds(parsed, expected)

_decide_state(parsed, "present", actual, expected) := "true" if {
	_decidable_with(parsed, expected)
	_present_holds(parsed, actual, expected)
}

_decide_state(parsed, "present", actual, expected) := "false" if {
	_decidable_with(parsed, expected)
	not _present_holds(parsed, actual, expected)
}

_decide_state(parsed, "present", _, expected) := "unknown" if not _decidable_with(parsed, expected)

_decidable_with(parsed, expected) if {
	_decidable(parsed)
	not _short_arn_pattern(parsed, expected)
	not _non_boolean(parsed, expected)
}

# Bool compares Booleans: a policy value that is not "true" or "false" is no Boolean, and
# whether IAM refuses it or never matches it, equal text ("Bool": {"aws:PrincipalAccount":
# "123456789012"}) is not a match (iam-simulate: no match), so neither answer is given.
_non_boolean(parsed, expected) if {
	parsed.base == "Bool"
	some e in expected
	not lower(sprintf("%v", [e])) in {"true", "false"}
}

# An ARN pattern of fewer than six parts ("arn:aws:iam::*"): whether its last wildcard runs
# across the colons that follow is not settled (IAM-SEMANTICS.md §2 says a trailing * may;
# iam-simulate says no match), so neither answer is given.
_short_arn_pattern(parsed, expected) if {
	_positive_base[parsed.base] == "ArnLike"
	some e in expected
	not _arn_parts(sprintf("%v", [e]))
}

_absent_holds(parsed, expected) if {
	parsed.base == "Null"
	some e in expected
	lower(sprintf("%v", [e])) == "true"
}

_absent_holds(parsed, _) if {
	parsed.base != "Null"
	parsed.set != "forany"
	parsed.if_exists
}

_absent_holds(parsed, _) if {
	parsed.base != "Null"
	parsed.set == ""
	_negated(parsed.base)
}

_absent_holds(parsed, _) if {
	parsed.base != "Null"
	parsed.set == "forall"
}

_negated(base) if contains(base, "Not")

_positive_base := {
	"StringEquals": "StringEquals",
	"StringNotEquals": "StringEquals",
	"StringEqualsIgnoreCase": "StringEqualsIgnoreCase",
	"StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
	"StringLike": "StringLike",
	"StringNotLike": "StringLike",
	"ArnEquals": "ArnLike",
	"ArnLike": "ArnLike",
	"ArnNotEquals": "ArnLike",
	"ArnNotLike": "ArnLike",
	"Bool": "Bool",
}

_decidable(parsed) if parsed.base == "Null"

_decidable(parsed) if {
	_positive_base[parsed.base]
	parsed.set == ""
}

_decidable(parsed) if {
	_positive_base[parsed.base]
	parsed.set != ""
	not _negated(parsed.base)
}

_present_holds(parsed, _, expected) if {
	parsed.base == "Null"
	some e in expected
	lower(sprintf("%v", [e])) == "false"
}

_present_holds(parsed, actual, expected) if {
	parsed.set == ""
	not _negated(parsed.base)
	_any_match(_positive_base[parsed.base], actual, expected)
}

_present_holds(parsed, actual, expected) if {
	parsed.set == ""
	_negated(parsed.base)
	not _any_match(_positive_base[parsed.base], actual, expected)
}

_present_holds(parsed, actual, expected) if {
	parsed.set == "forany"
	_any_match(_positive_base[parsed.base], actual, expected)
}

_present_holds(parsed, actual, expected) if {
	parsed.set == "forall"
	every v in actual {
		_any_match(_positive_base[parsed.base], [v], expected)
	}
}

_any_match(base, actual, expected) if {
	some v in actual
	some e in expected
	_match(base, v, sprintf("%v", [e]))
}

_match("StringEquals", v, e) if v == e

_match("StringEqualsIgnoreCase", v, e) if lower(v) == lower(e)

_match("StringLike", v, e) if wildcard.matches(e, v)

# ARNs are compared part by part: each of the six colon-separated parts is globbed on its
# own (the last part, the resource, keeps its colons); shorter patterns are not decided.
_match("ArnLike", v, e) if {
	expected := _arn_parts(e)
	actual := _arn_parts(v)
	every i, part in expected {
		wildcard.matches(part, actual[i])
	}
}

_match("Bool", v, e) if lower(v) == lower(e)

_arn_parts(arn) := array.slice(groups[0], 1, 7) if {
	groups := regex.find_all_string_submatch_n(`^([^:]*):([^:]*):([^:]*):([^:]*):([^:]*):(.*)$`, arn, 1)
	count(groups) == 1
}
