package vbaws.iam.conditions_test

import data.vbaws.iam.conditions

_arn := "arn:aws:iam::123456789012:role/Backup"

_context := conditions.role_context(_arn, {"team": "backup"}, true)

_untagged := conditions.role_context(_arn, {}, false)

_value(condition) := conditions.evaluate(condition, _context).value

test_unknown_keys_stay_unknown if {
	conditions.evaluate({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}, _context) == {
		"value": "unknown",
		"unknown": ["StringEquals aws:RequestedRegion"],
	}
}

test_principal_keys_are_decided if {
	_value({"StringEquals": {"aws:PrincipalAccount": "123456789012"}}) == "true"
	_value({"StringEquals": {"aws:PrincipalAccount": ["111111111111", "222222222222"]}}) == "false"
	_value({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Back*"}}) == "true"
	_value({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Back*"}}) == "false"
	_value({"StringEqualsIgnoreCase": {"AWS:PRINCIPALTYPE": "assumedrole"}}) == "true"
	_value({"StringNotEquals": {"aws:PrincipalTag/team": "backup"}}) == "false"
	_value({"StringLike": {"aws:PrincipalTag/team": "back?p"}}) == "true"
	_value({"Bool": {"aws:PrincipalIsAWSService": false}}) == "true"
}

test_missing_keys if {
	# tricky case 14: a negated operator on a missing key holds
	_value({"StringNotLike": {"aws:PrincipalTag/owner": "x*"}}) == "true"
	_value({"StringEquals": {"aws:PrincipalTag/owner": "x"}}) == "false"
	_value({"StringEqualsIfExists": {"aws:PrincipalTag/owner": "x"}}) == "true"
	_value({"Null": {"aws:PrincipalTag/owner": "true"}}) == "true"
	_value({"Null": {"aws:PrincipalTag/team": "true"}}) == "false"
	_value({"Null": {"aws:username": false}}) == "false"
	_value({"ForAllValues:StringEquals": {"aws:username": ["a"]}}) == "true"
	_value({"ForAnyValue:StringEquals": {"aws:username": ["a"]}}) == "false"
}

# IfExists does not make ForAnyValue hold on a missing key: IAM and iam-simulate both deny
# an Allow so written (re:Post "ForAnyValue:StringEqualsIfExists behaving unexpectedly").
test_for_any_value_if_exists_on_a_missing_key if {
	_value({"ForAnyValue:StringEqualsIfExists": {"aws:PrincipalTag/owner": "x"}}) == "false"
	_value({"ForAnyValue:StringNotLikeIfExists": {"aws:username": "x*"}}) == "false"
	_value({"ForAllValues:StringEqualsIfExists": {"aws:PrincipalTag/owner": "x"}}) == "true"
	_value({"ForAnyValue:StringEqualsIfExists": {"aws:PrincipalTag/team": "backup"}}) == "true"
}

test_tags_unknown_when_not_supplied if {
	conditions.evaluate({"StringEquals": {"aws:PrincipalTag/owner": "x"}}, _untagged).value == "unknown"
}

test_set_operators_on_known_keys if {
	_value({"ForAnyValue:StringLike": {"aws:PrincipalTag/team": ["x", "b*"]}}) == "true"
	_value({"ForAllValues:StringEquals": {"aws:PrincipalTag/team": ["x"]}}) == "false"
	_value({"ForAllValues:StringNotEquals": {"aws:PrincipalTag/team": ["x"]}}) == "unknown"
}

test_bool_with_a_value_that_is_no_boolean_is_unknown if {
	_value({"Bool": {"aws:PrincipalAccount": "123456789012"}}) == "unknown"
	_value({"ForAnyValue:Bool": {"aws:PrincipalTag/team": ["backup"]}}) == "unknown"
	_value({"Bool": {"aws:PrincipalTag/team": "true"}}) == "false"
	_value({"Bool": {"aws:PrincipalIsAWSService": ["False", "maybe"]}}) == "unknown"
}

test_if_exists_on_unknown_key_is_unknown if {
	# tricky case 12: the key may or may not be there
	_value({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}) == "unknown"
}

test_unsupported_operator_on_known_key_is_unknown if {
	_value({"NumericLessThan": {"aws:PrincipalAccount": "5"}}) == "unknown"
}

test_policy_variables_are_unknown if {
	_value({"StringEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/other}"}}) == "unknown"
}

test_false_wins_over_unknown if {
	conditions.evaluate(
		{
			"StringEquals": {"aws:RequestedRegion": "eu-west-1", "aws:PrincipalAccount": "999999999999"},
			"Bool": {"aws:SecureTransport": true},
		},
		_context,
	) == {"value": "false", "unknown": []}
}

test_context_without_arn if {
	ctx := conditions.role_context("VeeamRole", {}, false)
	conditions.evaluate({"StringEquals": {"aws:PrincipalAccount": "1"}}, ctx).value == "unknown"
	conditions.evaluate({"StringEquals": {"aws:PrincipalType": "AssumedRole"}}, ctx).value == "true"
}

test_malformed_operator_block_is_unknown if {
	conditions.evaluate({"StringEquals": "eu-west-1"}, _context) == {"value": "unknown", "unknown": ["StringEquals"]}
}

test_arn_patterns_match_part_by_part if {
	_value({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Backup"}}) == "true"
	_value({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Other"}}) == "false"
	_value({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/*"}}) == "true"

	# Fewer than six parts: whether a wildcard runs across colons is not settled, so a Deny
	# written so is not taken as missing the role.
	_value({"ArnLike": {"aws:PrincipalArn": "arn:*:role/Backup"}}) == "unknown"
	_value({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*"}}) == "unknown"
	_value({"ArnNotLike": {"aws:PrincipalArn": "arn:*:role/Backup"}}) == "unknown"
	_value({"ArnLike": {"aws:PrincipalArn": "not an arn"}}) == "unknown"
}

# The shortcut for conditions that name no principal key must answer exactly as the full
# evaluation in the same context, including where it steps aside (aws:username in any case,
# empty blocks, policy variables).
test_role_independent_shortcut_agrees if {
	every condition in [
		{"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
		{"StringLike": {"ec2:ResourceTag/x": "*", "aws:SourceVpc": ["vpc-1", "vpc-2"]}, "Bool": {"aws:SecureTransport": "true"}},
		{"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}, "NumericLessThan": {"aws:MultiFactorAuthAge": 3600}},
		{"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}},
		{"Null": {"AWS:UserName": "true"}},
		{"StringNotEquals": {"aws:username": "a"}, "StringLike": {"s3:prefix": "home/*"}},
		{"ForAllValues:StringLike": {"aws:username": ["a*"]}},
		{"StringEquals": {}},
		{"StringEquals": {}, "Bool": {"aws:ViaAWSService": "false"}},
	] {
		conditions.evaluate_role_independent(condition) == conditions.evaluate(condition, conditions.role_independent_context)
	}
}

test_role_independent_shortcut_decides_username if {
	conditions.evaluate_role_independent({"Null": {"AWS:UserName": "true"}}).value == "true"
	conditions.evaluate_role_independent({"StringEquals": {}}).value == "true"
}
