package vbaws.cloudformation

# An Allow of the trust policy whose principal is filled in at deploy time (`!Ref ApplianceArn`,
# an !Sub whose variable is an !ImportValue, an import itself) may or may not name the appliance:
# it counts as letting no one in, as every Allow that cannot be read counts for nothing, so the
# role fails. The engine's reason, that no Allow statement names the appliance, is then said
# with the principals that could not be read, so that the failure is not taken for a trust that
# names someone else.
_no_allow := " (no Allow statement names it)"

_explained(id, msg) := concat("", [trim_suffix(msg, _no_allow), sprintf(
	" (no Allow statement names it for certain: %s %s %s known only at deploy time, %s)",
	[_principal_noun(count(principals)), concat(", ", principals), _verb(count(principals)), _unread_consequence],
)]) if {
	endswith(msg, _no_allow)
	principals := sort(_deploy_time_allow_principals(id))
	count(principals) > 0
} else := msg

_principal_noun(1) := "the principal"

_principal_noun(n) := "the principals" if n != 1

_unread_consequence := "as from a parameter or an !ImportValue, and counted as letting no one in"

_deploy_time_allow_principals(id) := {entry |
	some s in _as_list(roles[id].trust_policy.Statement)
	s.Effect == "Allow"
	some kind, value in _plain_object(object.get(s, "Principal", {}))
	some entry in _as_list(value)
	is_string(entry)
	_unread_principal(kind, entry)
}

_unread_principal(_, entry) if regex.match(_placeholder, entry)

# What a short-form tag leaves (`!Ref ApplianceArn` arrives as "ApplianceArn", an !Sub variable
# `!ImportValue appliance-account` as "appliance-account" in the account field): no principal
# IAM would take written so.
_unread_principal(kind, entry) if not _known_principal(kind, entry)

_unread_principal("AWS", entry) if {
	fields := split(entry, ":")
	fields[0] == "arn"
	count(fields) >= 6
	not regex.match(`^(?:[0-9]{12}|aws)?$`, fields[4])
}
