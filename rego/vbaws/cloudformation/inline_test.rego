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
