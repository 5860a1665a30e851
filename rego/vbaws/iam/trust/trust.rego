# METADATA
# description: |
#   Checks whether a role's trust policy lets the backup appliance call sts:AssumeRole
#   (IAM-SEMANTICS.md §5). Only the trust side is decided here; when the appliance is in
#   another account, or the trust delegates to its account, the report says that the
#   appliance's own identity policy must also allow the call.
package vbaws.iam.trust

import data.vbaws.iam.conditions
import data.vbaws.iam.policy
import data.vbaws.lib.values
import data.vbaws.lib.wildcard

_assume_role := "sts:assumerole"

# METADATA
# scope: document
# description: |
#   The appliance principal as {"account", "arn"} (arn null for an account id or account
#   root ARN); undefined when it is none of a 12-digit account id, an account root ARN or
#   an IAM/STS principal ARN.
appliance(principal) := {"account": principal, "arn": null} if {
	is_string(principal)
	regex.match(`^[0-9]{12}$`, principal)
}

appliance(principal) := {"account": values.arn_account(principal), "arn": null} if {
	is_string(principal)
	regex.match(`^arn:aws[a-z-]*:iam::[0-9]{12}:root$`, principal)
}

appliance(principal) := {"account": values.arn_account(principal), "arn": principal} if {
	is_string(principal)
	regex.match(`^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:.+$`, principal)
	not endswith(principal, ":root")
	not _session_role(principal)
}

# A session of a role (what `aws sts get-caller-identity` prints on the appliance) is that
# role: trust policies name the role, so its name is kept to match them.
appliance(principal) := {"account": values.arn_account(principal), "arn": principal, "role_name": name} if {
	is_string(principal)
	name := _session_role(principal)
}

_session_role(principal) := regex.find_all_string_submatch_n(
	`^arn:aws[a-z-]*:sts::[0-9]{12}:assumed-role/([^/]+)/[^/]+$`,
	principal, 1,
)[0][1]

# METADATA
# scope: document
# description: |
#   Assesses a trust policy for an appliance principal and the role's ARN. Returns
#   {"checked": true, "appliance_can_assume": bool, "conditions": [condition keys],
#   "findings": [finding, ...]}.
assess(_, principal, _) := {
	"checked": true,
	"appliance_can_assume": false,
	"conditions": [],
	"findings": [{
		"id": "VBAWS-APPLIANCE-PRINCIPAL",
		"severity": "error",
		"message": sprintf(
			"appliance.principal %v is not a role ARN, an account id or an account root ARN",
			[json.marshal(principal)],
		),
	}],
} if {
	not appliance(principal)
}

assess(trust_policy, principal, role_arn) := result if {
	who := object.union(appliance(principal), {"partition": _appliance_partition(principal, role_arn)})
	parsed := values.parse_document(trust_policy)
	result := _assess_parsed(parsed, who, principal, role_arn)
}

_assess_parsed(parsed, _, _, _) := {
	"checked": true,
	"appliance_can_assume": false,
	"conditions": [],
	"findings": [{
		"id": "VBAWS-INVALID-TRUST-POLICY",
		"severity": "error",
		"message": sprintf("trust policy: %s", [parsed.error]),
	}],
} if {
	parsed.error
}

_assess_parsed(parsed, given, principal, role_arn) := {
	"checked": true,
	"appliance_can_assume": can_assume,
	"conditions": condition_keys,
	"findings": array.flatten([
		invalid,
		_findings(can_assume, condition_keys, matches, who, principal, role_arn),
		_named_deny_findings(can_assume, statements, who),
	]),
} if {
	document := parsed.document
	statements := _statements(document)
	who := object.union(given, {"arn_in_doubt": _arn_in_doubt(statements, given)})
	invalid := [{"id": "VBAWS-INVALID-TRUST-POLICY", "severity": "error", "message": sprintf("trust policy: %s", [e])} |
		some e in array.concat(
			sort(policy.document_errors(document)),
			[msg |
				some i, s in statements
				some msg in sort(policy.statement_errors(s, i, "trust"))
			],
		)
	]
	matches := _matches(statements, who)
	allows := [m | some m in matches; m.effect == "Allow"]
	denies := [m | some m in matches; m.effect == "Deny"]
	unconditional_deny := [m | some m in denies; count(m.unknown) == 0]
	can_assume := _assumable(allows, unconditional_deny, who, role_arn)
	condition_keys := _conditions(allows, denies)
}

# The valid statements about sts:AssumeRole whose Principal names the appliance and whose
# Condition is not false for it, each with the condition keys left undecided.
_matches(statements, who) := [m |
	context := _context(who)
	some i, s in statements
	count(policy.statement_errors(s, i, "trust")) == 0
	_grants_assume_role(s)
	kind := _principal_match(s.Principal, who)
	condition := _appliance_condition(object.get(s, "Condition", {}), context)
	condition.value != "false"
	m := {"effect": s.Effect, "kind": kind, "unknown": _unknown_keys(condition), "label": policy.label(s, i)}
]

# What the request context of the appliance's call is known to hold: its account always,
# and for a role its ARN (an assumed-role session's aws:PrincipalArn is the role's ARN) and
# principal type. Conditions on these keys are decided, so a Deny aimed at the appliance
# applies and an Allow for some other principal does not. The keys only a service's call
# carries are known to be absent; every other key stays unknown.
_context(who) := {
	"present": context.present,
	"absent": ((context.absent | _absent_on_direct_call) | _absent_without_mfa),
	"tags_known": context.tags_known,
} if {
	context := _principal_context(who)
}

_principal_context(who) := conditions.role_context(who.arn, {}, false) if {
	not who.arn_in_doubt
	is_string(who.arn)
	regex.match(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/`, who.arn)
} else := {"present": {"aws:principalaccount": [who.account]}, "absent": set(), "tags_known": false}

# The appliance calls sts:AssumeRole itself, with its own credentials: no AWS service calls on
# its behalf, and IAM puts these keys in the request context only when one does (global
# condition keys, "Availability"). A trust Allow that requires one of them (the confused-deputy
# pattern aws:SourceAccount, meant for service principals) does not let the appliance in.
# aws:CalledVia stays unknown, as IAM-SEMANTICS.md §4 lists it.
_absent_on_direct_call := {
	"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths",
	"aws:principalservicename", "aws:principalservicenameslist",
}

# A trust naming the appliance's role under another ARN (another path or case) says that
# one of the two is not the ARN IAM knows, so aws:PrincipalArn is not known from the one given.
_arn_in_doubt(statements, who) if {
	some s in statements
	is_object(s.Principal)
	some entry in values.as_list(object.get(s.Principal, "AWS", []))
	entry != who.arn
	_entry_match(entry, who) == "exact"
} else := false

# The condition keys left undecided ("StringEquals sts:ExternalId" -> "sts:ExternalId"); an
# operator block that is not an object stands for itself, so it is never lost.
# Each pair is "operator key"; a key may hold spaces (a tag key), an operator never does.
_unknown_keys(condition) := [key |
	some pair in condition.unknown
	key := trim_prefix(pair, concat("", [split(pair, " ")[0], " "]))
]

# Partitions have separate IAMs: AssumeRole never crosses from one to another, whatever the
# trust says (IAM User Guide, id_roles_providers_outbound_cross_partition).
_assumable(allows, unconditional_denies, who, role_arn) := false if {
	_crosses_partition(who, role_arn)
} else := _can_assume(allows, unconditional_denies)

_crosses_partition(who, role_arn) if {
	is_string(who.partition)
	_partition(role_arn) != who.partition
}

# The partition the appliance calls from: its ARN's or, given as an account id, the role's
# (an account id in a trust names an account of the role's partition); null when neither
# is known.
_appliance_partition(principal, role_arn) := _partition(principal) if {
	_partition(principal)
} else := _partition(role_arn) if {
	_partition(role_arn)
} else := null

_partition(arn) := parts[1] if {
	is_string(arn)
	parts := split(arn, ":")
	count(parts) >= 6
	parts[0] == "arn"
}

# An ARN in a Principal names a principal of its own partition only.
_same_partition(_, who) if who.partition == null

_same_partition(entry, who) if _partition(entry) == who.partition

_can_assume(allows, unconditional_denies) if {
	count(allows) > 0
	count(unconditional_denies) == 0
}

_can_assume(allows, _) := false if count(allows) == 0

_can_assume(_, unconditional_denies) := false if count(unconditional_denies) > 0

_statements(document) := values.as_list(object.get(document, "Statement", []))

_grants_assume_role(statement) if {
	"Action" in object.keys(statement)
	some pattern in values.as_list(statement.Action)
	wildcard.matches_ignore_case(pattern, _assume_role)
}

_grants_assume_role(statement) if {
	"NotAction" in object.keys(statement)
	not _any_matches(values.as_list(statement.NotAction))
}

_any_matches(patterns) if {
	some pattern in patterns
	wildcard.matches_ignore_case(pattern, _assume_role)
}

# How a Principal element names the appliance: "any" ("*"), "exact" (its ARN, or its role
# by name) or "account" (its account id or account root ARN, which delegates to the account).
_principal_match("*", _) := "any"

_principal_match(principal, who) := kind if {
	is_object(principal)
	kinds := {k |
		some entry in values.as_list(object.get(principal, "AWS", []))
		k := _entry_match(entry, who)
	}
	kind := _strongest(kinds)
}

_entry_match("*", _) := "any"

_entry_match(entry, who) := "exact" if {
	who.arn != null
	entry == who.arn
}

# A role name is unique in its account whatever its path or letter case, and IAM refuses a
# Principal naming a role that does not exist: a role ARN of the appliance's account with the
# appliance role's name, under another path or in other case, names the appliance's role (given
# without its path, or as a session, whose ARN has none), in an Allow as in a Deny.
_entry_match(entry, who) := "exact" if {
	entry != who.arn
	regex.match(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/`, entry)
	_same_partition(entry, who)
	values.arn_account(entry) == who.account
	lower(regex.replace(entry, `^.*/`, "")) == lower(_role_name(who))
}

_entry_match(entry, who) := "account" if entry == who.account

_entry_match(entry, who) := "account" if {
	regex.match(`^arn:aws[a-z-]*:iam::[0-9]{12}:root$`, entry)
	_same_partition(entry, who)
	values.arn_account(entry) == who.account
}

_strongest(kinds) := "exact" if "exact" in kinds

_strongest(kinds) := "any" if {
	not "exact" in kinds
	"any" in kinds
}

_strongest(kinds) := "account" if {
	not "exact" in kinds
	not "any" in kinds
	"account" in kinds
}

# Condition keys the assumption depends on: those of the allowing statements when none
# allows unconditionally, and those of every conditional Deny.
_conditions(allows, denies) := sort(_allow_keys(allows) | _keys(denies))

_allow_keys(allows) := set() if {
	some m in allows
	count(m.unknown) == 0
}

_allow_keys(allows) := _keys(allows) if {
	every m in allows {
		count(m.unknown) > 0
	}
}

_keys(matches) := {key |
	some m in matches
	some key in m.unknown
}

_findings(false, _, matches, who, principal, role_arn) := [{
	"id": "VBAWS-TRUST",
	"severity": "error",
	"message": sprintf(
		"the trust policy does not let %s call sts:AssumeRole on this role%s",
		[principal, _why_not(matches, who, role_arn)],
	),
}]

_findings(true, conditions, matches, who, principal, role_arn) := array.concat(
	[f | some f in _condition_findings(conditions)],
	[f | some f in _identity_findings(matches, who, principal, role_arn)],
)

_why_not(matches, who, role_arn) := sprintf(
	" (the appliance is in partition %s, the role in partition %s: sts:AssumeRole does not cross partitions)",
	[who.partition, _partition(role_arn)],
) if {
	_crosses_partition(who, role_arn)
} else := sprintf(" (denied by %s)", [concat(", ", [m.label |
	some m in matches
	m.effect == "Deny"
	count(m.unknown) == 0
])]) if {
	some m in matches
	m.effect == "Deny"
	count(m.unknown) == 0
} else := " (no Allow statement names it)"

# A Deny that names a principal which may be the appliance, though the appliance was not
# given as it, is said rather than dropped: the assumption stands, with a warning.
_named_deny_findings(true, statements, who) := array.concat(
	_account_principal_denies(statements, who),
	_session_denies(statements, who),
)

_named_deny_findings(false, _, _) := []

# With the appliance given as an account only, a Deny that names one principal of that
# account may be aimed at the appliance itself: which principal it is cannot be told.
_account_principal_denies(statements, who) := [{
	"id": "VBAWS-TRUST-NAMED-DENY",
	"severity": "warning",
	"message": sprintf(
		concat("", [
			"%s denies sts:AssumeRole to %s, a principal of the appliance's account %s: if the ",
			"appliance is that principal it cannot assume the role (give its role ARN as the ",
			"appliance principal to decide)",
		]),
		[label, concat(", ", named), who.account],
	),
} |
	who.arn == null
	context := _context(who)
	some i, s in statements
	s.Effect == "Deny"
	count(policy.statement_errors(s, i, "trust")) == 0
	_grants_assume_role(s)
	named := sort([entry |
		some entry in values.as_list(object.get(object.get(s, "Principal", {}), "AWS", []))
		regex.match(`^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:`, entry)
		not endswith(entry, ":root")
		_same_partition(entry, who)
		values.arn_account(entry) == who.account
	])
	count(named) > 0
	_appliance_condition(object.get(s, "Condition", {}), context).value != "false"
	label := policy.label(s, i)
]

# The appliance calls as a session of its role (on EC2 the session is named after the
# instance), so a Deny that names a session of that role may be aimed at the appliance's
# own: which session it calls as is not known here.
_session_denies(statements, who) := [{
	"id": "VBAWS-TRUST-NAMED-DENY",
	"severity": "warning",
	"message": sprintf(
		concat("", [
			"%s denies sts:AssumeRole to %s, a session of the appliance's role %s: if the ",
			"appliance calls as that session it cannot assume the role",
		]),
		[label, concat(", ", named), role_name],
	),
} |
	role_name := _role_name(who)
	context := _context(who)
	some i, s in statements
	s.Effect == "Deny"
	count(policy.statement_errors(s, i, "trust")) == 0
	_grants_assume_role(s)
	named := sort([entry |
		some entry in values.as_list(object.get(object.get(s, "Principal", {}), "AWS", []))
		entry != who.arn
		lower(_session_role(entry)) == lower(role_name)
		_same_partition(entry, who)
		values.arn_account(entry) == who.account
	])
	count(named) > 0
	_appliance_condition(object.get(s, "Condition", {}), context).value != "false"
	label := policy.label(s, i)
]

# The name of the appliance's role, when it was given as a role or a session of one
# (session ARNs name the role without its path).
_role_name(who) := name if {
	name := who.role_name
} else := regex.replace(who.arn, `^.*/`, "") if {
	is_string(who.arn)
	regex.match(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/`, who.arn)
}

_condition_findings(conditions) := [{
	"id": "VBAWS-TRUST-CONDITIONS",
	"severity": "warning",
	"message": sprintf("assuming the role depends on trust policy conditions: %s", [concat(", ", conditions)]),
}] if {
	count(conditions) > 0
} else := []

_identity_findings(_, who, principal, role_arn) := [{
	"id": "VBAWS-TRUST-CROSS-ACCOUNT",
	"severity": "info",
	"message": sprintf(
		concat("", [
			"the appliance %s is in account %s, the role in account %s: the appliance's own identity ",
			"policy must also allow sts:AssumeRole on %s (cross-account)",
		]),
		[principal, who.account, values.arn_account(role_arn), role_arn],
	),
}] if {
	values.arn_account(role_arn) != who.account
}

_identity_findings(matches, who, principal, role_arn) := [{
	"id": "VBAWS-TRUST-ACCOUNT-DELEGATION",
	"severity": "info",
	"message": sprintf(
		concat("", [
			"the trust policy names account %s rather than the appliance itself: ",
			"the identity policy of %s must also allow sts:AssumeRole on %s",
		]),
		[who.account, principal, role_arn],
	),
}] if {
	values.arn_account(role_arn) == who.account
	not _named_directly(matches)
}

_identity_findings(matches, who, _, role_arn) := [] if {
	values.arn_account(role_arn) == who.account
	_named_directly(matches)
}

_identity_findings(_, _, _, role_arn) := [] if not values.arn_account(role_arn)

# Only the Allows the assumption stands on count: the unconditional ones when there are any
# (a conditional Allow naming the appliance does not spare the identity policy when the
# condition may not hold and only the account is named without one), otherwise all.
_named_directly(matches) if {
	some m in _deciding_allows(matches)
	m.kind in {"exact", "any"}
}

_deciding_allows(matches) := unconditional if {
	unconditional := [m | some m in matches; m.effect == "Allow"; count(m.unknown) == 0]
	count(unconditional) > 0
} else := [m | some m in matches; m.effect == "Allow"]
