package vbaws.iam.trust_test

import data.vbaws.iam.trust

_gov_appliance := "arn:aws-us-gov:iam::111111111111:role/Impersonation"

# AssumeRole does not cross partitions: an appliance in GovCloud cannot assume a role in the
# aws partition, whatever the trust names.
test_the_appliance_cannot_assume_a_role_of_another_partition if {
	every principal in ["*", {"AWS": "*"}, {"AWS": "111111111111"}, {"AWS": _gov_appliance}] {
		result := trust.assess(_trust([_allow(principal)]), _gov_appliance, _role)
		result.appliance_can_assume == false
		result.findings == [{
			"id": "VBAWS-TRUST",
			"severity": "error",
			"message": concat("", [
				"the trust policy does not let arn:aws-us-gov:iam::111111111111:role/Impersonation call ",
				"sts:AssumeRole on this role (the appliance is in partition aws-us-gov, the role in ",
				"partition aws: sts:AssumeRole does not cross partitions)",
			]),
		}]
	}
}

# An ARN in a Principal names a principal of its own partition: the same account number in
# another partition is another account.
test_a_principal_of_another_partition_does_not_name_the_appliance if {
	every principal in [
		"arn:aws-cn:iam::111111111111:root",
		"arn:aws-us-gov:iam::111111111111:role/Impersonation",
	] {
		not trust.assess(_trust([_allow({"AWS": principal})]), _appliance, _role).appliance_can_assume
		not trust.assess(_trust([_allow({"AWS": principal})]), "111111111111", _role).appliance_can_assume
		not trust.assess(
			_trust([_allow({"AWS": principal})]),
			"arn:aws:sts::111111111111:assumed-role/Impersonation/i-0abc",
			_role,
		).appliance_can_assume
	}
}

# Given as an account id, the appliance is in the role's partition.
test_an_account_appliance_is_in_the_role_partition if {
	cn_role := "arn:aws-cn:iam::123456789012:role/Backup"
	trust.assess(_trust([_allow({"AWS": "arn:aws-cn:iam::111111111111:root"})]), "111111111111", cn_role).appliance_can_assume
	not trust.assess(_trust([_allow({"AWS": "arn:aws:iam::111111111111:root"})]), "111111111111", cn_role).appliance_can_assume
	trust.assess(_trust([_allow({"AWS": "111111111111"})]), "111111111111", cn_role).appliance_can_assume
}

# A Deny naming a principal or session in another partition is not aimed at the appliance.
test_a_deny_in_another_partition_is_not_said_to_name_the_appliance if {
	statements := [
		_allow({"AWS": "*"}),
		{
			"Effect": "Deny", "Principal": {"AWS": [
				"arn:aws-cn:iam::111111111111:role/Other",
				"arn:aws-cn:sts::111111111111:assumed-role/Impersonation/i-0def",
			]},
			"Action": "sts:AssumeRole",
		},
	]
	every principal in ["111111111111", _appliance] {
		result := trust.assess(_trust(statements), principal, _role)
		result.appliance_can_assume
		every f in result.findings {
			f.id != "VBAWS-TRUST-NAMED-DENY"
		}
	}
}
