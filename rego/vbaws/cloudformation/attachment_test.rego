package vbaws.cloudformation_test

import data.vbaws.cloudformation

# A managed policy ARN written out instead of `!Ref Policy` names the template's policy of that
# name: the stack deploys its document, not the older copy of data.vbaws_managed_policies.
_stale_arn := "arn:aws:iam::123456789012:policy/VeeamBackupPolicy"

_stale_data := {_stale_arn: {"name": "VeeamBackupPolicy", "document": _doc("*")}}

_narrowed(name) := {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"ManagedPolicyName": name, "PolicyDocument": _doc("ec2:Describe*")}}

test_an_arn_of_a_managed_policy_of_the_template_has_its_document if {
	template := _template({
		"Role": _role({"ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::123456789012:policy/VeeamBackupPolicy"}]}),
		"Policy": _narrowed("VeeamBackupPolicy"),
	})
	model := cloudformation.roles.Role with input as template with data.vbaws_managed_policies as _stale_data
	[[p.name, p.document] | some p in model.policies] == [["VeeamBackupPolicy", _doc("ec2:Describe*")]]
	model.unknowns == []

	# A policy of another name is not the template's: its document comes from the data.
	other := json.patch(template, [{"op": "replace", "path": "/Resources/Policy/Properties/ManagedPolicyName", "value": "Other"}])
	[p.document | some p in cloudformation.roles.Role.policies] == [_doc("*")] with input as other
		with data.vbaws_managed_policies as _stale_data
}

test_an_arn_that_may_name_a_managed_policy_of_the_template_is_unknown if {
	template := _template({
		"Role": _role({"PermissionsBoundary": _stale_arn}),
		"Policy": _narrowed({"Fn::Sub": "${AWS::StackName}Policy"}),
	})
	model := cloudformation.roles.Role with input as template with data.vbaws_managed_policies as _stale_data
	model.permissions_boundary == {"arn": _stale_arn, "document": {"Version": "2012-10-17", "Statement": []}}
	model.unknowns == [{"layer": "boundary", "what": sprintf(
		"managed policy %s may be Policy of this template, whose name or path is known only at deploy time",
		[_stale_arn],
	)}]
}

# conftest's YAML parser leaves `ManagedPolicyName: !Ref PolicyName` as the parameter's name,
# which is no policy name; and a Path chosen by `!If` may be "/": either way the ARN may be
# the template's policy, never the older copy of the data.
test_an_arn_that_may_name_a_policy_of_a_short_form_name_or_a_conditional_path_is_unknown if {
	template := object.union(
		_template({
			"Role": _role({"ManagedPolicyArns": [_stale_arn]}),
			"Policy": _narrowed("PolicyName"),
		}),
		{"Parameters": {"PolicyName": {"Type": "String", "Default": "VeeamBackupPolicy"}}},
	)
	unknown := {"layer": "identity", "what": sprintf(
		"managed policy %s may be Policy of this template, whose name or path is known only at deploy time",
		[_stale_arn],
	)}
	model := cloudformation.roles.Role with input as template with data.vbaws_managed_policies as _stale_data
	[model.policies, model.unknowns] == [[], [unknown]]

	conditional_path := json.patch(template, [
		{"op": "replace", "path": "/Resources/Policy/Properties/ManagedPolicyName", "value": "VeeamBackupPolicy"},
		{"op": "add", "path": "/Resources/Policy/Properties/Path", "value": ["IsProd", "/prod/", "/"]},
	])
	path_model := cloudformation.roles.Role with input as conditional_path with data.vbaws_managed_policies as _stale_data
	[path_model.policies, path_model.unknowns] == [[], [unknown]]
}

# conftest's YAML parser leaves `Roles: !FindInMap [Guardrails, Targets, Roles]` as the list
# of its three arguments: it names the roles of the mapping's value, not roles called
# "Guardrails", "Targets" and "Roles". A key chosen at deploy time may give any value of its level.
test_roles_from_find_in_map_name_the_roles_of_the_mapping if {
	guard := {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
		"Roles": ["Guardrails", "Targets", "Roles"],
		"PolicyDocument": _doc("ec2:CreateTags"),
	}}
	template := object.union(
		_template({
			"Role": _role({"RoleName": ["Names", "Backup", "Name"]}),
			"Other": _role({"RoleName": "other"}),
			"Guard": guard,
		}),
		{
			"Parameters": {"Env": {"Type": "String"}},
			"Mappings": {
				"Guardrails": {"Targets": {"Roles": ["veeam-backup"]}, "Old": {"Roles": ["other"]}},
				"Names": {"Backup": {"Name": "veeam-backup"}},
			},
		},
	)
	[p.name | some p in cloudformation.roles.Role.policies] == ["Guard"] with input as template
	cloudformation.roles.Role.name == "veeam-backup" with input as template
	cloudformation.roles.Other.policies == [] with input as template

	chosen := json.patch(template, [{"op": "replace", "path": "/Resources/Guard/Properties/Roles/1", "value": "Env"}])
	[p.name | some p in cloudformation.roles.Role.policies] == ["Guard (its Deny statements)"] with input as chosen
	[p.name | some p in cloudformation.roles.Other.policies] == ["Guard (its Deny statements)"] with input as chosen
}

# conftest's YAML parser leaves `Roles: !Split [",", "other,veeam-backup"]` as the list of the
# delimiter and the text: read as two role names, it named no role, and the Deny was lost.
test_roles_from_a_short_form_split_name_the_roles_of_its_parts if {
	guard := {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
		"Roles": [",", "other,veeam-backup"],
		"PolicyDocument": {"Statement": [{"Effect": "Deny", "Action": "ec2:CreateTags", "Resource": "*"}]},
	}}
	template := object.union(
		_template({
			"Role": _role({"RoleName": "veeam-backup"}),
			"Worker": _role({"RoleName": "veeam-worker"}),
			"Guard": guard,
		}),
		{"Parameters": {"Prefix": {"Type": "String"}}},
	)
	[p.name | some p in cloudformation.roles.Role.policies] == ["Guard"] with input as template
	cloudformation.roles.Worker.policies == [] with input as template

	# A part with a placeholder could be any names: `!Sub "${Prefix},other"` with Prefix "a,veeam-worker".
	sub := json.patch(template, [{"op": "replace", "path": "/Resources/Guard/Properties/Roles/1", "value": "${Prefix},other"}])
	[p.name | some p in cloudformation.roles.Role.policies] == ["Guard (its Deny statements)"] with input as sub
	[p.name | some p in cloudformation.roles.Worker.policies] == ["Guard (its Deny statements)"] with input as sub
}

# IAM allows a role named "-": a literal list of two role names ["-", "veeam-backup"] is no
# certain !Split. When read literally it names a role of the template, either reading may hold,
# so the Deny counts for the roles of both (and the Allow for neither).
test_roles_that_read_as_a_literal_list_or_a_split_may_name_the_roles_of_both if {
	guard := {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
		"Roles": ["-", "veeam-backup"],
		"PolicyDocument": {"Statement": [{"Effect": "Deny", "Action": "ec2:CreateTags", "Resource": "*"}]},
	}}
	template := _template({
		"Role": _role({"RoleName": "veeam-backup"}),
		"Part": _role({"RoleName": "veeam"}),
		"Other": _role({"RoleName": "other"}),
		"Guard": guard,
	})
	[p.name | some p in cloudformation.roles.Role.policies] == ["Guard (its Deny statements)"] with input as template
	[p.name | some p in cloudformation.roles.Part.policies] == ["Guard (its Deny statements)"] with input as template
	cloudformation.roles.Other.policies == [] with input as template
	[u.what | some u in cloudformation.roles.Role.unknowns] == [`the Allow statements of Guard, which may apply to this role (Roles ["-","veeam-backup"] could name it at deploy time)`] with input as template
}

# conftest's YAML parser leaves `!Select [!Ref Index, [veeam-backup, other]]` as the list
# ["Index", ["veeam-backup", "other"]], the shape of a short-form !Join: read only as the text
# "veeam-backup${Index}other", it named no role and the Deny was missed. An index chosen at
# deploy time may pick any entry; one written out picks its own (or the !Join text holds).
test_a_short_form_select_may_name_the_role_of_any_entry_it_may_pick if {
	guard := {"Type": "AWS::IAM::Policy", "Properties": {
		"PolicyName": "guard",
		"Roles": [["Index", ["veeam-backup", "other"]]],
		"PolicyDocument": {"Statement": [{"Effect": "Deny", "Action": "ec2:CreateTags", "Resource": "*"}]},
	}}
	template := object.union(
		_template({"Role": _role({"RoleName": "veeam-backup"}), "Guard": guard, "Third": _role({"RoleName": "third"})}),
		{"Parameters": {"Index": {"Type": "String"}}},
	)
	[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as template
	cloudformation.roles.Third.policies == [] with input as template

	# An AWS::IAM::RolePolicy's RoleName so given, likewise.
	role_policy := json.patch(template, [
		{"op": "replace", "path": "/Resources/Guard/Type", "value": "AWS::IAM::RolePolicy"},
		{"op": "remove", "path": "/Resources/Guard/Properties/Roles"},
		{"op": "add", "path": "/Resources/Guard/Properties/RoleName", "value": ["Index", ["veeam-backup", "other"]]},
	])
	[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as role_policy

	# An index written out picks its entry only.
	other := json.patch(template, [{"op": "replace", "path": "/Resources/Guard/Properties/Roles/0/0", "value": "1"}])
	cloudformation.roles.Role.policies == [] with input as other
	first := json.patch(template, [{"op": "replace", "path": "/Resources/Guard/Properties/Roles/0/0", "value": "0"}])
	[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as first

	# A !Join whose delimiter is no index is read as before.
	joined := json.patch(template, [{"op": "replace", "path": "/Resources/Guard/Properties/Roles/0", "value": ["-", ["veeam", "backup"]]}])
	[p.name | some p in cloudformation.roles.Role.policies] == ["guard"] with input as joined
}

# `Roles: !Split [",", !ImportValue shared-roles]` arrives as [",", "shared-roles"], and
# `!Split [",", !Sub "${Prefix}-roles"]` as [",", "${Prefix}-roles"]: no delimiter to split at,
# but the import or the placeholder could hold several names, the role's among them. Read
# literally, the Deny was lost; it now counts for every role, the Allow for none.
test_roles_from_a_split_of_text_without_its_delimiter_may_name_any_role if {
	guard := {"Type": "AWS::IAM::Policy", "Properties": {
		"PolicyName": "guard",
		"Roles": [",", "shared-roles"],
		"PolicyDocument": {"Statement": [{"Effect": "Deny", "Action": "ec2:CreateTags", "Resource": "*"}]},
	}}
	template := object.union(
		_template({"Role": _role({"RoleName": "veeam-backup"}), "Guard": guard}),
		{"Parameters": {"Prefix": {"Type": "String"}}},
	)
	every roles in [[",", "shared-roles"], [",", "${Prefix}-roles"]] {
		t := json.patch(template, [{"op": "replace", "path": "/Resources/Guard/Properties/Roles", "value": roles}])
		[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as t
	}

	# A text that is the role's name still names it for certain.
	named := json.patch(template, [{"op": "replace", "path": "/Resources/Guard/Properties/Roles/1", "value": "veeam-backup"}])
	[p.name | some p in cloudformation.roles.Role.policies] == ["guard"] with input as named
}

# `RoleName: !Select [!Ref Index, !Split [",", !ImportValue shared-roles]]` arrives as
# ["Index", [",", "shared-roles"]]: the import (or a placeholder) could hold several names, so
# the entry any index picks could be the role's. Read as the list [",", "shared-roles"], the
# pick named no role and the Deny was lost.
test_a_select_from_a_split_of_entries_known_at_deploy_time_may_name_any_role if {
	guard := {"Type": "AWS::IAM::RolePolicy", "Properties": {
		"PolicyName": "guard",
		"RoleName": ["Index", [",", "shared-roles"]],
		"PolicyDocument": {"Statement": [{"Effect": "Deny", "Action": "ec2:CreateTags", "Resource": "*"}]},
	}}
	template := object.union(
		_template({"Role": _role({"RoleName": "veeam-backup"}), "Guard": guard}),
		{"Parameters": {"Index": {"Type": "Number"}, "Prefix": {"Type": "String"}, "RoleList": {"Type": "String"}}},
	)
	every name in [
		["Index", [",", "shared-roles"]],
		["0", [",", "shared-roles"]],
		["0", [",", "${Prefix}-roles"]],
		["1", [",", "${Prefix},other"]],
		["0", [",", "RoleList"]],
	] {
		t := json.patch(template, [{"op": "replace", "path": "/Resources/Guard/Properties/RoleName", "value": name}])
		[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as t
	}

	# A text split at a delimiter it holds picks its own entries only.
	other := json.patch(template, [{"op": "replace", "path": "/Resources/Guard/Properties/RoleName", "value": ["1", [",", "veeam-backup,other"]]}])
	cloudformation.roles.Role.policies == [] with input as other
}

# `Roles: [!GetAtt Lookup.Data.RoleName]` arrives as "Lookup.Data.RoleName": an attribute of the
# resource Lookup (a custom resource's, a nested stack's output), a name known at deploy time,
# which may be the role's. Read as a literal, it named no role and the Deny was missed.
test_roles_from_an_attribute_with_dots_may_name_any_role if {
	template := _template({
		"Role": _role({"RoleName": "VeeamBackup", "Policies": [{"PolicyName": "p", "PolicyDocument": _doc("a:B")}]}),
		"Lookup": {"Type": "Custom::Lookup", "Properties": {"ServiceToken": "arn:aws:lambda:us-east-1:111111111111:function:x"}},
		"Guard": _policy_resource("AWS::IAM::Policy", "Roles", ["Lookup.Data.RoleName"]),
	})
	cloudformation.deny == {"Role: check ec2_backup: explicitly denied: a:B (statement Guard of inline policy \"Guard (its Deny statements)\")"} with input as template
		with data.vbaws.requirements as {"ec2_backup": {"actions": ["a:B"], "source": {}}}
}

# A literal Roles list of three whose first entry is also the name of one of the template's
# Conditions (`Roles: [VeeamBackup, a, b]` beside a condition VeeamBackup) is no certain !If:
# read only as `!If [VeeamBackup, a, b]`, the policy named a or b, and the Deny put into the role
# VeeamBackup was missed. Either reading may hold.
test_roles_that_read_as_a_literal_list_or_an_if_may_name_the_roles_of_both if {
	guarded := object.union(
		_name_guarded("VeeamBackup", ["VeeamBackup", "other", "third"]),
		{"Conditions": {"VeeamBackup": {"Fn::Equals": ["a", "b"]}}},
	)
	[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as guarded
}

# CloudFormation drops an AWS::NoValue entry from an !Join's list: `!Join [-, [veeam, !Ref
# AWS::NoValue, backup]]` gives veeam-backup. Read as the text "veeam-${AWS::NoValue}-backup",
# which that name does not fit, the Deny put into the role so named was missed, and a RolePolicy
# `!Join [-, [veeam, !Ref AWS::NoValue]]` replaced no inline policy "veeam". Such a name is not
# read: it may be any role's, or any policy's.
test_a_join_with_an_entry_of_no_value_may_name_any_role if {
	every entry in [
		["-", ["veeam", "AWS::NoValue", "backup"]],
		{"Fn::Join": ["-", ["veeam", {"Ref": "AWS::NoValue"}, "backup"]]},
	] {
		[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as _name_guarded("veeam-backup", [entry])
		[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as _name_guarded(entry, ["veeam-backup"])
	}
	named := _template({
		"Role": _role({"RoleName": "veeam-backup", "Policies": [_inline("veeam", _doc("a:A"))]}),
		"Narrow": _role_policy({"Ref": "Role"}, ["-", ["veeam", "AWS::NoValue"]], _doc("a:D")),
	})
	"veeam (Policies[0], its Deny statements)" in {p.name | some p in cloudformation.roles.Role.policies} with input as named
}

# `Roles: !Split [",", !If [C, "x,veeam-backup", !Ref AWS::NoValue]]` arrives as [",", ["C",
# "x,veeam-backup", "AWS::NoValue"]]: read as the list of "," and an !If naming "x,veeam-backup",
# it named no role, where the stack splits what the !If gives (an !Select the same), so the Deny
# put into veeam-backup was missed. Split text given by a function may name any role.
test_roles_from_a_split_of_a_function_may_name_any_role if {
	every roles in [[",", ["C", "x,veeam-backup", "AWS::NoValue"]], [",", ["1", ["a,b", "x,veeam-backup"]]]] {
		guarded := object.union(_name_guarded("veeam-backup", roles), {"Conditions": {"C": {}}})
		[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as guarded
	}
}

# `Roles: !If [C, [xx], !FindInMap [Names, dev, Parts]]` arrives as ["C", ["xx"], ["Names", "dev",
# "Parts"]]: the branch read as the list of the mapping's name and keys named no role, where the
# stack names the roles of the mapping's list when C does not hold. A branch is read as a Roles
# list is (a mapping's list, an !Split), besides as it is written.
test_roles_chosen_by_an_if_read_each_branch_as_a_roles_list if {
	guarded := object.union(
		_name_guarded("veeam", ["C", ["xx"], ["Names", "dev", "Parts"]]),
		{"Conditions": {"C": {}}},
	)
	[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as guarded
	split_branch := object.union(_name_guarded("veeam-backup", ["C", ["xx"], [",", "yy,veeam-backup"]]), {"Conditions": {"C": {}}})
	[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as split_branch
}
