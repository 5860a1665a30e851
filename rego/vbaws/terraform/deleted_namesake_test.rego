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

# A namesake replaced under another name deletes the role's IAM role all the same (a real plan
# and apply against moto did), created before or after the delete.
test_a_namesake_the_plan_replaces_under_another_name_deletes_the_role if {
	every actions in [["delete", "create"], ["create", "delete"]] {
		replaced := object.union(_dn_deleted("Backup"), {"change": {"actions": actions, "after": {"name": "Backup2"}}})
		plan := object.union(_dn_plan(_dn_kept, replaced, ["aws"]), {"planned_values": {"root_module": {"resources": [
			_role({"inline_policy": [{"name": "all", "policy": _doc("*")}]}),
			_resource("aws_iam_role.copy", "aws_iam_role", {"name": "Backup2", "assume_role_policy": _trust}),
		]}}})
		terraform.deny == {_dn_message("deletes")} with input as plan
	}
}

# Replaced under the role's name, it is a namesake the plan keeps, warned about as such.
test_a_namesake_replaced_under_the_role_name_is_a_kept_namesake if {
	replaced := object.union(_dn_deleted("Backup"), {"change": {"actions": ["delete", "create"], "after": {"name": "Backup"}}})
	plan := object.union(_dn_plan(_dn_kept, replaced, ["aws"]), {"planned_values": {"root_module": {"resources": [
		_role({"inline_policy": [{"name": "all", "policy": _doc("*")}]}),
		_resource("aws_iam_role.copy", "aws_iam_role", {"name": "Backup", "assume_role_policy": _trust}),
	]}}})
	terraform.deny == set() with input as plan
	warnings := terraform.warn with input as plan
	every msg in warnings {
		not contains(msg, "this plan deletes")
	}
}

# A role made through Cloud Control and deleted (or replaced) deletes the IAM role of its name
# in the account of its old ARN.
_dn_cloud_control(type, before) := {
	"address": sprintf("%s.copy", [type]),
	"mode": "managed",
	"type": type,
	"change": {"actions": ["delete"], "before": before, "after": null, "after_unknown": {}},
}

_dn_arn_plan(deleted) := _dn_arn_plan_in(deleted, ["aws"])

_dn_arn_plan_in(deleted, provider_keys) := object.union(
	_dn_plan(_dn_kept, deleted, provider_keys),
	{"planned_values": {"root_module": {"resources": [_role({
		"arn": "arn:aws:iam::111111111111:role/Backup",
		"inline_policy": [{"name": "all", "policy": _doc("*")}],
	})]}}},
)

_dn_cc_message(verb, type) := replace(_dn_message(verb), "aws_iam_role.copy", sprintf("%s.copy", [type]))

test_a_cloud_control_namesake_the_plan_deletes_deletes_the_role if {
	awscc := _dn_cloud_control("awscc_iam_role", {"role_name": "backup", "arn": "arn:aws:iam::111111111111:role/backup"})
	terraform.deny == {_dn_cc_message("deletes", "awscc_iam_role")} with input as _dn_arn_plan(awscc)
	api := _dn_cloud_control("aws_cloudcontrolapi_resource", {
		"type_name": "AWS::IAM::Role",
		"properties": json.marshal({"RoleName": "Backup", "Arn": "arn:aws:iam::111111111111:role/ops/Backup"}),
	})
	terraform.deny == {_dn_cc_message("deletes", "aws_cloudcontrolapi_resource")} with input as _dn_arn_plan(api)

	# Its old ARN of another account is another role; without one, it may be the role.
	every arn in ["arn:aws:iam::222222222222:role/Backup", "arn:aws-cn:iam::111111111111:role/Backup"] {
		other := _dn_cloud_control("awscc_iam_role", {"role_name": "Backup", "arn": arn})
		terraform.deny == set() with input as _dn_arn_plan(other)
		not _dn_cc_message("may delete", "awscc_iam_role") in terraform.warn with input as _dn_arn_plan(other)
	}
	unnamed := _dn_cloud_control("awscc_iam_role", {"role_name": "Backup"})
	terraform.deny == set() with input as _dn_arn_plan(unnamed)
	_dn_cc_message("may delete", "awscc_iam_role") in terraform.warn with input as _dn_arn_plan(unnamed)
}

# One the plan updates writes its model to the role, unread; one left as it is writes nothing.
_dn_cc_warning := concat("", [
	"aws_iam_role.backup: roles made through Cloud Control that this plan updates (awscc_iam_role.copy) ",
	"manage the IAM role \"Backup\" too; their trust policy and policies, which are not read here, ",
	"may replace its own at apply (see docs/conftest.md)",
])

test_a_cloud_control_namesake_the_plan_updates_is_warned_about if {
	before := {"role_name": "BACKUP", "arn": "arn:aws:iam::111111111111:role/BACKUP"}
	updated := object.union(_dn_cloud_control("awscc_iam_role", before), {"change": {"actions": ["update"], "after": before}})
	terraform.warn == {_dn_cc_warning} with input as _dn_arn_plan(updated)
	terraform.deny == set() with input as _dn_arn_plan(updated)
	kept := object.union(updated, {"change": {"actions": ["no-op"]}})
	terraform.warn == set() with input as _dn_arn_plan(kept)
	other := object.union(updated, {"change": {"before": {"arn": "arn:aws:iam::222222222222:role/BACKUP"}}})
	terraform.warn == set() with input as _dn_arn_plan(other)
}

# Under several provider configurations, a deleted aws_iam_role's old ARN tells its account: of
# the role's account and partition it deletes the role; of another, it is another role.
test_a_namesake_deleted_under_several_providers_is_told_by_its_old_arn if {
	deleted := object.union(_dn_deleted("backup"), {"change": {"before": {"arn": "arn:aws:iam::111111111111:role/backup"}}})
	terraform.deny == {_dn_message("deletes")} with input as _dn_arn_plan_in(deleted, ["aws", "aws.b"])
	every arn in ["arn:aws:iam::222222222222:role/Backup", "arn:aws-cn:iam::111111111111:role/Backup"] {
		other := object.union(deleted, {"change": {"before": {"arn": arn}}})
		terraform.deny == set() with input as _dn_arn_plan_in(other, ["aws", "aws.b"])
		terraform.warn == set() with input as _dn_arn_plan_in(other, ["aws", "aws.b"])
	}
	terraform.warn == {_dn_message("may delete")} with input as _dn_arn_plan_in(_dn_deleted("Backup"), ["aws", "aws.b"])
}
