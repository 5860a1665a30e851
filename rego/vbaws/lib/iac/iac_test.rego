package vbaws.lib.iac_test

import data.vbaws.lib.iac

_model(tags) := {
	"id": "aws_iam_role.backup",
	"name": "Backup",
	"arn": "aws_iam_role.backup",
	"trust_policy": iac.empty_document,
	"policies": [],
	"tags": tags,
	"tags_known": true,
	"unknowns": [],
}

test_checks_from_the_tag if {
	iac.checks(_model({"vbaws:checks": "  ec2_backup   worker_production "})) == {"ec2_backup", "worker_production"}
	iac.checks(_model({"vbaws:checks": ""})) == set()
	iac.checks(_model({"team": "backup"})) == set()
	not iac.selected(_model({}))
}

test_checks_from_data_by_id_or_name if {
	iac.checks(_model({})) == {"ec2_backup"} with data.vbaws_config as {"roles": {"aws_iam_role.backup": {}}}
	iac.checks(_model({})) == {"worker_production"} with data.vbaws_config as {"roles": {"Backup": {"checks": ["worker_production"]}}}
	iac.checks(_model({"vbaws:checks": "ec2_backup"})) == {"ec2_backup", "worker_production"} with data.vbaws_config as {"roles": {"Backup": ["worker_production"]}}
}

# A configuration written in another shape than documented is never ignored: a string is read
# as the tag's value is, anything else names an unknown set (a deny).
test_checks_from_data_in_other_shapes if {
	iac.checks(_model({})) == {"ec2_backup", "worker_production"} with data.vbaws_config as {"roles": {"Backup": "ec2_backup worker_production"}}
	iac.checks(_model({})) == {"ec2_backup"} with data.vbaws_config as {"roles": {"Backup": {"checks": "ec2_backup"}}}
	iac.checks(_model({})) == {"ec2_backup"} with data.vbaws_config as {"roles": {"Backup": {"checks": null}}}
	iac.checks(_model({})) == {"5"} with data.vbaws_config as {"roles": {"Backup": 5}}
}

# An appliance written as a bare string goes to the engine, which refuses it: the trust check
# is not silently dropped.
test_an_appliance_in_another_shape_is_passed_on if {
	iac.snapshot(_model({})).appliance == "arn:aws:iam::111111111111:role/A" with data.vbaws_config as {"appliance": "arn:aws:iam::111111111111:role/A"}
	iac.snapshot(_model({})).appliance == "111111111111" with data.vbaws_config as {"roles": {"Backup": {"appliance": "111111111111"}}}
}

test_snapshot_requests_known_sets_and_the_appliance if {
	model := object.union(_model({"vbaws:checks": "worker_production typo ec2_backup"}), {"permissions_boundary": {"arn": "b", "document": iac.empty_document}})
	iac.snapshot(model) == {
		"role": {
			"arn": "aws_iam_role.backup",
			"name": "Backup",
			"trust_policy": iac.empty_document,
			"policies": [],
			"tags": {"vbaws:checks": "worker_production typo ec2_backup"},
			"permissions_boundary": {"arn": "b", "document": iac.empty_document},
		},
		"checks": ["ec2_backup", "worker_production"],
		"appliance": {"principal": "arn:aws:iam::111111111111:role/A"},
	} with data.vbaws_config as {"appliance": {"principal": "arn:aws:iam::111111111111:role/A"}}
}

test_managed_policy_lookup_across_partitions if {
	policies := {"arn:aws:iam::aws:policy/X": {"document": {"Statement": []}}}
	iac.managed_policy("arn:aws:iam::aws:policy/X") == {"document": {"Statement": []}} with data.vbaws_managed_policies as policies
	iac.managed_policy("arn:aws-us-gov:iam::aws:policy/X") == {"document": {"Statement": []}} with data.vbaws_managed_policies as policies
	not iac.managed_policy("arn:aws:iam::123456789012:policy/X") with data.vbaws_managed_policies as policies
}

# A report in the shape of contract section 3, written out here so that the messages are
# tested on their own.
_report := {
	"checks": {
		"ec2_backup": {
			"compliant": false,
			"actions": {
				"ec2:CreateSnapshot": {"decision": "implicit_deny", "blocked_by": ["identity"]},
				"sqs:ListQueues": {"decision": "implicit_deny", "blocked_by": ["boundary"]},
				"kms:CreateGrant": {"decision": "explicit_deny", "blocked_by": ["identity"], "statement": "DenyKms"},
				"kms:ReEncryptTo": {"decision": "explicit_deny", "blocked_by": ["boundary"], "statement": ""},
				"ssm:SendCommand": {"decision": "conditional", "reasons": ["allow has Condition StringEquals aws:RequestedRegion"]},
			},
			"missing": ["sqs:ListQueues", "ec2:CreateSnapshot"],
			"denied": ["kms:CreateGrant", "kms:ReEncryptTo"],
			"conditional": ["ssm:SendCommand"],
		},
		"worker_production": {
			"compliant": true,
			"actions": {},
			"missing": [],
			"denied": [],
			"conditional": [],
		},
	},
	"findings": [
		{"id": "VBAWS-MISSING", "severity": "error", "message": "repeated"},
		{"id": "VBAWS-INVALID-POLICY", "severity": "error", "message": "inline policy \"p\": statement 0: Effect must be Allow or Deny"},
		{"id": "VBAWS-TRUST-CONDITIONS", "severity": "warning", "message": "assuming the role depends on trust policy conditions: sts:ExternalId"},
		{"id": "VBAWS-SCPS-NOT-EVALUATED", "severity": "info", "message": "not shown"},
	],
}

test_deny_messages if {
	iac.deny_messages(_model({"vbaws:checks": "ec2_backup nope"}), _report) == {
		"aws_iam_role.backup: check ec2_backup: missing 2 required actions: ec2:CreateSnapshot, sqs:ListQueues (not allowed by boundary); explicitly denied: kms:CreateGrant (statement DenyKms), kms:ReEncryptTo (boundary)",
		"aws_iam_role.backup: inline policy \"p\": statement 0: Effect must be Allow or Deny",
		"aws_iam_role.backup: unknown requirement set \"nope\" (known: ec2_backup, worker_production)",
	}
}

test_a_statement_without_sid_is_named_once if {
	actions := object.union(_report.checks.ec2_backup.actions, {"kms:CreateGrant": {"decision": "explicit_deny", "blocked_by": ["identity"], "statement": "statement 2"}})
	report := object.union(_report, {"checks": {"ec2_backup": object.union(_report.checks.ec2_backup, {"actions": actions})}})
	some msg in iac.deny_messages(_model({"vbaws:checks": "ec2_backup"}), report)
	contains(msg, "explicitly denied: kms:CreateGrant (statement 2), kms:ReEncryptTo (boundary)")
}

test_warn_messages if {
	model := object.union(_model({}), {"unknowns": [
		{"layer": "identity", "what": "x is known only after apply"},
		{"layer": "boundary", "what": "y is known only after apply"},
		{"layer": "trust", "what": "z is known only after apply"},
	]})
	iac.warn_messages(model, _report) == {
		"aws_iam_role.backup: check ec2_backup: 1 required action granted only conditionally: ssm:SendCommand (allow has Condition StringEquals aws:RequestedRegion)",
		"aws_iam_role.backup: assuming the role depends on trust policy conditions: sts:ExternalId",
		"aws_iam_role.backup: x is known only after apply; counted as granting nothing",
		"aws_iam_role.backup: y is known only after apply; counted as allowing nothing",
	}

	# The trust policy matters only when an appliance principal is given.
	some msg in iac.warn_messages(model, _report) with data.vbaws_config as {"appliance": {"principal": "111111111111"}}
	msg == "aws_iam_role.backup: z is known only after apply; counted as letting no one assume the role"
}

test_snapshot_leaves_out_tags_that_may_be_incomplete if {
	model := object.union(_model({"vbaws:checks": "ec2_backup"}), {"tags_known": false})
	not "tags" in object.keys(iac.snapshot(model).role)
	iac.snapshot(model).checks == ["ec2_backup"]
}

test_role_entry_appliance_wins_over_the_default if {
	config := {
		"appliance": {"principal": "111111111111"},
		"roles": {"Backup": {"appliance": {"principal": "222222222222"}}, "Other": {}},
	}
	iac.snapshot(_model({})).appliance == {"principal": "222222222222"} with data.vbaws_config as config
	other := object.union(_model({}), {"id": "aws_iam_role.other", "name": "Other"})
	iac.snapshot(other).appliance == {"principal": "111111111111"} with data.vbaws_config as config
	not "appliance" in object.keys(iac.snapshot(_model({})))
}

test_denied_actions_name_their_policy_once_per_statement if {
	# AWSDenyAll denies everything with one statement: the policy is named once, not per action.
	deny_all := {"decision": "explicit_deny", "blocked_by": ["identity"], "statement": "statement 1", "policy": "managed policy \"arn:aws:iam::aws:policy/AWSDenyAll\""}
	guard := {"decision": "explicit_deny", "blocked_by": ["identity"], "statement": "DenyKms", "policy": "inline policy \"guard\""}
	check := {
		"actions": {"ec2:CreateTags": deny_all, "ebs:ListChangedBlocks": deny_all, "kms:CreateGrant": guard, "sqs:ListQueues": {"decision": "explicit_deny"}},
		"missing": [],
		"denied": ["ec2:CreateTags", "kms:CreateGrant", "ebs:ListChangedBlocks", "sqs:ListQueues"],
	}
	iac.deny_messages(_model({}), {"checks": {"ec2_backup": check}}) == {concat("", [
		"aws_iam_role.backup: check ec2_backup: explicitly denied: ",
		"ebs:ListChangedBlocks, ec2:CreateTags (statement 1 of managed policy \"arn:aws:iam::aws:policy/AWSDenyAll\"), ",
		"kms:CreateGrant (statement DenyKms of inline policy \"guard\"), sqs:ListQueues",
	])}
}

test_unmatched_selections if {
	models := [_model({}), object.union(_model({}), {"id": "m[\"a\"].r", "name": "m[\"a\"].r", "aliases": ["m.r"]})]
	config := {"roles": {"Backup": {}, "m.r": {}, "aws_iam_role.backup": {}, "aws_iam_role.gone": {}}}
	iac.unmatched_selections(models) == {"aws_iam_role.gone"} with data.vbaws_config as config
	iac.checks(models[1]) == {"ec2_backup"} with data.vbaws_config as config
}

test_empty_selections if {
	models := [_model({})]
	config := {"roles": {
		"aws_iam_role.backup": {"checks": []}, # names the role, no set: said
		"Backup": "", # by name, as an empty string of ids: said
		"aws_iam_role.other": {"checks": []}, # names no role of the input: not this warning's business
		"VeeamLegacyRole": {}, # checks default to ec2_backup
	}}
	iac.empty_selections(models) == {"aws_iam_role.backup", "Backup"} with data.vbaws_config as config
	iac.empty_selection("Backup") == `data.vbaws_config.roles entry "Backup" names no requirement set (its checks are empty), so it selects nothing: name the sets, or remove the entry`
}
