package vbaws.iam.trust_test

import data.vbaws.iam.trust

# The appliance's AssumeRole is its own call: keys that only a service's call on someone's
# behalf carries are absent, so conditions on them are decided as IAM decides a missing key.
# aws:CalledVia stays unknown (IAM-SEMANTICS.md §4).

test_called_via_stays_unknown if {
	result := trust.assess(
		_trust([object.union(_allow({"AWS": _appliance}), {"Condition": {"ForAnyValue:StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}})]),
		_appliance,
		_role,
	)
	result.appliance_can_assume == true
	result.conditions == ["aws:CalledVia"]
}

test_an_allow_requiring_a_source_key_does_not_let_the_appliance_in if {
	every condition in [
		{"StringEquals": {"aws:SourceAccount": "111111111111"}},
		{"ArnLike": {"aws:SourceArn": "arn:aws:ec2:*:111111111111:instance/*"}},
		{"StringEquals": {"aws:SourceOrgID": "o-abc123"}},
		{"StringEquals": {"aws:SourceOrgPaths": "o-abc123/r-ab12/ou-ab12-11111111/"}},
		{"StringEquals": {"aws:PrincipalServiceName": "ec2.amazonaws.com"}},
		{"Null": {"aws:SourceArn": "false"}},
	] {
		result := trust.assess(
			_trust([object.union(_allow({"AWS": _appliance}), {"Condition": condition})]),
			_appliance,
			_role,
		)
		result.appliance_can_assume == false
		result.conditions == []
	}
}

test_conditions_a_missing_source_key_satisfies_are_met if {
	every condition in [
		{"StringEqualsIfExists": {"aws:SourceAccount": "222222222222"}},
		{"Null": {"aws:SourceAccount": "true"}},
		{"ArnNotLike": {"aws:SourceArn": "arn:aws:ec2:*:*:instance/*"}},
	] {
		result := trust.assess(
			_trust([object.union(_allow({"AWS": "111111111111"}), {"Condition": condition})]),
			"111111111111",
			_role,
		)
		result.appliance_can_assume == true
		result.conditions == []
	}
}

test_a_deny_unless_a_source_key_matches_holds_for_the_appliance if {
	result := trust.assess(
		_trust([
			_allow({"AWS": _appliance}),
			{
				"Effect": "Deny",
				"Principal": "*",
				"Action": "sts:AssumeRole",
				"Condition": {"StringNotEquals": {"aws:SourceAccount": "111111111111"}},
			},
		]),
		_appliance,
		_role,
	)
	result.appliance_can_assume == false
}

test_a_deny_on_a_source_key_value_does_not_hold_for_the_appliance if {
	result := trust.assess(
		_trust([
			_allow({"AWS": _appliance}),
			{
				"Effect": "Deny",
				"Principal": "*",
				"Action": "sts:AssumeRole",
				"Condition": {"StringEquals": {"aws:SourceAccount": "999999999999"}},
			},
		]),
		_appliance,
		_role,
	)
	result.appliance_can_assume == true
	result.conditions == []
}
