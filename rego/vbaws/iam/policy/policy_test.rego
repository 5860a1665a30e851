package vbaws.iam.policy_test

import data.vbaws.iam.policy

_allow(action) := {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}

# Statements that match no catalog action are validated but not listed.
_actions(document) := union({s.actions | some s in policy.analyze(document).statements})

test_catalog_holds_both_sets if {
	count(policy.catalog_actions) == 78
	"ec2:CreateSnapshot" in policy.catalog_actions
	"sqs:SendMessage" in policy.catalog_actions
}

test_catalog_actions_are_plain_iam_action_names if {
	# The matching regexes are built from these names without escaping.
	every action in policy.catalog_actions {
		regex.match(`^[a-z0-9-]+:[A-Za-z0-9]+$`, action)
	}
}

test_literal_action_is_case_insensitive if {
	_actions(_allow("EC2:createSNAPSHOT")) == {"ec2:CreateSnapshot"}
}

test_prefix_wildcard_stops_at_the_name if {
	# tricky case 4: DescribeInstance* does not reach DescribeImages
	_actions(_allow("ec2:DescribeInstance*")) == {
		"ec2:DescribeInstanceAttribute",
		"ec2:DescribeInstanceTypes",
		"ec2:DescribeInstances",
	}
}

test_infix_wildcard if {
	# tricky case 5
	_actions(_allow("ec2:*Snapshot*")) == {
		"ec2:CopySnapshot", "ec2:CreateSnapshot", "ec2:CreateSnapshots", "ec2:DeleteSnapshot",
		"ec2:DescribeSnapshotAttribute", "ec2:DescribeSnapshots", "ec2:ModifySnapshotAttribute",
	}
}

test_question_mark_matches_one_character if {
	# tricky case 6
	_actions(_allow("ec2:CreateSnapsho?")) == {"ec2:CreateSnapshot"}
}

test_star_and_other_services if {
	_actions(_allow("*")) == policy.catalog_actions
	_actions(_allow("**")) == policy.catalog_actions
	_actions(_allow("s3:*")) == set()
	_actions(_allow("ec:*")) == set()
}

test_actions_outside_the_grammar_are_invalid if {
	# The service prefix is compared for equality (IAM-SEMANTICS.md §2): a wildcard in it
	# matches no service, so "*:*" spelled any other way must not pass as a grant either.
	invalid := ["**:*", "*:**", "?*:*", "e?2:*", "e*:List*", "ec2*", "ec2", "ec2:a:b", ":*", "ec2:"]
	every action in invalid {
		analysed := policy.analyze({"Statement": [
			{"Effect": "Allow", "Action": ["sns:Subscribe", action], "Resource": "*"},
			{"Effect": "Deny", "NotAction": action, "Resource": "*"},
		]})
		analysed.statements == []
		analysed.errors == [sprintf("statement %d: %s %s is not a valid action: it must be \"*\" or service:name, with no wildcard in the service", [i, key, json.marshal(action)]) |
			some [i, key] in [[1, "Action"], [2, "NotAction"]]
		]
	}
}

test_unknown_elements_are_invalid if {
	# A misspelt Condition must not turn a conditional Allow into an unconditional one.
	analysed := policy.analyze({"Statement": [
		{"Effect": "Allow", "Action": "ec2:*", "Resource": "*", "Condtion": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
		{"Sid": "Fine", "Effect": "Allow", "Action": "sns:Subscribe", "Resource": "*", "Condition": {}},
	]})
	analysed.errors == [
		"statement 1: unknown element \"Condtion\"",
	]
	[s.sid | some s in analysed.statements] == ["Fine"]
}

test_line_breaks_and_empty_exclusions_are_invalid if {
	# Patterns are matched as lines of one string: an entry must not become two.
	analysed := policy.analyze({"Statement": [
		{"Effect": "Allow", "Action": "s3:Get\nec2:*", "Resource": "*"},
		{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::x\n*"},
		{"Effect": "Allow", "NotAction": [], "Resource": "*"},
		{"Effect": "Allow", "Action": "ec2:*", "NotResource": []},
		{"Effect": "Allow", "NotAction": [""], "Resource": "*"},
		{"Effect": "Allow", "NotAction": ["", ""], "Resource": "*"},
		{"Effect": "Allow", "Action": "*", "NotResource": ["", ""]},
	]})
	analysed.statements == []
	analysed.errors == [
		"statement 1: Action value \"s3:Get\\nec2:*\" contains a line break",
		"statement 2: Resource value \"arn:aws:s3:::x\\n*\" contains a line break",
		"statement 3: NotAction is empty (it would exclude nothing)",
		"statement 4: NotResource is empty (it would exclude nothing)",
		"statement 5: NotAction is empty (it would exclude nothing)",
		"statement 6: NotAction is empty (it would exclude nothing)",
		"statement 7: NotResource is empty (it would exclude nothing)",
	]
}

test_not_action_matches_everything_else if {
	# tricky case 1
	analysed := policy.analyze({"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}})
	actions := analysed.statements[0].actions
	"ec2:RunInstances" in actions
	not "iam:GetRole" in actions
	count(actions) == count(policy.catalog_actions) - 8
}

test_resource_scopes if {
	scopes := [policy.analyze({"Statement": [object.union({"Effect": "Allow", "Action": "ec2:*"}, r)]}).statements[0].resource |
		some r in [
			{"Resource": "*"},
			{"Resource": ["arn:aws:ec2:*:*:volume/*", "*"]},
			{"Resource": "arn:aws:ec2:*:*:*"},
			{"Resource": "arn:aws:iam::*:user/${aws:username}"},
			{"Resource": []},
			{"NotResource": "arn:aws:s3:::x"},
			{"NotResource": "*"},
		]
	]
	scopes == ["all", "all", "some", "some", "none", "all", "none"]
}

# An Allow whose NotResource may exclude resources the catalog actions act on does not grant
# them on every resource: "arn:aws:ec2:*:*:volume/*" leaves ec2:CreateSnapshot without the
# volumes it snapshots, though the request resource "*" is covered. A Deny keeps its reading.
test_allow_not_resource_excluding_catalog_resources_is_partial if {
	scopes := [policy.analyze({"Statement": [object.union({"Effect": "Allow", "Action": "ec2:*"}, r)]}).statements[0].resource |
		some r in [
			{"NotResource": "arn:aws:ec2:*:*:volume/*"},
			{"NotResource": "arn:*"},
			{"NotResource": ["arn:aws:s3:::x", "arn:aws:*:*:*:*"]},
			{"NotResource": "arn:aws-cn:iam::123456789012:role/Admin"},
			{"NotResource": "arn:aws?:s3:::x"},
			{"NotResource": "arn:aws:s3:::x"},
			{"NotResource": ["arn:aws:s3:::x", "arn:aws:ec2messages:*:*:*"]},
			{"NotResource": ["arn:aws:ec2:*:*:volume/*", "*"]},
		]
	]
	scopes == ["some", "some", "some", "some", "some", "all", "all", "none"]
	deny := policy.analyze({"Statement": {"Effect": "Deny", "Action": "ec2:*", "NotResource": "arn:*"}})
	deny.statements[0].resource == "all"
}

test_empty_statement_list_grants_nothing if {
	analysed := policy.analyze({"Version": "2012-10-17", "Statement": []})
	analysed.statements == []
	analysed.errors == []
	analysed.summary.allow_any == set()
	analysed.conditioned == []
}

test_sid_is_kept if {
	analysed := policy.analyze({"Statement": [{"Sid": "Kms", "Effect": "Deny", "Action": "kms:*", "Resource": "*"}]})
	analysed.statements[0].sid == "Kms"
	analysed.statements[0].effect == "Deny"
	analysed.statements[0].condition == {}
}

test_invalid_statements_are_reported_and_left_out if {
	analysed := policy.analyze({"Version": "2012-10-17", "Statement": [
		{"Effect": "allow", "Action": "ec2:*", "Resource": "*"},
		{"Sid": "Both", "Effect": "Allow", "Action": "ec2:*", "NotAction": "iam:*", "Resource": "*"},
		{"Effect": "Allow", "Action": "ec2:*"},
		{"Effect": "Allow", "Action": "*:*", "Resource": "*"},
		{"Effect": "Allow", "Action": ["ec2:*", 7], "Resource": "*"},
		{"Action": "ec2:*", "Resource": "*"},
		"not a statement",
		{"Effect": "Allow", "Resource": "*"},
		{"Effect": "Allow", "Action": "ec2:*", "Resource": "*", "NotResource": "x", "Principal": "*"},
		{"Effect": "Allow", "Action": "ec2:*", "Resource": [1], "Condition": "no"},
		{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
		{"Effect": "Deny", "Action": "sqs:*", "Resource": "*", "Condition": {
			"StringEquals": {"aws:PrincipalArn": null, "aws:PrincipalAccount": ["1", {"a": 1}], "aws:userid": ["2", 3, true]},
			"Bool": "true",
		}},
	]})
	analysed.errors == [
		"statement 1: Effect must be exactly \"Allow\" or \"Deny\", got \"allow\"",
		"statement 2 (Sid \"Both\"): has both Action and NotAction",
		"statement 3: has neither Resource nor NotResource",
		"statement 4: Action \"*:*\" is not a valid action (undocumented; IAM Access Analyzer rejects it)",
		"statement 5: Action value 7 is not a string",
		"statement 6: has no Effect",
		"statement 7 is not an object",
		"statement 8: has neither Action nor NotAction",
		"statement 9: NotResource \"x\" is not a valid resource: it must be an ARN (arn:...) or \"*\"",
		"statement 9: Principal is not allowed in an identity policy",
		"statement 9: has both Resource and NotResource",
		"statement 10: Condition must be an object",
		"statement 10: Resource value 1 is not a string",
		"statement 12: Condition Bool must be an object of condition keys, got \"true\"",
		"statement 12: Condition StringEquals aws:PrincipalAccount: values must be strings, numbers or Booleans, or lists of them, got [\"1\",{\"a\":1}]",
		"statement 12: Condition StringEquals aws:PrincipalArn: values must be strings, numbers or Booleans, or lists of them, got null",
	]
	[s.actions | some s in analysed.statements] == [{"sqs:SendMessage"}]
}

# IAM refuses these; read leniently, each would silently drop a Deny or widen an Allow.
test_elements_outside_iam_grammar_are_invalid if {
	analysed := policy.analyze({"Statement": [
		{"Effect": "Allow", "Action": "*", "Resource": "*"},
		{"Effect": "Deny", "Action": null, "Resource": "*"},
		{"Effect": "Deny", "NotAction": {"a": 1}, "Resource": "*"},
		{"Effect": "Deny", "Action": "kms:*", "Resource": null},
		{"Effect": "Allow", "Action": "kms:*", "NotResource": "shared-excluded"},
		{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"stringnotequals": {"aws:username": "x"}}},
		{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"NullIfExists": {"aws:username": "true"}}},
		{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "x"}}},
	]})
	analysed.errors == [
		"statement 2: Action must be a string or a list of strings, got null",
		"statement 3: NotAction must be a string or a list of strings, got {\"a\":1}",
		"statement 4: Resource must be a string or a list of strings, got null",
		"statement 5: NotResource \"shared-excluded\" is not a valid resource: it must be an ARN (arn:...) or \"*\"",
		"statement 6: Condition operator \"stringnotequals\" is not an IAM condition operator",
		"statement 7: Condition operator \"NullIfExists\" is not an IAM condition operator",
	]
	[s.effect | some s in analysed.statements] == ["Allow", "Deny"]
}

test_document_errors if {
	policy.document_errors({"Version": "2012-10-18", "Statement": [], "Extra": 1}) == {
		"unknown top-level element \"Extra\"",
		"Version \"2012-10-18\" is not 2012-10-17 or 2008-10-17",
	}
	policy.analyze({"Version": "2012-10-17"}).errors == ["has no Statement"]
	policy.analyze({"Statement": "x"}).errors == ["Statement must be an object or a list of objects"]
}

test_trust_statement_rules if {
	policy.statement_errors({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*"}, 0, "trust") == set()
	policy.statement_errors({"Effect": "Allow", "Action": "sts:AssumeRole", "NotPrincipal": {"AWS": "1"}}, 1, "trust") == {
		"statement 2: NotPrincipal is not allowed in a trust policy",
	}
	policy.statement_errors({"Effect": "Allow", "Action": "sts:AssumeRole"}, 0, "trust") == {"statement 1: has no Principal"}
	policy.statement_errors({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": ["1", "2"], "Service": "ec2.amazonaws.com"}}, 0, "trust") == set()

	# A Deny naming its principals in a shape IAM refuses must not quietly deny nobody.
	policy.statement_errors({"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"AWS": [111111111111]}}, 2, "trust") == {
		"statement 3: Principal must be \"*\" or an object of strings or lists of strings, got {\"AWS\":[111111111111]}",
	}
	policy.statement_errors({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "arn:aws:iam::1:root"}, 0, "trust") == {
		"statement 1: Principal must be \"*\" or an object of strings or lists of strings, got \"arn:aws:iam::1:root\"",
	}
}

# Each of these, read leniently, would drop a condition or make a Deny match nobody.
test_trust_statements_outside_iam_grammar if {
	assume := {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::111111111111:role/Imp"}}
	policy.statement_errors(object.union(assume, {"Condtion": {"StringEquals": {"sts:ExternalId": "x"}}}), 0, "trust") == {
		"statement 1: unknown element \"Condtion\"",
	}
	policy.statement_errors(object.union(assume, {"Resource": "*"}), 0, "trust") == {
		"statement 1: Resource is not allowed in a trust policy",
	}
	policy.statement_errors(object.union(assume, {"Effect": "Deny", "Principal": {"aws": "*"}}), 0, "trust") == {
		"statement 1: Principal type \"aws\" is not one of AWS, Service, Federated, CanonicalUser",
	}
	policy.statement_errors(object.union(assume, {"Principal": {"AWS": ["111111111111", "arn:aws:iam::111111111111:role/*"]}}), 0, "trust") == {
		"statement 1: Principal AWS \"arn:aws:iam::111111111111:role/*\" has a wildcard (only \"*\" alone is allowed)",
	}
	policy.statement_errors(object.union(assume, {"Action": null}), 0, "trust") == {
		"statement 1: Action must be a string or a list of strings, got null",
	}
	policy.statement_errors(object.union(assume, {"Principal": {"AWS": "*"}, "Sid": "Any"}), 0, "trust") == set()
}

test_summary_splits_plain_and_conditioned_statements if {
	analysed := policy.analyze({"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "ec2:CreateSnapshot", "Resource": "*"},
		{"Effect": "Allow", "Action": "ec2:DeleteSnapshot", "Resource": "arn:aws:ec2:*::snapshot/*"},
		{"Sid": "NoKms", "Effect": "Deny", "Action": "kms:CreateGrant", "Resource": "*"},
		{"Effect": "Deny", "Action": "kms:ListKeys", "Resource": "arn:aws:kms:*:*:key/x"},
		{"Effect": "Allow", "Action": "sqs:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
		{"Effect": "Allow", "Action": "sns:*", "Resource": []},
		{"Effect": "Allow", "Action": "ssm:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "x"}}},
		{"Effect": "Deny", "Action": "ebs:*", "Resource": "*", "Condition": {"StringEquals": {"aws:username": "x"}}},
	]})
	analysed.summary.allow_full == {"ec2:CreateSnapshot"}
	analysed.summary.allow_any == {"ec2:CreateSnapshot", "ec2:DeleteSnapshot"} | {a | some a in policy.catalog_actions; startswith(a, "sqs:")}
	analysed.summary.deny_full == {"kms:CreateGrant"}
	analysed.summary.deny_any == {"kms:CreateGrant", "kms:ListKeys"}
	[s.sid | some s in analysed.summary.full_denies] == ["NoKms"]
	[[s.sid, s.unknown_conditions] | some s in analysed.summary.partial_allows] == [
		["statement 2", []],
		["statement 5", ["Bool aws:SecureTransport"]],
	]
	[s.sid | some s in analysed.summary.partial_denies] == ["statement 4"]

	# only conditions on principal keys are left for each role to decide; aws:username is
	# absent for every role, so that Deny never applies
	[s.sid | some s in analysed.conditioned] == ["statement 7"]
	not "ebs:ListChangedBlocks" in analysed.summary.deny_any
}
