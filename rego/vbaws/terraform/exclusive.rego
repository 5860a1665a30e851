package vbaws.terraform

# aws_iam_role_policy_attachments_exclusive (role_name, policy_arns) and
# aws_iam_role_policies_exclusive (role_name, policy_names) decide which managed and inline
# policies a role keeps: on apply, the provider attaches the policies of policy_arns and
# removes every managed policy or inline policy it does not list. Whether another resource of
# the plan attaches it again first depends on the order of apply, so a policy not listed counts
# only with its Deny statements, and a warning says its Allow statements were not counted.

_exclusive_lists := {
	"aws_iam_role_policy_attachments_exclusive": "policy_arns",
	"aws_iam_role_policies_exclusive": "policy_names",
}

_exclusive_kind := {
	"aws_iam_role_policy_attachments_exclusive": "managed",
	"aws_iam_role_policies_exclusive": "inline",
}

_exclusive_instances := {address |
	some type, _ in _exclusive_lists
	some address in _instances_of(type)
}

_list_attr(address) := _exclusive_lists[_resource(address).type]

# [role, exclusive instance] for the roles it surely names, and for those it may name.
_exclusive_over contains [role, address] if {
	some address in _exclusive_instances
	some role in _named_roles(address, "role_name")
}

_maybe_exclusive_over contains [role, address] if {
	some address in _exclusive_instances
	some role in _roles_maybe_named(address, "role_name")
}

_marked(address, attr) if _unknown_marks(address)[attr] == true

_marked(address, attr) if {
	some mark in _unknown_marks(address)[attr]
	mark == true
}

# What aws_iam_role_policy_attachments_exclusive attaches: the policies of policy_arns, read as
# managed_policy_arns is.
_exclusive_entries(address) := {_by_arn("identity", arn) |
	some arn in object.get(_values(address), "policy_arns", [])
	_known_string(arn)
} | _unknown_arn_list(address) if {
	_resource(address).type == "aws_iam_role_policy_attachments_exclusive"
}

# aws_iam_role_policies_exclusive attaches nothing; a list known only after apply is unknown.
_exclusive_entries(address) := {{"key": concat(".", [address, "policy_names"]), "unknown": {
	"layer": "identity",
	"what": sprintf("%s.policy_names is known only after apply", [address]),
}} |
	_marked(address, "policy_names")
} if {
	_resource(address).type == "aws_iam_role_policies_exclusive"
}

_unknown_arn_list(address) := set() if not _marked(address, "policy_arns")

_unknown_arn_list(address) := union({
	{_by_reference("identity", t) | some t in listed},
	{_deny_part(e) |
		some t in (_policy_candidates(address, expression) - listed)
		e := _by_reference("identity", t)
		e.policy
	},
	{{"key": concat(".", [address, "policy_arns"]), "unknown": {
		"layer": "identity",
		"what": sprintf("%s.policy_arns is known only after apply", [address]),
	}} |
		not _listed_policies(address, expression)
	},
}) if {
	_marked(address, "policy_arns")
	expression := object.get(_expressions(address), "policy_arns", {})
	listed := _surely_listed(address, expression)
}

_entries contains [role, entry] if {
	some [role, address] in _exclusive_over
	some entry in _exclusive_attached(role, address)
}

_entries contains [role, entry] if {
	some [role, address] in _maybe_exclusive_over
	some entry in _maybe_exclusive_entries(address, role)
}

# An inline policy listed in policy_names that the plan does not define for the role stays on
# the role with a document this input does not hold.
_entries contains [role, {"key": concat("", ["inline:", name]), "unknown": {
	"layer": "identity",
	"what": sprintf("inline policy %q, which %s keeps, is not defined in this plan", [name, address]),
}}] if {
	some [role, address] in _exclusive_over
	_resource(address).type == "aws_iam_role_policies_exclusive"
	some name in object.get(_values(address), "policy_names", [])
	_known_string(name)
	not name in _defined_inline_names(role)
}

# A replaced role has lost the policies an aws_iam_role_policy_attachments_exclusive attached
# to it, and one that this plan does not create attaches nothing until a later apply finds them
# missing. (aws_iam_role_policies_exclusive attaches nothing.)
_exclusive_attached(role, address) := _set_aside(address, _exclusive_entries(address), {reason}) if {
	_resource(address).type == "aws_iam_role_policy_attachments_exclusive"
	reason := _replaced_role_reason(role, address)
} else := _exclusive_entries(address)

_maybe_exclusive_entries(address, role) := union({
	{{"key": concat("", ["maybe:", address]), "unknown": {
		"layer": "identity",
		"what": sprintf("the Allow statements of what %s attaches (%s)", [address, _maybe_why(address, "role_name", role)]),
	}} |
		_resource(address).type == "aws_iam_role_policy_attachments_exclusive"
	},
	{_deny_part(e) | some e in _exclusive_entries(address); e.policy},
	{{"key": concat("", ["maybe:", address, ":", e.key]), "unknown": e.unknown} |
		some e in _exclusive_entries(address)
		e.unknown
	},
})

_defined_inline_names(role) := ({b.name | some b in _inline_blocks(role)} | {b.name.constant_value |
	some b in object.get(_expressions(role), "inline_policy", [])
}) | {_value(address, "name") |
	some address in _instances_of("aws_iam_role_policy")
	role in _named_roles(address, "role")
}

# What an exclusive instance keeps: dedup keys of managed policies, names of inline policies.
_kept(address) := {e.key | some e in _exclusive_entries(address); e.policy} if {
	_exclusive_kind[_resource(address).type] == "managed"
}

# A list partly known only after apply keeps at least its known names.
_kept(address) := {name | some name in object.get(_values(address), "policy_names", []); is_string(name)} if {
	_exclusive_kind[_resource(address).type] == "inline"
}

# A managed policy is kept by its ARN, also when this input does not hold its document.
_kept_as(entry) := entry.key if _managed_entry(entry)

_kept_as(entry) := entry.policy.name if entry.policy.type == "inline"

_managed_entry(entry) if entry.policy.type == "managed"

_managed_entry(entry) if {
	entry.unknown
	startswith(entry.key, "arn:")
}

# Why a policy entry of the role may be removed: one reason per exclusive instance. A policy
# an exclusive instance keeps stays, whichever role it names; one that its list, (partly)
# known only after apply, does not surely hold may be removed.
_removals(role, entry) := union({
	{_removal(address) |
		some [r, address] in _exclusive_over
		r == role
		_removes(address, entry)
	},
	{reason |
		some [r, address] in _maybe_exclusive_over
		r == role
		_removes(address, entry)
		reason := sprintf("%s may remove from this role (%s)", [address, _maybe_why(address, "role_name", role)])
	},
	_managed_list_removals(role, entry),
	_inline_clash_removals(role, entry),
	_role_policy_clash_removals(role, entry),
	_policy_attachment_removals(role, entry),
	_deleted_attacher_removals(role, entry),
	_maybe_rewritten_removals(role, entry),
})

# aws_iam_policy_attachment is exclusive for its policy across the account: its state, read
# back from IAM, holds every user, group and role the policy is attached to, by whatever
# means, and an update (or a replacement, which deletes first) detaches the policy from those
# of its prior state that it does not list. Creating it only attaches, and a plan that leaves
# it as it is detaches nothing: a role it does not list keeps the policy this apply gives it
# (the next plan updates the attachment to detach it, and is checked in its turn). A role its
# roles may list (known only after apply) may lose it.
_policy_attachment_removals(role, entry) := {reason |
	entry.policy.type == "managed"
	some address in _instances_of("aws_iam_policy_attachment")
	_attached_policy(address).key == entry.key
	_detaches_unlisted(address, role)
	not role in _listed_roles(address)
	reason := _policy_attachment_removal(address, role)
}

_detaches_unlisted(address, role) if {
	some rc in _current_changes
	rc.address == address
	some action in rc.change.actions
	action in {"update", "delete"}
	some name in _old_role_names(rc.change.before)
	not name in _old_role_names(rc.change.after)
	_may_bear(role, name)
}

# Whether the role may bear a name of the attachment's old state. A name known only after apply
# is a new role's (created or replaced): IAM gives a name to one role at a time, so it can be
# that of an existing role only when this apply deletes that role, and never one the provider
# makes up (name_prefix, or neither name nor name_prefix: "<prefix><unique id>").
_may_bear(role, name) if lower(_role_name(role)) == name

_may_bear(role, name) if {
	not _role_name(role)
	not _provider_named(role)
	name in _freed_role_names
}

_provider_named(role) if {
	_strip_keys(role) in object.keys(_config_expressions)
	not "name" in object.keys(_expressions(role))
}

_freed_names_detached(address) := sort({name |
	some rc in _current_changes
	rc.address == address
	some name in _freed_roles
	lower(name) in _old_role_names(rc.change.before)
	not lower(name) in _old_role_names(rc.change.after)
})

# The names of the roles this apply deletes (a replaced role's old name among them).
_freed_roles contains rc.change.before.name if {
	some rc in input.resource_changes
	rc.type == "aws_iam_role"
	"delete" in rc.change.actions
	_known_string(rc.change.before.name)
}

_freed_role_names := {lower(name) | some name in _freed_roles}

_listed_roles(address) := roles if {
	roles := _named_roles_in_list(address, "roles")
} else := set()

_policy_attachment_removal(address, role) := sprintf(
	"%s may remove from this role (it detaches its policy from every role it does not list, and %s)",
	[address, _maybe_why(address, "roles", role)],
) if {
	role in _maybe_roles_in_list(address, "roles")
} else := sprintf(
	"%s may remove from this role (it detaches its policy from %s, %s, and %s)",
	[
		address, concat(", ", names), "a role of its old state that this apply deletes",
		"this role, named only at apply, may take that name",
	],
) if {
	not _role_name(role)
	names := _freed_names_detached(address)
} else := sprintf(
	"%s removes from this role (it detaches its policy from every role it does not list)",
	[address],
)

# An exclusive instance that the plan leaves as it is (its list holds what the role had when
# refreshed) is not applied: what this apply adds beside its list stays until the next plan,
# which updates it to remove that, and is checked in its turn.
_removes(address, entry) if {
	_exclusive_kind[_resource(address).type] == entry.policy.type
	not _kept_as(entry) in _kept(address)
	not _left_as_is(address)
}

_left_as_is(address) if _change_actions[address] == ["no-op"]

# METADATA
# description: |
#   What this apply leaves on the role and the next one takes off: a policy that an exclusive
#   instance left as it is, or an aws_iam_policy_attachment created, leaves out of its list
#   stays now, and the next plan reads it into that instance's state and updates the instance
#   to remove it. The plan passes on what this apply
#   gives, and a warn says what the next one takes.
later_removals(role) := {sprintf("%s: %s, so the apply after this one %s from this role%s", [
	role, removal.what, removal.verb, " (see docs/conftest.md)",
]) |
	some entry in _entries_by_role[role]
	entry.policy
	not _deny_only(entry)
	some removal in _later_removers(role, entry)
}

_later_removers(role, entry) := {_later(address, entry, "") |
	some [r, address] in _exclusive_over
	r == role
	_left_as_is(address)
	_exclusive_kind[_resource(address).type] == entry.policy.type
	not _kept_as(entry) in _kept(address)
} | {_later(address, entry, why) |
	entry.policy.type == "managed"
	some address in _instances_of("aws_iam_policy_attachment")
	_attached_policy(address).key == entry.key
	not _detaches_unlisted(address, role)
	not role in _listed_roles(address)
	why := _unlisted_why(address, role)
}

# "" for a role the attachment surely leaves out. One whose roles (known only after apply) may
# name the role may leave it out: if it does, its state holds the role after this apply, and
# the next apply detaches the policy from it. A role it may name only by a name known before
# apply (a namesake under another provider configuration, which may be another account, or a
# name that differs only in case) is either the one it lists or one it never touches.
_unlisted_why(address, role) := "" if not role in _maybe_roles_in_list(address, "roles")

_unlisted_why(address, role) := _maybe_why(address, "roles", role) if {
	role in _maybe_roles_in_list(address, "roles")
	_marked(address, "roles")
	role in _role_candidates(address, "roles")
}

_later(address, entry, "") := {"what": sprintf("%s leaves %s out", [address, entry.policy.name]), "verb": "removes it"}

_later(address, entry, why) := {
	"what": sprintf("%s may leave %s out (%s)", [address, entry.policy.name, why]),
	"verb": "may remove it",
} if {
	why != ""
}

_removal(address) := sprintf(
	"%s may remove from this role (its %s, known only after apply, may leave it out)",
	[address, _list_attr(address)],
) if {
	_marked(address, _list_attr(address))
} else := sprintf("%s removes from this role (not in its %s)", [address, _list_attr(address)])

# An entry as it stands after the exclusive instances: unchanged, or its Deny statements and a
# warning. Entries that already hold only Deny statements stay as they are.
_settled(role, entry) := set() if {
	_surely_gone(role, entry)
} else := {_deny_part(entry), {"key": concat("", ["removed:", entry.key]), "unknown": {
	"layer": "identity",
	"what": sprintf("the Allow statements of %s, which %s", [entry.policy.name, sort(reasons)[0]]),
}}} if {
	entry.policy
	not _deny_only(entry)
	reasons := _removals(role, entry)
	count(reasons) > 0
} else := {entry}

_deny_only(entry) if startswith(entry.key, "denies:")

_deny_only(entry) if startswith(entry.key, "inline-unnamed:")

# An inline policy that only the role's state holds (a block the provider filled in, which no
# aws_iam_role_policy of the plan may write) is deleted by an aws_iam_role_policies_exclusive
# that this plan creates or updates for the role with a list, known before apply, that leaves it
# out: nothing writes it again, so its Deny statements are gone with it.
_surely_gone(role, entry) if {
	startswith(entry.key, "inline:")
	not _sets_inline_policy(role)
	not _replaced(role)
	every address in _instances_of("aws_iam_role_policy") {
		_known_string(_value(address, "name"))
		lower(_value(address, "name")) != lower(entry.policy.name)
	}
	_applied_exclusive_removes(role, entry, "aws_iam_role_policies_exclusive")
}

# Likewise a managed policy that only the role's state holds (in the managed_policy_arns the
# provider read from the role, the configuration not setting it), which no attachment of the
# plan attaches and no aws_iam_role_policy_attachments_exclusive may keep: the exclusive
# detaches it, and nothing attaches it again (nor is its missing document worth a warning).
_surely_gone(role, entry) if {
	_managed_entry(entry)
	entry.key in object.get(_values(role), "managed_policy_arns", [])
	not "managed_policy_arns" in object.keys(_expressions(role))
	not _created(role)
	every address in _instances_of("aws_iam_role_policy_attachment") | _instances_of("aws_iam_policy_attachment") {
		_known_string(_value(address, "policy_arn"))
		lower(_value(address, "policy_arn")) != lower(entry.key)
	}
	every address in _instances_of("aws_iam_role_policy_attachments_exclusive") {
		not _marked(address, "policy_arns")
		every arn in object.get(_values(address), "policy_arns", []) {
			lower(arn) != lower(entry.key)
		}
	}
	_applied_exclusive_removes(role, entry, "aws_iam_role_policy_attachments_exclusive")
}

# An exclusive instance of this type that surely names the role, that this plan creates or
# updates (so its list is applied), with a list known before apply that leaves the entry out.
_applied_exclusive_removes(role, entry, type) if {
	some [r, address] in _exclusive_over
	r == role
	_resource(address).type == type
	not _marked(address, _list_attr(address))
	some action in _change_actions[address]
	action in {"create", "update"}
	not _kept_as(entry) in _kept(address)
}
