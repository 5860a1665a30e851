package vbaws.cloudformation_test

import data.vbaws.cloudformation

# Role "veeam-backup" (its RoleName given), Grant allowing ec2:CreateTags to the roles named,
# and Guard denying it to "other", the name of the role Other (not selected).
_selecting(role_name, roles) := _template({
	"Role": _role({"RoleName": role_name}),
	"Other": _role({"RoleName": "other", "Tags": []}),
	"Grant": {"Type": "AWS::IAM::Policy", "Properties": {
		"PolicyName": "grant", "Roles": roles,
		"PolicyDocument": {"Statement": [_allow_all]},
	}},
	"Guard": {"Type": "AWS::IAM::Policy", "Properties": {
		"PolicyName": "guard", "Roles": ["other"],
		"PolicyDocument": {"Statement": [{"Effect": "Deny", "Action": "ec2:CreateTags", "Resource": "*"}]},
	}},
})

# `RoleName: !Select [0, [veeam-backup, other, third]]` arrives as [0, ["veeam-backup", "other",
# "third"]]: a number, no !Join delimiter, so the role is named "veeam-backup". Read as any name,
# a policy naming it counted with its Deny statements only, and one naming "other" with those too.
# (From two texts only the second is read for certain; see the !Split test below.)
test_an_unquoted_select_index_picks_its_entry if {
	every role_name in [
		[0, ["veeam-backup", "other", "third"]],
		[1, ["other", "veeam-backup"]],
		{"Fn::Select": [0, ["veeam-backup", "other", "third"]]},
		{"Fn::Select": ["1", ["other", "veeam-backup"]]},
	] {
		template := _selecting(role_name, ["veeam-backup"])
		[p.name | some p in cloudformation.roles.Role.policies] == ["grant"] with input as template
		cloudformation.roles.Role.unknowns == [] with input as template
		cloudformation.deny == set() with input as template with data.vbaws.requirements as _requirements
	}

	# ... and a Roles entry so written names the role it picks.
	every entry in [[0, ["veeam-backup", "other", "third"]], [1, ["other", "veeam-backup"]]] {
		template := _selecting("veeam-backup", [entry])
		[p.name | some p in cloudformation.roles.Role.policies] == ["grant"] with input as template
		[p.name | some p in cloudformation.roles.Other.policies] == ["guard"] with input as template
	}

	# Another index picks another name, which the policies do not name.
	named_third := _selecting([1, ["veeam-backup", "third"]], ["veeam-backup"])
	cloudformation.roles.Role.policies == [] with input as named_third
}

# A number that picks from what may be a short-form !Split (`!Select [0, !Split [",", "a,b"]]`
# arrives as [0, [",", "a,b"]], a list of two written out too), or that is no whole index, picks
# nothing read for certain: the policy may name the role, its Deny statements counting.
test_an_unquoted_select_index_of_an_unsure_list_may_name_the_role if {
	every entry in [[0, [",", "veeam-backup,other"]], [0.5, ["veeam-backup", "other"]]] {
		template := _selecting("veeam-backup", [entry])
		[p.name | some p in cloudformation.roles.Role.policies] == ["grant (its Deny statements)"] with input as template
	}

	# Either reading picks its own entry only: "," or "other", never any role.
	cloudformation.roles.Role.policies == [] with input as _selecting("veeam-backup", [[0, [",", "other,veeam-backup"]]])
}

# A ManagedPolicyArns entry or a PermissionsBoundary so written is the ARN it picks.
test_an_unquoted_select_index_picks_a_policy_arn if {
	arns := ["arn:aws:iam::aws:policy/Tagging", "arn:aws:iam::aws:policy/Other"]
	managed := {
		arns[0]: {"name": "Tagging", "document": _doc("ec2:CreateTags")},
		arns[1]: {"name": "Other", "document": _doc("ec2:DeleteTags")},
	}
	template := _template({"Role": _role({
		"ManagedPolicyArns": [[0, array.concat(arns, ["arn:aws:iam::aws:policy/Third"])]],
		"PermissionsBoundary": [1, arns],
	})})
	model := cloudformation.roles.Role with input as template with data.vbaws_managed_policies as managed
	[p.name | some p in model.policies] == [arns[0]]
	model.permissions_boundary.arn == arns[1]
	model.unknowns == []
}

# `AWS: !Select [1, [other, appliance]]` (an unquoted index) arrives as [1, [...]]: the entry it
# picks is the principal (an !Join or an !Sub read as elsewhere), as the whole value or one entry
# of a list. Read as neither, the trust let no one in. An index that picks nothing read for
# certain (out of range, no whole number, a list that may be an !Split) still makes it unknown.
test_an_unquoted_select_in_a_principal_is_its_pick if {
	other := "arn:aws:iam::222222222222:root"
	every pair in [
		[[1, [other, _appliance]], _appliance],
		[[0, [["", ["arn:aws:iam::", 111111111111, ":role/Appliance"]]]], _appliance],
		[[0, [["", ["arn:aws:iam::111111111111:role/", "Appliance"]]]], _appliance],
		[[0, [111111111111]], "111111111111"],
		[[[0, [_appliance]], other], [_appliance, other]],
	] {
		model := cloudformation.roles.Role with input as _trusting([_allow({"AWS": pair[0]}, {})])
		_summary(model) == {"unknowns": [], "trust": [_allow({"AWS": pair[1]}, {})]}
	}
	every value in [[2, [other, _appliance]], [1.5, [other, _appliance]], [-1, [other, _appliance]], [0, [",", concat(",", [_appliance, other])]]] {
		_summary(cloudformation.roles.Role) == _unknown_trust with input as _trusting([_allow({"AWS": value}, {})])
	}

	# A pick that is another function, `!Select [0, [!If [IsProd, appliance, other]]]`, is not
	# read: as the list of the condition's name and both branches, it let the appliance in.
	conditions := {"Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}}}
	every value in [[0, [["IsProd", _appliance, other]]], [0, [{"Fn::If": ["IsProd", _appliance, other]}]]] {
		trust := object.union(_trusting([_allow({"AWS": value}, {})]), conditions)
		_summary(cloudformation.roles.Role) == _unknown_trust with input as trust
	}
}

# In a Deny, the pick may be pieced of what a short-form !ImportValue leaves
# (`[!Select [0, [!Join ['', ['arn:aws:iam::', !ImportValue blocked, ':root']]]]]`): it would
# deny the account "blocked", when the import may hold the appliance's. The trust is unknown.
test_an_unquoted_select_in_a_deny_principal_is_undecided if {
	blocked := [0, [["", ["arn:aws:iam::", "blocked", ":root"]]]]
	every principal in [blocked, [blocked], [[0, ["arn:aws:iam::222222222222:root"]]]] {
		trust := _trusting([_allow({"AWS": _appliance}, {}), _deny_all({"AWS": principal}, {})])
		_summary(cloudformation.roles.Role) == _unknown_trust with input as trust
	}
}

# `!Select [0, !Split [x, veeam-backup]]` arrives as [0, ["x", "veeam-backup"]]: split at "x",
# the pick is "veeam-backup", not the "x" written out, so a policy naming the roles so may name
# the role (read as "x", a Deny so attached was missed); the quoted index alike. So may an index
# out of the list written out (`!Select [1, !Split [x, otherxveeam-backup]]`).
test_a_select_from_a_split_at_a_letter_may_name_any_role if {
	every entry in [[0, ["x", "veeam-backup"]], ["0", ["x", "veeam-backup"]], [1, ["x", "otherxveeam-backup"]]] {
		template := _selecting("veeam-backup", [entry])
		[p.name | some p in cloudformation.roles.Role.policies] == ["grant (its Deny statements)"] with input as template
	}
	_summary(cloudformation.roles.Role) == _unknown_trust with input as _trusting([_allow({"AWS": [0, ["x", _appliance]]}, {})])
}

# `AWS: !Select [0, !Split [<appliance>, !ImportValue other]]` arrives as [0, [<appliance>,
# "other"]]: a list of two texts, which may be an !Split at any delimiter, whose parts come from
# the second text. Read as the first entry, the trust let the appliance in when the stack lets in
# what the import holds. The second entry is read only from text without the first in it.
test_an_unquoted_select_from_two_texts_in_a_principal_may_be_a_split if {
	other := "arn:aws:iam::222222222222:root"
	every value in [
		[0, [_appliance, "other"]],
		[0, [_appliance, concat("", [other, _appliance])]],
		[0.0, ["", _appliance]],
		[1, ["", _appliance]],
		[1, ["Z/", concat("", [_appliance, "Z/", other])]],
		[1, [111111111111, _appliance]],
		[1, ["arn:aw", "arn:${AWS::Partition}:iam::111111111111:role/Appliance"]],
		[0, [111111111111, "other"]],
		[0, [_appliance, 222222222222]],
		[[0, [_appliance, "other"]], other],
	] {
		_summary(cloudformation.roles.Role) == _unknown_trust with input as _trusting([_allow({"AWS": value}, {})])
	}
	_summary(cloudformation.roles.Role) == {"unknowns": [], "trust": [_allow({"AWS": _appliance}, {})]} with input as _trusting([_allow({"AWS": [1, ["Z/", _appliance]]}, {})])
}

# CloudFormation drops an AWS::NoValue entry before it picks: `AWS: !Select [1, [!Ref
# AWS::NoValue, <appliance>, other]]` lets in other, and so may an entry that is an !If (nested too) with an
# AWS::NoValue branch, or the index at such an entry. Read as the entry written at the index, the
# trust let the appliance in. An entry past the index does not move it.
test_an_unquoted_select_in_a_principal_past_a_no_value_is_unknown if {
	other := "arn:aws:iam::222222222222:root"
	conditions := {"Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}}}
	every list in [
		["AWS::NoValue", _appliance, other],
		[{"Ref": "AWS::NoValue"}, _appliance, other],
		[["IsProd", "AWS::NoValue", other], _appliance, other],
		[{"Fn::If": ["IsProd", other, {"Ref": "AWS::NoValue"}]}, _appliance, other],
		[other, "AWS::NoValue", _appliance],
		# a nested !If that gives AWS::NoValue when both conditions hold
		[["IsProd", ["IsProd", "AWS::NoValue", other], other], _appliance, other],
		[{"Fn::If": ["IsProd", {"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, other]}, other]}, _appliance, other],
	] {
		trust := object.union(_trusting([_allow({"AWS": [1, list]}, {})]), conditions)
		_summary(cloudformation.roles.Role) == _unknown_trust with input as trust
	}
	kept := _trusting([_allow({"AWS": [0, [_appliance, other, "AWS::NoValue"]]}, {})])
	_summary(cloudformation.roles.Role) == {"unknowns": [], "trust": [_allow({"AWS": _appliance}, {})]} with input as kept
}

# ... and so may a ManagedPolicyArns entry or a PermissionsBoundary (`!Select [1, [!Ref
# AWS::NoValue, <granting>, <other>]]` attaches <other>): read as the entry written at the
# index, the role got a policy, or lost a boundary, that the stack may not attach. Both stay
# known only at deploy time, short form or long.
test_an_unquoted_select_of_a_policy_arn_past_a_no_value_is_unknown if {
	arns := ["arn:aws:iam::aws:policy/Tagging", "arn:aws:iam::aws:policy/Other"]
	managed := {
		arns[0]: {"name": "Tagging", "document": _doc("ec2:CreateTags")},
		arns[1]: {"name": "Other", "document": _doc("ec2:DeleteTags")},
	}
	every pair in [
		[[1, ["AWS::NoValue", arns[0], arns[1]]], [0, ["AWS::NoValue", arns[1], arns[0]]]],
		[{"Fn::Select": ["1", [{"Ref": "AWS::NoValue"}, arns[0], arns[1]]]}, [1, [arns[0], "AWS::NoValue", arns[1]]]],
	] {
		template := _template({"Role": _role({"ManagedPolicyArns": [pair[0]], "PermissionsBoundary": pair[1]})})
		model := cloudformation.roles.Role with input as template with data.vbaws_managed_policies as managed
		model.policies == []
		{u.layer | some u in model.unknowns} == {"identity", "boundary"}
	}
}

# ... and so may a Roles entry or a RoleName (`Roles: [!Select [1, [!Ref AWS::NoValue, other,
# veeam-backup]]]` names veeam-backup): read as the entry written at the index, a Deny put into
# the role was missed. An entry past the index may be the pick, and a RoleName so written may be
# any name: a policy naming the role counts with its Deny statements.
test_an_unquoted_select_of_a_role_past_a_no_value_may_name_a_later_entry if {
	conditions := {"Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}}}
	every entry in [
		[1, ["AWS::NoValue", "other", "veeam-backup"]],
		["1", [{"Ref": "AWS::NoValue"}, "other", "veeam-backup"]],
		[0, [["IsProd", "other", "AWS::NoValue"], "veeam-backup"]],
		[0, [["IsProd", ["IsProd", "AWS::NoValue", "other"], "other"], "veeam-backup"]],
	] {
		template := object.union(_selecting("veeam-backup", [entry]), conditions)
		[p.name | some p in cloudformation.roles.Role.policies] == ["grant (its Deny statements)"] with input as template
	}
	named := _selecting([1, ["AWS::NoValue", "other", "veeam-backup"]], ["veeam-backup"])
	[p.name | some p in cloudformation.roles.Role.policies] == ["grant (its Deny statements)"] with input as named
}

# `ManagedPolicyArns: [!Select [0, !Split [arn:aws:iam::aws:policy/AdministratorAccess, !ImportValue
# other]]]` arrives as an !Select of two texts: the stack attaches a part of the import, which
# grants nothing read here, and a Roles entry so written (`!Select [1, !Split [ab,
# xabveeam-backup]]`, the role "veeam-backup" at deploy) may name the role.
test_an_unquoted_select_from_two_texts_is_not_read_for_certain if {
	admin := "arn:aws:iam::aws:policy/AdministratorAccess"
	managed := {admin: {"name": "AdministratorAccess", "document": _doc("*")}}
	every entry in [[0, [admin, "other"]], {"Fn::Select": ["0", [admin, "other"]]}] {
		template := _template({"Role": _role({"ManagedPolicyArns": [entry]})})
		model := cloudformation.roles.Role with input as template with data.vbaws_managed_policies as managed
		model.policies == []
		count(model.unknowns) > 0
	}
	every entry in [[1, ["ab", "xabveeam-backup"]], [0, ["veeam-backup", "other"]]] {
		template := _selecting("veeam-backup", [entry])
		[p.name | some p in cloudformation.roles.Role.policies] == ["grant (its Deny statements)"] with input as template
	}
}

# `AWS: !Select [1, !Split [ab, !ImportValue "arn:aws:iam::111111111111:root"]]` arrives as [1,
# ["ab", "arn:aws:iam::111111111111:root"]]: the import may hold "ab", and the stack then lets in
# a part of what it holds. Read as the text, the trust let the appliance's account in. So with
# `ManagedPolicyArns: [!Select [1, !Split [ab, !ImportValue Policy]]]`, read as `!Ref Policy`.
test_an_unquoted_select_from_what_an_import_may_hold_is_not_read if {
	every value in [[1, ["ab", "arn:aws:iam::111111111111:root"]], [1, ["ab", "111111111111"]]] {
		_summary(cloudformation.roles.Role) == _unknown_trust with input as _trusting([_allow({"AWS": value}, {})])
	}
	policy := {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": _doc("ec2:CreateTags")}}
	every entry in [[1, ["ab", "Policy"]], {"Fn::Select": ["1", ["ab", "Policy"]]}] {
		template := _template({"Role": _role({"ManagedPolicyArns": [entry]}), "Policy": policy})
		cloudformation.roles.Role.policies == [] with input as template
		count(cloudformation.roles.Role.unknowns) == 1 with input as template
	}
	bounded := _template({"Role": _role({"PermissionsBoundary": [1, ["ab", "Policy"]]}), "Policy": policy})
	[u.layer | some u in cloudformation.roles.Role.unknowns] == ["boundary"] with input as bounded
}

# `Roles: [!Select [1, !Split [1, x1veeam-backup]]]` arrives as [1, [1, "x1veeam-backup"]]: a
# delimiter YAML read as a number, an empty one, or one known only at deploy time (`!Ref
# AWS::Region`, `!Sub "${AWS::Region}"`: in us-east-1, "xus-east-1veeam-backup" splits into "x"
# and "veeam-backup") splits the text where it is not read here. Read as the entry written, the
# Deny put into the role was missed, and a RolePolicy so named replaced nothing: the pick may
# be any name.
test_an_unquoted_select_from_a_split_at_an_unread_delimiter_may_be_any_name if {
	every entry in [
		[1, [1, "x1veeam-backup"]], [0, ["", "veeam-backup"]],
		[1, ["AWS::Region", "xus-east-1veeam-backup"]], [1, ["${AWS::Region}", "xus-east-1veeam-backup"]],
	] {
		[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as _name_guarded("veeam-backup", [entry])
		named := _template({
			"Role": _role({"RoleName": "veeam-backup", "Policies": [_inline("veeam", _doc("a:A"))]}),
			"Narrow": _role_policy({"Ref": "Role"}, [entry[0], [entry[1][0], replace(entry[1][1], "veeam-backup", "veeam")]], _doc("a:D")),
		})
		"veeam (Policies[0], its Deny statements)" in {p.name | some p in cloudformation.roles.Role.policies} with input as named
	}
}

# `Roles: [!Select [1, !Split [!If [C, "-", "+"], x-veeam-backup]]]` arrives as [1, [["C", "-",
# "+"], "x-veeam-backup"]]; a long-form `{Ref: AWS::Region}` delimiter or a short-form !Join as
# the text leaves a function in the list too. Where C holds, the stack picks "veeam-backup": read
# as the entry written, the Deny put into the role was missed, and a RolePolicy so named
# replaced nothing.
test_an_unquoted_select_from_a_split_with_a_function_may_be_any_name if {
	every entry in [
		[1, [["C", "-", "+"], "x-veeam-backup"]], [1, [{"Ref": "AWS::Region"}, "xus-east-1veeam-backup"]],
		[1, ["AWS::Region", ["", ["x", "AWS::Region", "veeam-backup"]]]],
	] {
		[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as _name_guarded("veeam-backup", [entry])
		named := _template({
			"Role": _role({"RoleName": "veeam-backup", "Policies": [_inline("veeam", _doc("a:A"))]}),
			"Narrow": _role_policy({"Ref": "Role"}, json.unmarshal(replace(json.marshal(entry), "veeam-backup", "veeam")), _doc("a:D")),
		})
		"veeam (Policies[0], its Deny statements)" in {p.name | some p in cloudformation.roles.Role.policies} with input as named
	}
}

# `Roles: [!Select [{Ref: Idx}, [veeam-backup, x]]]` arrives as [{"Ref": "Idx"}, ["veeam-backup",
# "x"]], and `!Join [{Ref: AWS::Region}, [veeam-backup]]` (veeam-backup at any delimiter) alike:
# a long-form index or delimiter inside the short form picked no entry, so the Deny put into the
# role was missed and a RolePolicy so named replaced nothing. It may pick any entry.
test_an_unquoted_select_at_a_long_form_index_may_pick_any_entry if {
	every entry in [[{"Ref": "Idx"}, ["veeam-backup", "x"]], [{"Ref": "AWS::Region"}, ["veeam-backup"]]] {
		[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as _name_guarded("veeam-backup", [entry])
		named := _template({
			"Role": _role({"RoleName": "veeam-backup", "Policies": [_inline("veeam", _doc("a:A"))]}),
			"Narrow": _role_policy({"Ref": "Role"}, json.unmarshal(replace(json.marshal(entry), "veeam-backup", "veeam")), _doc("a:D")),
		})
		"veeam (Policies[0], its Deny statements)" in {p.name | some p in cloudformation.roles.Role.policies} with input as named
	}
}

# `Roles: [!Select [0, !If [C, [veeam-backup], [x]]]]` arrives as [0, ["C", ["veeam-backup"],
# ["x"]]]: read as that list, the index picked the condition's name "C", so the Deny put into the
# role where C holds was missed, and a RolePolicy so named replaced no inline policy. It picks
# from each branch's list; a branch that is no plain list (AWS::NoValue in it, a function) may
# give any name.
test_an_unquoted_select_from_a_short_form_if_picks_from_each_branch if {
	every entry in [
		[0, ["C", ["veeam-backup"], ["xx"]]], [1, ["C", ["xx"], ["yy", "veeam-backup"]]],
		[1, ["C", ["AWS::NoValue", "veeam-backup"], ["xx", "yy"]]], [0, ["C", "RoleList", ["xx"]]],
	] {
		guarded := object.union(_name_guarded("veeam-backup", [entry]), {"Conditions": {"C": {}}})
		[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as guarded
		named := object.union(
			_template({
				"Role": _role({"RoleName": "veeam-backup", "Policies": [_inline("veeam", _doc("a:A"))]}),
				"Narrow": _role_policy({"Ref": "Role"}, json.unmarshal(replace(json.marshal(entry), "veeam-backup", "veeam")), _doc("a:D")),
			}),
			{"Conditions": {"C": {}}},
		)
		"veeam (Policies[0], its Deny statements)" in {p.name | some p in cloudformation.roles.Role.policies} with input as named
	}

	# The branches pick their own entries only.
	other := object.union(_name_guarded("veeam-backup", [[0, ["C", ["xx"], ["yy", "veeam-backup"]]]]), {"Conditions": {"C": {}}})
	cloudformation.roles.Role.policies == [] with input as other
}

# `Roles: [!Join [1, [veeam-backup]]]` arrives as [1, ["veeam-backup"]], an !Select past the
# list's end too. CloudFormation's docs ask for a text delimiter, but it takes numbers for text
# elsewhere: joined at "1" (or "1.0"), the list names veeam-backup, and read as the !Select alone
# the Deny put into the role was missed and a RolePolicy so named replaced no inline policy. A
# number that picks no entry may be the delimiter of an !Join, whatever text it stands for.
test_a_number_that_picks_no_entry_may_be_a_join_delimiter if {
	every entry in [[1, ["veeam-backup"]], [1, [[0, ["veeam-backup"]]]]] {
		[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as _name_guarded("veeam-backup", [entry])
		named := _template({
			"Role": _role({"RoleName": "veeam-backup", "Policies": [_inline("veeam", _doc("a:A"))]}),
			"Narrow": _role_policy({"Ref": "Role"}, json.unmarshal(replace(json.marshal(entry), "veeam-backup", "veeam")), _doc("a:D")),
		})
		"veeam (Policies[0], its Deny statements)" in {p.name | some p in cloudformation.roles.Role.policies} with input as named
	}

	# Between two entries it stands for text of its own: veeam1backup, veeam1.0backup, ...
	guarded := _name_guarded("veeam1backup", [[2, ["veeam", "backup"]]])
	[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as guarded
}

# `Roles: [!Join ['5', [!Select [0, [veeam-backup]]]]]` arrives as ["5", [[0, ["veeam-backup"]]]]:
# as an !Select its index picks nothing, and the joined text could not be read, so the entry
# named no role, the Deny put into veeam-backup was missed, and a RolePolicy so named replaced
# no inline policy. A join that cannot be read may be any name.
test_a_join_of_entries_not_read_may_be_any_name if {
	every entry in [["5", [[0, ["veeam-backup"]]]], ["5", [{"Fn::Select": [0, ["veeam-backup"]]}]]] {
		[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as _name_guarded("veeam-backup", [entry])
		named := _template({
			"Role": _role({"RoleName": "veeam-backup", "Policies": [_inline("veeam", _doc("a:A"))]}),
			"Narrow": _role_policy({"Ref": "Role"}, json.unmarshal(replace(json.marshal(entry), "veeam-backup", "veeam")), _doc("a:D")),
		})
		"veeam (Policies[0], its Deny statements)" in {p.name | some p in cloudformation.roles.Role.policies} with input as named
	}
}

# `Roles: [!Join ['', !Split [',', 'veeam,-backup']]]` arrives as ["", [",", "veeam,-backup"]], and
# `!Join ['', !GetAtt [Lookup, Names]]` as ["", ["Lookup", "Names"]]: read as the texts
# ",veeam,-backup" and "${Lookup}Names", the entry named no role, where the stack names
# veeam-backup (or what the attribute holds), so the Deny was missed and a RolePolicy so named
# replaced nothing. A join of a list that may be another function is any name.
test_a_join_of_a_split_or_an_attribute_may_be_any_name if {
	every entry in [["", [",", "veeam,-backup"]], ["", ["Lookup", "Names"]], {"Fn::Join": ["", [",", "veeam,-backup"]]}] {
		guarded := object.union(_name_guarded("veeam-backup", [entry]), {"Resources": {"Lookup": {"Type": "Custom::Lookup"}}})
		[p.name | some p in cloudformation.roles.Role.policies] == ["guard (its Deny statements)"] with input as guarded
		named := _template({
			"Role": _role({"RoleName": "veeam-backup", "Policies": [_inline("veeam", _doc("a:A"))]}),
			"Lookup": {"Type": "Custom::Lookup"},
			"Narrow": _role_policy({"Ref": "Role"}, json.unmarshal(replace(json.marshal(entry), "veeam,-backup", "ve,eam")), _doc("a:D")),
		})
		"veeam (Policies[0], its Deny statements)" in {p.name | some p in cloudformation.roles.Role.policies} with input as named
	}
}
