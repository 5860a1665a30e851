package vbaws.snapshot_test

import data.vbaws.snapshot

_gaad := {
	"RoleDetailList": [{
		"Path": "/",
		"RoleName": "Backup",
		"Arn": "arn:aws:iam::123456789012:role/Backup",
		"AssumeRolePolicyDocument": {"Statement": []},
		"RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": "%7B%7D"}],
		"AttachedManagedPolicies": [
			{"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
			{"PolicyName": "Gone", "PolicyArn": "arn:aws:iam::123456789012:policy/Gone"},
		],
		"PermissionsBoundary": {
			"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
			"PermissionsBoundaryArn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
		},
		"Tags": [{"Key": "team", "Value": "backup"}],
	}],
	"Policies": [{
		"Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
		"PolicyVersionList": [
			{"VersionId": "v2", "IsDefaultVersion": false, "Document": {"old": true}},
			{"VersionId": "v3", "IsDefaultVersion": true, "Document": {"new": true}},
		],
	}],
	"checks": ["worker_production"],
}

_read_only := {"name": "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn": "arn:aws:iam::aws:policy/ReadOnlyAccess", "type": "managed", "document": {"new": true}}

test_get_account_authorization_details if {
	snapshot.from_input == [{
		"checks": ["worker_production"],
		"role": {
			"arn": "arn:aws:iam::123456789012:role/Backup",
			"name": "Backup",
			"path": "/",
			"trust_policy": {"Statement": []},
			"policies": [
				{"name": "inline", "type": "inline", "document": "%7B%7D"},
				_read_only,
				{
					"name": "arn:aws:iam::123456789012:policy/Gone",
					"arn": "arn:aws:iam::123456789012:policy/Gone",
					"type": "managed",
					"document": null,
					"error": "its document is not in the input's Policies list (no default version found)",
				},
			],
			"permissions_boundary": _read_only,
			"tags": [{"Key": "team", "Value": "backup"}],
		},
	}] with input as _gaad
}

test_what_a_role_detail_does_not_say_is_not_taken_as_none if {
	detail := object.remove(_gaad.RoleDetailList[0], ["Tags", "PermissionsBoundary"])
	no_arn := object.union(detail, {"PermissionsBoundary": {"PermissionsBoundaryType": "PermissionsBoundaryPolicy"}})
	role := snapshot.from_input[0].role with input as object.union(_gaad, {"RoleDetailList": [no_arn]})

	# a boundary that cannot be resolved is an error in the report, never no boundary
	role.permissions_boundary == {"document": null, "error": "the role's PermissionsBoundary has no PermissionsBoundaryArn"}

	# tags not listed are not known (a Deny on aws:PrincipalTag stays undecided)
	not "tags" in object.keys(role)

	# nor are policies: a role without its policy lists has an error for each, never none
	unlisted := object.remove(detail, ["RolePolicyList", "AttachedManagedPolicies"])
	policies := snapshot.from_input[0].role.policies with input as object.union(_gaad, {"RoleDetailList": [unlisted]})
	policies == [
		{"name": "RolePolicyList", "type": "inline", "document": null, "error": "the role's entry has no RolePolicyList, so its inline policies are not known"},
		{"name": "AttachedManagedPolicies", "type": "managed", "document": null, "error": "the role's entry has no AttachedManagedPolicies, so its managed policies are not known"},
	]

	# a list given as null is not known either: an inline Deny must not go unseen
	nulled := object.union(detail, {"RolePolicyList": null})
	nulled_policies := snapshot.from_input[0].role.policies with input as object.union(_gaad, {"RoleDetailList": [nulled]})
	{"name": "RolePolicyList", "type": "inline", "document": null, "error": "the role's entry has no RolePolicyList, so its inline policies are not known"} in nulled_policies
}

test_batch_defaults_apply_to_roles_without_their_own if {
	batch := {
		"checks": ["worker_production"],
		"appliance": {"principal": "111111111111"},
		"roles": [{"role": {"arn": "a"}}, {"role": {"arn": "b"}, "checks": ["ec2_backup"]}],
	}
	snapshot.from_input == [
		{"role": {"arn": "a"}, "checks": ["worker_production"], "appliance": {"principal": "111111111111"}},
		{"role": {"arn": "b"}, "checks": ["ec2_backup"], "appliance": {"principal": "111111111111"}},
	] with input as batch
}

test_a_roles_own_null_takes_the_batch_default if {
	# null means "not given" (contract §2): it must not switch off the batch's SCPs or appliance.
	batch := {
		"scps": [{"target": "r-1", "policies": []}],
		"appliance": {"principal": "111111111111"},
		"roles": [{"role": {"arn": "a"}, "scps": null, "appliance": null, "checks": null}],
	}
	snapshot.from_input == [{
		"role": {"arn": "a"},
		"scps": [{"target": "r-1", "policies": []}],
		"appliance": {"principal": "111111111111"},
	}] with input as batch
}

test_a_policy_listed_with_different_default_documents_is_not_guessed if {
	arn := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	twice := object.union(_gaad, {"Policies": array.concat(_gaad.Policies, [
		# the same document again is harmless; a different one leaves the ARN without one
		{"Arn": arn, "PolicyVersionList": [{"VersionId": "v3", "IsDefaultVersion": true, "Document": {"new": true}}]},
		{"Arn": arn, "PolicyVersionList": [{"VersionId": "v4", "IsDefaultVersion": true, "Document": {"newer": true}}]},
	])})
	policies := snapshot.from_input[0].role.policies with input as twice
	policies[1] == {
		"name": arn,
		"arn": arn,
		"type": "managed",
		"document": null,
		"error": "the input's Policies list gives it more than one default version, with different documents",
	}
	once := object.union(_gaad, {"Policies": array.concat(_gaad.Policies, [
		{"Arn": arn, "PolicyVersionList": [{"VersionId": "v3", "IsDefaultVersion": true, "Document": {"new": true}}]},
	])})
	snapshot.from_input[0].role.policies[1] == _read_only with input as once
}

test_single_snapshot if {
	snapshot.from_input == [{"role": {"arn": "a"}}] with input as {"role": {"arn": "a"}}
}

# Reported as not a snapshot, rather than as no roles at all (nothing failed).
test_an_input_that_is_not_an_object_is_one_snapshot if {
	every odd in [[{"role": {"arn": "a"}}], "x", 5, true] {
		snapshot.from_input == [odd] with input as odd
	}
}

# Each attachment gets one entry, whatever the Policies list holds for it: a document that
# is not an object (false) is passed on for the report to call invalid, and a missing or
# non-string PolicyArn is said to be missing even when an entry's Arn is null as well.
test_odd_managed_policy_entries_give_one_entry_each if {
	gaad := {
		"RoleDetailList": [{
			"RoleName": "B",
			"Arn": "arn:aws:iam::123456789012:role/B",
			"RolePolicyList": [],
			"AttachedManagedPolicies": [
				{"PolicyName": "X", "PolicyArn": "arn:aws:iam::123456789012:policy/X"},
				{"PolicyName": "Y", "PolicyArn": null},
				{"PolicyName": "Z"},
			],
			"PermissionsBoundary": {"PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/X"},
		}],
		"Policies": [
			{"Arn": "arn:aws:iam::123456789012:policy/X", "PolicyVersionList": [{"IsDefaultVersion": true, "Document": false}]},
			{"Arn": null, "PolicyVersionList": [{"IsDefaultVersion": true, "Document": {"Statement": []}}]},
		],
	}
	role := snapshot.from_input[0].role with input as gaad
	x := {"name": "arn:aws:iam::123456789012:policy/X", "arn": "arn:aws:iam::123456789012:policy/X", "type": "managed", "document": false}
	role.policies == [
		x,
		{"name": null, "type": "managed", "document": null, "error": "the attachment has no PolicyArn"},
		{"name": null, "type": "managed", "document": null, "error": "the attachment has no PolicyArn"},
	]
	role.permissions_boundary == x
}

test_batch_elements_of_any_shape_keep_their_place if {
	# The report of a non-object element says it has no role object; dropping it would
	# shift every later report of report_list onto the wrong role.
	from_input := snapshot.from_input with input as {"roles": [{"role": {"arn": "a"}}, "oops", 5], "checks": ["ec2_backup"]}
	from_input == [{"role": {"arn": "a"}, "checks": ["ec2_backup"]}, "oops", 5]
}

test_incomplete_role_details_are_kept_with_what_is_missing if {
	detail := {
		"RoleName": "NoArn",
		"RolePolicyList": [{"PolicyName": "no-document"}],
		"AttachedManagedPolicies": [{"PolicyName": "no-arn"}],
	}
	from_input := snapshot.from_input with input as {"RoleDetailList": [detail, "oops"], "Policies": []}
	from_input[0].role.arn == null
	from_input[0].role.name == "NoArn"
	from_input[0].role.policies == [
		{"name": "no-document", "type": "inline", "document": null},
		{"name": null, "type": "managed", "document": null, "error": "the attachment has no PolicyArn"},
	]
	from_input[1] == "oops"
}

# A Policies entry whose DefaultVersionId and IsDefaultVersion name different versions gives
# no document: which one is in force cannot be told.
test_a_default_version_that_default_version_id_does_not_name_is_not_guessed if {
	arn := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	disagree := object.union(_gaad, {"Policies": [{
		"Arn": arn,
		"DefaultVersionId": "v2",
		"PolicyVersionList": [
			{"VersionId": "v1", "IsDefaultVersion": true, "Document": {"old": true}},
			{"VersionId": "v2", "IsDefaultVersion": false, "Document": {"new": true}},
		],
	}]})
	policies := snapshot.from_input[0].role.policies with input as disagree
	policies[1].document == null
	policies[1].error == "its document is not in the input's Policies list (no default version found)"
	agree := object.union(_gaad, {"Policies": [{
		"Arn": arn,
		"DefaultVersionId": "v1",
		"PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": {"old": true}}],
	}]})
	snapshot.from_input[0].role.policies[1].document == {"old": true} with input as agree
}

# IAM gives every version its VersionId: a version flagged default without one, where
# DefaultVersionId names a version, cannot be told to be the one in force.
test_a_default_version_without_a_version_id_is_not_guessed if {
	arn := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	no_id := object.union(_gaad, {"Policies": [{
		"Arn": arn,
		"DefaultVersionId": "v2",
		"PolicyVersionList": [
			{"IsDefaultVersion": true, "Document": {"old": true}},
			{"VersionId": "v2", "IsDefaultVersion": false, "Document": {"new": true}},
		],
	}]})
	policies := snapshot.from_input[0].role.policies with input as no_id
	policies[1].document == null
	policies[1].error == "its document is not in the input's Policies list (no default version found)"
}
