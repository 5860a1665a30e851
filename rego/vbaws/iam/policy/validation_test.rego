package vbaws.iam.policy_test

import data.vbaws.iam.policy

# Every operator IAM knows, built from IAM's own list rather than from the regex under test.
_operators := {concat("", [qualifier, name, suffix]) |
	some qualifier in ["", "ForAllValues:", "ForAnyValue:"]
	some name in _operator_names
	some suffix in ["", "IfExists"]
} | {concat("", [qualifier, "Null"]) | some qualifier in ["", "ForAllValues:", "ForAnyValue:"]}

_operator_names := {concat("", [kind, comparison]) |
	some kind in ["Numeric", "Date"]
	some comparison in ["Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals"]
} | {
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
	"StringLike", "StringNotLike", "Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
	"ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike",
}

test_every_condition_operator_is_known if {
	count(_operators) == 159
	every operator in _operators {
		regex.match(policy._condition_operator, operator)
	}
}

test_near_misses_of_operators_are_unknown if {
	near_misses := {
		"NullIfExists", "StringEqualsIfExistsIgnoreCase", "stringequals", "StringEqual",
		"ForAllValue:StringEquals", "ForAnyValues:StringLike", "NumericLessThanEqual",
		"IfExists", "ForAllValues:", "StringNotIgnoreCase", "DateLike", "ArnNotLikeIfExist",
	}
	every operator in near_misses {
		not regex.match(policy._condition_operator, operator)
	}
}

# Statements in the spellings the managed policies use: the whole-document regex takes them.
_plain := [
	{"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"},
	{"Sid": "A", "Effect": "Deny", "NotAction": ["iam:*", "s3:Get*"], "NotResource": ["arn:aws:s3:::b/*"]},
	{"Effect": "Allow", "Action": ["*"], "Resource": ["arn:aws:kms:*:*:key/*", "*"], "Condition": {
		"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-west-2"], "kms:ViaService": "ec2.amazonaws.com"},
		"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": []},
		"Bool": {"aws:SecureTransport": true},
		"NumericLessThanEquals": {"aws:MultiFactorAuthAge": -3600.5},
		"Null": {"aws:ResourceTag/team": "false"},
	}},
	{"Effect": "Allow", "Action": "ec2:*", "Resource": "arn:aws:ec2:*:*:instance/${aws:username}"},
]

# Statements the regex must leave to the statement-by-statement check: invalid ones...
_unusual_invalid := [
	{"Effect": "allow", "Action": "ec2:X", "Resource": "*"},
	{"Effect": "Allow", "Action": "ec2:X", "NotAction": "ec2:Y", "Resource": "*"},
	{"Effect": "Allow", "Resource": "*"},
	{"Effect": "Allow", "Action": "ec2:X"},
	{"Effect": "Allow", "Action": "ec2:X", "Resource": "*", "Principal": "*"},
	{"Effect": "Allow", "Action": "ec2*", "Resource": "*"},
	{"Effect": "Allow", "Action": "e?2:X", "Resource": "*"},
	{"Effect": "Allow", "Action": "ec2:X:Y", "Resource": "*"},
	{"Effect": "Allow", "Action": "ec2:X\nkms:Y", "Resource": "*"},
	{"Effect": "Allow", "Action": ["ec2:X", 1], "Resource": "*"},
	{"Effect": "Allow", "Action": [["ec2:X"]], "Resource": "*"},
	{"Effect": "Allow", "Action": ["ec2:X", ""], "Resource": "*"},
	{"Effect": "Allow", "NotAction": [""], "Resource": "*"},
	{"Effect": "Allow", "Action": "ec2:X", "NotResource": []},
	{"Effect": "Allow", "Action": "ec2:X", "Resource": "bucket"},
	{"Effect": "Allow", "Action": "ec2:X", "Resource": "*", "Sid": 7},
	{"Effect": "Allow", "Action": "ec2:X", "Resource": "*", "Condition": {"stringequals": {"a:b": "c"}}},
	{"Effect": "Allow", "Action": "ec2:X", "Resource": "*", "Condition": {"NullIfExists": {"a:b": "true"}}},
	{"Effect": "Allow", "Action": "ec2:X", "Resource": "*", "Condition": {"Bool": {"a:b": null}}},
	{"Effect": "Allow", "Action": "ec2:X", "Resource": "*", "Condition": {"Bool": {"a:b": {"c": "d"}}}},
	{"Effect": "Allow", "Action": "ec2:X", "Resource": "*", "Condition": {"Bool": {"a:b": [["true"]]}}},
	{"Effect": "Allow", "Action": "ec2:X", "Resource": "*", "Condition": {"Bool": "true"}},
	{"Effect": "Allow", "Action": "ec2:X", "Resource": "*", "Condition": "aws:SecureTransport"},
]

# ...and valid ones in spellings it does not take.
_unusual_valid := [
	{"Effect": "Allow", "Action": [], "Resource": "*"},
	{"Effect": "Allow", "Action": "ec2:X", "Resource": "arn:aws:s3:::a\"b"},
	{"Effect": "Allow", "Action": "ec2:X", "Resource": "arn:aws:s3:::a<b"},
	{"Effect": "Allow", "Action": "ec2:X", "Resource": "*", "Condition": {}},
	{"Effect": "Allow", "Action": "ec2:X", "Resource": "*", "Condition": {"StringEquals": {}}},
]

_unusual := array.concat(_unusual_invalid, _unusual_valid)

test_plain_statements_take_the_whole_document_regex if {
	regex.match(policy._well_formed_document, json.marshal(_plain))
	every statement in _plain {
		regex.match(policy._well_formed_document, json.marshal([statement]))
	}
	policy.invalid_statements(_plain) == {}
}

test_the_whole_document_regex_takes_only_well_formed_statements if {
	every statement in _unusual {
		not regex.match(policy._well_formed_document, json.marshal([statement]))
		not regex.match(policy._well_formed_document, json.marshal(array.concat(_plain, [statement])))
	}
}

# One unusual statement among plain ones: the document goes statement by statement, and
# exactly the statements that are invalid there are reported, at their positions.
test_a_document_with_one_unusual_statement_is_checked_statement_by_statement if {
	every statement in _unusual {
		statements := array.concat(_plain, [statement])
		invalid := policy.invalid_statements(statements)
		expected := {i | some i, s in statements; not policy._well_formed(s, "identity"); count(policy.statement_errors(s, i, "identity")) > 0}
		object.keys(invalid) == expected
	}
	every statement in _unusual_invalid {
		not policy._well_formed(statement, "identity")
	}
	every statement in _unusual_valid {
		policy._well_formed(statement, "identity")
	}
}

test_sid_must_be_a_string if {
	policy.statement_errors({"Sid": 7, "Effect": "Allow", "Action": "ec2:X", "Resource": "*"}, 0, "identity") == {"statement 1: Sid must be a string, got 7"}
	trust := {"Sid": ["a"], "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::1:root"}}
	policy.statement_errors(trust, 1, "trust") == {`statement 2: Sid must be a string, got ["a"]`}
}

# Keys that differ only in case are one key twice. The whole-document regex cannot see case,
# so the check beside it must catch them, in identity and trust statements alike.
test_condition_keys_that_differ_only_in_case_are_one_key_twice if {
	twice := {"Effect": "Deny", "Action": "kms:*", "Resource": "*", "Condition": {"StringNotEquals": {
		"aws:PrincipalArn": "arn:aws:iam::123456789012:role/Admin",
		"AWS:PrincipalArn": "arn:aws:iam::123456789012:role/Backup",
	}}}
	regex.match(policy._well_formed_document, json.marshal([twice]))
	not policy._well_formed(twice, "identity")
	policy.invalid_statements(array.concat(_plain, [twice])) == {4: [`statement 5: Condition StringNotEquals names key "aws:principalarn" more than once (condition keys ignore case)`]}

	# the same key under two operators is usual and valid
	two_operators := {"Effect": "Allow", "Action": "ec2:X", "Resource": "*", "Condition": {
		"StringEquals": {"aws:RequestedRegion": "eu-west-1"},
		"StringLike": {"AWS:RequestedRegion": "eu-*"},
	}}
	policy.invalid_statements([two_operators]) == {}

	trust := {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Condition": {"StringEquals": {"sts:ExternalId": "a", "STS:ExternalId": "b"}}}
	policy.statement_errors(trust, 0, "trust") == {`statement 1: Condition StringEquals names key "sts:externalid" more than once (condition keys ignore case)`}
}
