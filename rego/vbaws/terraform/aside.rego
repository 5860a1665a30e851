package vbaws.terraform

import data.vbaws.lib.values

# What an attaching instance gives a role may be gone after apply even though the plan still
# holds the instance. For each reason below, what it attaches counts for that role with its
# Deny statements only, and a warning says why its Allow statements were not counted:
#
# - the role is replaced: deleting a role deletes its inline policies and detaches its managed
#   policies, and an attacher that this plan does not create (no-op, update), nor update so as to
#   add the role's name, is not attached again until a later apply sees it missing (the same
#   holds for an aws_iam_role_policy_attachments_exclusive, see exclusive.rego);
# - the role's configuration sets inline_policy: the provider removes every inline policy the
#   blocks do not hold, so an aws_iam_role_policy on it may be removed, whichever comes first
#   (and a block of the same name but another document may be overwritten by it).

_change_actions[rc.address] := rc.change.actions if {
	some rc in _current_changes
	is_array(rc.change.actions)
}

_replaced(role) if {
	actions := _change_actions[role]
	"delete" in actions
	"create" in actions
}

_created(address) if "create" in _change_actions[address]

# What attaches anew to the role in this apply: an instance the plan creates, or an
# aws_iam_policy_attachment whose in-place update adds the role's name to its roles (the
# provider attaches the policy to the names the update adds).
_attaches_anew(address, _) if _created(address)

_attaches_anew(address, role) if {
	"update" in _change_actions[address]
	name := _role_name(role)
	some rc in input.resource_changes
	rc.address == address
	not rc.deposed
	name in object.get(rc.change.after, "roles", [])
	not name in object.get(rc.change.before, "roles", [])
}

_aside contains [role, address, reason] if {
	some role in _roles
	_replaced(role)
	some type in {"aws_iam_role_policy", "aws_iam_role_policy_attachment", "aws_iam_policy_attachment"}
	some address in _instances_of(type)
	reason := _replaced_role_reason(role, address)
}

_aside contains [role, address, sprintf(
	"%s sets inline_policy, which removes the inline policies its blocks do not hold",
	[role],
)] if {
	some role in _roles
	_sets_inline_policy(role)
	some address in _instances_of("aws_iam_role_policy")
}

_replaced_role_reason(role, address) := sprintf(
	"%s is replaced, which removes what attaches to it, and this plan does not create %s again",
	[role, address],
) if {
	_replaced(role)
	not _attaches_anew(address, role)
}

_aside_reasons(role, address) := {reason | some [r, a, reason] in _aside; r == role; a == address}

# What an attaching instance gives a role it surely names, after the reasons above.
_attached_entries(role, address) := _aside_entries(address, reasons) if {
	reasons := _aside_reasons(role, address)
	count(reasons) > 0
} else := _source_entries(address)

_aside_entries(address, reasons) := _set_aside(address, _source_entries(address), reasons)

_set_aside(address, entries, reasons) := union({
	{{"key": concat("", ["aside:", address]), "unknown": {
		"layer": "identity",
		"what": sprintf("the Allow statements of what %s attaches (%s)", [address, sort(reasons)[0]]),
	}}},
	{_deny_part(e) | some e in entries; e.policy},
	{{"key": concat("", ["aside:", address, ":", e.key]), "unknown": e.unknown} |
		some e in entries
		e.unknown
	},
})

# managed_policy_arns, when the configuration sets it, is exclusive: the provider detaches every
# managed policy it does not list ([] detaches them all), so a policy an attachment adds that
# the list does not hold may be removed, whichever is applied first.
_managed_list_kept(role) := {_by_arn("identity", arn).key |
	some arn in object.get(_values(role), "managed_policy_arns", [])
	_known_string(arn)
} | {_by_reference("identity", t).key |
	_has_unknown_managed_arns(role)
	some t in _surely_listed(role, _expressions(role).managed_policy_arns)
}

_managed_list_removals(role, entry) := {reason |
	"managed_policy_arns" in object.keys(_expressions(role))
	entry.policy.type == "managed"
	not entry.key in _managed_list_kept(role)
	reason := _managed_list_removal(role)
}

_managed_list_removal(role) := sprintf(
	"%s.managed_policy_arns may remove from this role (known only after apply, it may leave it out)",
	[role],
) if {
	_has_unknown_managed_arns(role)
} else := sprintf(
	"%s.managed_policy_arns removes from this role (it does not list it)",
	[role],
)

# A configured inline_policy block and an aws_iam_role_policy of the same name with another
# document: which one stays depends on the order of apply.
_inline_clash_removals(role, entry) := {sprintf(
	"%s writes with another document (which one stays depends on the order of apply)",
	[address],
) |
	startswith(entry.key, "inline:")
	_sets_inline_policy(role)
	some address in _instances_of("aws_iam_role_policy")
	role in (_named_roles(address, "role") | _roles_maybe_named(address, "role"))
	_same_name(_value(address, "name"), entry.policy.name)
	not _same_document(_role_policy_document(address), entry.policy.document)
}

# Two aws_iam_role_policy of one name on one role (a policy moved into a module while the old
# resource stays, a copy under another address) write one inline policy: each apply puts both,
# in no set order, and the last one stays. Unless their documents are the same, neither counts
# with its Allow statements.
_role_policy_clash_removals(role, entry) := {sprintf(
	"%s writes with another document (which one stays depends on the order of apply)",
	[other],
) |
	entry.key in _instances_of("aws_iam_role_policy")
	some other in _instances_of("aws_iam_role_policy")
	other != entry.key
	_same_name(_value(other, "name"), entry.policy.name)
	role in _named_roles_or_empty(other, "role")
	not _same_document(_role_policy_document(other), entry.policy.document)
} | {sprintf(
	"%s may write with another document (%s)",
	[other, _maybe_why(other, "role", role)],
) |
	entry.key in _instances_of("aws_iam_role_policy")
	some other in _instances_of("aws_iam_role_policy")
	other != entry.key
	_same_name(_value(other, "name"), entry.policy.name)
	role in _roles_maybe_named(other, "role")
	not _same_document(_role_policy_document(other), entry.policy.document)
}

# IAM documents no case rule for inline policy names and tells none of its other names apart
# by case: names that differ only in case may be one policy (as in the CloudFormation rules).
_same_name(a, b) if lower(a) == lower(b)

_named_roles_or_empty(address, attr) := roles if {
	roles := _named_roles(address, attr)
} else := set()

# An aws_iam_role_policy that may name the role writes over the block of its name that the
# provider filled in from the role's state, if it names the role: the block's document may not
# stay.
_maybe_rewritten_removals(role, entry) := {sprintf(
	"%s may write with another document (%s)",
	[address, _maybe_why(address, "role", role)],
) |
	startswith(entry.key, "inline:")
	not _sets_inline_policy(role)
	some address in _instances_of("aws_iam_role_policy")
	role in _roles_maybe_named(address, "role")
	_same_name(_value(address, "name"), entry.policy.name)
	not _same_document(_role_policy_document(address), entry.policy.document)
} | {sprintf(
	"%s may write with another document (its name differs from this one only in case)",
	[address],
) |
	# One that surely names the role takes the place of the block of its very name only
	# (_superseded); under a name that differs only in case it may write over this one.
	startswith(entry.key, "inline:")
	not _sets_inline_policy(role)
	some address in _instances_of("aws_iam_role_policy")
	role in _named_roles_or_empty(address, "role")
	_value(address, "name") != entry.policy.name
	_same_name(_value(address, "name"), entry.policy.name)
	not _same_document(_role_policy_document(address), entry.policy.document)
}

_role_policy_document(address) := _attribute_document(
	address,
	"policy",
	object.get(_expressions(address), "policy", {}),
).document

# Text that names a key twice is no document here (parse_document refuses it): which value
# IAM keeps cannot be told, so it is never the same as another.
_same_document(a, b) if values.parse_document(a).document == values.parse_document(b).document

# An attacher this plan deletes deletes its inline policy, or detaches its managed policy, from
# the role its old state names, whoever else supplies the policy: a role's own inline_policy
# block or managed_policy_arns is not written again when the plan leaves it as it is, and an
# attacher created at another address may be applied before the delete. The delete comes last
# for an attacher the plan no longer holds, a deposed object, and a replacement that creates
# before it destroys; a replacement that destroys first attaches again after. The old state
# does not say which provider configuration (account) it was in, and IAM role names are unique
# ignoring case: a role of that name, ignoring case, may be the one it names.
_deleted_attachers contains rc if {
	some rc in input.resource_changes
	rc.type in {"aws_iam_role_policy", "aws_iam_role_policy_attachment", "aws_iam_policy_attachment"}
	"delete" in rc.change.actions
	_deletes_last(rc)
	is_object(rc.change.before)
}

_deletes_last(rc) if rc.deposed

_deletes_last(rc) if not rc.address in _planned_addresses

_deletes_last(rc) if rc.change.actions == ["create", "delete"]

# A replacement that destroys first attaches again only what it attaches after: a renamed
# policy, or one moved to another role (both force a replacement), is gone from the old one.
_deletes_last(rc) if {
	rc.change.actions == ["delete", "create"]
	some key in _what_it_attaches[rc.type]
	object.get(rc.change.before, key, null) != object.get(rc.change.after, key, null)
}

# What names the policy and its role, per attacher (an aws_iam_policy_attachment's name is its
# own; renaming it attaches the same policy again).
_what_it_attaches := {
	"aws_iam_role_policy": ["role", "name"],
	"aws_iam_role_policy_attachment": ["role", "policy_arn"],
	"aws_iam_policy_attachment": ["policy_arn"],
}

# aws_iam_role_policy and aws_iam_role_policy_attachment name one role, aws_iam_policy_attachment
# a list of them.
_old_role_names(before) := {lower(name) |
	some name in array.concat([object.get(before, "role", null)], _list_or_empty(object.get(before, "roles", [])))
	is_string(name)
}

# (Not values.as_list, which makes a list of a single value: a roles that is not a list names
# no role here.)
_list_or_empty(v) := v if is_array(v)

_list_or_empty(v) := [] if not is_array(v)

_deletes_policy(rc, entry) if {
	rc.type == "aws_iam_role_policy"
	entry.policy.type == "inline"
	entry.policy.name == rc.change.before.name
}

# IAM documents no case rule for inline policy names (_same_name): deleting one may delete one
# whose name differs only in case, unless that is what this very replacement writes after its
# delete (a rename in case alone).
_deletes_policy(rc, entry) if {
	rc.type == "aws_iam_role_policy"
	entry.policy.type == "inline"
	entry.policy.name != rc.change.before.name
	_same_name(entry.policy.name, rc.change.before.name)
	not _written_after_delete(rc, entry)
}

_deletes_policy(rc, entry) if {
	rc.type != "aws_iam_role_policy"
	entry.policy.type == "managed"
	entry.key == rc.change.before.policy_arn
}

_written_after_delete(rc, entry) if {
	rc.change.actions == ["delete", "create"]
	entry.key == rc.address
}

_deleted_attacher_removals(role, entry) := {sprintf(
	"%s removes from this role (this plan deletes it, and deleting it %s, whatever else attaches it)",
	[_deleted_name(rc), _deletion(rc)],
) |
	some rc in _deleted_attachers
	lower(_role_name(role)) in _old_role_names(rc.change.before)
	_deletes_policy(rc, entry)
}

_deleted_name(rc) := sprintf("%s (deposed %v)", [rc.address, rc.deposed]) if rc.deposed

_deleted_name(rc) := rc.address if not rc.deposed

_deletion(rc) := "deletes the inline policy" if rc.type == "aws_iam_role_policy"

_deletion(rc) := "detaches the policy" if rc.type != "aws_iam_role_policy"
