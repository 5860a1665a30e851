package vbaws.terraform_test

import data.vbaws.terraform

# aws_iam_role_policy_attachments_exclusive and aws_iam_role_policies_exclusive decide what a
# role keeps. Builders are in terraform_test.rego.

_deny_all := {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}

_full := "arn:aws:iam::123456789012:policy/full"

_exclusive_attachments(arns) := _resource(
	"aws_iam_role_policy_attachments_exclusive.x",
	"aws_iam_role_policy_attachments_exclusive",
	{"role_name": "Backup", "policy_arns": arns},
)

_full_attachment := _resource("aws_iam_role_policy_attachment.full", "aws_iam_role_policy_attachment", {"role": "Backup", "policy_arn": _full})

_managed := {
	"arn:aws:iam::aws:policy/AWSDenyAll": {"document": _deny_all},
	_full: {"document": json.unmarshal(_doc("*"))},
}

test_exclusive_attachments_attach_what_they_list_and_remove_the_rest if {
	plan := _plan([_role({}), _full_attachment, _exclusive_attachments(["arn:aws:iam::aws:policy/AWSDenyAll"])], [_role_change], [_role_config({})])
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	model.policies == [
		{"name": "arn:aws:iam::aws:policy/AWSDenyAll", "type": "managed", "document": _deny_all},
		{"name": _full, "type": "managed", "document": {"Version": "2012-10-17", "Statement": []}},
	]
	model.unknowns == [{"layer": "identity", "what": sprintf(
		"the Allow statements of %s, which aws_iam_role_policy_attachments_exclusive.x removes from this role (not in its policy_arns)",
		[_full],
	)}]
}

test_exclusive_attachments_keep_what_they_list if {
	plan := _plan([_role({}), _full_attachment, _exclusive_attachments([_full])], [_role_change], [_role_config({})])
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	model.policies == [{"name": _full, "type": "managed", "document": json.unmarshal(_doc("*"))}]
	model.unknowns == []
}

test_exclusive_attachments_known_only_after_apply if {
	plan := _plan(
		[_role({}), _full_attachment, _exclusive_attachments(null)],
		[_role_change, _change("aws_iam_role_policy_attachments_exclusive.x", {"policy_arns": true})],
		[_role_config({}), _config("aws_iam_role_policy_attachments_exclusive.x", "aws_iam_role_policy_attachments_exclusive", {"policy_arns": {"references": ["var.arns"]}})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	{u.what | some u in model.unknowns} == {
		"aws_iam_role_policy_attachments_exclusive.x.policy_arns is known only after apply",
		sprintf("the Allow statements of %s, which aws_iam_role_policy_attachments_exclusive.x may remove from this role (its policy_arns, known only after apply, may leave it out)", [_full]),
	}
}

test_exclusive_inline_policies_remove_the_rest if {
	# An existing role (updated), whose block the provider fills in from its state.
	deny := json.marshal({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]})
	plan := _plan(
		[
			_role({"inline_policy": [{"name": "block", "policy": _doc("*")}]}),
			_resource("aws_iam_role_policy.p", "aws_iam_role_policy", {"name": "p", "role": "Backup", "policy": _doc("*")}),
			_resource("aws_iam_role_policy.d", "aws_iam_role_policy", {"name": "d", "role": "Backup", "policy": deny}),
			_resource("aws_iam_role_policies_exclusive.x", "aws_iam_role_policies_exclusive", {"role_name": "Backup", "policy_names": ["d", "elsewhere"]}),
		],
		[{"address": "aws_iam_role.backup", "change": {"actions": ["update"], "after_unknown": {}}}],
		[_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	{[p.name, json.marshal(p.document)] | some p in model.policies} == {
		["block", json.marshal({"Version": "2012-10-17", "Statement": []})],
		["p", json.marshal({"Version": "2012-10-17", "Statement": []})],
		["d", json.marshal(deny)],
	}
	{u.what | some u in model.unknowns} == {
		"the Allow statements of block, which aws_iam_role_policies_exclusive.x removes from this role (not in its policy_names)",
		"the Allow statements of p, which aws_iam_role_policies_exclusive.x removes from this role (not in its policy_names)",
		"inline policy \"elsewhere\", which aws_iam_role_policies_exclusive.x keeps, is not defined in this plan",
	}
}

test_exclusive_attachments_that_may_name_the_role_keep_what_they_list if {
	# role_name = module.x.role_name: whichever role it names, a policy it lists stays.
	exclusive := _resource("aws_iam_role_policy_attachments_exclusive.x", "aws_iam_role_policy_attachments_exclusive", {"policy_arns": [_full]})
	plan := _plan(
		[_role({}), _full_attachment, exclusive],
		[_role_change, _change("aws_iam_role_policy_attachments_exclusive.x", {"role_name": true})],
		[_role_config({}), _config("aws_iam_role_policy_attachments_exclusive.x", "aws_iam_role_policy_attachments_exclusive", {"role_name": {"references": ["module.x.role_name", "module.x"]}})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	model.policies == [
		{"name": _full, "type": "managed", "document": json.unmarshal(_doc("*"))},
		{"name": _full, "type": "managed", "document": {"Version": "2012-10-17", "Statement": []}},
	]
	[u.what | some u in model.unknowns] == ["the Allow statements of what aws_iam_role_policy_attachments_exclusive.x attaches (its role_name is known only after apply and may name this role)"]
}

test_exclusive_inline_policies_keep_the_known_part_of_their_list if {
	# policy_names = ["all", var.other]: "all" stays; "p" may be the unknown name or not.
	plan := _plan(
		[
			_role({}),
			_resource("aws_iam_role_policy.all", "aws_iam_role_policy", {"name": "all", "role": "Backup", "policy": _doc("*")}),
			_resource("aws_iam_role_policy.p", "aws_iam_role_policy", {"name": "p", "role": "Backup", "policy": _doc("s3:*")}),
			_resource("aws_iam_role_policies_exclusive.x", "aws_iam_role_policies_exclusive", {"role_name": "Backup", "policy_names": ["all", null]}),
		],
		[_role_change, _change("aws_iam_role_policies_exclusive.x", {"policy_names": [false, true]})],
		[_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	{p.name: p.document | some p in model.policies} == {"all": _doc("*"), "p": {"Version": "2012-10-17", "Statement": []}}
	{u.what | some u in model.unknowns} == {
		"aws_iam_role_policies_exclusive.x.policy_names is known only after apply",
		"the Allow statements of p, which aws_iam_role_policies_exclusive.x may remove from this role (its policy_names, known only after apply, may leave it out)",
	}
}

_users_attachment(roles) := _resource(
	"aws_iam_policy_attachment.users",
	"aws_iam_policy_attachment",
	{"users": ["alice"], "roles": roles, "policy_arn": _full},
)

# The update of a real plan (Terraform 1.11, AWS provider 5.100): refreshed, the attachment's
# state holds every role the policy is attached to, and the update drops those it does not list.
_users_attachment_update(before_roles, after_roles) := {"address": "aws_iam_policy_attachment.users", "change": {
	"actions": ["update"],
	"before": {"users": ["alice"], "roles": before_roles, "policy_arn": _full},
	"after": {"users": ["alice"], "roles": after_roles, "policy_arn": _full},
	"after_unknown": {},
}}

test_policy_attachment_detaches_its_policy_from_roles_it_does_not_list if {
	# aws_iam_policy_attachment is exclusive for its policy: listing only users, its update
	# detaches the policy that aws_iam_role_policy_attachment.full attaches to the role.
	plan := _plan(
		[_role({}), _full_attachment, _users_attachment([])],
		[_role_change, _users_attachment_update(["Backup"], [])],
		[_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	model.policies == [{"name": _full, "type": "managed", "document": {"Version": "2012-10-17", "Statement": []}}]
	[u.what | some u in model.unknowns] == [sprintf(
		"the Allow statements of %s, which aws_iam_policy_attachment.users removes from this role (it detaches its policy from every role it does not list)",
		[_full],
	)]
}

# Creating it attaches only, and a plan that leaves it as it is (its state holds no role the
# policy was not attached to when refreshed) detaches nothing: the role keeps what this apply
# attaches (the next plan updates the attachment to detach it). A real plan and apply
# (Terraform 1.11, AWS provider 5.100) showed both.
test_policy_attachment_created_or_kept_detaches_nothing if {
	created := _plan(
		[_role({}), _full_attachment, _users_attachment([])],
		[_role_change, _change("aws_iam_policy_attachment.users", {})],
		[_role_config({})],
	)
	kept := json.patch(created, [{"op": "replace", "path": "/resource_changes/1", "value": _with_actions(
		_users_attachment_update([], []),
		["no-op"],
	)}])
	every plan in [created, kept] {
		_keeps_full(terraform.roles["aws_iam_role.backup"]) with input as plan with data.vbaws_managed_policies as _managed
	}
}

_keeps_full(model) if {
	model.policies == [{"name": _full, "type": "managed", "document": json.unmarshal(_doc("*"))}]
	model.unknowns == []
}

test_policy_attachment_replaced_detaches_its_policy_from_roles_it_does_not_list if {
	# A new name replaces it: the delete detaches the policy from every role of its state.
	plan := _plan(
		[_role({}), _full_attachment, _users_attachment([])],
		[_role_change, _with_actions(_users_attachment_update(["backup"], []), ["delete", "create"])],
		[_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	model.policies == [{"name": _full, "type": "managed", "document": {"Version": "2012-10-17", "Statement": []}}]
	count(model.unknowns) == 1
}

test_policy_attachment_keeps_its_policy_on_roles_it_lists if {
	plan := _plan([_role({}), _full_attachment, _users_attachment(["Backup"])], [_role_change], [_role_config({})])
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	model.policies == [{"name": _full, "type": "managed", "document": json.unmarshal(_doc("*"))}]
	model.unknowns == []
}

_replaced_with_exclusive(actions) := _plan(
	[_role({}), _exclusive_attachments([_full])],
	[
		object.union(_role_change, {"change": {"actions": ["delete", "create"]}}),
		object.union(_change("aws_iam_role_policy_attachments_exclusive.x", {}), {"change": {"actions": actions}}),
	],
	[_role_config({})],
)

test_replaced_role_loses_what_exclusive_attachments_the_plan_keeps_attached if {
	model := terraform.roles["aws_iam_role.backup"] with input as _replaced_with_exclusive(["no-op"])
		with data.vbaws_managed_policies as _managed
	model.policies == [{"name": _full, "type": "managed", "document": {"Version": "2012-10-17", "Statement": []}}]
	[u.what | some u in model.unknowns] == [concat("", [
		"the Allow statements of what aws_iam_role_policy_attachments_exclusive.x attaches (aws_iam_role.backup is replaced, ",
		"which removes what attaches to it, and this plan does not create aws_iam_role_policy_attachments_exclusive.x again)",
	])]
}

test_replaced_role_keeps_what_exclusive_attachments_the_plan_creates_attach if {
	model := terraform.roles["aws_iam_role.backup"] with input as _replaced_with_exclusive(["delete", "create"])
		with data.vbaws_managed_policies as _managed
	model.policies == [{"name": _full, "type": "managed", "document": json.unmarshal(_doc("*"))}]
	model.unknowns == []
}

# A stray inline policy only the role's state holds (put by hand) is deleted by the
# aws_iam_role_policies_exclusive this plan creates, and nothing writes it again: its Deny
# is gone after apply (moto: compliant), so it no longer counts. Kept by a no-op exclusive
# (its list may not be applied), or when an aws_iam_role_policy of the plan writes that name,
# it counts with its Deny statements as before.
test_exclusive_inline_policies_created_delete_a_stray_for_good if {
	deny := json.marshal({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]})
	plan := _plan(
		[
			_role({"inline_policy": [{"name": "stray", "policy": deny}, {"name": "p", "policy": _doc("*")}]}),
			_resource("aws_iam_role_policy.p", "aws_iam_role_policy", {"name": "p", "role": "Backup", "policy": _doc("*")}),
			_resource("aws_iam_role_policies_exclusive.x", "aws_iam_role_policies_exclusive", {"role_name": "Backup", "policy_names": ["p"]}),
		],
		[
			{"address": "aws_iam_role.backup", "change": {"actions": ["no-op"], "after_unknown": {}}},
			_change("aws_iam_role_policies_exclusive.x", {}),
		],
		[_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.policies == [{"name": "p", "type": "inline", "document": _doc("*")}]
	model.unknowns == []

	no_op := json.patch(plan, [{"op": "replace", "path": "/resource_changes/1/change/actions", "value": ["no-op"]}])
	kept := terraform.roles["aws_iam_role.backup"] with input as no_op
	[p.name | some p in kept.policies] == ["p", "stray"]

	written := json.patch(plan, [{"op": "add", "path": "/planned_values/root_module/resources/-", "value": _resource("aws_iam_role_policy.stray", "aws_iam_role_policy", {"name": "stray", "role": "Other", "policy": deny})}])
	rewritten := terraform.roles["aws_iam_role.backup"] with input as written
	[p.name | some p in rewritten.policies] == ["p", "stray"]
}

# The managed twin: a Deny guard only the role's state holds (managed_policy_arns read from the
# role, the configuration no longer setting it) is detached by the exclusive this plan creates
# and nothing attaches it again: after apply (moto) the role is compliant, so it no longer
# counts. An attachment of the plan attaching it, or a no-op exclusive, keep it as before.
test_exclusive_attachments_created_detach_a_state_only_policy_for_good if {
	plan := _plan(
		[
			_role({"managed_policy_arns": ["arn:aws:iam::aws:policy/AWSDenyAll", _full]}),
			_exclusive_attachments([_full]),
		],
		[
			{"address": "aws_iam_role.backup", "change": {"actions": ["no-op"], "after_unknown": {}}},
			_change("aws_iam_role_policy_attachments_exclusive.x", {}),
		],
		[_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	model.policies == [{"name": _full, "type": "managed", "document": json.unmarshal(_doc("*"))}]
	model.unknowns == []

	no_op := json.patch(plan, [{"op": "replace", "path": "/resource_changes/1/change/actions", "value": ["no-op"]}])
	kept := terraform.roles["aws_iam_role.backup"] with input as no_op with data.vbaws_managed_policies as _managed
	{p.name | some p in kept.policies} == {"arn:aws:iam::aws:policy/AWSDenyAll", _full}

	guard := _resource("aws_iam_role_policy_attachment.guard", "aws_iam_role_policy_attachment", {"role": "Backup", "policy_arn": "arn:aws:iam::aws:policy/AWSDenyAll"})
	attached := json.patch(plan, [{"op": "add", "path": "/planned_values/root_module/resources/-", "value": guard}])
	still := terraform.roles["aws_iam_role.backup"] with input as attached with data.vbaws_managed_policies as _managed
	{p.name | some p in still.policies} == {"arn:aws:iam::aws:policy/AWSDenyAll", _full}
}

# One whose document this input does not hold (a guard attached by hand, imported with the
# role and an exclusive list that leaves it out) is gone as well: no warning asks for it.
test_exclusive_attachments_detach_a_state_only_policy_without_document if {
	plan := _plan(
		[
			_role({"managed_policy_arns": ["arn:aws:iam::123456789012:policy/guard", _full]}),
			_exclusive_attachments([_full]),
		],
		[
			{"address": "aws_iam_role.backup", "change": {"actions": ["update"], "after_unknown": {}}},
			object.union(_change("aws_iam_role_policy_attachments_exclusive.x", {}), {"change": {"actions": ["update"]}}),
		],
		[_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	model.policies == [{"name": _full, "type": "managed", "document": json.unmarshal(_doc("*"))}]
	model.unknowns == []
}

# A `removed` block (destroy = false) leaves the attachment of the guard listed in planned_values
# without values: it no longer stands for an attachment of the plan, so the exclusive this plan
# creates still detaches the guard for good (a real plan and apply against moto: compliant).
test_forgotten_attachment_does_not_keep_a_detached_policy if {
	forgotten := {"address": "aws_iam_role_policy_attachment.g", "mode": "managed", "type": "aws_iam_role_policy_attachment", "name": "g"}
	plan := _plan(
		[
			_role({"managed_policy_arns": ["arn:aws:iam::aws:policy/AWSDenyAll", _full]}),
			_exclusive_attachments([_full]),
			forgotten,
		],
		[
			{"address": "aws_iam_role.backup", "change": {"actions": ["no-op"], "after_unknown": {}}},
			_change("aws_iam_role_policy_attachments_exclusive.x", {}),
			{"address": "aws_iam_role_policy_attachment.g", "change": {"actions": ["forget"], "after_unknown": {}}},
		],
		[_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	model.policies == [{"name": _full, "type": "managed", "document": json.unmarshal(_doc("*"))}]
	model.unknowns == []
}

# IAM policy names are unique ignoring case: an attachment, or another exclusive list, naming
# the state-only guard's ARN in another case may attach it again, so it keeps counting.
test_state_only_policy_named_in_another_case_is_not_surely_gone if {
	plan := _plan(
		[
			_role({"managed_policy_arns": ["arn:aws:iam::aws:policy/AWSDenyAll", _full]}),
			_exclusive_attachments([_full]),
		],
		[
			{"address": "aws_iam_role.backup", "change": {"actions": ["no-op"], "after_unknown": {}}},
			_change("aws_iam_role_policy_attachments_exclusive.x", {}),
		],
		[_role_config({})],
	)
	other_case := "ARN:AWS:IAM::AWS:POLICY/AWSDENYALL"
	attached := json.patch(plan, [{"op": "add", "path": "/planned_values/root_module/resources/-", "value": _resource(
		"aws_iam_role_policy_attachment.guard",
		"aws_iam_role_policy_attachment",
		{"role": "Other", "policy_arn": other_case},
	)}])
	listed := json.patch(plan, [{"op": "add", "path": "/planned_values/root_module/resources/-", "value": _resource(
		"aws_iam_role_policy_attachments_exclusive.other",
		"aws_iam_role_policy_attachments_exclusive",
		{"role_name": "Other", "policy_arns": [other_case]},
	)}])
	every variant in [attached, listed] {
		model := terraform.roles["aws_iam_role.backup"] with input as variant with data.vbaws_managed_policies as _managed
		"arn:aws:iam::aws:policy/AWSDenyAll" in {p.name | some p in model.policies}
	}
}

# role_name = aws_iam_role.backup.name under another provider configuration (aws.other, which
# may be another account) gives the role's name, not its account: the exclusive there may act
# on a namesake and leave this role alone, so a Deny guard only the role's state holds is not
# surely gone. It keeps its Deny statements, and a warning says why its Allow statements were
# not counted. Under the role's own provider configuration it is gone as before.
_guard := json.marshal({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]})

_referring_exclusive(type, list) := _plan(
	[
		_role({
			"inline_policy": [{"name": "guard", "policy": _guard}],
			"managed_policy_arns": ["arn:aws:iam::aws:policy/AWSDenyAll"],
		}),
		_resource(concat(".", [type, "x"]), type, object.union({"role_name": "Backup"}, list)),
	],
	[
		{"address": "aws_iam_role.backup", "change": {"actions": ["no-op"], "after_unknown": {}}},
		_change(concat(".", [type, "x"]), {}),
	],
	[
		_with_provider(_role_config({}), "aws"),
		_with_provider(_config(concat(".", [type, "x"]), type, {"role_name": {"references": ["aws_iam_role.backup.name", "aws_iam_role.backup"]}}), "aws.other"),
	],
)

test_exclusive_under_another_provider_configuration_does_not_surely_remove if {
	maybe := "its role_name refers to this role, but from another provider configuration, which may be another account"
	inline := _referring_exclusive("aws_iam_role_policies_exclusive", {"policy_names": []})
	kept_inline := terraform.roles["aws_iam_role.backup"] with input as inline with data.vbaws_managed_policies as _managed
	{p.name: p.document | some p in kept_inline.policies; p.type == "inline"} == {"guard": json.unmarshal(_guard)}
	sprintf("the Allow statements of guard, which aws_iam_role_policies_exclusive.x may remove from this role (%s)", [maybe]) in {u.what |
		some u in kept_inline.unknowns
	}

	managed := _referring_exclusive("aws_iam_role_policy_attachments_exclusive", {"policy_arns": []})
	kept_managed := terraform.roles["aws_iam_role.backup"] with input as managed with data.vbaws_managed_policies as _managed
	{p.name: p.document | some p in kept_managed.policies; p.type == "managed"} == {"arn:aws:iam::aws:policy/AWSDenyAll": _deny_all}

	# The same exclusive under the role's own provider configuration deletes both for good.
	same := json.patch(inline, [{"op": "replace", "path": "/configuration/root_module/resources/1/provider_config_key", "value": "aws"}])
	gone := terraform.roles["aws_iam_role.backup"] with input as same with data.vbaws_managed_policies as _managed
	[p.name | some p in gone.policies; p.type == "inline"] == []
	same_managed := json.patch(managed, [{"op": "replace", "path": "/configuration/root_module/resources/1/provider_config_key", "value": "aws"}])
	detached := terraform.roles["aws_iam_role.backup"] with input as same_managed with data.vbaws_managed_policies as _managed
	[p.name | some p in detached.policies; p.type == "managed"] == []
}

# An exclusive instance the plan leaves as it is is not applied: the inline policy and the
# managed policy that this apply adds beside its list stay (a real plan and apply, Terraform
# 1.11 and AWS provider 5.100, showed both; the next plan updates it to remove them).
test_exclusive_left_as_it_is_removes_nothing_this_apply_adds if {
	plan := _plan(
		[
			_role({}),
			_full_attachment,
			_resource("aws_iam_role_policy.all", "aws_iam_role_policy", {"name": "all", "role": "Backup", "policy": _doc("*")}),
			_exclusive_attachments([]),
			_resource("aws_iam_role_policies_exclusive.y", "aws_iam_role_policies_exclusive", {"role_name": "Backup", "policy_names": ["small"]}),
		],
		[
			_with_actions(_change("aws_iam_role.backup", {}), ["no-op"]),
			_change("aws_iam_role_policy_attachment.full", {}),
			_change("aws_iam_role_policy.all", {}),
			_with_actions(_change("aws_iam_role_policy_attachments_exclusive.x", {}), ["no-op"]),
			_with_actions(_change("aws_iam_role_policies_exclusive.y", {}), ["no-op"]),
		],
		[_role_config({})],
	)
	kept := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as _managed
	{p.name: p.document | some p in kept.policies} == {"all": _doc("*"), _full: json.unmarshal(_doc("*"))}
	{u.what | some u in kept.unknowns} == {"inline policy \"small\", which aws_iam_role_policies_exclusive.y keeps, is not defined in this plan"}

	# A warn says what the next apply takes away.
	later := {sprintf("aws_iam_role.backup: %s leaves %s out, so the apply after this one removes it from this role (see docs/conftest.md)", [a, p]) |
		some [a, p] in [["aws_iam_role_policy_attachments_exclusive.x", _full], ["aws_iam_role_policies_exclusive.y", "all"]]
	}
	later - terraform.warn == set() with input as plan with data.vbaws_managed_policies as _managed

	# Updated, they remove both.
	updated := json.patch(plan, [
		{"op": "replace", "path": "/resource_changes/3/change/actions", "value": ["update"]},
		{"op": "replace", "path": "/resource_changes/4/change/actions", "value": ["update"]},
	])
	removed := terraform.roles["aws_iam_role.backup"] with input as updated with data.vbaws_managed_policies as _managed
	{p.name | some p in removed.policies; p.document == {"Version": "2012-10-17", "Statement": []}} == {"all", _full}
	later & terraform.warn == set() with input as updated with data.vbaws_managed_policies as _managed
}
