# METADATA
# description: |
#   Builds the report of contract §3 for one role snapshot. Every front end (the ec2_backup
#   entry points, Terraform and CloudFormation rules) calls build() so that a role gets the
#   same answer wherever it is asked about.
package vbaws.report

import data.vbaws.iam.conditions
import data.vbaws.iam.decision
import data.vbaws.iam.policy
import data.vbaws.iam.trust
import data.vbaws.lib.values
import data.vbaws.snapshot

# METADATA
# description: The report object (contract §3) for a role snapshot (contract §2).
build(snapshot) := _build(snapshot, _role(snapshot))

_role(snapshot) := snapshot.role if {
	is_object(snapshot)
	is_object(snapshot.role)
} else := {}

_build(snapshot, role) := {
	"role_arn": arn,
	"role_name": object.get(role, "name", arn),
	"evaluated": true,
	"compliant": _compliant(evaluation.checks, trust_result, findings),
	"checks": evaluation.checks,
	"trust": object.remove(trust_result, ["findings"]),
	"layers": evaluation.layers,
	"findings": findings,
} if {
	arn := _arn(role)
	requested := _requested(snapshot)
	evaluation := _evaluate(snapshot, role, arn, requested)
	trust_result := _trust(snapshot, role, arn)
	findings := [_with_actions(f) | some f in array.flatten([
		_input_findings(role, requested),
		_shape_findings(snapshot, role),
		evaluation.findings,
		_check_findings(evaluation.checks),
		trust_result.findings,
		_layer_notes(snapshot, role),
	])]
}

# Contract §3 shows a finding as id, severity, message and actions: a finding about no
# particular required action (a trust, input or layer finding) has none to name.
_with_actions(finding) := object.union({"actions": []}, finding)

# The permission side of the report: every layer that applies to the role, and the
# decisions for the requested checks.
_evaluate(snapshot, role, arn, requested) := {
	"checks": {id: _check(id, classes) | some id in requested; data.vbaws.requirements[id]},
	"layers": {"identity": true, "boundary": count(boundary) > 0, "scps": count(scp_layers) > 0},
	"findings": _policy_findings(policies),
} if {
	identity := [_analysed(p) | some p in values.as_list(object.get(role, "policies", []))]
	boundary := _boundary(role)
	scps := [[sprintf("scp:%s", [target]), _scp_policies(level, target)] |
		some level in _scp_levels(snapshot, role)
		target := _scp_target(level)
	]
	policies := array.flatten([identity, boundary, [p | some [_, level] in scps; some p in level]])
	context := _context(arn, role, policies)
	scp_layers := [decision.layer(name, level_policies, context) | some [name, level_policies] in scps]
	layers := array.flatten([
		[decision.layer("identity", identity, context)],
		[decision.layer("boundary", boundary, context) | count(boundary) > 0],
		scp_layers,
	])

	# An action's decision does not depend on the check that asks for it: every requested
	# action is decided once, and each check takes its own.
	classes := decision.classify(union({_required_sets[id] | some id in requested}), layers)
}

# What a Condition can know about the role, needed only for the statements that each role
# decides (conditions on principal keys, rare): without them every role passes the same
# empty context, and the layers that do not depend on the role stay shared.
_context(arn, role, policies) := conditions.role_context(arn, _tags(role), _tags_known(role)) if {
	some p in policies
	count(object.get(p.analysis, "conditioned", [])) > 0
} else := {}

_arn(role) := role.arn if {
	is_string(role.arn)
} else := role.name if {
	is_string(role.name)
} else := "(unnamed role)"

_requested(snapshot) := values.as_list(snapshot.checks) if {
	is_object(snapshot)
	"checks" in object.keys(snapshot)
	snapshot.checks != null
} else := ["ec2_backup"]

_tags(role) := role.tags if {
	is_object(role.tags)
	_tags_readable(role)
} else := {t.Key: t.Value | some t in role.tags} if {
	_tags_readable(role)
} else := {}

# Only tags in a readable shape are known (and a missing tag then known to be absent);
# null or any other shape leaves aws:PrincipalTag conditions undecided.
_tags_known(role) if {
	_tags_readable(role)
} else := false

_tags_readable(role) if _tags_ok(role.tags)

# Condition keys ignore case, so tags whose keys differ only in case (or repeat, in list
# form) give aws:PrincipalTag/<key> two values: which one a condition sees cannot be told.
_tags_ok(tags) if {
	is_object(tags)
	every value in tags {
		is_string(value)
	}
	_distinct_ignoring_case(object.keys(tags))
}

_tags_ok(tags) if {
	_tag_list(tags)
	_distinct_ignoring_case([t.Key | some t in tags])
}

_distinct_ignoring_case(keys) if count({lower(k) | some k in keys}) == count(keys)

# IAM's form: [{"Key": "team", "Value": "backup"}, ...]
_tag_list(tags) if {
	is_array(tags)
	every tag in tags {
		is_string(tag.Key)
		is_string(tag.Value)
	}
}

_analysed(entry) := _named(_policy_label(entry), _analysis(entry))

# What an analysed policy counts for in its layer. A policy that could not be read may hold
# a Deny (contract §3: "allowed" only when no Deny can apply; a Deny that cannot be read
# leaves the outcome undecided): it counts as a Deny of every action under an unknown
# condition, so nothing it could block is decided allowed, and its Allows count for nothing.
# An invalid statement of a readable policy is different: IAM would not store the policy,
# so it takes no part (docs/engine.md), and the role is not compliant for its error alone.
_named(name, analysis) := {"name": name, "analysis": analysis} if {
	not analysis.unread
} else := {"name": name, "analysis": object.union(analysis, {"summary": {
	"allow_full": set(), "allow_any": set(), "deny_full": set(), "deny_any": policy.catalog_actions,
	"full_denies": [], "partial_allows": [], "partial_denies": [{
		"sid": "", "effect": "Deny", "actions": policy.catalog_actions, "resource": "unread",
		"condition": {}, "unknown_conditions": [],
		"unread": sprintf("%s could not be read", [name]),
	}],
}})}

# An SCP is named with its level, since one SCP is often attached at several levels.
_scp_policies(level, target) := [_named(_scp_label(entry, target), _analysis(entry)) |
	some entry in values.as_list(level.policies)
] if {
	is_object(level)
	"policies" in object.keys(level)
} else := [_named(
	sprintf("service control policies at %s", [target]),
	_unread("the level has no \"policies\" list"),
)]

_scp_target(level) := level.target if {
	is_object(level)
	is_string(level.target)
} else := "(no target)"

_scp_label(entry, target) := sprintf("service control policy %q at %s", [entry.name, target]) if {
	is_object(entry)
	is_string(entry.name)
} else := sprintf("service control policy (unnamed) at %s", [target])

_policy_label(entry) := sprintf("%v policy %q", [object.get(entry, "type", "identity"), entry.name]) if {
	is_object(entry)
	is_string(entry.name)
} else := sprintf("%v policy (unnamed)", [object.get(entry, "type", "identity")]) if {
	is_object(entry)
} else := "identity policy (unnamed)"

_analysis(entry) := _unread(entry.error) if {
	is_string(entry.error)
} else := _unread("is not an object with a document") if {
	not is_object(entry)
} else := analysis if {
	analysis := _analysed_documents[entry.document]
} else := _document_analysis(object.get(entry, "document", null))

_document_analysis(document) := _parsed_analysis(values.parse_document(document))

# Batch inputs repeat documents (a managed policy attached to many roles, the SCPs that
# apply to every role): each distinct document of the input is analysed once per query.
_analysed_documents := {document: _document_analysis(document) | some document in _input_documents}

_input_documents contains entry.document if {
	some s in snapshot.from_input
	some entry in array.concat(
		values.as_list(object.get(_role(s), "policies", [])),
		[b | b := _role(s).permissions_boundary],
	)
}

_input_documents contains entry.document if {
	some s in snapshot.from_input
	some level in values.as_list(object.get(s, "scps", []))
	some entry in values.as_list(object.get(level, "policies", []))
}

_parsed_analysis(parsed) := policy.analyze(parsed.document) if {
	parsed.document
} else := _unread(parsed.error)

# A policy that could not be read at all: none of its statements count, and it says so.
_unread(reason) := {"statements": [], "errors": [reason], "unread": true}

_boundary(role) := [_named(
	sprintf("permissions boundary %q", [object.get(role.permissions_boundary, "arn", "(no arn)")]),
	_analysis(role.permissions_boundary),
)] if {
	is_object(role.permissions_boundary)
} else := []

# Decided by the ARN alone, which carries the path: a "path" field that disagrees with it
# must not take the SCPs away. The path starts the ARN's resource part (after its fifth
# colon); one that only holds ":role/aws-service-role/" (IAM allows ":" in a path) does not.
_service_linked(role) if {
	is_string(role.arn)
	regex.match(`^arn:[^:]*:[^:]*:[^:]*:[^:]*:role/aws-service-role/`, role.arn)
}

_scp_levels(snapshot, role) := values.as_list(snapshot.scps) if {
	is_array(snapshot.scps)
	not _service_linked(role)
} else := []

_check(id, classes) := {
	"compliant": count(required - classes.allowed) == 0,
	"actions": object.remove(classes.decisions, classes.all - required),
	"missing": sort(classes.missing & required),
	"denied": sort(classes.denied & required),
	"conditional": sort(classes.conditional & required),
	"source": data.vbaws.requirements[id].source,
} if {
	required := _required_sets[id]
}

# The actions of every requirement set as a set, built once per query, not once per role.
_required_sets := {id: {a | some a in requirement.actions} | some id, requirement in data.vbaws.requirements}

_trust(snapshot, role, arn) := trust.assess(
	object.get(role, "trust_policy", null),
	snapshot.appliance.principal,
	arn,
) if {
	snapshot.appliance.principal
} else := {"checked": false, "appliance_can_assume": null, "conditions": [], "findings": []}

_compliant(checks, trust_result, findings) if {
	_compliant_all(checks, trust_result, findings)
} else := false

_compliant_all(checks, trust_result, findings) if {
	count(checks) > 0
	every check in checks {
		check.compliant
	}
	trust_result.appliance_can_assume != false
	every f in findings {
		f.severity != "error"
	}
}

_input_findings(role, requested) := array.concat(
	[{"id": "VBAWS-INVALID-INPUT", "severity": "error", "message": "the snapshot has no role object"} |
		count(role) == 0
	],
	[{
		"id": "VBAWS-UNKNOWN-CHECK",
		"severity": "error",
		"message": sprintf(
			"unknown check %v (known: %s)",
			[json.marshal(c), concat(", ", sort(object.keys(data.vbaws.requirements)))],
		),
	} |
		some c in requested
		not data.vbaws.requirements[c]
	],
)

# Optional parts of the snapshot in the wrong shape are not taken as "not given": a
# boundary or SCP list that is skipped could hide a layer that blocks the role (an error),
# and the appliance asked for a trust check (an error when it cannot be done); tags of the
# wrong shape leave aws:PrincipalTag conditions undecided, which is safe (a warning).
# Nearly every snapshot is well shaped, which a few lookups tell before any message is built.
_shape_findings(snapshot, role) := [] if {
	_ok_or_null("permissions_boundary", object.get(role, "permissions_boundary", null))
	_ok_or_null("scps", object.get(snapshot, "scps", null))
	_ok_or_null("appliance", object.get(snapshot, "appliance", null))
	_ok_or_null("tags", object.get(role, "tags", null))
} else := [{
	"id": "VBAWS-INVALID-INPUT",
	"severity": severity,
	"message": sprintf("%s must be %s, got %s: %s", [key, shape, type_name(value), consequence]),
} |
	some [part, key, shape, consequence, severity] in _optional_shapes
	container := {"role": role, "snapshot": snapshot}[part]
	is_object(container)
	value := object.get(container, key, null)
	value != null
	not _shape_ok(key, value)
]

_optional_shapes := [
	[
		"role", "permissions_boundary", `an object with "arn" and "document"`,
		"the permissions boundary was not evaluated", "error",
	],
	["snapshot", "scps", "a list of levels", "the organization layer (SCPs) was not evaluated", "error"],
	[
		"snapshot", "appliance", `an object with a "principal" string`,
		"the trust policy was not checked", "error",
	],
	[
		"role", "tags", `an object of strings or a list of {"Key", "Value"} strings, keys distinct ignoring case`,
		"conditions on aws:PrincipalTag keys were left undecided", "warning",
	],
]

_ok_or_null(_, null)

_ok_or_null(key, value) if _shape_ok(key, value)

_shape_ok("permissions_boundary", value) if is_object(value)

_shape_ok("scps", value) if is_array(value)

_shape_ok("appliance", value) if is_string(value.principal)

_shape_ok("tags", value) if _tags_ok(value)

_policy_findings(policies) := [{
	"id": "VBAWS-INVALID-POLICY",
	"severity": "error",
	"message": sprintf("%s: %s", [p.name, e]),
} |
	some p in policies
	some e in p.analysis.errors
]

_check_findings(checks) := [f |
	some id in sort(object.keys(checks))
	some f in _findings_of(id, checks[id])
]

_findings_of(id, check) := [finding |
	some [key, code, severity, verb] in [
		["missing", "VBAWS-MISSING", "error", "not allowed"],
		["denied", "VBAWS-DENIED", "error", "explicitly denied"],
		["conditional", "VBAWS-CONDITIONAL", "warning", "allowed only under conditions or for some resources"],
	]
	count(check[key]) > 0
	finding := {
		"id": code,
		"severity": severity,
		"check": id,
		"message": sprintf("%s: %d required action(s) %s: %s", [id, count(check[key]), verb, concat(", ", check[key])]),
		"actions": check[key],
	}
]

_layer_notes(snapshot, role) := [{
	"id": "VBAWS-SCPS-NOT-APPLICABLE",
	"severity": "info",
	"message": concat("", [
		"service control policies do not apply to service-linked roles (path /aws-service-role/); ",
		"they were not evaluated",
	]),
}] if {
	is_array(snapshot.scps)
	_service_linked(role)
} else := [{
	"id": "VBAWS-SCPS-NOT-EVALUATED",
	"severity": "info",
	"message": "no service control policies were given: the organization layer was not evaluated",
}] if {
	# An empty list names no level either: nothing of the organization was evaluated.
	object.get(snapshot, "scps", null) in {null, []}
} else := []
