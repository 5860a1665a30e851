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

# The change of an attacher the plan deletes, as its old state names the role and the policy.
_deleted(address, type, actions, before) := {
	"address": address,
	"type": type,
	"change": {"actions": actions, "before": before, "after_unknown": {}},
}

_deleted_role_policy(actions) := _deleted("aws_iam_role_policy.old", "aws_iam_role_policy", actions, {"role": "Backup", "name": "kept", "policy": _guarded})

_deleted_role_policy_warning := concat("", [
	"the Allow statements of kept, which aws_iam_role_policy.old removes from this role (this plan deletes it, ",
	"and deleting it deletes the inline policy, whatever else attaches it)",
])

test_a_deleted_role_policy_removes_the_block_of_its_name if {
	# The role is left as it is, so its block is not written again after the delete.
	plan := _plan(
		[_role({"inline_policy": [{"name": "kept", "policy": _guarded}]})],
		[_with_actions(_role_change, ["no-op"]), _deleted_role_policy(["delete"])],
		[_role_config({"inline_policy": [{"name": {"constant_value": "kept"}, "policy": {"constant_value": _guarded}}]})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.policies == [_deny_only_policy("kept")]
	[u.what | some u in model.unknowns] == [_deleted_role_policy_warning]
}

test_a_deleted_role_policy_may_remove_one_created_at_another_address if {
	# The new instance may be created before the old one is deleted.
	created := _role_policy("aws_iam_role_policy.new", "kept")
	plan := _plan([_role({}), created], [_role_change, _change("aws_iam_role_policy.new", {}), _deleted_role_policy(["delete"])], [_role_config({})])
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.policies == [_deny_only_policy("kept")]
	[u.what | some u in model.unknowns] == [_deleted_role_policy_warning]
}

# IAM documents no case rule for inline policy names: deleting "KEPT" may delete "kept", created
# at another address in the same apply. A replacement renaming its own policy in case alone
# deletes the old one before it writes the new one.
test_a_deleted_role_policy_may_remove_one_whose_name_differs_in_case if {
	created := _role_policy("aws_iam_role_policy.new", "kept")
	deleted := _deleted("aws_iam_role_policy.old", "aws_iam_role_policy", ["delete"], {"role": "Backup", "name": "KEPT", "policy": _guarded})
	plan := _plan([_role({}), created], [_role_change, _change("aws_iam_role_policy.new", {}), deleted], [_role_config({})])
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.policies == [_deny_only_policy("kept")]
	count(model.unknowns) == 1

	renamed := object.union(
		_deleted("aws_iam_role_policy.new", "aws_iam_role_policy", ["delete", "create"], {"role": "Backup", "name": "KEPT", "policy": _guarded}),
		{"change": {"after": {"role": "Backup", "name": "kept", "policy": _guarded}}},
	)
	plan_renamed := _plan([_role({}), created], [_role_change, renamed], [_role_config({})])
	kept := terraform.roles["aws_iam_role.backup"] with input as plan_renamed
	kept.policies == [{"name": "kept", "type": "inline", "document": _guarded}]
}

test_a_replacement_deletes_before_it_attaches_again_unless_it_creates_first if {
	created := _role_policy("aws_iam_role_policy.old", "kept")
	destroy_first := _plan(
		[_role({}), created],
		[_role_change, object.union(_deleted_role_policy(["delete", "create"]), {"change": {"after_unknown": {}}})],
		[_role_config({})],
	)
	first := terraform.roles["aws_iam_role.backup"] with input as destroy_first
	first.policies == [{"name": "kept", "type": "inline", "document": _guarded}]

	create_first := object.union(destroy_first, {"resource_changes": [_role_change, _deleted_role_policy(["create", "delete"])]})
	last := terraform.roles["aws_iam_role.backup"] with input as create_first
	last.policies == [_deny_only_policy("kept")]
	[u.what | some u in last.unknowns] == [_deleted_role_policy_warning]
}

test_a_deleted_attachment_detaches_what_managed_policy_arns_lists if {
	plan := _plan(
		[_role({"managed_policy_arns": [_full]})],
		[
			_with_actions(_change("aws_iam_role.backup", {}), ["no-op"]),
			_deleted("aws_iam_role_policy_attachment.old", "aws_iam_role_policy_attachment", ["delete"], {"role": "backup", "policy_arn": _full}),
		],
		[_role_config({"managed_policy_arns": {"constant_value": [_full]}})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	model.policies == [{"name": _full, "type": "managed", "document": {"Version": "2012-10-17", "Statement": []}}]
	[u.what | some u in model.unknowns] == [sprintf(
		concat("", [
			"the Allow statements of %s, which aws_iam_role_policy_attachment.old removes from this role ",
			"(this plan deletes it, and deleting it detaches the policy, whatever else attaches it)",
		]),
		[_full],
	)]
}

test_a_deleted_policy_attachment_detaches_from_the_roles_it_listed if {
	deleted := _deleted("aws_iam_policy_attachment.old", "aws_iam_policy_attachment", ["delete"], {"roles": ["Other", "Backup"], "policy_arn": _full})
	plan := _plan([_role({}), _full_attachment], [_role_change, _change("aws_iam_role_policy_attachment.full", {}), deleted], [_role_config({})])
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	model.policies == [{"name": _full, "type": "managed", "document": {"Version": "2012-10-17", "Statement": []}}]
	[u.what | some u in model.unknowns] == [sprintf(
		concat("", [
			"the Allow statements of %s, which aws_iam_policy_attachment.old removes from this role ",
			"(this plan deletes it, and deleting it detaches the policy, whatever else attaches it)",
		]),
		[_full],
	)]
}

test_a_deleted_attacher_of_another_role_or_policy_removes_nothing if {
	plan := _plan(
		[_role({}), _role_policy("aws_iam_role_policy.new", "kept"), _full_attachment],
		[
			_role_change,
			_deleted("aws_iam_role_policy.a", "aws_iam_role_policy", ["delete"], {"role": "Other", "name": "kept"}),
			_deleted("aws_iam_role_policy.b", "aws_iam_role_policy", ["delete"], {"role": "Backup", "name": "other"}),
			_deleted("aws_iam_role_policy_attachment.c", "aws_iam_role_policy_attachment", ["delete"], {"role": "Backup", "policy_arn": "arn:aws:iam::aws:policy/AWSDenyAll"}),
		],
		[_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	{p.name | some p in model.policies} == {"kept", _full}
	model.unknowns == []
}

# An aws_iam_policy_attachment's name is its own: renaming it (a replacement) attaches the
# same policy again, so the role keeps it.
test_a_renamed_policy_attachment_attaches_its_policy_again if {
	attachment := _resource("aws_iam_policy_attachment.att", "aws_iam_policy_attachment", {"name": "new", "policy_arn": _full, "roles": ["Backup"]})
	renamed := object.union(
		_deleted("aws_iam_policy_attachment.att", "aws_iam_policy_attachment", ["delete", "create"], {"name": "old", "policy_arn": _full, "roles": ["Backup"]}),
		{"change": {"after": {"name": "new", "policy_arn": _full, "roles": ["Backup"]}}},
	)
	plan := _plan([_role({}), attachment], [_role_change, renamed], [_role_config({})])
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	model.policies == [{"name": _full, "type": "managed", "document": json.unmarshal(_doc("*"))}]
	model.unknowns == []
}

# Two aws_iam_role_policy of one name on one role (a copy moved into a module while the old one
# stays): each apply writes both, and the last one written stays. Moto kept the narrow one.
test_two_role_policies_of_one_name_with_other_documents_count_their_denies_only if {
	plan := _plan(
		[
			_role({}),
			_role_policy("aws_iam_role_policy.full", "veeam"),
			_resource("aws_iam_role_policy.narrow", "aws_iam_role_policy", {"name": "veeam", "role": "Backup", "policy": _doc("ec2:Describe*")}),
		],
		[_role_change],
		[_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.policies == [
		_deny_only_policy("veeam"),
		{"name": "veeam", "type": "inline", "document": {"Version": "2012-10-17", "Statement": []}},
	]
	{u.what | some u in model.unknowns} == {sprintf(
		"the Allow statements of veeam, which %s writes with another document (which one stays depends on the order of apply)",
		[other],
	) |
		some other in ["aws_iam_role_policy.full", "aws_iam_role_policy.narrow"]
	}

	# The same document twice is one policy, whichever is written last.
	same := json.patch(plan, [{"op": "replace", "path": "/planned_values/root_module/resources/2/values/policy", "value": _guarded}])
	same_model := terraform.roles["aws_iam_role.backup"] with input as same
	[p.document | some p in same_model.policies] == [_guarded, _guarded]
	same_model.unknowns == []
}

# IAM documents no case rule for inline policy names, and does not tell its other names apart by
# case: "veeam" and "VEEAM" on one role may be one policy, the last one written. Unless their
# documents are the same, each counts with its Deny statements only, as for one name.
test_role_policies_whose_names_differ_only_in_case_count_their_denies_only if {
	plan := _plan(
		[
			_role({}),
			_role_policy("aws_iam_role_policy.full", "veeam"),
			_resource("aws_iam_role_policy.narrow", "aws_iam_role_policy", {"name": "VEEAM", "role": "Backup", "policy": _doc("ec2:Describe*")}),
		],
		[_role_change],
		[_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	{p.name | some p in model.policies} == {"veeam", "VEEAM"}
	every p in model.policies {
		every s in p.document.Statement {
			s.Effect == "Deny"
		}
	}
	count(model.unknowns) == 2

	# A block of the role's state is written over by the plan's policy of its name, or may be
	# by one whose name differs only in case.
	block := {"name": "veeam", "policy": _guarded}
	kept := _plan(
		[
			_role({"inline_policy": [block]}),
			_resource("aws_iam_role_policy.narrow", "aws_iam_role_policy", {"name": "VEEAM", "role": "Backup", "policy": _doc("ec2:Describe*")}),
		],
		[_with_actions(_change("aws_iam_role.backup", {}), ["no-op"])],
		[_role_config({})],
	)
	kept_model := terraform.roles["aws_iam_role.backup"] with input as kept
	[p.name | some p in kept_model.policies; p.name == "veeam"] == ["veeam"]
	[p.document | some p in kept_model.policies; p.name == "veeam"] == [_deny_only_policy("veeam").document]
	[u.what | some u in kept_model.unknowns] == [concat("", [
		"the Allow statements of veeam, which aws_iam_role_policy.narrow may write with another document ",
		"(its name differs from this one only in case)",
	])]
}

# The provider plans managed_policy_arns = [] on a new role as known only after apply: written
# out, it gives the role nothing, and an attachment beside it is detached by the next apply.
test_an_empty_managed_policy_arns_on_a_new_role_is_known if {
	plan := _plan(
		[_role({}), _full_attachment],
		[_role_change],
		[_role_config({"managed_policy_arns": {"constant_value": []}})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	model.policies == [{"name": _full, "type": "managed", "document": {"Version": "2012-10-17", "Statement": []}}]
	model.unknowns == [{"layer": "identity", "what": sprintf(
		"the Allow statements of %s, which aws_iam_role.backup.managed_policy_arns removes from this role (it does not list it)",
		[_full],
	)}]
	alone := _plan([_role({})], [_role_change], [_role_config({"managed_policy_arns": {"constant_value": []}})])
	terraform.roles["aws_iam_role.backup"].unknowns == [] with input as alone

	# managed_policy_arns = var.arns, a root variable holding [] (a real plan showed it
	# planned as known only after apply too); one holding an ARN is no empty list.
	by_variable := object.union(
		_plan([_role({})], [_role_change], [_role_config({"managed_policy_arns": {"references": ["var.arns"]}})]),
		{"variables": {"arns": {"value": []}}},
	)
	terraform.roles["aws_iam_role.backup"].unknowns == [] with input as by_variable
	listed := json.patch(by_variable, [{"op": "replace", "path": "/variables/arns/value", "value": [_full]}])
	[u.what | some u in terraform.roles["aws_iam_role.backup"].unknowns] == ["aws_iam_role.backup.managed_policy_arns is known only after apply"] with input as listed
}
