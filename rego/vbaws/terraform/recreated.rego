package vbaws.terraform

import data.vbaws.iam.trust
import data.vbaws.lib.iac
import data.vbaws.lib.values

# IAM keeps a role named in a trust policy's Principal as that role's unique id, not its ARN:
# a role deleted and created again under the same ARN gets a new id, which the trust no longer
# names, until the trust policy is written again (IAM User Guide,
# reference_policies_elements_principal, "IAM role principals"). So when this plan deletes the
# appliance's role (a replacement, -replace, a move without a moved block, or for good; through
# Cloud Control too), a
# selected role whose trust lets the appliance in only by naming that role's ARN keeps the
# appliance out after apply, unless this apply writes its trust policy after the new role
# exists: created or changed, waiting for the new role (depends_on, or a reference to it).
# Deleted and created under no role of its name, the appliance is gone, whatever the trust says.
# A role of its name created under another provider configuration than the deleted one's (an
# alias, a module's own block choosing credentials, another provider) may be in another
# account: it is the appliance's new role only when the plan shows it is of the appliance's
# account (see _recreated_as); when it cannot be told, the appliance may be gone (a warn).

# METADATA
# description: |
#   A selected role whose trust lets the appliance in only by naming its role, which this plan
#   deletes, and which this apply does not write again.
deny contains msg if {
	some [address, principal, deleted] in _recreated_appliance_trusts
	not _trust_written(address)
	msg := sprintf(
		concat("", [
			"%s: the trust policy lets %s in by naming its role, which this plan deletes (%s): IAM ",
			"keeps the deleted role's unique id in the trust, which a role created again under that ",
			"name does not have, and this apply does not write the trust policy again, so the ",
			"appliance cannot assume this role (see docs/conftest.md)",
		]),
		[address, principal, concat(", ", deleted)],
	)
}

# METADATA
# description: |
#   A selected role whose appliance is a role this plan deletes and creates no role of its name
#   for: after apply there is no appliance to assume it, whatever its trust says.
deny contains msg if {
	some [address, principal, name, deleted] in _appliance_deletions
	not _recreation(trust.appliance(principal), name)
	msg := sprintf(
		concat("", [
			"%s: the appliance %s is a role this plan deletes (%s) and creates no role of its name ",
			"for, so after apply it cannot assume this role (see docs/conftest.md)",
		]),
		[address, principal, concat(", ", deleted)],
	)
}

# METADATA
# description: |
#   The same, when the roles of its name this plan creates may be of another account.
warn contains msg if {
	some [address, principal, name, deleted] in _appliance_deletions
	_recreation(trust.appliance(principal), name) == "maybe"
	created := sort([c.address | some c in _new_roles(name)])
	msg := sprintf(
		concat("", [
			"%s: the appliance %s is a role this plan deletes (%s), and the roles of its name this ",
			"plan creates (%s) may be of another provider configuration and account than the ",
			"deleted one: after apply the appliance may be gone and unable to assume this role ",
			"(see docs/conftest.md)",
		]),
		[address, principal, concat(", ", deleted), concat(", ", created)],
	)
}

# METADATA
# description: |
#   The same, when this apply writes the trust policy but may do so before the appliance's
#   new role exists.
warn contains msg if {
	some [address, principal, deleted] in _recreated_appliance_trusts
	_trust_written(address)
	not _waits_for_new_role(address, principal)
	msg := sprintf(
		concat("", [
			"%s: the trust policy lets %s in by naming its role, which this plan deletes (%s), and ",
			"this apply writes the trust policy in no set order with the role's new copy: written ",
			"first, it names the deleted role and the appliance cannot assume this role; make it ",
			"depend on the new role (depends_on, see docs/conftest.md)",
		]),
		[address, principal, concat(", ", deleted)],
	)
}

_appliance_deletions contains [address, principal, name, deleted] if {
	some address in _selected
	principal := iac.snapshot(roles[address]).appliance.principal
	who := trust.appliance(principal)
	name := lower(_appliance_role_name(who))
	deleted := sort([rc.address | some rc in _deleted_roles; _names_role(rc.change.before, who, name)])
	count(deleted) > 0
}

_new_roles(name) := {rc |
	some rc in _current_changes
	rc.type in {"aws_iam_role", "awscc_iam_role", "aws_cloudcontrolapi_resource"}
	"create" in rc.change.actions
	_new_role_name(rc.change.after) == name
}

# Whether the plan creates the appliance's role again: "same" when a role of its name it
# creates is surely of the appliance's account, else "maybe" when one may be; undefined when
# none is (none created, or each of another account).
_recreation(who, name) := "same" if {
	some rc in _new_roles(name)
	_recreated_as(who, name, rc) == "same"
} else := "maybe" if {
	some rc in _new_roles(name)
	_recreated_as(who, name, rc) == "maybe"
}

_new_role_name(after) := lower(after.name) if is_string(after.name)

_new_role_name(after) := lower(after.role_name) if is_string(after.role_name)

_new_role_name(after) := lower(_desired_state(after).RoleName) if {
	after.type_name == "AWS::IAM::Role"
	is_string(_desired_state(after).RoleName)
}

# A role of the appliance's name the plan creates is of the appliance's account when it is a
# deleted one replaced (one address), under the provider configuration a deleted one has in the
# configuration, or, for a deleted one the configuration no longer holds (whose old state does
# not tell its configuration), under the only configuration of its provider; or when an
# aws_iam_role of the plan with a known ARN under its provider configuration is of the
# appliance's account and partition (a role is of the account its provider works in). Such a
# role of another account tells it is another account's; else it cannot be told.
_recreated_as(who, name, rc) := "same" if {
	some old in _deleted_roles
	_names_role(old.change.before, who, name)
	_same_configuration_as(old, rc)
} else := "same" if {
	_configuration_owner(rc.address) == _arn_owner(who.arn)
} else := "other" if {
	_configuration_owner(rc.address)
} else := "maybe"

_same_configuration_as(old, new) if old.address == new.address

_same_configuration_as(old, new) if {
	_strip_keys(old.address) in object.keys(_config_providers)
	_provider_name(old.address) == _provider_name(new.address)
}

_same_configuration_as(old, new) if {
	not _strip_keys(old.address) in object.keys(_config_providers)
	_provider_of(old.type) == _provider_of(new.type)
	count(_configurations_of(_provider_of(new.type))) <= 1
}

_provider_of(type) := "awscc" if {
	type == "awscc_iam_role"
} else := "aws"

_configurations_of("aws") := aws_configurations

_configurations_of("awscc") := {_provider_name_of(key) |
	some key, config in object.get(input.configuration, "provider_config", {})
	_awscc_provider(config)
}

_awscc_provider(config) if config.name == "awscc"

_awscc_provider(config) if endswith(config.full_name, "hashicorp/awscc")

_configuration_owner(address) := owner if {
	owners := {_arn_owner(_arn(role)) |
		some role in _roles
		_provider_name(role) == _provider_name(address)
		_arn_owner(_arn(role))
	}
	count(owners) == 1
	some owner in owners
}

_recreated_appliance_trusts contains [address, principal, deleted] if {
	some [address, principal, name, deleted] in _appliance_deletions
	_recreation(trust.appliance(principal), name)
	model := roles[address]
	who := trust.appliance(principal)
	trust.assess(model.trust_policy, principal, model.arn).appliance_can_assume
	without := _without_role(model.trust_policy, who.account, name)
	not trust.assess(without, principal, model.arn).appliance_can_assume
}

_appliance_role_name(who) := who.role_name

_appliance_role_name(who) := regex.replace(who.arn, `^.*/`, "") if {
	not who.role_name
	regex.match(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/`, who.arn)
}

_deleted_roles contains rc if {
	some rc in input.resource_changes
	rc.type in {"aws_iam_role", "awscc_iam_role", "aws_cloudcontrolapi_resource"}
	"delete" in rc.change.actions
	is_object(rc.change.before)
}

# A role of another partition is another IAM's, whatever its account id (partitions have
# separate IAMs: IAM User Guide, id_roles_providers_outbound_cross_partition).
_names_role(before, who, name) if {
	old := _old_role(before)
	lower(old.name) == name
	values.arn_account(old.arn) == who.account
	_principal_partition(old.arn) == _principal_partition(who.arn)
}

# The role an aws_iam_role, an awscc_iam_role or a Cloud Control resource of AWS::IAM::Role was.
# (Its ARN null when not given.)
_old_role(before) := {"name": before.name, "arn": object.get(before, "arn", null)} if is_string(before.name)

_old_role(before) := {"name": before.role_name, "arn": object.get(before, "arn", null)} if is_string(before.role_name)

_old_role(before) := {"name": properties.RoleName, "arn": object.get(properties, "Arn", null)} if {
	before.type_name == "AWS::IAM::Role"
	is_string(before.properties)
	json.is_valid(before.properties)
	properties := json.unmarshal(before.properties)
	is_string(properties.RoleName)
}

# The trust with every Allow principal naming that role left out (a statement naming nothing
# else with it), as the trust stands once the role is deleted.
_without_role(document, account, name) := object.union(parsed, {"Statement": [s |
	some statement in values.as_list(object.get(parsed, "Statement", []))
	s := _allow_without_role(statement, account, name)
]}) if {
	parsed := values.parse_document(document).document
}

_allow_without_role(statement, account, name) := statement if {
	not _names_role_principal(statement, account, name)
}

_allow_without_role(statement, account, name) := object.union(statement, {"Principal": principal}) if {
	_names_role_principal(statement, account, name)
	kept := [e | some e in values.as_list(statement.Principal.AWS); not _role_entry(e, account, name)]
	principal := _principal_with(statement.Principal, kept)
	count(principal) > 0
}

_principal_with(principal, []) := object.remove(principal, ["AWS"])

_principal_with(principal, kept) := object.union(principal, {"AWS": kept}) if count(kept) > 0

_names_role_principal(statement, account, name) if {
	statement.Effect == "Allow"
	is_object(statement.Principal)
	some entry in values.as_list(object.get(statement.Principal, "AWS", []))
	_role_entry(entry, account, name)
}

# A role ARN of that account whose name (paths and case aside, see vbaws.iam.trust) is the role's.
_role_entry(entry, account, name) if {
	regex.match(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/`, entry)
	values.arn_account(entry) == account
	lower(regex.replace(entry, `^.*/`, "")) == name
}

# This apply writes the role's trust policy: it creates the role, or changes the document.
_trust_written(address) if "create" in _change_actions[address]

_trust_written(address) if {
	some rc in _current_changes
	rc.address == address
	"update" in rc.change.actions
	object.get(rc.change.before, "assume_role_policy", null) != object.get(rc.change.after, "assume_role_policy", null)
}

# Its configuration waits for an aws_iam_role of the plan that creates a role of that name (of
# the appliance's account, when one surely is).
_waits_for_new_role(address, principal) if {
	who := trust.appliance(principal)
	name := lower(_appliance_role_name(who))
	some rc in _new_roles(name)
	rc.type == "aws_iam_role"
	_recreated_as(who, name, rc) == _recreation(who, name)
	_waits_for(address, _strip_keys(rc.address))
}

# depends_on names the resource, or a module holding it (which waits for all of the module).
_waits_for(address, target) if {
	some dependency in object.get(_config_resource(address), "depends_on", [])
	startswith(concat("", [target, "."]), _strip_keys(concat("", [_prefix(_module_of(address)), dependency, "."])))
}

_waits_for(address, target) if {
	walk(_expressions(address), [_, value])
	is_object(value)
	some ref in object.get(value, "references", [])
	startswith(_strip_keys(concat("", [_prefix(_module_of(address)), ref, "."])), concat("", [target, "."]))
}

_module_of(address) := _instances[address].module

_config_resource(address) := r if {
	walk(input.configuration.root_module, [path, mod])
	is_object(mod)
	is_array(mod.resources)
	some r in mod.resources
	_is_resource(r)
	concat("", [_module_prefix(path), r.address]) == _strip_keys(address)
}
