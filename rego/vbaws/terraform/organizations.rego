package vbaws.terraform

# Service control policies and resource control policies limit what every principal of the
# accounts they are attached to may do (an RCP, what may be done to a resource: an
# sts:AssumeRole of the appliance, a KMS key, a queue). The organization layer is not evaluated
# here, but a plan that manages such policies may deny a role's actions in this very apply:
# each of them is named in a warning, never passed in silence. Another type of policy (tag,
# backup, ...) grants and denies nothing.

_organization_policy_types := {"SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"}

# Every change of such a policy or of an attachment counts, a delete and a no-op too: an
# attachment deleted may have been the one that allowed (FullAWSAccess), one left as it is
# is in force all the same.
_organization_policies contains rc.address if {
	some rc in input.resource_changes
	rc.mode == "managed"
	rc.type in {"aws_organizations_policy", "awscc_organizations_policy"}
	_controls_access(rc)
}

# The same policies through Cloud Control, which attach themselves to their targets
# (TargetIds): awscc_organizations_policy above, and aws_cloudcontrolapi_resource of
# AWS::Organizations::Policy, whose Type is in its desired_state.
_organization_policies contains rc.address if {
	some rc in input.resource_changes
	rc.mode == "managed"
	rc.type == "aws_cloudcontrolapi_resource"
	some values in [rc.change.before, rc.change.after]
	is_object(values)
	values.type_name == "AWS::Organizations::Policy"
	not _other_type_state(values)
}

_organization_policies contains rc.address if {
	some rc in input.resource_changes
	rc.mode == "managed"
	rc.type == "aws_organizations_policy_attachment"
	not rc.address in _other_type_attachments
}

# Its type, known before apply, or unknown (a type known only after apply may be either).
_controls_access(rc) if {
	some values in [rc.change.before, rc.change.after]
	is_object(values)
	object.get(values, "type", "SERVICE_CONTROL_POLICY") in _organization_policy_types
}

_controls_access(rc) if object.get(rc.change, "after_unknown", {}).type == true

# A desired_state that names another Type, known before apply.
_other_type_state(values) if {
	state := _desired_state(values)
	is_string(state.Type)
	not state.Type in _organization_policy_types
}

# The attachments whose policy_id is a plain reference to a policy of this plan of another type.
_other_type_attachments contains address if {
	some address in _instances_of("aws_organizations_policy_attachment")
	expression := object.get(_expressions(address), "policy_id", {})
	target := _sole_target(address, expression, _instances_of("aws_organizations_policy"))
	some rc in _current_changes
	rc.address == target
	not _controls_access(rc)
}

# An account the plan moves to another parent (root or organizational unit) comes under the
# policies attached there, and leaves those of its old parent: a service or resource control
# policy managed elsewhere may deny the actions of the roles it holds (this plan's, through a
# provider configuration of that account) in this very apply.
_moved_accounts contains rc.address if {
	some rc in input.resource_changes
	rc.mode == "managed"
	rc.type == "aws_organizations_account"
	is_object(rc.change.before)
	_new_parent(rc)
}

# So does an account the plan creates, when a provider configuration refers to it (assume_role
# into arn:aws:iam::${aws_organizations_account.new.id}:role/...), or may (through a local): roles
# of this plan are made in it, under the policies of its parent.
_moved_accounts contains rc.address if {
	some rc in input.resource_changes
	rc.mode == "managed"
	rc.type == "aws_organizations_account"
	"create" in rc.change.actions
	some [prefix, argument, ref] in _provider_references
	_may_name_account(prefix, argument, ref, rc.address)
}

# [module prefix, argument, reference] of every reference of the provider configurations.
_provider_references contains [_provider_module(key), argument, ref] if {
	some key, config in object.get(input.configuration, "provider_config", {})
	some argument, value in object.get(config, "expressions", {})
	walk(value, [_, expression])
	some ref in _references_of(expression)
}

_may_name_account(prefix, _, ref, address) if _names_resource_of(prefix, ref, address)

# The plan holds no expression of a local value or of a module's output, nor what a module's
# call gives the variables of its own provider block: each may carry the new account's id into
# an argument that chooses credentials (assume_role). A region or tags do not choose the account.
_may_name_account(prefix, argument, ref, _) if {
	not argument in {"region", "default_tags", "ignore_tags"}
	_carries_values(prefix, ref)
}

_carries_values(_, ref) if regex.match(`^(local|module)\.`, ref)

_carries_values(prefix, ref) if {
	prefix != ""
	startswith(ref, "var.")
}

_references_of(expression) := expression.references if {
	is_object(expression)
	is_array(expression.references)
} else := []

# "module.a.module.b." for a provider configuration key of a module ("module.a.module.b:aws").
_provider_module(key) := concat("", [split(key, ":")[0], "."]) if contains(key, ":")

else := ""

_names_resource_of(prefix, ref, address) if {
	is_string(ref)
	startswith(concat("", [prefix, _strip_keys(ref), "."]), concat("", [_strip_keys(address), "."]))
}

_new_parent(rc) if object.get(rc.change, "after_unknown", {}).parent_id == true

_new_parent(rc) if {
	is_object(rc.change.after)
	object.get(rc.change.before, "parent_id", null) != object.get(rc.change.after, "parent_id", null)
}
