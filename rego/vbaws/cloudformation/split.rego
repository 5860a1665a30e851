package vbaws.cloudformation

# `Action: !Split [",", "ec2:DescribeInstances,ec2:DescribeVolumes"]` as conftest's YAML parser
# leaves it: the list of the delimiter and the text. Read as a list, the delimiter would be an
# action (or resource, or principal) and the whole text one more, neither of which IAM takes,
# and a Deny so written would be refused instead of denying what it names. A list of two whose
# first entry is punctuation (no wildcards alone, which are an action or a resource of their own)
# is split as CloudFormation splits it (a Roles list is read in attachment.rego). A part with a
# placeholder could hold delimiters of its own, and text without the delimiter could be what a
# short-form tag leaves (`!Split [",", !ImportValue denied]` arrives as [",", "denied"]): either
# also stands for values chosen at deploy time, which a Deny's Action never reads literally.
_statement_split(v) := [_split_part(part) | some part in split(_text(v[1]), v[0])] if {
	_split_shaped(v)
	contains(_text(v[1]), v[0])
} else := [v[1], "${Fn::Split}"] if {
	_split_shaped(v)
} else := _long_split(v)

# A list of two whose second entry is a list is an !Join or an !Select, not an !Split.
_split_shaped(v) if {
	is_array(v)
	count(v) == 2
	is_string(v[0])
	regex.match(`^[^A-Za-z0-9]+$`, v[0])
	not regex.match(`^[*?]+$`, v[0])
	not is_array(v[1])
}

# `!Split [",", !ImportValue "ec2:CreateTags"]` arrives as [",", "ec2:CreateTags"], which cannot
# be told from the literal text: an export's name (letters, digits, colons and hyphens) may look
# like an action, an account's root ARN or a logical id, and the import holds anything. Read as
# the text, an Allow would grant, or a trust let in, what the import need not hold; it is read as
# the import only, never in a place where it would narrow a Deny (a Deny's Action is already
# undecided, and a deploy-time Resource or NotResource of a Deny is never "*"). So is such a name
# that holds the delimiter (`!Split ["-", !ImportValue "ec2:Foo-s3:Bar"]`): split as text, a
# Deny's Action named two actions the role need not have, when the import may hold any.
_field_split(v) := ["${Fn::ImportValue}", "${Fn::Split}"] if {
	_split_import(v)
} else := _statement_split(v)

_split_import(v) if {
	_split_shaped(v)
	is_string(v[1])
	regex.match(`^[\w.:-]+$`, v[1])
}

# `ManagedPolicyArns: !Split [",", !ImportValue VeeamPolicy]` arrives as [",", "VeeamPolicy"], as
# `!Split [",", !Ref VeeamPolicy]` does: the template's policy of that logical id may be attached,
# or the import's policies instead. Its Deny statements count; its Allow statements are unknown.
_split_import_policy(arns) := arns[1] if {
	_split_import(arns)
	arns[1] in _managed_policies
}

_split_import_policy(arns) := _split_arguments(arns)[1] if {
	_long_split(arns)[0] == "${Fn::ImportValue}"
	_split_arguments(arns)[1] in _managed_policies
}

_split_import_of(arns, id) if _split_import_policy(arns) == id

_entries contains [role, entry] if {
	some role in _roles
	arns := object.get(_properties(role), "ManagedPolicyArns", [])
	id := _split_import_policy(arns)
	reason := sprintf("ManagedPolicyArns !Split of %q could be an !ImportValue of that name", [id])
	some entry in _possible_entries(id, "managed", "ManagedPolicyName", reason)
}

# The long form, {"Fn::Split": [delimiter, text]}, is no list written out: CloudFormation splits
# the text, whatever the delimiter, in a condition value too (template.rego), where a short-form
# !Split cannot be told from a literal list of two values. Read as a call whose result is known
# only at deploy time, an Allow so written granted nothing and a trust let no one in. Text that
# could be what a short-form tag leaves (`Fn::Split: [",", !ImportValue accounts]` arrives as
# {"Fn::Split": [",", "accounts"]}), the delimiter in it or not, is read as above: as the import,
# never as the text.
_long_split(v) := ["${Fn::ImportValue}", "${Fn::Split}"] if {
	args := _split_arguments(v)
	regex.match(`^[\w.:-]+$`, args[1])
} else := [_split_part(part) | some part in split(args[1], args[0])] if {
	args := _split_arguments(v)
}

_split_arguments(v) := [args[0], _text(args[1])] if {
	args := _argument(v, "Fn::Split")
	is_array(args)
	count(args) == 2
	is_string(args[0])
	args[0] != ""
	is_string(_text(args[1]))
}

# A short-form !Split as a condition value (`aws:PrincipalAccount: !Split [",", "1...,2..."]`)
# arrives as [",", "1...,2..."], which cannot be told from a list of two values written out:
# unlike an action or a principal, a condition value "," is one IAM takes, and such a list
# lets no one in where the split would let in the appliance. It is read as the list; a warn
# names the keys, and how to make the template decidable.
_split_like_trust_values(role) := {key |
	doc := _properties(role).AssumeRolePolicyDocument
	walk(doc, [path, block])
	_condition_block_at(path)
	some key, v in block
	_may_be_split(v)
}

_may_be_split(v) if {
	_split_shaped(v)
	contains(_text(v[1]), v[0])
}

# (`aws:PrincipalAccount: !Split ["1", "111111111111"]`, or at "", arrives as ["1",
# "111111111111"]: read as the list it lets the appliance's account in, where the split does not)
_may_be_split(v) if {
	_split_texts(v)
	is_string(v[0])
	is_string(v[1])
	not _split_shaped(v)
	contains(v[1], v[0])
}
