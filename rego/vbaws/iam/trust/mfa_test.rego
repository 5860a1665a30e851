package vbaws.iam.trust_test

import data.vbaws.iam.trust

# The appliance calls without MFA: aws:MultiFactorAuthAge is absent, and
# aws:MultiFactorAuthPresent absent or "false", so what holds in both cases is decided.

_with_condition(statement, condition) := object.union(statement, {"Condition": condition})

_mfa_deny(condition) := {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Condition": condition}

test_an_allow_requiring_mfa_does_not_let_the_appliance_in if {
	every condition in [
		{"Bool": {"aws:MultiFactorAuthPresent": "true"}},
		{"Bool": {"AWS:MultiFactorAuthPresent": true}},
		{"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
		{"Null": {"aws:MultiFactorAuthAge": "false"}},
	] {
		result := trust.assess(_trust([_with_condition(_allow({"AWS": _appliance}), condition)]), _appliance, _role)
		result.appliance_can_assume == false
		result.conditions == []
	}
}

test_a_deny_of_calls_without_mfa_keeps_the_appliance_out if {
	every condition in [
		{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
		{"NumericGreaterThanIfExists": {"aws:MultiFactorAuthAge": "3600"}},
	] {
		result := trust.assess(_trust([_allow({"AWS": _appliance}), _mfa_deny(condition)]), _appliance, _role)
		result.appliance_can_assume == false
	}
}

# Where the two cases differ, the condition stays undecided and says so.
test_mfa_conditions_that_depend_on_the_case_stay_undecided if {
	allow := trust.assess(
		_trust([_with_condition(_allow({"AWS": _appliance}), {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})]),
		_appliance,
		_role,
	)
	allow.appliance_can_assume == true
	allow.conditions == ["aws:MultiFactorAuthPresent"]

	deny := trust.assess(
		_trust([_allow({"AWS": _appliance}), _mfa_deny({"Bool": {"aws:MultiFactorAuthPresent": "false"}})]),
		_appliance,
		_role,
	)
	deny.appliance_can_assume == true
	deny.conditions == ["aws:MultiFactorAuthPresent"]
}

# An MFA condition beside one the appliance meets is decided by the MFA key.
test_mfa_and_a_known_key_together if {
	result := trust.assess(
		_trust([_with_condition(_allow({"AWS": "111111111111"}), {
			"Bool": {"aws:MultiFactorAuthPresent": "true"},
			"StringEquals": {"aws:PrincipalAccount": "111111111111"},
		})]),
		_appliance,
		_role,
	)
	result.appliance_can_assume == false
}
