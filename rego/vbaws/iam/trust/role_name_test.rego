package vbaws.iam.trust_test

import data.vbaws.iam.trust

# A role name is unique in its account whatever its path or case: a Deny naming the
# appliance's role so keeps it out (the appliance's ARN was given with the wrong path, or
# the Principal names a role that cannot exist and IAM refuses the policy).
test_a_deny_naming_the_appliance_role_under_another_path_or_case if {
	every denied in [
		"arn:aws:iam::111111111111:role/ops/Impersonation",
		"arn:aws:iam::111111111111:role/IMPERSONATION",
	] {
		statements := [
			_allow({"AWS": "*"}),
			{"Effect": "Deny", "Principal": {"AWS": denied}, "Action": "sts:AssumeRole"},
		]
		every appliance in [_appliance, "arn:aws:sts::111111111111:assumed-role/Impersonation/i-0abc"] {
			result := trust.assess(_trust(statements), appliance, _role)
			result.appliance_can_assume == false
			result.findings[0].id == "VBAWS-TRUST"
			endswith(result.findings[0].message, "(denied by statement 2)")
		}
	}
}

# An Allow so written names the appliance's role too (IAM refuses a Principal naming a role
# that does not exist, and no other role of the account can have that name).
test_an_allow_naming_the_appliance_role_under_another_path_or_case if {
	every allowed in [
		"arn:aws:iam::111111111111:role/ops/Impersonation",
		"arn:aws:iam::111111111111:role/IMPERSONATION",
	] {
		every appliance in [_appliance, "arn:aws:sts::111111111111:assumed-role/Impersonation/i-0abc"] {
			result := trust.assess(_trust([_allow({"AWS": allowed})]), appliance, _role)
			result.appliance_can_assume
			[f.id | some f in result.findings] == ["VBAWS-TRUST-CROSS-ACCOUNT"]
		}
		trust.assess(
			_trust([_allow({"AWS": allowed})]),
			"arn:aws:iam::123456789012:role/ops/Impersonation",
			"arn:aws:iam::111111111111:role/Backup",
		).appliance_can_assume == false
	}

	# The appliance given with its path, the trust naming the role without it.
	trust.assess(
		_trust([_allow({"AWS": _appliance})]),
		"arn:aws:iam::111111111111:role/ops/Impersonation",
		_role,
	).appliance_can_assume

	# Another name, another account, or a user of that name is not the appliance's role.
	every other in [
		"arn:aws:iam::111111111111:role/ops/Impersonation2",
		"arn:aws:iam::222222222222:role/ops/Impersonation",
		"arn:aws:iam::111111111111:user/Impersonation",
	] {
		not trust.assess(_trust([_allow({"AWS": other})]), _appliance, _role).appliance_can_assume
	}
}

# A Deny naming a session of the appliance's role, its name in other case, may be aimed at
# the appliance's own session: it is said.
test_a_deny_naming_a_session_of_the_appliance_role_in_other_case if {
	result := trust.assess(
		_trust([
			_allow({"AWS": _appliance}),
			{"Effect": "Deny", "Principal": {"AWS": "arn:aws:sts::111111111111:assumed-role/IMPERSONATION/i-0def"}, "Action": "sts:AssumeRole"},
		]),
		_appliance,
		_role,
	)
	result.appliance_can_assume
	"VBAWS-TRUST-NAMED-DENY" in {f.id | some f in result.findings}
}

# Named under another path, the appliance's ARN as given may lack the path IAM knows it by: a
# condition on aws:PrincipalArn is then not decided from it (read literally, this Deny would
# not apply, and the appliance would be let in).
test_the_principal_arn_is_in_doubt_when_the_trust_names_the_role_otherwise if {
	statements := [
		_allow({"AWS": "arn:aws:iam::111111111111:role/ops/Impersonation"}),
		{
			"Effect": "Deny",
			"Principal": "*",
			"Action": "sts:AssumeRole",
			"Condition": {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/ops/Impersonation"}},
		},
	]
	result := trust.assess(_trust(statements), _appliance, _role)
	result.conditions == ["aws:PrincipalArn"]
	"VBAWS-TRUST-CONDITIONS" in {f.id | some f in result.findings}

	# Named by the ARN given, aws:PrincipalArn is that ARN.
	trust.assess(
		_trust([_allow({"AWS": _appliance}), object.union(statements[1], {"Condition": {"ArnEquals": {"aws:PrincipalArn": _appliance}}})]),
		_appliance,
		_role,
	).appliance_can_assume == false
}
