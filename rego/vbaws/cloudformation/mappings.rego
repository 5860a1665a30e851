package vbaws.cloudformation

# Fn::FindInMap: the template's Mappings, looked up where a value is read.
#
# conftest's YAML parser turns `!FindInMap [Map, Key, Name]` into the list of its three
# arguments. Read as a list, a `Roles: !FindInMap [...]` would name the roles "Map", "Key" and
# "Name", an `Action: !FindInMap [...]` would be three invalid actions and a `PolicyName` could
# be any name. Keys written out give one value; a key chosen at deploy time (`!Ref Env`,
# `!Ref AWS::Region`) may give any value of its level.

default _mappings := {}

_mappings := input.Mappings if is_object(input.Mappings)

# A list of three that starts with the name of one of the template's Mappings is taken for a
# short-form !FindInMap, and so is the long form.
_find_in_map(v) := v if {
	is_array(v)
	count(v) == 3
	is_string(v[0])
	is_object(_mappings[v[0]])
}

_find_in_map(v) := args if {
	args := _argument(v, "Fn::FindInMap")
	is_array(args)
	count(args) == 3
	is_string(args[0])
	is_object(_mappings[args[0]])
}

# The values an !FindInMap may give: the one its keys name when they are written out, every
# value of the level of a key chosen at deploy time (`!Ref Env`, `!Ref AWS::Region`).
_map_values(v) := [value |
	args := _find_in_map(v)
	some top in _map_keys(args[1], _mappings[args[0]])
	some name in _map_keys(args[2], _mappings[args[0]][top])
	value := _mappings[args[0]][top][name]
] if {
	_find_in_map(v)
}

# A key that is no key of its level is no key written out either: it is what a short-form tag
# leaves (`!ImportValue env` arrives as "env", `!Sub "${AWS::Region}"` as its text), chosen at
# deploy time (a key written out that the mapping lacks fails the deploy). Read as naming no
# value, a Roles entry so given would name no role, and the policy's Deny would be missed.
_map_keys(key, level) := {key} if {
	is_string(key)
	not _deploy_time_name(key)
	is_object(level)
	key in object.keys(level)
} else := object.keys(level) if {
	is_object(level)
} else := set()

# The one value an !FindInMap gives: its keys are written out, or every value they may give
# is the same.
_map_value(v) := values[0] if {
	values := [x | some x in {x | some x in _map_values(v)}]
	count(values) == 1
}

# A value with what an !FindInMap gives in its place, when it gives one value, or the entry an
# !Select of a number picks (select.rego), unless CloudFormation may drop an entry before it or
# the list may be a short-form !Split: then a policy ARN is known only at deploy time, and a
# role or policy name may be another.
_resolved(v) := _map_value(v) if {
	_map_value(v)
} else := pick if {
	not _compacted(v)
	not _split_pick(v)
	pick := _picked(v)
} else := v

# The value an !FindInMap gives, else a placeholder known only at deploy time. Used in
# condition values and in a statement's Action, NotAction, Resource and NotResource, where a
# placeholder is read as every other deploy-time value there is (see deploy_time.rego).
_mapped_value(v) := _map_value(v) if {
	_map_value(v)
} else := "${Fn::FindInMap}"

# A statement with each !FindInMap of its Action, NotAction, Resource and NotResource (the
# whole value, or one entry of a list) and of its Effect replaced by what it gives; a mapping's
# list value gives its entries in place of the one entry.
_mapped_statement(s) := object.union(s, _mapped_fields(s)) if {
	is_object(s)
	not _intrinsic(s)
} else := s

_mapped_fields(s) := object.union_n([
	{key: _mapped_field(_picked_from_map(s[key], key, s)) | some key in _named_keys; key in object.keys(s)},
	{key: _mapped_principal(s[key], key, s) | some key in {"Principal", "NotPrincipal"}; key in object.keys(s)},
	{"Effect": _effect(s.Effect) | "Effect" in object.keys(s)},
])

# An Effect as the text it gives: a long-form {"Fn::Sub": "Deny"} (or Fn::Join) is a Deny, read
# as one everywhere a Deny is read more strictly than an Allow.
_effect(effect) := _mapped_value(effect) if {
	_mapped_here(effect)
} else := text if {
	is_object(effect)
	text := _scalar(effect)
} else := effect

# A principal type's value (`AWS: !FindInMap [Accounts, Appliance, Arn]`) likewise.
_mapped_principal(p, key, s) := {kind: _mapped_field(_picked_from_map(v, key, s)) | some kind, v in p} if {
	is_object(p)
	not _intrinsic(p)
} else := p

# `AWS: !Select [0, !FindInMap [Map, Key, Arns]]` arrives as [0, [Map, Key, Arns]]: read as a
# list with the mapping's entries in place of the one (below), a trust let in every principal of
# the mapping's list and an Allow granted every action, when CloudFormation picks one entry.
# Where those entries widen the statement (an Allow's Action, Resource or Principal, a Deny's
# NotAction, NotResource or NotPrincipal), a first entry that could be an index, before a
# mapping that gives a list, is one: the value is the entry an index written out picks from the
# one list the keys give, else (an index or keys chosen at deploy time) a value known only at
# deploy time. Elsewhere the entries only narrow an Allow or widen a Deny, and are kept.
_picked_from_map(v, key, s) := _map_pick(v) if {
	_widening_field(key, _effect(object.get(s, "Effect", null)))
	is_array(v)
	count(v) == 2
	_mapped_here(v[1])
	_map_index_like(v[0])
	some value in _map_values(v[1])
	is_array(value)
} else := "${Fn::Join}" if {
	_widening_field(key, _effect(object.get(s, "Effect", null)))
	_map_join_shaped(v)
} else := v

# CloudFormation takes an !FindInMap as the index too (`!Select [!FindInMap [Index, dev, Pick],
# !FindInMap [Map, Key, Arns]]` arrives as [[Index, dev, Pick], [Map, Key, Arns]]): read as a
# list of two mappings' values, the statement took every entry, and a trust let in the
# appliance the pick leaves out. One that may give an index is one; only a number it gives for
# certain is read as the index (a text, "1", was read as an action or principal IAM refuses, and
# the pick could have let a template pass that failed), else the pick is known at deploy time.
_map_index_like(i) if _index_like(i)

_map_index_like(i) if {
	some value in _map_values(i)
	_index_like(value)
}

_widening_field(key, "Allow") if key in {"Action", "Resource", "Principal"}

_widening_field(key, effect) if {
	effect != "Allow"
	not key in {"Action", "Resource", "Principal"}
}

_widening_field(key, effect) if {
	not effect in {"Allow", "Deny"}
	key in {"Action", "Resource", "Principal"}
}

_map_pick(v) := list[i] if {
	list := _map_value(v[1])
	is_array(list)
	i := _whole_index(_long_index(_map_index(v[0])))
	i < count(list)
} else := "${Fn::Select}"

# `AWS: !Join ['', !FindInMap [Accounts, A, Parts]]` arrives as ["", [Accounts, A, Parts]]:
# read as a list with the mapping's entries in place of the one, a trust let in each part
# (`111111111111` of `[arn:aws:iam::, 111111111111, :role/Other]`, the appliance's account), when
# the stack lets in the joined ARN alone. A list holding the mapping's list is no value IAM
# takes (an entry must be text), whatever the first entry, so such a list is an !Join, a value
# known only at deploy time (not its text: read so, a template whose list of parts failed could
# pass). As a list, `AWS: !Join [x, !FindInMap [Accounts, A, Arns]]` let in the appliance of
# [<appliance>, x], when the stack lets in "<appliance>xx", another role.
_map_join_shaped(v) if {
	is_array(v)
	count(v) == 2
	is_string(v[0])
	_mapped_here(v[1])
	some value in _map_values(v[1])
	is_array(value)
}

# `RoleName: !Join ['', !FindInMap [Names, dev, Parts]]` arrives as ["", ["Names", "dev",
# "Parts"]]: read as the join of the three arguments, the role was named "NamesdevParts" (a
# Roles entry so written named no role), and a Deny put into the role the joined mapping's list
# names was missed. It is a name known only at deploy time, which may be any role's (not the
# joined text, which would attach an Allow for certain where none was before).
_joined_map := "${Fn::FindInMap}"

_map_index(i) := value if {
	value := _map_value(i)
	is_number(value)
} else := i

# The entries of a role's ManagedPolicyArns with each !FindInMap looked up (the whole list, or
# one entry); one whose keys are chosen at deploy time stays one entry, known only at deploy time.
# A short-form !Split is the list of its parts.
_mapped_arns(arns) := [arns] if {
	_mapped_here(arns)
	not _map_value(arns)
} else := parts if {
	# `!Split [",", "arn:...,arn:..."]` (split.rego)
	parts := _statement_split(arns)
} else := [_resolved_arn(x) | some x in _as_list(_resolved(arns))]

# A policy ARN picked from an !Split of what an import may hold is known only at deploy time
# (select.rego).
_resolved_arn(v) := v if {
	_import_split_pick(v)
} else := _resolved(v)

_mapped_field(v) := _mapped_value(v) if {
	_mapped_here(v)
} else := parts if {
	parts := _field_split(v)
} else := [y | some x in v; some y in _mapped_entry(x)] if {
	is_array(v)
} else := v

_mapped_entry(x) := _as_list(_mapped_value(x)) if {
	_mapped_here(x)
} else := [x]

# A list that is also a short-form !If (its first entry names a Condition too) stays one: its
# document is unknown.
_mapped_here(v) if {
	_find_in_map(v)
	not _short_form_if(v)
}
