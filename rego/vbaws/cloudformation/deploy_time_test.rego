package vbaws.cloudformation_test

import data.vbaws.cloudformation

_assume(principal, condition) := {"Version": "2012-10-17", "Statement": [object.union(
	{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal},
	condition,
)]}

_appliance := "arn:aws:iam::111111111111:role/Appliance"

# Read literally, `AWS: !If [IsProd, appliance, other]` would trust both branches.
test_principal_or_condition_chosen_at_deploy_time_makes_the_trust_unknown if {
	conditions := {"Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}}}
	every trust in [
		_assume({"AWS": ["IsProd", _appliance, "arn:aws:iam::222222222222:root"]}, {}),
		_assume({"AWS": {"Fn::If": ["IsProd", _appliance, "222222222222"]}}, {}),
		_assume({"AWS": ["222222222222", ["IsProd", _appliance, "AWS::NoValue"]]}, {}),
		_assume({"Fn::If": ["IsProd", {"AWS": _appliance}, {"AWS": "222222222222"}]}, {}),
		_assume({"AWS": _appliance}, {"Condition": ["IsProd", {"Bool": {"aws:SecureTransport": "true"}}, "AWS::NoValue"]}),
		_assume({"AWS": _appliance}, {"Condition": {"StringEquals": {"sts:ExternalId": {"Fn::ImportValue": "x"}}}}),
	] {
		template := object.union(_template({"Role": _role({"AssumeRolePolicyDocument": trust})}), conditions)
		model := cloudformation.roles.Role with input as template
		[u.layer | some u in model.unknowns] == ["trust"]
	}

	# A parameter in a condition value is a placeholder, not a shape chosen at deploy time.
	external_id := _assume({"AWS": _appliance}, {"Condition": {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}})
	model := cloudformation.roles.Role with input as _template({"Role": _role({"AssumeRolePolicyDocument": external_id})})
	model.unknowns == []
	model.trust_policy.Statement[0].Condition == {"StringEquals": {"sts:ExternalId": "${ExternalId}"}}
}

test_resource_chosen_at_deploy_time_makes_the_document_unknown if {
	deny := {"Effect": "Deny", "Action": "kms:*", "Resource": {"Fn::If": ["IsProd", "*", "arn:aws:kms:::key/x"]}}
	document := {"Version": "2012-10-17", "Statement": [deny]}
	model := cloudformation.roles.Role with input as _template({"Role": _role({"Policies": [{"PolicyName": "g", "PolicyDocument": document}]})})
	[u.what | some u in model.unknowns] == ["the document of inline policy \"g\" uses intrinsic functions whose result is known only at deploy time"]
}

# A Deny whose principal is a parameter could name the appliance; an Allow so written only
# lets fewer in, and is read literally.
test_deny_principal_filled_in_at_deploy_time_makes_the_trust_unknown if {
	every principal in [{"Fn::Sub": "arn:aws:iam::${Blocked}:root"}, {"Ref": "Blocked"}, "Blocked", ["111111111111", {"Ref": "Blocked"}]] {
		model := cloudformation.roles.Role with input as _denying(principal)
		[u.layer | some u in model.unknowns] == ["trust"]
	}
	allowed := _template({"Role": _role({"AssumeRolePolicyDocument": _assume({"AWS": {"Ref": "Appliance"}}, {})})})
	allowed_model := cloudformation.roles.Role with input as allowed
	allowed_model.unknowns == []
}

_denying(principal) := object.union(
	_template({"Role": _role({"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": _appliance}},
		{"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"AWS": principal}},
	]}})}),
	{"Parameters": {"Blocked": {"Type": "String"}}},
)

# The usual ways of naming a resource or an action filled in at deploy time, long form and as
# conftest's YAML parser leaves the short form: none of them is an invalid statement (a deny),
# a resource so named is never every resource, and an action so named grants nothing.
test_actions_and_resources_filled_in_at_deploy_time if {
	scoped := [
		{"Fn::GetAtt": ["Bucket", "Arn"]}, # {"Fn::GetAtt": [...]}
		"Bucket.Arn", # !GetAtt Bucket.Arn
		"Topic", # !Ref Topic (an SNS topic's Ref is its ARN)
		"TopicArn", # !Ref TopicArn (a parameter)
		"${Bucket.Arn}/*", # !Sub '${Bucket.Arn}/*'
		["", ["arn:aws:s3:::", "Bucket", "/*"]], # !Join ['', [...]]
		"shared-bucket-arn", # !ImportValue shared-bucket-arn
		0, "QueueArns", # !Select [0, !Ref QueueArns], as the list [0, "QueueArns"]
	]
	template := object.union(
		_template({
			"Role": _role({"Policies": [
				{"PolicyName": "scoped", "PolicyDocument": {"Statement": [
					{"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": scoped},
					{"Effect": "Allow", "Action": ["s3:GetObject", {"Ref": "TopicArn"}, "Topic"], "Resource": "*"},
					{"Effect": "Deny", "Action": "ec2:CreateTags", "Resource": "Bucket.Arn"},
				]}},
			]}),
			"Bucket": {"Type": "AWS::S3::Bucket"},
			"Topic": {"Type": "AWS::SNS::Topic"},
		}),
		{"Parameters": {"TopicArn": {"Type": "String"}}},
	)
	document := cloudformation.roles.Role.policies[0].document with input as template
	document.Statement[0].Resource == [
		"arn:deploy-time:${Bucket.Arn}", "arn:deploy-time:Bucket.Arn", "arn:deploy-time:Topic",
		"arn:deploy-time:TopicArn", "arn:deploy-time:${Bucket.Arn}/*",
		`arn:deploy-time:["",["arn.aws.s3...","Bucket","/*"]]`, "arn:deploy-time:shared-bucket-arn",
		"arn:deploy-time:0", "arn:deploy-time:QueueArns",
	]
	document.Statement[1].Action == ["s3:GetObject", "deploy-time:${TopicArn}", "deploy-time:Topic"]
	cloudformation.deny == set() with input as template with data.vbaws.requirements as _requirements
	cloudformation.warn == {concat("", [
		"Role: check ec2_backup: 1 required action granted only conditionally: ec2:CreateTags ",
		"(allow is resource-scoped (not every resource); deny is resource-scoped (not every resource))",
	])} with input as template
		with data.vbaws.requirements as _requirements
}

# `Action: !Join ['*', [ec2:Copy, Image]]` arrives as ["*", ["ec2:Copy", "Image"]]: one value
# known only at deploy time, not the action "*" beside it (CloudFormation gives ec2:Copy*Image).
test_a_short_form_join_at_a_wildcard_is_one_deploy_time_value if {
	statement := {"Effect": "Allow", "Action": ["*", ["ec2:Copy", "Image"]], "Resource": ["*", ["arn:aws:s3:::", "b"]]}
	template := _template({"Role": _role({"Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [statement]}}]})})
	document := cloudformation.roles.Role.policies[0].document with input as template
	document.Statement[0].Action == `deploy-time:["*",["ec2.Copy","Image"]]`
	document.Statement[0].Resource == `arn:deploy-time:["*",["arn.aws.s3...","b"]]`
}

# `aws:PrincipalAccount: !Ref BlockedAccount` arrives as "BlockedAccount": a parameter's name,
# not its value, so the condition stays undecided.
test_short_form_references_in_condition_values_stay_placeholders if {
	condition := {"StringEquals": {
		"aws:PrincipalAccount": ["BlockedAccount", "AWS::AccountId", "222222222222"],
		"aws:PrincipalArn": "Thing.Arn",
		"aws:PrincipalType": "AssumedRole",
	}}
	template := object.union(
		_template({
			"Role": _role({"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
				{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": _appliance}},
				{"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": "*", "Condition": condition},
			]}}),
			"Thing": {"Type": "AWS::SNS::Topic"},
		}),
		{"Parameters": {"BlockedAccount": {"Type": "String"}}},
	)
	model := cloudformation.roles.Role with input as template
	model.unknowns == []
	model.trust_policy.Statement[1].Condition == {"StringEquals": {
		"aws:PrincipalAccount": ["${BlockedAccount}", "${AWS::AccountId}", "222222222222"],
		"aws:PrincipalArn": "${Thing.Arn}",
		"aws:PrincipalType": "AssumedRole",
	}}

	# A Deny decided on the parameter's name would never apply: undecided, it may.
	guard := object.union(
		_template({"Role": _role({"Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
			{"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*"},
			{"Effect": "Deny", "Action": "ec2:CreateTags", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalType": "GuardedType"}}},
		]}}]})}),
		{"Parameters": {"GuardedType": {"Type": "String"}}},
	)
	cloudformation.warn == {"Role: check ec2_backup: 1 required action granted only conditionally: ec2:CreateTags (deny has Condition StringEquals aws:PrincipalType)"} with input as guard
		with data.vbaws.requirements as _requirements
}

# `!Ref AWS::AccountId`, `!ImportValue blocked-principal`, `!FindInMap [Blocked, Prod, Principals]`
# as conftest's YAML parser leaves them name no principal: each could be the appliance. The
# principals IAM knows are read as written.
test_deny_principal_from_a_short_form_tag_makes_the_trust_unknown if {
	every principal in ["AWS::AccountId", "blocked-principal", ["Blocked", "Prod", "Principals"], ["blocked-principal"]] {
		model := cloudformation.roles.Role with input as _denying(principal)
		[u.layer | some u in model.unknowns] == ["trust"]
	}
	every principal in [
		{"AWS": ["222222222222", "arn:aws:iam::222222222222:root"]},
		{"Service": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]},
		{"Federated": "accounts.google.com"},
		{"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
	] {
		template := _template({"Role": _role({"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
			{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": _appliance}},
			{"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": principal},
		]}})})
		model := cloudformation.roles.Role with input as template
		model.unknowns == []
	}
}

# `aws:PrincipalType: !FindInMap [Settings, Guardrails, Type]` arrives as the three names: read as
# literals, the Deny would never apply to the role. It is the mapping's value, or undecided when
# a key is chosen at deploy time.
test_short_form_find_in_map_in_condition_values if {
	cloudformation.deny == {"Role: check ec2_backup: explicitly denied: ec2:CreateTags (statement 2 of inline policy \"p\")"} with input as _guarded(["Settings", "Guardrails", "Type"])
		with data.vbaws.requirements as _requirements
	cloudformation.warn == {"Role: check ec2_backup: 1 required action granted only conditionally: ec2:CreateTags (deny has Condition StringEquals aws:PrincipalType)"} with input as _guarded(["Settings", "Env", "Type"])
		with data.vbaws.requirements as _requirements

	# One entry of a list of values is looked up alike (read as a list of three names, the
	# entry is no value IAM takes, and the policy was refused).
	cloudformation.deny == {"Role: check ec2_backup: explicitly denied: ec2:CreateTags (statement 2 of inline policy \"p\")"} with input as _guarded([["Settings", "Guardrails", "Type"], "User"])
		with data.vbaws.requirements as _requirements
	cloudformation.warn == {"Role: check ec2_backup: 1 required action granted only conditionally: ec2:CreateTags (deny has Condition StringEquals aws:PrincipalType)"} with input as _guarded([["Settings", "Env", "Type"], "User"])
		with data.vbaws.requirements as _requirements
}

_guarded(keys) := object.union(
	_template({"Role": _role({"Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
		{"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*"},
		{"Effect": "Deny", "Action": "ec2:CreateTags", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalType": keys}}},
	]}}]})}),
	{
		"Mappings": {"Settings": {"Guardrails": {"Type": "AssumedRole"}, "Other": {"Type": "User"}}},
		"Parameters": {"Env": {"Type": "String"}},
	},
)

# `Action: !GetAZs ''` arrives as "", a list chosen at deploy time: a Deny so written is
# undecided, never a deny of nothing. In an Allow it grants nothing, and is no invalid action.
test_an_empty_action_of_a_deny_is_chosen_at_deploy_time if {
	every action in ["", ["ec2:DeleteTags", ""]] {
		template := _template({"Role": _role({"Policies": [
			{"PolicyName": "g", "PolicyDocument": {"Statement": [{"Effect": "Deny", "Action": action, "Resource": "*"}]}},
			{"PolicyName": "a", "PolicyDocument": _doc("ec2:CreateTags")},
		]})})
		[u.what | some u in cloudformation.roles.Role.unknowns] == [
			"the document of inline policy \"g\" uses intrinsic functions whose result is known only at deploy time",
		] with input as template
	}
	allowed := _template({"Role": _role({"Policies": [{"PolicyName": "a", "PolicyDocument": _doc(["", "ec2:CreateTags"])}]})})
	cloudformation.deny == set() with input as allowed with data.vbaws.requirements as _requirements
	cloudformation.warn == set() with input as allowed with data.vbaws.requirements as _requirements
}

# `Effect: !Ref Allow` arrives as "Allow": when the parameter named Allow could hold Deny, every
# statement that reads as an Allow (the trust's too) is undecided; when it cannot, it is an Allow.
test_an_effect_that_a_parameter_named_allow_gives if {
	template := _template({"Role": _role({"Policies": [{"PolicyName": "g", "PolicyDocument": _doc("ec2:CreateTags")}]})})

	# A Default is no value given at deploy time: `--parameter-overrides Allow=Deny` gives Deny.
	every allow in [{"AllowedValues": ["Allow", "Deny"]}, {"Default": "Deny"}, {}, {"Default": "Allow"}] {
		chosen := object.union(template, {"Parameters": {"Allow": object.union({"Type": "String"}, allow)}})
		{u.layer | some u in cloudformation.roles.Role.unknowns} == {"identity", "trust"} with input as chosen
	}
	every allow in [{"AllowedValues": ["Allow"]}, {"AllowedValues": ["Allow"], "Default": "Allow"}] {
		fixed := object.union(template, {"Parameters": {"Allow": object.union({"Type": "String"}, allow)}})
		cloudformation.roles.Role.unknowns == [] with input as fixed
	}
}

# A template whose policy resource Guard, which names the role for certain or (by a parameter)
# only may, holds one statement of the Effect given on ec2:CreateTags.
_guard_effect(effect, roles) := object.union(
	_template({
		"Role": _role({"Policies": [{"PolicyName": "p", "PolicyDocument": _doc("ec2:CreateTags")}]}),
		"Guard": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "guard", "Roles": roles, "PolicyDocument": {
			"Statement": [{"Effect": effect, "Action": "ec2:CreateTags", "Resource": "*"}],
		}}},
	}),
	{
		"Parameters": {"Env": {"Type": "String"}, "Other": {"Type": "String"}, "Choice": {"Type": "String"}},
		"Mappings": {"Guardrails": {"dev": {"Effect": "Deny"}, "prod": {"Effect": "Deny"}}},
	},
)

# An Effect given at deploy time (`!Ref Choice` arrives as "Choice", `!Join`, `!Select` as
# lists, {"Ref": "Choice"} as "${Choice}") could be Deny: the document is unknown, never an
# invalid one, and never a Deny dropped with the Allow statements of a policy that only may
# reach the role. An !FindInMap is the effect it gives.
test_an_effect_chosen_at_deploy_time if {
	unknown := "the document of Guard uses intrinsic functions whose result is known only at deploy time"
	every effect in ["Choice", {"Ref": "Choice"}, ["", ["De", "ny"]], [0, ["Deny"]]] {
		every roles in [["Role"], ["Other"]] {
			template := _guard_effect(effect, roles)
			[u.what | some u in cloudformation.roles.Role.unknowns] == [unknown] with input as template
			cloudformation.deny == set() with input as template with data.vbaws.requirements as _requirements
		}
	}
	every role, name in {"Role": "guard", "Other": "guard (its Deny statements)"} {
		mapped := _guard_effect(["Guardrails", "Env", "Effect"], [role])
		cloudformation.deny == {sprintf("Role: check ec2_backup: explicitly denied: ec2:CreateTags (statement 1 of inline policy %q)", [name])} with input as mapped
			with data.vbaws.requirements as _requirements
	}

	# A literal Effect IAM refuses is reported, from a policy that only may reach the role too.
	some problem in cloudformation.deny with input as _guard_effect("deny", ["Other"]) with data.vbaws.requirements as _requirements
	contains(problem, `Effect must be exactly "Allow" or "Deny", got "deny"`)
}

# A long-form {"Fn::Sub": "Deny"} (or Fn::Join) is a Deny, read as strictly as one: its Action
# given by a parameter could be anything, never an action of no service that denies nothing.
test_an_effect_given_by_text_is_that_effect if {
	every effect in [{"Fn::Sub": "Deny"}, {"Fn::Join": ["", ["De", "ny"]]}] {
		template := json.patch(_guard_effect(effect, ["Role"]), [{
			"op": "replace", "path": "/Resources/Guard/Properties/PolicyDocument/Statement/0/Action",
			"value": {"Ref": "Choice"},
		}])
		[u.what | some u in cloudformation.roles.Role.unknowns] == ["the document of Guard uses intrinsic functions whose result is known only at deploy time"] with input as template
	}
}

# A Deny's NotAction given at deploy time denies every action it does not list, which cannot be
# told: undecided (a warn), as a Deny's Action so given is, never a Deny of every action.
test_a_deny_not_action_given_at_deploy_time_is_undecided if {
	unknown := "the document of Guard uses intrinsic functions whose result is known only at deploy time"
	every not_action in ["Choice", {"Ref": "Choice"}, ["s3:GetObject", "Choice"], {"Fn::Sub": "ec2:${Choice}"}] {
		template := _guard_not_action(not_action)
		[u.what | some u in cloudformation.roles.Role.unknowns] == [unknown] with input as template
		cloudformation.deny == set() with input as template with data.vbaws.requirements as _requirements
	}

	# Written out, it denies what it does not list.
	cloudformation.deny == {`Role: check ec2_backup: explicitly denied: ec2:CreateTags (statement 1 of inline policy "guard")`} with input as _guard_not_action("s3:GetObject")
		with data.vbaws.requirements as _requirements
}

_guard_not_action(not_action) := json.patch(_guard_effect("Deny", ["Role"]), [
	{"op": "remove", "path": "/Resources/Guard/Properties/PolicyDocument/Statement/0/Action"},
	{"op": "add", "path": "/Resources/Guard/Properties/PolicyDocument/Statement/0/NotAction", "value": not_action},
])

# `AWS: !Sub ["arn:aws:iam::${A}:role/Appliance", {A: !ImportValue appliance-account}]` may or
# may not name the appliance: an Allow that cannot be read lets no one in, so the role fails,
# and the message says which principals could not be read, not only that no Allow names it.
test_an_allow_principal_known_only_at_deploy_time_is_named_in_the_failure if {
	config := {"appliance": {"principal": _appliance}}
	every pair in [
		[{"Fn::Sub": ["arn:aws:iam::${A}:role/Appliance", {"A": {"Fn::ImportValue": "appliance-account"}}]}, "arn:aws:iam::${A}:role/Appliance"],
		[["arn:aws:iam::${A}:role/Appliance", {"A": "appliance-account"}], "arn:aws:iam::appliance-account:role/Appliance"],
		["ApplianceArn", "ApplianceArn"],
	] {
		template := _trusted_by(pair[0])
		read := pair[1]
		cloudformation.deny == {concat("", [
			"Role: the trust policy does not let arn:aws:iam::111111111111:role/Appliance call sts:AssumeRole on this role ",
			"(no Allow statement names it for certain: the principal ", read, " is known only at deploy time, ",
			"as from a parameter or an !ImportValue, and counted as letting no one in)",
		])} with input as template with data.vbaws_config as config with data.vbaws.requirements as _requirements
	}

	# A principal written out that is another's keeps the engine's reason.
	cloudformation.deny == {concat("", [
		"Role: the trust policy does not let arn:aws:iam::111111111111:role/Appliance call sts:AssumeRole on this role ",
		"(no Allow statement names it)",
	])} with input as _trusted_by("arn:aws:iam::222222222222:root") with data.vbaws_config as config
		with data.vbaws.requirements as _requirements
}

_trusted_by(principal) := object.union(
	_template({"Role": _role({
		"AssumeRolePolicyDocument": _assume({"AWS": principal}, {}),
		"Policies": [{"PolicyName": "p", "PolicyDocument": _doc("ec2:CreateTags")}],
	})}),
	{"Parameters": {"ApplianceArn": {"Type": "String"}}},
)
