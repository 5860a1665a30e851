package vbaws.cloudformation

import data.vbaws.lib.values

# Values pieced together by !Join and by the variables of !Sub, in a Principal or a Condition.
#
# conftest's YAML parser turns `!Join ['', ['arn:', !Ref AWS::Partition, ':iam::...']]` into
# the list ["", ["arn:", "AWS::Partition", ":iam::..."]] and `!Sub [text, {Acct: '1'}]` into
# [text, {"Acct": "1"}]: read as lists, a trust would name no principal IAM knows and a
# condition would hold no value IAM takes. Each piece is read as the long form reads it:
# `!Ref AWS::Partition` (its name, short form) is _partition, a parameter, a resource attribute or
# any other pseudo parameter is "${...}", known only at deploy time.

# A short-form !Join: [delimiter, [pieces]], with every piece readable. A list of two is
# also the shape of a short-form !Select ([index, list], see attachment.rego) and of a list
# of two values whose second is a short-form !GetAtt, !If or !FindInMap: then it is no !Join.
# Nor is it read when its list may be a short-form !Split (two pieces, the first punctuation,
# select.rego): `!Join ['', !Split ['*', Role]]` arrives as ["", ["*", "Role"]], read as "*Role"
# where CloudFormation gives "Role", and an Allow's `StringLike: {aws:PrincipalArn: ...}` so
# read let the appliance in.
_short_join(v) := concat(v[0], pieces) if {
	_join_shaped(v)
	not _select_like(v)
	not _function_list(v[1])
	not _split_like(v[1])
	pieces := [p | some x in v[1]; p := _join_piece(x)]
	count(pieces) == count(v[1])
}

_join_shaped(v) if {
	is_array(v)
	count(v) == 2
	is_string(v[0])
	is_array(v[1])
}

# `!GetAtt [Role, Arn]`, `!If [...]` and `!FindInMap [...]` as conftest's YAML parser leaves them.
_function_list(list) if {
	count(list) == 2
	is_string(list[0])
	is_string(list[1])
	_resources[list[0]]
}

_function_list(list) if _short_form_if(list)

_function_list(list) if _find_in_map(list)

# The list of a long-form Fn::Join, when its pieces are what it joins: not a short-form function
# conftest's parser left as a list, as for the short form (`Fn::Join: ['', !Split ['*', Role]]`
# arrives as {"Fn::Join": ["", ["*", "Role"]]}, which CloudFormation joins to "Role").
_long_join_list(list) if {
	is_array(list)
	not _function_list(list)
	not _split_like(list)
}

# A piece of an !Join, short form or long. A short-form `!Ref X` or `!GetAtt X.Y` arrives as
# its name: read literally, a parameter's name would be a piece of the text.
_join_piece(x) := _pseudo(sprintf("${%s}", [x])) if {
	is_string(x)
	_deploy_time_name(x)
}

_join_piece(x) := _pseudo(x) if {
	is_string(x)
	not _deploy_time_name(x)
}

# `{"Ref": "AWS::Partition"}` is _partition, as "${AWS::Partition}" is in the text of an !Sub.
_join_piece(x) := _pseudo(_leaf(x)) if is_object(x)

# The arguments of an !Sub with a map of variables: {"Fn::Sub": [text, map]}, or [text, map]
# as conftest's YAML parser leaves the short form (a map that is no intrinsic function: the
# list [text, {"Ref": X}] is two values).
_sub_arguments(v) := args if {
	args := _argument(v, "Fn::Sub")
	_sub_shaped(args)
}

_sub_arguments(v) := v if {
	_sub_shaped(v)
	not _intrinsic(v[1])
}

_sub_shaped(args) if {
	is_array(args)
	count(args) == 2
	is_string(args[0])
	is_object(args[1])
}

# The text of an !Sub with each variable whose value is a literal string filled in. A value
# that is an intrinsic function (`!Ref X` arrives as "X", `!GetAtt` as "X.Y" or a list) stays
# "${Name}", known only at deploy time; so does a number, which YAML may have read otherwise
# than CloudFormation does (an account id with a leading zero).
_sub_text(args) := _pseudo(strings.replace_n(
	{sprintf("${%s}", [name]): value | some name, value in args[1]; _literal_variable(value)},
	args[0],
))

_literal_variable(value) if {
	is_string(value)
	not _deploy_time_name(value)
}

# The text of a value pieced together by a short-form !Join or by the variables of an !Sub.
_pieced_text(v) := _short_join(v)

_pieced_text(v) := _sub_text(_sub_arguments(v))

_pieced_text(v) := _scalar(v) if is_array(_argument(v, "Fn::Join"))

# Pieces that could each be what a short-form tag leaves: `!ImportValue blocked` arrives as
# "blocked", which cannot be told from a literal piece or variable. Read literally in a Deny,
# `!Join ['', ['arn:aws:iam::', !ImportValue blocked, ':root']]` would deny some other
# account, when the import may hold the appliance's. Read strictly (below), such a value
# stays unread.
_pieced(v) if _join_shaped(v)

_pieced(v) if count(_sub_arguments(v)[1]) > 0

# ... and the long form, whose pieces may be short-form tags too (`Fn::Join: ['', [arn:aws:iam::,
# !ImportValue blocked, ':root']]` arrives as {"Fn::Join": ["", ["arn:aws:iam::", "blocked",
# ":root"]]}): read as its text, a Deny's principal or condition denied some other account.
_pieced(v) if is_array(_argument(v, "Fn::Join"))

_unread(v, "strict") if _pieced(v)

_unread(v, "null") if _pieced(v)

# How the values of a condition operator are read. A value read literally that is what a
# short-form tag leaves names nothing the principal has: a positive operator (StringEquals,
# ArnLike) then does not hold, a negated one (StringNotEquals, ArnNotLike) does. In an Allow a
# condition that holds lets in more, in a Deny less: there, and in an Allow's negated operators
# (`StringNotEquals: {aws:PrincipalAccount: !ImportValue blocked}` would let the appliance in
# when the import holds its account), values are read strictly, never decided on such a reading.
_reading(op, effect) := "null" if {
	# A Null condition's values say whether a key is present ("true", "false"), not what it holds.
	_null_operator(op)
	effect == "Deny"
} else := "literal" if {
	_null_operator(op)
} else := "strict" if {
	effect == "Deny"
} else := "strict" if {
	effect == "Allow"
	contains(op, "Not")
} else := "literal"

# IAM's grammar takes a set prefix on Null too, and the engine reads `ForAnyValue:Null` as Null.
_null_operator(op) if regex.match(`^(?:(?i:foranyvalue|forallvalues):)?Null$`, op)

# The shapes read here, in a condition value (the whole value or one entry of a list).
_pieced_shape(v) if _join_shaped(v)

_pieced_shape(v) if _sub_arguments(v)

# (the long form too, when its text can be read: as its text, or strictly as a placeholder)
_pieced_shape(v) if {
	is_array(_argument(v, "Fn::Join"))
	_scalar(v)
}

# An account id written unquoted (`AWS: 111111111111`, or a JSON number) arrives as a float,
# which IAM's grammar and the engine refuse as a principal: twelve digits are the account id
# CloudFormation passes on. Any other number names no one that can be told (YAML reads
# `012345678901` as 12345678901, which CloudFormation keeps as written): in an Allow it lets no
# one in, and in a Deny or a NotPrincipal it stays undecided (deploy_time.rego).
_principal_numbers("AWS", values) := [_principal_number(x) | some x in values] if {
	is_array(values)
} else := _principal_number(values)

_principal_numbers(kind, values) := values if kind != "AWS"

_principal_number(x) := format_int(x, 10) if {
	_account_id_number(x)
} else := "${Number}" if {
	is_number(x)
} else := x

# A principal type's value (`AWS: !Join [...]`, an unquoted !Select, or a list with such entries).
_principal_values(v) := text if {
	text := _principal_text(v)
} else := pick if {
	pick := _principal_pick(v)
} else := [_principal_entry(x) | some x in v] if {
	is_array(v)
} else := _value(v)

_principal_entry(x) := text if {
	text := _principal_text(x)
} else := pick if {
	pick := _principal_pick(x)
} else := _value(x)

# A condition value pieced together: its text, or read strictly, or when it cannot be read (an
# !Select, whose pick is chosen at deploy time), a placeholder, never decided.
_pieced_condition_value(v, reading) := text if {
	not _unread(v, reading)
	text := _pieced_text(v)
} else := "${Fn::Sub}" if {
	_sub_arguments(v)
} else := "${Fn::Join}"

_decided(key, v, op, effect) := _decidable(key, values, reading) if {
	reading := _reading(op, effect)
	values := _numbers_read(lower(key), _condition_values(v, reading), op, effect)
}

# conftest's parsers hand a number over as a float, which the engine would compare as the text
# "1.11111111111e+11": `aws:PrincipalAccount: 111111111111` (unquoted) in a Deny never applied.
# CloudFormation passes a whole number on as its digits. But YAML may have read them otherwise
# than CloudFormation does (`012345678901` arrives as 12345678901, which CloudFormation keeps as
# the text "012345678901"; `0123456789012`, `1.23456789012e+11` and `123456789012.0` all arrive
# as 123456789012, which CloudFormation passes on as no account id): a number of a principal key
# the engine decides is undecided, unless it is an account id of twelve digits where its digits
# are the strict reading, a Deny's positive operator or an Allow's negated one. Read as the
# digits, `StringNotEquals` in a Deny would let the appliance in, and `StringEquals` in an Allow
# would let it in, when the text CloudFormation passes on is no account id.
_numbers_read(key, values, op, effect) := [_number_read(key, x, op, effect) | some x in values] if {
	is_array(values)
} else := _number_read(key, values, op, effect)

_number_read(key, x, op, effect) := "${Number}" if {
	is_number(x)
	_principal_number_key(key)
	_undecided_number(key, x, op, effect)
} else := format_int(x, 10) if {
	is_number(x)
	x == floor(x)
} else := x

# Read strictly, any number but an account id read as below; else (an Allow's positive operator)
# an account id but as below, since any other number names no account whatever text it was.
_undecided_number(key, x, op, effect) if {
	_reading(op, effect) == "strict"
	not _digits_read_strictly(key, x, op, effect)
}

_undecided_number(key, x, op, effect) if {
	not _null_operator(op)
	_account_number(key, x)
	not _digits_read_strictly(key, x, op, effect)
}

# An operator under which a value that names no account only takes away: a Deny's positive one
# (it does not apply), an Allow's negated one (it does not hold for the appliance's account).
_digits_read_strictly(key, x, op, effect) if {
	_account_number(key, x)
	effect == "Deny"
	not contains(op, "Not")
}

_digits_read_strictly(key, x, op, "Allow") if {
	_account_number(key, x)
	contains(op, "Not")
}

# Another account than every appliance's: no text CloudFormation may pass on is an appliance's
# account either, so the digits decide the trust check as that text would.
_digits_read_strictly(key, x, _, _) if {
	_account_number(key, x)
	not format_int(x, 10) in _appliance_accounts
	not "*" in _appliance_accounts
}

# The stack's partition (${AWS::Partition}) is known only at deploy time. A role can be
# assumed only from its own partition, so it is read as the partition of the appliance ARNs
# data.vbaws_config names, when they name one: a GovCloud trust written
# arn:${AWS::Partition}:iam::...:root then names the GovCloud appliance. Otherwise "aws".
default _partition := "aws"

_partition := p if {
	partitions := {split(principal, ":")[1] | some principal in _appliance_principals; startswith(principal, "arn:")}
	count(partitions) == 1
	some p in partitions
}

_appliance_principals contains principal if {
	principal := data.vbaws_config.appliance.principal
	is_string(principal)
}

_appliance_principals contains principal if {
	some entry in data.vbaws_config.roles
	principal := entry.appliance.principal
	is_string(principal)
}

# The accounts of the appliances data.vbaws_config names (for every role, or for one); "*" for
# one whose account cannot be read.
_appliance_accounts contains _appliance_account(principal) if {
	principal := data.vbaws_config.appliance.principal
}

_appliance_accounts contains _appliance_account(principal) if {
	some entry in data.vbaws_config.roles
	principal := entry.appliance.principal
}

_appliance_account(principal) := principal if {
	regex.match(`^[0-9]{12}$`, principal)
} else := account if {
	account := values.arn_account(principal)
} else := "*"

_principal_number_key(key) if key in object.keys(_principal_value_shapes)

_principal_number_key(key) if startswith(key, "aws:principaltag/")

_account_number("aws:principalaccount", x) if _account_id_number(x)

# A whole number of twelve digits: an account id, whose digits CloudFormation passes on.
_account_id_number(x) if {
	is_number(x)
	x == floor(x)
	x >= 100000000000
	x <= 999999999999
}

# A short-form `!ImportValue name` arrives as "name", which cannot be told from a literal. Read
# strictly, a value of a principal key the engine decides that no principal could have (an ARN
# key given no ARN, an account key no account id, ...) is such a leftover, or could be: read
# literally it would switch a Deny off or an Allow's negated operator on, so it stays undecided.
_decidable(key, values, "strict") := [_principal_value(lower(key), x) | some x in values] if {
	lower(key) in object.keys(_principal_value_shapes)
	is_array(values)
} else := _principal_value(lower(key), values) if {
	lower(key) in object.keys(_principal_value_shapes)
}

_decidable(key, values, reading) := values if {
	reading != "null"
	not _strict_principal_key(key, reading)
}

# A Deny's Null condition: "true" or "false" as written. Any other value is no answer IAM
# reads, and is what a short-form tag leaves or could be (`'Null': {aws:PrincipalArn:
# !ImportValue flag}` arrives as "flag"): read literally the Deny would never apply, when the
# import may hold "false" (or "true" for a key a role never has, aws:username), so it stays
# undecided.
_decidable(_, values, "null") := [_null_value(x) | some x in values] if {
	is_array(values)
} else := _null_value(values)

_null_value(x) := "${Fn::ImportValue}" if {
	not lower(sprintf("%v", [x])) in {"true", "false"}
	not contains(sprintf("%v", [x]), "${")
} else := x

_strict_principal_key(key, "strict") if lower(key) in object.keys(_principal_value_shapes)

_principal_value(key, x) := "${Fn::ImportValue}" if {
	is_string(x)
	not regex.match(_principal_value_shapes[key], x)
	not contains(x, "${")
} else := x

# What a value of each principal key the engine decides can look like (wildcards allowed).
_principal_value_shapes := {
	"aws:principalarn": `^(?:arn:.*|[*?]+)$`,
	"aws:principalaccount": `^[0-9*?]{1,12}$`,
	"aws:principaltype": `^(?i:[*?]+|Account|User|FederatedUser|AssumedRole|Anonymous|AWSService)$`,
	"aws:principalisawsservice": `^(?i:true|false)$`,
}
