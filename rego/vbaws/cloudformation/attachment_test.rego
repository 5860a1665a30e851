package vbaws.cloudformation_test

import data.vbaws.cloudformation

# A managed policy ARN written out instead of `!Ref Policy` names the template's policy of that
# name: the stack deploys its document, not the older copy of data.vbaws_managed_policies.
_stale_arn := "arn:aws:iam::123456789012:policy/VeeamBackupPolicy"

_stale_data := {_stale_arn: {"name": "VeeamBackupPolicy", "document": _doc("*")}}

_narrowed(name) := {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"ManagedPolicyName": name, "PolicyDocument": _doc("ec2:Describe*")}}

test_an_arn_of_a_managed_policy_of_the_template_has_its_document if {
	template := _template({
		"Role": _role({"ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::123456789012:policy/VeeamBackupPolicy"}]}),
		"Policy": _narrowed("VeeamBackupPolicy"),
	})
	model := cloudformation.roles.Role with input as template with data.vbaws_managed_policies as _stale_data
	[[p.name, p.document] | some p in model.policies] == [["VeeamBackupPolicy", _doc("ec2:Describe*")]]
	model.unknowns == []

	# A policy of another name is not the template's: its document comes from the data.
	other := json.patch(template, [{"op": "replace", "path": "/Resources/Policy/Properties/ManagedPolicyName", "value": "Other"}])
	[p.document | some p in cloudformation.roles.Role.policies] == [_doc("*")] with input as other
		with data.vbaws_managed_policies as _stale_data
}

test_an_arn_that_may_name_a_managed_policy_of_the_template_is_unknown if {
	template := _template({
		"Role": _role({"PermissionsBoundary": _stale_arn}),
		"Policy": _narrowed({"Fn::Sub": "${AWS::StackName}Policy"}),
	})
	model := cloudformation.roles.Role with input as template with data.vbaws_managed_policies as _stale_data
	model.permissions_boundary == {"arn": _stale_arn, "document": {"Version": "2012-10-17", "Statement": []}}
	model.unknowns == [{"layer": "boundary", "what": sprintf(
		"managed policy %s may be Policy of this template, whose name is known only at deploy time",
		[_stale_arn],
	)}]
}
