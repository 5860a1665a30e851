package vbaws.terraform_test

import data.vbaws.terraform

# What a plan tells of a role's tags: whether vbaws:checks can be told (selection), and whether
# aws:PrincipalTag conditions can be decided. Builders are in terraform_test.rego.

test_a_role_whose_tags_are_known_only_after_apply_is_not_passed_over_in_silence if {
	unknown := terraform.warn with input as _unsure_plan({"tags_all": {"vbaws:checks": true}})
	count({msg | some msg in unknown; startswith(msg, "aws_iam_role.unsure: its tags are known only after apply")}) == 1
	known := terraform.warn with input as _unsure_plan({"tags_all": {}})
	every msg in known {
		not startswith(msg, "aws_iam_role.unsure")
	}
}

# A new role without tags (Terraform 1.11, AWS provider 5.100: tags null, tags_all unknown as a
# whole) has none, unless its provider configuration adds default_tags or hides tags.
test_a_new_role_without_tags_has_none if {
	untagged := terraform.warn with input as _untagged_plan({})
	every msg in untagged {
		not startswith(msg, "aws_iam_role.unsure")
	}
	every arguments in [{"default_tags": [{"tags": {"references": ["var.tags"]}}]}, {"ignore_tags": [{}]}] {
		_warns_unsure_tags(terraform.warn) with input as _untagged_plan(arguments)
	}
}

_untagged_plan(arguments) := object.union(_unsure_plan({"tags_all": true}), {"configuration": {
	"provider_config": {"aws": {"name": "aws", "expressions": arguments}},
	"root_module": {"resources": [
		_with_provider(_role_config({}), "aws"),
		_with_provider(_config("aws_iam_role.unsure", "aws_iam_role", {"name": {"constant_value": "Unsure"}}), "aws"),
	]},
}})

_warns_unsure_tags(warnings) if {
	count({msg | some msg in warnings; startswith(msg, "aws_iam_role.unsure: its tags are known only after apply")}) == 1
}

# A selected role beside one whose tags carry the given after_unknown marks.
_unsure_plan(marks) := _plan(
	[_role({}), _resource("aws_iam_role.unsure", "aws_iam_role", {"name": "Unsure", "assume_role_policy": _trust})],
	[_role_change, _change("aws_iam_role.unsure", marks)],
	[_role_config({})],
)

test_a_tag_known_only_after_apply_leaves_the_tags_incomplete if {
	# tags = {"vbaws:checks" = "ec2_backup", env = var.env_from_resource}: env is left out of
	# the values, so a condition on aws:PrincipalTag/env cannot be decided from them.
	tags := {"vbaws:checks": "ec2_backup"}
	plan := _plan(
		[_role({"tags": tags, "tags_all": tags})],
		[_change("aws_iam_role.backup", {"tags": {"env": true}, "tags_all": {"env": true}})],
		[_role_config({})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	[model.tags, model.tags_known] == [tags, false]
}

# ignore_tags in the provider configuration leaves tags of those keys out of tags_all, and
# the role may carry them (set outside Terraform): a Deny on aws:PrincipalTag/team must not
# read as never applying.
test_ignore_tags_of_the_provider_leave_the_tags_incomplete if {
	tags := {"vbaws:checks": "ec2_backup"}
	plan := object.union(
		_plan([_role({"tags": tags, "tags_all": tags})], [_role_change], [object.union(_role_config({}), {"provider_config_key": "aws"})]),
		{"configuration": {"provider_config": {"aws": {"name": "aws", "expressions": {"ignore_tags": [{"keys": {"constant_value": ["team"]}}]}}}}},
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	[model.tags, model.tags_known] == [tags, false]

	# A provider configuration without ignore_tags: tags_all holds every tag.
	plain := json.patch(plan, [{"op": "remove", "path": "/configuration/provider_config/aws/expressions/ignore_tags"}])
	terraform.roles["aws_iam_role.backup"].tags_known with input as plain
}

# ignore_tags that covers vbaws:checks leaves the tag out of the plan while the role may carry it
# (set outside Terraform): the role went unchecked with no word. Whether it is selected cannot
# be told, which a warn says; ignore_tags of other keys says nothing of it.
test_ignore_tags_that_may_cover_the_checks_tag_is_warned if {
	plan := object.union(
		_plan([_role({"tags": null, "tags_all": null})], [_role_change], [object.union(_role_config({}), {"provider_config_key": "aws"})]),
		{"configuration": {"provider_config": {"aws": {"name": "aws", "expressions": {"ignore_tags": [{"keys": {"constant_value": ["team"]}}]}}}}},
	)
	warned := "aws_iam_role.backup: its provider configuration's ignore_tags may leave vbaws:checks out of the plan, so whether it carries it cannot be told; list it in data.vbaws_config.roles to check it (see docs/conftest.md)"
	not warned in terraform.warn with input as plan
	every block in [
		{"keys": {"constant_value": ["team", "vbaws:checks"]}},
		{"key_prefixes": {"constant_value": ["vbaws:"]}},
		{"keys": {"references": ["var.ignored"]}},
	] {
		covering := json.patch(plan, [{"op": "replace", "path": "/configuration/provider_config/aws/expressions/ignore_tags", "value": [block]}])
		warned in terraform.warn with input as covering
	}
}
