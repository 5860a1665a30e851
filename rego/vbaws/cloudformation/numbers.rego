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
