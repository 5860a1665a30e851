package vbaws.cloudformation_test

import data.vbaws.cloudformation

_mapped(statements) := object.union(
	_template({"Role": _role({"Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": statements}}]})}),
	{
		"Mappings": {"Guard": {
			"dev": {"Denied": "s3:DeleteBucket", "Granted": ["ec2:CreateTags", "s3:GetObject"], "Arn": "arn:aws:s3:::dev"},
			"prod": {"Denied": "ec2:CreateTags", "Granted": ["ec2:CreateTags"], "Arn": "arn:aws:s3:::prod"},
		}},
		"Parameters": {"Env": {"Type": "String"}},
	},
)

_allow_all := {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*"}

_deny_mapped(action) := _mapped([_allow_all, {"Effect": "Deny", "Action": action, "Resource": "*"}])

# `Action: !FindInMap [Guard, dev, Denied]` arrives as its three arguments, which read literally
# are three invalid actions (a deny naming "Guard"): it is the action the mapping gives.
test_find_in_map_in_an_action_is_the_mapping_value if {
	every action in [["Guard", "dev", "Denied"], {"Fn::FindInMap": ["Guard", "dev", "Denied"]}, ["s3:GetObject", ["Guard", "dev", "Denied"]]] {
		cloudformation.deny == set() with input as _deny_mapped(action) with data.vbaws.requirements as _requirements
		cloudformation.warn == set() with input as _deny_mapped(action) with data.vbaws.requirements as _requirements
	}
	cloudformation.deny == {"Role: check ec2_backup: explicitly denied: ec2:CreateTags (statement 2 of inline policy \"p\")"} with input as _deny_mapped(["Guard", "prod", "Denied"])
		with data.vbaws.requirements as _requirements

	# A list value gives its entries.
	granted := _mapped([{"Effect": "Allow", "Action": [["Guard", "dev", "Granted"]], "Resource": "*"}])
	cloudformation.roles.Role.policies[0].document.Statement[0].Action == ["ec2:CreateTags", "s3:GetObject"] with input as granted
	cloudformation.deny == set() with input as granted with data.vbaws.requirements as _requirements
}

# A key chosen at deploy time (`!FindInMap [Guard, !Ref Env, Denied]`) gives one of its level's
# values, known at deploy time: a Deny's Action so chosen makes the document unknown, an
# Allow's grants nothing, a resource is never every resource, and an Allow's NotResource makes
# the document unknown unless the keys are written out.
test_find_in_map_chosen_at_deploy_time_in_a_statement if {
	unknown := ["the document of inline policy \"p\" uses intrinsic functions whose result is known only at deploy time"]
	every template in [
		_deny_mapped(["Guard", "Env", "Denied"]),
		_deny_mapped({"Fn::FindInMap": ["Guard", {"Ref": "Env"}, "Denied"]}),
		_mapped([{"Effect": "Allow", "Action": "ec2:CreateTags", "NotResource": ["Guard", "Env", "Arn"]}]),
	] {
		[u.what | some u in cloudformation.roles.Role.unknowns] == unknown with input as template
	}
	allowed := _mapped([{"Effect": "Allow", "Action": ["Guard", "Env", "Granted"], "Resource": "*"}])
	cloudformation.roles.Role.policies[0].document.Statement[0].Action == "deploy-time:${Fn..FindInMap}" with input as allowed
	cloudformation.deny == {"Role: check ec2_backup: missing 1 required action: ec2:CreateTags"} with input as allowed
		with data.vbaws.requirements as _requirements
	scoped := _mapped([{"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": ["Guard", "Env", "Arn"]}])
	cloudformation.roles.Role.policies[0].document.Statement[0].Resource == "arn:deploy-time:${Fn..FindInMap}" with input as scoped
	excluded := _mapped([{"Effect": "Allow", "Action": "ec2:CreateTags", "NotResource": ["Guard", "dev", "Arn"]}])
	cloudformation.roles.Role.policies[0].document.Statement[0].NotResource == "arn:aws:s3:::dev" with input as excluded
	cloudformation.roles.Role.unknowns == [] with input as excluded
}

# `PolicyName: !FindInMap [Names, dev, Guard]` arrives as its three arguments: it is the name the
# mapping gives, not any name at all, or, when a key is chosen at deploy time, any name of its
# level.
test_policy_name_from_find_in_map_is_the_mapping_value if {
	template := object.union(
		_template({
			"Role": _role({"RoleName": "veeam", "Policies": [_inline("veeam", _doc("a:A"))]}),
			"Guard": _role_policy("veeam", ["Names", "dev", "Guard"], _doc("a:D")),
			"Managed": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
				"ManagedPolicyName": ["Names", "dev", "Guard"],
				"PolicyDocument": _doc("a:E"),
			}},
			"Other": _role({"ManagedPolicyArns": ["arn:aws:iam::123456789012:policy/guard"]}),
		}),
		{
			"Mappings": {
				"Names": {"dev": {"Guard": "guard"}, "prod": {"Guard": "veeam"}},
				"Extra": {"dev": {"Guard": "guard"}, "test": {"Guard": "extra"}},
			},
			"Parameters": {"Env": {"Type": "String"}},
		},
	)
	[[p.name, p.document] | some p in cloudformation.roles.Role.policies] == [["guard", _doc("a:D")], ["veeam", _doc("a:A")]] with input as template
	cloudformation.roles.Role.unknowns == [] with input as template
	[p.name | some p in cloudformation.roles.Other.policies] == ["guard"] with input as template

	prod := json.patch(template, [{"op": "replace", "path": "/Resources/Guard/Properties/PolicyName/1", "value": "prod"}])
	{u.what | some u in cloudformation.roles.Role.unknowns} == {
		_same_name("veeam", "Guard", "Guard, Policies[0]"),
		_same_name("veeam", "Policies[0]", "Guard, Policies[0]"),
	} with input as prod

	chosen := json.patch(template, [{"op": "replace", "path": "/Resources/Guard/Properties/PolicyName/1", "value": "Env"}])
	{u.what | some u in cloudformation.roles.Role.unknowns} == {
		_possibly_same_name(`["Names","Env","Guard"]`, "Guard", "Guard, Policies[0]"),
		_possibly_same_name(`"veeam"`, "Policies[0]", "Guard, Policies[0]"),
	} with input as chosen

	# No value of the level is the role's policy's name.
	other := json.patch(template, [{"op": "replace", "path": "/Resources/Guard/Properties/PolicyName", "value": ["Extra", "Env", "Guard"]}])
	cloudformation.roles.Role.unknowns == [] with input as other
}

# A principal, a ManagedPolicyArns list or entry and a PermissionsBoundary given by !FindInMap
# are the mapping's values, not three names that name no principal or policy.
test_principals_and_policy_arns_from_find_in_map if {
	arn := "arn:aws:iam::123456789012:policy/Guard"
	data_policies := {arn: {"document": _doc("ec2:CreateTags")}}
	template := object.union(
		_template({"Role": _role({
			"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
				{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": ["Accounts", "Appliance", "Arn"]}},
				{"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"AWS": ["Accounts", "Blocked", "Arn"]}},
			]},
			"ManagedPolicyArns": ["Policies", "Guard", "Arns"],
			"PermissionsBoundary": ["Policies", "Guard", "Arn"],
		})}),
		{"Mappings": {
			"Accounts": {"Appliance": {"Arn": "arn:aws:iam::111111111111:role/Appliance"}, "Blocked": {"Arn": "222222222222"}},
			"Policies": {"Guard": {"Arns": [arn], "Arn": arn}, "Other": {"Arns": [], "Arn": arn}},
		}},
	)
	model := cloudformation.roles.Role with input as template with data.vbaws_managed_policies as data_policies
	model.unknowns == []
	model.trust_policy.Statement[0].Principal == {"AWS": "arn:aws:iam::111111111111:role/Appliance"}
	[p.name | some p in model.policies] == [arn]
	model.permissions_boundary.arn == arn

	# An entry of the list, and a list whose keys are chosen at deploy time (one unknown).
	entry := json.patch(template, [{"op": "replace", "path": "/Resources/Role/Properties/ManagedPolicyArns", "value": [["Policies", "Guard", "Arn"]]}])
	[p.name | some p in cloudformation.roles.Role.policies] == [arn] with input as entry with data.vbaws_managed_policies as data_policies
	chosen := json.patch(template, [{"op": "replace", "path": "/Resources/Role/Properties/ManagedPolicyArns/1", "value": "AWS::Region"}])
	[u.what | some u in cloudformation.roles.Role.unknowns] == [`ManagedPolicyArns entry ["Policies","AWS::Region","Arns"] is known only at deploy time`] with input as chosen
		with data.vbaws_managed_policies as data_policies
}

# A key that is no key of its level (`!ImportValue env` arrives as "env", `!Sub "${AWS::Region}"`
# as its text) is chosen at deploy time, not a key that names no value: a Roles entry or a
# RoleName so given may name the roles of every value of its level, so the Deny counts.
test_find_in_map_key_not_in_the_mapping_is_chosen_at_deploy_time if {
	mappings := {"Mappings": {"Names": {"dev": {"Backup": "VeeamDev"}, "prod": {"Backup": "Veeam"}}}}
	every key in ["shared-env", "${AWS::Region}"] {
		every guard in [
			_policy_resource("AWS::IAM::Policy", "Roles", [["Names", key, "Backup"]]),
			_policy_resource("AWS::IAM::RolePolicy", "RoleName", ["Names", key, "Backup"]),
		] {
			template := object.union(_template({"Role": _role({"RoleName": "Veeam"}), "Guard": guard}), mappings)
			model := cloudformation.roles.Role with input as template
			[p.document.Statement | some p in model.policies] == [[{"Sid": "Guard", "Effect": "Deny", "Action": "a:B", "Resource": "*"}]]
		}
	}
}

# Every value a key chosen at deploy time may give being the same, it is that value: a
# ManagedPolicyArns list or entry and a PermissionsBoundary name its policy.
test_find_in_map_of_one_value_at_every_key if {
	arn := "arn:aws:iam::123456789012:policy/Guard"
	template := object.union(
		_template({"Role": _role({
			"ManagedPolicyArns": ["Policies", "Env", "Arns"],
			"PermissionsBoundary": ["Policies", "Env", "Arn"],
		})}),
		{
			"Mappings": {"Policies": {"dev": {"Arns": [arn], "Arn": arn}, "prod": {"Arns": [arn], "Arn": arn}}},
			"Parameters": {"Env": {"Type": "String"}},
		},
	)
	data_policies := {arn: {"document": _doc("ec2:CreateTags")}}
	model := cloudformation.roles.Role with input as template with data.vbaws_managed_policies as data_policies
	[p.name | some p in model.policies] == [arn]
	model.permissions_boundary.arn == arn
	model.unknowns == []
	entry := json.patch(template, [{"op": "replace", "path": "/Resources/Role/Properties/ManagedPolicyArns", "value": [["Policies", "Env", "Arn"]]}])
	[p.name | some p in cloudformation.roles.Role.policies] == [arn] with input as entry with data.vbaws_managed_policies as data_policies
}

# `Action: !Select [1, !FindInMap [Guard, dev, Granted]]` arrives as [1, ["Guard", "dev",
# "Granted"]]: read as a list with the mapping's entries in place of the one, the Allow granted
# ec2:CreateTags too, when CloudFormation picks s3:GetObject; a Deny's NotAction so written
# spared ec2:CreateTags. An index chosen at deploy time grants nothing.
test_a_select_of_a_mapping_list_is_the_entry_it_picks if {
	every action in [[1, ["Guard", "dev", "Granted"]], ["1", ["Guard", "dev", "Granted"]], ["Env", ["Guard", "dev", "Granted"]]] {
		allowed := _mapped([{"Effect": "Allow", "Action": action, "Resource": "*"}])
		cloudformation.deny == {"Role: check ec2_backup: missing 1 required action: ec2:CreateTags"} with input as allowed
			with data.vbaws.requirements as _requirements
	}
	picked := _mapped([{"Effect": "Allow", "Action": [0, ["Guard", "dev", "Granted"]], "Resource": "*"}])
	cloudformation.roles.Role.policies[0].document.Statement[0].Action == "ec2:CreateTags" with input as picked
	cloudformation.deny == set() with input as picked with data.vbaws.requirements as _requirements

	spared := _mapped([_allow_all, {"Effect": "Deny", "NotAction": [1, ["Guard", "dev", "Granted"]], "Resource": "*"}])
	cloudformation.deny == {"Role: check ec2_backup: explicitly denied: ec2:CreateTags (statement 2 of inline policy \"p\")"} with input as spared
		with data.vbaws.requirements as _requirements
}

# ... and `AWS: !Select [0, !FindInMap [Accounts, appliance, Arns]]` lets in the first ARN only.
# A list of a principal and a mapping's one principal (`[other, !FindInMap [...]]`) is both.
test_a_select_of_a_mapping_list_in_a_principal_is_the_entry_it_picks if {
	other := "arn:aws:iam::222222222222:root"
	appliance := "arn:aws:iam::111111111111:role/Appliance"
	mappings := {"Mappings": {"Accounts": {"appliance": {"Arns": [other, appliance], "Arn": appliance}}}}
	every pair in [
		[[0, ["Accounts", "appliance", "Arns"]], other],
		[["0", ["Accounts", "appliance", "Arns"]], other],
		[[1, ["Accounts", "appliance", "Arns"]], appliance],
		[["Idx", ["Accounts", "appliance", "Arns"]], "${Fn::Select}"],
		[[other, ["Accounts", "appliance", "Arn"]], [other, appliance]],
		[["Idx", ["Accounts", "appliance", "Arn"]], ["Idx", appliance]],
	] {
		trust := object.union(_trusting([_allow({"AWS": pair[0]}, {})]), mappings)
		cloudformation.roles.Role.trust_policy.Statement[0].Principal.AWS == pair[1] with input as trust
	}
}

# `Roles: [!Select [1, !FindInMap [Names, dev, Guarded]]]` arrives as [1, ["Names", "dev",
# "Guarded"]]: read as that list, the policy named the role "dev" and its Deny missed the role
# "veeam-backup" the mapping's list gives at index 1. Index 0 gives "other".
test_a_select_of_a_mapping_list_of_roles_may_name_its_pick if {
	names := {"Mappings": {"Names": {"dev": {"Guarded": ["other", "veeam-backup"]}}}}
	picked := object.union(_selecting("veeam-backup", [[1, ["Names", "dev", "Guarded"]]]), names)
	[p.name | some p in cloudformation.roles.Role.policies] == ["grant (its Deny statements)"] with input as picked
	other := object.union(_selecting("veeam-backup", [[0, ["Names", "dev", "Guarded"]]]), names)
	cloudformation.roles.Role.policies == [] with input as other
}

# CloudFormation takes an !FindInMap as an !Select's index: `Action: !Select [!FindInMap [Index,
# dev, Second], !FindInMap [Guard, dev, Granted]]` arrives as [["Index", "dev", "Second"],
# ["Guard", "dev", "Granted"]], read as a list of both values, and the Allow granted
# ec2:CreateTags too, when the stack picks s3:GetObject; so a trust let the appliance in. An
# index given as text, or whose keys are chosen at deploy time, grants nothing.
test_a_select_of_a_mapping_list_at_a_mapped_index_is_the_entry_it_picks if {
	index := {"Mappings": {"Index": {"dev": {"First": 0, "Second": 1, "Text": "0"}, "prod": {"First": 1, "Second": 1, "Text": "0"}}}}
	every i in [
		["Index", "dev", "Second"], {"Fn::FindInMap": ["Index", "dev", "Second"]},
		["Index", "Env", "First"], ["Index", "dev", "Text"],
	] {
		allowed := object.union(_mapped([{"Effect": "Allow", "Action": [i, ["Guard", "dev", "Granted"]], "Resource": "*"}]), index)
		cloudformation.deny == {"Role: check ec2_backup: missing 1 required action: ec2:CreateTags"} with input as allowed
			with data.vbaws.requirements as _requirements
	}
	picked := object.union(_mapped([{"Effect": "Allow", "Action": [["Index", "dev", "First"], ["Guard", "dev", "Granted"]], "Resource": "*"}]), index)
	cloudformation.roles.Role.policies[0].document.Statement[0].Action == "ec2:CreateTags" with input as picked

	appliance := "arn:aws:iam::111111111111:role/Appliance"
	arns := {"Mappings": {"Accounts": {"appliance": {"Arns": ["arn:aws:iam::222222222222:root", appliance]}}}}
	every pair in [
		[["Index", "dev", "First"], "arn:aws:iam::222222222222:root"],
		[["Index", "dev", "Second"], appliance],
		[["Index", "dev", "Text"], "${Fn::Select}"],
	] {
		trust := object.union_n([_trusting([_allow({"AWS": [pair[0], ["Accounts", "appliance", "Arns"]]}, {})]), arns, index])
		cloudformation.roles.Role.trust_policy.Statement[0].Principal.AWS == pair[1] with input as trust
	}
}

# `AWS: !Join ['', !FindInMap [Accounts, A, Parts]]` arrives as ["", ["Accounts", "A", "Parts"]]:
# read as a list with the mapping's entries in place of the one, the trust let in the account
# 111111111111 (a part), when the stack lets in the joined ARN of another role alone. It is
# known only at deploy time.
test_a_join_of_a_mapping_list_in_a_principal_is_known_at_deploy_time if {
	parts := {"A": {"Parts": ["arn:aws:iam::", "111111111111", ":role/Other"]}, "B": {"Parts": ["arn:aws:iam::", "1", ":root"]}}
	mappings := {"Mappings": {"Accounts": parts}, "Parameters": {"Env": {"Type": "String"}}}
	every value in [["", ["Accounts", "A", "Parts"]], ["", {"Fn::FindInMap": ["Accounts", "A", "Parts"]}], ["", ["Accounts", "Env", "Parts"]]] {
		trust := object.union(_trusting([_allow({"AWS": value}, {})]), mappings)
		cloudformation.roles.Role.trust_policy.Statement[0].Principal.AWS == "${Fn::Join}" with input as trust
	}
}

# Role "veeam-backup" (its RoleName given) and Guard denying ec2:CreateTags to the roles named,
# with Names giving the parts of a name.
_name_guarded(role_name, roles) := object.union(
	_template({
		"Role": _role({"RoleName": role_name}),
		"Guard": {"Type": "AWS::IAM::Policy", "Properties": {
			"PolicyName": "guard", "Roles": roles,
			"PolicyDocument": {"Statement": [{"Effect": "Deny", "Action": "ec2:CreateTags", "Resource": "*"}]},
		}},
	}),
	{
		"Mappings": {"Names": {"dev": {"Parts": ["veeam", "-backup"]}, "prod": {"Parts": ["x", "y"]}}},
		"Parameters": {"Env": {"Type": "String"}},
	},
)

# `Roles: [!Join ['', !FindInMap [Names, dev, Parts]]]` arrives as ["", ["Names", "dev",
# "Parts"]]: read as the join of those three, it named the role "NamesdevParts", and the Deny
# put into "veeam-backup" was missed; so with the role's RoleName so written, and with the long
# form `Fn::Join: ['', !FindInMap [...]]`. It may name any role.
test_a_join_of_a_mapping_list_may_name_any_role if {
	joined := ["", ["Names", "dev", "Parts"]]
	long := {"Fn::Join": joined}
	every template in [
		_name_guarded("veeam-backup", [joined]), _name_guarded(joined, ["veeam-backup"]),
		_name_guarded("veeam-backup", [long]), _name_guarded(long, ["veeam-backup"]),
		_name_guarded("veeam-backup", [["-", ["Names", "Env", "Parts"]]]),
	] {
		[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as template
	}
}

# `Action: !Join ["ec2:*", !FindInMap [Guard, dev, Granted]]` arrives as ["ec2:*", ["Guard",
# "dev", "Granted"]]: read as a list with the mapping's entries in place of the one, the Allow
# granted ec2:* and ec2:CreateTags, when the stack grants "ec2:CreateTagsec2:*s3:GetObject"
# alone; and `AWS: !Join [x, !FindInMap [Accounts, A, Arns]]` let in the appliance, when the
# stack lets in "<appliance>xx", another role. A list holding the mapping's list is no value IAM
# takes, whatever the delimiter: it is known only at deploy time.
test_a_join_of_a_mapping_list_at_any_delimiter_is_known_at_deploy_time if {
	every delimiter in ["ec2:*", "*", "x"] {
		allowed := _mapped([{"Effect": "Allow", "Action": [delimiter, ["Guard", "dev", "Granted"]], "Resource": "*"}])
		cloudformation.deny == {"Role: check ec2_backup: missing 1 required action: ec2:CreateTags"} with input as allowed
			with data.vbaws.requirements as _requirements
	}
	appliance := "arn:aws:iam::111111111111:role/Appliance"
	mappings := {"Mappings": {"Accounts": {"A": {"Arns": [appliance, "x"]}}}}
	every delimiter in ["x", "/y", "*"] {
		trust := object.union(_trusting([_allow({"AWS": [delimiter, ["Accounts", "A", "Arns"]]}, {})]), mappings)
		cloudformation.roles.Role.trust_policy.Statement[0].Principal.AWS == "${Fn::Join}" with input as trust
	}
}
