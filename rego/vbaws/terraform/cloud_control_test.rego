package vbaws.terraform_test

import data.vbaws.terraform

# Roles made through Cloud Control are not read: one that asks for the checks is named.
_cc_change(address, after, unknown) := {
	"address": address,
	"mode": "managed",
	"type": split(address, ".")[0],
	"change": {"actions": ["create"], "before": null, "after": after, "after_unknown": unknown},
}

_cc_plan(change) := _plan([_role({"inline_policy": [{"name": "all", "policy": _doc("*")}]})], [_role_change, change], [_role_config({})])

_cc_warning(address) := sprintf(
	"%s: this role is made through Cloud Control, which is not read here: it asks for vbaws:checks, or may, and is not checked; %s",
	[address, "define it as an aws_iam_role (see docs/conftest.md)"],
)

_cc_state(tags) := json.marshal({"RoleName": "VeeamCc", "AssumeRolePolicyDocument": _trust, "Tags": tags})

test_a_cloud_control_role_that_asks_for_the_checks_is_named if {
	tag := [{"key": "vbaws:checks", "value": "ec2_backup"}]
	awscc := _cc_change("awscc_iam_role.veeam", {"role_name": "VeeamCc", "tags": tag}, {"arn": true})
	terraform.warn == {_cc_warning("awscc_iam_role.veeam")} with input as _cc_plan(awscc)

	unknown_tags := _cc_change("awscc_iam_role.veeam", {"role_name": "VeeamCc"}, {"tags": [{"value": true}]})
	terraform.warn == {_cc_warning("awscc_iam_role.veeam")} with input as _cc_plan(unknown_tags)

	untagged := _cc_change("awscc_iam_role.veeam", {"role_name": "VeeamCc", "tags": []}, {})
	terraform.warn == {_cc_warning("awscc_iam_role.veeam")} with input as _cc_plan(untagged)
		with data.vbaws_config.roles as {"VeeamCc": {}}

	state := _cc_state([{"Key": "vbaws:checks", "Value": "ec2_backup"}])
	control := _cc_change("aws_cloudcontrolapi_resource.veeam", {"type_name": "AWS::IAM::Role", "desired_state": state}, {})
	terraform.warn == {_cc_warning("aws_cloudcontrolapi_resource.veeam")} with input as _cc_plan(control)

	later := _cc_change("aws_cloudcontrolapi_resource.veeam", {"type_name": "AWS::IAM::Role"}, {"desired_state": true})
	terraform.warn == {_cc_warning("aws_cloudcontrolapi_resource.veeam")} with input as _cc_plan(later)
}

test_a_cloud_control_role_that_asks_for_nothing_is_not_named if {
	untagged := _cc_change("awscc_iam_role.web", {"role_name": "Web", "tags": [{"key": "team", "value": "web"}]}, {})
	bucket := _cc_change("aws_cloudcontrolapi_resource.b", {"type_name": "AWS::S3::Bucket"}, {"desired_state": true})
	every change in [untagged, bucket] {
		terraform.warn == set() with input as _cc_plan(change)
	}
}
