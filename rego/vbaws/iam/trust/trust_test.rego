package vbaws.iam.trust_test

import data.vbaws.iam.trust

_role := "arn:aws:iam::123456789012:role/Backup"

_appliance := "arn:aws:iam::111111111111:role/Impersonation"

_trust(statements) := {"Version": "2012-10-17", "Statement": statements}

_allow(principal) := {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}

_cross_account := {
	"id": "VBAWS-TRUST-CROSS-ACCOUNT",
	"severity": "info",
	"message": "the appliance arn:aws:iam::111111111111:role/Impersonation is in account 111111111111, the role in account 123456789012: the appliance's own identity policy must also allow sts:AssumeRole on arn:aws:iam::123456789012:role/Backup (cross-account)",
}

test_appliance_forms if {
	trust.appliance("111111111111") == {"account": "111111111111", "arn": null}
	trust.appliance("arn:aws:iam::111111111111:root") == {"account": "111111111111", "arn": null}
	trust.appliance(_appliance) == {"account": "111111111111", "arn": _appliance}
	not trust.appliance("Impersonation")
}

test_a_session_of_the_appliance_role_is_that_role if {
	session := "arn:aws:sts::111111111111:assumed-role/Impersonation/i-0abc"
	trust.appliance(session) == {"account": "111111111111", "arn": session, "role_name": "Impersonation"}
	every principal in [_appliance, "arn:aws:iam::111111111111:role/veeam/Impersonation", session] {
		trust.assess(_trust([_allow({"AWS": principal})]), session, _role).appliance_can_assume
	}
	every principal in ["arn:aws:iam::111111111111:role/Other", "arn:aws:iam::222222222222:role/Impersonation"] {
		not trust.assess(_trust([_allow({"AWS": principal})]), session, _role).appliance_can_assume
	}
}

test_named_role_cross_account if {
	trust.assess(_trust([_allow({"AWS": _appliance})]), _appliance, _role) == {
		"checked": true,
		"appliance_can_assume": true,
		"conditions": [],
		"findings": [_cross_account],
	}
}

test_wildcards_and_account_principals if {
	every principal in ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::111111111111:root"]}, {"AWS": "111111111111"}] {
		trust.assess(
			_trust([{"Effect": "Allow", "Principal": principal, "Action": "sts:*"}]),
			_appliance,
			_role,
		).appliance_can_assume
	}
}

test_other_principals_do_not_match if {
	result := trust.assess(
		_trust([_allow({"AWS": "arn:aws:iam::111111111111:role/Other", "Service": "ec2.amazonaws.com"})]),
		_appliance,
		_role,
	)
	result.appliance_can_assume == false
	result.findings == [{
		"id": "VBAWS-TRUST",
		"severity": "error",
		"message": "the trust policy does not let arn:aws:iam::111111111111:role/Impersonation call sts:AssumeRole on this role (no Allow statement names it)",
	}]
}

# An account root names that account only: another account's root, or a role there, lets in
# none of the appliance's account.
test_another_account_root_does_not_let_the_appliance_in if {
	every principal in [{"AWS": "arn:aws:iam::999999999999:root"}, {"AWS": "999999999999"}] {
		result := trust.assess(_trust([_allow(principal)]), _appliance, _role)
		result.appliance_can_assume == false
		[f.id | some f in result.findings] == ["VBAWS-TRUST"]
	}
	not trust.assess(_trust([_allow({"AWS": "arn:aws:iam::999999999999:root"})]), "111111111111", _role).appliance_can_assume
}

test_action_must_cover_assume_role if {
	not trust.assess(_trust([{"Effect": "Allow", "Principal": "*", "Action": "sts:TagSession"}]), _appliance, _role).appliance_can_assume
	trust.assess(_trust([{"Effect": "Allow", "Principal": "*", "NotAction": "s3:*"}]), _appliance, _role).appliance_can_assume
	not trust.assess(_trust([{"Effect": "Allow", "Principal": "*", "NotAction": "sts:*"}]), _appliance, _role).appliance_can_assume
}

test_deny_wins if {
	result := trust.assess(
		_trust([_allow("*"), {"Sid": "NoAppliance", "Effect": "Deny", "Principal": {"AWS": _appliance}, "Action": "sts:AssumeRole"}]),
		_appliance,
		_role,
	)
	result.appliance_can_assume == false
	result.findings[0].message == "the trust policy does not let arn:aws:iam::111111111111:role/Impersonation call sts:AssumeRole on this role (denied by statement 2 (Sid \"NoAppliance\"))"
}

test_conditions_are_reported if {
	result := trust.assess(
		_trust([
			object.union(_allow({"AWS": _appliance}), {"Condition": {"StringEquals": {"sts:ExternalId": "veeam"}}}),
			{"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
		]),
		_appliance,
		_role,
	)
	result.appliance_can_assume
	result.conditions == ["aws:SecureTransport", "sts:ExternalId"]
	result.findings[0] == {
		"id": "VBAWS-TRUST-CONDITIONS",
		"severity": "warning",
		"message": "assuming the role depends on trust policy conditions: aws:SecureTransport, sts:ExternalId",
	}
}

test_conditions_on_what_is_known_of_the_appliance_are_decided if {
	# Its account, and for a role its ARN and principal type, are known: a Deny aimed at the
	# appliance applies, an Allow for some other principal does not, and only the keys left
	# undecided are reported.
	account_root := {"AWS": "arn:aws:iam::111111111111:root"}
	for_other_role := object.union(_allow(account_root), {"Condition": {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/Other"}}})
	not trust.assess(_trust([for_other_role]), _appliance, _role).appliance_can_assume

	deny_own_account := {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:PrincipalAccount": "111111111111"}}}
	denied := trust.assess(_trust([_allow({"AWS": _appliance}), deny_own_account]), _appliance, _role)
	not denied.appliance_can_assume
	contains(denied.findings[0].message, "(denied by statement 2)")
	not trust.assess(_trust([_allow({"AWS": _appliance}), deny_own_account]), "111111111111", _role).appliance_can_assume

	for_appliance := object.union(_allow(account_root), {"Condition": {
		"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/Imperson*"},
		"StringEquals": {"sts:ExternalId": "veeam"},
	}})
	allowed := trust.assess(_trust([for_appliance]), _appliance, _role)
	allowed.appliance_can_assume
	allowed.conditions == ["sts:ExternalId"]

	# Given as an account id, the appliance's ARN is not known: that condition stays open.
	trust.assess(_trust([for_appliance]), "111111111111", _role).conditions == ["aws:PrincipalArn", "sts:ExternalId"]

	# A condition key is listed whole, spaces (a tag key may hold them) and all.
	spaced := object.union(_allow({"AWS": _appliance}), {"Condition": {"StringEquals": {"aws:RequestTag/cost center": "x"}}})
	trust.assess(_trust([spaced]), _appliance, _role).conditions == ["aws:RequestTag/cost center"]
}

test_unconditional_allow_needs_no_condition if {
	result := trust.assess(
		_trust([
			_allow({"AWS": _appliance}),
			object.union(_allow({"AWS": _appliance}), {"Condition": {"StringEquals": {"sts:ExternalId": "veeam"}}}),
		]),
		_appliance,
		_role,
	)
	result.conditions == []
}

test_same_account_delegation_is_explained if {
	# tricky case 27: the trust names the account, so the caller's identity policy decides
	result := trust.assess(
		_trust([_allow({"AWS": "arn:aws:iam::123456789012:root"})]),
		"arn:aws:iam::123456789012:role/Impersonation",
		_role,
	)
	result.appliance_can_assume
	result.findings == [{
		"id": "VBAWS-TRUST-ACCOUNT-DELEGATION",
		"severity": "info",
		"message": "the trust policy names account 123456789012 rather than the appliance itself: the identity policy of arn:aws:iam::123456789012:role/Impersonation must also allow sts:AssumeRole on arn:aws:iam::123456789012:role/Backup",
	}]
	trust.assess(
		_trust([_allow({"AWS": "arn:aws:iam::123456789012:role/Impersonation"})]),
		"arn:aws:iam::123456789012:role/Impersonation",
		_role,
	).findings == []
}

test_not_principal_and_invalid_trust if {
	result := trust.assess(
		_trust([{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "sts:AssumeRole"}]),
		_appliance,
		_role,
	)
	result.appliance_can_assume == false
	result.findings[0] == {
		"id": "VBAWS-INVALID-TRUST-POLICY",
		"severity": "error",
		"message": "trust policy: statement 1: NotPrincipal is not allowed in a trust policy",
	}
	trust.assess(null, _appliance, _role).findings == [{
		"id": "VBAWS-INVALID-TRUST-POLICY",
		"severity": "error",
		"message": "trust policy: document is missing",
	}]
}

# A trust statement IAM would refuse lets no one in, however it reads: an empty NotAction
# (which would exclude nothing), a wildcard inside a principal ARN (only "*" alone is a
# wildcard there: `?` would read as text and match no one, so a Deny written with it could
# silently miss the appliance).
test_invalid_trust_statements_let_no_one_in if {
	every empty in [[], ["", ""]] {
		empty_not_action := {"Effect": "Allow", "Principal": {"AWS": _appliance}, "NotAction": empty}
		result := trust.assess(_trust([empty_not_action]), _appliance, _role)
		result.appliance_can_assume == false
		result.findings[0] == {
			"id": "VBAWS-INVALID-TRUST-POLICY",
			"severity": "error",
			"message": "trust policy: statement 1: NotAction is empty (it would exclude nothing)",
		}
	}

	every wildcard in ["arn:aws:iam::111111111111:role/Impersonatio?", "arn:aws:iam::111111111111:role/Imp*"] {
		deny := {"Effect": "Deny", "Principal": {"AWS": wildcard}, "Action": "sts:AssumeRole"}
		findings := trust.assess(_trust([_allow({"AWS": _appliance}), deny]), _appliance, _role).findings
		[f.message | some f in findings; f.id == "VBAWS-INVALID-TRUST-POLICY"] == [sprintf(
			"trust policy: statement 2: Principal AWS %q has a wildcard (only \"*\" alone is allowed)",
			[wildcard],
		)]
	}
}

test_bad_appliance if {
	trust.assess(_trust([_allow("*")]), "Impersonation", _role) == {
		"checked": true,
		"appliance_can_assume": false,
		"conditions": [],
		"findings": [{
			"id": "VBAWS-APPLIANCE-PRINCIPAL",
			"severity": "error",
			"message": "appliance.principal \"Impersonation\" is not a role ARN, an account id or an account root ARN",
		}],
	}
}

test_account_appliance_and_unknown_role_account if {
	result := trust.assess(_trust([_allow({"AWS": "111111111111"})]), "111111111111", "Backup")
	result.appliance_can_assume
	result.findings == []
}

_named_deny_ids(trust_policy, principal) := [f.id | some f in trust.assess(trust_policy, principal, _role).findings; f.id == "VBAWS-TRUST-NAMED-DENY"]

# Given as an account only, the appliance may be the role a Deny names: the assumption stands
# (the account is let in) but the possibility is a warning; given as a role, it is decided.
test_a_deny_naming_a_principal_of_the_appliance_account if {
	deny := {"Sid": "NoImpersonation", "Effect": "Deny", "Principal": {"AWS": [_appliance, "arn:aws:iam::222222222222:role/X"]}, "Action": "sts:AssumeRole"}
	policy := _trust([_allow({"AWS": "111111111111"}), deny])
	result := trust.assess(policy, "111111111111", _role)
	result.appliance_can_assume
	[f.message | some f in result.findings; f.id == "VBAWS-TRUST-NAMED-DENY"] == [concat("", [
		`statement 2 (Sid "NoImpersonation") denies sts:AssumeRole to arn:aws:iam::111111111111:role/Impersonation, `,
		"a principal of the appliance's account 111111111111: if the appliance is that principal it cannot ",
		"assume the role (give its role ARN as the appliance principal to decide)",
	])]
	_named_deny_ids(policy, "arn:aws:iam::111111111111:root") == ["VBAWS-TRUST-NAMED-DENY"]

	# a role ARN decides it: denied when it is the named role, no warning when it is another
	not trust.assess(policy, _appliance, _role).appliance_can_assume
	trust.assess(policy, "arn:aws:iam::111111111111:role/Other", _role).appliance_can_assume
	_named_deny_ids(policy, "arn:aws:iam::111111111111:role/Other") == []

	# a Deny on another account's principal, or one whose Condition excludes the account, says nothing
	other := _trust([_allow({"AWS": "111111111111"}), object.union(deny, {"Principal": {"AWS": "arn:aws:iam::222222222222:role/X"}})])
	_named_deny_ids(other, "111111111111") == []
	excluded := _trust([
		_allow({"AWS": "111111111111"}),
		object.union(deny, {"Condition": {"StringEquals": {"aws:PrincipalAccount": "333333333333"}}}),
	])
	_named_deny_ids(excluded, "111111111111") == []
}

# The appliance calls as a session of its role: a Deny naming a session of that role may be
# aimed at it. Given as the role, or as another session, the assumption stands with a warning;
# given as the named session, it is decided (denied).
test_a_deny_naming_a_session_of_the_appliance_role if {
	session := "arn:aws:sts::111111111111:assumed-role/Impersonation/i-0abc"
	deny := {"Effect": "Deny", "Principal": {"AWS": session}, "Action": "sts:AssumeRole"}
	policy := _trust([_allow({"AWS": _appliance}), deny])
	result := trust.assess(policy, _appliance, _role)
	result.appliance_can_assume
	[f.message | some f in result.findings; f.id == "VBAWS-TRUST-NAMED-DENY"] == [concat("", [
		"statement 2 denies sts:AssumeRole to arn:aws:sts::111111111111:assumed-role/Impersonation/i-0abc, ",
		"a session of the appliance's role Impersonation: if the appliance calls as that session it ",
		"cannot assume the role",
	])]
	_named_deny_ids(policy, "arn:aws:sts::111111111111:assumed-role/Impersonation/i-0def") == ["VBAWS-TRUST-NAMED-DENY"]
	not trust.assess(policy, session, _role).appliance_can_assume

	# a session of another role, or of the same name in another account, says nothing
	every other in ["arn:aws:sts::111111111111:assumed-role/Other/i-0abc", "arn:aws:sts::222222222222:assumed-role/Impersonation/i-0abc"] {
		_named_deny_ids(_trust([_allow({"AWS": _appliance}), object.union(deny, {"Principal": {"AWS": other}})]), _appliance) == []
	}
}

# The appliance named only under a condition (sts:ExternalId), its account without one: when
# the condition does not hold, the account statement lets it in, and only with its identity
# policy's allow, which the report must say.
test_same_account_delegation_when_the_named_allow_is_conditional if {
	appliance := "arn:aws:iam::123456789012:role/Impersonation"
	result := trust.assess(
		_trust([
			object.union(_allow({"AWS": appliance}), {"Condition": {"StringEquals": {"sts:ExternalId": "x"}}}),
			_allow({"AWS": "123456789012"}),
		]),
		appliance,
		_role,
	)
	result.appliance_can_assume
	result.conditions == []
	[f.id | some f in result.findings] == ["VBAWS-TRUST-ACCOUNT-DELEGATION"]

	# Named only under the condition, the account not at all: no delegation.
	named := trust.assess(
		_trust([object.union(_allow({"AWS": appliance}), {"Condition": {"StringEquals": {"sts:ExternalId": "x"}}})]),
		appliance,
		_role,
	)
	[f.id | some f in named.findings] == ["VBAWS-TRUST-CONDITIONS"]
}
