package vbaws.terraform

import data.vbaws.lib.iac

# Mapping of a `terraform show -json` plan into role models (see vbaws.lib.iac).
#
# Resource instances come from planned_values (every managed resource that exists after the
# plan, child modules included) and, for data sources read while planning, from prior_state.
# Values known only after apply are absent from planned_values and marked in
# resource_changes[].change.after_unknown; such a value is resolved, where possible, through the
# references of the resource's expression in the plan's configuration section (policy_arn =
# aws_iam_policy.extra.arn names aws_iam_policy.extra, whose policy document is known).

_module_instances contains mod if {
	walk(input.planned_values.root_module, [_, mod])
	is_object(mod)
	is_array(mod.resources)
}

_planned contains [object.get(mod, "address", ""), r] if {
	some mod in _module_instances
	some r in mod.resources
	_is_resource(r)
	not r.address in _forgotten
}

# A resource a `removed` block takes out of the state without destroying it ("forget") is still
# listed in planned_values, without its values: the plan no longer manages it, and what it
# attached stays on the role, where the role's own planned values show it.
_forgotten contains rc.address if {
	some rc in input.resource_changes
	not rc.deposed
	rc.change.actions == ["forget"]
}

_prior contains [object.get(mod, "address", ""), r] if {
	walk(input.prior_state.values.root_module, [_, mod])
	is_object(mod)
	is_array(mod.resources)
	some r in mod.resources
	_is_resource(r)
	r.mode == "data"
}

_is_resource(r) if {
	is_object(r)
	is_string(r.address)
	is_string(r.type)
	is_string(r.mode)
}

_planned_addresses := {r.address | some [_, r] in _planned}

# address -> {"module": module instance address ("" for the root), "resource": the instance}
_instances[r.address] := {"module": module, "resource": r} if some [module, r] in _planned

_instances[r.address] := {"module": module, "resource": r} if {
	some [module, r] in _prior
	not r.address in _planned_addresses
}

# A deposed object (create_before_destroy) shares its address with the current one and is only
# being destroyed: it neither gives a role permissions nor says what is unknown.
_after_unknown[rc.address] := rc.change.after_unknown if {
	some rc in _current_changes
	is_object(rc.change.after_unknown)
}

# The change of each instance. Terraform writes one per address (a deposed object aside); a plan
# with two cannot say which holds, and is refused (terraform.rego) rather than read either way.
_current_changes contains rc if {
	some rc in input.resource_changes
	not rc.deposed
	not rc.address in _repeated_changes
}

_repeated_changes contains address if {
	some rc in input.resource_changes
	not rc.deposed
	address := rc.address
	count([other | some other in input.resource_changes; not other.deposed; other.address == address]) > 1
}

_unknown_marks(address) := object.get(_after_unknown, address, {})

# Configuration: "module.a.module.b.<type>.<name>" (no instance keys) -> expressions.
_config_expressions[key] := object.get(r, "expressions", {}) if {
	walk(input.configuration.root_module, [path, mod])
	is_object(mod)
	is_array(mod.resources)
	some r in mod.resources
	_is_resource(r)
	key := concat("", [_module_prefix(path), r.address])
}

# "module.a.module.b." for the path of a module of the configuration ("" for the root).
_module_prefix(path) := concat("", [sprintf("module.%s.", [path[i + 1]]) |
	some i, step in path
	step == "module_calls"
])

_strip_keys(address) := regex.replace(address, `\[(?:"(?:[^"\\]|\\.)*"|[^\]"]*)\]`, "")

_prefix("") := ""

_prefix(module) := concat("", [module, "."]) if module != ""

_expressions(address) := object.get(_config_expressions, _strip_keys(address), {})

# The instance addresses a list of configuration references names, resolved in the module of
# the referring instance: "aws_iam_policy.extra.arn" names aws_iam_policy.extra (or every
# instance of it when it has count or for_each).
_targets(address, refs) := {target |
	prefix := _prefix(_instances[address].module)
	some ref in refs
	is_string(ref)
	some target in _instances_at(concat("", [prefix, ref]))
}

# The instance with this address, else the instances of it (address[key]). An address names
# its module, so the match stays within the referring module.
_instances_at(wanted) := {wanted} if {
	_instances[wanted]
} else := _keyed_instances_of(wanted)

_keyed_instances_of(base) := {address | some [b, address] in _keyed_instances; b == base} if {
	_keyed_bases[base]
} else := set()

# [address without its instance key, address] of the instances of count/for_each resources.
_keyed_instances := {[regex.replace(address, `\[(?:"(?:[^"\\]|\\.)*"|[^\]"]*)\]$`, ""), address] |
	some address, _ in _instances
	endswith(address, "]")
}

_keyed_bases := {base | some [base, _] in _keyed_instances}

_refs(expression) := refs if {
	refs := expression.references
	is_array(refs)
} else := []

_values(address) := object.get(_instances[address].resource, "values", {})

# One attribute of an instance, null when absent (unknown values are absent from the plan's values).
_value(address, attr) := object.get(_values(address), attr, null)

_known_string(v) if {
	is_string(v)
	v != ""
}

# A policy document: JSON text as Terraform writes it, or an object.
_known_document(v) if _known_string(v)

_known_document(v) if is_object(v)

# ---------------------------------------------------------------------------------------------
# Policy documents: {"document": doc} when known, {"unknown": reason} when not.
# ---------------------------------------------------------------------------------------------

# The attribute holding the policy JSON of the resource types that hold one.
_document_attribute("aws_iam_policy_document") := "json"

_document_attribute("aws_iam_policy") := "policy"

_resource(address) := _instances[address].resource

# The document an instance (data.aws_iam_policy_document, aws_iam_policy, data.aws_iam_policy)
# holds; when unknown, "unknown" says why, to follow the name of the attribute that uses it.
_target_document(target) := _holder_document(target, _document_attribute(_resource(target).type))

_holder_document(target, attr) := {"document": doc} if {
	doc := _value(target, attr)
	_known_document(doc)
} else := {"unknown": sprintf("comes from %s, which is read only during apply", [target])} if {
	_resource(target).mode == "data"
} else := {"unknown": sprintf("comes from %s, whose document is known only after apply", [target])}

# The document an attribute holding policy JSON (assume_role_policy, policy) has, resolved
# through the configuration when it is unknown.
_attribute_document(address, attr, _) := {"document": doc} if {
	doc := _value(address, attr)
	_known_document(doc)
}

_attribute_document(address, attr, expression) := {"document": result.document} if {
	not _known_document(_value(address, attr))
	result := _single_target_document(address, expression)
	result.document
}

_attribute_document(address, attr, expression) := {"unknown": concat(" ", [
	concat(".", [address, attr]),
	_unknown_reason(address, expression),
])} if {
	not _known_document(_value(address, attr))
	not _resolved(address, expression)
}

_resolved(address, expression) if _single_target_document(address, expression).document

# The document of the one holder an expression is a plain reference to, by the attribute
# holding its document (policy = data.aws_iam_policy_document.x.json). An expression that also
# refers to anything else (another resource, a local, a variable), or to another attribute of
# the holder (jsonencode({... Resource = aws_iam_policy.x.arn})), may change the document or
# build another: Terraform left it unknown for a reason, so it stays unknown.
_single_target_document(address, expression) := _target_document(targets[0]) if {
	refs := _refs(expression)
	targets := [t | some t in _targets(address, refs); _target_document(t)]
	count(targets) == 1
	some document_ref in refs
	_document_reference(address, document_ref, targets[0])
	every ref in refs {
		_refers_to_document(address, ref, targets[0])
	}
}

_document_references := {
	"aws_iam_policy_document": {"json", "minified_json"},
	"aws_iam_policy": {"policy"},
}

_document_reference(address, ref, target) if {
	some attr in _document_references[_resource(target).type]
	concat("", [_prefix(_instances[address].module), ref]) == concat(".", [target, attr])
}

# The holder itself ("data.x.y" beside "data.x.y.json"), or its document.
_refers_to_document(address, ref, target) if _targets(address, [ref]) == {target}

_refers_to_document(address, ref, target) if _document_reference(address, ref, target)

# Terraform lists both "data.x.y.json" and "data.x.y" among an expression's references.
_refers_to(address, ref, target) if _targets(address, [ref]) == {target}

_refers_to(address, ref, target) if {
	startswith(concat("", [_prefix(_instances[address].module), ref]), concat("", [target, "."]))
}

_unknown_reason(address, expression) := _single_target_document(address, expression).unknown if {
	_single_target_document(address, expression).unknown
} else := "is known only after apply"

# ---------------------------------------------------------------------------------------------
# Managed policies: by ARN, or by reference to an aws_iam_policy whose ARN is not known yet.
# Each yields {"key": dedup key, "policy": {"name", "type", "document"}} or {"key", "unknown"}.
# ---------------------------------------------------------------------------------------------

_policy_instances := {address |
	some address, instance in _instances
	instance.resource.type == "aws_iam_policy"
}

# The document a managed policy ARN stands for, one answer whatever the plan holds, in this
# order: an aws_iam_policy the plan manages with this ARN is the truth for it (what is in force
# after apply), so when the plan rewrites its document (known only after apply) it is unknown,
# whatever an older copy says; then a data.aws_iam_policy read while planning; then
# data.vbaws_managed_policies. Several holders of one kind: the first address wins.
_by_arn(layer, arn) := _managed_holders_policy(layer, arn, holders) if {
	holders := _holders_of(arn, "managed")
	count(holders) > 0
} else := _pending_holder_policy(layer, arn, pending[0]) if {
	pending := _pending_holders(arn)
	count(pending) > 0
} else := _managed_policy(arn, doc) if {
	doc := _known_holder_documents(arn, "data")[0]
} else := _managed_policy(arn, policy.document) if {
	policy := iac.managed_policy(arn)
} else := {"key": arn, "unknown": iac.missing_managed_policy(layer, arn)}

# An aws_iam_policy the plan creates (or replaces: description, path and name force a new
# policy) has no ARN before apply, yet may take this one: what a data.aws_iam_policy or
# data.vbaws_managed_policies holds for it is the document before apply. It stands only when
# each such policy plans the same document; otherwise the document is unknown.
_pending_holders(arn) := sort([address |
	some address in _policy_instances
	_resource(address).mode == "managed"
	not _known_string(_value(address, "arn"))
	_may_take_arn(address, arn)
	not _same_document(_value(address, "policy"), _read_document(arn))
])

_read_document(arn) := _known_holder_documents(arn, "data")[0] if {
	count(_known_holder_documents(arn, "data")) > 0
} else := iac.managed_policy(arn).document

# A customer managed policy ARN ("arn:aws:iam::123456789012:policy/path/name") an instance may
# take: its name (IAM ignores case in it) or name_prefix, and its path, where known.
_may_take_arn(address, arn) if {
	[_, account, rest] := regex.find_all_string_submatch_n(`^arn:[^:]+:iam::([^:]*):policy(/.*)$`, arn, 1)[0]
	account != "aws"
	parts := split(rest, "/")
	name := lower(parts[count(parts) - 1])
	_may_have_name(address, name)
	_may_have_path(address, concat("/", array.slice(parts, 0, count(parts) - 1)))
}

_may_have_name(address, name) if lower(_value(address, "name")) == name

_may_have_name(address, name) if {
	not _known_string(_value(address, "name"))
	startswith(name, _name_prefix(address))
}

# Given neither name nor name_prefix in its configuration, the provider names the policy
# "terraform-<unique id>"; a name_prefix known before apply is the start of the name.
_name_prefix(address) := lower(_value(address, "name_prefix")) if {
	_known_string(_value(address, "name_prefix"))
} else := "terraform-" if {
	_strip_keys(address) in object.keys(_config_expressions)
	not "name" in object.keys(_expressions(address))
	not "name_prefix" in object.keys(_expressions(address))
} else := ""

_may_have_path(address, path) if {
	planned := object.get(_values(address), "path", "/")
	is_string(planned)
	concat("", [path, "/"]) == planned
}

_may_have_path(address, _) if not is_string(object.get(_values(address), "path", "/"))

_pending_holder_policy(layer, arn, address) := {"key": arn, "unknown": {
	"layer": layer,
	"what": sprintf(
		"the policy document of %s may be that of %s, which this plan creates with its ARN known only after apply",
		[arn, address],
	),
}}

_holders_of(arn, mode) := sort([address |
	some address in _policy_instances
	_resource(address).mode == mode
	_value(address, "arn") == arn
])

_known_holder_documents(arn, mode) := [doc |
	some address in _holders_of(arn, mode)
	doc := _value(address, "policy")
	_known_document(doc)
]

_managed_policy(arn, doc) := {"key": arn, "policy": {"name": arn, "type": "managed", "document": doc}}

# Several aws_iam_policy resources of one ARN (a policy imported at a second address while the
# first stays) each make their document the default version, in no set order: unless they plan
# the same document, which one is in force after apply cannot be told.
_managed_holders_policy(layer, arn, holders) := _managed_holder_policy(layer, arn, holders[0]) if {
	count({_parsed_or_text(_value(h, "policy")) | some h in holders}) == 1
} else := {"key": arn, "unknown": {
	"layer": layer,
	"what": sprintf(
		"the policy document of %s, which %s write in no set order, is not known before apply",
		[arn, concat(" and ", holders)],
	),
}}

_managed_holder_policy(layer, arn, address) := _managed_policy(arn, doc) if {
	doc := _value(address, "policy")
	_known_document(doc)
} else := {"key": arn, "unknown": {
	"layer": layer,
	"what": sprintf("the policy document of %s (%s) is known only after apply", [address, arn]),
}}

_by_reference(layer, target) := _by_arn(layer, arn) if {
	arn := _value(target, "arn")
	_known_string(arn)
}

_by_reference(_, target) := {"key": target, "policy": {"name": target, "type": "managed", "document": doc}} if {
	not _known_string(_value(target, "arn"))
	doc := _value(target, "policy")
	_known_document(doc)
}

_by_reference(layer, target) := {"key": target, "unknown": {
	"layer": layer,
	"what": sprintf("the policy document of %s is known only after apply", [target]),
}} if {
	not _known_string(_value(target, "arn"))
	not _known_document(_value(target, "policy"))
}

# The managed policy an ARN-valued attribute names (policy_arn, permissions_boundary). An
# unknown ARN is followed only when its expression is a plain reference to one aws_iam_policy
# (policy_arn = aws_iam_policy.extra.arn); anything else (var.x ? a.arn : b.arn, a module
# output) is unknown.
_arn_attribute(layer, address, attr, _) := _by_arn(layer, arn) if {
	arn := _value(address, attr)
	_known_string(arn)
}

_arn_attribute(layer, address, attr, expression) := _by_reference(layer, target) if {
	not _known_string(_value(address, attr))
	_unknown_marks(address)[attr] == true
	target := _arn_target(address, expression)
}

_arn_attribute(layer, address, attr, expression) := {"key": concat(".", [address, attr]), "unknown": {
	"layer": layer,
	"what": sprintf("%s.%s is known only after apply", [address, attr]),
}} if {
	not _known_string(_value(address, attr))
	_unknown_marks(address)[attr] == true
	not _arn_target(address, expression)
}

# The one aws_iam_policy instance an expression is a plain reference to.
_arn_target(address, expression) := _sole_target(address, expression, _policy_instances)

# Every aws_iam_policy an ARN expression may name.
_policy_candidates(address, expression) := _named_among(address, expression, _policy_instances)

# The aws_iam_policy instance a list of ARNs (managed_policy_arns) surely holds.
_listed_policies(address, expression) := _listed_among(address, expression, _policy_instances)

# The Deny statements of a policy that may end up attached, without its Allow statements.
_deny_part(entry) := {
	"key": concat("", ["denies:", entry.key]),
	"policy": object.union(entry.policy, {"document": _deny_statements(entry.policy.document)}),
}

# The Deny statements of the policies an unknown ARN attribute that is not a plain reference
# may name: a policy that may be attached may deny, and its Allow statements are not counted.
_candidate_denies(address, attr) := {_deny_part(entry) |
	not _known_string(_value(address, attr))
	_unknown_marks(address)[attr] == true
	expression := object.get(_expressions(address), attr, {})
	not _arn_target(address, expression)
	some t in _policy_candidates(address, expression)
	entry := _by_reference("identity", t)
	entry.policy
}
