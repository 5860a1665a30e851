package vbaws.terraform_test

import data.vbaws.terraform

# Which roles a role name attaches to. Builders are in terraform_test.rego.

_allow_and_deny := json.marshal({"Version": "2012-10-17", "Statement": [
	{"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*"},
	{"Effect": "Deny", "Action": "kms:*", "Resource": "*"},
]})

_with_provider(config, key) := object.union(config, {"provider_config_key": key})

test_same_name_under_another_provider_configuration_may_be_named if {
	# Two roles named Backup, one through provider aws.b (another account): role = "Backup"
	# under provider aws names the first; the second counts only the Deny statements.
	plan := _plan(
		[
			_role({}),
			_resource("aws_iam_role.other", "aws_iam_role", _role({}).values),
			_resource("aws_iam_role_policy.p", "aws_iam_role_policy", {"name": "p", "role": "Backup", "policy": _allow_and_deny}),
		],
		[_role_change, _change("aws_iam_role.other", {})],
		[
			_with_provider(_role_config({}), "aws"),
			_with_provider(_config("aws_iam_role.other", "aws_iam_role", {}), "aws.b"),
			_with_provider(_config("aws_iam_role_policy.p", "aws_iam_role_policy", {"role": {"constant_value": "Backup"}}), "aws"),
		],
	)
	roles := terraform.roles with input as plan
	[p.document | some p in roles["aws_iam_role.backup"].policies] == [_allow_and_deny]
	roles["aws_iam_role.backup"].unknowns == []
	[p.document | some p in roles["aws_iam_role.other"].policies] == [{"Version": "2012-10-17", "Statement": [
		{"Effect": "Deny", "Action": "kms:*", "Resource": "*"},
	]}]
	roles["aws_iam_role.other"].unknowns == [{
		"layer": "identity",
		"what": "the Allow statements of what aws_iam_role_policy.p attaches (its role names a role of this name, maybe this one, from another module or provider configuration)",
	}]
}

test_the_plans_only_role_of_a_name_is_named_from_another_module if {
	# role = module.r.role_name in the root: a known name, no reference to the role, and the
	# plan's only role of that name, in module.r.
	role := object.union(_role({}), {"address": "module.r.aws_iam_role.this", "name": "this"})
	policy := _resource("aws_iam_role_policy.p", "aws_iam_role_policy", {"name": "p", "role": "Backup", "policy": _allow_and_deny})
	plan := _plan(
		[policy],
		[],
		[_config("aws_iam_role_policy.p", "aws_iam_role_policy", {"role": {"references": ["module.r.role_name", "module.r"]}})],
	)
	with_module := object.union(plan, {"planned_values": {"root_module": {"child_modules": [{"address": "module.r", "resources": [role]}]}}})
	model := terraform.roles["module.r.aws_iam_role.this"] with input as with_module
	[p.document | some p in model.policies] == [_allow_and_deny]
	model.unknowns == []

	# Through a provider alias (maybe another account), the name may mean a role there instead.
	aliased := json.patch(with_module, [{"op": "add", "path": "/configuration/root_module/resources/0/provider_config_key", "value": "aws.b"}])
	other_account := terraform.roles["module.r.aws_iam_role.this"] with input as aliased
	[p.document | some p in other_account.policies] == [{"Version": "2012-10-17", "Statement": [
		{"Effect": "Deny", "Action": "kms:*", "Resource": "*"},
	]}]
	count(other_account.unknowns) == 1
}

test_reference_names_its_role_not_a_namesake_in_another_module if {
	# module.a and module.b each create aws_iam_role.this named Backup; module.a's policy has
	# role = aws_iam_role.this.name: module.b's role gets nothing from it.
	role_a := object.union(_role({}), {"address": "module.a.aws_iam_role.this", "name": "this"})
	role_b := object.union(_role({}), {"address": "module.b.aws_iam_role.this", "name": "this"})
	policy := object.union(
		_resource("aws_iam_role_policy.p", "aws_iam_role_policy", {"name": "p", "role": "Backup", "policy": _allow_and_deny}),
		{"address": "module.a.aws_iam_role_policy.p"},
	)
	config := {"resources": [
		_config("aws_iam_role.this", "aws_iam_role", {}),
		_config("aws_iam_role_policy.p", "aws_iam_role_policy", {"role": {"references": ["aws_iam_role.this.name", "aws_iam_role.this"]}}),
	]}
	plan := {
		"format_version": "1.2",
		"terraform_version": "1.9.8",
		"planned_values": {"root_module": {"resources": [], "child_modules": [
			{"address": "module.a", "resources": [role_a, policy]},
			{"address": "module.b", "resources": [role_b]},
		]}},
		"resource_changes": [],
		"configuration": {"root_module": {"resources": [], "module_calls": {
			"a": {"module": config},
			"b": {"module": config},
		}}},
	}
	roles := terraform.roles with input as plan
	[p.name | some p in roles["module.a.aws_iam_role.this"].policies] == ["p"]
	roles["module.b.aws_iam_role.this"].policies == []
	roles["module.b.aws_iam_role.this"].unknowns == []
}

test_name_differing_in_case_may_name_the_role if {
	# IAM role names are unique ignoring case: role = "backup" may be the role Backup, so its
	# Deny statements count and its Allow statements do not.
	plan := _plan(
		[
			_role({}),
			_resource("aws_iam_role_policy.p", "aws_iam_role_policy", {"name": "p", "role": "backup", "policy": _allow_and_deny}),
		],
		[_role_change],
		[_role_config({}), _config("aws_iam_role_policy.p", "aws_iam_role_policy", {"role": {"constant_value": "backup"}})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	[p.document | some p in model.policies] == [{"Version": "2012-10-17", "Statement": [
		{"Effect": "Deny", "Action": "kms:*", "Resource": "*"},
	]}]
	model.unknowns == [{
		"layer": "identity",
		"what": "the Allow statements of what aws_iam_role_policy.p attaches (its role, \"backup\", names this role only ignoring case)",
	}]
}

test_a_modules_own_provider_block_is_another_provider_configuration if {
	# module.r's role, under the key "module.r:aws"; the root's policy names it by name under
	# "aws". Without a provider block of its own the module inherits "aws".
	role := object.union(_role({}), {"address": "module.r.aws_iam_role.this", "name": "this"})
	policy := _resource("aws_iam_role_policy.p", "aws_iam_role_policy", {"name": "p", "role": "Backup", "policy": _allow_and_deny})
	plan := object.union(
		_plan([policy], [], [_with_provider(_config("aws_iam_role_policy.p", "aws_iam_role_policy", {"role": {"constant_value": "Backup"}}), "aws")]),
		{
			"planned_values": {"root_module": {"child_modules": [{"address": "module.r", "resources": [role]}]}},
			"configuration": {
				"provider_config": {"aws": {"name": "aws"}},
				"root_module": {"module_calls": {"r": {"module": {"resources": [_with_provider(_config("aws_iam_role.this", "aws_iam_role", {}), "module.r:aws")]}}}},
			},
		},
	)
	inherited := terraform.roles["module.r.aws_iam_role.this"] with input as plan
	[p.document | some p in inherited.policies] == [_allow_and_deny]
	inherited.unknowns == []

	# Listed without arguments (only the module declares the provider), or setting only the
	# region: still the inherited credentials.
	declared := json.patch(plan, [{"op": "add", "path": "/configuration/provider_config/module.r:aws", "value": {"name": "aws", "module_address": "module.r"}}])
	terraform.roles["module.r.aws_iam_role.this"] == inherited with input as declared
	regional := json.patch(declared, [{"op": "add", "path": "/configuration/provider_config/module.r:aws/expressions", "value": {"region": {"constant_value": "eu-west-1"}}}])
	terraform.roles["module.r.aws_iam_role.this"] == inherited with input as regional

	# Its own provider block with arguments (which may assume a role in another account).
	own := json.patch(plan, [{"op": "add", "path": "/configuration/provider_config/module.r:aws", "value": {
		"name": "aws",
		"module_address": "module.r",
		"expressions": {"assume_role": [{"role_arn": {"constant_value": "arn:aws:iam::222222222222:role/Deploy"}}]},
	}}])
	other_account := terraform.roles["module.r.aws_iam_role.this"] with input as own
	[p.document | some p in other_account.policies] == [{"Version": "2012-10-17", "Statement": [
		{"Effect": "Deny", "Action": "kms:*", "Resource": "*"},
	]}]
	[u.what | some u in other_account.unknowns] == ["the Allow statements of what aws_iam_role_policy.p attaches (its role names a role of this name, maybe this one, from another module or provider configuration)"]
}

# A configuration that stops setting managed_policy_arns (deprecated in favour of attachments)
# leaves the policies it attached in place: the provider reads the list from the role, and the
# plan shows what is attached now. The guard it held still denies after apply.
test_managed_policies_attached_now_stay_when_the_configuration_does_not_set_the_list if {
	guard := "arn:aws:iam::123456789012:policy/guard"
	full := "arn:aws:iam::123456789012:policy/full"
	deny_copy := {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "ec2:CopySnapshot", "Resource": "*"}]}
	plan := _plan(
		[
			_role({"managed_policy_arns": [guard, full]}),
			_resource("aws_iam_role_policy_attachment.full", "aws_iam_role_policy_attachment", {"role": "Backup", "policy_arn": full}),
		],
		[
			object.union(_change("aws_iam_role.backup", {}), {"change": {"actions": ["no-op"]}}),
			_change("aws_iam_role_policy_attachment.full", {}),
		],
		[_role_config({})],
	)
	managed := {guard: {"document": deny_copy}, full: {"document": json.unmarshal(_doc("*"))}}
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as managed
	model.policies == [
		{"name": full, "type": "managed", "document": json.unmarshal(_doc("*"))},
		{"name": guard, "type": "managed", "document": deny_copy},
	]
	model.unknowns == []

	# A role the plan creates (or replaces) has only what the plan attaches.
	created := terraform.roles["aws_iam_role.backup"] with input as json.patch(plan, [{"op": "replace", "path": "/resource_changes/0/change/actions", "value": ["delete", "create"]}])
		with data.vbaws_managed_policies as managed
	[p.name | some p in created.policies] == [full]
}

# A plain reference under another provider configuration (aws.other, maybe another account)
# gives the role's name, not its account. An aws_iam_role_policy there does not take the place
# of the role's own block of its name (the guard's Deny statements stay), and what it or an
# aws_iam_policy_attachment listing the role attaches counts with its Deny statements only.
test_reference_from_another_provider_configuration_may_name_the_role if {
	guard := json.marshal({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]})
	reference := {"references": ["aws_iam_role.backup.name", "aws_iam_role.backup"]}
	plan := _plan(
		[
			_role({"inline_policy": [{"name": "guard", "policy": guard}]}),
			_resource("aws_iam_role_policy.guard", "aws_iam_role_policy", {"name": "guard", "role": "Backup", "policy": _allow_and_deny}),
			_resource("aws_iam_policy_attachment.a", "aws_iam_policy_attachment", {"roles": ["Backup"], "policy_arn": "arn:aws:iam::aws:policy/AWSDenyAll"}),
		],
		[_with_actions(_change("aws_iam_role.backup", {}), ["no-op"])],
		[
			_with_provider(_role_config({}), "aws"),
			_with_provider(_config("aws_iam_role_policy.guard", "aws_iam_role_policy", {"role": reference}), "aws.other"),
			_with_provider(_config("aws_iam_policy_attachment.a", "aws_iam_policy_attachment", {"roles": reference}), "aws.other"),
		],
	)
	managed := {"arn:aws:iam::aws:policy/AWSDenyAll": {"document": json.unmarshal(_allow_and_deny)}}
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as managed
	denies := {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]}
	{[p.name, p.document] | some p in model.policies} == {
		["guard", denies],
		["arn:aws:iam::aws:policy/AWSDenyAll", denies],
	}
	why := "refers to this role, but from another provider configuration, which may be another account"
	{u.what | some u in model.unknowns} == {
		sprintf("the Allow statements of guard, which aws_iam_role_policy.guard may write with another document (its role %s)", [why]),
		sprintf("the Allow statements of what aws_iam_role_policy.guard attaches (its role %s)", [why]),
		sprintf("the Allow statements of what aws_iam_policy_attachment.a attaches (its roles %s)", [why]),
	}

	# Under the role's own provider configuration both name it: the policy replaces the block.
	same := json.patch(plan, [
		{"op": "replace", "path": "/configuration/root_module/resources/1/provider_config_key", "value": "aws"},
		{"op": "replace", "path": "/configuration/root_module/resources/2/provider_config_key", "value": "aws"},
	])
	named := terraform.roles["aws_iam_role.backup"] with input as same with data.vbaws_managed_policies as managed
	{[p.name, p.document] | some p in named.policies} == {
		["guard", _allow_and_deny],
		["arn:aws:iam::aws:policy/AWSDenyAll", json.unmarshal(_allow_and_deny)],
	}
	named.unknowns == []
}
