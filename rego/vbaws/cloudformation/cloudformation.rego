# METADATA
# title: Veeam Backup for AWS checks of a CloudFormation template
# description: |
#   conftest entry points for CloudFormation templates, JSON or YAML:
#     conftest test --policy rego --data rego --namespace vbaws.cloudformation template.yaml
#   Every AWS::IAM::Role, with its Policies, ManagedPolicyArns, PermissionsBoundary and
#   AssumeRolePolicyDocument, and the AWS::IAM::Policy, AWS::IAM::RolePolicy and
#   AWS::IAM::ManagedPolicy resources that attach to it, is mapped into a role snapshot and
#   evaluated by data.vbaws.report.build, like a live role. What is known only at deploy time is
#   never counted as granting anything. See docs/conftest.md.
package vbaws.cloudformation

import data.vbaws.lib.iac
import data.vbaws.report

_selected := {id | some id, model in roles; iac.selected(model)}

# METADATA
# description: The report (contract section 3) of each selected role, keyed by logical id.
reports[id] := report.build(iac.snapshot(roles[id])) if some id in _selected

# METADATA
# title: deny
# description: |
#   One message per selected role and requirement set that is not met, naming the missing and
#   explicitly denied actions; one per invalid document or trust policy that keeps the appliance
#   out; one for an input that is not a template.
# entrypoint: true
deny contains _explained(id, msg) if {
	some id in _selected
	some msg in iac.deny_messages(roles[id], reports[id])
}

deny contains "the input is not a CloudFormation template: it has no Resources object" if {
	not _is_template
}

_is_template if is_object(input.Resources)

# METADATA
# title: warn
# description: |
#   Conditional grants, everything known only at deploy time (counted as granting nothing), and
#   a warning when the template selects no role at all.
# entrypoint: true
warn contains msg if {
	some id in _selected
	some msg in iac.warn_messages(roles[id], reports[id])
}

warn contains msg if some msg in _tag_warnings

# Macros (a Transform section, Fn::Transform such as AWS::Include) rewrite the template at
# deploy time: the roles and policies they add or change are not in what is checked.
warn contains msg if {
	count(_macros) > 0
	msg := sprintf(
		"this template uses macros that CloudFormation expands at deploy time (%s); %s",
		[concat(", ", sort(_macros)), "the roles and policies they add or change are not checked"],
	)
}

# A nested stack (or module) is a template of its own, deployed with this one: the roles it creates and the
# policies it attaches (to this template's roles too, when it is passed their names) are not in
# what is checked.
warn contains msg if {
	count(_nested_stacks) > 0
	msg := sprintf(
		"this template deploys nested stacks, stack sets or modules (%s) that are not checked; %s",
		[
			concat(", ", sort(_nested_stacks)),
			"the roles and policies they add, or attach to this template's roles, are not seen: check their templates too",
		],
	)
}

# A custom resource runs code of its own at deploy time: given one of the template's roles
# (`RoleName: !Ref VeeamRole`, its ARN, its name written out) it can attach a policy, a Deny
# among them, to it, as a nested stack can. Custom resources given no checked role are not
# warned about: most touch no role.
warn contains msg if {
	some role in _selected
	resources := {id | some id in _custom_resources; _given_role(id, role)}
	count(resources) > 0
	msg := sprintf(
		"%s: custom resources (%s) are given this role (or a managed policy of it) and %s; %s",
		[
			role, concat(", ", sort(resources)), "run code of their own at deploy time",
			"the policies they may attach to it or write, a Deny among them, are not checked",
		],
	)
}

# The organization layer is not evaluated, but service or resource control policies that the
# template manages may deny each checked role's actions, or keep the appliance out.
warn contains msg if {
	count(_organization_policies) > 0
	some role in _selected
	msg := sprintf("%s: this template manages service or resource control policies (%s), %s; %s", [
		role,
		concat(", ", sort(_organization_policies)),
		"which may deny its actions or keep the appliance out",
		"the organization layer is not evaluated here (see docs/conftest.md)",
	])
}

# Why the trust check of such a role is undecided, and what decides it (numbers.rego).
warn contains msg if {
	some role in _selected
	keys := _unquoted_trust_numbers(role)
	count(keys) > 0
	msg := sprintf("%s: %s %s %s; %s", [
		role, "the trust policy's condition values of", concat(", ", sort(keys)),
		"are unquoted numbers, which other spellings give too (111111111111.0, 1.11111111111e+11), so they are not read",
		"write account ids in quotes ('111111111111')",
	])
}

# Why a trust check may fail on what is written as a short-form !Split (split.rego).
warn contains msg if {
	some role in _selected
	keys := _split_like_trust_values(role)
	count(keys) > 0
	msg := sprintf("%s: %s %s %s; %s", [
		role, "the trust policy's condition values of", concat(", ", sort(keys)),
		"could be a short-form !Split or a list of two values written out, which arrive alike, so they are read as the list",
		"write the values out as a list, or use the long form (Fn::Split)",
	])
}

warn contains iac.empty_selection(key) if {
	_is_template
	some key in iac.empty_selections([model | some model in roles])
}

warn contains iac.nothing_selected("template") if {
	_is_template
	count(_selected) == 0
}

# Any type but those known to grant and deny nothing: one chosen at deploy time (a short-form
# `!Ref PolicyType` arrives as the parameter's name) may be a control policy.
_organization_policies contains id if {
	some id, resource in input.Resources
	resource.Type == "AWS::Organizations::Policy"
	not object.get(object.get(resource, "Properties", {}), "Type", null) in _policy_types_without_access
}

_policy_types_without_access := {
	"AISERVICES_OPT_OUT_POLICY", "BACKUP_POLICY", "CHATBOT_POLICY", "DECLARATIVE_POLICY_EC2", "TAG_POLICY",
}

_nested_stacks contains id if {
	some id, resource in input.Resources
	resource.Type in _stack_types
}

# A CloudFormation module (a registry type named Organization::Service::Name::MODULE) is
# expanded into its resources at deploy time, as a nested stack is deployed.
_nested_stacks contains id if {
	some id, resource in input.Resources
	endswith(resource.Type, "::MODULE")
}

# A stack set deploys its template as stacks of the accounts and Regions it targets, which may
# be this stack's own; a Service Catalog product is provisioned as a stack of this account.
# Either, passed a role's name, can attach a Deny to it as a nested stack can.
_stack_types := {
	"AWS::CloudFormation::Stack",
	"AWS::CloudFormation::StackSet",
	"AWS::ServiceCatalog::CloudFormationProvisionedProduct",
}

# The Transform section names a macro by a string, or by an object with its Name and
# Parameters (how AWS::Include is written there), alone or in a list; a macro named in any
# other way is still a macro.
_macros contains name if {
	some transform in _as_list(input.Transform)
	not is_null(transform)
	name := _section_transform_name(transform)
}

_macros contains name if {
	walk(input.Resources, [_, value])
	name := _transform_name(value["Fn::Transform"])
}

_transform_name(transform) := transform.Name if is_string(transform.Name)

else := "Fn::Transform"

_section_transform_name(transform) := transform if {
	is_string(transform)
} else := transform.Name if {
	is_string(transform.Name)
} else := "Transform"

_custom_resources contains id if {
	some id, resource in input.Resources
	_custom_type(resource.Type)
}

_custom_type("AWS::CloudFormation::CustomResource")

_custom_type(type) if startswith(type, "Custom::")

# Anywhere in the properties, in any shape: a reference to the role (`!Ref VeeamRole` arrives
# as "VeeamRole", `!GetAtt VeeamRole.Arn` as "VeeamRole.Arn"), a placeholder of an !Sub naming
# it, or its name (or an ARN ending in it) as its RoleName gives it. Properties chosen by an
# !If (a list, short form) are looked at in full.
_given_role(id, role) if {
	walk(_custom_properties(id), [_, v])
	_names_role(v, role)
}

# ... or an !FindInMap that may give one of those.
_given_role(id, role) if {
	walk(_custom_properties(id), [_, v])
	some x in _map_values(v)
	walk(x, [_, y])
	_names_role(y, role)
}

# ... or one of the template's managed policies that reaches the role (among its policies, or
# its permissions boundary): a new version of it, a Deny in it, is the role's too.
_given_role(id, role) if {
	walk(_custom_properties(id), [_, v])
	policy := _ref_id(v)
	policy in _managed_policies
	_reaches(policy, role)
}

_reaches(policy, role) if {
	some entry in _identity_entries(role)
	entry.key in {policy, concat("", [policy, " (its Deny statements)"])}
}

_reaches(policy, role) if _boundary(role).key == policy

_custom_properties(id) := object.get(_resources[id], "Properties", {})

_names_role(v, role) if _ref_id(v) == role

_names_role(v, role) if {
	is_string(v)
	some placeholder in regex.find_n(`\$\{[^}]*\}`, v, -1)
	split(trim_suffix(trim_prefix(placeholder, "${"), "}"), ".")[0] == role
}

# IAM role names are unique ignoring case.
_names_role(v, role) if {
	name := lower(_role_name_text(role))
	text := lower(_name_text(v))
	_name_or_arn(text, name)
}

_name_or_arn(text, name) if text == name

_name_or_arn(text, name) if {
	contains(text, ":role/")
	endswith(text, concat("", ["/", name]))
}
