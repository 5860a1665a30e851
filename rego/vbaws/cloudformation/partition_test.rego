package vbaws.cloudformation_test

import data.vbaws.cloudformation

_gov_role := "arn:aws-us-gov:iam::111111111111:role/Appliance"

_partition_principals := [
	{"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::111111111111:role/Appliance"}},
	{"AWS": ["", ["arn:", "AWS::Partition", ":iam::111111111111:role/Appliance"]]},
	{"AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::111111111111:role/Appliance"]]}},
]

# A role is assumed only from its own partition: ${AWS::Partition} is read as the partition of
# the appliance, so a GovCloud trust written with it names the GovCloud appliance.
test_the_stack_partition_is_the_appliance_partition if {
	every principal in _partition_principals {
		every config in [
			{"appliance": {"principal": _gov_role}},
			{"roles": {"Role": {"appliance": {"principal": _gov_role}}}},
		] {
			model := cloudformation.roles.Role with input as _trusting([_allow(principal, {})])
				with data.vbaws_config as config
			model.trust_policy.Statement[0].Principal.AWS in {_gov_role, [_gov_role]}
		}
	}
}

# Without one appliance partition to go by, it is "aws".
test_the_stack_partition_without_one_appliance_partition if {
	every principal in _partition_principals {
		every config in [
			{},
			{"appliance": {"principal": "111111111111"}},
			{
				"appliance": {"principal": _gov_role},
				"roles": {"Role": {"appliance": {"principal": "arn:aws-cn:iam::111111111111:role/Appliance"}}},
			},
		] {
			model := cloudformation.roles.Role with input as _trusting([_allow(principal, {})])
				with data.vbaws_config as config
			model.trust_policy.Statement[0].Principal.AWS in {_appliance, [_appliance]}
		}
	}
}
