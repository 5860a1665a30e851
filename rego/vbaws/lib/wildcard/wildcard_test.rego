package vbaws.lib.wildcard_test

import data.vbaws.lib.wildcard

test_has_wildcard if {
	wildcard.has_wildcard("ec2:Describe*")
	wildcard.has_wildcard("s3:Get?bject")
	not wildcard.has_wildcard("ec2:CreateSnapshot")
}

test_star_crosses_colons_and_dots if {
	wildcard.matches("*", "arn:aws:s3:::bucket.name/key")
	wildcard.matches("arn:aws:s3:::*", "arn:aws:s3:::a.b/c")
}

test_question_mark_is_one_character if {
	wildcard.matches_ignore_case("s3:Get?bject", "s3:GetObject")
	not wildcard.matches_ignore_case("s3:Get?bject", "s3:GetObbject")
}

test_case_rules if {
	wildcard.matches_ignore_case("IAM:createUSER", "iam:CreateUser")
	not wildcard.matches("arn:aws:iam::1:role/X", "arn:aws:iam::1:role/x")
}

test_glob_syntax_is_literal if {
	wildcard.matches("role/a[b]{c}", "role/a[b]{c}")
	not wildcard.matches("role/a[bc]", "role/ab")
	not wildcard.matches("{a,b}", "a")
}

test_infix_wildcards if {
	wildcard.matches_ignore_case("ec2:*Snapshot*", "ec2:CreateSnapshots")
	wildcard.matches_ignore_case("ec2:*Snapshot*", "ec2:DescribeSnapshotAttribute")
	not wildcard.matches_ignore_case("ec2:DescribeInstance*", "ec2:DescribeImages")
}
