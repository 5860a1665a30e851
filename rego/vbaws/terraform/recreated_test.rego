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

# A role of the appliance's name created under another provider configuration than the deleted
# one's may be of another account: it is the appliance's new role only when the plan shows it
# is of the appliance's account.
_rp_new(key) := {
	"address": sprintf("aws_iam_role.new_%s", [replace(key, ".", "_")]),
	"provider_config_key": key,
	"mode": "managed",
	"type": "aws_iam_role",
	"change": {"actions": ["create"], "before": null, "after": {"name": "Appliance"}, "after_unknown": {"arn": true}},
}

# The backup role, under the default configuration, with the deleted appliance role and new ones.
_rp_plan(trust, backup, backup_config, appliance, news, known) := {
	"format_version": "1.2",
	"planned_values": {"root_module": {"resources": array.flatten([
		[_rc_role(trust)],
		known,
		[_resource(new.address, "aws_iam_role", {"name": "Appliance"}) | some new in news],
	])}},
	"resource_changes": array.concat([backup, appliance], news),
	"configuration": {
		"provider_config": {key: {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws"} |
			some key in ["aws", "aws.b"]
		},
		"root_module": {"resources": array.concat(
			[object.union(backup_config, {"provider_config_key": "aws"})],
			_rp_configs(appliance, news, known),
		)},
	},
}

_rp_configs(appliance, news, known) := array.concat(
	[object.union(_config(r.address, "aws_iam_role", {}), {"provider_config_key": r.provider_config_key}) |
		some r in array.concat(news, known)
	],
	[object.union(_config(appliance.address, "aws_iam_role", {}), {"provider_config_key": object.get(appliance, "provider_config_key", "aws")}) |
		"create" in appliance.change.actions
	],
)

_rp_maybe(created) := concat("", [
	"aws_iam_role.backup: the appliance arn:aws:iam::111111111111:role/Appliance is a role this ",
	"plan deletes (aws_iam_role.appliance), and the roles of its name this plan creates (",
	created, ") may be of another provider configuration and account than the deleted one: ",
	"after apply the appliance may be gone and unable to assume this role (see docs/conftest.md)",
])

test_a_role_of_the_appliance_name_under_another_provider_may_not_be_its_new_role if {
	root := _rc_trust(["arn:aws:iam::111111111111:root"])
	backup := _rc_backup(["no-op"], root, root)
	deleted := _rc_appliance_change(["delete"], _rc_old)

	# Deleted for good, its configuration is not told; the new one's, aws.b, is of no known account.
	plan := _rp_plan(root, backup, _role_config({}), deleted, [_rp_new("aws.b")], [])
	terraform.deny == set() with input as plan with data.vbaws_config.appliance.principal as _rc_appliance
	terraform.warn == {_rp_maybe("aws_iam_role.new_aws_b")} with input as plan
		with data.vbaws_config.appliance.principal as _rc_appliance

	# Replaced under the default configuration, it is a role of another configuration.
	replaced := _rc_appliance_change(["delete", "create"], object.union(_rc_old, {"name": "Appliance"}))
	renamed := object.union(replaced, {"change": {"after": {"name": "Renamed"}}})
	plan2 := _rp_plan(root, backup, _role_config({}), renamed, [_rp_new("aws.b")], [])
	terraform.warn == {_rp_maybe("aws_iam_role.new_aws_b")} with input as plan2
		with data.vbaws_config.appliance.principal as _rc_appliance

	# A trust written again and waiting for it may wait for a role of another account.
	old := _rc_trust(_rc_appliance)
	waits := object.union(_config("aws_iam_role.backup", "aws_iam_role", {}), {"depends_on": ["aws_iam_role.new_aws_b"]})
	written := _rp_plan(old, _rc_backup(["update"], root, old), waits, deleted, [_rp_new("aws.b")], [])
	terraform.deny == set() with input as written with data.vbaws_config.appliance.principal as _rc_appliance
	terraform.warn == {_rp_maybe("aws_iam_role.new_aws_b")} with input as written
		with data.vbaws_config.appliance.principal as _rc_appliance

	# A trust that is not written again names the deleted role or a role of another account.
	stale := _rp_plan(old, _rc_backup(["no-op"], old, old), _role_config({}), deleted, [_rp_new("aws.b")], [])
	terraform.deny == {_rc_deny} with input as stale with data.vbaws_config.appliance.principal as _rc_appliance
}

test_a_role_of_the_appliance_name_in_its_account_is_its_new_role if {
	root := _rc_trust(["arn:aws:iam::111111111111:root"])
	backup := _rc_backup(["no-op"], root, root)
	deleted := _rc_appliance_change(["delete"], _rc_old)

	# Under the configuration of the backup role, whose ARN is of the appliance's account, or
	# at the deleted one's address, or under its configuration.
	replaced := _rc_appliance_change(["delete", "create"], _rc_old)
	renamed := object.union(replaced, {"change": {"after": {"name": "Renamed"}}})
	every plan in [
		_rp_plan(root, backup, _role_config({}), deleted, [_rp_new("aws")], []),
		_rp_plan(root, backup, _role_config({}), object.union(replaced, {"provider_config_key": "aws.b"}), [], []),
		_rp_plan(root, backup, _role_config({}), renamed, [_rp_new("aws")], []),
	] {
		terraform.deny == set() with input as plan with data.vbaws_config.appliance.principal as _rc_appliance
		terraform.warn == set() with input as plan with data.vbaws_config.appliance.principal as _rc_appliance
	}

	# With one AWS provider configuration, a role deleted for good was of it (with two, and no
	# ARN known, it may not be).
	unknown := json.remove(
		_rp_plan(root, backup, _role_config({}), deleted, [_rp_new("aws")], []),
		["planned_values/root_module/resources/0/values/arn"],
	)
	terraform.warn == set() with input as json.remove(unknown, ["configuration/provider_config/aws.b"])
		with data.vbaws_config.appliance.principal as _rc_appliance
	terraform.warn == {_rp_maybe("aws_iam_role.new_aws")} with input as unknown
		with data.vbaws_config.appliance.principal as _rc_appliance

	# A trust written again must wait for that one, not for one that may be of another account.
	old := _rc_trust(_rc_appliance)
	waits := object.union(_config("aws_iam_role.backup", "aws_iam_role", {}), {"depends_on": ["aws_iam_role.new_aws_b"]})
	both := _rp_plan(old, _rc_backup(["update"], root, old), waits, deleted, [_rp_new("aws"), _rp_new("aws.b")], [])
	terraform.deny == set() with input as both with data.vbaws_config.appliance.principal as _rc_appliance
	terraform.warn == {_rc_warn} with input as both with data.vbaws_config.appliance.principal as _rc_appliance
	ordered := object.union(waits, {"depends_on": ["aws_iam_role.new_aws"]})
	terraform.warn == set() with input as object.union(both, {"configuration": {"root_module": {"resources": array.concat(
		[object.union(ordered, {"provider_config_key": "aws"})],
		_rp_configs(deleted, [_rp_new("aws"), _rp_new("aws.b")], []),
	)}}})
		with data.vbaws_config.appliance.principal as _rc_appliance

	# Under a configuration with a role of the plan known to be of another account, it is
	# another account's role: the appliance is gone.
	other := object.union(
		_resource("aws_iam_role.other", "aws_iam_role", {"name": "Other", "arn": "arn:aws:iam::222222222222:role/Other"}),
		{"provider_config_key": "aws.b"},
	)
	gone := _rp_plan(root, backup, _role_config({}), deleted, [_rp_new("aws.b")], [other])
	terraform.deny == {_rc_gone} with input as gone with data.vbaws_config.appliance.principal as _rc_appliance
	terraform.warn == set() with input as gone with data.vbaws_config.appliance.principal as _rc_appliance

	# Known to be of the appliance's account, it is its new role.
	mine := object.union(other, {"values": {"name": "Other", "arn": "arn:aws:iam::111111111111:role/Other"}})
	plan := _rp_plan(root, backup, _role_config({}), deleted, [_rp_new("aws.b")], [mine])
	terraform.deny == set() with input as plan with data.vbaws_config.appliance.principal as _rc_appliance
	terraform.warn == set() with input as plan with data.vbaws_config.appliance.principal as _rc_appliance
}
