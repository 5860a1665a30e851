package vbaws.terraform

import data.vbaws.lib.iac
import data.vbaws.lib.values

# The role models of a plan: each aws_iam_role instance with what gives it permissions, read
# through the instance, reference and document helpers of plan.rego.

# ---------------------------------------------------------------------------------------------
# Roles and what attaches to them.
# ---------------------------------------------------------------------------------------------

_roles := {address |
	some address, instance in _instances
	instance.resource.mode == "managed"
	instance.resource.type == "aws_iam_role"
}

_role_name(address) := _value(address, "name") if _known_string(_value(address, "name"))

# [name, role address] for the roles whose name is known before apply.
_role_names := {[name, role] | some role in _roles; name := _role_name(role)}

_instances_of(type) := {address |
	some address, instance in _instances
	instance.resource.mode == "managed"
	instance.resource.type == type
}

# Everything that gives a role identity permissions, as [role address, entry]: an entry is
# {"key": dedup key, "policy": {"name", "type", "document"}} or {"key", "unknown": {"layer", "what"}}.

# inline_policy blocks of the role. The blocks are a set: their order in the plan need not follow
# the configuration, so a block whose policy is unknown is matched to its configuration by name.
_entries contains [role, {"key": concat("", ["inline:", block.name]), "policy": {
	"name": block.name,
	"type": "inline",
	"document": block.policy,
}}] if {
	some role in _roles
	some block in _inline_blocks(role)
	_known_string(block.name)
	_known_document(block.policy)
	not _superseded(role, block)
	not _clashing(role, block.name)
}

# Blocks of one name with different documents: the provider writes one inline policy of that
# name, and which document stays is not for the plan to say. Each counts with its Deny
# statements only, and a warning says so (as for CloudFormation inline policies of one name).
_entries contains [role, entry] if {
	some role in _roles
	some block in _inline_blocks(role)
	_known_string(block.name)
	_known_document(block.policy)
	not _superseded(role, block)
	_clashing(role, block.name)
	some entry in _clashing_entries({"key": concat("", ["inline:", block.name]), "policy": {
		"name": block.name,
		"type": "inline",
		"document": block.policy,
	}})
}

# A block with a policy but no name: the AWS provider needs the name to manage the policy
# and documents the result as unpredictable. Its Deny statements are counted and its Allow
# statements are not (a warning says so), so that it can only ever make the role fail.
_entries contains [role, entry] if {
	some role in _roles
	some block in _inline_blocks(role)
	not _known_string(object.get(block, "name", null))
	_known_document(object.get(block, "policy", null))
	some entry in _unnamed_inline(block.policy)
}

_entries contains [role, entry] if {
	some role in _roles
	some i, block in _inline_blocks(role)
	not _known_document(object.get(block, "policy", null))
	_unknown_marks(role).inline_policy[i].policy == true
	name := object.get(block, "name", "")
	some entry in _clash_checked(role, name, _inline_from_config(role, name))
}

# The whole set of blocks is unknown: every configured block is resolved from the configuration.
_entries contains [role, _inline_from_config(role, object.get(config_block.name, "constant_value", ""))] if {
	some role in _roles
	_unknown_marks(role).inline_policy == true
	some config_block in object.get(_expressions(role), "inline_policy", [])
}

# Blocks written out plan a known set (a policy known only after apply is marked in its block):
# a set unknown as a whole beside them comes from a dynamic "inline_policy" block (its for_each
# known only after apply), which the plan's configuration leaves out. What it adds, Deny
# statements among it, cannot be read.
_entries contains [role, {"key": concat("", [role, ".inline_policy"]), "unknown": {
	"layer": "identity",
	"what": sprintf(
		"%s.inline_policy may hold blocks of a dynamic \"inline_policy\" block, known only after apply",
		[role],
	),
}}] if {
	some role in _roles
	_unknown_marks(role).inline_policy == true
	not is_array(_value(role, "inline_policy"))
	count(object.get(_expressions(role), "inline_policy", [])) > 0
}

# managed_policy_arns: set by the configuration, the list the provider makes exclusive (see
# _managed_list_removals). Not set, on a role the plan keeps, it is what the provider read from
# the role: every managed policy attached now. Nothing detaches one of them but what the plan
# does to it (a deleted attachment, an exclusive list, aws_iam_policy_attachment, all read as
# removals), so it stays attached after apply: one that a managed_policy_arns the configuration
# no longer sets once attached (the provider leaves it there), or another configuration or a
# person attached, counts like any other. (On a role the plan creates, an unset list is known
# only after apply, and holds what the attachments of the plan attach.)
_entries contains [role, _by_arn("identity", arn)] if {
	some role in _roles
	_reads_managed_list(role)
	some arn in object.get(_values(role), "managed_policy_arns", [])
	_known_string(arn)
}

# Known only after apply: the policies the expression surely lists, when every reference names
# policies; otherwise the list is unknown. Policies it may list but not surely do count only
# with their Deny statements.
_entries contains [role, _by_reference("identity", target)] if {
	some role in _roles
	_has_unknown_managed_arns(role)
	some target in _listed_policies(role, _expressions(role).managed_policy_arns)
}

_entries contains [role, _deny_part(entry)] if {
	some role in _roles
	_has_unknown_managed_arns(role)
	expression := _expressions(role).managed_policy_arns
	some target in (_policy_candidates(role, expression) - _surely_listed(role, expression))
	entry := _by_reference("identity", target)
	entry.policy
}

_entries contains [role, {"key": concat("", [role, ".managed_policy_arns"]), "unknown": {
	"layer": "identity",
	"what": sprintf("%s.managed_policy_arns is known only after apply", [role]),
}}] if {
	some role in _roles
	_has_unknown_managed_arns(role)
	not _listed_policies(role, _expressions(role).managed_policy_arns)
}

_surely_listed(role, expression) := listed if {
	listed := _listed_policies(role, expression)
} else := set()

_unnamed_inline(policy) := [
	{"key": concat("", ["inline-unnamed:", json.marshal(policy)]), "policy": {
		"name": "inline_policy without a name (its Deny statements)",
		"type": "inline",
		"document": _deny_statements(policy),
	}},
	{"key": concat("", ["inline-unnamed-allows:", json.marshal(policy)]), "unknown": {
		"layer": "identity",
		"what": concat("", [
			"the Allow statements of an inline_policy block without a name ",
			"(the AWS provider needs the name to manage the policy)",
		]),
	}},
]

_deny_statements(policy) := object.union(parsed.document, {"Statement": [s |
	some s in values.as_list(object.get(parsed.document, "Statement", []))
	is_object(s)
	s.Effect == "Deny"
]}) if {
	parsed := values.parse_document(policy)
	parsed.document
} else := policy

_clashing(role, name) if count({_parsed_or_text(b.policy) | some b in _inline_blocks(role); b.name == name}) > 1

# A policy known only after apply may differ from the other block's of its name.
_clashing(role, name) if {
	count([b | some b in _inline_blocks(role); b.name == name]) > 1
	some b in _inline_blocks(role)
	b.name == name
	not _known_document(object.get(b, "policy", null))
}

_clashing_entries(entry) := [
	_deny_part(object.union(entry, {"key": concat("", [entry.key, ":", json.marshal(entry.policy.document)])})),
	{"key": concat("", ["inline-clash:", entry.policy.name]), "unknown": {
		"layer": "identity",
		"what": sprintf(
			concat("", [
				"the Allow statements of the inline_policy blocks named %q, which may hold different ",
				"documents (the AWS provider keeps one of them)",
			]),
			[entry.policy.name],
		),
	}},
]

# A block whose policy is known only after apply, resolved from its configuration, clashes
# like the others.
_clash_checked(role, name, entry) := _clashing_entries(entry) if {
	entry.policy
	_clashing(role, name)
} else := [entry]

_parsed_or_text(policy) := object.get(values.parse_document(policy), "document", policy)

# The configuration sets inline_policy: as blocks, or as dynamic blocks, which the plan's
# configuration leaves out (hashicorp/terraform#28346) but which are the only source of the
# blocks of a role this plan creates (it has no state to fill them in from).
_sets_inline_policy(role) if "inline_policy" in object.keys(_expressions(role))

_sets_inline_policy(role) if {
	_created(role)
	count(_inline_blocks(role)) > 0
}

# On a role the plan keeps, a configuration that does not set inline_policy plans the blocks of
# its state unchanged: blocks that the plan changes (a policy of the state dropped, one added,
# one known only after apply) are dynamic blocks of the configuration, which remove the inline
# policies they do not hold.
_sets_inline_policy(role) if {
	not _created(role)
	some rc in _current_changes
	rc.address == role
	is_object(rc.change.before)
	is_object(rc.change.after)
	_planned_blocks(rc.change.before) != _planned_blocks(rc.change.after)
}

_planned_blocks(values) := {[object.get(b, "name", null), object.get(b, "policy", null)] |
	some b in object.get(values, "inline_policy", [])
}

_inline_blocks(role) := [block | some block in _value(role, "inline_policy")] if is_array(_value(role, "inline_policy"))

_inline_blocks(role) := [] if not is_array(_value(role, "inline_policy"))

# When the configuration does not set inline_policy, the provider fills the blocks in from the
# role's inline policies as they are now (refreshed state), not as this plan leaves them: a
# policy that an aws_iam_role_policy of the plan rewrites still shows its old document there.
# The aws_iam_role_policy is the truth for its name, when it surely names the role. One that
# only may name it (another provider configuration, which may be another account), or that the
# plan deletes (its old state does not tell its account), leaves the block in place with its
# Deny statements only (_maybe_rewritten_removals, _deleted_attacher_removals).
_superseded(role, block) if {
	not _sets_inline_policy(role)
	block.name in _role_policy_names(role)
}

_role_policy_names(role) := {_value(address, "name") |
	some address in _instances_of("aws_iam_role_policy")
	role in _named_roles(address, "role")
	_known_string(_value(address, "name"))
} | _deleted_policy_names(role)

# With one AWS provider configuration, an aws_iam_role_policy the plan deletes (or replaces)
# was of this account: Terraform destroys a resource only through its provider configuration.
# Its old name, on this role, is then surely gone, and the block from state with it. With
# several, it may be another account's (_deleted_attacher_removals).
_deleted_policy_names(role) := {rc.change.before.name |
	count(aws_configurations) <= 1
	some rc in input.resource_changes
	rc.type == "aws_iam_role_policy"
	"delete" in rc.change.actions
	lower(rc.change.before.role) == lower(_role_name(role))
	_known_string(rc.change.before.name)
}

# The configuration block of a planned block is found by its name. A block whose name is an
# expression (var.name) may evaluate to any name: unless it is the only block that may have
# this name, which block the policy comes from cannot be told.
_inline_from_config(role, name) := _inline_entry(name, _inline_document(role, blocks[0].policy)) if {
	name != ""
	blocks := [b |
		some b in _expressions(role).inline_policy
		_may_be_named(b, name)
	]
	count(blocks) == 1
} else := {"key": concat("", ["inline:", name]), "unknown": {
	"layer": "identity",
	"what": sprintf("the policy of inline_policy %q is known only after apply", [name]),
}}

_may_be_named(block, name) if block.name.constant_value == name

_inline_document(role, expression) := {"document": expression.constant_value} if {
	_known_document(expression.constant_value)
} else := {"document": _single_target_document(role, expression).document} if {
	_single_target_document(role, expression).document
} else := {"unknown": _unknown_reason(role, expression)}

_inline_entry(name, result) := {"key": concat("", ["inline:", name]), "policy": {
	"name": name,
	"type": "inline",
	"document": result.document,
}} if {
	result.document
}

_inline_entry(name, result) := {"key": concat("", ["inline:", name]), "unknown": {
	"layer": "identity",
	"what": sprintf("the policy of inline_policy %q %s", [name, result.unknown]),
}} if {
	result.unknown
}

_reads_managed_list(role) if "managed_policy_arns" in object.keys(_expressions(role))

_reads_managed_list(role) if not _created(role)

_has_unknown_managed_arns(role) if {
	"managed_policy_arns" in object.keys(_expressions(role))
	not _configured_empty(role)
	_unknown_marks(role).managed_policy_arns == true
}

_has_unknown_managed_arns(role) if {
	"managed_policy_arns" in object.keys(_expressions(role))
	not _configured_empty(role)
	some mark in _unknown_marks(role).managed_policy_arns
	mark == true
}

# managed_policy_arns = [] (written out) attaches nothing and detaches every managed policy, yet
# the provider (5.x) plans it on a new role as known only after apply: it then holds what the
# attachments of the plan attach, each read as the list leaves it out. The role's own list
# gives it nothing.
_configured_empty(role) if _expressions(role).managed_policy_arns.constant_value == []

# So does a variable of the root module that holds [] (managed_policy_arns = var.arns), the only
# reference of the expression: a root variable is known while planning.
_configured_empty(role) if {
	_instances[role].module == ""
	[ref] := [r | some r in _refs(_expressions(role).managed_policy_arns)]
	startswith(ref, "var.")
	input.variables[_variable(ref)].value == []
}

_entries_by_role := {role: {e | some [r, e] in _entries; r == role} | some role in _roles}

_identity_entries(role) := union({_settled(role, e) | some e in _entries_by_role[role]})

# One policy per dedup key (the same managed policy may be attached twice).
_identity_policies(role) := [[e.policy | some e in _identity_entries(role); e.key == key; e.policy][0] |
	some key in sort({e.key | some e in _identity_entries(role); e.policy})
]

# The boundary: by ARN when known, through the configuration reference when not.
_boundary(role) := _arn_attribute("boundary", role, "permissions_boundary", expression) if {
	_known_string(_value(role, "permissions_boundary"))
	expression := object.get(_expressions(role), "permissions_boundary", {})
}

_boundary(role) := _arn_attribute("boundary", role, "permissions_boundary", expression) if {
	not _known_string(_value(role, "permissions_boundary"))
	_unknown_marks(role).permissions_boundary == true
	expression := object.get(_expressions(role), "permissions_boundary", {})
}

_boundary_field(role) := {"permissions_boundary": {"arn": b.policy.name, "document": b.policy.document}} if {
	b := _boundary(role)
	b.policy
}

_boundary_field(role) := {"permissions_boundary": {"arn": b.key, "document": iac.empty_document}} if {
	b := _boundary(role)
	b.unknown
}

_boundary_field(role) := {} if not _boundary(role)

_trust(role) := _attribute_document(
	role,
	"assume_role_policy",
	object.get(_expressions(role), "assume_role_policy", {}),
)

_trust_document(role) := doc if {
	doc := _trust(role).document
} else := iac.empty_document

_tags(role) := _value(role, "tags_all") if {
	is_object(_value(role, "tags_all"))
	count(_value(role, "tags_all")) > 0
}

_tags(role) := _value(role, "tags") if {
	not _non_empty_object(_value(role, "tags_all"))
	is_object(_value(role, "tags"))
}

_tags(role) := {} if {
	not _non_empty_object(_value(role, "tags_all"))
	not is_object(_value(role, "tags"))
}

# All tags are known only when tags_all is there and no tag value is known only after apply
# (Terraform leaves such a key out of the values and marks it in after_unknown).
default _tags_known(_) := false

_tags_known(role) if {
	is_object(_value(role, "tags_all"))
	not _tags_unknown(role)
	not _ignores_tags(role)
}

# A provider configuration with ignore_tags leaves the role's tags of those keys out of tags_all
# (and never removes them): the role may carry them all the same. (A module's block of its own
# inherits none of the root's arguments; both are looked at.)
_ignores_tags(role) if {
	some key in {_provider_key(role), _provider_name(role)}
	"ignore_tags" in _provider_arguments(key)
}

# Whether ignore_tags in the role's provider configuration may cover the vbaws:checks key: its
# keys or key_prefixes name it, or are not written out (a variable).
_may_ignore_checks_tag(role) if {
	some key in {_provider_key(role), _provider_name(role)}
	"ignore_tags" in _provider_arguments(key)
	blocks := input.configuration.provider_config[key].expressions.ignore_tags
	not is_array(blocks)
}

_may_ignore_checks_tag(role) if {
	some key in {_provider_key(role), _provider_name(role)}
	"ignore_tags" in _provider_arguments(key)
	some block in input.configuration.provider_config[key].expressions.ignore_tags
	_ignores_checks_key(block)
}

_ignores_checks_key(block) if {
	some attr in ["keys", "key_prefixes"]
	attr in object.keys(block)
	not is_array(object.get(block[attr], "constant_value", null))
}

_ignores_checks_key(block) if iac.checks_tag in block.keys.constant_value

_ignores_checks_key(block) if {
	some prefix in block.key_prefixes.constant_value
	startswith(iac.checks_tag, prefix)
}

_non_empty_object(x) if {
	is_object(x)
	count(x) > 0
}

_unknowns(role) := array.flatten([
	[e.unknown | some e in _identity_entries(role); e.unknown],
	[b.unknown | b := _boundary(role); b.unknown],
	[{"layer": "trust", "what": _trust(role).unknown} | _trust(role).unknown],
])

# module.legacy["eu"].aws_iam_role.this is also selected as module.legacy.aws_iam_role.this,
# and aws_iam_role.r[0] as aws_iam_role.r: an entry of data.vbaws_config.roles may name every
# instance of a resource.
_aliases(role) := {"aliases": [_strip_keys(role)]} if _strip_keys(role) != role

_aliases(role) := {} if _strip_keys(role) == role

_arn(role) := _value(role, "arn") if _known_string(_value(role, "arn"))

_arn(role) := role if not _known_string(_value(role, "arn"))

_name(role) := _role_name(role)

_name(role) := role if not _role_name(role)

# METADATA
# description: |
#   The role models of the plan (see vbaws.lib.iac), keyed by resource address: one for each
#   aws_iam_role instance that exists after the plan, with everything that gives it permissions.
roles[role] := object.union_n([
	{
		"id": role,
		"name": _name(role),
		"arn": _arn(role),
		"trust_policy": _trust_document(role),
		"policies": _identity_policies(role),
		"tags": _tags(role),
		"tags_known": _tags_known(role),
		"unknowns": sort(_unknowns(role)),
	},
	_boundary_field(role),
	_aliases(role),
]) if {
	some role in _roles
}
