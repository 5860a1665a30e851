package vbaws.terraform_test

import data.vbaws.terraform

# What a plan leaves behind, not what it starts from: the role mapping when state and plan
# disagree, and values Terraform knows only after apply. Builders are in terraform_test.rego.

test_inline_blocks_from_state_yield_to_the_plans_role_policies if {
	# Without inline_policy in the configuration the provider fills the blocks in from the
	# role's current inline policies: "narrowed" and "gone" show their old documents there,
	# while the plan rewrites the first and deletes the second.
	plan := object.union(
		_plan(
			[
				_role({"inline_policy": [
					{"name": "narrowed", "policy": _doc(["ec2:CreateTags", "ec2:DeleteTags"])},
					{"name": "gone", "policy": _doc("kms:CreateGrant")},
					{"name": "unmanaged", "policy": _doc("sqs:ListQueues")},
				]}),
				_resource("aws_iam_role_policy.narrowed", "aws_iam_role_policy", {"name": "narrowed", "role": "Backup", "policy": _doc("ec2:CreateTags")}),
			],
			[_change("aws_iam_role.backup", {})],
			[_role_config({})],
		),
		{"resource_changes": [{
			"address": "aws_iam_role_policy.gone",
			"type": "aws_iam_role_policy",
			"change": {"actions": ["delete"], "before": {"name": "gone", "role": "Backup", "policy": _doc("kms:CreateGrant")}},
		}]},
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	{p.name: [s.Action | some s in _as_doc(p.document).Statement] | some p in model.policies} == {
		"narrowed": ["ec2:CreateTags"],
		"unmanaged": ["sqs:ListQueues"],
	}
	model.unknowns == []

	# With another provider configuration the deleted policy's old state does not tell its
	# account: it may have been another role's of that name, so "gone" keeps its Deny statements.
	# So it is with a module's block setting only a region when the root assumes a role (it
	# inherits none of the root's arguments), and with hashicorp/aws under another local name.
	accounts := json.patch(plan, [{"op": "add", "path": "/configuration/provider_config", "value": {
		"aws": {"name": "aws"},
		"aws.b": {"name": "aws", "alias": "b", "expressions": {"profile": {"constant_value": "b"}}},
	}}])
	regional := json.patch(plan, [{"op": "add", "path": "/configuration/provider_config", "value": {
		"aws": {"name": "aws", "expressions": {"assume_role": [{"role_arn": {"constant_value": "arn:aws:iam::222222222222:role/Deploy"}}]}},
		"module.m:aws": {"name": "aws", "module_address": "module.m", "expressions": {"region": {"constant_value": "eu-west-1"}}},
	}}])
	renamed := json.patch(plan, [{"op": "add", "path": "/configuration/provider_config", "value": {
		"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws"},
		"amazon": {"name": "amazon", "full_name": "registry.terraform.io/hashicorp/aws"},
	}}])
	either := terraform.roles["aws_iam_role.backup"] with input as accounts
	every other in [regional, renamed] {
		terraform.roles["aws_iam_role.backup"] == either with input as other
	}
	{p.name: [s.Action | some s in _as_doc(p.document).Statement] | some p in either.policies} == {
		"narrowed": ["ec2:CreateTags"],
		"unmanaged": ["sqs:ListQueues"],
		"gone": [],
	}
	[u.what | some u in either.unknowns] == [concat("", [
		"the Allow statements of gone, which aws_iam_role_policy.gone removes from this role ",
		"(this plan deletes it, and deleting it deletes the inline policy, whatever else attaches it)",
	])]
}

# Renaming an aws_iam_role_policy replaces it, destroying first: the old name is gone from
# the role, so its block from state no longer counts (it once did, in full).
test_a_renamed_role_policy_leaves_nothing_of_its_old_name if {
	plan := object.union(
		_plan(
			[
				_role({"inline_policy": [{"name": "old", "policy": _doc("*")}]}),
				_resource("aws_iam_role_policy.p", "aws_iam_role_policy", {"name": "new", "role": "Backup", "policy": _doc("ec2:CreateTags")}),
			],
			[_with_actions(_change("aws_iam_role.backup", {}), ["no-op"])],
			[_role_config({})],
		),
		{"resource_changes": [{
			"address": "aws_iam_role_policy.p",
			"type": "aws_iam_role_policy",
			"change": {
				"actions": ["delete", "create"],
				"before": {"name": "old", "role": "Backup", "policy": _doc("*")},
				"after": {"name": "new", "role": "Backup", "policy": _doc("ec2:CreateTags")},
			},
		}]},
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	[[p.name, _as_doc(p.document).Statement[0].Action] | some p in model.policies] == [["new", "ec2:CreateTags"]]

	# With several provider configurations it counts with its Deny statements only (none).
	accounts := json.patch(plan, [{"op": "add", "path": "/configuration/provider_config", "value": {
		"aws": {"name": "aws"},
		"aws.b": {"name": "aws", "alias": "b", "expressions": {"profile": {"constant_value": "b"}}},
	}}])
	{p.name: [s.Action | some s in _as_doc(p.document).Statement] | some p in terraform.roles["aws_iam_role.backup"].policies} == {
		"new": ["ec2:CreateTags"],
		"old": [],
	} with input as accounts
}

test_inline_block_from_state_keeps_its_denies_against_a_policy_that_may_name_the_role if {
	# role = "Backup" under provider aws.b (maybe another account) may or may not write over
	# the role's own "guard": its Deny statements stay, its Allow statements are not counted.
	plan := _plan(
		[
			_role({"inline_policy": [{"name": "guard", "policy": _allow_and_deny}]}),
			_resource("aws_iam_role_policy.guard_b", "aws_iam_role_policy", {"name": "guard", "role": "Backup", "policy": _doc("s3:*")}),
		],
		[_with_actions(_change("aws_iam_role.backup", {}), ["no-op"])],
		[
			_with_provider(_role_config({}), "aws"),
			_with_provider(_config("aws_iam_role_policy.guard_b", "aws_iam_role_policy", {"role": {"constant_value": "Backup"}}), "aws.b"),
		],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	{[p.name, json.marshal(p.document)] | some p in model.policies} == {
		["guard", json.marshal({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]})],
		["guard", json.marshal({"Version": "2012-10-17", "Statement": []})],
	}
	maybe := "its role names a role of this name, maybe this one, from another module or provider configuration"
	{u.what | some u in model.unknowns} == {
		sprintf("the Allow statements of guard, which aws_iam_role_policy.guard_b may write with another document (%s)", [maybe]),
		sprintf("the Allow statements of what aws_iam_role_policy.guard_b attaches (%s)", [maybe]),
	}
}

test_policy_text_naming_a_key_twice_is_not_the_same_document if {
	# guard_b's text reads as the role's own block by its last "Statement", but which value IAM
	# keeps cannot be told: it may write another document.
	repeated := concat("", [`{"Statement": [], `, trim_prefix(_allow_and_deny, "{")])
	plan := _plan(
		[
			_role({"inline_policy": [{"name": "guard", "policy": _allow_and_deny}]}),
			_resource("aws_iam_role_policy.guard_b", "aws_iam_role_policy", {"name": "guard", "role": "Backup", "policy": repeated}),
		],
		[_with_actions(_change("aws_iam_role.backup", {}), ["no-op"])],
		[
			_with_provider(_role_config({}), "aws"),
			_with_provider(_config("aws_iam_role_policy.guard_b", "aws_iam_role_policy", {"role": {"constant_value": "Backup"}}), "aws.b"),
		],
	)
	maybe := "its role names a role of this name, maybe this one, from another module or provider configuration"
	sprintf("the Allow statements of guard, which aws_iam_role_policy.guard_b may write with another document (%s)", [maybe]) in {u.what |
		some u in terraform.roles["aws_iam_role.backup"].unknowns
	} with input as plan
}

test_configured_inline_blocks_are_the_truth if {
	plan := _plan(
		[
			_role({"inline_policy": [{"name": "a", "policy": _doc("ec2:CreateTags")}]}),
			_resource("aws_iam_role_policy.a", "aws_iam_role_policy", {"name": "a", "role": "Backup", "policy": _doc("ec2:DeleteTags")}),
		],
		[_role_change],
		[_role_config({"inline_policy": [{"name": {"constant_value": "a"}, "policy": {}}]})],
	)

	# The configuration sets inline_policy: the provider removes the inline policies its blocks do
	# not hold, and which of two documents of the same name stays depends on the order of apply.
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	{[p.name, count(_as_doc(p.document).Statement)] | some p in model.policies} == {["a", 0]}
	{u.what | some u in model.unknowns} == {
		"the Allow statements of a, which aws_iam_role_policy.a writes with another document (which one stays depends on the order of apply)",
		"the Allow statements of what aws_iam_role_policy.a attaches (aws_iam_role.backup sets inline_policy, which removes the inline policies its blocks do not hold)",
		"the policy of inline_policy \"a\" is known only after apply",
	}
}

_as_doc(d) := json.unmarshal(d) if is_string(d)

_as_doc(d) := d if not is_string(d)

test_unknown_policy_that_transforms_a_known_document_stays_unknown if {
	# policy = jsonencode(concat(jsondecode(data.x.json).Statement, [... aws_s3_bucket.b.arn ...])):
	# the data source's document is known, the policy is not, and is not that document.
	transformed := terraform.roles["aws_iam_role.backup"] with input as _policy_from_holder(["aws_s3_bucket.b.arn", "aws_s3_bucket.b"])
	transformed.policies == []
	transformed.unknowns == [{"layer": "identity", "what": "aws_iam_role_policy.p.policy is known only after apply"}]

	plain := terraform.roles["aws_iam_role.backup"] with input as _policy_from_holder([])
	plain.policies == [{"name": "p", "type": "inline", "document": _doc("ec2:*")}]
}

# A plan whose aws_iam_role_policy.p has an unknown policy referring to a known
# data.aws_iam_policy_document (and to extra_refs).
_policy_from_holder(extra_refs) := object.union(
	_plan(
		[_role({}), _resource("aws_iam_role_policy.p", "aws_iam_role_policy", {"name": "p", "role": "Backup"})],
		[_role_change, _change("aws_iam_role_policy.p", {"policy": true})],
		[
			_role_config({}),
			_config("aws_iam_role_policy.p", "aws_iam_role_policy", {"policy": {"references": array.concat(
				["data.aws_iam_policy_document.a.json", "data.aws_iam_policy_document.a"],
				extra_refs,
			)}}),
		],
	),
	{"prior_state": {"values": {"root_module": {"resources": [{
		"address": "data.aws_iam_policy_document.a",
		"mode": "data",
		"type": "aws_iam_policy_document",
		"name": "a",
		"values": {"json": _doc("ec2:*")},
	}]}}}},
)

test_unknown_boundary_without_configuration_allows_nothing if {
	plan := object.remove(
		_plan([_role({})], [_change("aws_iam_role.backup", {"permissions_boundary": true})], []),
		["configuration"],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.permissions_boundary.document == data.vbaws.lib.iac.empty_document
	[u.layer | some u in model.unknowns] == ["boundary"]
}

test_deposed_object_is_skipped if {
	# create_before_destroy: the old object is deposed and destroyed, at the same address.
	plan := _plan(
		[_role({})],
		[_role_change, {
			"address": "aws_iam_role.backup",
			"deposed": "0f1e2d3c",
			"change": {"actions": ["delete"], "after_unknown": {}},
		}],
		[_role_config({})],
	)
	terraform.roles["aws_iam_role.backup"].unknowns == [] with input as plan
}

test_policy_the_plan_rewrites_is_not_read_from_stale_data if {
	# The policy exists (its ARN is known) and the plan replaces its document with one known
	# only after apply: data.vbaws_managed_policies holds the old document.
	arn := "arn:aws:iam::123456789012:policy/veeam-backup"
	plan := _plan(
		[
			_role({}),
			_resource("aws_iam_policy.p", "aws_iam_policy", {"arn": arn}),
			_resource("aws_iam_role_policy_attachment.p", "aws_iam_role_policy_attachment", {"role": "Backup", "policy_arn": arn}),
		],
		[_role_change, _change("aws_iam_policy.p", {"policy": true})],
		[_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
		with data.vbaws_managed_policies as {arn: {"document": json.unmarshal(_doc("*"))}}
	model.policies == []
	model.unknowns == [{"layer": "identity", "what": sprintf("the policy document of aws_iam_policy.p (%s) is known only after apply", [arn])}]
}

test_policy_the_plan_rewrites_is_not_read_from_a_data_source_of_it if {
	# data.aws_iam_policy read while planning holds the document as it is before apply.
	arn := "arn:aws:iam::123456789012:policy/veeam-backup"
	plan := _with_policy_data(_plan_attaching(arn, {"arn": arn}, {"policy": true}), arn, _doc("*"))
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.policies == []
	model.unknowns == [{"layer": "identity", "what": sprintf("the policy document of aws_iam_policy.p (%s) is known only after apply", [arn])}]
}

test_policy_of_the_plan_wins_over_a_data_source_with_another_document if {
	arn := "arn:aws:iam::123456789012:policy/veeam-backup"
	plan := _with_policy_data(_plan_attaching(arn, {"arn": arn, "policy": _doc("s3:GetObject")}, {}), arn, _doc("*"))
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.policies == [{"name": arn, "type": "managed", "document": _doc("s3:GetObject")}]
	model.unknowns == []
}

# A plan attaching the ARN to the role, with aws_iam_policy.p of these values and marks.
_plan_attaching(arn, values, marks) := _plan(
	[
		_role({}),
		_resource("aws_iam_policy.p", "aws_iam_policy", values),
		_resource("aws_iam_role_policy_attachment.p", "aws_iam_role_policy_attachment", {"role": "Backup", "policy_arn": arn}),
	],
	[_role_change, _change("aws_iam_policy.p", marks)],
	[_role_config({})],
)

_with_policy_data(plan, arn, policy) := object.union(plan, {"prior_state": {"values": {"root_module": {"resources": [{
	"address": "data.aws_iam_policy.p",
	"mode": "data",
	"type": "aws_iam_policy",
	"name": "p",
	"values": {"arn": arn, "policy": policy},
}]}}}})

_module_role(key) := object.union(_role({"tags": null}), {"address": sprintf("module.legacy[%q].aws_iam_role.backup", [key])})

test_selection_by_address_without_instance_keys_selects_every_instance if {
	plan := _plan([_module_role("eu"), _module_role("us")], [], [])
	config := {"roles": {"module.legacy.aws_iam_role.backup": {}}}
	object.keys(terraform.reports) == {"module.legacy[\"eu\"].aws_iam_role.backup", "module.legacy[\"us\"].aws_iam_role.backup"} with input as plan
		with data.vbaws_config as config
	warnings := terraform.warn with input as plan with data.vbaws_config as config
	every msg in warnings {
		not contains(msg, "matches no role")
	}
}

test_selection_entry_that_matches_no_role_warns if {
	plan := _plan([_module_role("eu")], [], [])
	config := {"roles": {"module.legacy.aws_iam_role.backpu": {}, "SomeRoleName": {}}}
	warnings := terraform.warn with input as plan with data.vbaws_config as config
	{msg | some msg in warnings; contains(msg, "matches no role")} == {concat("", [
		"data.vbaws_config.roles entry \"module.legacy.aws_iam_role.backpu\" matches no role in this plan ",
		"(keys are resource addresses or logical ids, or role names known before apply); its role is not checked",
	])}
}

# `dynamic "inline_policy"` blocks are left out of the plan's configuration; a role the plan
# creates has blocks only from its configuration, so it sets inline_policy all the same, and an
# aws_iam_role_policy on it may be removed.
test_dynamic_inline_blocks_of_a_created_role_set_inline_policy if {
	plan := _plan(
		[
			_role({"inline_policy": [{"name": "only", "policy": _doc("ec2:CreateTags")}]}),
			_resource("aws_iam_role_policy.all", "aws_iam_role_policy", {"name": "all", "role": "Backup", "policy": _doc("*")}),
		],
		[_change("aws_iam_role.backup", {"arn": true, "id": true})],
		[_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	{[p.name, count(_as_doc(p.document).Statement)] | some p in model.policies} == {["only", 1], ["all", 0]}
	[u.what | some u in model.unknowns] == ["the Allow statements of what aws_iam_role_policy.all attaches (aws_iam_role.backup sets inline_policy, which removes the inline policies its blocks do not hold)"]

	# The same blocks on a role the plan does not create come from its state: nothing is set aside.
	kept := json.patch(plan, [{"op": "replace", "path": "/resource_changes/0/change/actions", "value": ["update"]}])
	{p.name | some p in terraform.roles["aws_iam_role.backup"].policies} == {"only", "all"} with input as kept
	terraform.roles["aws_iam_role.backup"].unknowns == [] with input as kept
}

# On a role the plan keeps, dynamic blocks show only in the change: the plan drops the policy
# that an aws_iam_role_policy put into the role's state (the provider removes it on apply).
test_dynamic_inline_blocks_of_a_kept_role_that_change_set_inline_policy if {
	full := {"name": "all", "policy": _doc("*")}
	only := {"name": "only", "policy": _doc("ec2:CreateTags")}
	change := {"address": "aws_iam_role.backup", "change": {
		"actions": ["update"],
		"before": {"name": "Backup", "inline_policy": [full]},
		"after": {"name": "Backup", "inline_policy": [only]},
		"after_unknown": {},
	}}
	plan := _plan(
		[
			_role({"inline_policy": [only]}),
			_resource("aws_iam_role_policy.all", "aws_iam_role_policy", {"name": "all", "role": "Backup", "policy": _doc("*")}),
		],
		[change],
		[_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	{[p.name, count(_as_doc(p.document).Statement)] | some p in model.policies} == {["only", 1], ["all", 0]}
	[u.what | some u in model.unknowns] == ["the Allow statements of what aws_iam_role_policy.all attaches (aws_iam_role.backup sets inline_policy, which removes the inline policies its blocks do not hold)"]

	# Blocks the plan leaves as they are come from the state: nothing is set aside.
	unchanged := json.patch(plan, [{"op": "replace", "path": "/resource_changes/0/change/after/inline_policy", "value": [full]}])
	{p.name | some p in terraform.roles["aws_iam_role.backup"].policies} == {"all"} with input as json.patch(unchanged, [{
		"op": "replace", "path": "/planned_values/root_module/resources/0/values/inline_policy", "value": [full],
	}])
}

# Two blocks of one name: with the same document they are one policy; with different
# documents each counts with its Deny statements only, since the provider keeps one of them.
test_inline_blocks_of_one_name if {
	deny := json.marshal({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]})
	clash := _plan([_role({"inline_policy": [{"name": "x", "policy": _doc("*")}, {"name": "x", "policy": deny}]})], [_role_change], [_role_config({})])
	model := terraform.roles["aws_iam_role.backup"] with input as clash
	{[p.name, json.marshal(_as_doc(p.document).Statement)] | some p in model.policies} == {
		["x", "[]"],
		["x", json.marshal(json.unmarshal(deny).Statement)],
	}
	[u.what | some u in model.unknowns] == [`the Allow statements of the inline_policy blocks named "x", which may hold different documents (the AWS provider keeps one of them)`]

	same := _plan([_role({"inline_policy": [{"name": "x", "policy": _doc("*")}, {"name": "x", "policy": _doc("*")}]})], [_role_change], [_role_config({})])
	[p.document | some p in terraform.roles["aws_iam_role.backup"].policies] == [_doc("*")] with input as same
	terraform.roles["aws_iam_role.backup"].unknowns == [] with input as same
}

# inline_policy blocks whose name is an expression (name = var.name) may have any name.
_named_by_variable := {"name": {"references": ["var.name"]}, "policy": {"references": ["aws_s3_bucket.b.arn", "aws_s3_bucket.b"]}}

test_a_block_known_only_after_apply_may_clash_with_a_known_one if {
	plan := _plan(
		[_role({"inline_policy": [{"name": "x", "policy": _doc("*")}, {"name": "x"}]})],
		[_change("aws_iam_role.backup", {"inline_policy": [{}, {"policy": true}]})],
		[_role_config({"inline_policy": [{"name": {"constant_value": "x"}, "policy": {"constant_value": _doc("*")}}, _named_by_variable]})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	[[p.name, p.document] | some p in model.policies] == [["x", {"Version": "2012-10-17", "Statement": []}]]
	{u.what | some u in model.unknowns} == {
		`the Allow statements of the inline_policy blocks named "x", which may hold different documents (the AWS provider keeps one of them)`,
	}
}

# With no planned block listed, a block named by an expression (an environment's name, say)
# is not taken for one of a constant name: the constant one keeps its document, the other is
# unknown. (Where the planned blocks are listed, two of one name clash, above.)
test_a_block_named_by_an_expression_is_not_taken_for_one_of_a_constant_name if {
	plan := _plan(
		[_role({})],
		[_change("aws_iam_role.backup", {"inline_policy": true})],
		[_role_config({"inline_policy": [{"name": {"constant_value": "x"}, "policy": {"constant_value": _doc("*")}}, _named_by_variable]})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	[p.name | some p in model.policies] == ["x"]
	{u.what | some u in model.unknowns} == {
		`the policy of inline_policy "" is known only after apply`,
		`aws_iam_role.backup.inline_policy may hold blocks of a dynamic "inline_policy" block, known only after apply`,
	}
}

test_a_plan_with_two_changes_of_one_instance_is_denied if {
	# Which change holds (and so what is unknown, or whether the role is replaced) cannot be told.
	plan := _plan(
		[_role({"tags": null})],
		[_role_change, _change("aws_iam_role.backup", {}), object.union(_change("aws_iam_role.backup", {}), {"deposed": "0f1e2d3c"})],
		[_role_config({})],
	)
	terraform.deny == {concat("", [
		"the input is not a Terraform plan this check can read (resource_changes lists aws_iam_role.backup more than once; ",
		"expected one change per instance, as `terraform show -json PLANFILE` writes)",
	])} with input as plan
}

# A dynamic "inline_policy" block whose for_each is known only after apply makes the whole set
# unknown, and the plan's configuration leaves it out: beside a block written out (allowing
# everything) it may add a Deny (a real plan and apply on moto, Terraform 1.11 and AWS provider
# 5.100: the plan passed, the role had the Deny). Blocks written out alone plan a known set.
test_an_unknown_set_beside_blocks_written_out_may_hold_dynamic_blocks if {
	config := [_role_config({"inline_policy": [{"name": {"constant_value": "all"}, "policy": {"constant_value": _doc("*")}}]})]
	dynamic := terraform.roles["aws_iam_role.backup"] with input as _plan([_role({})], [_change("aws_iam_role.backup", {"inline_policy": true})], config)
	[p.name | some p in dynamic.policies] == ["all"]
	dynamic.unknowns == [{"layer": "identity", "what": `aws_iam_role.backup.inline_policy may hold blocks of a dynamic "inline_policy" block, known only after apply`}]
	written := terraform.roles["aws_iam_role.backup"] with input as _plan(
		[_role({"inline_policy": [{"name": "all", "policy": _doc("*")}]})],
		[_change("aws_iam_role.backup", {"inline_policy": [{}]})],
		config,
	)
	[[p.name | some p in written.policies], written.unknowns] == [["all"], []]
}
