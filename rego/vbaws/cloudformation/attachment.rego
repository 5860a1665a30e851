package vbaws.cloudformation

# Which roles of the template a policy resource (AWS::IAM::Policy, AWS::IAM::RolePolicy,
# AWS::IAM::ManagedPolicy) attaches to, through its Roles entries or its RoleName.
#
# An entry names a role for certain when it refers to it (`!Ref Role`, {"Ref": "Role"}) or is
# the same expression as the role's RoleName: the same literal, or the same !Sub, !Ref or
# !Join, which gives the same name at deploy time (and role names are unique). An entry that
# could turn out to name a role at deploy time (a parameter, an import, a pattern the role's
# name fits, a branch of an !If) may name it: the policy's Deny statements then count for
# that role and its Allow statements do not (a warning says so), so that it can only make
# the role fail. A role named by no entry is not touched.

# The inline policy resource types, with the property that names their roles.
_inline_resources := {["AWS::IAM::Policy", "Roles"], ["AWS::IAM::RolePolicy", "RoleName"]}

# The roles a policy resource attaches to for certain.
_certain_roles(id, property) := {role |
	some [_, v] in _role_entries(property, _property(id, property))
	some role in _certain(v)
}

# Role to the reason a policy resource may attach to it, for the roles it is not certain of.
_possible_roles(id, property) := {role: sort(reasons)[0] |
	some role in {r | some [_, v] in _role_entries(property, _property(id, property)); some r in _possible(v)}
	not role in _certain_roles(id, property)
	reasons := {sprintf("%s %s could name it at deploy time", [label, _shown(v)]) |
		some [label, v] in _role_entries(property, _property(id, property))
		role in _possible(v)
	}
}

# An entry as the warning shows it: as a !Sub template when it can be written so.
_shown(v) := json.marshal(_name_text(v)) if {
	not _if_branches(v)
	_name_text(v)
} else := json.marshal(v)

# [label, value] for each entry of a Roles list; the whole value when it is one entry (a
# RoleName, even one that arrives as a list such as a short-form !Join, or a Roles chosen by
# !If or given by a parameter).
_role_entries(property, value) := _entries_of(property, _resolved(value))

_entries_of(property, value) := [[sprintf("%s entry", [property]), v] |
	some x in _split_list(value)
	v := _resolved(x)
	not _no_value(v)
] if {
	property != "RoleName"
	is_array(value)
	not _choices(value)
} else := [] if {
	_no_value(value)
} else := [[property, value]]

# `Roles: !Split [",", !Sub "${Prefix}-worker,VeeamBackup"]` as conftest's YAML parser leaves it:
# the list of the delimiter and the text, read as the role names "," and the whole text, which
# name no role. A list of two whose first entry is punctuation found in the second is split. A
# part with a placeholder could hold delimiters of its own, so it could be any name.
_split_list(value) := parts if {
	parts := _split_parts(value)
} else := array.concat(value, ["${Fn::Split}"]) if {
	_unsplit_text(value)
} else := value

# `Roles: !Split [",", !ImportValue shared-roles]`, the way to import a list (an export is one
# string), arrives as [",", "shared-roles"]: the import's name, with no delimiter to split at,
# which cannot be told from a literal; `!Split [",", !Sub "${Prefix}-roles"]` has a placeholder
# that could hold delimiters. Either could hold any names at deploy time: beside the list read
# literally, such a list may name any role (a parameter, `!Ref RoleList`, already does).
_unsplit_text(value) if {
	count(value) == 2
	is_string(value[0])
	regex.match(`^[^A-Za-z0-9]+$`, value[0])
	not contains(_name_text(value[1]), value[0])
	not _deploy_time_name(value[1])
}

# `Roles: !Split [",", !If [C, "a,b", !Ref AWS::NoValue]]` arrives as [",", ["C", "a,b",
# "AWS::NoValue"]]: text given by a function that cannot be written as one text (an !If, an
# !Select) may hold any names too.
_unsplit_text(value) if {
	count(value) == 2
	is_string(value[0])
	regex.match(`^[^A-Za-z0-9]+$`, value[0])
	_function_shaped(value[1])
	not _name_text(value[1])
}

_split_parts(value) := [_split_part(part) | some part in split(_name_text(value[1]), value[0])] if {
	count(value) == 2
	is_string(value[0])
	regex.match(`^[^A-Za-z0-9]+$`, value[0])
	contains(_name_text(value[1]), value[0])
}

_split_part(part) := "${Fn::Split}" if {
	regex.match(_placeholder, part)
} else := part

_no_value(null)

_no_value("AWS::NoValue")

_no_value({"Ref": "AWS::NoValue"})

# conftest's YAML parser turns `!If [Condition, a, b]` into the list [Condition, a, b]. A
# list of three that starts with the name of one of the template's Conditions is taken for one.
_short_form_if(value) if {
	is_array(value)
	count(value) == 3
	value[0] in object.keys(_conditions)
}

_if_branches(v) := array.slice(v["Fn::If"], 1, 3) if {
	is_array(v["Fn::If"])
	count(v["Fn::If"]) == 3
}

_if_branches(v) := array.slice(v, 1, 3) if _short_form_if(v)

# The values a value chosen at deploy time may take: both branches of an !If (and the list of
# three a short form arrives as, which may be just that: `[VeeamBackup, a, b]` beside a condition
# VeeamBackup), or those of an !FindInMap whose keys are chosen at deploy time (`!FindInMap
# [RoleNames, !Ref Env, Backup]`).
_choices(v) := array.concat(branches, [v | _literal_names(v)]) if {
	branches := _if_branches(v)
} else := values if {
	values := _map_values(v)
	count(values) != 1
}

# IAM allows a role named "-": a literal Roles list ["-", "Veeam-Backup"] of two role names looks
# like a split too. When that list, read literally, names a role of the template, either reading
# may be the one.
_choices(v) := [v, parts] if {
	parts := _split_parts(v)
	every x in v {
		regex.match(`^[\w+=,.@-]{1,64}$`, x)
	}
	some x in v
	count(_reads_as(x) | _plain_possible(x)) > 0
}

# `!Select [!Ref Index, [a, b]]` as conftest's YAML parser leaves it: the list [index, [a, b]],
# the shape of a short-form !Join too. Read as a !Join only, the text "a${Index}b" would name
# neither a nor b, and a Deny put into the role a picks would be missed. A first entry that could
# be an index (digits, or a name known at deploy time, which no !Join delimiter can be) gives
# either reading: the entry a written-out index picks (any entry for an index chosen at deploy
# time, of the list or of the short-form !Split it may be), or the joined text.
_select_choices(v) := array.concat(
	[[x] | some x in _select_picks(v)],
	[[text] | text := _joined_or_number_joined(v)],
) if {
	_select_like(v)
}

_select_like(v) if {
	is_array(v)
	count(v) == 2
	is_array(v[1])
	_index_like(v[0])
}

_index_like(i) if regex.match(`^[0-9]+$`, i)

_index_like(i) if _deploy_time_name(i)

# An index written unquoted arrives as a number, which picks its own entry (select.rego).
_index_like(i) if _whole_index(i)

_select_picks(v) := array.concat(
	[x |
		some list in _select_lists(v[1])
		some i, x in list
		_may_pick_from(v, i)
	],
	["${Fn::Split}" | _split_of_unknown_entries(v[1])],
)

# `!Select [0, !Split [",", !ImportValue shared-roles]]` arrives as ["0", [",", "shared-roles"]]:
# the import's name, or a placeholder (`!Ref RoleList`, `!Sub "${Prefix},b"`), could hold
# delimiters, so the list split at deploy time, and the entry any index picks, could be any name.
_split_of_unknown_entries(list) if _unsplit_text(list)

_split_of_unknown_entries(list) if "${Fn::Split}" in _split_parts(list)

_split_of_unknown_entries(list) if {
	count(list) == 2
	is_string(list[0])
	regex.match(`^[^A-Za-z0-9]+$`, list[0])
	regex.match(_placeholder, _name_text(list[1]))
}

# `!Select [0, !Split [x, VeeamBackup]]` arrives as [0, ["x", "VeeamBackup"]], a list of two
# names too: split at a letter or digit, the pick is not the entry written out ("VeeamBackup"
# here, not "x"), so it may be any name.
_split_of_unknown_entries(list) if _one_character_split(list)

# `!Select [1, !Split [!Ref AWS::Region, xus-east-1VeeamBackup]]` arrives as [1, ["AWS::Region",
# "xus-east-1VeeamBackup"]]: a delimiter known only at deploy time, an empty one, or one YAML
# read as a number (`!Split [1, x1VeeamBackup]`, whose text may be written otherwise: `1.0`)
# splits the text where it cannot be read here. As the text written, a Deny so attached was
# missed: the pick may be any name.
_split_of_unknown_entries(list) if {
	_split_texts(list)
	_unread_delimiter(list)
}

# `!Select [1, !Split [!If [C, "-", "+"], x-VeeamBackup]]` arrives as [1, [["C", "-", "+"],
# "x-VeeamBackup"]]; a long-form `{Ref: AWS::Region}` delimiter, or a short-form !Join as the
# text, leaves a list of two in which one is no text either: a function the stack splits with or
# splits. As the entry written, a Deny so attached was missed: the pick may be any name.
_split_of_unknown_entries(list) if _split_with_function(list)

# `!Select [0, !If [C, !Ref RoleList, [x]]]` arrives as [0, ["C", "RoleList", ["x"]]]: a branch
# that is no list written out gives entries that cannot be read here (select.rego).
_split_of_unknown_entries(list) if _unread_if_branch(list)

# `Roles: [!Select [1, !FindInMap [Map, Key, Names]]]` arrives as [1, ["Map", "Key", "Names"]]:
# read as that list, it named the role "Key", and a Deny put into the role the mapping's list
# names there was missed. It picks from each list the mapping may give too.
_select_lists(list) := array.concat([list], [value | some value in _map_values(list)]) if {
	_find_in_map(list)
} else := [list, parts] if {
	parts := _split_parts(list)
} else := [list, parts] if {
	parts := _split_at_any(list)
} else := array.concat([list], _if_lists(list)) if {
	_short_form_if(list)
} else := [list]

# Two texts an !Select picks from may be a short-form !Split at a delimiter of any kind (letters
# too: `!Select [1, !Split [ab, xabVeeamBackup]]` picks "VeeamBackup"), whose parts are those of
# the second text; without the delimiter in it, the one part is that text (select.rego).
_split_at_any(list) := [_split_part(part) | some part in split(_name_text(list[1]), list[0])] if {
	_split_texts(list)
	is_string(list[0])
	list[0] != ""
	not _deploy_time_name(list[1])
}

_may_pick_from(v, i) if _may_pick(v[0], i)

# CloudFormation drops an AWS::NoValue entry before it picks (select.rego): any later entry.
_may_pick_from(v, i) if {
	_compacted(v)
	i > _select_arguments(v)[0]
}

_may_pick(index, i) if to_number(index) == i

_may_pick(index, _) if {
	is_string(index)
	not regex.match(`^[0-9]+$`, index)
}

# (`!Select [{Ref: Idx}, [VeeamBackup]]`, or `!Join [{Ref: AWS::Region}, [VeeamBackup]]`, which
# names VeeamBackup at any delimiter: a long-form index or delimiter may pick any entry)
_may_pick(index, _) if is_object(index)

# The choices of an entry of Roles or of a RoleName.
_entry_choices(v) := branches if {
	branches := _choices(v)
} else := _select_choices(v)

# The role an entry names for certain (a set of at most one).
_certain(v) := set() if {
	_entry_choices(v)
} else := roles if {
	roles := _reads_as(v)
	count(roles) == 1
} else := set()

# The roles an entry may name, beyond the one it names for certain: every role either branch
# of an !If names; otherwise those whose name the entry could turn out to be.
_possible(v) := {role |
	some branch in _entry_choices(v)
	some x in array.concat(_as_list(branch), _branch_entries(branch))
	not _no_value(x)
	some role in (_reads_as(x) | _plain_possible(x))
} if {
	_entry_choices(v)
} else := _plain_possible(v)

# A role referred to, or whose RoleName is the same expression. A string that is a logical
# id is a short-form !Ref, but could also be a literal name: when it reads as two roles, it
# names neither for certain.
_reads_as(v) := {role} if {
	is_object(v)
	role := _ref_id(v)
	role in _roles
} else := _referenced_role(v) | {role | some role in _roles; _role_name_text(role) == _name_text(v)}

_plain_possible(v) := roles if {
	roles := _reads_as(v)
	count(roles) > 1
} else := set() if {
	count(_reads_as(v)) == 1
} else := {role | some role in _roles; _could_be(role, _name_text(v))} if {
	_name_text(v)
} else := _roles

# Whether a role's name could turn out to be the name text t at deploy time (t is not the
# same expression as the role's RoleName). A name CloudFormation generates could be any value
# a parameter or an import holds, but no literal of the template.
_could_be(role, t) if {
	is_null(_property(role, "RoleName"))
	regex.match(_placeholder, t)
}

_could_be(role, _) if {
	not is_null(_property(role, "RoleName"))
	not _role_name_text(role)
}

# IAM role names are unique ignoring case: a name that differs from the role's only in case
# may name it (`Roles: [veeambackup]` for `RoleName: VeeamBackup`).
_could_be(role, t) if {
	name := _role_name_text(role)
	t != name
	lower(t) == lower(name)
}

_could_be(role, t) if _fits(t, _role_name_text(role))

_could_be(role, t) if _fits(_role_name_text(role), t)

_could_be(role, t) if _patterns_may_meet(_role_name_text(role), t)

# Two name texts with placeholders: _fits reads the other's placeholders literally, so compare
# only what both must start and end with (`a${A}` and `${B}b` are both "ab" when A is "b" and
# B is "a"). Used for role names and inline policy names alike.
_patterns_may_meet(a, b) if {
	ends_a := _literal_ends(a)
	ends_b := _literal_ends(b)
	_prefixes(ends_a[0], ends_b[0])
	_suffixes(ends_a[1], ends_b[1])
}

_literal_ends(pattern) := [parts[0], parts[count(parts) - 1]] if {
	regex.match(_placeholder, pattern)
	parts := regex.split(_placeholder, lower(pattern))
}

_prefixes(x, y) if startswith(x, y)

_prefixes(x, y) if startswith(y, x)

_suffixes(x, y) if endswith(x, y)

_suffixes(x, y) if endswith(y, x)

# Whether the name text pattern, whose placeholders could be anything, could be name (ignoring
# case, as IAM does).
_fits(pattern, name) if {
	regex.match(_placeholder, pattern)
	parts := regex.split(_placeholder, pattern)
	glob.match(concat("*", [glob.quote_meta(lower(part)) | some part in parts]), [], lower(name))
}

_role_name_text(role) := _name_text(_resolved(_property(role, "RoleName")))

# `RoleName: Legacy.prod.role` is read as `!GetAtt Legacy.prod.role` when the template has a
# resource Legacy (and `RoleName: Backup` as `!Ref Backup` of a parameter or resource Backup),
# but IAM takes the text as a role name too: a data.vbaws_config.roles entry of that name may
# mean this role. Unselected, a role whose policies lack required actions passed unchecked.
_name_aliases(role) := {"aliases": [name]} if {
	name := _resolved(_property(role, "RoleName"))
	is_string(name)
	_deploy_time_name(name)
	regex.match(`^[\w+=,.@-]{1,64}$`, name)
} else := {}

# A name as a string in which a value known only at deploy time is "${...}", like the template
# of Fn::Sub. Undefined for an intrinsic function whose result cannot be written so.
_name_text(v) := _name_part(v)

_name_text(v) := _joined(_argument(v, "Fn::Join"))

# `!Join [-, [a, b]]` as conftest's YAML parser leaves it: the list [delimiter, [parts]] (see
# select.rego's _joined); not when it may be an !Select (above), whose name cannot be written as
# one text.
_name_text(v) := _joined(v) if not _select_like(v)

# `!Ref Parameter`, `!Ref AWS::StackName` and `!GetAtt Resource.Attribute` as conftest's YAML
# parser leaves them are values known at deploy time (no role name holds a colon).
_name_part(v) := sprintf("${%s}", [v]) if {
	is_string(v)
	_deploy_time_name(v)
}

_name_part(v) := _pseudo(v) if {
	is_string(v)
	not _deploy_time_name(v)
}

_name_part(v) := _pseudo(_argument(v, "Fn::Sub")) if is_string(_argument(v, "Fn::Sub"))

_name_part(v) := _pseudo(_argument(v, "Fn::Sub")[0]) if {
	is_string(_argument(v, "Fn::Sub")[0])
	_no_variables(_argument(v, "Fn::Sub"))
}

_name_part(v) := sprintf("${%s}", [_argument(v, "Ref")]) if is_string(_argument(v, "Ref"))

_name_part(v) := sprintf("${%s}", [concat(".", _argument(v, "Fn::GetAtt"))]) if is_array(_argument(v, "Fn::GetAtt"))

_name_part(v) := sprintf("${%s}", [_argument(v, "Fn::GetAtt")]) if is_string(_argument(v, "Fn::GetAtt"))

# Fn::Sub with a map of variables substitutes them; with an empty map, nothing.
_no_variables(sub) if count(sub) == 1

_no_variables(sub) if sub[1] == {}

_deploy_time_name(v) if _short_form_reference(v)

_deploy_time_name(v) if startswith(v, "AWS::")

# The entries a policy resource gives a role it may attach to: its Deny statements, and an
# unknown for its Allow statements. An unknown document is unknown as it is.
_possible_entries(id, type, name_property, reason) := [
	{"key": concat("", [id, " (its Deny statements)"]), "policy": {
		"name": sprintf("%s (its Deny statements)", [_policy_label(id, name_property)]),
		"type": type,
		"document": _deny_statements(result.document),
	}},
	{"key": concat("", [id, " (its Allow statements)"]), "unknown": {
		"layer": "identity",
		"what": sprintf("the Allow statements of %s, which may apply to this role (%s)", [id, reason]),
	}},
] if {
	result := _resource_document(id)
	result.document
} else := [_entry(id, id, type, _resource_document(id), sprintf("the document of %s", [id]))]

_deny_statements(doc) := object.union(doc, {"Statement": [s |
	some s in _as_list(doc.Statement)
	is_object(s)
	object.get(s, "Effect", null) != "Allow"
]}) if {
	is_object(doc)
} else := doc

# A customer managed policy ARN (ManagedPolicyArns, PermissionsBoundary) written out instead of
# `!Ref Policy` may name one of the template's AWS::IAM::ManagedPolicy resources: IAM attaches
# only policies of the role's own account, where a policy name is unique, so a policy of that
# name and path is the template's, whose document is what the stack deploys, whatever an older
# copy in data.vbaws_managed_policies says. One whose name (or path) is chosen at deploy time
# may be it: the ARN is then unknown.
_arn_of_template_policy(arn) := _managed_entry(sort(ids)[0]) if {
	resource := _customer_policy_resource(arn)
	ids := {id | some id in _managed_policies; lower(_template_policy_resource(id)) == lower(resource)}
	count(ids) > 0
} else := {"key": arn, "unknown": {
	"layer": "identity",
	"what": sprintf(
		"managed policy %s may be %s of this template, whose name or path is known only at deploy time",
		[arn, concat(", ", sort(ids))],
	),
}} if {
	resource := _customer_policy_resource(arn)
	ids := {id | some id in _managed_policies; _may_be_template_policy(id, resource)}
	count(ids) > 0
}

# "policy/<path><name>" of an ARN of a policy of an account (a literal one, or the stack's).
_customer_policy_resource(arn) := regex.find_all_string_submatch_n(
	`^arn:[^:]+:iam::(?:[0-9]{12}|\$\{AWS::AccountId\}):(policy/.+)$`,
	arn,
	1,
)[0][1]

_template_policy_resource(id) := resource if {
	resource := _template_policy_pattern(id)
	not regex.match(_placeholder, resource)
}

# "policy<path><name>" of a template policy that has a ManagedPolicyName, with what is known
# only at deploy time written "${...}": a short-form `!Ref PolicyName` arrives as the
# parameter's name, and a Path or name that cannot be written so (`!If`, `!FindInMap`) could
# be anything.
_template_policy_pattern(id) := concat("", [
	"policy",
	_policy_part(id, "Path", "/"),
	_policy_part(id, "ManagedPolicyName", null),
]) if {
	not is_null(_property(id, "ManagedPolicyName"))
}

_policy_part(id, property, absent) := text if {
	text := _name_text(_resolved(_property(id, property)))
} else := absent if {
	is_null(_property(id, property))
} else := sprintf("${%s}", [property])

_may_be_template_policy(id, resource) if _fits(_template_policy_pattern(id), resource)
