package vbaws.report_test

import data.vbaws.report

_arn := "arn:aws:iam::123456789012:role/VeeamEc2Backup"

_ec2_backup := data.vbaws.requirements.ec2_backup.actions

_document(statements) := {"Version": "2012-10-17", "Statement": statements}

_snapshot(statements) := {"role": {
	"arn": _arn,
	"name": "VeeamEc2Backup",
	"policies": [{"name": "main", "type": "inline", "document": _document(statements)}],
}}

_full := {"Effect": "Allow", "Action": _ec2_backup, "Resource": "*"}

test_compliant_role if {
	r := report.build(_snapshot([_full]))
	r.compliant == true
	r.role_arn == _arn
	r.checks.ec2_backup.compliant == true
	count(r.checks.ec2_backup.actions) == 61
	every _, d in r.checks.ec2_backup.actions {
		d == {"decision": "allowed"}
	}
	r.checks.ec2_backup.missing == []
	r.checks.ec2_backup.source.product_version == "10.0.0.232"
	r.trust == {"checked": false, "appliance_can_assume": null, "conditions": []}
	r.layers == {"identity": true, "boundary": false, "scps": false}
	r.findings == [{
		"id": "VBAWS-SCPS-NOT-EVALUATED",
		"severity": "info",
		"message": "no service control policies were given: the organization layer was not evaluated",
		"actions": [],
	}]

	# an empty list of levels gives none either, and says so
	empty := report.build(object.union(_snapshot([_full]), {"scps": []}))
	empty.layers.scps == false
	[f.id | some f in empty.findings] == ["VBAWS-SCPS-NOT-EVALUATED"]
}

test_missing_actions if {
	r := report.build(_snapshot([{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]))
	r.compliant == false
	r.checks.ec2_backup.missing == sort([a | some a in _ec2_backup; not startswith(a, "ec2:")])
	r.checks.ec2_backup.actions["ebs:ListChangedBlocks"] == {"decision": "implicit_deny", "blocked_by": ["identity"]}
	r.findings[0].id == "VBAWS-MISSING"
	r.findings[0].severity == "error"
	r.findings[0].actions == r.checks.ec2_backup.missing
}

# Allow ec2:* on every resource but the volumes does not let the role snapshot them.
test_allow_not_resource_of_catalog_resources_is_not_allowed if {
	r := report.build(_snapshot([{"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:ec2:*:*:volume/*"}]))
	r.compliant == false
	r.checks.ec2_backup.actions["ec2:CreateSnapshot"] == {
		"decision": "conditional",
		"reasons": ["allow is resource-scoped (not every resource)"],
	}
	report.build(_snapshot([{"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::logs/*"}])).compliant
}

test_documents_as_json_and_url_encoded_strings if {
	json_doc := json.marshal(_document([_full]))
	report.build({"role": {"arn": _arn, "policies": [{"name": "a", "type": "inline", "document": json_doc}]}}).compliant
	encoded := urlquery.encode(json_doc)
	report.build({"role": {"arn": _arn, "policies": [{"name": "a", "type": "managed", "document": encoded}]}}).compliant
}

test_single_statement_object_and_single_action if {
	snapshot := {"role": {"arn": _arn, "policies": [{"name": "a", "document": {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}}]}}
	report.build(snapshot).compliant
}

test_policies_are_combined if {
	half := 30
	snapshot := {"role": {"arn": _arn, "policies": [
		{"name": "a", "type": "inline", "document": _document([{"Effect": "Allow", "Action": array.slice(_ec2_backup, 0, half), "Resource": "*"}])},
		{"name": "b", "type": "managed", "document": _document([{"Effect": "Allow", "Action": array.slice(_ec2_backup, half, 100), "Resource": "*"}])},
	]}}
	report.build(snapshot).compliant
}

test_boundary_intersects if {
	snapshot := object.union(_snapshot([{"Effect": "Allow", "Action": "*", "Resource": "*"}]), {"role": {"permissions_boundary": {
		"arn": "arn:aws:iam::123456789012:policy/Boundary",
		"document": _document([
			{"Effect": "Allow", "Action": ["ec2:*", "ebs:*"], "Resource": "*"},
			{"Sid": "DenyKms", "Effect": "Deny", "Action": "kms:CreateGrant", "Resource": "*"},
		]),
	}}})
	r := report.build(snapshot)
	r.layers.boundary == true
	r.checks.ec2_backup.actions["kms:CreateGrant"] == {
		"decision": "explicit_deny",
		"blocked_by": ["boundary"],
		"statement": "DenyKms",
		"policy": "permissions boundary \"arn:aws:iam::123456789012:policy/Boundary\"",
	}
	r.checks.ec2_backup.actions["sqs:ListQueues"] == {"decision": "implicit_deny", "blocked_by": ["boundary"]}
	r.checks.ec2_backup.actions["ebs:ListChangedBlocks"] == {"decision": "allowed"}
	r.checks.ec2_backup.denied == ["kms:CreateGrant"]
}

_full_access := {"name": "FullAWSAccess", "document": _document([{"Effect": "Allow", "Action": "*", "Resource": "*"}])}

test_scp_levels_each_must_allow if {
	# tricky case 22
	snapshot := object.union(_snapshot([{"Effect": "Allow", "Action": "*", "Resource": "*"}]), {"scps": [
		{"target": "r-abcd", "policies": [_full_access]},
		{"target": "ou-abcd-11111111", "policies": [{"name": "OnlyS3AndEc2", "document": _document([{"Effect": "Allow", "Action": ["s3:*", "ec2:*"], "Resource": "*"}])}]},
		{"target": "123456789012", "policies": [_full_access]},
	]})
	r := report.build(snapshot)
	r.layers.scps == true
	r.checks.ec2_backup.actions["ec2:CreateSnapshot"] == {"decision": "allowed"}
	r.checks.ec2_backup.actions["sns:ListTopics"] == {"decision": "implicit_deny", "blocked_by": ["scp:ou-abcd-11111111"]}
	not "VBAWS-SCPS-NOT-EVALUATED" in {f.id | some f in r.findings}
}

test_scp_region_deny_is_conditional if {
	# tricky case 23
	region_deny := {"name": "RegionDeny", "document": _document([{
		"Effect": "Deny",
		"NotAction": ["iam:*", "sts:*"],
		"Resource": "*",
		"Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}},
	}])}
	snapshot := object.union(_snapshot([_full]), {"scps": [{"target": "r-abcd", "policies": [_full_access, region_deny]}]})
	r := report.build(snapshot)
	r.checks.ec2_backup.actions["ec2:CreateSnapshot"] == {
		"decision": "conditional",
		"reasons": ["scp:r-abcd: deny has Condition StringNotEquals aws:RequestedRegion"],
	}
	r.checks.ec2_backup.actions["iam:GetInstanceProfile"] == {"decision": "allowed"}
	r.compliant == false
}

test_service_linked_roles_ignore_scps if {
	# tricky case 24
	snapshot := {
		"role": {
			"arn": "arn:aws:iam::123456789012:role/aws-service-role/ec2.amazonaws.com/AWSServiceRoleForEC2",
			"policies": [{"name": "a", "document": _document([_full])}],
		},
		"scps": [{"target": "r-abcd", "policies": []}],
	}
	r := report.build(snapshot)
	r.compliant
	r.layers.scps == false
	r.findings[0].id == "VBAWS-SCPS-NOT-APPLICABLE"

	# The ARN carries the path: a "path" field that says otherwise does not lift the SCPs.
	path_only := object.union(snapshot, {"role": {"arn": _arn, "path": "/aws-service-role/ec2.amazonaws.com/"}})
	report.build(path_only).layers.scps == true
	report.build(path_only).compliant == false

	# A path may hold ":role/aws-service-role/" without starting with /aws-service-role/.
	colon := object.union(snapshot, {"role": {"arn": "arn:aws:iam::123456789012:role/x:role/aws-service-role/R"}})
	report.build(colon).layers.scps == true
	report.build(colon).compliant == false
}

test_invalid_policy_is_never_compliant if {
	# tricky cases 17 and 18: the valid statement grants everything, but the role is not compliant
	r := report.build(_snapshot([_full, {"Effect": "allow", "Action": "s3:*", "Resource": "*"}]))
	r.compliant == false
	r.checks.ec2_backup.compliant == true
	r.findings[0] == {
		"id": "VBAWS-INVALID-POLICY",
		"severity": "error",
		"message": "inline policy \"main\": statement 2: Effect must be exactly \"Allow\" or \"Deny\", got \"allow\"",
		"actions": [],
	}
}

test_unreadable_documents if {
	r := report.build({"role": {"arn": _arn, "policies": [
		{"name": "a", "type": "inline", "document": "{not json"},
		{"name": "arn:aws:iam::aws:policy/X", "type": "managed", "document": null, "error": "GetPolicyVersion was denied"},
		"just a string",
	]}})
	r.compliant == false
	[f.message | some f in r.findings; f.id == "VBAWS-INVALID-POLICY"] == [
		"inline policy \"a\": document is a string that is neither JSON nor URL-encoded JSON of an object",
		"managed policy \"arn:aws:iam::aws:policy/X\": GetPolicyVersion was denied",
		"identity policy (unnamed): is not an object with a document",
	]
}

test_checks_and_unknown_checks if {
	snapshot := object.union(_snapshot([{"Effect": "Allow", "Action": "*", "Resource": "*"}]), {"checks": ["ec2_backup", "worker_production", "rds_backup"]})
	r := report.build(snapshot)
	object.keys(r.checks) == {"ec2_backup", "worker_production"}
	count(r.checks.worker_production.actions) == 17
	r.compliant == false
	r.findings[0] == {
		"id": "VBAWS-UNKNOWN-CHECK",
		"severity": "error",
		"message": "unknown check \"rds_backup\" (known: ec2_backup, worker_production)",
		"actions": [],
	}
	report.build(object.union(snapshot, {"checks": "worker_production"})).compliant

	# null is "not given": the default check, not no check at all
	object.keys(report.build(object.union(snapshot, {"checks": null})).checks) == {"ec2_backup"}

	# An empty list asks for nothing, and a role checked against nothing is not compliant, even
	# with everything allowed and no finding at all.
	nothing := report.build(object.union(snapshot, {"checks": []}))
	nothing.checks == {}
	[f | some f in nothing.findings; f.severity != "info"] == []
	nothing.compliant == false
}

test_no_role if {
	r := report.build({"roles": []})
	r.compliant == false
	r.role_arn == "(unnamed role)"
	r.findings[0].id == "VBAWS-INVALID-INPUT"
}

test_trust_is_part_of_compliance if {
	trusted := {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/Impersonation"}, "Action": "sts:AssumeRole"}]}
	base := _snapshot([_full])
	ok := report.build(object.union(base, {"role": {"trust_policy": trusted}, "appliance": {"principal": "arn:aws:iam::123456789012:role/Impersonation"}}))
	ok.compliant
	ok.trust == {"checked": true, "appliance_can_assume": true, "conditions": []}
	bad := report.build(object.union(base, {"role": {"trust_policy": trusted}, "appliance": {"principal": "arn:aws:iam::123456789012:role/Other"}}))
	bad.compliant == false
	bad.trust.appliance_can_assume == false
}

test_principal_tags_decide_conditions if {
	tagged := {"Effect": "Allow", "Action": _ec2_backup, "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/veeam": "backup"}}}
	with_tag := object.union(_snapshot([tagged]), {"role": {"tags": {"veeam": "backup"}}})
	report.build(with_tag).compliant
	as_list := object.union(_snapshot([tagged]), {"role": {"tags": [{"Key": "veeam", "Value": "backup"}]}})
	report.build(as_list).compliant
	report.build(object.union(_snapshot([tagged]), {"role": {"tags": {}}})).checks.ec2_backup.missing == sort(_ec2_backup)
	unknown := report.build(_snapshot([tagged]))
	unknown.checks.ec2_backup.actions["ec2:CreateSnapshot"] == {
		"decision": "conditional",
		"reasons": ["allow has Condition StringEquals aws:PrincipalTag/veeam"],
	}
}

test_principal_conditions_in_scps_are_decided_for_the_role if {
	# The usual guard-rail SCP: deny everything to every role but the exempted ones. Only the
	# SCP has a condition on the role, so this also holds the role's context to every layer.
	guard_rail := {"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "*", "Resource": "*"},
		{
			"Effect": "Deny", "Action": "ec2:*", "Resource": "*",
			"Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Veeam*"}},
		},
	]}
	scps := {"scps": [{"target": "r-abcd", "policies": [{"name": "GuardRail", "document": guard_rail}]}]}
	exempt := report.build(object.union(_snapshot([_full]), scps))
	exempt.checks.ec2_backup.compliant == true
	other := report.build(object.union_n([_snapshot([_full]), scps, {"role": {"arn": "arn:aws:iam::123456789012:role/Other"}}]))
	other.checks.ec2_backup.actions["ec2:CreateSnapshot"] == {
		"decision": "explicit_deny",
		"blocked_by": ["scp:r-abcd"],
		"statement": "statement 2",
		"policy": "service control policy \"GuardRail\" at r-abcd",
	}
	other.checks.ec2_backup.actions["ebs:ListSnapshotBlocks"] == {"decision": "allowed"}
}

test_invalid_scps_are_reported_and_never_compliant if {
	# An SCP that cannot be read or has an invalid statement must not be dropped in silence:
	# a Deny it holds could be the one that blocks the role.
	lowercase_deny := {"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "*", "Resource": "*"},
		{"Effect": "deny", "Action": "ec2:*", "Resource": "*"},
	]}
	r := report.build(object.union(_snapshot([_full]), {"scps": [
		{"target": "r-abcd", "policies": [{"name": "GuardRail", "document": lowercase_deny}, {"name": "Broken", "document": "{nope"}]},
		{"target": "ou-abcd-11111111"},
	]}))
	r.compliant == false
	[f.message | some f in r.findings; f.id == "VBAWS-INVALID-POLICY"] == [
		"service control policy \"GuardRail\" at r-abcd: statement 2: Effect must be exactly \"Allow\" or \"Deny\", got \"deny\"",
		"service control policy \"Broken\" at r-abcd: document is a string that is neither JSON nor URL-encoded JSON of an object",
		"service control policies at ou-abcd-11111111: the level has no \"policies\" list",
	]
	r.checks.ec2_backup.actions["ec2:CreateSnapshot"] == {"decision": "implicit_deny", "blocked_by": ["scp:ou-abcd-11111111"]}
}

test_layers_and_appliance_of_the_wrong_shape_are_errors if {
	# Taking them as "none" would leave out a layer that may block the role.
	boundary_arn := report.build(object.union(_snapshot([_full]), {"role": {"permissions_boundary": "arn:aws:iam::123456789012:policy/B"}}))
	boundary_arn.compliant == false
	boundary_arn.layers.boundary == false
	[f.message | some f in boundary_arn.findings; f.id == "VBAWS-INVALID-INPUT"] == [concat("", [
		"permissions_boundary must be an object with \"arn\" and \"document\", got string: ",
		"the permissions boundary was not evaluated",
	])]
	one_level := report.build(object.union(_snapshot([_full]), {"scps": {"target": "r-abcd", "policies": []}}))
	one_level.compliant == false
	[[f.id, f.message] | some f in one_level.findings; f.severity != "warning"] == [[
		"VBAWS-INVALID-INPUT",
		"scps must be a list of levels, got object: the organization layer (SCPs) was not evaluated",
	]]

	appliance_arn := report.build(object.union(_snapshot([_full]), {"appliance": "arn:aws:iam::111111111111:role/Impersonation"}))
	appliance_arn.compliant == false
	appliance_arn.trust.checked == false
	[f.message | some f in appliance_arn.findings; f.id == "VBAWS-INVALID-INPUT"] == [
		"appliance must be an object with a \"principal\" string, got string: the trust policy was not checked",
	]

	# null stands for "not given", as a missing key does.
	report.build(object.union(_snapshot([_full]), {"role": {"permissions_boundary": null}})).compliant == true
}

test_tags_of_the_wrong_shape_leave_tag_conditions_undecided if {
	tagged := {"Effect": "Allow", "Action": _ec2_backup, "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/veeam": "backup"}}}
	every tags in [
		"veeam=backup", [{"Key": "veeam"}], [{"Key": "veeam", "Value": "backup"}, "x"],
		[{"Key": "veeam", "Value": "backup"}, {"Key": "veeam", "Value": "x"}], {"Veeam": "backup", "veeam": "x"},
		{"veeam": 5}, {"veeam": true},
	] {
		r := report.build(object.union(_snapshot([tagged]), {"role": {"tags": tags}}))
		r.checks.ec2_backup.actions["ec2:CreateSnapshot"].decision == "conditional"
		[[f.severity, f.message] | some f in r.findings; f.id == "VBAWS-INVALID-INPUT"] == [[
			"warning",
			sprintf(
				"tags must be an object of strings or a list of {\"Key\", \"Value\"} strings, keys distinct ignoring case, got %s: %s",
				[type_name(tags), "conditions on aws:PrincipalTag keys were left undecided"],
			),
		]]
	}
	null_tags := report.build(object.union(_snapshot([tagged]), {"role": {"tags": null}}))
	null_tags.checks.ec2_backup.actions["ec2:CreateSnapshot"].decision == "conditional"
	[f | some f in null_tags.findings; f.id == "VBAWS-INVALID-INPUT"] == []
}

test_username_variable_matches_nothing if {
	# tricky case 20
	r := report.build(_snapshot([{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:iam::*:user/${aws:username}"}]))
	r.checks.ec2_backup.actions["iam:ListAccountAliases"].decision == "conditional"
}

# Contract §3: a finding is id, severity, message and actions, whatever it is about; one that
# names no required action has an empty list.
test_every_finding_has_actions if {
	trust := {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}]}
	r := report.build(object.union(
		_snapshot([{"Effect": "allow", "Action": "s3:*", "Resource": "*"}]),
		{
			"role": {"trust_policy": trust, "tags": 7},
			"appliance": {"principal": "arn:aws:iam::222222222222:role/Other"},
			"checks": ["ec2_backup", "rds_backup"],
		},
	))
	ids := {f.id | some f in r.findings}
	{"VBAWS-INVALID-POLICY", "VBAWS-UNKNOWN-CHECK", "VBAWS-INVALID-INPUT", "VBAWS-TRUST", "VBAWS-MISSING", "VBAWS-SCPS-NOT-EVALUATED"} - ids == set()
	every f in r.findings {
		is_array(f.actions)
	}
	[f.actions | some f in r.findings; f.id == "VBAWS-TRUST"] == [[]]
	count([f | some f in r.findings; f.id == "VBAWS-MISSING"][0].actions) == 61
}

# Contract §3: "allowed" means no Deny can apply. A policy that could not be read may hold the
# Deny that blocks the role: every action is then undecided (conditional), never allowed, at
# check level too.
test_a_policy_that_cannot_be_read_leaves_every_action_undecided if {
	unreadable := report.build({"role": {"arn": _arn, "policies": [
		{"name": "main", "type": "inline", "document": _document([_full])},
		{"name": "arn:aws:iam::aws:policy/X", "type": "managed", "document": null, "error": "GetPolicyVersion was denied"},
	]}})
	unreadable.compliant == false
	unreadable.checks.ec2_backup.compliant == false
	unreadable.checks.ec2_backup.conditional == sort(_ec2_backup)
	unreadable.checks.ec2_backup.actions["kms:CreateGrant"] == {"decision": "conditional", "reasons": [
		"a Deny may apply: managed policy \"arn:aws:iam::aws:policy/X\" could not be read",
	]}

	# JSON text that names a key twice cannot be read one way (which Condition counts?)
	twice := `{"Statement": [{"Effect": "Deny", "Action": "kms:CreateGrant", "Resource": "*",
		"Condition": {"Bool": {"aws:ViaAWSService": "true"}}, "Condition": {}}]}`
	report.build({"role": {"arn": _arn, "policies": [
		{"name": "main", "type": "inline", "document": _document([_full])},
		{"name": "twice", "type": "inline", "document": twice},
	]}}).checks.ec2_backup.actions["kms:CreateGrant"].decision == "conditional"

	scp := report.build(object.union(_snapshot([_full]), {"scps": [{"target": "r-abcd", "policies": [
		{"name": "FullAWSAccess", "document": _document([{"Effect": "Allow", "Action": "*", "Resource": "*"}])},
		{"name": "GuardRail", "document": "{nope"},
	]}]}))
	scp.checks.ec2_backup.actions["ec2:CreateSnapshot"] == {"decision": "conditional", "reasons": [
		"scp:r-abcd: a Deny may apply: service control policy \"GuardRail\" at r-abcd could not be read",
	]}

	# an unreadable policy grants nothing: what nothing else allows stays missing
	alone := report.build({"role": {"arn": _arn, "policies": [{"name": "p", "type": "inline", "document": "{nope"}]}})
	alone.checks.ec2_backup.missing == sort(_ec2_backup)
}
