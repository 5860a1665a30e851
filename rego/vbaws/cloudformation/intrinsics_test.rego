package vbaws.cloudformation_test

import data.vbaws.cloudformation

# The trust of a role whose statements are given, in a template with parameters Acct and Idx.
_trusting(statements) := object.union(
	_template({"Role": _role({"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": statements}})}),
	{"Parameters": {"Acct": {"Type": "String"}, "Idx": {"Type": "Number"}}},
)

_allow(principal, condition) := object.union(
	{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal},
	condition,
)

_deny_all(principal, condition) := object.union(
	{"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": principal},
	condition,
)

_summary(model) := {"unknowns": [u.layer | some u in model.unknowns], "trust": model.trust_policy.Statement}

_unknown_trust := {"unknowns": ["trust"], "trust": []}

# `!Join ['', ['arn:', !Ref AWS::Partition, ':iam::...']]` as conftest's YAML parser leaves it,
# as one entry of a list, and in the long form: the text the long form gives.
test_a_join_in_a_principal_is_its_text if {
	every principal in [
		{"AWS": ["", ["arn:", "AWS::Partition", ":iam::111111111111:role/Appliance"]]},
		{"AWS": [["", ["arn:", "AWS::Partition", ":iam::111111111111:role/Appliance"]]]},
		{"AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::111111111111:role/Appliance"]]}},
		{"AWS": [":", ["arn", {"Ref": "AWS::Partition"}, "iam", "", "111111111111", "role/Appliance"]]},
	] {
		model_1 := cloudformation.roles.Role with input as _trusting([_allow(principal, {})])
		r := _summary(model_1)
		r.unknowns == []
		r.trust[0].Principal.AWS in {_appliance, [_appliance]}
	}

	# A short-form !Ref of a parameter, long form or short, is known only at deploy time.
	every principal in [
		{"AWS": ["", ["arn:aws:iam::", "Acct", ":role/Appliance"]]},
		{"AWS": {"Fn::Join": ["", ["arn:aws:iam::", "Acct", ":role/Appliance"]]}},
	] {
		model_2 := cloudformation.roles.Role with input as _trusting([_allow(principal, {})])
		_summary(model_2) == {"unknowns": [], "trust": [_allow({"AWS": "arn:aws:iam::${Acct}:role/Appliance"}, {})]}
	}
}

test_a_join_in_a_condition_value_is_its_text if {
	join := ["", ["arn:", "AWS::Partition", ":iam::111111111111:role/Appliance"]]
	every value in [join, [join], [join, "arn:aws:iam::111111111111:root"]] {
		model_3 := cloudformation.roles.Role with input as _trusting([_allow({"AWS": "111111111111"}, {"Condition": {"StringEquals": {"aws:PrincipalArn": value}}})])
		r := _summary(model_3)
		r.unknowns == []
		r.trust[0].Condition.StringEquals["aws:PrincipalArn"] in {_appliance, [_appliance], [_appliance, "arn:aws:iam::111111111111:root"]}
	}
}

# A list of two whose first entry could be an index is the shape of a short-form !Select, whose
# pick is chosen at deploy time; so is a list of a value and a short-form !GetAtt. Read as an
# !Join, `!Select [!Ref Idx, [a, b]]` would be the text "a${Idx}b", and a trust whose Deny
# names a (the appliance) would let it in.
test_a_join_that_may_be_another_function_is_not_read if {
	picks := [_appliance, "arn:aws:iam::222222222222:root"]
	every value in [["Idx", picks], ["0", picks], ["222222222222", ["Role", "Arn"]]] {
		model_4 := cloudformation.roles.Role with input as _trusting([_allow({"AWS": value}, {})])
		_summary(model_4) == _unknown_trust
		model_5 := cloudformation.roles.Role with input as _trusting([_allow({"AWS": _appliance}, {}), _deny_all({"AWS": value}, {})])
		_summary(model_5) == _unknown_trust
		model_6 := cloudformation.roles.Role with input as _trusting([_allow({"AWS": _appliance}, {"Condition": {"StringEquals": {"aws:PrincipalArn": value}}})])
		r := _summary(model_6)
		r == {"unknowns": [], "trust": [_allow({"AWS": _appliance}, {"Condition": {"StringEquals": {"aws:PrincipalArn": "${Fn::Join}"}}})]}
	}
}

# A list of two texts whose first is punctuation may be a short-form !Split: `!Join ['',
# !Split ['*', Role]]` arrives as ["", ["*", "Role"]], which CloudFormation joins to "Role".
# Read as "*Role", an Allow's StringLike let the appliance in.
test_a_join_of_what_may_be_a_split_is_not_read if {
	every value in [["", ["*", "Role"]], [["", ["*", "Role"]]], ["", [",", "arn:aws:iam::111111111111:role/Appliance"]]] {
		model_1 := cloudformation.roles.Role with input as _trusting([_allow({"AWS": _appliance}, {"Condition": {"StringLike": {"aws:PrincipalArn": value}}})])
		r := _summary(model_1)
		r.unknowns == []
		r.trust[0].Condition.StringLike["aws:PrincipalArn"] in {"${Fn::Join}", ["${Fn::Join}"]}
	}
	model_2 := cloudformation.roles.Role with input as _trusting([_allow({"AWS": ["", ["*", ""]]}, {})])
	_summary(model_2) == _unknown_trust
}

# ... nor the long form's list: `Fn::Join: ['', !Split ['*', Role]]` arrives as {"Fn::Join":
# ["", ["*", "Role"]]}.
test_a_long_form_join_of_what_may_be_a_split_is_not_read if {
	join := {"Fn::Join": ["", ["*", "Role"]]}
	model := cloudformation.roles.Role with input as _trusting([_allow({"AWS": _appliance}, {"Condition": {"StringLike": {"aws:PrincipalArn": join}}})])
	_summary(model) == _unknown_trust
}

# In a Deny, a piece read as a literal may be what a short-form !ImportValue leaves:
# `!Join ['', ['arn:aws:iam::', !ImportValue blocked, ':root']]` would deny the account
# "blocked", when the import may hold the appliance's. The trust is unknown, a condition
# value a placeholder.
test_a_join_in_a_deny_is_not_read_literally if {
	every pieces in [["arn:aws:iam::", "blocked", ":root"], ["arn:aws:iam::111111111111:role/", "Appliance"]] {
		model_7 := cloudformation.roles.Role with input as _trusting([_allow({"AWS": _appliance}, {}), _deny_all({"AWS": ["", pieces]}, {})])
		_summary(model_7) == _unknown_trust
		model_8 := cloudformation.roles.Role with input as _trusting([_allow({"AWS": _appliance}, {}), _deny_all({"AWS": [["", pieces]]}, {})])
		_summary(model_8) == _unknown_trust
		condition := {"Condition": {"StringEquals": {"aws:PrincipalArn": ["", pieces]}}}
		model_9 := cloudformation.roles.Role with input as _trusting([_allow({"AWS": _appliance}, {}), _deny_all("*", condition)])
		r := _summary(model_9)
		r.unknowns == []
		r.trust[1].Condition == {"StringEquals": {"aws:PrincipalArn": "${Fn::Join}"}}
	}
}

# ... and so may one of the long form, written with short-form tags inside (`Fn::Join: ['',
# [arn:aws:iam::, !ImportValue blocked, ':root']]` arrives as {"Fn::Join": ["", ["arn:aws:iam::",
# "blocked", ":root"]]}): read as its text, the Deny named the account "blocked", and a Deny's
# `Action: {Fn::Join: ['', [!ImportValue svc, ':CreateTags']]}` denied svc:CreateTags, when
# either import may hold what the appliance needs.
test_a_long_form_join_in_a_deny_is_not_read_literally if {
	joined := {"Fn::Join": ["", ["arn:aws:iam::", "blocked", ":root"]]}
	model_7 := cloudformation.roles.Role with input as _trusting([_allow({"AWS": _appliance}, {}), _deny_all({"AWS": joined}, {})])
	_summary(model_7) == _unknown_trust
	condition := {"Condition": {"ArnLike": {"aws:PrincipalArn": joined}}}
	model_9 := cloudformation.roles.Role with input as _trusting([_allow({"AWS": _appliance}, {}), _deny_all("*", condition)])
	_summary(model_9).trust[1].Condition == {"ArnLike": {"aws:PrincipalArn": "${Fn::Join}"}}
	action := {"Fn::Join": ["", ["svc", ":CreateTags"]]}
	policy := {"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Deny", "Action": action, "Resource": "*"}]}}
	denied := _template({"Role": _role({"Policies": [policy]})})
	[u.layer | some u in cloudformation.roles.Role.unknowns] == ["identity"] with input as denied
}

# `{"Fn::Sub": [text, {Acct: "111111111111"}]}`, and the short form as conftest's YAML parser
# leaves it: the variables whose value is a literal string are filled in.
test_the_literal_variables_of_a_sub_are_filled_in if {
	every principal in [
		{"Fn::Sub": ["arn:${AWS::Partition}:iam::${Acct}:role/${Name}", {"Acct": "111111111111", "Name": "Appliance"}]},
		["arn:${AWS::Partition}:iam::${Acct}:role/${Name}", {"Acct": "111111111111", "Name": "Appliance"}],
		[["arn:aws:iam::${Acct}:role/Appliance", {"Acct": "111111111111"}]],
	] {
		model_10 := cloudformation.roles.Role with input as _trusting([_allow({"AWS": principal}, {})])
		r := _summary(model_10)
		r.unknowns == []
		r.trust[0].Principal.AWS in {_appliance, [_appliance]}
	}

	condition := {"StringEquals": {"aws:PrincipalArn": ["arn:aws:iam::${Acct}:role/Appliance", {"Acct": "111111111111"}]}}
	model_11 := cloudformation.roles.Role with input as _trusting([_allow({"AWS": "111111111111"}, {"Condition": condition})])
	_summary(model_11) == {"unknowns": [], "trust": [_allow(
		{"AWS": "111111111111"},
		{"Condition": {"StringEquals": {"aws:PrincipalArn": _appliance}}},
	)]}
}

# A variable given by an intrinsic function (`!Ref Acct` arrives as "Acct", `!GetAtt Role.Arn`
# as "Role.Arn"), or a number that is no account id, stays a placeholder; so does "${!Acct}",
# the literal text.
test_a_variable_given_at_deploy_time_stays_a_placeholder if {
	every value in ["Acct", "AWS::AccountId", "Role.Arn", {"Ref": "Acct"}, ["Role", "Arn"], 11111111111, 1.5] {
		principal := ["arn:aws:iam::${Acct}:role/Appliance", {"Acct": value}]
		model_12 := cloudformation.roles.Role with input as _trusting([_allow({"AWS": principal}, {})])
		_summary(model_12) == {"unknowns": [], "trust": [_allow({"AWS": "arn:aws:iam::${Acct}:role/Appliance"}, {})]}
	}
	escaped := {"Fn::Sub": ["arn:aws:iam::${!Acct}:role/Appliance", {"Acct": "111111111111"}]}
	model_13 := cloudformation.roles.Role with input as _trusting([_allow({"AWS": escaped}, {})])
	_summary(model_13) == {"unknowns": [], "trust": [_allow({"AWS": "arn:aws:iam::${!Acct}:role/Appliance"}, {})]}
}

# In a Deny a variable may be what a short-form !ImportValue leaves (`{Acct: !ImportValue
# blocked}` arrives as {"Acct": "blocked"}): the trust is unknown, a condition value a placeholder.
test_the_variables_of_a_sub_in_a_deny_are_not_filled_in if {
	every sub in [
		{"Fn::Sub": ["arn:aws:iam::${Acct}:root", {"Acct": "blocked"}]},
		["arn:aws:iam::${Acct}:root", {"Acct": "222222222222"}],
	] {
		model_14 := cloudformation.roles.Role with input as _trusting([_allow({"AWS": _appliance}, {}), _deny_all({"AWS": sub}, {})])
		_summary(model_14) == _unknown_trust
		model_15 := cloudformation.roles.Role with input as _trusting([_allow({"AWS": _appliance}, {}), _deny_all("*", {"Condition": {"StringEquals": {"aws:PrincipalArn": sub}}})])
		r := _summary(model_15)
		r.unknowns == []
		r.trust[1].Condition == {"StringEquals": {"aws:PrincipalArn": "${Fn::Sub}"}}
	}
}

# `aws:PrincipalArn: !ImportValue blocked-role-arn` arrives as "blocked-role-arn": read literally,
# no principal has that ARN and the Deny would never apply. A value no principal could have
# stays undecided in a Deny; a literal ARN or account is read as it is, and an Allow as before.
test_a_deny_on_principal_keys_with_values_no_principal_has_stays_undecided if {
	model := cloudformation.roles.Role with input as _trusting([
		_allow({"AWS": _appliance}, {}),
		_deny_all("*", _equals({
			"aws:PrincipalArn": ["blocked-role-arn", "arn:aws:iam::222222222222:role/Other"],
			"aws:PrincipalAccount": "shared-account-id",
			"aws:PrincipalType": "AssumedRole",
			"AWS:PrincipalIsAWSService": "imported-flag",
		})),
		_allow({"AWS": _appliance}, _equals({"aws:PrincipalAccount": "shared-account-id"})),
	])
	model.trust_policy.Statement[1].Condition == {"StringEquals": {
		"aws:PrincipalArn": ["${Fn::ImportValue}", "arn:aws:iam::222222222222:role/Other"],
		"aws:PrincipalAccount": "${Fn::ImportValue}",
		"aws:PrincipalType": "AssumedRole",
		"AWS:PrincipalIsAWSService": "${Fn::ImportValue}",
	}}
	model.trust_policy.Statement[2].Condition == {"StringEquals": {"aws:PrincipalAccount": "shared-account-id"}}
}

_equals(pairs) := {"Condition": {"StringEquals": pairs}}

# In an Allow, a negated operator holds on a value no principal has: `StringNotEquals:
# {aws:PrincipalAccount: !Sub ['${A}', {A: !ImportValue blocked}]}` (arriving as "blocked"), an
# !Join with such a piece, or the bare import read literally would let the appliance in when the
# import holds its account. Its values are read as a Deny's are; a positive operator's as before.
test_an_allow_with_a_negated_operator_reads_its_values_as_a_deny_does if {
	negated := {
		"aws:PrincipalAccount": ["${A}", {"A": "blocked"}],
		"aws:PrincipalArn": ["", ["arn:aws:iam::", "blocked", ":*"]],
		"aws:PrincipalType": "excluded-type",
	}
	model := cloudformation.roles.Role with input as _trusting([_allow({"AWS": _appliance}, {"Condition": {
		"StringNotLike": negated,
		"ForAnyValue:StringNotEquals": {"aws:PrincipalArn": [["", ["arn:aws:iam::", "blocked", ":root"]]]},
		"StringEquals": negated,
	}})])
	_summary(model) == {"unknowns": [], "trust": [_allow({"AWS": _appliance}, {"Condition": {
		"StringNotLike": {
			"aws:PrincipalAccount": "${Fn::Sub}",
			"aws:PrincipalArn": "${Fn::Join}",
			"aws:PrincipalType": "${Fn::ImportValue}",
		},
		"ForAnyValue:StringNotEquals": {"aws:PrincipalArn": ["${Fn::Join}"]},
		"StringEquals": {
			"aws:PrincipalAccount": "blocked",
			"aws:PrincipalArn": "arn:aws:iam::blocked:*",
			"aws:PrincipalType": "excluded-type",
		},
	}})]}
}

# A Null condition's value says whether the key is present: "true" is no principal value to
# doubt, and the Deny is decided as written.
test_a_null_condition_on_a_principal_key_is_read_as_written if {
	deny := _deny_all("*", {"Condition": {"Null": {"aws:PrincipalArn": "true"}}})
	model := cloudformation.roles.Role with input as _trusting([_allow({"AWS": _appliance}, {}), deny])
	model.trust_policy.Statement[1].Condition == {"Null": {"aws:PrincipalArn": "true"}}
}

# `'Null': {aws:PrincipalArn: !ImportValue flag}` arrives as "flag": read literally, the Deny
# never applies, though the import may hold "false" (or, for aws:username, which a role never
# has, "true"). In a Deny a Null value other than "true" or "false" stays undecided, pieced
# values too; in an Allow (where reading it literally grants less) it is read as written.
test_a_deny_null_condition_with_a_value_other_than_true_or_false_stays_undecided if {
	model := cloudformation.roles.Role with input as _trusting([
		_allow({"AWS": _appliance}, {"Condition": {"Null": {"aws:PrincipalArn": "flag"}}}),
		_deny_all("*", {"Condition": {"Null": {
			"aws:PrincipalArn": "flag",
			"aws:username": ["TRUE", "imported-flag"],
			"aws:PrincipalType": ["${F}", {"F": "false"}],
			"aws:PrincipalAccount": false,
		}}}),
	])
	model.trust_policy.Statement[0].Condition == {"Null": {"aws:PrincipalArn": "flag"}}
	model.trust_policy.Statement[1].Condition == {"Null": {
		"aws:PrincipalArn": "${Fn::ImportValue}",
		"aws:username": ["TRUE", "${Fn::ImportValue}"],
		"aws:PrincipalType": "${Fn::Sub}",
		"aws:PrincipalAccount": false,
	}}
}

# IAM's grammar and the engine take `ForAnyValue:Null` and `ForAllValues:Null` as Null: in a
# Deny, `{aws:username: !ImportValue flag}` under either arrived as "flag", and read literally
# the Deny never applied, though the import may hold "true" (a role never has aws:username).
test_a_deny_null_condition_with_a_set_prefix_is_read_as_null if {
	every op in ["ForAnyValue:Null", "ForAllValues:Null"] {
		deny := _deny_all("*", {"Condition": {op: {"aws:username": ["flag", "true"]}}})
		model := cloudformation.roles.Role with input as _trusting([_allow({"AWS": _appliance}, {}), deny])
		model.trust_policy.Statement[1].Condition == {op: {"aws:username": ["${Fn::ImportValue}", "true"]}}
	}
}

# conftest hands `aws:PrincipalAccount: 111111111111` (unquoted YAML) over as a float, which the
# engine compared as "1.11111111111e+11": the Deny never applied. A whole number is its digits;
# read strictly, a principal key's number that is no twelve-digit account id (`012345678901`
# arrives as 12345678901, which CloudFormation keeps as written) stays undecided.
test_a_number_in_a_condition_is_read_as_its_digits if {
	model := cloudformation.roles.Role with input as _trusting([
		_allow({"AWS": _appliance}, _equals({"aws:PrincipalAccount": 1.11111111111e+11, "sts:ExternalId": 42})),
		_deny_all("*", _equals({
			"aws:PrincipalAccount": [1.11111111111e+11, 12345678901],
			"aws:PrincipalTag/level": 3,
			"aws:username": 7,
		})),
	])
	model.trust_policy.Statement[0].Condition == {"StringEquals": {"aws:PrincipalAccount": "111111111111", "sts:ExternalId": "42"}}
	model.trust_policy.Statement[1].Condition == {"StringEquals": {
		"aws:PrincipalAccount": ["111111111111", "${Number}"],
		"aws:PrincipalTag/level": "${Number}",
		"aws:username": "7",
	}}
}

# `0123456789012`, `1.23456789012e+11` and `123456789012.0` arrive as the twelve digits of an
# account id, which CloudFormation does not pass on: read as those digits, a trust Deny under
# StringNotEquals would never apply to the appliance's account, and an Allow under StringEquals
# would let it in. Of the appliance's account, the digits are read only where any other text
# takes away: a Deny's positive operator, an Allow's negated one. Another account is its digits.
test_an_account_number_is_its_digits_only_where_they_take_away if {
	statements := [
		_deny_all("*", {"Condition": {"StringNotEquals": {"aws:PrincipalAccount": 1.11111111111e+11}}}),
		_allow("*", {"Condition": {"StringEqualsIgnoreCase": {"aws:PrincipalAccount": [1.11111111111e+11]}}}),
		_deny_all("*", {"Condition": {"StringEquals": {"aws:PrincipalAccount": 1.11111111111e+11}}}),
		_allow("*", {"Condition": {"ForAnyValue:StringNotLike": {"aws:PrincipalAccount": [1.11111111111e+11]}}}),
		_deny_all("*", {"Condition": {"StringNotEquals": {"aws:PrincipalAccount": 2.22222222222e+11}}}),
		_allow("*", {"Condition": {"StringEquals": {"aws:PrincipalAccount": 2.22222222222e+11}}}),
		_allow("*", {"Condition": {"StringEquals": {"aws:PrincipalAccount": 12345}}}),
	]
	conditions := [
		{"StringNotEquals": {"aws:PrincipalAccount": "${Number}"}},
		{"StringEqualsIgnoreCase": {"aws:PrincipalAccount": ["${Number}"]}},
		{"StringEquals": {"aws:PrincipalAccount": "111111111111"}},
		{"ForAnyValue:StringNotLike": {"aws:PrincipalAccount": ["111111111111"]}},
		{"StringNotEquals": {"aws:PrincipalAccount": "222222222222"}},
		{"StringEquals": {"aws:PrincipalAccount": "222222222222"}},
		{"StringEquals": {"aws:PrincipalAccount": "12345"}},
	]
	every config in [
		{"appliance": {"principal": "arn:aws:iam::111111111111:role/Appliance"}},
		{"roles": {"Role": {"appliance": {"principal": "111111111111"}}}},
	] {
		model := cloudformation.roles.Role with input as _trusting(statements) with data.vbaws_config as config
		[s.Condition | some s in model.trust_policy.Statement] == conditions
	}

	# An appliance whose account cannot be read could be in any account.
	unread := cloudformation.roles.Role with input as _trusting(statements)
		with data.vbaws_config as {"appliance": {"principal": "Appliance"}}
	unread.trust_policy.Statement[4].Condition == {"StringNotEquals": {"aws:PrincipalAccount": "${Number}"}}
}

# An unquoted account id (`AWS: 111111111111`, or a JSON number) arrives as a float, which the
# engine refused as a principal: the trust was invalid and the role failed. Twelve digits are
# the account id; any other number (`012345678901` arrives as 12345678901) names no one in an
# Allow, and leaves a Deny or a NotPrincipal undecided.
test_a_number_in_a_principal_is_an_account_id_of_twelve_digits_only if {
	allow := _allow({"AWS": [1.11111111111e+11, 12345678901]}, {})
	deny := _deny_all({"AWS": 2.22222222222e+11}, {})
	read := cloudformation.roles.Role with input as _trusting([allow, deny])
	_summary(read) == {"unknowns": [], "trust": [
		object.union(allow, {"Principal": {"AWS": ["111111111111", "${Number}"]}}),
		object.union(deny, {"Principal": {"AWS": "222222222222"}}),
	]}
	every statement in [
		_deny_all({"AWS": 12345678901}, {}),
		_deny_all({"AWS": [2.22222222222e+11, -1]}, {}),
		{"Effect": "Deny", "Action": "sts:AssumeRole", "NotPrincipal": {"AWS": 1.5}},
	] {
		_summary(cloudformation.roles.Role) == _unknown_trust with input as _trusting([allow, statement])
	}
}

# The trust check left undecided by an unquoted appliance account id says only which key it
# depends on: a warn says why, and that quoting the id decides it. A number whose digits
# decide (another account's) is not named.
test_an_unquoted_appliance_account_id_is_named if {
	statement := {
		"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"},
		"Condition": {"StringEquals": {"aws:PrincipalAccount": 111111111111}},
	}
	config := {"appliance": {"principal": "arn:aws:iam::111111111111:role/Appliance"}}
	msg := concat("", [
		"Role: the trust policy's condition values of aws:PrincipalAccount are unquoted numbers, ",
		"which other spellings give too (111111111111.0, 1.11111111111e+11), so they are not read; ",
		"write account ids in quotes ('111111111111')",
	])
	msg in cloudformation.warn with input as _trusting([statement]) with data.vbaws_config as config
	other := json.patch(statement, [{"op": "replace", "path": "/Condition/StringEquals/aws:PrincipalAccount", "value": 222222222222}])
	every warning in cloudformation.warn {
		not contains(warning, "unquoted")
	} with input as _trusting([other]) with data.vbaws_config as config
}

# `AWS: !Sub ["arn:aws:iam::${Acct}:role/Appliance", {Acct: 111111111111}]` (unquoted) arrives
# with a number: as the whole account field (or the whole principal) it is the account, since
# any other text YAML reads as that number is no account id, and IAM refuses the principal.
# Elsewhere (a role name, which may be `123.0`), or in a condition, it stays a placeholder.
test_an_unquoted_account_id_variable_of_a_principal_is_the_account if {
	every text, read in {"arn:${AWS::Partition}:iam::${Acct}:role/Appliance": _appliance, "${Acct}": "111111111111"} {
		every principal in [[text, {"Acct": 1.11111111111e+11}], {"Fn::Sub": [text, {"Acct": 111111111111}]}] {
			_summary(cloudformation.roles.Role) == {"unknowns": [], "trust": [_allow({"AWS": read}, {})]} with input as _trusting([_allow({"AWS": principal}, {})])
		}
	}
	every text in ["arn:aws:iam::111111111111:role/${Acct}", "arn:aws:iam::${Acct}:role/${Acct}", "arn:aws:iam::${Acct}0:root"] {
		model := cloudformation.roles.Role with input as _trusting([_allow({"AWS": [text, {"Acct": 111111111111}]}, {})])
		model.trust_policy.Statement[0].Principal.AWS == text
	}
	condition := {"StringEquals": {"aws:PrincipalArn": ["arn:aws:iam::${Acct}:role/Appliance", {"Acct": 111111111111}]}}
	in_condition := cloudformation.roles.Role with input as _trusting([_allow({"AWS": "*"}, {"Condition": condition})])
	in_condition.trust_policy.Statement[0].Condition.StringEquals["aws:PrincipalArn"] == "arn:aws:iam::${Acct}:role/Appliance"
}

# `AWS: !Join ['', ['arn:aws:iam::', 111111111111, ':role/Appliance']]` (unquoted) arrives with
# a number piece: as the whole account field (or the whole principal) a twelve-digit number is
# the account, as in an !Sub. Anywhere else, or any other number, the trust stays unknown; in a
# Deny a short-form !Join stays undecided whatever its pieces.
test_an_unquoted_account_id_piece_of_a_principal_join_is_the_account if {
	every pair in [
		[["", ["arn:aws:iam::", 111111111111, ":role/Appliance"]], _appliance],
		[[":", ["arn", "AWS::Partition", "iam", "", 111111111111, "role/Appliance"]], _appliance],
		[["", [111111111111]], "111111111111"],
		[[["", ["arn:aws:iam::", 111111111111, ":role/Appliance"]]], [_appliance]],
	] {
		_summary(cloudformation.roles.Role) == {"unknowns": [], "trust": [_allow({"AWS": pair[1]}, {})]} with input as _trusting([_allow({"AWS": pair[0]}, {})])
	}
	every pieces in [
		["arn:aws:iam::", 11111111111, ":role/Appliance"],
		["arn:aws:iam::", 111111111111, 1, ":role/Appliance"],
		["arn:aws:iam::1", 11111111111, ":role/Appliance"],
		["arn:aws:iam::111111111111:role/", 111111111111],
	] {
		_summary(cloudformation.roles.Role) == _unknown_trust with input as _trusting([_allow({"AWS": ["", pieces]}, {})])
	}
	denied := _trusting([_allow({"AWS": _appliance}, {}), _deny_all({"AWS": ["", ["arn:aws:iam::", 222222222222, ":root"]]}, {})])
	_summary(cloudformation.roles.Role) == _unknown_trust with input as denied
}
