package vbaws.ec2_backup_test

import data.vbaws.ec2_backup

_all := {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}

_none := {"Version": "2012-10-17", "Statement": []}

_role(arn, document) := {"role": {"arn": arn, "policies": [{"name": "p", "type": "inline", "document": document}]}}

test_report_and_allow if {
	ec2_backup.report.compliant with input as _role("arn:aws:iam::1:role/a", _all)
	ec2_backup.allow with input as _role("arn:aws:iam::1:role/a", _all)
	not ec2_backup.allow with input as _role("arn:aws:iam::1:role/a", _none)
	not ec2_backup.allow with input as {"nothing": true}
}

test_reports_by_arn_in_batch if {
	batch := {"roles": [_role("arn:aws:iam::1:role/a", _all), _role("arn:aws:iam::1:role/b", _none)]}
	reports := ec2_backup.reports with input as batch
	object.keys(reports) == {"arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"}
	reports["arn:aws:iam::1:role/a"].compliant
	not reports["arn:aws:iam::1:role/b"].compliant
	[r.role_arn | some r in ec2_backup.report_list] == ["arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"] with input as batch
}

test_repeated_arns_get_distinct_keys if {
	batch := {"roles": [_role("arn:aws:iam::1:role/a", _all), _role("arn:aws:iam::1:role/a", _none)]}
	reports := ec2_backup.reports with input as batch
	object.keys(reports) == {"arn:aws:iam::1:role/a", "arn:aws:iam::1:role/a#2"}
	reports["arn:aws:iam::1:role/a"].compliant
	not reports["arn:aws:iam::1:role/a#2"].compliant
}

test_every_later_occurrence_is_numbered_by_its_position if {
	batch := {"roles": [
		_role("arn:aws:iam::1:role/a", _all), _role("arn:aws:iam::1:role/b", _all),
		_role("arn:aws:iam::1:role/a", _none), _role("arn:aws:iam::1:role/a", _all),
	]}
	reports := ec2_backup.reports with input as batch
	object.keys(reports) == {"arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b", "arn:aws:iam::1:role/a#3", "arn:aws:iam::1:role/a#4"}
	not reports["arn:aws:iam::1:role/a#3"].compliant
	reports["arn:aws:iam::1:role/a#4"].compliant
}

# An input ARN spelled like a numbered key: numbering every report keeps all keys distinct.
test_a_numbered_key_that_is_also_an_input_arn if {
	batch := {"roles": [
		_role("arn:aws:iam::1:role/a", _all), _role("arn:aws:iam::1:role/a", _none),
		_role("arn:aws:iam::1:role/a#2", _all),
	]}
	reports := ec2_backup.reports with input as batch
	object.keys(reports) == {"arn:aws:iam::1:role/a#1", "arn:aws:iam::1:role/a#2", "arn:aws:iam::1:role/a#2#3"}
	not reports["arn:aws:iam::1:role/a#2"].compliant
	reports["arn:aws:iam::1:role/a#2#3"].compliant
}

test_reports_of_an_empty_batch if {
	ec2_backup.reports == {} with input as {"roles": []}
}

test_reports_from_get_account_authorization_details if {
	gaad := {
		"RoleDetailList": [{
			"RoleName": "a",
			"Arn": "arn:aws:iam::1:role/a",
			"RolePolicyList": [],
			"AttachedManagedPolicies": [{"PolicyName": "Admin", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}],
		}],
		"Policies": [{
			"Arn": "arn:aws:iam::aws:policy/AdministratorAccess",
			"PolicyVersionList": [{"IsDefaultVersion": true, "Document": urlquery.encode(json.marshal(_all))}],
		}],
	}
	reports := ec2_backup.reports with input as gaad
	reports["arn:aws:iam::1:role/a"].compliant

	# A managed policy whose default document is not an object is that role's error; the
	# other roles are still reported (it once failed the whole query with a conflict).
	broken := json.patch(gaad, [
		{"op": "add", "path": "/RoleDetailList/-", "value": {
			"RoleName": "b",
			"Arn": "arn:aws:iam::1:role/b",
			"RolePolicyList": [],
			"AttachedManagedPolicies": [{"PolicyName": "X", "PolicyArn": "arn:aws:iam::1:policy/X"}],
		}},
		{"op": "add", "path": "/Policies/-", "value": {
			"Arn": "arn:aws:iam::1:policy/X",
			"PolicyVersionList": [{"IsDefaultVersion": true, "Document": false}],
		}},
	])
	[[r.role_arn, r.compliant] | some r in ec2_backup.report_list] == [
		["arn:aws:iam::1:role/a", true],
		["arn:aws:iam::1:role/b", false],
	] with input as broken
	{f.message | some f in ec2_backup.reports["arn:aws:iam::1:role/b"].findings; f.id == "VBAWS-INVALID-POLICY"} == {
		`managed policy "arn:aws:iam::1:policy/X": document is a boolean, not a JSON object or string`,
	} with input as broken
}

test_an_input_that_is_not_an_object_gets_a_report_that_says_so if {
	reports := ec2_backup.report_list with input as [_role("arn:aws:iam::1:role/a", _all)]
	[[r.compliant, r.findings[0].message] | some r in reports] == [[false, "the snapshot has no role object"]]
}

test_every_batch_element_gets_a_report_in_place if {
	batch := {"roles": [_role("arn:aws:iam::1:role/a", _all), "oops", _role("arn:aws:iam::1:role/b", _all)]}
	reports := ec2_backup.report_list with input as batch
	[[r.role_arn, r.compliant] | some r in reports] == [
		["arn:aws:iam::1:role/a", true],
		["(unnamed role)", false],
		["arn:aws:iam::1:role/b", true],
	]
	reports[1].findings[0].message == "the snapshot has no role object"
}
