package vbaws.cloudformation

import data.vbaws.lib.iac

# Mapping of a CloudFormation template (JSON, or YAML as conftest parses it) into role models
# (see vbaws.lib.iac).
#
# Intrinsic functions arrive in two shapes. In JSON and in long-form YAML they are objects
# ({"Ref": "X"}, {"Fn::Sub": "..."}, {"Fn::GetAtt": ["X", "Arn"]}). conftest's YAML parser drops
# the short-form tags and keeps their argument, so `!Ref X` arrives as the string "X",
# `!GetAtt X.Arn` as "X.Arn" and `!Sub "arn:${AWS::Partition}:..."` as the template string. A
# string that names a logical id of the template is therefore read as a reference to it.

_resources := input.Resources if is_object(input.Resources)

_of_type(type) := {id | some id, r in _resources; r.Type == type}

# The argument of the intrinsic function named key when v is a call of it. An object with
# other keys besides is no call CloudFormation takes; read key by key, it would be several.
_argument(v, key) := v[key] if {
	is_object(v)
	count(v) == 1
}

# The logical id a value refers to, undefined when it refers to none.
_ref_id(v) := _argument(v, "Ref") if is_string(_argument(v, "Ref"))

_ref_id(v) := _argument(v, "Fn::GetAtt")[0] if is_array(_argument(v, "Fn::GetAtt"))

_ref_id(v) := split(_argument(v, "Fn::GetAtt"), ".")[0] if is_string(_argument(v, "Fn::GetAtt"))

_ref_id(v) := v if {
	is_string(v)
	_resources[v]
}

# `!GetAtt Lookup.Data.RoleName` arrives as "Lookup.Data.RoleName": the resource's name ends at
# the first dot (a logical id holds none), and an attribute may hold dots (a nested stack's
# Outputs.Name, a custom resource's).
_ref_id(v) := id if {
	is_string(v)
	not _resources[v]
	parts := split(v, ".")
	count(parts) > 1
	id := parts[0]
	_resources[id]
}

# A string value: literal, or the template of Fn::Sub. Undefined for anything else.
_text(v) := _pseudo(v) if is_string(v)

_text(v) := _pseudo(_argument(v, "Fn::Sub")) if is_string(_argument(v, "Fn::Sub"))

_text(v) := _pseudo(_argument(v, "Fn::Sub")[0]) if is_array(_argument(v, "Fn::Sub"))

# The pseudo parameters that do not depend on the account are filled in (the ARNs of AWS
# managed policies are written with ${AWS::Partition}); the others stay "${...}".
_pseudo(s) := replace(replace(s, "${AWS::Partition}", _partition), "${AWS::URLSuffix}", "amazonaws.com")

_arn_text(v) := _text(v)

# ---------------------------------------------------------------------------------------------
# Policy documents: intrinsic functions inside statements are turned into strings. A value only
# known at deploy time becomes "${...}": never "*", so it never counts as covering every resource.
# An Effect or an Action that cannot be read makes the whole document unknown.
# ---------------------------------------------------------------------------------------------

_scalar(v) := _leaf(v)

_scalar(v) := concat(_argument(v, "Fn::Join")[0], parts) if {
	_long_join_list(_argument(v, "Fn::Join")[1])
	parts := [p | some x in _argument(v, "Fn::Join")[1]; p := _join_piece(x)]
	count(parts) == count(_argument(v, "Fn::Join")[1])
}

_leaf(v) := _pseudo(v) if is_string(v)

_leaf(v) := _text(v) if is_object(v)

_leaf(v) := sprintf("${%s}", [_argument(v, "Ref")]) if is_string(_argument(v, "Ref"))

_leaf(v) := sprintf("${%s}", [concat(".", _argument(v, "Fn::GetAtt"))]) if is_array(_argument(v, "Fn::GetAtt"))

_leaf(v) := sprintf("${%s}", [_argument(v, "Fn::GetAtt")]) if is_string(_argument(v, "Fn::GetAtt"))

# A value whose shape is not known before deploy (Fn::If, Fn::ImportValue, Fn::Select ...).
_opaque(v) if {
	_intrinsic(v)
	not _scalar(v)
}

_intrinsic(v) if {
	is_object(v)
	count(v) == 1
	some key, _ in v
	_intrinsic_key(key)
}

_intrinsic_key("Ref")

_intrinsic_key(key) if startswith(key, "Fn::")

_values(v) := [_value(x) | some x in v] if is_array(v)

_values(v) := _value(v) if not is_array(v)

# Anything that is not a readable intrinsic function is kept as it is (the engine reports it
# when IAM would reject it).
_value(v) := s if {
	s := _scalar(v)
} else := v

_unreadable(v) if {
	is_array(v)
	some x in v
	_opaque(x)
}

_unreadable(v) if _opaque(v)

_statement_keys := {"Effect", "Action", "NotAction", "Resource", "NotResource", "Sid"}

_readable_statement(s) if {
	is_object(s)
	not _intrinsic(s)
	every key in {"Effect", "Action", "NotAction", "Resource", "NotResource"} {
		not _unreadable(object.get(s, key, null))
	}
	not _short_form_if_in(s)
	not _widened_at_deploy_time(s)
	not _chosen_at_deploy_time(s)
}

# Anything else that is not an object is left for the engine to report; an array is what a
# short-form !If becomes after conftest's YAML parser.
_readable_statement(s) if {
	not is_object(s)
	not is_array(s)
}

# conftest's YAML parser turns `!If [Condition, a, b]` into the list [Condition, a, b]: read
# as a list, both branches (and the condition's name) would count. A list of three that
# starts with the name of one of the template's Conditions is taken for what it is.
_short_form_if_in(s) if {
	some key in {"Effect", "Action", "NotAction", "Resource", "NotResource"}
	_short_form_if(object.get(s, key, null))
}

# ... or one entry of the list (`Action: [s3:GetObject, !If [IsProd, "*", !Ref AWS::NoValue]]`).
_short_form_if_in(s) if {
	some key in {"Action", "NotAction", "Resource", "NotResource"}
	some entry in _as_list(object.get(s, key, []))
	_short_form_if(entry)
}

default _conditions := {}

_conditions := input.Conditions if is_object(input.Conditions)

# A deploy-time value read literally errs on the safe side everywhere but here: in an Allow's
# NotAction or NotResource, or a Deny's Action, "${P}" could turn out to be "*" or "kms:*",
# and the statement would allow or deny far more than its literal reading. A Deny's NotAction
# read so denies everything, when "${P}" may list every action needed: it is undecided too.
_widened_at_deploy_time(s) if {
	some key in object.get(_widening_keys, s.Effect, set())
	some entry in _as_list(object.get(s, key, []))
	_deploy_time_entry(key, entry)
}

# Nor may a stand-in (below) ever take such a place: read as granting or denying nothing, a
# Deny's `Action: !Join [...]` would deny nothing.
_widened_at_deploy_time(s) if {
	some key in object.get(_widening_keys, s.Effect, set())
	some entry in _as_list(object.get(s, key, []))
	_filled_in_at_deploy_time(key, entry)
}

_widening_keys := {"Allow": {"NotAction", "NotResource"}, "Deny": {"Action", "NotAction"}}

# A placeholder filled in at deploy time (a parameter, a resource attribute, a pseudo
# parameter), not an IAM policy variable such as ${aws:username}.
_placeholder := `\$\{(?:[^}:]*|[^}]*::[^}]*)\}`

_deploy_time_entry(key, entry) if {
	key != "NotResource"
	regex.match(_placeholder, _scalar(entry))
}

# A resource entry is read as it is only when it is an ARN or a wildcard: "${Bucket}" can be
# "*", "arn:aws:s3:::${Bucket}" can never be. Anything else is no resource IAM knows, and is
# most likely a short-form tag whose argument conftest's YAML parser kept
# (`!ImportValue name`, `!FindInMap [Map, Key, Name]`, `!Join ["", [...]]`).
_deploy_time_entry("NotResource", entry) if not _resource_pattern(entry)

# `!Ref Parameter` and `!GetAtt Resource.Attribute` as conftest's YAML parser leaves them.
_deploy_time_entry(_, entry) if {
	is_string(entry)
	entry in object.keys(_parameters)
}

_deploy_time_entry(_, entry) if _ref_id(entry)

_resource_pattern(entry) if startswith(_scalar(entry), "arn:")

_resource_pattern(entry) if regex.match(`^[*?]+$`, _scalar(entry))

default _parameters := {}

_parameters := input.Parameters if is_object(input.Parameters)

_statement(s) := s if not is_object(s)

_statement(s) := object.union_n([
	s,
	{key: _values(s[key]) | some key in (_statement_keys - _named_keys); key in object.keys(s)},
	{key: _deploy_time_named(key, s[key]) | some key in _named_keys; key in object.keys(s)},
	{key: _principal(s[key]) | some key in {"Principal", "NotPrincipal"}; key in object.keys(s)},
	{"Condition": _condition(s.Condition, object.get(s, "Effect", null)) | is_object(s.Condition)},
]) if {
	is_object(s)
}

_principal(p) := {kind: _principal_numbers(kind, _principal_values(v)) | some kind, v in p} if is_object(p)

_principal(p) := _principal_values(p) if not is_object(p)

# Condition values from parameters or attributes (`sts:ExternalId: {"Ref": "ExternalId"}`)
# become "${ExternalId}": a placeholder, never decided.
_condition(c, effect) := {op: _condition_block(block, op, effect) | some op, block in c}

_condition_block(block, op, effect) := {key: _decided(key, v, op, effect) | some key, v in block} if is_object(block)

else := block

# A short-form `!Ref Parameter`, `!Ref AWS::AccountId` or `!GetAtt X.Y` arrives as its name:
# read literally, a condition would be decided on that name instead of the deployed value.
# An !FindInMap is the value its keys give, or a placeholder (mappings.rego), as the whole
# value or as one entry of a list of values (`[!FindInMap [...], User]`); so is an !Join or
# an !Sub with variables (intrinsics.rego), and a long-form Fn::Split the list of its parts.
_condition_values(v, reading) := _long_split(v) if {
	_long_split(v)
} else := [_condition_entry(x, reading) | some x in v] if {
	is_array(v)
	not _find_in_map(v)
	not _pieced_shape(v)
} else := _condition_entry(v, reading)

_condition_entry(x, reading) := _mapped_value(x) if {
	_find_in_map(x)
} else := _pieced_condition_value(x, reading) if {
	_pieced_shape(x)
} else := _condition_value(x)

_condition_value(x) := sprintf("${%s}", [x]) if {
	is_string(x)
	_deploy_time_name(x)
} else := _value(x)

# {"document": normalised document} or {"unknown": reason}.
_document(doc) := _text_document(doc) if is_string(doc)

_document(doc) := _object_document(doc) if not is_string(doc)

_object_document(doc) := {"unknown": "is computed by an intrinsic function at deploy time"} if {
	_intrinsic(doc)
} else := {"unknown": "is chosen by an intrinsic function (such as !If) at deploy time"} if {
	is_array(doc)
} else := {"unknown": "has statements chosen by an !If at deploy time"} if {
	_short_form_if(doc.Statement)
} else := {"unknown": "uses intrinsic functions whose result is known only at deploy time"} if {
	some s in _as_list(doc.Statement)
	not _readable_statement(_mapped_statement(s))
} else := {"document": object.union(doc, {"Statement": [_read_statement(s) | some s in doc.Statement]})} if {
	is_array(doc.Statement)
} else := {"document": object.union(doc, {"Statement": _read_statement(doc.Statement)})} if {
	is_object(doc.Statement)
} else := {"document": doc}

_read_statement(s) := _statement(_mapped_statement(s))

_as_list(x) := x if is_array(x)

_as_list(x) := [x] if not is_array(x)

# ---------------------------------------------------------------------------------------------
# Roles and what attaches to them.
# ---------------------------------------------------------------------------------------------

_roles := _of_type("AWS::IAM::Role")

# The role's name when the template gives it as a literal.
_role_name(id) := name if {
	name := _role_name_text(id)
	not regex.match(_placeholder, name)
}

_name(id) := name if {
	name := _role_name(id)
} else := id

_referenced_role(v) := {role} if {
	role := _ref_id(v)
	role in _roles
} else := set()

# Everything that gives a role identity permissions, as [role logical id, entry]: an entry is
# {"key": dedup key, "policy": {"name", "type", "document"}} or {"key", "unknown": {"layer", "what"}}.

# Inline policies (the role's Policies, AWS::IAM::Policy and AWS::IAM::RolePolicy) are in
# inline.rego; AWS::IAM::ManagedPolicy attaches to the roles it names for certain (see
# attachment.rego) ...
_entries contains [role, _managed_entry(id)] if {
	some id in _managed_policies
	some role in _certain_roles(id, "Roles")
}

# ... and to those it may name.
_entries contains [role, entry] if {
	some id in _managed_policies
	some role, reason in _possible_roles(id, "Roles")
	some entry in _possible_entries(id, "managed", "ManagedPolicyName", reason)
}

# ManagedPolicyArns of the role.
_entries contains [role, _policy_reference("identity", v, "ManagedPolicyArns")] if {
	some role in _roles
	arns := object.get(_properties(role), "ManagedPolicyArns", [])
	some v in _mapped_arns(arns)
	not _split_import_of(arns, v)
}

# A Policies entry may itself be an intrinsic function (Fn::If choosing a policy, or the array a
# short-form !If becomes).
_inline_document(policy) := _document(object.get(policy, "PolicyDocument", null)) if {
	is_object(policy)
	not _intrinsic(policy)
} else := {"unknown": "is chosen by an intrinsic function (such as !If) at deploy time"}

_policy_label(id, property) := name if {
	name := _resolved(_property(id, property))
	is_string(name)
} else := id

_policy_label_inline(policy, _) := _resolved(policy.PolicyName) if _named(policy)

_policy_label_inline(policy, i) := sprintf("Policies[%d]", [i]) if not _named(policy)

_named(policy) if is_string(_resolved(policy.PolicyName))

_inline_resource_entry(id) := _entry(
	id,
	_policy_label(id, "PolicyName"),
	"inline",
	_resource_document(id),
	sprintf("the document of %s", [id]),
)

_managed_entry(id) := _entry(
	id,
	_policy_label(id, "ManagedPolicyName"),
	"managed",
	_resource_document(id),
	sprintf("the document of %s", [id]),
)

# A policy resource with a Condition attribute exists only when that condition holds, which
# is decided at deploy time: its document can neither grant nor be relied on before then.
_resource_document(id) := {"unknown": sprintf(
	"belongs to a resource created only when condition %q holds, which is known at deploy time",
	[_resources[id].Condition],
)} if {
	is_string(_resources[id].Condition)
} else := _document(_property(id, "PolicyDocument"))

_entry(key, name, type, result, _) := {"key": key, "policy": {
	"name": name,
	"type": type,
	"document": result.document,
}} if {
	result.document
}

_entry(key, _, _, result, label) := {"key": key, "unknown": {
	"layer": "identity",
	"what": sprintf("%s %s", [label, result.unknown]),
}} if {
	result.unknown
}

_managed_policies := _of_type("AWS::IAM::ManagedPolicy")

# A managed policy named by ARN (ManagedPolicyArns entry, PermissionsBoundary): one of the
# template's AWS::IAM::ManagedPolicy resources, or an ARN whose document comes from the data.
_policy_reference(layer, v, _) := _with_layer(layer, _managed_entry(id)) if {
	id := _managed_ref(v)
}

_policy_reference(layer, v, _) := _by_arn(layer, arn) if {
	not _managed_ref(v)
	arn := _arn_or_empty(v)
	startswith(arn, "arn:")
	not _arn_of_template_policy(arn)
}

# An ARN that names one of the template's managed policies (see attachment.rego).
_policy_reference(layer, v, _) := _with_layer(layer, entry) if {
	not _managed_ref(v)
	entry := _arn_of_template_policy(_arn_or_empty(v))
}

_policy_reference(layer, v, property) := {"key": json.marshal(v), "unknown": {
	"layer": layer,
	"what": sprintf("%s entry %s is known only at deploy time", [property, json.marshal(v)]),
}} if {
	not _managed_ref(v)
	not startswith(_arn_or_empty(v), "arn:")
}

_managed_ref(v) := id if {
	id := _ref_id(v)
	id in _managed_policies
}

_by_arn(_, arn) := {"key": arn, "policy": {"name": arn, "type": "managed", "document": policy.document}} if {
	policy := iac.managed_policy(arn)
}

_by_arn(layer, arn) := {"key": arn, "unknown": iac.missing_managed_policy(layer, arn)} if {
	not iac.managed_policy(arn)
}

_arn_or_empty(v) := arn if {
	arn := _arn_text(v)
} else := ""

_with_layer("identity", entry) := entry

_with_layer("boundary", entry) := object.union(entry, {"unknown": unknown}) if {
	unknown := object.union(entry.unknown, {"layer": "boundary"})
}

_with_layer("boundary", entry) := entry if not entry.unknown

_entries_by_role := {role: {e | some [r, e] in _entries; r == role} | some role in _roles}

_identity_entries(role) := _entries_by_role[role]

# One policy per dedup key.
_identity_policies(role) := [[e.policy | some e in _identity_entries(role); e.key == key; e.policy][0] |
	some key in sort({e.key | some e in _identity_entries(role); e.policy})
]

_boundary(role) := _policy_reference("boundary", _resolved_arn(v), "PermissionsBoundary") if {
	v := _property(role, "PermissionsBoundary")
	not is_null(v)
}

_boundary_field(role) := {"permissions_boundary": {"arn": b.policy.name, "document": b.policy.document}} if {
	b := _boundary(role)
	b.policy
} else := {"permissions_boundary": {"arn": b.key, "document": iac.empty_document}} if {
	b := _boundary(role)
	b.unknown
} else := {}

_trust(role) := _document(_property(role, "AssumeRolePolicyDocument"))

_trust_document(role) := doc if {
	doc := _trust(role).document
} else := iac.empty_document

_unknowns(role) := array.flatten([
	[e.unknown | some e in _identity_entries(role); e.unknown],
	[b.unknown | b := _boundary(role); b.unknown],
	[{"layer": "trust", "what": concat(" ", ["AssumeRolePolicyDocument", _trust(role).unknown])} |
		_trust(role).unknown
	],
])

# METADATA
# description: |
#   The role models of the template (see vbaws.lib.iac), keyed by logical id: one for each
#   AWS::IAM::Role with everything that gives it permissions.
roles[role] := object.union_n([
	{
		"id": role,
		"name": _name(role),
		"arn": role,
		"trust_policy": _trust_document(role),
		"policies": _identity_policies(role),
		"tags": _tags(role),
		"tags_known": false,
		"unknowns": sort(_unknowns(role)),
	},
	_boundary_field(role),
	_name_aliases(role),
]) if {
	some role in _roles
}
