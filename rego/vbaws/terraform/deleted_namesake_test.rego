package vbaws.terraform_test

import data.vbaws.terraform

# A namesake the plan deletes deletes the selected role's IAM role.
_dn_deleted(name) := {
	"address": "aws_iam_role.copy",
	"mode": "managed",
	"type": "aws_iam_role",
	"change": {"actions": ["delete"], "before": {"name": name}, "after": null, "after_unknown": {}},
}

_dn_kept := {
	"address": "aws_iam_role.backup",
	"mode": "managed",
	"type": "aws_iam_role",
	"change": {"actions": ["no-op"], "before": {"name": "Backup"}, "after": {"name": "Backup"}, "after_unknown": {}},
}

_dn_plan(backup, deleted, provider_keys) := object.union(
	_plan([_role({"inline_policy": [{"name": "all", "policy": _doc("*")}]})], [backup, deleted], [_role_config({})]),
	{"configuration": {"provider_config": {key: {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws"} |
		some key in provider_keys
	}}},
)

_dn_message(verb) := sprintf(
	"aws_iam_role.backup: this plan deletes aws_iam_role.copy, which manages the IAM role of this name too: the apply %s this role (see docs/conftest.md)",
	[verb],
)

test_a_namesake_the_plan_deletes_deletes_the_role if {
	terraform.deny == {_dn_message("deletes")} with input as _dn_plan(_dn_kept, _dn_deleted("BACKUP"), ["aws"])
	terraform.warn == {_dn_message("may delete")} with input as _dn_plan(_dn_kept, _dn_deleted("Backup"), ["aws", "aws.b"])
}

test_a_deleted_role_of_another_name_or_a_role_created_anew_is_not_named if {
	terraform.deny == set() with input as _dn_plan(_dn_kept, _dn_deleted("Other"), ["aws"])
	created := object.union(_dn_kept, {"change": {"actions": ["create"], "before": null}})
	terraform.deny == set() with input as _dn_plan(created, _dn_deleted("Backup"), ["aws"])
}
