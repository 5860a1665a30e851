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
			"tags": {"team": "backup"},
		},
	}] with input as _gaad
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

test_single_snapshot if {
	snapshot.from_input == [{"role": {"arn": "a"}}] with input as {"role": {"arn": "a"}}
}
