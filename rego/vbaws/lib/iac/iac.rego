# METADATA
# description: |
#   What the Terraform and CloudFormation checks share. Each front end maps its input into
#   "role models" (one per IAM role it defines); this package decides which of them are
#   selected, turns a model into a role snapshot (contract section 2) for
#   data.vbaws.report.build, and turns the report into conftest messages.
#
#   A role model is an object with
#   - id: where the role is defined (Terraform address, CloudFormation logical id); every
#     message starts with it
#   - name, arn: the role's name and ARN when known before apply, otherwise the id
#   - trust_policy: the trust policy document (one with no statement when unknown)
#   - policies: the identity policies whose document is known, as name/type/document objects
#   - permissions_boundary (optional): arn and document of the role's boundary
#   - tags: the role's tags, and tags_known: whether they are all of them (a CloudFormation stack
#     adds its own tags at deploy time)
#   - unknowns: what cannot be known before apply, as layer/what objects (layer is identity,
#     boundary or trust); an unknown is never counted as granting anything
#   - aliases (optional): further keys of data.vbaws_config.roles that select the role
#
#   Selection: the role's tag `vbaws:checks` (requirement set ids separated by spaces) and the
#   conftest data document data.vbaws_config.roles (keyed by id or role name, value an object
#   with optional checks, defaulting to ec2_backup). The appliance principal, when given as
#   data.vbaws_config.appliance.principal, makes the trust policy part of the check.
#   Documents of managed policies the input only names by ARN come from the conftest data
#   document data.vbaws_managed_policies (ARN to an object with a document); see docs/conftest.md.
package vbaws.lib.iac

# METADATA
# description: The role tag that selects a role and names its requirement sets.
checks_tag := "vbaws:checks"

# METADATA
# description: The requirement sets a role listed in data.vbaws_config.roles gets by default.
default_checks := ["ec2_backup"]

default _config := {}

_config := data.vbaws_config if is_object(data.vbaws_config)

_config_roles := object.get(_config, "roles", {})

# METADATA
# description: |
#   The requirement set ids a role model is selected for (a set; empty when the role is not
#   selected): the ids in its vbaws:checks tag plus those of its data.vbaws_config.roles entry.
checks(model) := _tag_checks(model) | _config_checks(model)

_tag_checks(model) := {id |
	value := model.tags[checks_tag]
	is_string(value)
	some id in regex.split(`\s+`, trim_space(value))
	id != ""
}

_config_checks(model) := {id |
	some key in _selection_keys(model)
	entry := _config_roles[key]
	some id in _entry_checks(entry)
}

# The keys of data.vbaws_config.roles that name a role model: its id, its name, and the
# model's optional aliases (a Terraform address without its instance keys).
_selection_keys(model) := {model.id, model.name} | {a | some a in object.get(model, "aliases", [])}

# METADATA
# description: |
#   The keys of data.vbaws_config.roles that name none of the role models (a collection), so
#   that a misspelt or outdated entry does not silently leave its role unchecked.
unmatched_selections(models) := {key |
	some key, _ in _config_roles
	every model in models {
		not key in _selection_keys(model)
	}
}

# METADATA
# description: The warning for a data.vbaws_config.roles entry that names no role of the input.
unmatched_selection(kind, key) := sprintf(
	"data.vbaws_config.roles entry %q matches no role in this %s (%s); its role is not checked",
	[key, kind, "keys are resource addresses or logical ids, or role names known before apply"],
)

# METADATA
# description: |
#   The keys of data.vbaws_config.roles that name a role model of the input but no requirement
#   set (checks [] or ""): such an entry selects nothing, which is said rather than left silent.
empty_selections(models) := {key |
	some key, entry in _config_roles
	count(_entry_checks(entry)) == 0
	some model in models
	key in _selection_keys(model)
}

# METADATA
# description: The warning for a data.vbaws_config.roles entry that names no requirement set.
empty_selection(key) := sprintf(
	"data.vbaws_config.roles entry %q names no requirement set (its checks are empty), so it selects nothing: %s",
	[key, "name the sets, or remove the entry"],
)

_entry_checks(entry) := _set_ids(object.get(entry, "checks", null)) if is_object(entry)

_entry_checks(entry) := _set_ids(entry) if not is_object(entry)

# A list of set ids, or one string of them separated by spaces as in the vbaws:checks tag;
# null is "not given". Anything else is named as an unknown set (a deny), never ignored.
_set_ids(ids) := ids if is_array(ids)

_set_ids(ids) := [id | some id in split(ids, " "); id != ""] if is_string(ids)

_set_ids(null) := default_checks

_set_ids(ids) := [json.marshal(ids)] if not type_name(ids) in {"array", "string", "null"}

# METADATA
# description: True when the role model is selected for at least one requirement set.
selected(model) if count(checks(model)) > 0

_known_sets := object.keys(data.vbaws.requirements)

_unknown_sets(model) := {id | some id in checks(model); not id in _known_sets}

# The appliance of the role's data.vbaws_config.roles entry, else the one for every role.
_role_appliance(model) := appliance if {
	appliance := _entry_appliance(model.id)
} else := appliance if {
	appliance := _entry_appliance(model.name)
} else := appliance if {
	some alias in object.get(model, "aliases", [])
	appliance := _entry_appliance(alias)
} else := _config.appliance if object.get(_config, "appliance", null) != null

# Any shape but null goes to the engine, which refuses one that is not {"principal": ...}
# (a deny): an appliance written as a bare string must not switch the trust check off.
_entry_appliance(key) := appliance if {
	appliance := _config_roles[key].appliance
	appliance != null
}

# METADATA
# description: |
#   The role snapshot (contract section 2) the engine evaluates for a selected role model:
#   only the known requirement sets are requested (an unknown set id is a deny of its own).
snapshot(model) := object.union(
	{
		"role": object.union_n([
			{
				"arn": model.arn,
				"name": model.name,
				"trust_policy": model.trust_policy,
				"policies": model.policies,
			},
			# Only tags known to be complete decide aws:PrincipalTag conditions.
			{"tags": model.tags | model.tags_known},
			{"permissions_boundary": b | b := model.permissions_boundary},
		]),
		"checks": sort(checks(model) & _known_sets),
	},
	{"appliance": a | a := _role_appliance(model)},
)

# METADATA
# description: |
#   The managed policy an ARN names, from the conftest data document
#   data.vbaws_managed_policies (ARN to an object with a document). AWS managed policies are the
#   same in every partition, so arn:<partition>:iam::aws:policy/X also finds
#   arn:aws:iam::aws:policy/X. Undefined when the data has no document for it.
managed_policy(arn) := policy if {
	policy := _managed_policy(arn)
} else := _managed_policy(_aws_partition(arn))

_managed_policy(arn) := data.vbaws_managed_policies[arn] if is_object(data.vbaws_managed_policies[arn].document)

# arn:<partition>:iam::aws:policy/X -> arn:aws:iam::aws:policy/X
_aws_partition(arn) := concat(":", array.concat(["arn", "aws"], array.slice(parts, 2, 6))) if {
	parts := split(arn, ":")
	count(parts) == 6
	parts[4] == "aws"
}

# METADATA
# description: The unknown entry for a managed policy ARN with no document in the input or the data.
missing_managed_policy(layer, arn) := {
	"layer": layer,
	"what": sprintf(
		"managed policy %s has no document in this input or in data.vbaws_managed_policies (%s)",
		[arn, "python -m harness export-managed-policies writes one"],
	),
}

# METADATA
# description: A trust or boundary document that allows nothing (stands in for an unknown one).
empty_document := {"Version": "2012-10-17", "Statement": []}

_consequence := {
	"identity": "counted as granting nothing",
	"boundary": "counted as allowing nothing",
	"trust": "counted as letting no one assume the role",
}

# METADATA
# description: |
#   The conftest deny messages for one role model and its report (a set of strings): one per
#   requirement set that is not met, one per other error finding of the report (an invalid
#   policy document, a trust policy that does not let the appliance in), one per unknown
#   requirement set id.
deny_messages(model, report) := union({
	_check_denials(model, report),
	_finding_denials(model, report),
	_set_denials(model),
})

_check_denials(model, report) := {msg |
	some id, check in report.checks
	parts := array.concat(
		[_missing_text(check) | count(_list(check, "missing")) > 0],
		[_denied_text(check) | count(_list(check, "denied")) > 0],
	)
	count(parts) > 0
	msg := sprintf("%s: check %s: %s", [model.id, id, concat("; ", parts)])
}

_list(check, key) := object.get(check, key, [])

_missing_text(check) := sprintf("missing %d required %s: %s", [
	count(check.missing),
	_plural(count(check.missing), "action"),
	concat(", ", [_missing_action(check, a) | some a in sort(check.missing)]),
])

# An action the identity policies grant but another layer (the boundary) does not is named
# with that layer: the fix is in a different document.
_missing_action(check, action) := sprintf("%s (not allowed by %s)", [action, concat(", ", layers)]) if {
	layers := [l | some l in check.actions[action].blocked_by; l != "identity"]
	count(layers) > 0
	not "identity" in check.actions[action].blocked_by
} else := action

# Denied actions are grouped by what denies them (a statement of a policy, or a layer), so that
# a Deny of everything names its policy once: "a, b (statement 1 of managed policy "arn...")".
_denied_text(check) := sprintf("explicitly denied: %s", [concat(", ", [text |
	some [_, text] in sort({[group[0], _denied_group(group, why)] |
		some why in {_why_denied(check, a) | some a in check.denied}
		group := sort([a | some a in check.denied; _why_denied(check, a) == why])
	})
])])

_denied_group(actions, "") := concat(", ", actions)

_denied_group(actions, why) := sprintf("%s (%s)", [concat(", ", actions), why]) if why != ""

# The statement (a statement without a Sid is already called "statement N") and its policy,
# else the layers, else nothing.
_why_denied(check, action) := concat(" of ", [_statement_name(statement), policy]) if {
	statement := check.actions[action].statement
	_non_empty_string(statement)
	policy := check.actions[action].policy
	_non_empty_string(policy)
} else := _statement_name(check.actions[action].statement) if {
	_non_empty_string(check.actions[action].statement)
} else := concat(", ", check.actions[action].blocked_by) if {
	count(object.get(check.actions[action], "blocked_by", [])) > 0
} else := ""

_statement_name(statement) := statement if startswith(statement, "statement ")

_statement_name(statement) := concat(" ", ["statement", statement]) if not startswith(statement, "statement ")

_non_empty_string(s) if {
	is_string(s)
	s != ""
}

_plural(1, word) := word

_plural(n, word) := concat("", [word, "s"]) if n != 1

# Findings that repeat what the per-check messages already say are left out; the others (an
# invalid policy document, a statement IAM would reject) are errors only the role's author can fix.
_check_finding_ids := {"VBAWS-MISSING", "VBAWS-DENIED", "VBAWS-CONDITIONAL"}

_finding_denials(model, report) := {msg |
	some finding in object.get(report, "findings", [])
	finding.severity == "error"
	not object.get(finding, "id", "") in _check_finding_ids
	msg := sprintf("%s: %s", [model.id, finding.message])
}

_set_denials(model) := {msg |
	some id in _unknown_sets(model)
	msg := sprintf("%s: unknown requirement set %q (known: %s)", [model.id, id, concat(", ", sort(_known_sets))])
}

# METADATA
# description: |
#   The conftest warn messages for one role model and its report (a set of strings): actions
#   granted only under conditions or on some resources, the report's other warnings (trust
#   policy conditions), and everything that is unknown before apply.
warn_messages(model, report) := union({
	_conditional_warnings(model, report),
	_finding_warnings(model, report),
	_unknown_warnings(model),
})

_finding_warnings(model, report) := {msg |
	some finding in object.get(report, "findings", [])
	finding.severity == "warning"
	not object.get(finding, "id", "") in _check_finding_ids
	msg := sprintf("%s: %s", [model.id, finding.message])
}

_conditional_warnings(model, report) := {msg |
	some id, check in report.checks
	conditional := _list(check, "conditional")
	count(conditional) > 0
	msg := sprintf("%s: check %s: %d required %s granted only conditionally: %s", [
		model.id, id, count(conditional), _plural(count(conditional), "action"),
		concat(", ", [_conditional_action(check, a) | some a in sort(conditional)]),
	])
}

_conditional_action(check, action) := sprintf("%s (%s)", [action, concat("; ", check.actions[action].reasons)]) if {
	count(object.get(check.actions[action], "reasons", [])) > 0
} else := action

_unknown_warnings(model) := {msg |
	some unknown in model.unknowns
	_relevant(model, unknown.layer)
	msg := sprintf("%s: %s; %s", [model.id, unknown.what, _consequence[unknown.layer]])
}

# The trust policy matters only when an appliance principal is given.
_relevant(_, layer) if layer != "trust"

_relevant(model, "trust") if _role_appliance(model)

# METADATA
# description: The warning when an input selects no role at all (so a pipeline is never silently green).
nothing_selected(kind) := concat("", [
	sprintf("no IAM role in this %s is selected for the Veeam checks: tag a role with %s ", [kind, checks_tag]),
	"(requirement set ids separated by spaces, e.g. \"ec2_backup\") ",
	"or list it in data.vbaws_config.roles (see docs/conftest.md)",
])
