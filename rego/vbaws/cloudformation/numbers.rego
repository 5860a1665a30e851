package vbaws.cloudformation

# An account id written as a number (`aws:PrincipalAccount: 111111111111`, common in
# hand-written templates) arrives as a float that other spellings give too (`111111111111.0`,
# `1.11111111111e+11`), which CloudFormation need not pass on as that account id: where its
# reading decides whether the appliance gets in, the trust check is left undecided
# (intrinsics.rego). The warn of that check names only the condition key; this one says why,
# and how to make the template decidable.
_unquoted_trust_numbers(role) := {key |
	doc := _properties(role).AssumeRolePolicyDocument
	walk(doc, [path, block])
	_condition_block_at(path)
	statement := object.get(doc, array.slice(path, 0, count(path) - 2), null)
	some key, v in block
	_undecided_numbers(key, v, path[count(path) - 1], statement)
}

_condition_block_at(path) if {
	count(path) >= 2
	path[count(path) - 2] == "Condition"
}

_undecided_numbers(key, v, op, statement) if {
	is_object(statement)
	some x in _as_list(v)
	is_number(x)
	_number_read(lower(key), x, op, statement.Effect) == "${Number}"
}

# A principal's !Sub whose variable is an unquoted account id (`!Sub ["arn:aws:iam::${Acct}:role/X",
# {Acct: 111111111111}]`): the variable stayed "${Acct}", known only at deploy time, and the
# trust let no one in. Where the variable is the whole account field of an ARN (or the whole
# principal), a twelve-digit number is read as that account: any other text YAML reads as the
# same number (`111111111111.0`, `0111111111111`, `1.11111111111e+11`) is no account id, and IAM
# refuses the principal, so the stack fails to deploy. A variable elsewhere (a role name
# `${Name}` given 123 may be the role `123.0`) stays known only at deploy time.
_principal_text(v) := _pseudo(strings.replace_n(
	object.union(
		{sprintf("${%s}", [name]): value | some name, value in args[1]; _literal_variable(value)},
		{sprintf("${%s}", [name]): format_int(value, 10) |
			some name, value in args[1]
			_account_id_number(value)
			_account_field(_pseudo(args[0]), sprintf("${%s}", [name]))
		},
	),
	args[0],
)) if {
	args := _sub_arguments(v)
} else := text if {
	text := _pieced_text(v)
} else := _joined_account(v)

_account_field(text, placeholder) if text == placeholder

_account_field(text, placeholder) if {
	fields := split(text, ":")
	count(fields) >= 6
	fields[0] == "arn"
	fields[4] == placeholder
	strings.count(text, placeholder) == 1
}

# `AWS: !Join ['', ['arn:aws:iam::', 111111111111, ':role/X']]` (unquoted) arrives with a number
# piece, which no reading of the pieces took: the trust let no one in. As the whole account field
# of an ARN (or the whole principal), a twelve-digit number is that account, as in an !Sub above.
# A Deny's principal so pieced stays undecided (deploy_time.rego).
_joined_account(v) := replace(text, _number_mark, format_int(found[0], 10)) if {
	_join_shaped(v)
	not _select_like(v)
	not _function_list(v[1])
	found := [x | some x in v[1]; is_number(x)]
	count(found) == 1
	_account_id_number(found[0])
	pieces := [p | some x in v[1]; p := _account_piece(x)]
	count(pieces) == count(v[1])
	text := concat(v[0], pieces)
	_account_field(text, _number_mark)
}

_account_piece(x) := _number_mark if is_number(x)

_account_piece(x) := _join_piece(x) if not is_number(x)

_number_mark := "${Number}"

# `AWS: !Select [0, [arn:...:role/X, other]]` (an unquoted index) arrives as [0, [...]]: the entry
# it picks (select.rego) is the principal, read as any other (an !Join, an !Sub, a number). A pick
# that is still a list or an object is another function (`!If [IsProd, a, b]` arrives as a list
# of the condition's name and both branches): it is not read, and the trust stays unknown. A
# Deny's principal so written stays undecided (deploy_time.rego).
_principal_pick(v) := text if {
	_readable_pick(v)
	text := _principal_text(_picked(v))
} else := value if {
	_readable_pick(v)
	value := _value(_picked(v))
	not is_array(value)
	not is_object(value)
}

# A pick read for certain: not from what may be an !Split (of what an import holds too), nor past
# an entry CloudFormation may drop (select.rego).
_readable_pick(v) if {
	is_array(v)
	not _split_pick(v)
	not _import_split_pick(v)
	not _compacted(v)
}
