package vbaws.terraform_test

import data.vbaws.terraform

# What an attacher gives a role it names, when the role is replaced or removes it. Builders are
# in terraform_test.rego.

_deny_kms := {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]}

_guarded := json.marshal({"Version": "2012-10-17", "Statement": [
	{"Effect": "Allow", "Action": "*", "Resource": "*"},
	{"Effect": "Deny", "Action": "kms:*", "Resource": "*"},
]})

_role_policy(address, name) := _resource(address, "aws_iam_role_policy", {"name": name, "role": "Backup", "policy": _guarded})

_with_actions(change, actions) := object.union(change, {"change": {"actions": actions}})

_replaced_role := _with_actions(_role_change, ["delete", "create"])

_deny_only_policy(name) := {"name": name, "type": "inline", "document": object.union(json.unmarshal(_guarded), {"Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]})}

test_replaced_role_loses_what_the_plan_does_not_attach_again if {
	plan := _plan(
		[_role({}), _role_policy("aws_iam_role_policy.kept", "kept")],
		[_replaced_role, _with_actions(_change("aws_iam_role_policy.kept", {}), ["no-op"])],
		[_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.policies == [_deny_only_policy("kept")]
	model.unknowns == [{"layer": "identity", "what": concat("", [
		"the Allow statements of what aws_iam_role_policy.kept attaches (aws_iam_role.backup is replaced, ",
		"which removes what attaches to it, and this plan does not create aws_iam_role_policy.kept again)",
	])}]
}

test_replaced_role_keeps_what_the_plan_creates_again if {
	plan := _plan(
		[_role({}), _role_policy("aws_iam_role_policy.kept", "kept")],
		[_replaced_role, _with_actions(_change("aws_iam_role_policy.kept", {}), ["delete", "create"])],
		[_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.policies == [{"name": "kept", "type": "inline", "document": _guarded}]
	model.unknowns == []
}

test_replaced_role_keeps_a_policy_attachment_updated_to_add_its_name if {
	# A rename replaces the role; aws_iam_policy_attachment.roles is updated in place from the
	# old name to the new one, and the provider attaches the policy to the names it adds.
	attachment := _resource("aws_iam_policy_attachment.att", "aws_iam_policy_attachment", {"name": "att", "policy_arn": _full, "roles": ["Backup"]})
	update := object.union(_with_actions(_change("aws_iam_policy_attachment.att", {}), ["update"]), {"change": {
		"before": {"roles": ["Old"]},
		"after": {"roles": ["Backup"]},
	}})
	plan := _plan([_role({}), attachment], [_replaced_role, update], [_role_config({})])
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	[p.name | some p in model.policies] == [_full]
	model.unknowns == []
}

test_managed_policy_arns_remove_the_attachments_they_do_not_list if {
	plan := _plan(
		[_role({"managed_policy_arns": []}), _full_attachment],
		[_change("aws_iam_role.backup", {})],
		[_role_config({"managed_policy_arns": {"constant_value": []}})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	model.policies == [{"name": _full, "type": "managed", "document": {"Version": "2012-10-17", "Statement": []}}]
	model.unknowns == [{"layer": "identity", "what": sprintf(
		"the Allow statements of %s, which aws_iam_role.backup.managed_policy_arns removes from this role (it does not list it)",
		[_full],
	)}]
}

test_managed_policy_arns_keep_the_attachments_they_list if {
	plan := _plan(
		[_role({"managed_policy_arns": [_full]}), _full_attachment],
		[_change("aws_iam_role.backup", {})],
		[_role_config({"managed_policy_arns": {"constant_value": [_full]}})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	model.policies == [{"name": _full, "type": "managed", "document": json.unmarshal(_doc("*"))}]
	model.unknowns == []
}

test_configured_inline_policy_removes_the_role_policies_it_does_not_hold if {
	plan := _plan(
		[_role({"inline_policy": []}), _role_policy("aws_iam_role_policy.kept", "kept")],
		[_change("aws_iam_role.backup", {})],
		[_role_config({"inline_policy": []})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.policies == [_deny_only_policy("kept")]
	model.unknowns == [{"layer": "identity", "what": concat("", [
		"the Allow statements of what aws_iam_role_policy.kept attaches (aws_iam_role.backup sets inline_policy, ",
		"which removes the inline policies its blocks do not hold)",
	])}]
}
