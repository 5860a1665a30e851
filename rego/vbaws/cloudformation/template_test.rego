package vbaws.cloudformation_test

import data.vbaws.cloudformation

# An object with two intrinsic function keys is no call CloudFormation takes: it is read as
# neither (never as both, which made evaluation fail), so it grants nothing and names no role
# for certain.
test_an_object_with_two_intrinsic_keys_is_neither if {
	both := {"Ref": "Role", "Fn::GetAtt": ["Managed", "PolicyArn"]}
	template := _template({
		"Role": _role({"RoleName": "backup", "ManagedPolicyArns": [both]}),
		"Managed": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": _doc("a:A")}},
		"Named": _policy_resource("AWS::IAM::RolePolicy", "RoleName", {"Ref": "Role", "Fn::Sub": "backup"}),
		"Joined": {"Type": "AWS::IAM::Policy", "Properties": {
			"PolicyName": "joined",
			"Roles": [{"Ref": "Role"}],
			"PolicyDocument": {"Statement": [{
				"Effect": "Allow",
				"Action": "a:B",
				"Resource": {"Fn::Join": ["", ["arn:aws:s3:::", "b"]], "Ref": "Bucket"},
			}]},
		}},
	})
	model := cloudformation.roles.Role with input as template
	{p.name: p.document.Statement[0].Resource | some p in model.policies} == {
		"joined": {"Fn::Join": ["", ["arn:aws:s3:::", "b"]], "Ref": "Bucket"},
		"Named (its Deny statements)": "*",
	}
	{u.what | some u in model.unknowns} == {
		`ManagedPolicyArns entry {"Fn::GetAtt":["Managed","PolicyArn"],"Ref":"Role"} is known only at deploy time`,
		`the Allow statements of Named, which may apply to this role (RoleName {"Fn::Sub":"backup","Ref":"Role"} could name it at deploy time)`,
	}
}
