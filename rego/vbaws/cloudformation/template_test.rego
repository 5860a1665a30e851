package vbaws.cloudformation_test

import data.vbaws.cloudformation

# An object with two intrinsic function keys is no call CloudFormation takes: it is read as
# neither (never as both, which made evaluation fail), so it grants nothing and names no role
# for certain.
test_an_object_with_two_intrinsic_keys_is_neither if {
	both := {"Ref": "Role", "Fn::GetAtt": ["Managed", "PolicyArn"]}
	template := _template({
		"Role": _role({"RoleName": "backup", "ManagedPolicyArns": [both]}),
		"Managed": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": _doc("a:A")}},
		"Named": _policy_resource("AWS::IAM::RolePolicy", "RoleName", {"Ref": "Role", "Fn::Sub": "backup"}),
		"Joined": {"Type": "AWS::IAM::Policy", "Properties": {
			"PolicyName": "joined",
			"Roles": [{"Ref": "Role"}],
			"PolicyDocument": {"Statement": [{
				"Effect": "Allow",
				"Action": "a:B",
				"Resource": {"Fn::Join": ["", ["arn:aws:s3:::", "b"]], "Ref": "Bucket"},
			}]},
		}},
	})
	model := cloudformation.roles.Role with input as template
	{p.name: p.document.Statement[0].Resource | some p in model.policies} == {
		"joined": {"Fn::Join": ["", ["arn:aws:s3:::", "b"]], "Ref": "Bucket"},
		"Named (its Deny statements)": "*",
	}
	{u.what | some u in model.unknowns} == {
		`ManagedPolicyArns entry {"Fn::GetAtt":["Managed","PolicyArn"],"Ref":"Role"} is known only at deploy time`,
		`the Allow statements of Named, which may apply to this role (RoleName {"Fn::Sub":"backup","Ref":"Role"} could name it at deploy time)`,
	}
}

# Two role names with placeholders may be one name at deploy time when what each must start
# and end with agrees: a Deny of a policy for one of them counts for the other.
test_role_names_with_placeholders_on_both_sides if {
	template := _template({
		"Role": _role({"RoleName": {"Fn::Sub": "${Prefix}-backup"}}),
		"Other": _role({"RoleName": {"Fn::Sub": "veeam-${Suffix}"}}),
		"Guard": _policy_resource("AWS::IAM::Policy", "Roles", [{"Fn::Sub": "veeam-${Env}"}]),
		"Apart": _policy_resource("AWS::IAM::Policy", "Roles", [{"Fn::Sub": "${Env}-worker"}]),
	})
	roles := cloudformation.roles with input as template
	{role: {p.name | some p in model.policies} | some role, model in roles} == {
		"Role": {"Guard (its Deny statements)"},
		"Other": {"Guard (its Deny statements)", "Apart (its Deny statements)"},
	}
}

# A nested stack or a module passed the role's name can attach a Deny to it: what it deploys is
# not seen.
test_nested_stacks_are_warned if {
	template := _template({
		"Role": _role({"Policies": [{"PolicyName": "p", "PolicyDocument": _doc("ec2:CreateTags")}]}),
		"Guardrails": {"Type": "AWS::CloudFormation::Stack", "Properties": {
			"TemplateURL": "https://s3.amazonaws.com/bucket/guardrails.yaml",
			"Parameters": {"RoleName": {"Ref": "Role"}},
		}},
		"Shared": {"Type": "MyOrg::Security::Guardrails::MODULE", "Properties": {"RoleName": {"Ref": "Role"}}},
	})
	concat("", [
		"this template deploys nested stacks, stack sets or modules (Guardrails, Shared) that are not checked; the roles and ",
		"policies they add, or attach to this template's roles, are not seen: check their templates too",
	]) in cloudformation.warn with input as template
		with data.vbaws.requirements as _requirements
	every msg in cloudformation.warn {
		not contains(msg, "nested")
	} with input as _template({"Role": _role({})})
		with data.vbaws.requirements as _requirements
}

# A stack set may target this stack's own account, and a Service Catalog product is provisioned
# into it: passed the role's name, either can attach a Deny to it, unseen, as a nested stack can.
test_stack_sets_and_provisioned_products_are_warned if {
	template := _template({
		"Role": _role({"Policies": [{"PolicyName": "p", "PolicyDocument": _doc("ec2:CreateTags")}]}),
		"Guardrails": {"Type": "AWS::CloudFormation::StackSet", "Properties": {
			"PermissionModel": "SELF_MANAGED",
			"TemplateBody": "Resources: {}",
			"Parameters": [{"ParameterKey": "RoleName", "ParameterValue": {"Ref": "Role"}}],
		}},
		"Product": {"Type": "AWS::ServiceCatalog::CloudFormationProvisionedProduct", "Properties": {
			"ProductName": "guardrails",
			"ProvisioningParameters": [{"Key": "RoleName", "Value": {"Ref": "Role"}}],
		}},
	})
	concat("", [
		"this template deploys nested stacks, stack sets or modules (Guardrails, Product) that are not checked; ",
		"the roles and policies they add, or attach to this template's roles, are not seen: check their templates too",
	]) in cloudformation.warn with input as template
		with data.vbaws.requirements as _requirements
}

# `Statement: !If [IsProd, {...}, {...}]`, branches of one statement each, arrives as the list of
# the condition's name and both statements: read as a list, the name was a statement IAM
# refuses and both branches counted. The statements are chosen at deploy time.
test_statements_chosen_by_an_if if {
	statements := ["IsProd", {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*"}, {"Effect": "Deny", "Action": "*", "Resource": "*"}]
	template := object.union(
		_template({"Role": _role({"Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": statements}}]})}),
		{"Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}}},
	)
	[u.what | some u in cloudformation.roles.Role.unknowns] == ["the document of inline policy \"p\" has statements chosen by an !If at deploy time"] with input as template
	cloudformation.deny == {"Role: check ec2_backup: missing 1 required action: ec2:CreateTags"} with input as template
		with data.vbaws.requirements as _requirements
}

_guard(type, properties) := {"Type": type, "Properties": object.union(
	{"ServiceToken": {"Fn::GetAtt": ["GuardFunction", "Arn"]}},
	properties,
)}

_custom_warning(resources) := sprintf(
	"Role: custom resources (%s) are given this role (or a managed policy of it) and %s; %s",
	[
		resources, "run code of their own at deploy time",
		"the policies they may attach to it or write, a Deny among them, are not checked",
	],
)

# A custom resource given the role (a reference, short form or long, an !Sub placeholder, its
# name or an ARN of it written out) can attach a Deny to it at deploy time, as a nested stack
# can: it passed with no warn. One given no checked role is not warned about.
test_custom_resources_given_a_checked_role_are_warned if {
	roles := {
		"Role": _role({"RoleName": "VeeamBackup"}),
		"Other": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "Worker", "AssumeRolePolicyDocument": _trust}},
	}
	every properties in [
		{"RoleName": "Role"},
		{"RoleArn": "Role.Arn"},
		{"RoleName": {"Ref": "Role"}},
		{"Target": {"Roles": [{"Fn::GetAtt": ["Role", "Arn"]}]}},
		{"Target": {"Fn::GetAtt": "Role.Arn"}},
		{"RoleArn": {"Fn::Sub": "${Role.Arn}"}},
		{"RoleName": "veeambackup"},
		{"RoleArn": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/VeeamBackup"}},
		{"RoleArn": ["", ["arn:aws:iam::", "AWS::AccountId", ":role/ops/", "VeeamBackup"]]},
		{"RoleName": ["Names", "Env", "Backup"]},
	] {
		template := object.union(
			_template(object.union(roles, {
				"Guard": _guard("Custom::AttachGuard", properties),
				"Stack": _guard("AWS::CloudFormation::CustomResource", properties),
			})),
			{"Mappings": {"Names": {"Prod": {"Backup": "VeeamBackup"}, "Test": {"Backup": "Worker"}}}},
		)
		_custom_warning("Guard, Stack") in cloudformation.warn with input as template
			with data.vbaws.requirements as _requirements
	}
	chosen := json.patch(
		_template(object.union(roles, {"Guard": _guard("Custom::AttachGuard", {})})),
		[{"op": "replace", "path": "/Resources/Guard/Properties", "value": ["IsProd", {"RoleName": "Role"}, {}]}],
	)
	_custom_warning("Guard") in cloudformation.warn with input as chosen
		with data.vbaws.requirements as _requirements
	every properties in [{"RoleName": "Other"}, {"RoleName": "Worker"}, {"Name": "VeeamBackup-logs"}, {}] {
		template := _template(object.union(roles, {"Guard": _guard("Custom::AttachGuard", properties)}))
		every msg in cloudformation.warn {
			not contains(msg, "custom resources")
		} with input as template
			with data.vbaws.requirements as _requirements
	}
}

# A custom resource given a managed policy of the template that reaches the role can write a new
# version of it, a Deny in it; one given a policy that reaches no checked role is not warned about.
test_custom_resources_given_a_managed_policy_of_a_checked_role_are_warned if {
	managed := {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": _doc("ec2:CreateTags")}}
	template := _template({
		"Role": _role({"ManagedPolicyArns": [{"Ref": "Listed"}], "PermissionsBoundary": "Boundary"}),
		"Listed": managed,
		"Boundary": managed,
		"Attached": json.patch(managed, [{"op": "add", "path": "/Properties/Roles", "value": ["Role"]}]),
		"Apart": managed,
	})
	every policy in ["Listed", "Boundary", "Attached"] {
		given := json.patch(template, [{"op": "add", "path": "/Resources/Guard", "value": _guard("Custom::Guard", {"PolicyArn": policy})}])
		_custom_warning("Guard") in cloudformation.warn with input as given
			with data.vbaws.requirements as _requirements
	}
	apart := json.patch(template, [{"op": "add", "path": "/Resources/Guard", "value": _guard("Custom::Guard", {"PolicyArn": {"Ref": "Apart"}})}])
	every msg in cloudformation.warn {
		not contains(msg, "custom resources")
	} with input as apart
		with data.vbaws.requirements as _requirements
}

# Service or resource control policies that the template manages may deny the role's actions;
# the organization layer is not evaluated here, which a warn on each checked role says. A type
# chosen at deploy time (`Type: !Ref Kind` arrives as "Kind") may be one; a tag policy is not.
test_control_policies_of_the_template_are_named if {
	warned := "Role: this template manages service or resource control policies (Guard, Kinded), which may deny its actions or keep the appliance out; the organization layer is not evaluated here (see docs/conftest.md)"
	template := _template({
		"Role": _role({}),
		"Guard": {"Type": "AWS::Organizations::Policy", "Properties": {"Type": "SERVICE_CONTROL_POLICY", "Content": {}}},
		"Kinded": {"Type": "AWS::Organizations::Policy", "Properties": {"Type": "Kind", "Content": {}}},
		"Tags": {"Type": "AWS::Organizations::Policy", "Properties": {"Type": "TAG_POLICY", "Content": {}}},
	})
	warned in cloudformation.warn with input as template with data.vbaws.requirements as _requirements
	tags_only := json.patch(template, [{"op": "remove", "path": "/Resources/Guard"}, {"op": "remove", "path": "/Resources/Kinded"}])
	every msg in cloudformation.warn {
		not contains(msg, "control policies")
	} with input as tags_only with data.vbaws.requirements as _requirements
}

# `RoleName: Legacy.prod.role`, with a resource Legacy in the template, is read as
# `!GetAtt Legacy.prod.role`, but IAM takes the text as the role's name too: a
# data.vbaws_config.roles entry of that name selects the role, which is checked.
test_a_role_name_read_as_a_reference_may_be_its_literal_name if {
	role := {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": _trust, "RoleName": "Legacy.prod.role"}}
	template := _template({"Legacy": {"Type": "AWS::S3::Bucket"}, "Role": role})
	cloudformation.roles.Role.aliases == ["Legacy.prod.role"] with input as template
	config := {"roles": {"Legacy.prod.role": {"checks": ["ec2_backup"]}}}
	cloudformation.deny == {"Role: check ec2_backup: missing 1 required action: ec2:CreateTags"} with input as template
		with data.vbaws_config as config
		with data.vbaws.requirements as _requirements
}
