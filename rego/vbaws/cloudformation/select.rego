package vbaws.cloudformation

# `RoleName: !Select [0, [a, b]]` as conftest's YAML parser leaves it: the list [0, [a, b]],
# whose index is a number. Unlike a quoted index, it cannot be the delimiter of a short-form
# !Join (CloudFormation takes only text there), so the entry it picks is the value. Read as
# neither, the role could have any name and a Roles entry so written could name any role: a
# policy that names the role for certain counted with its Deny statements only. CloudFormation
# reads YAML 1.1, as conftest does, so a whole number is the index it picks (`1.0`, which it may
# refuse, included); any other number picks nothing read here. The long form, whose index may
# be text, is read alike.
_picked(v) := v[1][i] if {
	is_array(v)
	count(v) == 2
	i := _whole_index(v[0])
	_plain_list(v[1])
	i < count(v[1])
}

_picked(v) := args[1][i] if {
	args := _argument(v, "Fn::Select")
	is_array(args)
	count(args) == 2
	i := _whole_index(_long_index(args[0]))
	_plain_list(args[1])
	i < count(args[1])
}

_whole_index(x) := x if {
	is_number(x)
	x == floor(x)
	x >= 0
}

_long_index(x) := to_number(x) if {
	is_string(x)
	regex.match(`^[0-9]+$`, x)
} else := x

# A list written out: not a short-form function whose argument conftest's parser left as a list
# (`!Split [",", "a,b"]`, whose entries the index picks at deploy time, an !If, an !FindInMap,
# `!GetAtt [Role, Arn]`).
_plain_list(list) if {
	is_array(list)
	not _split_like(list)
	not _short_form_if(list)
	not _find_in_map(list)
	not _function_list(list)
}

_split_like(list) if {
	count(list) == 2
	is_string(list[0])
	regex.match(`^[^A-Za-z0-9]+$`, list[0])
}

_split_like(list) if _one_character_split(list)

# A short-form !Split at one letter or digit (`!Split [x, axb]`) arrives as a list of two names.
_one_character_split(list) if {
	count(list) == 2
	is_string(list[0])
	is_string(list[1])
	regex.match(`^[A-Za-z0-9]$`, list[0])
}

# CloudFormation drops an entry that is AWS::NoValue from the list before it picks (`!Select [1,
# [!Ref AWS::NoValue, a, b]]` is b): past an entry so written, or an !If that may give it, or at
# it, the pick may be the entry after the one written at the index.
_compacted(v) if {
	args := _select_arguments(v)
	some j, x in args[1]
	j <= args[0]
	_may_be_no_value(x)
}

_select_arguments(v) := [_long_index(v[0]), v[1]] if {
	is_array(v)
	count(v) == 2
}

_select_arguments(v) := [_long_index(args[0]), args[1]] if {
	args := _argument(v, "Fn::Select")
	is_array(args)
}

_may_be_no_value(x) if _no_value(x)

# (a nested !If too: `!If [C, !If [D, !Ref AWS::NoValue, a], b]` gives AWS::NoValue when both hold)
_may_be_no_value(x) if {
	_if_branches(x)
	walk(x, [_, y])
	_no_value(y)
}

# `!Select [0, !Split [arn:...:role/A, !ImportValue other]]` arrives as [0, [arn:...:role/A,
# "other"]], just as an !Select from a list of those two texts written out: a list of two texts
# may be an !Split at any delimiter (letters, digits and punctuation mixed, empty, an unquoted
# number), and CloudFormation then picks a part of the second text, never the first written
# out. Read as the pick, a trust let the appliance in, and a role got a managed policy, when the
# stack takes whatever the import holds; a policy's Roles entry so written missed a role. Only
# the second entry, from text without the first in it, is read: split there, that text has no
# second part and the stack fails to deploy. Short and long form alike.
_split_pick(v) if {
	[index, list] := _select_arguments(v)
	_split_texts(list)
	_unsure_split_pick(index, list)
}

# `!Select [1, !Split [!If [C, "-", "+"], x-VeeamBackup]]` arrives as [1, [["C", "-", "+"],
# "x-VeeamBackup"]] (a long-form `{Ref: AWS::Region}` delimiter, or a short-form !Join as the
# text, alike): read as the entry written, a RolePolicy so named replaced no inline policy. The
# stack splits what the function gives, so the pick is unsure.
_split_pick(v) if {
	[_, list] := _select_arguments(v)
	_split_with_function(list)
}

_split_with_function(list) if {
	is_array(list)
	count(list) == 2
	some x in list
	_function_shaped(x)
}

_function_shaped(x) if is_array(x)

_function_shaped(x) if is_object(x)

_unsure_split_pick(index, _) if _whole_index(index) == 0

_unsure_split_pick(_, list) if not is_string(list[0])

# (the text as the stack gives it too: `!Sub "arn:${AWS::Partition}:..."` holds "aws")
_unsure_split_pick(_, list) if {
	some text in {list[1], _pseudo(list[1])}
	contains(text, list[0])
}

# (a delimiter known only at deploy time, `!Select [1, !Split [!Ref AWS::Region, text]]`, may be
# in the text the stack splits)
_unsure_split_pick(_, list) if _unread_delimiter(list)

_unread_delimiter(list) if {
	not _deploy_time_name(list[1])
	not _literal_delimiter(list[0])
}

_literal_delimiter(x) if {
	is_string(x)
	x != ""
	not _deploy_time_name(x)
	not regex.match(_placeholder, x)
}

# (either may be a number YAML read: `!Split [<appliance>, 222222222222]` is [<appliance>,
# 222222222222], which CloudFormation may split as the text "222222222222")
_split_texts(list) if {
	is_array(list)
	count(list) == 2
	not is_array(list[0])
	not is_object(list[0])
	not is_array(list[1])
	not is_object(list[1])
}

# The second of two texts may be what a short-form !ImportValue leaves (`!Select [1, !Split [ab,
# !ImportValue "arn:aws:iam::111111111111:root"]]` arrives as [1, ["ab", "arn:...:root"]]): the
# import may hold the delimiter, and the stack picks a part of what it holds. As an !Split of
# such text is (split.rego), a pick from it is read neither as a principal nor as a policy ARN
# (a short-form `!Ref Policy` leaves such text too). An ARN with a "/" is no export's name.
_import_split_pick(v) if {
	[_, list] := _select_arguments(v)
	_split_texts(list)
	regex.match(`^[\w.:-]+$`, list[1])
}

# `Roles: [!Select [0, !If [C, [VeeamBackup], [x]]]]` arrives as [0, ["C", ["VeeamBackup"],
# ["x"]]]: read as that list, the index picked the condition's name, so a Deny put into the
# role the branch that holds names was missed, and a RolePolicy so named replaced no inline
# policy. The index picks from the list of either branch (attachment.rego) ...
_if_lists(list) := [branch | some branch in _if_branches(list); _read_if_branch(branch)]

# ... and from a branch that is no list written out (`!Ref RoleList`, AWS::NoValue, an !Split),
# or that holds an entry CloudFormation may drop before it picks, any entry.
_unread_if_branch(list) if {
	_short_form_if(list)
	some branch in _if_branches(list)
	not _read_if_branch(branch)
}

_read_if_branch(branch) if {
	_plain_list(branch)
	not _may_drop_entry(branch)
}

_may_drop_entry(list) if {
	some x in list
	_may_be_no_value(x)
}

# The text of an !Join of names (attachment.rego's _name_text). Not of a list that may be another
# short-form function: `!Join ['', !Split [',', 'Veeam,Backup']]` arrives as ["", [",",
# "Veeam,Backup"]], and `!Join ['', !GetAtt [Lookup, Names]]` as ["", ["Lookup", "Names"]], read
# as the texts ",Veeam,Backup" and "${Lookup}Names", where the stack names VeeamBackup, or what
# the attribute holds: a Deny so attached was missed, a PolicyName so written replaced nothing.
_joined(v) := concat(v[0], parts) if {
	is_array(v)
	count(v) == 2
	is_string(v[0])
	is_array(v[1])
	not _function_list(v[1])
	not _split_like(v[1])
	not _joins_no_value(v[1])
	parts := [p | some x in v[1]; p := _name_part(x)]
	count(parts) == count(v[1])
} else := _joined_map if {
	is_string(v[0])
	_find_in_map(v[1])
}

# `Roles: [!Join [1, [VeeamBackup]]]` arrives as [1, ["VeeamBackup"]], an !Select past the list's
# end too. CloudFormation's docs ask for a text delimiter, but it takes numbers for text in other
# places: should it join at "1" (or "1.0"), the policy goes into VeeamBackup, and read as the
# !Select alone, which picks no entry, a Deny so attached was missed and a RolePolicy so named
# replaced no inline policy. A number is also read as a delimiter whose text is not known; an
# entry that cannot be read (`!Join ['5', [!Select [0, [VeeamBackup]]]]`) stands for any text.
_joined_or_number_joined(v) := text if {
	text := _joined(v)
} else := "${Fn::Join}" if {
	# (one that drops an entry, below, any name too)
	_joins_no_value(v[1])
} else := concat(_delimiter_text(v[0]), [_join_part_or_any(x) | some x in v[1]]) if {
	is_array(v[1])
}

_delimiter_text(d) := d if is_string(d)

_delimiter_text(d) := "${Number}" if is_number(d)

_join_part_or_any(x) := part if {
	part := _name_part(x)
} else := "${Fn::Join}"

# A list of names written out (attachment.rego's _choices): texts only, which a short-form !If
# whose branches are lists or functions never arrives as.
_literal_names(v) if {
	is_array(v)
	every x in v {
		is_string(x)
	}
}

# CloudFormation drops an AWS::NoValue entry from an !Join's list (`!Join [-, [Veeam, !Ref
# AWS::NoValue, Backup]]` gives Veeam-Backup): read as "Veeam-${AWS::NoValue}-Backup", which
# that name does not fit, a Deny put into the role so named was missed, and a PolicyName so
# written replaced no inline policy. Such a name is not read (attachment.rego's _joined): any
# role's or policy's name may be it.
_joins_no_value(list) if {
	is_array(list)
	some x in list
	_no_value(x)
}

# `Roles: !If [C, [a], !FindInMap [Names, dev, Roles]]` arrives as ["C", ["a"], ["Names", "dev",
# "Roles"]]: read as written, the branch named the roles "Names", "dev" and "Roles", where the
# stack names those of the mapping's list when C does not hold, and a Deny put into them was
# missed. A branch that is a list is also read as a Roles list is (attachment.rego's _possible).
_branch_entries(branch) := [_resolved(x) |
	some list in _branch_lists(branch)
	is_array(list)
	some x in _split_list(list)
]

_branch_lists(branch) := _map_values(branch) if {
	_find_in_map(branch)
} else := [_resolved(branch)]
