package vbaws.terraform_test

import data.vbaws.terraform

# A trust naming the appliance's role keeps that role's unique id: deleting the role (a
# replacement too) leaves the trust naming no one, unless this apply writes it again after.
_rc_appliance := "arn:aws:iam::111111111111:role/Appliance"

_rc_trust(principals) := json.marshal({"Version": "2012-10-17", "Statement": [{
	"Effect": "Allow",
	"Action": "sts:AssumeRole",
	"Principal": {"AWS": principals},
}]})

_rc_role(trust) := _role({
	"arn": "arn:aws:iam::111111111111:role/Backup",
	"assume_role_policy": trust,
	"inline_policy": [{"name": "all", "policy": _doc("*")}],
})

_rc_backup(actions, before_trust, after_trust) := {
	"address": "aws_iam_role.backup",
	"mode": "managed",
	"type": "aws_iam_role",
	"change": {
		"actions": actions,
		"before": {"name": "Backup", "assume_role_policy": before_trust},
		"after": {"name": "Backup", "assume_role_policy": after_trust},
		"after_unknown": {},
	},
}

_rc_appliance_change(actions, before) := {
	"address": "aws_iam_role.appliance",
	"mode": "managed",
	"type": "aws_iam_role",
	"change": {"actions": actions, "before": before, "after": {"name": "Appliance"}, "after_unknown": {}},
}

_rc_old := {"name": "Appliance", "arn": _rc_appliance}

_rc_plan(trust, backup, appliance, backup_config) := _plan(
	[_rc_role(trust), _resource("aws_iam_role.appliance", "aws_iam_role", {"name": "Appliance"})],
	[backup, appliance],
	[backup_config, _config("aws_iam_role.appliance", "aws_iam_role", {})],
)

_rc_deny := concat("", [
	"aws_iam_role.backup: the trust policy lets arn:aws:iam::111111111111:role/Appliance in by ",
	"naming its role, which this plan deletes (aws_iam_role.appliance): IAM keeps the deleted ",
	"role's unique id in the trust, which a role created again under that name does not have, ",
	"and this apply does not write the trust policy again, so the appliance cannot assume this ",
	"role (see docs/conftest.md)",
])

_rc_warn := concat("", [
	"aws_iam_role.backup: the trust policy lets arn:aws:iam::111111111111:role/Appliance in by ",
	"naming its role, which this plan deletes (aws_iam_role.appliance), and this apply writes ",
	"the trust policy in no set order with the role's new copy: written first, it names the ",
	"deleted role and the appliance cannot assume this role; make it depend on the new role ",
	"(depends_on, see docs/conftest.md)",
])

test_a_trust_naming_the_appliance_role_the_plan_replaces_is_denied if {
	trust := _rc_trust(_rc_appliance)
	backup := _rc_backup(["no-op"], trust, trust)
	replaced := _rc_plan(trust, backup, _rc_appliance_change(["delete", "create"], _rc_old), _role_config({}))
	terraform.deny == {_rc_deny} with input as replaced
		with data.vbaws_config.appliance.principal as _rc_appliance

	# Created first (a deposed copy), by another path or case alike.
	other := {"name": "APPLIANCE", "arn": "arn:aws:iam::111111111111:role/ops/APPLIANCE"}
	every appliance in [
		_rc_appliance_change(["create", "delete"], _rc_old),
		_rc_appliance_change(["delete", "create"], other),
	] {
		terraform.deny == {_rc_deny} with input as _rc_plan(trust, backup, appliance, _role_config({}))
			with data.vbaws_config.appliance.principal as _rc_appliance
	}

	# Made through Cloud Control.
	awscc := object.union(
		_rc_appliance_change(["delete", "create"], {"role_name": "Appliance", "arn": _rc_appliance}),
		{"address": "awscc_iam_role.appliance", "type": "awscc_iam_role"},
	)
	terraform.deny == {replace(_rc_deny, "(aws_iam_role.appliance)", "(awscc_iam_role.appliance)")}
		with input as _rc_plan(trust, backup, awscc, _role_config({}))
		with data.vbaws_config.appliance.principal as _rc_appliance
	properties := json.marshal({"RoleName": "Appliance", "Arn": _rc_appliance})
	control := object.union(
		_rc_appliance_change(["delete", "create"], {"type_name": "AWS::IAM::Role", "properties": properties}),
		{"address": "aws_cloudcontrolapi_resource.appliance", "type": "aws_cloudcontrolapi_resource"},
	)
	terraform.deny == {replace(_rc_deny, "(aws_iam_role.appliance)", "(aws_cloudcontrolapi_resource.appliance)")}
		with input as _rc_plan(trust, backup, control, _role_config({}))
		with data.vbaws_config.appliance.principal as _rc_appliance

	# The appliance given as a session of its role.
	session := "arn:aws:sts::111111111111:assumed-role/Appliance/i-0abc"
	some msg in terraform.deny with input as replaced
		with data.vbaws_config.appliance.principal as session
	startswith(msg, "aws_iam_role.backup: the trust policy lets arn:aws:sts::111111111111:assumed-role/Appliance/i-0abc in")
}

test_a_trust_that_does_not_stand_on_the_deleted_role_is_not_denied if {
	trust := _rc_trust(_rc_appliance)
	backup := _rc_backup(["no-op"], trust, trust)
	replaced := _rc_appliance_change(["delete", "create"], _rc_old)

	# The role is kept, or the deleted one is of another account or name.
	every appliance in [
		_rc_appliance_change(["no-op"], _rc_old),
		_rc_appliance_change(["delete", "create"], {"name": "Appliance", "arn": "arn:aws:iam::222222222222:role/Appliance"}),
		_rc_appliance_change(["delete", "create"], {"name": "Other", "arn": "arn:aws:iam::111111111111:role/Other"}),
	] {
		terraform.deny == set() with input as _rc_plan(trust, backup, appliance, _role_config({}))
			with data.vbaws_config.appliance.principal as _rc_appliance
	}

	# The trust names the appliance's account too (delegating to its identity policy).
	both := _rc_trust([_rc_appliance, "arn:aws:iam::111111111111:root"])
	terraform.deny == set() with input as _rc_plan(both, _rc_backup(["no-op"], both, both), replaced, _role_config({}))
		with data.vbaws_config.appliance.principal as _rc_appliance
}

test_a_trust_written_again_after_the_new_role_passes if {
	old := _rc_trust(_rc_appliance)
	new := _rc_trust([_rc_appliance])
	written := _rc_backup(["update"], old, new)
	replaced := _rc_appliance_change(["delete", "create"], _rc_old)
	waits := _config("aws_iam_role.backup", "aws_iam_role", {})
	plan := _rc_plan(new, written, replaced, object.union(waits, {"depends_on": ["aws_iam_role.appliance"]}))
	terraform.deny == set() with input as plan with data.vbaws_config.appliance.principal as _rc_appliance
	terraform.warn == set() with input as plan with data.vbaws_config.appliance.principal as _rc_appliance

	# Written in no set order with the new role: it may name the deleted one.
	unordered := _rc_plan(new, written, replaced, _role_config({}))
	terraform.deny == set() with input as unordered with data.vbaws_config.appliance.principal as _rc_appliance
	terraform.warn == {_rc_warn} with input as unordered with data.vbaws_config.appliance.principal as _rc_appliance
}

_rc_gone := concat("", [
	"aws_iam_role.backup: the appliance arn:aws:iam::111111111111:role/Appliance is a role this ",
	"plan deletes (aws_iam_role.appliance) and creates no role of its name for, so after apply ",
	"it cannot assume this role (see docs/conftest.md)",
])

# Deleted for good, the appliance is gone, whatever the trust names.
test_an_appliance_role_the_plan_deletes_for_good_is_denied if {
	deleted := _rc_appliance_change(["delete"], _rc_old)
	every principals in [_rc_appliance, ["arn:aws:iam::111111111111:root"], "*"] {
		trust := _rc_trust(principals)
		terraform.deny == {_rc_gone} with input as _rc_plan(trust, _rc_backup(["no-op"], trust, trust), deleted, _role_config({}))
			with data.vbaws_config.appliance.principal as _rc_appliance
	}
}

# depends_on a module waits for every resource in it; a role in a module instance of a key
# waits as one of the root does.
_rc_keyed_plan(trust, backup, appliance) := {
	"format_version": "1.2",
	"planned_values": {"root_module": {"child_modules": [{"address": "module.m[\"a\"]", "resources": [
		object.union(_rc_role(trust), {"address": "module.m[\"a\"].aws_iam_role.backup"}),
		_resource("module.m[\"a\"].aws_iam_role.appliance", "aws_iam_role", {"name": "Appliance"}),
	]}]}},
	"resource_changes": [
		object.union(backup, {"address": "module.m[\"a\"].aws_iam_role.backup"}),
		object.union(appliance, {"address": "module.m[\"a\"].aws_iam_role.appliance"}),
	],
	"configuration": {"root_module": {"module_calls": {"m": {"module": {"resources": [
		object.union(_config("aws_iam_role.backup", "aws_iam_role", {}), {"depends_on": ["aws_iam_role.appliance"]}),
		_config("aws_iam_role.appliance", "aws_iam_role", {}),
	]}}}}},
}

test_a_trust_waiting_for_the_module_of_the_new_role_passes if {
	old := _rc_trust(_rc_appliance)
	new := _rc_trust([_rc_appliance])
	replaced := object.union(
		_rc_appliance_change(["delete", "create"], _rc_old),
		{"address": "module.app.aws_iam_role.this"},
	)
	waits := object.union(_config("aws_iam_role.backup", "aws_iam_role", {}), {"depends_on": ["module.app"]})
	plan := _rc_plan(new, _rc_backup(["update"], old, new), replaced, waits)
	terraform.warn == set() with input as plan with data.vbaws_config.appliance.principal as _rc_appliance
	other := _rc_plan(new, _rc_backup(["update"], old, new), replaced, object.union(waits, {"depends_on": ["module.application"]}))
	message := replace(_rc_warn, "(aws_iam_role.appliance)", "(module.app.aws_iam_role.this)")
	terraform.warn == {message} with input as other with data.vbaws_config.appliance.principal as _rc_appliance

	keyed := _rc_keyed_plan(new, _rc_backup(["update"], old, new), _rc_appliance_change(["delete", "create"], _rc_old))
	count(terraform.deny) == 0 with input as keyed with data.vbaws_config.appliance.principal as _rc_appliance
	terraform.warn == set() with input as keyed with data.vbaws_config.appliance.principal as _rc_appliance
}

# A role of the appliance's account id and name in another partition is another IAM's role.
test_a_deleted_role_of_another_partition_is_not_the_appliance if {
	cn := {"name": "Appliance", "arn": "arn:aws-cn:iam::111111111111:role/Appliance"}
	trust := _rc_trust(_rc_appliance)
	every actions in [["delete"], ["delete", "create"]] {
		plan := _rc_plan(trust, _rc_backup(["no-op"], trust, trust), _rc_appliance_change(actions, cn), _role_config({}))
		terraform.deny == set() with input as plan with data.vbaws_config.appliance.principal as _rc_appliance
		terraform.warn == set() with input as plan with data.vbaws_config.appliance.principal as _rc_appliance
	}
}
