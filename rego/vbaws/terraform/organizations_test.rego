package vbaws.terraform_test

import data.vbaws.terraform

# Service and resource control policies of the plan. Builders are in terraform_test.rego; the
# changes are shaped as in a real plan (Terraform 1.11, AWS provider 5.100).

_org_change(address, actions, before, after) := {
	"address": address,
	"mode": "managed",
	"type": split(address, ".")[0],
	"change": {"actions": actions, "before": before, "after": after, "after_unknown": {"id": true}},
}

_scp_policy(type) := _org_change("aws_organizations_policy.p", ["create"], null, {"name": "p", "type": type, "content": _doc("*")})

_scp_attachment := _org_change("aws_organizations_policy_attachment.a", ["create"], null, {"target_id": "123456789012"})

_org_plan(changes) := _plan(
	[
		_role({"inline_policy": [{"name": "all", "policy": _doc("*")}]}),
		_resource("aws_organizations_policy.p", "aws_organizations_policy", {}),
		_resource("aws_organizations_policy_attachment.a", "aws_organizations_policy_attachment", {"target_id": "123456789012"}),
	],
	array.concat([_role_change], changes),
	[_role_config({}), _config(
		"aws_organizations_policy_attachment.a",
		"aws_organizations_policy_attachment",
		{"policy_id": {"references": ["aws_organizations_policy.p.id", "aws_organizations_policy.p"]}},
	)],
)

_org_warning(addresses) := sprintf(
	"aws_iam_role.backup: this plan manages service or resource control policies (%s), %s; %s",
	[addresses, "which may deny its actions or keep the appliance out", "the organization layer is not evaluated here (see docs/conftest.md)"],
)

test_service_control_policies_of_the_plan_are_named if {
	warnings := terraform.warn with input as _org_plan([_scp_policy("SERVICE_CONTROL_POLICY"), _scp_attachment])
	warnings == {_org_warning("aws_organizations_policy.p, aws_organizations_policy_attachment.a")}

	rcp := terraform.warn with input as _org_plan([_scp_policy("RESOURCE_CONTROL_POLICY"), _scp_attachment])
	rcp == warnings

	# An attachment the plan deletes may have been the one that allowed the role's actions.
	deleted := _org_change("aws_organizations_policy_attachment.full", ["delete"], {"policy_id": "p-FullAWSAccess", "target_id": "123456789012"}, null)
	terraform.warn == {_org_warning("aws_organizations_policy_attachment.full")} with input as _plan(
		[_role({"inline_policy": [{"name": "all", "policy": _doc("*")}]})],
		[_role_change, deleted],
		[_role_config({})],
	)
}

test_other_organization_policies_are_not_named if {
	terraform.warn == set() with input as _org_plan([_scp_policy("TAG_POLICY"), _scp_attachment])
}

# Cloud Control creates the same policies, attached to their targets.
test_cloud_control_organization_policies_are_named if {
	awscc := _org_change("awscc_organizations_policy.p", ["create"], null, {"type": "SERVICE_CONTROL_POLICY", "content": _doc("*")})
	terraform.warn == {_org_warning("awscc_organizations_policy.p")} with input as _account_plan(awscc)
	state := json.marshal({"Name": "p", "Type": "SERVICE_CONTROL_POLICY", "Content": _doc("*"), "TargetIds": ["r-abcd"]})
	control := _cloud_control(state)
	terraform.warn == {_org_warning("aws_cloudcontrolapi_resource.p")} with input as _account_plan(control)
	tag := _cloud_control(json.marshal({"Name": "p", "Type": "TAG_POLICY", "Content": "{}", "TargetIds": ["r-abcd"]}))
	terraform.warn == set() with input as _account_plan(tag)
}

_cloud_control(state) := _org_change(
	"aws_cloudcontrolapi_resource.p", ["create"], null,
	{"type_name": "AWS::Organizations::Policy", "desired_state": state},
)

# An account moved to an organizational unit comes under the policies attached there, which
# the plan need not hold; one left where it is, or created, moves nothing a role is in.
_account_change(actions, before, after, unknown) := {
	"address": "aws_organizations_account.member",
	"mode": "managed",
	"type": "aws_organizations_account",
	"change": {"actions": actions, "before": before, "after": after, "after_unknown": unknown},
}

_account_plan(change) := _plan(
	[_role({"inline_policy": [{"name": "all", "policy": _doc("*")}]})],
	[_role_change, change], [_role_config({})],
)

_moved_warning := concat("", [
	"aws_iam_role.backup: this plan moves or creates accounts in the organization ",
	"(aws_organizations_account.member), whose parents' service or resource control policies may deny its ",
	"actions or keep the appliance out; the organization layer is not evaluated here (see docs/conftest.md)",
])

test_an_account_moved_to_another_parent_is_named if {
	root := {"name": "m", "parent_id": "r-g19r"}
	moved := _account_change(["update"], root, {"name": "m", "parent_id": "ou-g19r-restricted"}, {})
	terraform.warn == {_moved_warning} with input as _account_plan(moved)
	unknown := _account_change(["update"], root, {"name": "m"}, {"parent_id": true})
	terraform.warn == {_moved_warning} with input as _account_plan(unknown)
}

test_an_account_left_under_its_parent_or_created_is_not_named if {
	root := {"name": "m", "parent_id": "r-g19r"}
	renamed := _account_change(["update"], root, {"name": "n", "parent_id": "r-g19r"}, {})
	created := _account_change(["create"], null, {"name": "n", "parent_id": "ou-g19r-restricted"}, {"id": true})
	every change in [renamed, created] {
		terraform.warn == set() with input as _account_plan(change)
	}
}

# A provider configuration that assumes a role in an account the plan creates makes this plan's
# roles there, under the policies of the account's parent.
test_an_account_created_for_a_provider_configuration_is_named if {
	created := _account_change(["create"], null, {"name": "n", "parent_id": "ou-g19r-restricted"}, {"id": true})
	provider := {"aws.member": {"name": "aws", "alias": "member", "expressions": {"assume_role": [{"role_arn": {"references": [
		"aws_organizations_account.member.id", "aws_organizations_account.member",
	]}}]}}}
	plan := json.patch(_account_plan(created), [{"op": "add", "path": "/configuration/provider_config", "value": provider}])
	terraform.warn == {_moved_warning} with input as plan

	other := json.patch(plan, [{"op": "replace", "path": "/configuration/provider_config/aws.member/expressions/assume_role/0/role_arn/references", "value": ["var.account"]}])
	terraform.warn == set() with input as other
}

# The plan holds no expression of a local value or a module's output, nor what a module's call
# gives the variables of its own block: assume_role through one of them may be into the new
# account (a real plan through a local made the role there). A region or tags choose no account.
_created_account_plan(key, arguments) := json.patch(
	_account_plan(_account_change(["create"], null, {"name": "n", "parent_id": "ou-g19r-restricted"}, {"id": true})),
	[{"op": "add", "path": "/configuration/provider_config", "value": {key: {"name": "aws", "expressions": arguments}}}],
)

_assume_role(refs) := {"assume_role": [{"role_arn": {"references": refs}}]}

test_an_account_created_may_be_named_through_a_local_or_a_module if {
	every plan in [
		_created_account_plan("aws.member", _assume_role(["local.member_role"])),
		_created_account_plan("aws.member", _assume_role(["module.account.role_arn", "module.account"])),
		_created_account_plan("module.baseline:aws", _assume_role(["var.account_id"])),
	] {
		terraform.warn == {_moved_warning} with input as plan
	}
	every plan in [
		_created_account_plan("aws.member", {"region": {"references": ["local.region"]}}),
		_created_account_plan("aws.member", {"default_tags": [{"tags": {"references": ["local.tags"]}}]}),
		_created_account_plan("aws.member", _assume_role(["var.account_id"])),
	] {
		terraform.warn == set() with input as plan
	}
}
