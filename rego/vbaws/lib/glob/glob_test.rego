package vbaws.lib.glob_test

import data.vbaws.lib.glob

test_has_wildcard if {
	glob.has_wildcard("ec2:Describe*")
	glob.has_wildcard("s3:Get?bject")
	not glob.has_wildcard("ec2:CreateSnapshot")
}

test_star_crosses_colons_and_dots if {
	glob.matches("*", "arn:aws:s3:::bucket.name/key")
	glob.matches("arn:aws:s3:::*", "arn:aws:s3:::a.b/c")
}

test_question_mark_is_one_character if {
	glob.matches_ignore_case("s3:Get?bject", "s3:GetObject")
	not glob.matches_ignore_case("s3:Get?bject", "s3:GetObbject")
}

test_case_rules if {
	glob.matches_ignore_case("IAM:createUSER", "iam:CreateUser")
	not glob.matches("arn:aws:iam::1:role/X", "arn:aws:iam::1:role/x")
}

test_glob_syntax_is_literal if {
	glob.matches("role/a[b]{c}", "role/a[b]{c}")
	not glob.matches("role/a[bc]", "role/ab")
	not glob.matches("{a,b}", "a")
}

test_infix_wildcards if {
	glob.matches_ignore_case("ec2:*Snapshot*", "ec2:CreateSnapshots")
	glob.matches_ignore_case("ec2:*Snapshot*", "ec2:DescribeSnapshotAttribute")
	not glob.matches_ignore_case("ec2:DescribeInstance*", "ec2:DescribeImages")
}
