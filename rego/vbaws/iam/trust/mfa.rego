package vbaws.iam.trust

import data.vbaws.iam.conditions

# The appliance is a machine: it calls sts:AssumeRole with the credentials of its own role
# session (its EC2 instance profile, or a role it assumed itself), which no MFA device
# authenticated. IAM then leaves aws:MultiFactorAuthAge out of the request context, and
# aws:MultiFactorAuthPresent is either left out or "false" (long-term and temporary
# credentials differ): a condition is decided when both readings give the same answer, so
# a trust Allow that requires MFA (Bool aws:MultiFactorAuthPresent "true", the usual guard
# of a role meant for people) does not let the appliance in, and a Deny of calls without MFA
# (BoolIfExists aws:MultiFactorAuthPresent "false") keeps it out.
_appliance_condition(condition, context) := _either(
	conditions.evaluate(condition, context),
	conditions.evaluate(condition, _mfa_false(context)),
	condition,
) if {
	contains(lower(json.marshal(condition)), `"aws:multifactorauthpresent":`)
} else := conditions.evaluate(condition, context)

_absent_without_mfa := {"aws:multifactorauthage", "aws:multifactorauthpresent"}

_mfa_false(context) := {
	"present": object.union(context.present, {"aws:multifactorauthpresent": ["false"]}),
	"absent": context.absent - {"aws:multifactorauthpresent"},
	"tags_known": context.tags_known,
}

# Decided when the two readings agree; otherwise undecided on the keys of either, and on the
# MFA key itself.
_either(absent, present, condition) := {
	"value": _agreed(absent.value, present.value),
	"unknown": sort({k | some k in array.concat(absent.unknown, present.unknown)} | _mfa_pairs(
		condition,
		absent.value != present.value,
	)),
}

_agreed(absent, present) := absent if absent == present

else := "unknown"

_mfa_pairs(_, false) := set()

_mfa_pairs(condition, true) := {sprintf("%s %s", [op, key]) |
	some op, block in condition
	is_object(block)
	some key, _ in block
	lower(key) == "aws:multifactorauthpresent"
}
