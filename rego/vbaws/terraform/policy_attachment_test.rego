package vbaws.terraform_test

import data.vbaws.terraform

# aws_iam_policy_attachment whose roles, or whose role's name, are known only after apply.
# Builders are in terraform_test.rego, exclusive_test.rego and aside_test.rego.

_later_warning(address, why) := sprintf(
	concat("", [
		"aws_iam_role.backup: %s may leave %s out (%s), so the apply after this one may remove it ",
		"from this role (see docs/conftest.md)",
	]),
	[address, _full, why],
)

# roles = [module.worker.role_name]: created, it only attaches; whether it lists the role cannot
# be told, and if it does not, the next apply detaches the policy from the role (a real plan
# and apply, Terraform 1.11 and AWS provider 5.100, showed it).
test_policy_attachment_whose_roles_are_unknown_may_take_the_policy_away_later if {
	plan := _plan(
		[_role({}), _full_attachment, _resource("aws_iam_policy_attachment.users", "aws_iam_policy_attachment", {"policy_arn": _full})],
		[_role_change, _change("aws_iam_policy_attachment.users", {"roles": true})],
		[
			_role_config({}),
			_config("aws_iam_policy_attachment.users", "aws_iam_policy_attachment", {"roles": {"references": ["module.worker.role_name", "module.worker"]}}),
		],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	[p.name | some p in model.policies; p.document == json.unmarshal(_doc("*"))] == [_full]
	warnings := terraform.warn with input as plan with data.vbaws_managed_policies as _managed
	_later_warning("aws_iam_policy_attachment.users", "its roles is known only after apply and may name this role") in warnings
}

# The role and aws_iam_role_policy_attachment.full (role = aws_iam_role.backup.name) are
# replaced; the name of the new role is known only after apply. aws_iam_policy_attachment.users,
# under the role's provider, keeps "Worker", which the new role cannot take.
_unnamed_replaced_role(name_expression) := _plan(
	[
		_resource("aws_iam_role.backup", "aws_iam_role", {"assume_role_policy": _trust, "tags": {"vbaws:checks": "ec2_backup"}}),
		_resource("aws_iam_role_policy_attachment.full", "aws_iam_role_policy_attachment", {"policy_arn": _full}),
		_users_attachment(["Worker"]),
	],
	[
		object.union(_with_actions(_change("aws_iam_role.backup", {"name": true}), ["delete", "create"]), {"type": "aws_iam_role", "change": {"before": {"name": "Backup"}}}),
		_with_actions(_change("aws_iam_role_policy_attachment.full", {"role": true}), ["delete", "create"]),
		object.union(_users_attachment_update(["Backup", "Worker"], ["Worker"]), {"type": "aws_iam_policy_attachment"}),
	],
	[
		_role_config(name_expression),
		_config("aws_iam_role_policy_attachment.full", "aws_iam_role_policy_attachment", {"role": {"references": ["aws_iam_role.backup.name", "aws_iam_role.backup"]}}),
		_config("aws_iam_policy_attachment.users", "aws_iam_policy_attachment", {"roles": {"constant_value": ["Worker"]}}),
	],
)

# The role is replaced under a name known only after apply while the attachment's update
# detaches its policy from the old role's name: a name from an expression may be that name
# again, and the update may come after the new role got the policy (a real plan on moto:
# name = terraform_data.name.output, replaced). A name the provider makes up (name_prefix) is
# new: the update detaches nothing from the new role, and the next apply does.
test_policy_attachment_update_and_a_role_named_only_at_apply if {
	expression := _unnamed_replaced_role({"name": {"references": ["terraform_data.name.output", "terraform_data.name"]}})
	model := terraform.roles["aws_iam_role.backup"] with input as expression with data.vbaws_managed_policies as _managed
	model.policies == [{"name": _full, "type": "managed", "document": {"Version": "2012-10-17", "Statement": []}}]
	[u.what | some u in model.unknowns] == [sprintf(
		concat("", [
			"the Allow statements of %s, which aws_iam_policy_attachment.users may remove from this role (it ",
			"detaches its policy from Backup, a role of its old state that this apply deletes, and this role, ",
			"named only at apply, may take that name)",
		]),
		[_full],
	)]

	# An update that still lists the old name does not detach the policy from it.
	listed := json.patch(expression, [{"op": "replace", "path": "/resource_changes/2/change/after/roles", "value": ["Backup", "Worker"]}])
	_keeps_full(terraform.roles["aws_iam_role.backup"]) with input as listed with data.vbaws_managed_policies as _managed

	prefixed := _unnamed_replaced_role({"name_prefix": {"constant_value": "backup-"}})
	kept := terraform.roles["aws_iam_role.backup"] with input as prefixed with data.vbaws_managed_policies as _managed
	_keeps_full(kept)
	warnings := terraform.warn with input as prefixed with data.vbaws_managed_policies as _managed
	sprintf(
		"aws_iam_role.backup: aws_iam_policy_attachment.users leaves %s out, so the apply after this one removes it from this role (see docs/conftest.md)",
		[_full],
	) in warnings
}

# roles = ["backup"] names the role only ignoring case: IAM tells role names apart by no case,
# so it lists the role and never leaves it out; under another provider configuration a
# namesake is another account's role, which it cannot detach this one from. Neither warns of
# the next apply.
test_policy_attachment_naming_the_role_only_maybe_by_name_takes_nothing_later if {
	plan := _plan(
		[_role({}), _full_attachment, _users_attachment(["backup"])],
		[_role_change, _change("aws_iam_policy_attachment.users", {})],
		[_role_config({})],
	)
	warnings := terraform.warn with input as plan with data.vbaws_managed_policies as _managed
	every warning in warnings {
		not contains(warning, "the apply after this one")
	}
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	{"name": _full, "type": "managed", "document": json.unmarshal(_doc("*"))} in model.policies
}

# The role's name comes from an expression known only after apply (name =
# terraform_data.name.output, "Backup"); role = "Backup" and roles = ["Backup"] written out
# attach a Deny to it once it has that name (a real plan and apply on moto, Terraform 1.11 and
# AWS provider 5.100: the plan passed, the role got the Deny). They may name it: the Deny
# counts. A name the provider makes up (name_prefix) is not written out anywhere, and a name
# another role of the plan has is that role's.
test_name_written_out_may_be_the_name_a_role_takes_at_apply if {
	by_name := {"name": {"references": ["terraform_data.name.output", "terraform_data.name"]}}
	every attr, attacher in _kms_deny_attachers {
		model := terraform.roles["aws_iam_role.backup"] with input as _named_at_apply(by_name, attacher, [])
			with data.vbaws_managed_policies as {_kms_deny_arn: {"document": _kms_deny}}
		model.policies == [{"name": _kms_deny_arn, "type": "managed", "document": _kms_deny}]
		model.unknowns == [{"layer": "identity", "what": sprintf(
			"the Allow statements of what %s attaches (its %s, \"Backup\", may be the name this role takes at apply)",
			[_kms_deny_attachers[attr].address, attr],
		)}]
	}

	attacher := _kms_deny_attachers.role
	others := [
		_named_at_apply({"name_prefix": {"constant_value": "Back"}}, attacher, []),
		_named_at_apply(by_name, attacher, [_resource("aws_iam_role.other", "aws_iam_role", {"name": "Backup", "assume_role_policy": _trust})]),
	]
	empty := [[model.policies, model.unknowns] |
		some plan in others
		model := terraform.roles["aws_iam_role.backup"] with input as plan
			with data.vbaws_managed_policies as {_kms_deny_arn: {"document": _kms_deny}}
	]
	empty == [[[], []], [[], []]]
}

_kms_deny_arn := "arn:aws:iam::123456789012:policy/deny"

_kms_deny := {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]}

_kms_deny_attachers := {
	"role": _resource("aws_iam_role_policy_attachment.deny", "aws_iam_role_policy_attachment", {"role": "Backup", "policy_arn": _kms_deny_arn}),
	"roles": _resource("aws_iam_policy_attachment.deny", "aws_iam_policy_attachment", {"roles": ["Backup"], "policy_arn": _kms_deny_arn}),
}

_named_at_apply(name_expression, attacher, others) := _plan(
	array.concat([_role({"name": null}), attacher], others),
	array.concat([_change("aws_iam_role.backup", {"name": true}), _change(attacher.address, {})], [_change(o.address, {}) | some o in others]),
	array.concat([_role_config(name_expression)], [_config(o.address, o.type, {}) | some o in others]),
)

# Under another provider configuration, which may be another account, a role of that name or an
# attacher's state naming it says nothing of the name in the role's account: a real plan and
# apply on moto (two servers as two accounts, Terraform 1.11, AWS provider 5.100) with
# aws_iam_role.other (provider = aws.other, name = "VeeamN") passed, while the role named
# "VeeamN" at apply got the Deny of role = "VeeamN"; so did one with an
# aws_iam_role_policy_attachment of aws.other whose state names "VeeamN". Under the role's
# provider, either one holds the name.
test_name_held_under_another_provider_may_be_taken_at_apply if {
	by_name := {"name": {"references": ["terraform_data.name.output", "terraform_data.name"]}}
	attacher := _kms_deny_attachers.role
	holder := _resource("aws_iam_role.other", "aws_iam_role", {"name": "Backup", "assume_role_policy": _trust})
	old := _resource("aws_iam_role_policy_attachment.old", "aws_iam_role_policy_attachment", {"role": "Backup", "policy_arn": _kms_deny_arn})
	plans := [json.patch(_named_at_apply(by_name, attacher, [holder]), []), json.patch(_named_at_apply(by_name, attacher, [old]), [
		{"op": "add", "path": "/resource_changes/2/change/before", "value": {"role": "Backup", "policy_arn": _kms_deny_arn}},
		{"op": "replace", "path": "/resource_changes/2/change/actions", "value": ["no-op"]},
		{"op": "add", "path": "/resource_changes/2/type", "value": "aws_iam_role_policy_attachment"},
	])]
	deny := {"name": _kms_deny_arn, "type": "managed", "document": _kms_deny}
	every plan in plans {
		same := terraform.roles["aws_iam_role.backup"] with input as plan
			with data.vbaws_managed_policies as {_kms_deny_arn: {"document": _kms_deny}}
		same.policies == []
		other := terraform.roles["aws_iam_role.backup"] with input as _under_provider(plan, 1, "aws.other")
			with data.vbaws_managed_policies as {_kms_deny_arn: {"document": _kms_deny}}
		deny in other.policies
	}
}

_under_provider(plan, i, key) := json.patch(plan, [{
	"op": "add",
	"path": sprintf("/configuration/root_module/resources/%d/provider_config_key", [i]),
	"value": key,
}])
