package vbaws.cloudformation_test

import data.vbaws.cloudformation

_doc(actions) := {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}

_trust := {"Version": "2012-10-17", "Statement": [{
	"Effect": "Allow",
	"Action": "sts:AssumeRole",
	"Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::111111111111:role/Appliance"}},
}]}

_role(properties) := {"Type": "AWS::IAM::Role", "Properties": object.union(
	{"AssumeRolePolicyDocument": _trust, "Tags": [{"Key": "vbaws:checks", "Value": "ec2_backup"}]},
	properties,
)}

_template(resources) := {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}

test_role_model if {
	template := _template({"Role": _role({
		"RoleName": "Backup",
		"Policies": [{"PolicyName": "p", "PolicyDocument": _doc("ec2:CreateTags")}],
	})})
	cloudformation.roles.Role == {
		"id": "Role",
		"name": "Backup",
		"arn": "Role",
		"trust_policy": {"Version": "2012-10-17", "Statement": [{
			"Effect": "Allow",
			"Action": "sts:AssumeRole",
			"Principal": {"AWS": "arn:aws:iam::111111111111:role/Appliance"},
		}]},
		"policies": [{"name": "p", "type": "inline", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*"}]}}],
		"tags": {"vbaws:checks": "ec2_backup"},
		"tags_known": false,
		"unknowns": [],
	} with input as template
}

test_policies_attached_by_long_and_short_form_references if {
	template := _template({
		"Role": _role({"RoleName": "Backup"}),
		# Long form {"Ref": ...}, the short form `!Ref Role` as conftest's YAML parser leaves it
		# ("Role"), and the role's literal name.
		"Long": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "long", "Roles": [{"Ref": "Role"}], "PolicyDocument": _doc("a:A")}},
		"Short": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "short", "Roles": ["Role"], "PolicyDocument": _doc("a:B")}},
		"ByName": {"Type": "AWS::IAM::RolePolicy", "Properties": {"PolicyName": "by-name", "RoleName": "Backup", "PolicyDocument": _doc("a:C")}},
		"Managed": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"ManagedPolicyName": "managed", "Roles": [{"Ref": "Role"}], "PolicyDocument": _doc("a:D")}},
		"Other": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "other", "Roles": ["SomeoneElse"], "PolicyDocument": _doc("a:E")}},
	})
	policies := cloudformation.roles.Role.policies with input as template
	{p.name | some p in policies} == {"long", "short", "by-name", "managed"}
}

test_managed_policy_arns if {
	arn := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	template := _template({
		"Role": _role({"ManagedPolicyArns": [
			{"Ref": "Mine"},
			"Mine2.PolicyArn",
			{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess"},
		]}),
		"Mine": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": _doc("a:A")}},
		"Mine2": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"ManagedPolicyName": "mine2", "PolicyDocument": _doc("a:B")}},
	})
	model := cloudformation.roles.Role with input as template
		with data.vbaws_managed_policies as {arn: {"document": _doc("a:C")}}
	{p.name | some p in model.policies} == {"Mine", "mine2", arn}
	model.unknowns == []
}

test_values_known_only_at_deploy_are_unknown if {
	template := _template({"Role": _role({
		"ManagedPolicyArns": [{"Fn::ImportValue": "shared"}],
		"PermissionsBoundary": "arn:aws:iam::123456789012:policy/Boundary",
		"Policies": [{"PolicyName": "if", "PolicyDocument": {"Fn::If": ["Prod", _doc("a:A"), _doc("a:B")]}}],
	})})
	model := cloudformation.roles.Role with input as template
	model.policies == []
	model.permissions_boundary == {"arn": "arn:aws:iam::123456789012:policy/Boundary", "document": {"Version": "2012-10-17", "Statement": []}}
	{[u.layer, u.what] | some u in model.unknowns} == {
		["identity", "ManagedPolicyArns entry {\"Fn::ImportValue\":\"shared\"} is known only at deploy time"],
		["identity", "the document of inline policy \"if\" is computed by an intrinsic function at deploy time"],
		["boundary", "managed policy arn:aws:iam::123456789012:policy/Boundary has no document in this input or in data.vbaws_managed_policies (python -m harness export-managed-policies writes one)"],
	}
}

test_policy_resources_with_a_condition_are_unknown if {
	template := _template({
		"Role": _role({"ManagedPolicyArns": [{"Ref": "Extra"}]}),
		"Extra": {"Type": "AWS::IAM::ManagedPolicy", "Condition": "IsProd", "Properties": {"PolicyDocument": _doc("ec2:CreateSnapshot")}},
		"Inline": {"Type": "AWS::IAM::Policy", "Condition": "IsProd", "Properties": {"PolicyName": "extra", "Roles": [{"Ref": "Role"}], "PolicyDocument": _doc("ec2:DeleteSnapshot")}},
		"Always": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "always", "Roles": [{"Ref": "Role"}], "PolicyDocument": _doc("ec2:CopySnapshot")}},
	})
	model := cloudformation.roles.Role with input as template
	[p.name | some p in model.policies] == ["always"]
	{[u.layer, u.what] | some u in model.unknowns} == {
		["identity", "the document of Extra belongs to a resource created only when condition \"IsProd\" holds, which is known at deploy time"],
		["identity", "the document of Inline belongs to a resource created only when condition \"IsProd\" holds, which is known at deploy time"],
	}
}

test_intrinsics_inside_statements if {
	template := _template({"Role": _role({"Policies": [
		{"PolicyName": "scoped", "PolicyDocument": {"Statement": [{
			"Effect": "Allow",
			"Action": ["ec2:CreateTags", {"Fn::Sub": "ec2:DeleteTags"}],
			"Resource": [{"Fn::GetAtt": ["Queue", "Arn"]}, {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::b"]]}],
		}]}},
		{"PolicyName": "opaque", "PolicyDocument": {"Statement": [{
			"Effect": "Allow",
			"Action": {"Fn::If": ["Prod", "ec2:*", "ec2:Describe*"]},
			"Resource": "*",
		}]}},
	]})})
	model := cloudformation.roles.Role with input as template
	model.policies == [{"name": "scoped", "type": "inline", "document": {"Statement": [{
		"Effect": "Allow",
		"Action": ["ec2:CreateTags", "ec2:DeleteTags"],
		"Resource": ["arn:deploy-time:${Queue.Arn}", "arn:aws:s3:::b"],
	}]}}]
	[u.what | some u in model.unknowns] == ["the document of inline policy \"opaque\" uses intrinsic functions whose result is known only at deploy time"]
}

test_not_a_template if {
	cloudformation.deny == {"the input is not a CloudFormation template: it has no Resources object"} with input as {"format_version": "1.2"}
	cloudformation.warn == set() with input as {"format_version": "1.2"}
}

test_nothing_selected if {
	template := _template({"Role": _role({"Tags": [{"Key": "team", "Value": "web"}]})})
	cloudformation.deny == set() with input as template
	cloudformation.warn == {"no IAM role in this template is selected for the Veeam checks: tag a role with vbaws:checks (requirement set ids separated by spaces, e.g. \"ec2_backup\") or list it in data.vbaws_config.roles (see docs/conftest.md)"} with input as template
}

test_more_shapes if {
	template := _template({
		"Role": {"Type": "AWS::IAM::Role", "Properties": {
			"AssumeRolePolicyDocument": {"Fn::If": ["Prod", _trust, _trust]},
			"PermissionsBoundary": {"Ref": "Boundary"},
			"ManagedPolicyArns": [{"Fn::GetAtt": ["Mine", "PolicyArn"]}],
			"Policies": [
				{"PolicyDocument": json.marshal(_doc("a:A"))},
				{"PolicyName": "single", "PolicyDocument": {"Statement": {"Effect": "Allow", "Action": "a:B", "Resource": {"Fn::Sub": ["arn:${AWS::Partition}:s3:::${B}", {"B": "b"}]}}}},
				{"PolicyName": "no-statement", "PolicyDocument": {"Version": "2012-10-17"}},
				{"PolicyName": "number", "PolicyDocument": 7},
				{"PolicyName": "opaque-action", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": ["a:C", {"Fn::Select": [0, ["a:D"]]}], "Resource": "*"}]}},
				{"PolicyName": "principal", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "a:E", "Resource": "*", "Principal": "*"}]}},
			],
		}},
		"Boundary": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Fn::ImportValue": "boundary"}}},
		"Mine": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": _doc("a:F")}},
	})
	model := cloudformation.roles.Role with input as template
	model.trust_policy == {"Version": "2012-10-17", "Statement": []}
	model.permissions_boundary == {"arn": "Boundary", "document": {"Version": "2012-10-17", "Statement": []}}
	model.policies == [
		{"name": "Mine", "type": "managed", "document": _doc("a:F")},
		{"name": "Policies[0]", "type": "inline", "document": _doc("a:A")},
		{"name": "no-statement", "type": "inline", "document": {"Version": "2012-10-17"}},
		{"name": "number", "type": "inline", "document": 7},
		{"name": "principal", "type": "inline", "document": {"Statement": [{"Effect": "Allow", "Action": "a:E", "Resource": "*", "Principal": "*"}]}},
		{"name": "single", "type": "inline", "document": {"Statement": {"Effect": "Allow", "Action": "a:B", "Resource": "arn:aws:s3:::${B}"}}},
	]
	{[u.layer, u.what] | some u in model.unknowns} == {
		["trust", "AssumeRolePolicyDocument is computed by an intrinsic function at deploy time"],
		["boundary", "the document of Boundary is computed by an intrinsic function at deploy time"],
		["identity", "the document of inline policy \"opaque-action\" uses intrinsic functions whose result is known only at deploy time"],
	}
}

test_short_form_get_att_string if {
	template := _template({
		"Role": _role({"ManagedPolicyArns": ["Mine.PolicyArn"], "PermissionsBoundary": "Mine"}),
		"Mine": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": _doc("a:F")}},
	})
	model := cloudformation.roles.Role with input as template
	model.policies == [{"name": "Mine", "type": "managed", "document": _doc("a:F")}]
	model.permissions_boundary == {"arn": "Mine", "document": _doc("a:F")}
}

# The entry points with a one-action requirement set, so the messages stay short.
_requirements := {
	"ec2_backup": {"actions": ["ec2:CreateTags"], "source": {}},
	"worker_production": {"actions": ["ec2:RunInstances"], "source": {}},
}

test_entry_points_for_a_selected_role if {
	template := _template({"Role": _role({
		"Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [{
			"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
			"Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
		}]}}],
		"Tags": [{"Key": "vbaws:checks", "Value": "ec2_backup worker_production"}],
	})})
	cloudformation.deny == {"Role: check worker_production: missing 1 required action: ec2:RunInstances"} with input as template
		with data.vbaws.requirements as _requirements
	cloudformation.warn == {"Role: check ec2_backup: 1 required action granted only conditionally: ec2:CreateTags (allow has Condition StringEquals aws:RequestedRegion)"} with input as template
		with data.vbaws.requirements as _requirements
	cloudformation.reports.Role.compliant == false with input as template
		with data.vbaws.requirements as _requirements
}

test_policies_chosen_at_deploy_time if {
	template := _template({"Role": _role({"Policies": [
		{"Fn::If": ["Prod", {"PolicyName": "a", "PolicyDocument": _doc("a:A")}, {"Ref": "AWS::NoValue"}]},
		# `!If [Prod, {...}, !Ref AWS::NoValue]` as conftest's YAML parser leaves it
		["Prod", {"PolicyName": "b", "PolicyDocument": _doc("a:B")}, "AWS::NoValue"],
		{"PolicyName": "c", "PolicyDocument": ["Prod", _doc("a:C"), _doc("a:D")]},
		{"PolicyName": "d", "PolicyDocument": {"Statement": [["Prod", {"Effect": "Allow"}, "AWS::NoValue"]]}},
		{"PolicyName": "e", "PolicyDocument": {"Statement": "not a statement"}},
	]})})
	model := cloudformation.roles.Role with input as template
	model.policies == [{"name": "e", "type": "inline", "document": {"Statement": "not a statement"}}]
	[u.what | some u in model.unknowns] == [
		"the document of inline policy \"Policies[0]\" is chosen by an intrinsic function (such as !If) at deploy time",
		"the document of inline policy \"Policies[1]\" is chosen by an intrinsic function (such as !If) at deploy time",
		"the document of inline policy \"c\" is chosen by an intrinsic function (such as !If) at deploy time",
		"the document of inline policy \"d\" uses intrinsic functions whose result is known only at deploy time",
	]
}

test_values_that_could_widen_a_statement_at_deploy_time if {
	template := object.union(
		_template({"Role": _role({"Policies": [{"PolicyName": name, "PolicyDocument": {"Statement": [s]}} |
			some [name, s] in [
				# `!If [IsProd, "*", ...]` as conftest's YAML parser leaves it: not both branches.
				["if-action", {"Effect": "Allow", "Action": ["IsProd", "*", "ec2:DescribeInstances"], "Resource": "*"}],
				["if-resource", {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": ["IsProd", "*", "arn:aws:s3:::b"]}],
				# ... and as one entry of a list: `[s3:GetObject, !If [IsProd, "*", !Ref AWS::NoValue]]`
				["if-in-list", {"Effect": "Allow", "Action": ["s3:GetObject", ["IsProd", "*", "AWS::NoValue"]], "Resource": "*"}],
				# "${P}" could be "*": not excluding anything in particular, but everything.
				["not-action-ref", {"Effect": "Allow", "NotAction": {"Ref": "P"}, "Resource": "*"}],
				["not-action-short-ref", {"Effect": "Allow", "NotAction": "P", "Resource": "*"}],
				["not-resource-ref", {"Effect": "Allow", "Action": "ec2:*", "NotResource": {"Ref": "P"}}],
				["deny-action-sub", {"Effect": "Deny", "Action": {"Fn::Sub": "kms:${P}"}, "Resource": "*"}],
				# `!ImportValue shared`, `!FindInMap [M, K, V]`, `!Join ["", [...]]` as conftest's YAML
				# parser leaves them: a NotResource that is neither an ARN nor a wildcard.
				["not-resource-import", {"Effect": "Allow", "Action": "*", "NotResource": "shared"}],
				["not-resource-find-in-map", {"Effect": "Allow", "Action": "*", "NotResource": ["M", "K", "V"]}],
				["not-resource-join", {"Effect": "Allow", "Action": "*", "NotResource": ["", ["arn:aws:s3:::", "b"]]}],
				# `!Join ["", ["kms:", "Decrypt"]]` and `!Select [0, ...]` in a Deny's Action.
				["deny-action-join", {"Effect": "Deny", "Action": ["", ["kms:", "Decrypt"]], "Resource": "*"}],
				["deny-action-select", {"Effect": "Deny", "Action": [0, ["kms:Decrypt"]], "Resource": "*"}],
				# Read literally, these can only grant less or deny more: they stay as they are.
				["allow-action-ref", {"Effect": "Allow", "Action": ["ec2:CreateTags", {"Ref": "P"}], "Resource": "*"}],
				["not-resource-arn", {"Effect": "Allow", "Action": "ec2:*", "NotResource": {"Fn::Sub": "arn:aws:s3:::${P}"}}],
				["list-of-three", {"Effect": "Allow", "Action": ["ec2:A", "ec2:B", "ec2:C"], "Resource": "*"}],
				["not-resource-star", {"Effect": "Allow", "Action": "*", "NotResource": ["*", "arn:aws:s3:::b"]}],
			]
		]})}),
		{"Parameters": {"P": {"Type": "String"}}, "Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}}},
	)
	model := cloudformation.roles.Role with input as template
	{p.name | some p in model.policies} == {"allow-action-ref", "not-resource-arn", "list-of-three", "not-resource-star"}
	{u.what | some u in model.unknowns} == {sprintf("the document of inline policy %q uses intrinsic functions whose result is known only at deploy time", [name]) |
		some name in [
			"if-action", "if-resource", "if-in-list", "not-action-ref", "not-action-short-ref", "not-resource-ref", "deny-action-sub",
			"not-resource-import", "not-resource-find-in-map", "not-resource-join", "deny-action-join",
			"deny-action-select",
		]
	}
}

test_policy_documents_written_as_json_text if {
	# `PolicyDocument: !Sub '{...}'` as conftest's YAML parser leaves it: the template string.
	template := object.union(
		_template({"Role": _role({"Policies": [{"PolicyName": name, "PolicyDocument": text} |
			some [name, text] in [
				# A parameter's value is pasted into the JSON unescaped: it could be anything.
				["not-resource-param", `{"Statement": [{"Effect": "Allow", "Action": "*", "NotResource": "${Excluded}"}]}`],
				["deny-param", `{"Statement": [{"Effect": "Deny", "Action": "kms:${Op}", "Resource": "arn:aws:kms:*:*:key/${Key.Arn}"}]}`],
				# `!Ref Document`, `!ImportValue shared-document`
				["ref", "Document"],
				["import", "shared-document"],
				# Pseudo parameters cannot hold a quote: the text is read, and checked as an object is.
				["pseudo", `{"Statement": [{"Effect": "Allow", "Action": "a:A", "Resource": "arn:${AWS::Partition}:s3:::${AWS::AccountId}-${!Literal}"}]}`],
				["pseudo-widening", `{"Statement": [{"Effect": "Allow", "Action": "*", "NotResource": "${AWS::StackName}"}]}`],
				["not-an-object", "7"],
				# Read as JSON, the second Condition would drop the first: as text, the engine
				# reports the repeated key.
				["repeated-key", `{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:ViaAWSService": "true"}}, "Condition": {}}]}`],
			]
		]})}),
		{"Parameters": {"Excluded": {"Type": "String"}, "Op": {"Type": "String"}, "Document": {"Type": "String"}}},
	)
	model := cloudformation.roles.Role with input as template
	model.policies == [
		{"name": "not-an-object", "type": "inline", "document": "7"},
		{"name": "pseudo", "type": "inline", "document": {"Statement": [{"Effect": "Allow", "Action": "a:A", "Resource": "arn:aws:s3:::${AWS::AccountId}-${!Literal}"}]}},
		{"name": "repeated-key", "type": "inline", "document": `{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:ViaAWSService": "true"}}, "Condition": {}}]}`},
	]
	{u.what | some u in model.unknowns} == {
		"the document of inline policy \"not-resource-param\" is JSON text into which ${Excluded} is substituted at deploy time, which could change any of its statements",
		"the document of inline policy \"deny-param\" is JSON text into which ${Key.Arn}, ${Op} are substituted at deploy time, which could change any of its statements",
		"the document of inline policy \"ref\" is computed by an intrinsic function at deploy time",
		"the document of inline policy \"import\" is text that is not JSON: the argument of a short-form tag such as !ImportValue, known only at deploy time",
		"the document of inline policy \"pseudo-widening\" uses intrinsic functions whose result is known only at deploy time",
	}
}

# An Allow and a Deny, so that what counts of a policy resource shows.
_allow_and_deny := {"Statement": [
	{"Effect": "Allow", "Action": "a:A", "Resource": "*"},
	{"Sid": "Guard", "Effect": "Deny", "Action": "a:B", "Resource": "*"},
]}

# No PolicyName: the policies are called by their logical ids.
_policy_resource(type, property, value) := {"Type": type, "Properties": {
	property: value,
	"PolicyDocument": _allow_and_deny,
}}

test_roles_named_by_expressions if {
	template := object.union(
		_template({
			# `RoleName: !Sub '${AWS::StackName}-veeam'` as conftest's YAML parser leaves it
			"Sub": _role({"RoleName": "${AWS::StackName}-veeam"}),
			"Param": _role({"RoleName": {"Ref": "RoleNameParam"}}),
			"Literal": _role({"RoleName": "prod-veeam"}),
			"Generated": _role({}),
			# The same expression as a role's RoleName is that role, and no other.
			"SameSub": _policy_resource("AWS::IAM::Policy", "Roles", ["${AWS::StackName}-veeam"]),
			"SameJoin": _policy_resource("AWS::IAM::Policy", "Roles", [{"Fn::Join": ["-", [{"Ref": "AWS::StackName"}, "veeam"]]}]),
			"SameRef": _policy_resource("AWS::IAM::RolePolicy", "RoleName", {"Ref": "RoleNameParam"}),
			"SameShortRef": _policy_resource("AWS::IAM::RolePolicy", "RoleName", "RoleNameParam"),
			# Anything else that could be a role's name at deploy time may name it.
			"OtherParam": _policy_resource("AWS::IAM::Policy", "Roles", [{"Ref": "OtherParam"}]),
			"Import": _policy_resource("AWS::IAM::Policy", "Roles", [{"Fn::ImportValue": "role-name"}]),
			"FitsPattern": _policy_resource("AWS::IAM::RolePolicy", "RoleName", "dev-veeam"),
			"LongIf": _policy_resource("AWS::IAM::Policy", "Roles", {"Fn::If": ["IsProd", [{"Ref": "Generated"}], {"Ref": "AWS::NoValue"}]}),
			# `Roles: !If [IsProd, [!Ref Literal], !Ref AWS::NoValue]`
			"ShortIf": _policy_resource("AWS::IAM::ManagedPolicy", "Roles", ["IsProd", ["Literal"], "AWS::NoValue"]),
			"ElsewhereLiteral": _policy_resource("AWS::IAM::Policy", "Roles", ["someone-else"]),
		}),
		{"Parameters": {"RoleNameParam": {"Type": "String"}, "OtherParam": {"Type": "String"}}, "Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}}},
	)
	roles := cloudformation.roles with input as template
	{role: {p.name | some p in model.policies} | some role, model in roles} == {
		"Sub": {"SameSub", "SameJoin", "OtherParam (its Deny statements)", "Import (its Deny statements)", "FitsPattern (its Deny statements)"},
		"Param": {"SameRef", "SameShortRef", "OtherParam (its Deny statements)", "Import (its Deny statements)", "FitsPattern (its Deny statements)", "ElsewhereLiteral (its Deny statements)"},
		"Literal": {"OtherParam (its Deny statements)", "Import (its Deny statements)", "ShortIf (its Deny statements)"},
		"Generated": {"OtherParam (its Deny statements)", "Import (its Deny statements)", "LongIf (its Deny statements)"},
	}
	[p.document | some p in roles.Literal.policies; p.name == "ShortIf (its Deny statements)"] == [{"Statement": [{"Sid": "Guard", "Effect": "Deny", "Action": "a:B", "Resource": "*"}]}]
	{u.what | some u in roles.Literal.unknowns} == {
		"the Allow statements of OtherParam, which may apply to this role (Roles entry \"${OtherParam}\" could name it at deploy time)",
		"the Allow statements of Import, which may apply to this role (Roles entry {\"Fn::ImportValue\":\"role-name\"} could name it at deploy time)",
		"the Allow statements of ShortIf, which may apply to this role (Roles [\"IsProd\",[\"Literal\"],\"AWS::NoValue\"] could name it at deploy time)",
	}
	roles.Sub.name == "Sub"
	roles.Literal.name == "prod-veeam"
}

test_a_string_that_reads_as_two_roles_names_neither_for_certain if {
	template := _template({
		"Backup": _role({}),
		"Named": _role({"RoleName": "Backup"}),
		"Policy": _policy_resource("AWS::IAM::Policy", "Roles", ["Backup"]),
	})
	roles := cloudformation.roles with input as template
	{role: [p.name | some p in model.policies] | some role, model in roles} == {
		"Backup": ["Policy (its Deny statements)"],
		"Named": ["Policy (its Deny statements)"],
	}
}

test_more_role_name_shapes if {
	template := _template({
		"Imported": _role({"RoleName": {"Fn::ImportValue": "role-name"}}),
		"SubList": _role({"RoleName": {"Fn::Sub": ["${AWS::StackName}-b", {}]}}),
		"Attr": _role({"RoleName": {"Fn::GetAtt": ["Custom", "Name"]}}),
		"AttrString": _role({"RoleName": {"Fn::GetAtt": "Custom.Other"}}),
		"Custom": {"Type": "Custom::Names"},
		"BySub": _policy_resource("AWS::IAM::Policy", "Roles", [{"Fn::Sub": ["${AWS::StackName}-b", {}]}]),
		"ByAttr": _policy_resource("AWS::IAM::RolePolicy", "RoleName", {"Fn::GetAtt": ["Custom", "Name"]}),
		# A role whose name cannot be read could have any name; one from an attribute too.
		"Literal": {"Type": "AWS::IAM::Policy", "Properties": {"Roles": ["x"], "PolicyDocument": 7}},
		"UnknownDocument": {"Type": "AWS::IAM::Policy", "Properties": {"Roles": ["y"], "PolicyDocument": {"Fn::ImportValue": "doc"}}},
	})
	roles := cloudformation.roles with input as template
	{role: {p.name | some p in model.policies} | some role, model in roles} == {
		"Imported": {"Literal (its Deny statements)"},
		"SubList": {"BySub"},
		"Attr": {"ByAttr", "Literal (its Deny statements)"},
		"AttrString": {"Literal (its Deny statements)"},
	}
	[p.document | some p in roles.Imported.policies] == [7]
	{u.what | some u in roles.AttrString.unknowns} == {
		"the Allow statements of Literal, which may apply to this role (Roles entry \"x\" could name it at deploy time)",
		"the document of UnknownDocument is computed by an intrinsic function at deploy time",
	}
	roles.SubList.unknowns == []
}

test_names_from_the_stack_name if {
	template := _template({
		"Long": _role({"RoleName": {"Fn::Sub": "${AWS::StackName}-long"}}),
		"Fixed": _role({"RoleName": "fixed"}),
		"ByLongSub": _policy_resource("AWS::IAM::Policy", "Roles", [{"Fn::Sub": ["${AWS::StackName}-long"]}]),
		# `RoleName: !Ref AWS::StackName`: the stack's name could be "fixed".
		"ByStackName": _policy_resource("AWS::IAM::RolePolicy", "RoleName", "AWS::StackName"),
	})
	roles := cloudformation.roles with input as template
	{role: {p.name | some p in model.policies} | some role, model in roles} == {
		"Long": {"ByLongSub", "ByStackName (its Deny statements)"},
		"Fixed": {"ByStackName (its Deny statements)"},
	}
	[u.what | some u in roles.Fixed.unknowns] == ["the Allow statements of ByStackName, which may apply to this role (RoleName \"${AWS::StackName}\" could name it at deploy time)"]
}

test_a_name_that_differs_only_in_case_may_name_the_role if {
	template := _template({
		"Role": _role({"RoleName": "VeeamBackup"}),
		"Sub": _role({"RoleName": "${AWS::StackName}-Veeam"}),
		"Lower": _policy_resource("AWS::IAM::Policy", "Roles", ["veeambackup", "prod-VEEAM"]),
		"Exact": _policy_resource("AWS::IAM::RolePolicy", "RoleName", "VeeamBackup"),
	})
	roles := cloudformation.roles with input as template
	{role: {p.name | some p in model.policies} | some role, model in roles} == {
		"Role": {"Exact", "Lower (its Deny statements)"},
		"Sub": {"Lower (its Deny statements)"},
	}
	[u.what | some u in roles.Role.unknowns] == ["the Allow statements of Lower, which may apply to this role (Roles entry \"veeambackup\" could name it at deploy time)"]
}

test_macros_are_warned if {
	template := object.union(
		_template({
			"Role": _role({
				"Policies": [{"PolicyName": "p", "PolicyDocument": _doc("ec2:CreateTags")}],
				"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://bucket/guardrails.yaml"}},
			}),
			"Extra": {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://bucket/extra.yaml"}}},
			"Odd": {"Fn::Transform": "x"},
		}),
		{"Transform": ["AWS::Serverless-2016-10-31", "MyCompanyMacro"]},
	)
	cloudformation.warn == {concat("", [
		"this template uses macros that CloudFormation expands at deploy time ",
		"(AWS::Include, AWS::Serverless-2016-10-31, Fn::Transform, MyCompanyMacro); ",
		"the roles and policies they add or change are not checked",
	])} with input as template
		with data.vbaws.requirements as _requirements
	single := object.union(_template({"Role": _role({})}), {"Transform": "MyCompanyMacro"})
	concat("", [
		"this template uses macros that CloudFormation expands at deploy time (MyCompanyMacro); ",
		"the roles and policies they add or change are not checked",
	]) in cloudformation.warn with input as single
		with data.vbaws.requirements as _requirements
}

# `Transform: {Name: AWS::Include, Parameters: {...}}` names its macro by Name, alone or in a
# list; one named in no readable way is still a macro.
test_macros_written_as_objects_in_the_transform_section_are_warned if {
	include := {"Name": "AWS::Include", "Parameters": {"Location": "s3://bucket/guardrails.yaml"}}
	every case in [
		[include, "AWS::Include"],
		[["AWS::Serverless-2016-10-31", include], "AWS::Include, AWS::Serverless-2016-10-31"],
		[{"Name": {"Ref": "Macro"}}, "Transform"],
	] {
		template := object.union(_template({"Role": _role({})}), {"Transform": case[0]})
		concat("", [
			"this template uses macros that CloudFormation expands at deploy time (", case[1], "); ",
			"the roles and policies they add or change are not checked",
		]) in cloudformation.warn with input as template
			with data.vbaws.requirements as _requirements
	}
}

test_a_short_form_join_role_name_is_one_expression if {
	# `RoleName: !Join ['-', [!Ref 'AWS::StackName', veeam]]` as conftest's YAML parser leaves it
	join := ["-", ["AWS::StackName", "veeam"]]
	template := _template({
		"Role": _role({"RoleName": join}),
		"Policy": _policy_resource("AWS::IAM::RolePolicy", "RoleName", join),
	})
	roles := cloudformation.roles with input as template
	[p.name | some p in roles.Role.policies] == ["Policy"]
	roles.Role.unknowns == []
}
