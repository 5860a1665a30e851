package vbaws.iam.decision_test

import data.vbaws.iam.conditions
import data.vbaws.iam.decision
import data.vbaws.iam.policy

_context := conditions.role_context("arn:aws:iam::123456789012:role/Backup", {}, true)

_layer(name, statements) := decision.layer(
	name,
	[{"name": "p", "analysis": policy.analyze({"Version": "2012-10-17", "Statement": statements})}],
	_context,
)

_allow_all := {"Effect": "Allow", "Action": "*", "Resource": "*"}

test_allowed_in_every_layer if {
	decision.decide("ec2:CreateSnapshot", [_layer("identity", [_allow_all]), _layer("boundary", [_allow_all])]) == {
		"decision": "allowed",
	}
}

test_explicit_deny_anywhere_wins if {
	layers := [
		_layer("identity", [_allow_all]),
		_layer("scp:r-1", [_allow_all, {"Sid": "NoKms", "Effect": "Deny", "Action": "kms:*", "Resource": "*"}]),
	]
	decision.decide("kms:CreateGrant", layers) == {
		"decision": "explicit_deny",
		"blocked_by": ["scp:r-1"],
		"statement": "NoKms",
		"policy": "p",
	}
}

test_deny_not_action_denies_everything_else if {
	# tricky case 2
	layers := [_layer("identity", [_allow_all, {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*"}])]
	decision.decide("ec2:CreateSnapshot", layers).decision == "explicit_deny"
	decision.decide("iam:GetRole", layers) == {"decision": "allowed"}
}

test_implicit_deny_names_the_layers if {
	layers := [_layer("identity", [_allow_all]), _layer("boundary", [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}])]
	decision.decide("sqs:ListQueues", layers) == {"decision": "implicit_deny", "blocked_by": ["boundary"]}
	decision.decide("sqs:ListQueues", [_layer("identity", [])]) == {"decision": "implicit_deny", "blocked_by": ["identity"]}
}

test_boundary_with_only_denies_blocks_everything if {
	# tricky case 21
	layers := [_layer("identity", [_allow_all]), _layer("boundary", [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}])]
	decision.decide("ec2:CreateSnapshot", layers) == {"decision": "implicit_deny", "blocked_by": ["boundary"]}
}

test_resource_scoped_allow_is_conditional if {
	# tricky cases 8 and 9, literal reading
	layers := [_layer("identity", [{"Effect": "Allow", "Action": "ec2:*", "Resource": "arn:aws:ec2:*:*:*"}])]
	decision.decide("ec2:DescribeInstances", layers) == {
		"decision": "conditional",
		"reasons": ["allow is resource-scoped (not every resource)"],
	}
}

test_narrow_deny_does_not_deny_star_but_makes_it_conditional if {
	# tricky case 11
	layers := [_layer("identity", [_allow_all, {"Effect": "Deny", "Action": "ec2:DeleteSnapshot", "Resource": "arn:aws:ec2:*::snapshot/keep-*"}])]
	decision.decide("ec2:DeleteSnapshot", layers) == {
		"decision": "conditional",
		"reasons": ["deny is resource-scoped (not every resource)"],
	}
}

test_conditional_allow_and_deny_reasons if {
	layers := [
		_layer("identity", [{"Effect": "Allow", "Action": "ssm:*", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}]),
		_layer("scp:ou-1", [_allow_all, {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]),
	]
	decision.decide("ssm:SendCommand", layers) == {
		"decision": "conditional",
		"reasons": [
			"allow has Condition StringEquals aws:RequestedRegion",
			"scp:ou-1: deny has Condition BoolIfExists aws:MultiFactorAuthPresent",
		],
	}
}

test_condition_false_for_the_role_drops_the_statement if {
	other_account := {"StringEquals": {"aws:PrincipalAccount": "999999999999"}}
	layers := [_layer("identity", [
		_allow_all,
		{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": other_account},
	])]
	decision.decide("ec2:CreateSnapshot", layers) == {"decision": "allowed"}
	decision.decide("ec2:CreateSnapshot", [_layer("identity", [object.union(_allow_all, {"Condition": other_account})])]) == {
		"decision": "implicit_deny",
		"blocked_by": ["identity"],
	}
}

test_condition_true_for_the_role_is_unconditional if {
	layers := [_layer("identity", [object.union(
		_allow_all,
		{"Condition": {"StringEquals": {"aws:PrincipalAccount": "123456789012"}}},
	)])]
	decision.decide("ec2:CreateSnapshot", layers) == {"decision": "allowed"}
}

test_classify if {
	layers := [_layer("identity", [
		{"Effect": "Allow", "Action": ["ec2:CreateSnapshot", "ssm:SendCommand"], "Resource": "*"},
		{"Effect": "Deny", "Action": "kms:CreateGrant", "Resource": "*"},
		{"Effect": "Allow", "Action": "sqs:ListQueues", "Resource": "arn:aws:sqs:*:*:x"},
	])]
	result := decision.classify({"ec2:CreateSnapshot", "kms:CreateGrant", "sqs:ListQueues", "sns:ListTopics"}, layers)
	result.allowed == {"ec2:CreateSnapshot"}
	result.denied == {"kms:CreateGrant"}
	result.missing == {"sns:ListTopics"}
	result.conditional == {"sqs:ListQueues"}
}

test_missing_in_several_layers_names_each_of_them if {
	s3_only := [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]
	layers := [_layer("identity", s3_only), _layer("boundary", s3_only), _layer("scp:r-1", [_allow_all])]
	decision.decide_all({"sqs:ListQueues", "sns:ListTopics"}, layers) == {
		"sqs:ListQueues": {"decision": "implicit_deny", "blocked_by": ["identity", "boundary"]},
		"sns:ListTopics": {"decision": "implicit_deny", "blocked_by": ["identity", "boundary"]},
	}
}

test_missing_in_many_layers_is_explained_action_by_action if {
	nothing := [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]
	layers := [_layer(sprintf("scp:%d", [i]), nothing) | some i in numbers.range(1, 7)]
	decision.decide("sqs:ListQueues", layers) == {
		"decision": "implicit_deny",
		"blocked_by": ["scp:1", "scp:2", "scp:3", "scp:4", "scp:5", "scp:6", "scp:7"],
	}
}

test_denials_name_the_first_statement_and_every_denying_layer if {
	layers := [
		_layer("identity", [_allow_all, {"Sid": "NoKms", "Effect": "Deny", "Action": "kms:*", "Resource": "*"}]),
		_layer("boundary", [_allow_all, {"Sid": "NoGrants", "Effect": "Deny", "Action": "kms:CreateGrant", "Resource": "*"}]),
	]
	decision.decide_all({"kms:CreateGrant", "kms:ListKeys", "ec2:CreateSnapshot"}, layers) == {
		"kms:CreateGrant": {"decision": "explicit_deny", "blocked_by": ["identity", "boundary"], "statement": "NoKms", "policy": "p"},
		"kms:ListKeys": {"decision": "explicit_deny", "blocked_by": ["identity"], "statement": "NoKms", "policy": "p"},
		"ec2:CreateSnapshot": {"decision": "allowed"},
	}
}
