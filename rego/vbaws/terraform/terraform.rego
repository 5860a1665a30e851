# METADATA
# title: Veeam Backup for AWS checks of a Terraform plan
# description: |
#   conftest entry points for `terraform show -json` plans:
#     conftest test --policy rego --data rego --namespace vbaws.terraform plan.json
#   Every aws_iam_role the plan creates or keeps, with its inline_policy blocks,
#   aws_iam_role_policy, aws_iam_role_policy_attachment / aws_iam_policy_attachment,
#   managed_policy_arns and permissions_boundary, is mapped into a role snapshot and evaluated by
#   data.vbaws.report.build, like a live role. What is known only after apply is never counted
#   as granting anything. See docs/conftest.md.
package vbaws.terraform

import data.vbaws.lib.iac
import data.vbaws.report

_selected := {address | some address, model in roles; iac.selected(model)}

# METADATA
# description: The report (contract section 3) of each selected role, keyed by resource address.
reports[address] := report.build(iac.snapshot(roles[address])) if some address in _selected

# METADATA
# title: deny
# description: |
#   One message per selected role and requirement set that is not met, naming the missing and
#   explicitly denied actions; one per invalid document or trust policy that keeps the appliance
#   out; one for a plan in a format this check cannot read.
# entrypoint: true
deny contains msg if {
	some address in _selected
	some msg in iac.deny_messages(roles[address], reports[address])
}

deny contains msg if {
	not _supported_format
	msg := sprintf(
		"the input is not a Terraform plan this check can read (format_version %v; %s)",
		[json.marshal(object.get(input, "format_version", null)), "expected 1.x from `terraform show -json PLANFILE`"],
	)
}

# Two changes of one instance leave its actions and unknown values undecided.
deny contains msg if {
	count(_repeated_changes) > 0
	addresses := concat(", ", sort([sprintf("%v", [a]) | some a in _repeated_changes]))
	msg := sprintf(
		"the input is not a Terraform plan this check can read (resource_changes lists %s more than once; %s)",
		[addresses, "expected one change per instance, as `terraform show -json PLANFILE` writes"],
	)
}

_supported_format if {
	is_string(input.format_version)
	startswith(input.format_version, "1.")
	is_object(input.planned_values)
}

# METADATA
# title: warn
# description: |
#   Conditional grants, everything known only after apply (counted as granting nothing), and a
#   warning when the plan selects no role at all.
# entrypoint: true
warn contains msg if {
	some address in _selected
	some msg in iac.warn_messages(roles[address], reports[address])
}

# A role is selected by its tags; when they are known only after apply, nobody can tell
# whether it should have been checked, and its silence must not read as a pass.
warn contains msg if {
	some address, model in roles
	not iac.selected(model)
	_tags_unknown(address)
	msg := sprintf(
		"%s: its tags are known only after apply, so whether it carries %s cannot be told; %s",
		[address, iac.checks_tag, "list it in data.vbaws_config.roles to check it (see docs/conftest.md)"],
	)
}

# ignore_tags that may cover vbaws:checks leaves that tag out of the plan, and the provider never
# removes it: the role may carry it (set outside Terraform), so whether it should have been
# checked cannot be told either.
warn contains msg if {
	some address, model in roles
	not iac.selected(model)
	_may_ignore_checks_tag(address)
	msg := sprintf(
		"%s: its provider configuration's ignore_tags may leave %s out of the plan, %s; %s",
		[
			address, iac.checks_tag, "so whether it carries it cannot be told",
			"list it in data.vbaws_config.roles to check it (see docs/conftest.md)",
		],
	)
}

# An entry of data.vbaws_config.roles written as a role's resource address that names no role
# of the plan (a misspelt or outdated address) would leave its role unchecked. Entries keyed by
# role name or logical id may be meant for another plan or a template sharing the file.
warn contains iac.unmatched_selection("plan", key) if {
	_supported_format
	some key in iac.unmatched_selections([model | some model in roles])
	regex.match(`^(module\.[^.\[]+\.)*aws_iam_role\.[^.\[]+$`, _strip_keys(key))
}

warn contains iac.empty_selection(key) if {
	_supported_format
	some key in iac.empty_selections([model | some model in roles])
}

# The organization layer is not evaluated, but the service or resource control policies that
# the plan manages may deny each selected role's actions (organizations.rego).
warn contains msg if {
	count(_organization_policies) > 0
	some address in _selected
	msg := sprintf("%s: this plan manages service or resource control policies (%s), %s; %s", [
		address,
		concat(", ", sort(_organization_policies)),
		"which may deny its actions or keep the appliance out",
		"the organization layer is not evaluated here (see docs/conftest.md)",
	])
}

warn contains msg if {
	count(_moved_accounts) > 0
	some address in _selected
	msg := sprintf("%s: this plan moves or creates accounts in the organization (%s), %s; %s", [
		address,
		concat(", ", sort(_moved_accounts)),
		"whose parents' service or resource control policies may deny its actions or keep the appliance out",
		"the organization layer is not evaluated here (see docs/conftest.md)",
	])
}

# A role made through Cloud Control is not read, and may have asked to be checked (cloud_control.rego).
warn contains msg if {
	some address in _unread_roles
	msg := sprintf("%s: %s %s, or may, and is not checked; %s", [
		address, "this role is made through Cloud Control, which is not read here: it asks for",
		iac.checks_tag, "define it as an aws_iam_role (see docs/conftest.md)",
	])
}

# Code run at apply that is given the role may attach a Deny to it (apply_time.rego).
warn contains msg if {
	some address in _selected
	runners := {r | some r in _given_to_code(address); not _unread_attacher(r)}
	count(runners) > 0
	msg := sprintf("%s: %s (%s) %s; %s", [
		address, "resources that run code at apply", concat(", ", sort(runners)),
		"are given this role", "the policies they may attach to it, a Deny among them, are not checked",
	])
}

warn contains msg if {
	some address in _selected
	attachers := {r | some r in _given_to_code(address); _unread_attacher(r)}
	count(attachers) > 0
	msg := sprintf("%s: resources of the awscc provider (%s) are given this role; %s", [
		address, concat(", ", sort(attachers)),
		"the policies they attach to it, a Deny among them, are not read here",
	])
}

# A plan that passes on what this apply gives may still set up the next apply to take a
# required policy away (exclusive.rego).
warn contains msg if {
	some address in _selected
	some msg in later_removals(address)
}

# Two aws_iam_role resources of one name (ignoring case, as IAM names roles) under one provider
# configuration (a role imported at a second address while the first stays) write one IAM role:
# each apply puts the trust policy, tags and policies of both, in no set order, and the last
# one stays. What the role has after apply cannot be told from either alone.
warn contains msg if {
	some address in _selected
	others := _namesakes(address)
	count(others) > 0
	msg := sprintf("%s: %s (%s) %s %q too, %s; %s", [
		address, "other aws_iam_role resources of this plan", concat(", ", sort(others)),
		"manage the IAM role", _role_name(address), "in no set order",
		"its trust policy, tags and policies may be theirs after apply (see docs/conftest.md)",
	])
}

warn contains iac.nothing_selected("plan") if {
	_supported_format
	count(_selected) == 0
}

_namesakes(role) := {other |
	some [name, other] in _role_names
	other != role
	lower(name) == lower(_role_name(role))
	_provider_name(other) == _provider_name(role)
}

_tags_unknown(address) if {
	some key in ["tags", "tags_all"]
	mark := _unknown_marks(address)[key]
	_any_true(mark)
	not _only_its_own_tags(address, key, mark)
}

# The provider leaves the whole tags_all of a new role without tags unknown. Without
# default_tags (or ignore_tags) in its provider configuration, a role has the tags of its own
# tags argument and no other: when those are known (or not set), so are its tags.
_only_its_own_tags(address, "tags_all", true) if {
	not _any_true(object.get(_unknown_marks(address), "tags", false))
	_config_providers[_strip_keys(address)]
	every key in {_provider_key(address), _provider_name(address)} {
		not _adds_or_hides_tags(key)
	}
}

_adds_or_hides_tags(key) if "default_tags" in _provider_arguments(key)

_adds_or_hides_tags(key) if "ignore_tags" in _provider_arguments(key)

_any_true(true)

_any_true(mark) if {
	is_object(mark)
	some v in mark
	v == true
}
