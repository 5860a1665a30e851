package vbaws.cloudformation_test

import data.vbaws.cloudformation

_deny_tags := {"Statement": [{"Effect": "Deny", "Action": "ec2:CreateTags", "Resource": "*"}]}

# A template whose Guard policy resource has the Properties given.
_guard_properties(properties) := object.union(
	_template({
		"Role": _role({"Policies": [{"PolicyName": "p", "PolicyDocument": _doc("ec2:CreateTags")}]}),
		"Guard": {"Type": "AWS::IAM::Policy", "Properties": properties},
	}),
	{"Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}, "IsTest": {"Fn::Equals": ["a", "c"]}}},
)

# `Properties: !If [IsProd, {...}, {...}]` (valid CloudFormation) arrives as the list of the
# condition's name and both branches, Fn::If as an object: neither names a role, yet either
# branch may put its Deny into the role. Each property is chosen by the !If.
test_properties_chosen_by_an_if if {
	deny := {"PolicyName": "guard", "Roles": ["Role"], "PolicyDocument": _deny_tags}
	allow := {"PolicyName": "guard", "Roles": ["Role"], "PolicyDocument": _doc("s3:GetObject")}
	unknown := ["the document of Guard is computed by an intrinsic function at deploy time"]
	every properties in [
		["IsProd", deny, allow],
		{"Fn::If": ["IsProd", deny, allow]},
		["IsProd", deny, "AWS::NoValue"],
	] {
		template := _guard_properties(properties)
		[u.what | some u in cloudformation.roles.Role.unknowns] == unknown with input as template
		cloudformation.deny == set() with input as template with data.vbaws.requirements as _requirements
	}

	# A nested !If could give any property any value: a PolicyName too, which may replace the
	# role's own policy "p".
	nested := _guard_properties({"Fn::If": ["IsProd", allow, {"Fn::If": ["IsTest", deny, {"Ref": "AWS::NoValue"}]}]})
	{u.what | some u in cloudformation.roles.Role.unknowns} == {
		unknown[0],
		"the Allow statements of inline policy \"p\" of Policies[0] (Guard, Policies[0] put inline policies into this role whose names could be the same at deploy time; which one stays cannot be told)",
	} with input as nested
}

# A role whose properties are chosen so has its tags chosen at deploy time.
test_role_properties_chosen_by_an_if if {
	template := object.union(
		_template({"Role": {"Type": "AWS::IAM::Role", "Properties": ["IsProd", _role({}).Properties, "AWS::NoValue"]}}),
		{"Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}}},
	)
	some msg in cloudformation.warn with input as template
	startswith(msg, "Role: its tags are known only at deploy time")
}

# Properties that both branches give alike are read as they are.
test_properties_both_branches_give_alike if {
	properties := _role({"Policies": [{"PolicyName": "p", "PolicyDocument": _doc("ec2:CreateTags")}]}).Properties
	template := object.union(
		_template({"Role": {"Type": "AWS::IAM::Role", "Properties": ["IsProd", properties, object.union(properties, {"Path": "/x/"})]}}),
		{"Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}}},
	)
	cloudformation.deny == set() with input as template with data.vbaws.requirements as _requirements
	cloudformation.warn == set() with input as template with data.vbaws.requirements as _requirements
}
