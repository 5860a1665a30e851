package vbaws.cloudformation_test

import data.vbaws.cloudformation

# The role's policy "p" holds the statements given; "a" allows ec2:CreateTags.
_split_policy(statements) := object.union(
	_template({"Role": _role({"Policies": [
		{"PolicyName": "p", "PolicyDocument": {"Statement": statements}},
		{"PolicyName": "a", "PolicyDocument": {"Statement": [_allow_all]}},
	]})}),
	{"Parameters": {"Extra": {"Type": "String"}}},
)

_split_unknown := ["the document of inline policy \"p\" uses intrinsic functions whose result is known only at deploy time"]

# `Action: !Split [",", "ec2:CreateTags,s3:GetObject"]` arrives as [",", "ec2:CreateTags,s3:GetObject"]:
# the actions the text splits into, not the invalid actions "," and the whole text.
test_a_split_in_an_action_is_its_parts if {
	allowed := _split_policy([{"Effect": "Allow", "Action": [",", "ec2:CreateTags,s3:GetObject"], "Resource": "*"}])
	cloudformation.roles.Role.policies[1].document.Statement[0].Action == ["ec2:CreateTags", "s3:GetObject"] with input as allowed
	cloudformation.deny == set() with input as allowed with data.vbaws.requirements as _requirements
	cloudformation.warn == set() with input as allowed with data.vbaws.requirements as _requirements

	denied := _split_policy([{"Effect": "Deny", "Action": [";", "s3:GetObject;ec2:CreateTags"], "Resource": "*"}])
	cloudformation.deny == {"Role: check ec2_backup: explicitly denied: ec2:CreateTags (statement 1 of inline policy \"p\")"} with input as denied
		with data.vbaws.requirements as _requirements

	# Wildcards alone are an action or a resource of their own, not a delimiter.
	listed := _split_policy([{"Effect": "Allow", "Action": ["*", "ec2:Create*"], "Resource": ["?", "arn:aws:s3:::a?"]}])
	cloudformation.roles.Role.policies[1].document.Statement[0].Action == ["*", "ec2:Create*"] with input as listed
	cloudformation.roles.Role.policies[1].document.Statement[0].Resource == ["?", "arn:aws:s3:::a?"] with input as listed
}

# A part with a placeholder could hold delimiters of its own, and text without the delimiter
# could be an import (`!Split [",", !ImportValue denied]` arrives as [",", "denied"]): a Deny so
# written is undecided, never a deny of nothing or a refused document.
test_a_split_chosen_at_deploy_time_in_a_deny if {
	every action in [[",", "denied"], [",", "s3:GetObject,${Extra}"], [",", {"Fn::Sub": "s3:GetObject,${Extra}"}]] {
		template := _split_policy([{"Effect": "Deny", "Action": action, "Resource": "*"}])
		[u.what | some u in cloudformation.roles.Role.unknowns] == _split_unknown with input as template
		cloudformation.deny == set() with input as template with data.vbaws.requirements as _requirements
	}
}

# `AWS: !Split [",", "<appliance>,arn:aws:iam::222222222222:root"]` trusts both.
test_a_split_in_a_principal_is_its_parts if {
	principal := {"AWS": [",", concat(",", [_appliance, "arn:aws:iam::222222222222:root"])]}
	model := cloudformation.roles.Role with input as _trusting([_allow(principal, {})])
	_summary(model) == {"unknowns": [], "trust": [_allow({"AWS": [_appliance, "arn:aws:iam::222222222222:root"]}, {})]}
}

# `ManagedPolicyArns: !Split [",", "<arn>,<arn>"]` attaches both policies.
test_a_split_in_managed_policy_arns_is_its_parts if {
	arns := ["arn:aws:iam::aws:policy/Tagging", "arn:aws:iam::aws:policy/Guard"]
	managed := {
		arns[0]: {"name": "Tagging", "document": _doc("ec2:CreateTags")},
		arns[1]: {"name": "Guard", "document": {"Statement": [{"Effect": "Deny", "Action": "ec2:DeleteTags", "Resource": "*"}]}},
	}
	template := _template({"Role": _role({"ManagedPolicyArns": [",", concat(",", arns)]})})
	{p.name | some p in cloudformation.roles.Role.policies} == {x | some x in arns} with input as template with data.vbaws_managed_policies as managed
	cloudformation.roles.Role.unknowns == [] with input as template with data.vbaws_managed_policies as managed
}

# `Action: !Split [",", !ImportValue "ec2:CreateTags"]` arrives as [",", "ec2:CreateTags"], and
# `AWS: !Split [",", !ImportValue "arn:aws:iam::111111111111:root"]` likewise: an export's name
# may look like an action or an account's root ARN, and the import holds anything. An Allow so
# written grants nothing, and a trust so written lets no one in.
test_a_split_of_text_that_may_be_an_import_is_the_import if {
	allowed := _template({"Role": _role({"Policies": [{"PolicyName": "p", "PolicyDocument": _doc([",", "ec2:CreateTags"])}]})})
	cloudformation.deny == {"Role: check ec2_backup: missing 1 required action: ec2:CreateTags"} with input as allowed
		with data.vbaws.requirements as _requirements

	trusted := _trusting([_allow({"AWS": [",", "arn:aws:iam::111111111111:root"]}, {})])
	cloudformation.roles.Role.trust_policy.Statement[0].Principal == {"AWS": ["${Fn::ImportValue}", "${Fn::Split}"]} with input as trusted

	# Text with a slash or a wildcard is no export's name.
	scoped := _template({"Role": _role({"Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
		{"Effect": "Allow", "Action": [",", "ec2:*"], "Resource": [",", "arn:aws:s3:::b/*"]},
	]}}]})})
	statement := cloudformation.roles.Role.policies[0].document.Statement[0] with input as scoped
	statement.Action == ["ec2:*", "deploy-time:${Fn..Split}"]
	statement.Resource[0] == "arn:aws:s3:::b/*"
}

# `ManagedPolicyArns: !Split [",", !ImportValue Guard]` arrives as [",", "Guard"], as
# `!Split [",", !Ref Guard]` does: the template's policy Guard may be attached, or the import's
# policies instead. Its Deny statements count, its Allow statements are unknown.
test_a_split_that_may_import_a_managed_policy_counts_its_denies_only if {
	guard := {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Statement": [
		{"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*"},
		{"Effect": "Deny", "Action": "ec2:DeleteTags", "Resource": "*"},
	]}}}

	# ... in the long form too: `Fn::Split: [",", !Ref Guard]`.
	every arns in [[",", "Guard"], {"Fn::Split": [",", "Guard"]}] {
		template := _template({"Guard": guard, "Role": _role({"ManagedPolicyArns": arns})})
		model := cloudformation.roles.Role with input as template
		[p.document.Statement | some p in model.policies] == [[{"Effect": "Deny", "Action": "ec2:DeleteTags", "Resource": "*"}]]
		{u.what | some u in model.unknowns} == {
			"ManagedPolicyArns entry \"${Fn::Split}\" is known only at deploy time",
			"ManagedPolicyArns entry \"${Fn::ImportValue}\" is known only at deploy time",
			"the Allow statements of Guard, which may apply to this role (ManagedPolicyArns !Split of \"Guard\" could be an !ImportValue of that name)",
		} - {"ManagedPolicyArns entry \"${Fn::ImportValue}\" is known only at deploy time" | is_array(arns)}
	}
}

# A long-form {"Fn::Split": [",", "111111111111,222222222222"]} is the list of its parts, in a
# condition value too: read as a value known only at deploy time, the trust let no one in and
# the Allow granted nothing.
test_a_long_form_split_is_its_parts if {
	accounts := {"Fn::Split": [",", "111111111111,222222222222"]}
	condition := {"Condition": {"StringEquals": {"aws:PrincipalAccount": accounts}}}
	config := {"appliance": {"principal": "arn:aws:iam::111111111111:role/Appliance"}}
	trusted := _trusting_granted([_allow({"AWS": "*"}, condition)])
	_summary(cloudformation.roles.Role) == {"unknowns": [], "trust": [_allow({"AWS": "*"}, {"Condition": {
		"StringEquals": {"aws:PrincipalAccount": ["111111111111", "222222222222"]},
	}})]} with input as trusted with data.vbaws_config as config
	cloudformation.deny == set() with input as trusted with data.vbaws_config as config
		with data.vbaws.requirements as _requirements

	# A Deny so written names the appliance's account.
	denied := _trusting_granted([_allow({"AWS": "*"}, {}), _deny_all({"AWS": "*"}, condition)])
	cloudformation.deny == {"Role: the trust policy does not let arn:aws:iam::111111111111:role/Appliance call sts:AssumeRole on this role (denied by statement 2)"} with input as denied
		with data.vbaws_config as config with data.vbaws.requirements as _requirements

	allowed := _split_policy([object.union(_allow_all, condition)])
	[p.name | some p in cloudformation.roles.Role.policies] == ["a", "p"] with input as allowed

	# And in a principal or an action.
	arns := concat(",", [_appliance, "arn:aws:iam::222222222222:root"])
	principal := cloudformation.roles.Role.trust_policy.Statement[0].Principal with input as _trusting([_allow({"AWS": {"Fn::Split": [",", arns]}}, {})])
	principal == {"AWS": [_appliance, "arn:aws:iam::222222222222:root"]}
	action := {"Fn::Split": ["|", "s3:GetObject|ec2:CreateTags"]}
	deny_action := _split_policy([{"Effect": "Deny", "Action": action, "Resource": "*"}])
	cloudformation.deny == {"Role: check ec2_backup: explicitly denied: ec2:CreateTags (statement 1 of inline policy \"p\")"} with input as deny_action
		with data.vbaws.requirements as _requirements
}

# Its text may be what a short-form tag leaves (`Fn::Split: [",", !ImportValue "111111111111"]`
# arrives as {"Fn::Split": [",", "111111111111"]}), or have a placeholder: read as the import,
# or as parts that could hold more, never as the text.
test_a_long_form_split_of_an_import_is_the_import if {
	every text in ["111111111111", {"Fn::Sub": "${Acct},111111111111"}, "Acct"] {
		condition := {"Condition": {"StringEquals": {"aws:PrincipalAccount": {"Fn::Split": [",", text]}}}}
		values := cloudformation.roles.Role.trust_policy.Statement[0].Condition.StringEquals["aws:PrincipalAccount"] with input as _trusting([_allow({"AWS": "*"}, condition)])
		"${Fn::Split}" in values
		not "Acct" in values
	}

	# The text of another function's result is known only at deploy time.
	imported := {"Fn::Split": [",", {"Fn::ImportValue": "accounts"}]}
	_summary(cloudformation.roles.Role) == _unknown_trust with input as _trusting([_allow({"AWS": "*"}, {"Condition": {"StringEquals": {"aws:PrincipalAccount": imported}}})])
}

# A trust of the statements given, on a role granted ec2:CreateTags.
_trusting_granted(statements) := json.patch(_trusting(statements), [{
	"op": "add", "path": "/Resources/Role/Properties/Policies",
	"value": [{"PolicyName": "a", "PolicyDocument": {"Statement": [_allow_all]}}],
}])

# A short-form !Split as a condition value cannot be told from a list of two values written out
# (a condition value "," is one IAM takes): it is read as the list, and a warn says why the
# trust may fail, and how to write it.
test_a_short_form_split_in_a_trust_condition_is_named if {
	condition := {"Condition": {"StringEquals": {"aws:PrincipalAccount": [",", "111111111111,222222222222"]}}}
	config := {"appliance": {"principal": "arn:aws:iam::111111111111:role/Appliance"}}
	msg := concat("", [
		"Role: the trust policy's condition values of aws:PrincipalAccount could be a short-form !Split ",
		"or a list of two values written out, which arrive alike, so they are read as the list; ",
		"write the values out as a list, or use the long form (Fn::Split)",
	])
	trusted := _trusting_granted([_allow({"AWS": "*"}, condition)])
	msg in cloudformation.warn with input as trusted with data.vbaws_config as config with data.vbaws.requirements as _requirements
	count(cloudformation.deny) == 1 with input as trusted with data.vbaws_config as config with data.vbaws.requirements as _requirements

	# A list written out that no delimiter splits is read as it is, and not named.
	listed := _trusting_granted([_allow({"AWS": "*"}, {"Condition": {"StringEquals": {"aws:PrincipalAccount": ["111111111111", "222222222222"]}}})])
	cloudformation.warn == set() with input as listed with data.vbaws_config as config with data.vbaws.requirements as _requirements
	cloudformation.deny == set() with input as listed with data.vbaws_config as config with data.vbaws.requirements as _requirements
}

# An export's name may hold the delimiter (`Fn::Split: ["-", !ImportValue "ec2:Foo-s3:Bar"]`
# arrives as {"Fn::Split": ["-", "ec2:Foo-s3:Bar"]}): split as text, a Deny's Action named two
# actions the role does not need and the template passed, when the import may hold
# ec2:CreateTags. It is read as the import, short form or long: the Deny is undecided.
test_a_split_of_text_that_could_be_an_export_with_the_delimiter_is_the_import if {
	every action in [{"Fn::Split": ["-", "ec2:Foo-s3:Bar"]}, ["-", "ec2:Foo-s3:Bar"], {"Fn::Split": [".", "ec2:Foo.s3:Bar"]}] {
		template := _split_policy([{"Effect": "Deny", "Action": action, "Resource": "*"}])
		[u.what | some u in cloudformation.roles.Role.unknowns] == ["the document of inline policy \"p\" uses intrinsic functions whose result is known only at deploy time"] with input as template
		cloudformation.deny == set() with input as template with data.vbaws.requirements as _requirements
	}
}

# `aws:PrincipalAccount: !Split ["1", "111111111111"]` (or at "") arrives as ["1",
# "111111111111"]: read as that list it lets the appliance's account in, where the split (into
# empty parts, or single digits) lets no one in. A delimiter of any kind found in the text, or an
# empty one, is named too.
test_a_short_form_split_at_digits_in_a_trust_condition_is_named if {
	config := {"appliance": {"principal": "arn:aws:iam::111111111111:role/Appliance"}}
	every values in [["1", "111111111111"], ["", "111111111111"]] {
		condition := {"Condition": {"StringEquals": {"aws:PrincipalAccount": values}}}
		trusted := _trusting_granted([_allow({"AWS": "*"}, condition)])
		warnings := cloudformation.warn with input as trusted with data.vbaws_config as config with data.vbaws.requirements as _requirements
		count({msg | some msg in warnings; contains(msg, "could be a short-form !Split")}) == 1
	}
}
