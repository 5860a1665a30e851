package vbaws.terraform_test

import data.vbaws.terraform

# ---------------------------------------------------------------------------------------------
# Builders: a plan in the shape `terraform show -json` writes, reduced to what the rules read.
# ---------------------------------------------------------------------------------------------

_doc(actions) := json.marshal({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})

_trust := json.marshal({"Version": "2012-10-17", "Statement": [{
	"Effect": "Allow",
	"Action": "sts:AssumeRole",
	"Principal": {"AWS": "arn:aws:iam::111111111111:role/Appliance"},
}]})

_resource(address, type, values) := {
	"address": address,
	"mode": "managed",
	"type": type,
	"name": split(address, ".")[count(split(address, ".")) - 1],
	"values": values,
}

_config(address, type, expressions) := {
	"address": address,
	"mode": "managed",
	"type": type,
	"name": split(address, ".")[1],
	"expressions": expressions,
}

_change(address, unknown) := {"address": address, "change": {"actions": ["create"], "after_unknown": unknown}}

_plan(resources, changes, config) := {
	"format_version": "1.2",
	"terraform_version": "1.9.8",
	"planned_values": {"root_module": {"resources": resources}},
	"resource_changes": changes,
	"configuration": {"root_module": {"resources": config}},
}

_role(values) := _resource("aws_iam_role.backup", "aws_iam_role", object.union(
	{"name": "Backup", "assume_role_policy": _trust, "tags": {"vbaws:checks": "ec2_backup"}},
	values,
))

_role_change := _change("aws_iam_role.backup", {"arn": true, "id": true, "inline_policy": true, "managed_policy_arns": true})

_role_config(expressions) := _config("aws_iam_role.backup", "aws_iam_role", expressions)

# ---------------------------------------------------------------------------------------------
# Mapping
# ---------------------------------------------------------------------------------------------

test_role_model_from_known_values if {
	plan := _plan([_role({})], [_role_change], [_role_config({})])
	terraform.roles == {"aws_iam_role.backup": {
		"id": "aws_iam_role.backup",
		"name": "Backup",
		"arn": "aws_iam_role.backup",
		"trust_policy": _trust,
		"policies": [],
		"tags": {"vbaws:checks": "ec2_backup"},
		"tags_known": false,
		"unknowns": [],
	}} with input as plan
}

test_existing_role_keeps_its_arn if {
	plan := _plan([_role({"arn": "arn:aws:iam::123456789012:role/Backup"})], [], [_role_config({})])
	terraform.roles["aws_iam_role.backup"].arn == "arn:aws:iam::123456789012:role/Backup" with input as plan
}

test_tags_all_wins_over_tags if {
	plan := _plan(
		[_role({"tags": {}, "tags_all": {"vbaws:checks": "worker_production"}})],
		[_role_change], [_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	[model.tags, model.tags_known] == [{"vbaws:checks": "worker_production"}, true]
}

test_inline_policy_blocks if {
	plan := _plan(
		[_role({"inline_policy": [{"name": "a", "policy": _doc("ec2:CreateSnapshot")}, {"name": "", "policy": ""}]})],
		[_change("aws_iam_role.backup", {"inline_policy": [{}, {}]})],
		[_role_config({"inline_policy": [{"name": {"constant_value": "a"}, "policy": {}}]})],
	)
	terraform.roles["aws_iam_role.backup"].policies == [{"name": "a", "type": "inline", "document": _doc("ec2:CreateSnapshot")}] with input as plan
}

test_inline_policy_block_without_a_name_counts_only_its_denies if {
	# The provider needs the name to manage the policy: its Deny must not be lost for want of
	# one, and its Allow must not be relied on.
	unnamed := json.marshal({"Version": "2012-10-17", "Statement": [
		{"Effect": "Deny", "Action": "kms:CreateGrant", "Resource": "*"},
		{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
	]})
	plan := _plan(
		[_role({"inline_policy": [
			{"name": "most", "policy": _doc([a | some a in data.vbaws.requirements.ec2_backup.actions; not startswith(a, "sqs:")])},
			{"name": "", "policy": unnamed},
			{"name": "", "policy": ""},
		]})],
		[_change("aws_iam_role.backup", {"inline_policy": [{}, {}, {}]})],
		[_role_config({"inline_policy": [{"name": {"constant_value": "most"}, "policy": {}}, {"policy": {}}, {}]})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	[p.name | some p in model.policies] == ["inline_policy without a name (its Deny statements)", "most"]
	model.policies[0].document.Statement == [{"Effect": "Deny", "Action": "kms:CreateGrant", "Resource": "*"}]
	report := terraform.reports["aws_iam_role.backup"] with input as plan
	report.checks.ec2_backup.denied == ["kms:CreateGrant"]
	count(report.checks.ec2_backup.missing) == 6
	some warning in terraform.warn with input as plan
	contains(warning, "the Allow statements of an inline_policy block without a name")
}

test_unknown_inline_block_resolved_through_its_data_source if {
	plan := object.union(
		_plan(
			[_role({"inline_policy": [{"name": "a"}]})],
			[_change("aws_iam_role.backup", {"inline_policy": [{"policy": true}]})],
			[_role_config({"inline_policy": [{
				"name": {"constant_value": "a"},
				"policy": {"references": ["data.aws_iam_policy_document.a.json", "data.aws_iam_policy_document.a"]},
			}]})],
		),
		{"prior_state": {"values": {"root_module": {"resources": [{
			"address": "data.aws_iam_policy_document.a",
			"mode": "data",
			"type": "aws_iam_policy_document",
			"name": "a",
			"values": {"json": _doc("ec2:CopySnapshot")},
		}]}}}},
	)
	policies := terraform.roles["aws_iam_role.backup"].policies with input as plan
	{p.name: json.unmarshal(p.document) | some p in policies} == {"a": json.unmarshal(_doc("ec2:CopySnapshot"))}
}

test_role_policy_by_name_and_by_reference if {
	plan := _plan(
		[
			_role({}),
			_resource("aws_iam_role_policy.by_name", "aws_iam_role_policy", {"name": "by-name", "role": "Backup", "policy": _doc("ec2:CreateTags")}),
			_resource("aws_iam_role_policy.by_ref", "aws_iam_role_policy", {"name": "by-ref", "policy": _doc("ec2:DeleteTags")}),
			_resource("aws_iam_role_policy.other", "aws_iam_role_policy", {"name": "other", "role": "Other", "policy": _doc("ec2:DeleteTags")}),
		],
		[_role_change, _change("aws_iam_role_policy.by_ref", {"role": true})],
		[
			_role_config({}),
			_config("aws_iam_role_policy.by_ref", "aws_iam_role_policy", {"role": {"references": ["aws_iam_role.backup.id", "aws_iam_role.backup"]}}),
		],
	)
	policies := terraform.roles["aws_iam_role.backup"].policies with input as plan
	{p.name | some p in policies} == {"by-name", "by-ref"}
}

test_attachment_resolves_unknown_policy_arn_by_reference if {
	plan := _plan(
		[
			_role({}),
			_resource("aws_iam_policy.extra", "aws_iam_policy", {"name": "extra", "policy": _doc("ebs:ListChangedBlocks")}),
			_resource("aws_iam_role_policy_attachment.extra", "aws_iam_role_policy_attachment", {"role": "Backup"}),
		],
		[_role_change, _change("aws_iam_policy.extra", {"arn": true}), _change("aws_iam_role_policy_attachment.extra", {"policy_arn": true})],
		[
			_role_config({}),
			_config("aws_iam_role_policy_attachment.extra", "aws_iam_role_policy_attachment", {"policy_arn": {"references": ["aws_iam_policy.extra.arn", "aws_iam_policy.extra"]}}),
		],
	)
	terraform.roles["aws_iam_role.backup"].policies == [{"name": "aws_iam_policy.extra", "type": "managed", "document": _doc("ebs:ListChangedBlocks")}] with input as plan
}

test_attachment_by_known_arn_of_existing_policy if {
	arn := "arn:aws:iam::123456789012:policy/extra"
	plan := _plan(
		[
			_role({}),
			_resource("aws_iam_policy.extra", "aws_iam_policy", {"arn": arn, "policy": _doc("ec2:CreateTags")}),
			_resource("aws_iam_role_policy_attachment.extra", "aws_iam_role_policy_attachment", {"role": "Backup", "policy_arn": arn}),
		],
		[_role_change], [_role_config({})],
	)
	terraform.roles["aws_iam_role.backup"].policies == [{"name": arn, "type": "managed", "document": _doc("ec2:CreateTags")}] with input as plan
}

test_aws_managed_policy_document_from_data if {
	arn := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	plan := _plan(
		[_role({}), _resource("aws_iam_role_policy_attachment.ro", "aws_iam_role_policy_attachment", {"role": "Backup", "policy_arn": arn})],
		[_role_change], [_role_config({})],
	)
	document := {"Version": "2012-10-17", "Statement": []}
	model := terraform.roles["aws_iam_role.backup"] with input as plan
		with data.vbaws_managed_policies as {arn: {"document": document}}
	model.policies == [{"name": arn, "type": "managed", "document": document}]
	model.unknowns == []
}

test_aws_managed_policy_without_document_is_unknown if {
	arn := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	plan := _plan(
		[_role({}), _resource("aws_iam_role_policy_attachment.ro", "aws_iam_role_policy_attachment", {"role": "Backup", "policy_arn": arn})],
		[_role_change], [_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.policies == []
	[u.layer | some u in model.unknowns] == ["identity"]
	contains(model.unknowns[0].what, arn)
}

test_data_aws_iam_policy_supplies_a_managed_document if {
	arn := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	plan := object.union(
		_plan(
			[_role({}), _resource("aws_iam_role_policy_attachment.ro", "aws_iam_role_policy_attachment", {"role": "Backup", "policy_arn": arn})],
			[_role_change], [_role_config({})],
		),
		{"prior_state": {"values": {"root_module": {"resources": [{
			"address": "data.aws_iam_policy.ro",
			"mode": "data",
			"type": "aws_iam_policy",
			"name": "ro",
			"values": {"arn": arn, "policy": _doc("ec2:Describe*")},
		}]}}}},
	)
	terraform.roles["aws_iam_role.backup"].policies == [{"name": arn, "type": "managed", "document": _doc("ec2:Describe*")}] with input as plan
}

test_computed_managed_policy_arns_are_ignored if {
	# Not configured: the provider computes it; the plan marks it unknown for every new role.
	plan := _plan([_role({})], [_role_change], [_role_config({})])
	terraform.roles["aws_iam_role.backup"].unknowns == [] with input as plan
}

test_configured_unknown_managed_policy_arns_follow_references if {
	plan := _plan(
		[_role({}), _resource("aws_iam_policy.a", "aws_iam_policy", {"policy": _doc("ec2:CreateTags")})],
		[_role_change, _change("aws_iam_policy.a", {"arn": true})],
		[_role_config({"managed_policy_arns": {"references": ["aws_iam_policy.a.arn", "aws_iam_policy.a"]}})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.policies == [{"name": "aws_iam_policy.a", "type": "managed", "document": _doc("ec2:CreateTags")}]
	model.unknowns == []
}

test_configured_unknown_managed_policy_arns_without_references if {
	plan := _plan([_role({})], [_role_change], [_role_config({"managed_policy_arns": {"references": ["var.arns"]}})])
	terraform.roles["aws_iam_role.backup"].unknowns == [{
		"layer": "identity",
		"what": "aws_iam_role.backup.managed_policy_arns is known only after apply",
	}] with input as plan
}

test_boundary_by_reference if {
	plan := _plan(
		[_role({}), _resource("aws_iam_policy.b", "aws_iam_policy", {"policy": _doc("ec2:*")})],
		[
			_change("aws_iam_role.backup", {"permissions_boundary": true}),
			_change("aws_iam_policy.b", {"arn": true}),
		],
		[_role_config({"permissions_boundary": {"references": ["aws_iam_policy.b.arn", "aws_iam_policy.b"]}})],
	)
	terraform.roles["aws_iam_role.backup"].permissions_boundary == {"arn": "aws_iam_policy.b", "document": _doc("ec2:*")} with input as plan
}

test_unknown_boundary_allows_nothing if {
	arn := "arn:aws:iam::aws:policy/PowerUserAccess"
	plan := _plan([_role({"permissions_boundary": arn})], [_role_change], [_role_config({})])
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.permissions_boundary == {"arn": arn, "document": {"Version": "2012-10-17", "Statement": []}}
	[u.layer | some u in model.unknowns] == ["boundary"]
}

test_unknown_trust_policy if {
	plan := _plan(
		[_role({"assume_role_policy": null})],
		[_change("aws_iam_role.backup", {"assume_role_policy": true})],
		[_role_config({"assume_role_policy": {"references": ["var.trust"]}})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.trust_policy == {"Version": "2012-10-17", "Statement": []}
	model.unknowns == [{"layer": "trust", "what": "aws_iam_role.backup.assume_role_policy is known only after apply"}]
}

test_child_module_references_resolve_within_the_module if {
	plan := {
		"format_version": "1.2",
		"planned_values": {"root_module": {"child_modules": [{
			"address": "module.veeam",
			"resources": [
				object.union(_role({}), {"address": "module.veeam.aws_iam_role.backup"}),
				_resource("module.veeam.aws_iam_policy.p", "aws_iam_policy", {"policy": _doc("ec2:CreateTags")}),
				_resource("module.veeam.aws_iam_role_policy_attachment.p", "aws_iam_role_policy_attachment", {"role": "Backup"}),
			],
		}]}},
		"resource_changes": [_change("module.veeam.aws_iam_role_policy_attachment.p", {"policy_arn": true})],
		"configuration": {"root_module": {"module_calls": {"veeam": {"module": {"resources": [_config(
			"aws_iam_role_policy_attachment.p", "aws_iam_role_policy_attachment",
			{"policy_arn": {"references": ["aws_iam_policy.p.arn", "aws_iam_policy.p"]}},
		)]}}}}},
	}
	[p.name | some p in terraform.roles["module.veeam.aws_iam_role.backup"].policies] == ["module.veeam.aws_iam_policy.p"] with input as plan
}

# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------

test_untagged_roles_are_ignored_and_the_plan_warns if {
	plan := _plan([_role({"tags": null})], [_role_change], [_role_config({})])
	terraform.deny == set() with input as plan
	count(terraform.warn) == 1 with input as plan
	some msg in terraform.warn with input as plan
	startswith(msg, "no IAM role in this plan is selected")
}

test_role_listed_in_data_is_selected if {
	plan := _plan([_role({"tags": null})], [_role_change], [_role_config({})])
	terraform.deny == {"aws_iam_role.backup: unknown requirement set \"nope\" (known: ec2_backup, worker_production)"} with input as plan
		with data.vbaws_config as {"roles": {"Backup": {"checks": ["nope"]}}}
}

test_unsupported_format_version_is_denied if {
	terraform.deny == {"the input is not a Terraform plan this check can read (format_version \"2.0\"; expected 1.x from `terraform show -json PLANFILE`)"} with input as {"format_version": "2.0", "planned_values": {}}
	terraform.warn == set() with input as {"format_version": "2.0", "planned_values": {}}
}

# ---------------------------------------------------------------------------------------------
# Values known only after apply
# ---------------------------------------------------------------------------------------------

_deferred_document(address) := {
	"address": address,
	"mode": "data",
	"type": "aws_iam_policy_document",
	"name": split(address, ".")[2],
	"values": {"version": null},
}

test_policies_whose_documents_are_known_only_after_apply if {
	plan := _plan(
		[
			_role({"inline_policy": []}),
			_deferred_document("data.aws_iam_policy_document.d"),
			_resource("aws_iam_role_policy.deferred", "aws_iam_role_policy", {"role": "Backup"}),
			_resource("aws_iam_policy.later", "aws_iam_policy", {"name": "later"}),
			_resource("aws_iam_role_policy_attachment.later", "aws_iam_role_policy_attachment", {"role": "Backup"}),
			_resource("aws_iam_role_policy_attachment.var", "aws_iam_role_policy_attachment", {"role": "Backup"}),
		],
		[
			_change("aws_iam_role.backup", {"inline_policy": true, "managed_policy_arns": [false, true]}),
			_change("data.aws_iam_policy_document.d", {"json": true}),
			_change("aws_iam_role_policy.deferred", {"policy": true, "name": true}),
			_change("aws_iam_policy.later", {"arn": true, "policy": true}),
			_change("aws_iam_role_policy_attachment.later", {"policy_arn": true}),
			_change("aws_iam_role_policy_attachment.var", {"policy_arn": true}),
		],
		[
			_role_config({
				"inline_policy": [
					{"name": {"constant_value": "from-data"}, "policy": {"references": ["data.aws_iam_policy_document.d.json", "data.aws_iam_policy_document.d"]}},
					{"name": {"constant_value": "from-var"}, "policy": {"references": ["var.policy"]}},
				],
				"managed_policy_arns": {"references": ["var.arns"]},
			}),
			_config("aws_iam_role_policy.deferred", "aws_iam_role_policy", {"policy": {"references": ["data.aws_iam_policy_document.d.json", "data.aws_iam_policy_document.d"]}}),
			_config("aws_iam_role_policy_attachment.later", "aws_iam_role_policy_attachment", {"policy_arn": {"references": ["aws_iam_policy.later.arn", "aws_iam_policy.later"]}}),
			_config("aws_iam_role_policy_attachment.var", "aws_iam_role_policy_attachment", {"policy_arn": {"references": ["var.arn"]}}),
		],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.policies == []
	{u.what | some u in model.unknowns} == {
		"the policy of inline_policy \"from-data\" comes from data.aws_iam_policy_document.d, which is read only during apply",
		"the policy of inline_policy \"from-var\" is known only after apply",
		"aws_iam_role_policy.deferred.policy comes from data.aws_iam_policy_document.d, which is read only during apply",
		"the policy document of aws_iam_policy.later is known only after apply",
		"aws_iam_role_policy_attachment.var.policy_arn is known only after apply",
		"aws_iam_role.backup.managed_policy_arns is known only after apply",
		concat("", [
			"the Allow statements of what aws_iam_role_policy.deferred attaches ",
			"(aws_iam_role.backup sets inline_policy, which removes the inline policies its blocks do not hold)",
		]),
	}
}

test_reference_to_an_existing_policy_uses_its_arn if {
	arn := "arn:aws:iam::123456789012:policy/existing"
	plan := _plan(
		[
			_role({}),
			_resource("aws_iam_policy.existing", "aws_iam_policy", {"arn": arn, "policy": _doc("ec2:CreateTags")}),
			_resource("aws_iam_policy_attachment.all", "aws_iam_policy_attachment", {"policy_arn": arn}),
		],
		[_role_change, _change("aws_iam_policy_attachment.all", {"roles": true})],
		[
			_role_config({}),
			_config("aws_iam_policy_attachment.all", "aws_iam_policy_attachment", {"roles": {"references": ["aws_iam_role.backup.name", "aws_iam_role.backup"]}}),
		],
	)
	terraform.roles["aws_iam_role.backup"].policies == [{"name": arn, "type": "managed", "document": _doc("ec2:CreateTags")}] with input as plan
}

test_policy_attachment_by_role_names if {
	plan := _plan(
		[
			_role({}),
			_resource("aws_iam_policy_attachment.all", "aws_iam_policy_attachment", {"roles": ["Backup", "Other"], "policy_arn": "arn:aws:iam::aws:policy/X"}),
		],
		[_role_change], [_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
		with data.vbaws_managed_policies as {"arn:aws:iam::aws:policy/X": {"document": {"Statement": []}}}
	model.policies == [{"name": "arn:aws:iam::aws:policy/X", "type": "managed", "document": {"Statement": []}}]
}

test_reference_to_a_role_with_several_instances_may_name_each if {
	# role = aws_iam_role.backup[count.index].id: either instance may be the one; each counts
	# the policy's Deny statements (here none) and not its Allow statements.
	plan := _plan(
		[
			object.union(_role({"name": null}), {"address": "aws_iam_role.backup[0]", "index": 0}),
			object.union(_role({"name": null}), {"address": "aws_iam_role.backup[1]", "index": 1}),
			_resource("aws_iam_role_policy.p", "aws_iam_role_policy", {"policy": _doc("ec2:CreateTags")}),
		],
		[_change("aws_iam_role_policy.p", {"role": true, "name": true})],
		[
			_role_config({}),
			_config("aws_iam_role_policy.p", "aws_iam_role_policy", {"role": {"references": ["aws_iam_role.backup", "count.index"]}}),
		],
	)
	roles := terraform.roles with input as plan
	{id: [r.name, r.policies, r.unknowns] | some id, r in roles} == {id: [
		id, [{
			"name": "aws_iam_role_policy.p",
			"type": "inline",
			"document": {"Version": "2012-10-17", "Statement": []},
		}],
		[{
			"layer": "identity",
			"what": "the Allow statements of what aws_iam_role_policy.p attaches (its role is known only after apply and may name this role)",
		}],
	] |
		some id in ["aws_iam_role.backup[0]", "aws_iam_role.backup[1]"]
	}
}

test_role_policy_without_a_known_name_is_named_by_address if {
	plan := _plan(
		[_role({}), _resource("aws_iam_role_policy.p", "aws_iam_role_policy", {"role": "Backup", "policy": _doc("ec2:CreateTags")})],
		[_role_change, _change("aws_iam_role_policy.p", {"name": true})],
		[_role_config({})],
	)
	policies := terraform.roles["aws_iam_role.backup"].policies with input as plan
	{p.name | some p in policies} == {"aws_iam_role_policy.p"}
}

test_policy_documents_given_as_objects if {
	document := json.unmarshal(_doc("ec2:CreateTags"))
	plan := _plan(
		[_role({}), _resource("aws_iam_role_policy.p", "aws_iam_role_policy", {"name": "p", "role": "Backup", "policy": document})],
		[_role_change], [_role_config({})],
	)
	terraform.roles["aws_iam_role.backup"].policies == [{"name": "p", "type": "inline", "document": document}] with input as plan
}

test_reference_to_a_single_counted_instance if {
	plan := _plan(
		[
			_role({}),
			object.union(
				_resource("aws_iam_policy.p", "aws_iam_policy", {"policy": _doc("ec2:CreateTags")}),
				{"address": "aws_iam_policy.p[0]", "index": 0},
			),
			_resource("aws_iam_role_policy_attachment.p", "aws_iam_role_policy_attachment", {"role": "Backup"}),
		],
		[_role_change, _change("aws_iam_role_policy_attachment.p", {"policy_arn": true})],
		[
			_role_config({}),
			_config("aws_iam_role_policy_attachment.p", "aws_iam_role_policy_attachment", {"policy_arn": {"references": ["aws_iam_policy.p[0].arn", "aws_iam_policy.p"]}}),
		],
	)
	[p.name | some p in terraform.roles["aws_iam_role.backup"].policies] == ["aws_iam_policy.p[0]"] with input as plan
}
