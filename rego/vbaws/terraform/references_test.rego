package vbaws.terraform_test

import data.vbaws.terraform

# Values known only after apply whose expression is not a plain reference: what they may name
# can deny, and cannot be relied on to allow. Builders are in terraform_test.rego.

test_managed_policy_arns_that_also_refer_to_anything_else_are_unknown if {
	# [aws_iam_policy.a.arn, module.guard.deny_arn]: the module's ARN may be a Deny, and
	# var.x ? a.arn : b.arn lists the same references: a's Allow statements are not counted,
	# its Deny statements are.
	mixed := json.marshal({"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "*", "Resource": "*"},
		{"Effect": "Deny", "Action": "kms:*", "Resource": "*"},
	]})
	plan := _plan(
		[_role({}), _resource("aws_iam_policy.a", "aws_iam_policy", {"policy": mixed})],
		[_role_change, _change("aws_iam_policy.a", {"arn": true})],
		[_role_config({"managed_policy_arns": {"references": ["aws_iam_policy.a.arn", "aws_iam_policy.a", "module.guard.deny_arn", "module.guard"]}})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.policies == [{"name": "aws_iam_policy.a", "type": "managed", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]}}]
	model.unknowns == [{"layer": "identity", "what": "aws_iam_role.backup.managed_policy_arns is known only after apply"}]
}

test_managed_policy_arns_naming_one_instance_of_several if {
	# [aws_iam_policy.x["a"].arn] refers to x["a"] and to x: only x["a"] is listed, and
	# x["b"] counts with its Deny statements only.
	plan := _plan(
		[
			_role({}),
			object.union(_resource("aws_iam_policy.x", "aws_iam_policy", {"policy": _doc("ec2:CreateTags")}), {"address": "aws_iam_policy.x[\"a\"]"}),
			object.union(_resource("aws_iam_policy.x", "aws_iam_policy", {"policy": _doc("*")}), {"address": "aws_iam_policy.x[\"b\"]"}),
		],
		[_role_change, _change("aws_iam_policy.x[\"a\"]", {"arn": true}), _change("aws_iam_policy.x[\"b\"]", {"arn": true})],
		[_role_config({"managed_policy_arns": {"references": ["aws_iam_policy.x[\"a\"].arn", "aws_iam_policy.x[\"a\"]", "aws_iam_policy.x"]}})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	{[p.name, json.marshal(p.document)] | some p in model.policies} == {
		["aws_iam_policy.x[\"a\"]", json.marshal(_doc("ec2:CreateTags"))],
		["aws_iam_policy.x[\"b\"]", json.marshal({"Version": "2012-10-17", "Statement": []})],
	}
	model.unknowns == []
}

test_policy_arn_chosen_by_an_expression_is_unknown if {
	# policy_arn = var.restricted ? module.restricted.policy_arn : aws_iam_policy.full.arn
	plan := _plan(
		[
			_role({}),
			_resource("aws_iam_policy.full", "aws_iam_policy", {"policy": _doc("*")}),
			_resource("aws_iam_role_policy_attachment.a", "aws_iam_role_policy_attachment", {"role": "Backup"}),
		],
		[_role_change, _change("aws_iam_policy.full", {"arn": true}), _change("aws_iam_role_policy_attachment.a", {"policy_arn": true})],
		[
			_role_config({}),
			_config("aws_iam_role_policy_attachment.a", "aws_iam_role_policy_attachment", {"policy_arn": {"references": [
				"var.restricted", "module.restricted.policy_arn", "module.restricted", "aws_iam_policy.full.arn", "aws_iam_policy.full",
			]}}),
		],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.policies == [{"name": "aws_iam_policy.full", "type": "managed", "document": {"Version": "2012-10-17", "Statement": []}}]
	model.unknowns == [{"layer": "identity", "what": "aws_iam_role_policy_attachment.a.policy_arn is known only after apply"}]
}

test_boundary_chosen_by_an_expression_allows_nothing if {
	plan := _plan(
		[_role({}), _resource("aws_iam_policy.b", "aws_iam_policy", {"policy": _doc("*")})],
		[_change("aws_iam_role.backup", {"permissions_boundary": true}), _change("aws_iam_policy.b", {"arn": true})],
		[_role_config({"permissions_boundary": {"references": ["var.strict", "aws_iam_policy.b.arn", "aws_iam_policy.b"]}})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.permissions_boundary == {"arn": "aws_iam_role.backup.permissions_boundary", "document": {"Version": "2012-10-17", "Statement": []}}
	model.unknowns == [{"layer": "boundary", "what": "aws_iam_role.backup.permissions_boundary is known only after apply"}]
}

test_deny_attached_to_a_counted_role_denies_each_candidate if {
	deny := json.marshal({"Version": "2012-10-17", "Statement": [{"Sid": "DenyKms", "Effect": "Deny", "Action": "kms:*", "Resource": "*"}]})
	plan := _plan(
		[
			object.union(_role({"name": null, "inline_policy": [{"name": "all", "policy": _doc("*")}]}), {"address": "aws_iam_role.backup[0]", "index": 0}),
			object.union(_role({"name": null, "inline_policy": [{"name": "all", "policy": _doc("*")}]}), {"address": "aws_iam_role.backup[1]", "index": 1}),
			object.union(_resource("aws_iam_role_policy.deny", "aws_iam_role_policy", {"name": "deny", "policy": deny}), {"address": "aws_iam_role_policy.deny[0]"}),
			object.union(_resource("aws_iam_role_policy.deny", "aws_iam_role_policy", {"name": "deny", "policy": deny}), {"address": "aws_iam_role_policy.deny[1]"}),
		],
		[_change("aws_iam_role_policy.deny[0]", {"role": true}), _change("aws_iam_role_policy.deny[1]", {"role": true})],
		[
			_role_config({"inline_policy": [{"name": {"constant_value": "all"}, "policy": {}}]}),
			_config("aws_iam_role_policy.deny", "aws_iam_role_policy", {"role": {"references": ["aws_iam_role.backup", "count.index"]}}),
		],
	)
	every role in ["aws_iam_role.backup[0]", "aws_iam_role.backup[1]"] {
		report := terraform.reports[role] with input as plan
		report.checks.ec2_backup.denied == sort([a | some a in data.vbaws.requirements.ec2_backup.actions; startswith(a, "kms:")])
	}
}

test_role_name_from_a_module_output_may_name_any_role if {
	# role = module.x.role_name: nothing tells which role; a Deny it attaches counts everywhere.
	deny := json.marshal({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]})
	plan := _plan(
		[_role({}), _resource("aws_iam_role_policy.deny", "aws_iam_role_policy", {"name": "deny", "policy": deny})],
		[_role_change, _change("aws_iam_role_policy.deny", {"role": true})],
		[_role_config({}), _config("aws_iam_role_policy.deny", "aws_iam_role_policy", {"role": {"references": ["module.x.role_name", "module.x"]}})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.policies == [{"name": "deny", "type": "inline", "document": json.unmarshal(deny)}]
	[u.what | some u in model.unknowns] == ["the Allow statements of what aws_iam_role_policy.deny attaches (its role is known only after apply and may name this role)"]
}

test_policy_list_filtered_from_several_instances_surely_lists_none if {
	# managed_policy_arns = [for k, p in aws_iam_policy.x : p.arn if k != "full"]: the
	# references name x alone, never the filter; x["full"] may be left out, so nothing of x
	# is counted but its Deny statements.
	plan := _plan(
		[
			_role({}),
			object.union(_resource("aws_iam_policy.x", "aws_iam_policy", {"policy": _doc("*")}), {"address": "aws_iam_policy.x[\"full\"]"}),
			object.union(_resource("aws_iam_policy.x", "aws_iam_policy", {"policy": _doc("s3:GetObject")}), {"address": "aws_iam_policy.x[\"ro\"]"}),
		],
		[_role_change, _change("aws_iam_policy.x[\"full\"]", {"arn": true}), _change("aws_iam_policy.x[\"ro\"]", {"arn": true})],
		[_role_config({"managed_policy_arns": {"references": ["aws_iam_policy.x"]}})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	{p.name: p.document.Statement | some p in model.policies} == {"aws_iam_policy.x[\"full\"]": [], "aws_iam_policy.x[\"ro\"]": []}
	model.unknowns == [{"layer": "identity", "what": "aws_iam_role.backup.managed_policy_arns is known only after apply"}]
}

test_policy_list_over_a_whole_resource_of_one_instance_surely_lists_none if {
	# [for k, p in aws_iam_policy.x : p.arn if <known after apply>] finds x["full"] alone, and
	# may still leave it out: only a reference naming its key lists it for sure.
	plan := _plan(
		[_role({}), object.union(_resource("aws_iam_policy.x", "aws_iam_policy", {"policy": _doc("*")}), {"address": "aws_iam_policy.x[\"full\"]"})],
		[_role_change, _change("aws_iam_policy.x[\"full\"]", {"arn": true})],
		[_role_config({"managed_policy_arns": {"references": ["aws_iam_policy.x"]}})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	{p.name: p.document.Statement | some p in model.policies} == {"aws_iam_policy.x[\"full\"]": []}
}

test_role_list_filtered_from_several_instances_may_name_each if {
	# aws_iam_policy_attachment.roles = [for k, r in aws_iam_role.r : r.name if k == "a"]
	role := _role({"name": null, "inline_policy": [], "tags": {"vbaws:checks": "ec2_backup"}})
	plan := _plan(
		[
			object.union(role, {"address": "aws_iam_role.r[\"a\"]"}),
			object.union(role, {"address": "aws_iam_role.r[\"b\"]"}),
			_resource("aws_iam_policy_attachment.att", "aws_iam_policy_attachment", {"name": "att", "policy_arn": "arn:aws:iam::123456789012:policy/full"}),
		],
		[_change("aws_iam_policy_attachment.att", {"roles": true})],
		[_config("aws_iam_policy_attachment.att", "aws_iam_policy_attachment", {"roles": {"references": ["aws_iam_role.r"]}})],
	)
	managed := {"arn:aws:iam::123456789012:policy/full": {"document": json.unmarshal(_doc("*"))}}
	every address in ["aws_iam_role.r[\"a\"]", "aws_iam_role.r[\"b\"]"] {
		model := terraform.roles[address] with input as plan with data.vbaws_managed_policies as managed
		model.policies == [{"name": "arn:aws:iam::123456789012:policy/full", "type": "managed", "document": {"Version": "2012-10-17", "Statement": []}}]
		[u.what | some u in model.unknowns] == ["the Allow statements of what aws_iam_policy_attachment.att attaches (its roles is known only after apply and may name this role)"]
	}
}

test_unknown_policy_follows_only_the_document_of_what_it_mentions if {
	# policy = jsonencode({... Resource = aws_iam_policy.full.arn}) mentions full, and is
	# another document; policy = aws_iam_policy.full.policy is full's document.
	by_arn := terraform.roles["aws_iam_role.backup"] with input as _policy_mentioning(["aws_iam_policy.full.arn", "aws_iam_policy.full"])
	by_arn.policies == []
	by_arn.unknowns == [{"layer": "identity", "what": "aws_iam_role_policy.read.policy is known only after apply"}]

	by_document := terraform.roles["aws_iam_role.backup"] with input as _policy_mentioning(["aws_iam_policy.full.policy", "aws_iam_policy.full"])
	by_document.policies == [{"name": "read", "type": "inline", "document": _doc("*")}]
}

# aws_iam_role_policy.read with a policy known only after apply, whose expression has these
# references, beside aws_iam_policy.full (allows everything).
_policy_mentioning(refs) := _plan(
	[
		_role({}),
		_resource("aws_iam_policy.full", "aws_iam_policy", {"name": "full", "policy": _doc("*")}),
		_resource("aws_iam_role_policy.read", "aws_iam_role_policy", {"name": "read", "role": "Backup"}),
	],
	[_role_change, _change("aws_iam_role_policy.read", {"policy": true})],
	[_role_config({}), _config("aws_iam_role_policy.read", "aws_iam_role_policy", {"policy": {"references": refs}})],
)

test_role_list_with_an_element_known_only_after_apply_may_name_any_role if {
	# aws_iam_policy_attachment.roles = ["Other", var.extra_role]: the Deny may apply to Backup.
	deny := {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]}
	arn := "arn:aws:iam::123456789012:policy/deny"
	plan := _plan(
		[_role({}), _resource("aws_iam_policy_attachment.att", "aws_iam_policy_attachment", {"name": "att", "policy_arn": arn, "roles": ["Other", null]})],
		[_role_change, _change("aws_iam_policy_attachment.att", {"roles": [false, true]})],
		[_role_config({}), _config("aws_iam_policy_attachment.att", "aws_iam_policy_attachment", {"roles": {"references": ["var.extra_role"]}})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan with data.vbaws_managed_policies as {arn: {"document": deny}}
	model.policies == [{"name": arn, "type": "managed", "document": deny}]
	[u.what | some u in model.unknowns] == ["the Allow statements of what aws_iam_policy_attachment.att attaches (its roles is known only after apply and may name this role)"]
}

# An aws_iam_policy the plan creates or replaces has no ARN before apply, yet may take the ARN
# a data source (or data.vbaws_managed_policies) holds an older document for.
test_a_policy_the_plan_replaces_makes_the_document_read_for_its_arn_unknown if {
	arn := "arn:aws:iam::123456789012:policy/veeam-backup"
	what := sprintf("the policy document of %s may be that of aws_iam_policy.p, which this plan creates with its ARN known only after apply", [arn])
	replaced := {"name": "Veeam-Backup", "path": "/", "policy": _doc("s3:GetObject")}
	plan := _with_policy_data(_plan_attaching(arn, replaced, {"arn": true}), arn, _doc("*"))
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.policies == []
	model.unknowns == [{"layer": "identity", "what": what}]

	by_prefix := _plan_attaching(arn, {"name_prefix": "veeam-", "policy": _doc("s3:GetObject")}, {"arn": true, "name": true})
	managed := terraform.roles["aws_iam_role.backup"] with input as by_prefix
		with data.vbaws_managed_policies as {arn: {"document": json.unmarshal(_doc("*"))}}
	managed.unknowns == [{"layer": "identity", "what": what}]
}

test_a_policy_the_plan_creates_elsewhere_leaves_the_document_read_for_an_arn if {
	arn := "arn:aws:iam::123456789012:policy/veeam-backup"
	other_path := _with_policy_data(_plan_attaching(arn, {"name": "veeam-backup", "path": "/x/", "policy": _doc("s3:*")}, {"arn": true}), arn, _doc("*"))
	same := _with_policy_data(_plan_attaching(arn, {"name": "veeam-backup", "path": "/", "policy": _doc("*")}, {"arn": true}), arn, _doc("*"))
	every plan in [other_path, same] {
		model := terraform.roles["aws_iam_role.backup"] with input as plan
		model.policies == [{"name": arn, "type": "managed", "document": _doc("*")}]
		model.unknowns == []
	}
}

# The provider names a policy configured with neither name nor name_prefix "terraform-<id>":
# it cannot take veeam-backup's ARN. One named by an expression known only after apply may.
test_a_policy_named_by_the_provider_takes_no_written_out_name if {
	arn := "arn:aws:iam::123456789012:policy/veeam-backup"
	unnamed := terraform.roles["aws_iam_role.backup"] with input as _unnamed_policy_plan(arn, {"policy": {"constant_value": _doc("s3:GetObject")}})
	unnamed.policies == [{"name": arn, "type": "managed", "document": _doc("*")}]
	unnamed.unknowns == []
	named := terraform.roles["aws_iam_role.backup"] with input as _unnamed_policy_plan(arn, {"name": {"references": ["var.name"]}})
	named.policies == []
}

_unnamed_policy_plan(arn, expressions) := object.union(
	_with_policy_data(_plan_attaching(arn, {"policy": _doc("s3:GetObject")}, {"arn": true, "name": true, "name_prefix": true}), arn, _doc("*")),
	{"configuration": {"root_module": {"resources": [_role_config({}), _config("aws_iam_policy.p", "aws_iam_policy", expressions)]}}},
)

# role = aws_iam_role.r[1].name on a counted role named only at apply (name_prefix): Terraform
# lists aws_iam_role.r[1].name, aws_iam_role.r[1] and aws_iam_role.r; the reference names r[1]
# alone, and r[0] gets nothing of it (a real plan, Terraform 1.11 and AWS provider 5.100).
test_reference_to_one_counted_role_names_that_instance if {
	deny := {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]}
	arn := "arn:aws:iam::123456789012:policy/deny"
	role := _role({"name": null, "tags": {"vbaws:checks": "ec2_backup"}})
	plan := _plan(
		[
			object.union(role, {"address": "aws_iam_role.r[0]"}),
			object.union(role, {"address": "aws_iam_role.r[1]"}),
			_resource("aws_iam_role_policy_attachment.deny1", "aws_iam_role_policy_attachment", {"policy_arn": arn}),
		],
		[
			_change("aws_iam_role.r[0]", {"name": true}),
			_change("aws_iam_role.r[1]", {"name": true}),
			_change("aws_iam_role_policy_attachment.deny1", {"role": true}),
		],
		[
			object.union(_role_config({"name_prefix": {"constant_value": "backup-"}}), {"address": "aws_iam_role.r", "name": "r"}),
			_config("aws_iam_role_policy_attachment.deny1", "aws_iam_role_policy_attachment", {"role": {"references": ["aws_iam_role.r[1].name", "aws_iam_role.r[1]", "aws_iam_role.r"]}}),
		],
	)
	first := terraform.roles["aws_iam_role.r[0]"] with input as plan with data.vbaws_managed_policies as {arn: {"document": deny}}
	[first.policies, first.unknowns] == [[], []]
	second := terraform.roles["aws_iam_role.r[1]"] with input as plan with data.vbaws_managed_policies as {arn: {"document": deny}}
	[second.policies, second.unknowns] == [[{"name": arn, "type": "managed", "document": deny}], []]
}

# role = one(setsubtract(aws_iam_role.r[*].name, [aws_iam_role.r[0].name])) names r[1], not
# r[0]: Terraform lists aws_iam_role.r, aws_iam_role.r[0].name, aws_iam_role.r[0] and
# aws_iam_role.r, the splat's listing of aws_iam_role.r without a key (a real plan and apply,
# Terraform 1.11 and AWS provider 5.100: r[1] got the Deny). It may name either instance.
test_reference_to_every_counted_role_beside_one_names_any if {
	plan := _counted_deny_plan(["aws_iam_role.r", "aws_iam_role.r[0].name", "aws_iam_role.r[0]", "aws_iam_role.r"])
	models := [model |
		some name in ["aws_iam_role.r[0]", "aws_iam_role.r[1]"]
		model := terraform.roles[name] with input as plan
			with data.vbaws_managed_policies as {_counted_deny_arn: {"document": _counted_deny}}
	]
	count(models) == 2
	every model in models {
		[s.Effect | some p in model.policies; some s in p.document.Statement] == ["Deny"]
		model.unknowns == [{"layer": "identity", "what": concat("", [
			"the Allow statements of what aws_iam_role_policy_attachment.deny attaches ",
			"(its role is known only after apply and may name this role)",
		])}]
	}
}

_counted_deny := {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]}

_counted_deny_arn := "arn:aws:iam::123456789012:policy/deny"

_counted_deny_plan(references) := _plan(
	[
		object.union(_role({"name": null, "tags": {"vbaws:checks": "ec2_backup"}}), {"address": "aws_iam_role.r[0]"}),
		object.union(_role({"name": null, "tags": {"vbaws:checks": "ec2_backup"}}), {"address": "aws_iam_role.r[1]"}),
		_resource("aws_iam_role_policy_attachment.deny", "aws_iam_role_policy_attachment", {"policy_arn": _counted_deny_arn}),
	],
	[
		_change("aws_iam_role.r[0]", {"name": true}),
		_change("aws_iam_role.r[1]", {"name": true}),
		_change("aws_iam_role_policy_attachment.deny", {"role": true}),
	],
	[
		object.union(_role_config({"name_prefix": {"constant_value": "backup-"}}), {"address": "aws_iam_role.r", "name": "r"}),
		_config("aws_iam_role_policy_attachment.deny", "aws_iam_role_policy_attachment", {"role": {"references": references}}),
	],
)

# managed_policy_arns = [for k, p in aws_iam_policy.x : p.arn if p.arn != aws_iam_policy.x["a"].arn]
# lists aws_iam_policy.x, x["a"].arn, x["a"] and x: it leaves x["a"] out and may list x["b"]; it
# surely lists neither.
test_managed_policy_arns_filtering_out_one_instance_lists_none_surely if {
	plan := _plan(
		[
			_role({}),
			object.union(_resource("aws_iam_policy.x", "aws_iam_policy", {"policy": _doc("*")}), {"address": "aws_iam_policy.x[\"a\"]"}),
			object.union(_resource("aws_iam_policy.x", "aws_iam_policy", {"policy": _doc("ec2:CreateTags")}), {"address": "aws_iam_policy.x[\"b\"]"}),
		],
		[_role_change, _change("aws_iam_policy.x[\"a\"]", {"arn": true}), _change("aws_iam_policy.x[\"b\"]", {"arn": true})],
		[_role_config({"managed_policy_arns": {"references": [
			"aws_iam_policy.x", "aws_iam_policy.x[\"a\"].arn", "aws_iam_policy.x[\"a\"]", "aws_iam_policy.x",
		]}})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	{[p.name, json.marshal(p.document)] | some p in model.policies} == {
		["aws_iam_policy.x[\"a\"]", json.marshal({"Version": "2012-10-17", "Statement": []})],
		["aws_iam_policy.x[\"b\"]", json.marshal({"Version": "2012-10-17", "Statement": []})],
	}
	model.unknowns == [{"layer": "identity", "what": "aws_iam_role.backup.managed_policy_arns is known only after apply"}]
}
