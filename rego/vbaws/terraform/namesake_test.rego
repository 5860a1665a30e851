package vbaws.terraform_test

import data.vbaws.terraform

# A role imported at a second address (here a module's, under the inherited provider) while the
# first stays: both write the IAM role, the copy untagged and with another trust and policy.
_namesake_plan(copy_name, copy_provider) := {
	"format_version": "1.2",
	"planned_values": {"root_module": {
		"resources": [_role({"inline_policy": [{"name": "all", "policy": _doc("*")}]})],
		"child_modules": [{"address": "module.copy", "resources": [_resource(
			"module.copy.aws_iam_role.this", "aws_iam_role",
			{"name": copy_name, "assume_role_policy": _trust, "tags": {}, "tags_all": {}},
		)]}],
	}},
	"resource_changes": [],
	"configuration": {"root_module": {
		"resources": [object.union(_role_config({}), {"provider_config_key": "aws"})],
		"module_calls": {"copy": {"module": {"resources": [object.union(
			_config("aws_iam_role.this", "aws_iam_role", {}),
			{"provider_config_key": copy_provider},
		)]}}},
	}},
}

_namesake_warning := concat("", [
	"aws_iam_role.backup: other aws_iam_role resources of this plan (module.copy.aws_iam_role.this) ",
	"manage the IAM role \"Backup\" too, in no set order; its trust policy, tags and policies may be ",
	"theirs after apply (see docs/conftest.md)",
])

test_a_second_role_resource_of_the_same_name_is_warned_about if {
	count(terraform.deny) == 0 with input as _namesake_plan("backup", "module.copy:aws")
	_namesake_warning in terraform.warn with input as _namesake_plan("backup", "module.copy:aws")
}

# Another name, or another provider configuration (which may be another account), is another role.
test_a_role_of_another_name_or_provider_is_another_role if {
	every plan in [_namesake_plan("Worker", "module.copy:aws"), _namesake_plan("Backup", "aws.b")] {
		not _namesake_warning in terraform.warn with input as plan
	}
}
