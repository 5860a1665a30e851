package vbaws.terraform_test

import data.vbaws.terraform

# A role imported at a second address (here a module's, under the inherited provider) while the
# first stays: both write the IAM role, the copy untagged and with another trust and policy.
_namesake_plan(copy_name, copy_provider) := {
	"format_version": "1.2",
	"planned_values": {"root_module": {
		"resources": [_role({"inline_policy": [{"name": "all", "policy": _doc("*")}]})],
		"child_modules": [{"address": "module.copy", "resources": [_resource(
			"module.copy.aws_iam_role.this", "aws_iam_role",
			{"name": copy_name, "assume_role_policy": _trust, "tags": {}, "tags_all": {}},
		)]}],
	}},
	"resource_changes": [],
	"configuration": {"root_module": {
		"resources": [object.union(_role_config({}), {"provider_config_key": "aws"})],
		"module_calls": {"copy": {"module": {"resources": [object.union(
			_config("aws_iam_role.this", "aws_iam_role", {}),
			{"provider_config_key": copy_provider},
		)]}}},
	}},
}

_namesake_warning := concat("", [
	"aws_iam_role.backup: other aws_iam_role resources of this plan (module.copy.aws_iam_role.this) ",
	"manage the IAM role \"Backup\" too, in no set order; its trust policy, tags and policies may be ",
	"theirs after apply (see docs/conftest.md)",
])

test_a_second_role_resource_of_the_same_name_is_warned_about if {
	count(terraform.deny) == 0 with input as _namesake_plan("backup", "module.copy:aws")
	_namesake_warning in terraform.warn with input as _namesake_plan("backup", "module.copy:aws")
}

# Another name, or another provider configuration (which may be another account), is another role.
test_a_role_of_another_name_or_provider_is_another_role if {
	every plan in [_namesake_plan("Worker", "module.copy:aws"), _namesake_plan("Backup", "aws.b")] {
		not _namesake_warning in terraform.warn with input as plan
	}
}

# A policy imported at a second address while the first stays: both make their document the
# default version of one ARN, and the one that sorts first need not be the one applied last.
_policy_copy_plan(arn, copy_document) := _plan(
	[
		_role({}),
		_resource("aws_iam_policy.full", "aws_iam_policy", {"arn": arn, "policy": _doc("*")}),
		_resource("aws_iam_policy.zcopy", "aws_iam_policy", {"arn": arn, "policy": copy_document}),
		_resource("aws_iam_role_policy_attachment.full", "aws_iam_role_policy_attachment", {"role": "Backup", "policy_arn": arn}),
	],
	[_role_change], [_role_config({})],
)

_copied_arn := "arn:aws:iam::123456789012:policy/full"

test_two_policy_resources_of_one_arn_leave_its_document_unknown if {
	model := terraform.roles["aws_iam_role.backup"] with input as _policy_copy_plan(_copied_arn, _doc("ec2:DescribeInstances"))
	model.policies == []
	model.unknowns == [{"layer": "identity", "what": concat("", [
		"the policy document of arn:aws:iam::123456789012:policy/full, which aws_iam_policy.full and ",
		"aws_iam_policy.zcopy write in no set order, is not known before apply",
	])}]

	# A copy whose document is known only after apply may hold anything.
	terraform.roles["aws_iam_role.backup"].policies == [] with input as _policy_copy_plan(_copied_arn, null)
}

# The same document (written another way) is the policy's after apply, whichever comes last.
test_two_policy_resources_of_one_arn_and_one_document_count if {
	same := json.marshal({"Statement": [{"Resource": "*", "Action": "*", "Effect": "Allow"}], "Version": "2012-10-17"})
	model := terraform.roles["aws_iam_role.backup"] with input as _policy_copy_plan(_copied_arn, same)
	model.policies == [{"name": _copied_arn, "type": "managed", "document": _doc("*")}]
}
