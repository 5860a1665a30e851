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
}

# A list of two whose second entry is a list is an !Join or an !Select, not an !Split.
_split_shaped(v) if {
	is_array(v)
	count(v) == 2
	is_string(v[0])
	regex.match(`^[^A-Za-z0-9]+$`, v[0])
	not regex.match(`^[*?]+$`, v[0])
	not is_array(v[1])
}
