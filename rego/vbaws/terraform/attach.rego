package vbaws.terraform

# What attaches policies to roles by naming them: aws_iam_role_policy,
# aws_iam_role_policy_attachment and aws_iam_policy_attachment. A plain reference to one role
# instance names that role under the role's own provider configuration (under another, which
# may be another account, it only may); a role name known before apply names the roles of that name in the
# same module and provider configuration, else the plan's only role of that name under the same
# provider. Any other role name (a reference to a role with count or for_each, a conditional, a
# namesake in another module or account) may name several roles: for each of them, the Deny
# statements of what it attaches count and its Allow statements do not (a warning says so).

# The roles a role-name attribute of this instance surely names: the role its expression is a
# plain reference to; else, for a name known before apply, the roles of that name in the same
# module instance and provider configuration (another module or provider alias may work in
# another account, where a role of the same name is another role).
_named_roles(address, attr) := {role} if role := _referenced_role(address, attr)

_named_roles(address, attr) := _surely_by_name(address, value) if {
	value := _value(address, attr)
	_known_string(value)
	not _referenced_role(address, attr)
}

# The role the expression is a plain reference to, when the referring instance uses the role's
# provider configuration. Known before apply, the value is that role's name
# ("${aws_iam_role.a.name}-worker" has the references of aws_iam_role.a.name). A reference gives
# the name, not the account: under another provider configuration (an alias, which may be
# another account) the instance may act on a namesake there, so it only may name the role.
_referenced_role(address, attr) := role if {
	role := _plain_reference(address, attr)
	not _known_string(_value(address, attr))
}

_referenced_role(address, attr) := role if {
	role := _plain_reference(address, attr)
	_value(address, attr) == _role_name(role)
}

_plain_reference(address, attr) := role if {
	role := _sole_target(address, object.get(_expressions(address), attr, {}), _roles)
	_same_configuration(address, role)
}

# The roles it may name, when it is known only after apply and names none surely.
_maybe_roles(address, attr) := _role_candidates(address, attr) if {
	not _known_string(_value(address, attr))
	_unknown_marks(address)[attr] == true
	not _referenced_role(address, attr)
}

# A name known before apply that is no plain reference may name a role of that name in another
# module or provider configuration.
_maybe_roles(address, attr) := _maybe_by_name(address, value) | _may_take_name(value) if {
	value := _value(address, attr)
	_known_string(value)
	not _referenced_role(address, attr)
}

_surely_by_name(address, name) := same if {
	same := {role |
		some [n, role] in _role_names
		n == name
		_same_configuration(address, role)
	}
	count(same) > 0
} else := {role} if {
	# The plan's only role of that name, even in another module: a module output handing its
	# role's name to a policy elsewhere is the common case, and no namesake could be meant.
	named := {r | some [n, r] in _role_names; lower(n) == lower(name)}
	count(named) == 1
	some role in named
	_role_name(role) == name
	_provider_name(address) == _provider_name(role)
} else := set()

# The provider a configuration key stands for. A module's key ("module.r:aws") is the default
# provider it inherits ("aws") unless the configuration lists a provider block of that key
# with arguments that may choose other credentials, which may assume a role in another
# account ("aws.b", an alias, may be another account too). Terraform lists a module's key
# without arguments when only the module declares the provider (required_providers), and a
# block that sets only the region or tags still uses the inherited credentials.
_provider_name(address) := regex.replace(key, `^.*:`, "") if {
	key := _provider_key(address)
	not _own_provider_block(key)
} else := _provider_key(address)

_own_provider_block(key) if _chooses_credentials(key)

# A module's block of its own inherits none of the root's arguments: with only a region it
# uses the default credentials, which are the root's only when the root chooses none either.
_own_provider_block(key) if {
	count(_provider_arguments(key)) > 0
	_chooses_credentials(regex.replace(key, `^.*:`, ""))
}

_chooses_credentials(key) if {
	some argument in _provider_arguments(key)
	not argument in {"region", "default_tags", "ignore_tags"}
}

_provider_arguments(key) := object.keys(expressions) if {
	configs := input.configuration.provider_config
	is_object(configs)
	expressions := configs[key].expressions
	is_object(expressions)
}

# How many AWS provider configurations (accounts, perhaps) the plan has: the default one, each
# alias, and each module's own block that may choose other credentials, under whatever local
# name the configuration gives hashicorp/aws.
aws_configurations := {_provider_name_of(key) |
	some key, config in object.get(input.configuration, "provider_config", {})
	_aws_provider(config)
}

_aws_provider(config) if config.name == "aws"

_aws_provider(config) if endswith(config.full_name, "hashicorp/aws")

_provider_name_of(key) := regex.replace(key, `^.*:`, "") if not _own_provider_block(key)

else := key

# IAM role names are unique ignoring case: a name that differs from a role's only in case may
# name it.
_maybe_by_name(address, name) := {role |
	some [n, role] in _role_names
	lower(n) == lower(name)
	not role in _surely_by_name(address, name)
}

# A role the plan creates (or replaces) under a name from an expression known only after apply
# (name = terraform_data.name.output) may take a name written out elsewhere
# (role = "VeeamEc2Backup"), unless a role of the plan has that name or an attacher's state
# names a role of it that this apply does not delete (IAM role names are unique in an account,
# ignoring case), either under the role's own provider: under another provider configuration,
# which may be another account, the name says nothing of the role's account. A name the
# provider makes up (name_prefix, or no name) is not written out anywhere.
_may_take_name(name) := {role |
	some role in _roles
	not _role_name(role)
	not _provider_named(role)
	not _name_taken(name, role)
}

_name_taken(name, role) if {
	some [n, holder] in _role_names
	lower(n) == lower(name)
	_provider_name(holder) == _provider_name(role)
}

# (An attacher the configuration no longer holds has no provider configuration to tell.)
_name_taken(name, role) if {
	not lower(name) in _freed_role_names
	some rc in input.resource_changes
	rc.type in {"aws_iam_role_policy", "aws_iam_role_policy_attachment", "aws_iam_policy_attachment"}
	is_object(rc.change.before)
	lower(name) in _old_role_names(rc.change.before)
	_strip_keys(rc.address) in object.keys(_config_providers)
	_provider_name(rc.address) == _provider_name(role)
}

_same_configuration(address, role) if {
	_instances[address].module == _instances[role].module
	_provider_key(address) == _provider_key(role)
}

_provider_key(address) := object.get(_config_providers, _strip_keys(address), "")

# Configuration: "module.a.<type>.<name>" -> its provider_config_key ("module.a:aws", "aws.b").
_config_providers[key] := object.get(r, "provider_config_key", "") if {
	walk(input.configuration.root_module, [path, mod])
	is_object(mod)
	is_array(mod.resources)
	some r in mod.resources
	_is_resource(r)
	prefix := concat("", [sprintf("module.%s.", [path[i + 1]]) | some i, step in path; step == "module_calls"])
	key := concat("", [prefix, r.address])
}

_roles_maybe_named(address, attr) := roles if {
	roles := _maybe_roles(address, attr)
} else := set()

# Why a role may be named: the clause of the warning.
_maybe_why(address, attr, role) := sprintf(
	"its %s refers to this role, but from another provider configuration, which may be another account",
	[attr],
) if {
	not _same_configuration(address, role)
	some target in _named_among(address, object.get(_expressions(address), attr, {}), _roles)
	target == role
} else := sprintf("its %s, %q, names this role only ignoring case", [attr, name]) if {
	some name in _known_names(address, attr)
	role in _maybe_by_name(address, name)
	name != _role_name(role)
} else := sprintf(
	"its %s names a role of this name, maybe this one, from another module or provider configuration",
	[attr],
) if {
	some name in _known_names(address, attr)
	role in _maybe_by_name(address, name)
} else := sprintf("its %s, %q, may be the name this role takes at apply", [attr, name]) if {
	some name in _known_names(address, attr)
	role in _may_take_name(name)
} else := sprintf("its %s is known only after apply and may name this role", [attr])

# The role names of an attribute known before apply: the name, or the known names of a list.
_known_names(address, attr) := {value} if {
	value := _value(address, attr)
	_known_string(value)
} else := {name | some name in _value(address, attr); _known_string(name)} if {
	is_array(_value(address, attr))
} else := set()

# The same for an attribute holding a list of role names (aws_iam_policy_attachment.roles):
# the names known before apply, and what its elements known only after apply surely name.
_named_roles_in_list(address, attr) := {role |
	some name in names
	some role in _surely_by_name(address, name)
} | _listed_unknown_roles(address, attr) if {
	names := _value(address, attr)
	is_array(names)
}

_named_roles_in_list(address, attr) := roles if {
	not is_array(_value(address, attr))
	roles := _listed_role(address, attr)
}

_listed_unknown_roles(address, attr) := roles if {
	_marked(address, attr)
	roles := _listed_role(address, attr)
} else := set()

# The one role a list expression surely holds, read as a plain reference is: only under the
# role's provider configuration.
_listed_role(address, attr) := roles if {
	roles := _listed_among(address, object.get(_expressions(address), attr, {}), _roles)
	every role in roles {
		_same_configuration(address, role)
	}
}

_maybe_roles_in_list(address, attr) := _role_candidates(address, attr) if {
	not is_array(_value(address, attr))
	_unknown_marks(address)[attr] == true
	not _listed_role(address, attr)
}

# A list with elements known only after apply ([aws_iam_role.a.name, var.extra]) may name any
# role they may name, but the ones it surely names.
_maybe_roles_in_list(address, attr) := roles - _named_roles_in_list(address, attr) if {
	is_array(_value(address, attr))
	_marked(address, attr)
	roles := _role_candidates(address, attr) | _listed_by_name(address, attr)
}

_maybe_roles_in_list(address, attr) := _listed_by_name(address, attr) - _named_roles_in_list(address, attr) if {
	is_array(_value(address, attr))
	not _marked(address, attr)
}

_listed_by_name(address, attr) := {role |
	some name in _value(address, attr)
	_known_string(name)
	some role in (_maybe_by_name(address, name) | _may_take_name(name))
}

# The role instances an unresolved expression refers to, when it refers to nothing but roles
# (and count.index or each.*, which only pick among them); else every role of the plan, since a
# variable or a module output may hold any role's name.
_role_candidates(address, attr) := named if {
	expression := object.get(_expressions(address), attr, {})
	named := _named_among(address, expression, _roles)
	count(named) > 0
	every ref in _refs(expression) {
		_picks_among_roles(address, ref)
	}
} else := _roles

_picks_among_roles(_, ref) if startswith(ref, "count.")

_picks_among_roles(_, ref) if startswith(ref, "each.")

_picks_among_roles(address, ref) if {
	some t in _roles
	_refers_to(address, ref, t)
}

_picks_among_roles(address, ref) if {
	some t in _targets(address, [ref])
	t in _roles
}

# What one attaching instance gives the role it names.
_source_entries(address) := {_role_policy_entry(address, _policy_name(address), result)} if {
	_resource(address).type == "aws_iam_role_policy"
	result := _attribute_document(address, "policy", object.get(_expressions(address), "policy", {}))
}

_source_entries(address) := {_attached_policy(address)} | _candidate_denies(address, "policy_arn") if {
	_resource(address).type in {"aws_iam_role_policy_attachment", "aws_iam_policy_attachment"}
}

# What it gives a role it may name: the Deny statements, and a warning.
_maybe_entries(address, attr, role) := union({
	{{"key": concat("", ["maybe:", address]), "unknown": {
		"layer": "identity",
		"what": sprintf("the Allow statements of what %s attaches (%s)", [address, _maybe_why(address, attr, role)]),
	}}},
	{_deny_part(e) | some e in _source_entries(address); e.policy},
	{{"key": concat("", ["maybe:", address, ":", e.key]), "unknown": e.unknown} |
		some e in _source_entries(address)
		e.unknown
	},
})

_attachers := {
	"aws_iam_role_policy": "role",
	"aws_iam_role_policy_attachment": "role",
}

_entries contains [role, entry] if {
	some type, attr in _attachers
	some address in _instances_of(type)
	some role in _named_roles(address, attr)
	some entry in _attached_entries(role, address)
}

_entries contains [role, entry] if {
	some type, attr in _attachers
	some address in _instances_of(type)
	some role in _maybe_roles(address, attr)
	some entry in _maybe_entries(address, attr, role)
}

_entries contains [role, entry] if {
	some address in _instances_of("aws_iam_policy_attachment")
	some role in _named_roles_in_list(address, "roles")
	some entry in _attached_entries(role, address)
}

_entries contains [role, entry] if {
	some address in _instances_of("aws_iam_policy_attachment")
	some role in _maybe_roles_in_list(address, "roles")
	some entry in _maybe_entries(address, "roles", role)
}

_policy_name(address) := _value(address, "name") if _known_string(_value(address, "name"))

_policy_name(address) := address if not _known_string(_value(address, "name"))

_role_policy_entry(address, name, result) := {"key": address, "policy": {
	"name": name,
	"type": "inline",
	"document": result.document,
}} if {
	result.document
}

_role_policy_entry(address, _, result) := {"key": address, "unknown": {
	"layer": "identity",
	"what": result.unknown,
}} if {
	result.unknown
}

_attached_policy(address) := _arn_attribute(
	"identity",
	address,
	"policy_arn",
	object.get(_expressions(address), "policy_arn", {}),
)
