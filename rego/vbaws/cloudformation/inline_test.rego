package vbaws.cloudformation_test

import data.vbaws.cloudformation

_inline(name, document) := {"PolicyName": name, "PolicyDocument": document}

_role_policy(role_name, name, document) := {"Type": "AWS::IAM::RolePolicy", "Properties": {
	"RoleName": role_name,
	"PolicyName": name,
	"PolicyDocument": document,
}}

_same_name(name, origin, origins) := sprintf(
	"the Allow statements of inline policy %q of %s (%s all put an inline policy of that name into this role; which one stays cannot be told)",
	[name, origin, origins],
)

test_inline_policies_of_the_same_name_count_with_their_deny_statements_only if {
	template := _template({
		# A RolePolicy of the same name replaces the role's own: which one stays cannot be told.
		"Replaced": _role({"RoleName": "replaced", "Policies": [_inline("veeam", _allow_and_deny), _inline("other", _doc("a:C"))]}),
		"Narrow": _role_policy({"Ref": "Replaced"}, "veeam", _doc("a:D")),
		# Two Policies entries of the same name.
		"Twice": _role({"Policies": [_inline("veeam", _doc("a:A")), _inline("veeam", _allow_and_deny)]}),
		# The same document twice is one policy, whichever stays.
		"Same": _role({"RoleName": "same", "Policies": [_inline("veeam", _doc("a:A"))]}),
		"SameAgain": _role_policy("same", "veeam", _doc("a:A")),
	})
	roles := cloudformation.roles with input as template
	{p.name: p.document | some p in roles.Replaced.policies} == {
		"other": _doc("a:C"),
		"veeam (Policies[0], its Deny statements)": {"Statement": [{"Sid": "Guard", "Effect": "Deny", "Action": "a:B", "Resource": "*"}]},
		"veeam (Narrow, its Deny statements)": {"Version": "2012-10-17", "Statement": []},
	}
	{u.what | some u in roles.Replaced.unknowns} == {
		_same_name("veeam", "Narrow", "Narrow, Policies[0]"),
		_same_name("veeam", "Policies[0]", "Narrow, Policies[0]"),
	}
	{p.name: p.document | some p in roles.Twice.policies} == {
		"veeam (Policies[0], its Deny statements)": {"Version": "2012-10-17", "Statement": []},
		"veeam (Policies[1], its Deny statements)": {"Statement": [{"Sid": "Guard", "Effect": "Deny", "Action": "a:B", "Resource": "*"}]},
	}
	{u.what | some u in roles.Twice.unknowns} == {
		_same_name("veeam", "Policies[0]", "Policies[0], Policies[1]"),
		_same_name("veeam", "Policies[1]", "Policies[0], Policies[1]"),
	}
	{p.name | some p in roles.Same.policies} == {"veeam"}
	roles.Same.unknowns == []
}

# IAM does not tell user, group, role and managed policy names apart by case, and documents
# nothing else for inline policy names: "veeam" and "VEEAM" may be one policy.
test_inline_policy_names_that_differ_only_in_case_may_be_one if {
	template := _template({
		"Cased": _role({"RoleName": "cased", "Policies": [_inline("veeam", _allow_and_deny)]}),
		"Narrow": _role_policy({"Ref": "Cased"}, "VEEAM", _doc("a:D")),
	})
	role := cloudformation.roles.Cased with input as template
	{p.name | some p in role.policies} == {"veeam (Policies[0], its Deny statements)", "VEEAM (Narrow, its Deny statements)"}
	{u.what | some u in role.unknowns} == {sprintf(
		"the Allow statements of inline policy %q of %s (Narrow, Policies[0] put inline policies into this role whose names differ only in case (IAM may not tell them apart); which one stays cannot be told)",
		[name, origin],
	) |
		some [name, origin] in [["veeam", "Policies[0]"], ["VEEAM", "Narrow"]]
	}
}

test_a_policy_that_may_reach_the_role_with_the_same_name_takes_its_allow_statements if {
	template := object.union(
		_template({
			# A RolePolicy that may name the role replaces its policy of that name if it does.
			"Maybe": _role({"RoleName": "maybe", "Policies": [_inline("veeam", _doc("a:A"))]}),
			"ByParameter": _role_policy({"Ref": "Name"}, "veeam", _doc("a:E")),
		}),
		{"Parameters": {"Name": {"Type": "String"}}},
	)
	roles := cloudformation.roles with input as template
	{p.name | some p in roles.Maybe.policies} == {"veeam (Policies[0], its Deny statements)", "veeam (its Deny statements)"}
	{u.what | some u in roles.Maybe.unknowns} == {
		_same_name("veeam", "Policies[0]", "ByParameter, Policies[0]"),
		"the Allow statements of ByParameter, which may apply to this role (RoleName \"${Name}\" could name it at deploy time)",
	}
}

_possibly_same_name(name, origin, origins) := sprintf(
	"the Allow statements of inline policy %s of %s (%s put inline policies into this role whose names could be the same at deploy time; which one stays cannot be told)",
	[name, origin, origins],
)

# A PolicyName computed at deploy time could be the name of the role's own inline policy,
# and replace it.
test_a_policy_name_computed_at_deploy_time_may_be_the_same if {
	template := object.union(
		_template({
			"ByRef": _role({"RoleName": "by-ref", "Policies": [_inline("veeam", _allow_and_deny)]}),
			"Ref": _role_policy("by-ref", {"Ref": "GuardName"}, _doc("a:D")),
			# `PolicyName: !Ref GuardName` as conftest's YAML parser leaves it
			"ShortRef": _role({"RoleName": "short-ref", "Policies": [_inline("veeam", _doc("a:A")), _inline("GuardName", _doc("a:D"))]}),
			"Import": _role({"RoleName": "import", "Policies": [_inline("veeam", _doc("a:A"))]}),
			"Imported": _role_policy("import", {"Fn::ImportValue": "guard-name"}, _doc("a:D")),
			# !Sub text without a placeholder is a literal.
			"Sub": _role({"RoleName": "sub", "Policies": [_inline("veeam", _doc("a:A")), _inline({"Fn::Sub": "veeam"}, _doc("a:D"))]}),
			# `!If [IsProd, {PolicyName: veeam, ...}, !Ref AWS::NoValue]`: either branch's name.
			"If": _role({"Policies": [_inline("veeam", _doc("a:A")), ["IsProd", _inline("veeam", _doc("a:D")), "AWS::NoValue"]]}),
		}),
		{"Parameters": {"GuardName": {"Type": "String"}}, "Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}}},
	)
	roles := cloudformation.roles with input as template
	{p.name | some p in roles.ByRef.policies} == {"veeam (Policies[0], its Deny statements)", "${GuardName} (Ref, its Deny statements)"}
	{u.what | some u in roles.ByRef.unknowns} == {
		_possibly_same_name(`"veeam"`, "Policies[0]", "Policies[0], Ref"),
		_possibly_same_name(`"${GuardName}"`, "Ref", "Policies[0], Ref"),
	}
	{u.what | some u in roles.ShortRef.unknowns} == {
		_possibly_same_name(`"veeam"`, "Policies[0]", "Policies[0], Policies[1]"),
		_possibly_same_name(`"${GuardName}"`, "Policies[1]", "Policies[0], Policies[1]"),
	}
	{u.what | some u in roles.Import.unknowns} == {
		_possibly_same_name(`"veeam"`, "Policies[0]", "Imported, Policies[0]"),
		_possibly_same_name(`{"Fn::ImportValue":"guard-name"}`, "Imported", "Imported, Policies[0]"),
	}
	{u.what | some u in roles.Sub.unknowns} == {
		_same_name("veeam", "Policies[0]", "Policies[0], Policies[1]"),
		_same_name("veeam", "Policies[1]", "Policies[0], Policies[1]"),
	}
	{u.what | some u in roles.If.unknowns} == {
		_possibly_same_name(`"veeam"`, "Policies[0]", "Policies[0], Policies[1]"),
		"the document of inline policy \"Policies[1]\" is chosen by an intrinsic function (such as !If) at deploy time",
	}
}

# Patterns that cannot give the same name leave each other alone.
test_policy_names_that_cannot_be_the_same if {
	template := object.union(
		_template({"Role": _role({"Policies": [
			_inline("veeam", _doc("a:A")),
			_inline("${AWS::StackName}-guard", _doc("a:B")),
			_inline({"Fn::Sub": "${AWS::StackName}-extra"}, _doc("a:C")),
			_inline(7, _doc("a:E")),
			["IsProd", _inline("prod", _doc("a:D")), "AWS::NoValue"],
		]})}),
		{"Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}}},
	)
	roles := cloudformation.roles with input as template
	{p.name | some p in roles.Role.policies} == {"veeam", "${AWS::StackName}-guard", "Policies[2]", "Policies[3]"}

	# ... and those that can ("a${A}" and "${B}b" are both "ab") do not.
	both := object.union(
		_template({"Role": _role({"Policies": [_inline("a${A}", _doc("a:A")), _inline("${B}b", _doc("a:B"))]})}),
		{"Parameters": {"A": {"Type": "String"}, "B": {"Type": "String"}}},
	)
	{u.what | some u in cloudformation.roles.Role.unknowns} == {
		_possibly_same_name(`"a${A}"`, "Policies[0]", "Policies[0], Policies[1]"),
		_possibly_same_name(`"${B}b"`, "Policies[1]", "Policies[0], Policies[1]"),
	} with input as both
}

# A parameter with AllowedValues can only be one of them: a name it cannot take is apart.
test_a_parameter_name_with_allowed_values if {
	parameters := {"Parameters": {"PolicyName": {"Type": "String", "AllowedValues": ["veeam", "veeam-backup"]}}}
	apart := object.union(
		_template({"Role": _role({"Policies": [_inline({"Ref": "PolicyName"}, _doc("a:A")), _inline("logs", _doc("a:C"))]})}),
		parameters,
	)
	cloudformation.roles.Role.unknowns == [] with input as apart

	# the short form (`PolicyName: !Ref PolicyName`) alike
	short := json.patch(apart, [{"op": "replace", "path": "/Resources/Role/Properties/Policies/0/PolicyName", "value": "PolicyName"}])
	cloudformation.roles.Role.unknowns == [] with input as short

	# An SSM parameter's allowed values are SSM keys: the name it holds could be any.
	ssm := json.patch(apart, [{"op": "add", "path": "/Parameters/PolicyName/Type", "value": "AWS::SSM::Parameter::Value<String>"}])
	count(cloudformation.roles.Role.unknowns) == 2 with input as ssm

	clash := object.union(
		_template({"Role": _role({"Policies": [_inline({"Ref": "PolicyName"}, _doc("a:A")), _inline("veeam-backup", _doc("a:C"))]})}),
		parameters,
	)
	count(cloudformation.roles.Role.unknowns) == 2 with input as clash
}

# A PolicyName given by a short-form `!Select [!Ref Index, [veeam, other]]` (the list
# ["Index", ["veeam", "other"]]) may be either name, not the text "veeam${Index}other".
test_an_inline_policy_named_by_a_short_form_select_may_replace_one_of_a_name_it_may_pick if {
	template := object.union(
		_template({
			"Role": _role({"RoleName": "veeam-backup", "Policies": [_inline("veeam", _doc("a:A"))]}),
			"Narrow": _role_policy({"Ref": "Role"}, ["Index", ["veeam", "other"]], _doc("a:D")),
		}),
		{"Parameters": {"Index": {"Type": "String"}}},
	)
	[p.name | some p in cloudformation.roles.Role.policies] == [
		"[\"Index\",[\"veeam\",\"other\"]] (Narrow, its Deny statements)",
		"veeam (Policies[0], its Deny statements)",
	] with input as template

	# An index written out that picks the other name replaces nothing.
	other := json.patch(template, [{"op": "replace", "path": "/Resources/Narrow/Properties/PolicyName/0", "value": "1"}])
	{p.name | some p in cloudformation.roles.Role.policies} == {"veeam", "Narrow"} with input as other
}
