package vbaws.terraform_test

import data.vbaws.terraform

# A role the plan creates is in the partition of its provider configuration's region, which
# the appliance of another partition cannot assume it from.
_pt_plan(region_key, regions) := object.union(
	_plan(
		[_role({"inline_policy": [{"name": "all", "policy": _doc("*")}]})],
		[_role_change],
		[object.union(_role_config({}), {"provider_config_key": region_key})],
	),
	{"configuration": {"provider_config": {key: config |
		some key, region in regions
		config := {"name": "aws", "expressions": {"region": {"constant_value": region}}}
	}}},
)

_pt_deny(region, partition) := sprintf(
	concat("", [
		"aws_iam_role.backup: the trust policy does not let arn:aws:iam::111111111111:role/Appliance ",
		"call sts:AssumeRole on this role (the appliance is in partition aws, the role, created in ",
		"region %s, in partition %s: sts:AssumeRole does not cross partitions)",
	]),
	[region, partition],
)

test_a_role_created_in_another_partition_than_the_appliance_is_denied if {
	appliance := "arn:aws:iam::111111111111:role/Appliance"
	terraform.deny == {_pt_deny("us-gov-west-1", "aws-us-gov")} with input as _pt_plan("aws", {"aws": "us-gov-west-1"})
		with data.vbaws_config.appliance.principal as appliance
	terraform.deny == {_pt_deny("cn-north-1", "aws-cn")} with input as _pt_plan("aws.china", {"aws": "us-east-1", "aws.china": "cn-north-1"})
		with data.vbaws_config.appliance.principal as appliance

	# A module's block inherits the root's region when it has no arguments of its own.
	terraform.deny == {_pt_deny("us-gov-east-1", "aws-us-gov")} with input as _pt_plan("module.m:aws", {"aws": "us-gov-east-1"})
		with data.vbaws_config.appliance.principal as appliance
}

test_a_role_created_in_the_appliance_partition_or_an_unknown_one_is_not_denied if {
	terraform.deny == set() with input as _pt_plan("aws", {"aws": "eu-west-1"})
		with data.vbaws_config.appliance.principal as "arn:aws:iam::111111111111:role/Appliance"
	gov := terraform.deny with input as _pt_plan("aws", {"aws": "us-gov-west-1"})
		with data.vbaws_config.appliance.principal as "arn:aws-us-gov:iam::111111111111:role/Appliance"
	every msg in gov {
		not contains(msg, "created in region")
	}

	# An account id is of the role's partition; a region not written out, or of no known shape,
	# tells none.
	account := terraform.deny with input as _pt_plan("aws", {"aws": "us-gov-west-1"})
		with data.vbaws_config.appliance.principal as "111111111111"
	every msg in account {
		not contains(msg, "created in region")
	}
	terraform.deny == set() with input as _pt_plan("aws", {"aws": "xx-mars-1"})
		with data.vbaws_config.appliance.principal as "arn:aws:iam::111111111111:role/Appliance"
	terraform.deny == set() with input as _pt_plan("module.m:aws", {"aws": "us-gov-west-1", "module.m:aws": "us-east-1"})
		with data.vbaws_config.appliance.principal as "arn:aws:iam::111111111111:role/Appliance"
}
