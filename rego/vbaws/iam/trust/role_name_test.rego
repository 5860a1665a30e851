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

# An Allow so written is not read as naming the appliance: whether it does is not known.
test_an_allow_naming_the_appliance_role_under_another_path_or_case if {
	every allowed in [
		"arn:aws:iam::111111111111:role/ops/Impersonation",
		"arn:aws:iam::111111111111:role/IMPERSONATION",
	] {
		not trust.assess(_trust([_allow({"AWS": allowed})]), _appliance, _role).appliance_can_assume
	}
}
