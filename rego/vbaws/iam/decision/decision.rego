# METADATA
# description: |
#   Combines evaluation layers into one decision per action (IAM-SEMANTICS.md §3, contract §3).
#   A layer is the identity policies together, the permissions boundary, or one SCP level;
#   every layer must allow, and a Deny in any layer wins.
package vbaws.iam.decision

import data.vbaws.iam.conditions
import data.vbaws.iam.policy

# METADATA
# description: |
#   Builds a layer from analysed policies ([{"name", "analysis"}]) for one role context.
#   What the statements without a Condition give comes precomputed with each analysis
#   (the same for every role); only the statements with a Condition are decided here.
#   Those whose Condition is false for the role drop out; the rest keep their unknown
#   condition keys. The action sets make deciding an action a few set lookups.
layer(name, policies, context) := _combined_layer(name, policies, resolved) if {
	resolved := [object.union(statement, {
		"policy": policy.name,
		"full": _full(statement.resource, condition.value),
		"unknown_conditions": condition.unknown,
	}) |
		some policy in policies
		some statement in object.get(policy.analysis, "conditioned", [])
		condition := conditions.evaluate(statement.condition, context)
		condition.value != "false"
	]
}

# Without statements decided per role, _combined_layer's arguments are the same for every
# role that shares the layer's policies: function results are cached per query, so the SCP
# levels and a boundary that every role of a batch shares are built once.
_combined_layer(name, policies, []) := _summed_layer(name, policies)

# Statements decided for this role (rare) are added to what the summaries give.
_combined_layer(name, policies, resolved) := object.union(layer, {
	"full_denies": array.concat(layer.full_denies, [s | some s in resolved; s.effect == "Deny"; s.full]),
	"partial_allows": array.concat(layer.partial_allows, [s | some s in resolved; s.effect == "Allow"; not s.full]),
	"partial_denies": array.concat(layer.partial_denies, [s | some s in resolved; s.effect == "Deny"; not s.full]),
	"allow_full": (layer.allow_full | union({s.actions | some s in resolved; s.effect == "Allow"; s.full})),
	"allow_any": (layer.allow_any | union({s.actions | some s in resolved; s.effect == "Allow"})),
	"deny_full": (layer.deny_full | union({s.actions | some s in resolved; s.effect == "Deny"; s.full})),
	"deny_any": (layer.deny_any | union({s.actions | some s in resolved; s.effect == "Deny"})),
}) if {
	count(resolved) > 0
	layer := _summed_layer(name, policies)
}

_summed_layer(name, policies) := {
	"name": name,
	"full_denies": [object.union(s, {"policy": p.name}) | some p in policies; some s in p.analysis.summary.full_denies],
	"partial_allows": array.flatten([p.analysis.summary.partial_allows | some p in policies]),
	"partial_denies": array.flatten([p.analysis.summary.partial_denies | some p in policies]),
	"allow_full": _union(policies, "allow_full"),
	"allow_any": _union(policies, "allow_any"),
	"deny_full": _union(policies, "deny_full"),
	"deny_any": _union(policies, "deny_any"),
}

_union(policies, key) := union({p.analysis.summary[key] | some p in policies})

_full("all", "true") := true

_full(resource, value) := false if {
	[resource, value] != ["all", "true"]
}

# METADATA
# description: |
#   The decisions for a set of actions over the layers, as {action: decision} where a
#   decision is as in the contract's report: {"decision": "allowed"} |
#   {"decision": "explicit_deny", "blocked_by", "statement", "policy"} |
#   {"decision": "implicit_deny", "blocked_by"} | {"decision": "conditional", "reasons"}.
#   The four classes are found with set operations over the layers' precomputed action
#   sets; only actions that are not plainly allowed get a per-action explanation.
decide_all(actions, layers) := classify(actions, layers).decisions

# METADATA
# description: |
#   The decisions (as decide_all) together with the action sets of each class:
#   {"decisions", "all", "allowed", "denied", "missing", "conditional"}, "all" being the
#   actions asked about.
classify(actions, layers) := {
	"decisions": decisions,
	"all": actions,
	"allowed": allowed,
	"denied": denied,
	"missing": missing,
	"conditional": conditional,
} if {
	denied := actions & union({l.deny_full | some l in layers})
	missing := (actions - denied) - intersection({l.allow_any | some l in layers})
	fully_allowed := intersection({l.allow_full | some l in layers})
	allowed := ((actions - denied) & fully_allowed) - union({l.deny_any | some l in layers})
	conditional := ((actions - allowed) - denied) - missing
	decisions := object.union_n([
		_same_for(allowed, {"decision": "allowed"}),
		_explicit_denies(denied, layers),
		_implicit_deny(missing, layers),
		_conditionals(conditional, layers),
	])
}

# Missing actions are grouped by the exact set of layers that do not allow them, and every
# group shares one explanation, cut out of a prebuilt object with one object.filter instead
# of being built action by action. Most are missing in one layer only (usually the identity
# policies); the rest are grouped by the subsets of the layers that miss them, up to
# _max_grouped_layers such layers, beyond which each action is explained on its own.
_implicit_deny(missing, layers) := _implicit_deny_in(missing, layers, [i |
	some i, l in layers
	count(missing - l.allow_any) > 0
])

# The usual case: one layer (the identity policies) misses them all.
_implicit_deny_in(missing, layers, [i]) := _same_for(missing, _blocked_by([layers[i]]))

_implicit_deny_in(missing, layers, missing_in) := object.union_n(array.concat(
	[_same_for(only[i], _blocked_by([layers[i]])) | some i, _ in layers],
	[_multi_layer(multi, per_layer, layers)],
)) if {
	count(missing_in) != 1
	per_layer := [m | some l in layers; m := missing - l.allow_any]
	only := [o | some i, m in per_layer; o := m - union({other | some j, other in per_layer; j != i})]
	multi := missing - union({m | some m in only})
}

_multi_layer(multi, _, _) := {} if count(multi) == 0

_multi_layer(multi, per_layer, layers) := object.union_n([_same_for(group, _blocked_by(blocking)) |
	some subset in numbers.range(3, bits.lsh(1, count(involved)) - 1)
	inside := {i | some k, i in involved; bits.and(subset, bits.lsh(1, k)) != 0}
	count(inside) > 1
	missing_in_all := intersection({g | some i, m in per_layer; i in inside; g := m & multi})
	group := missing_in_all - union({m | some j, m in per_layer; j in involved; not j in inside})
	count(group) > 0
	blocking := [l | some i, l in layers; i in inside]
]) if {
	count(multi) > 0
	involved := [i | some i, m in per_layer; count(m & multi) > 0]
	count(involved) <= _max_grouped_layers
}

_multi_layer(multi, _, layers) := {action: _blocked_by([l | some l in layers; not action in l.allow_any]) |
	some action in multi
} if {
	count(multi) > 0
	count([l | some l in layers; count(multi - l.allow_any) > 0]) > _max_grouped_layers
}

_blocked_by(blocking) := {"decision": "implicit_deny", "blocked_by": [l.name | some l in blocking]}

_max_grouped_layers := 5

# {action: decision} for every catalog action with the same decision. Function results are
# cached per query, so each distinct decision is built once and then cut down to the
# actions that need it. object.remove of the few other actions builds the result about
# twice as fast as object.filter of the many wanted ones.
_uniform(decision) := {action: decision | some action in policy.catalog_actions}

_same_for(actions, decision) := object.remove(_uniform(decision), policy.catalog_actions - actions)

# METADATA
# description: The decision for one action over the layers (see decide_all).
decide(action, layers) := decide_all({action}, layers)[action]

# Each statement that makes some of the actions conditional is explained once; an action's
# reasons are those of the statements that name it.
_conditionals(conditional, _) := {} if count(conditional) == 0

_conditionals(conditional, layers) := {action: {
	"decision": "conditional",
	"reasons": sort(union({reasons | some [hit, reasons] in explained; action in hit})),
} |
	some action in conditional
} if {
	count(conditional) > 0
	explained := array.concat(
		[[hit, _reasons(s, l.name)] |
			some l in layers
			some s in l.partial_allows
			hit := (s.actions & conditional) - l.allow_full
			count(hit) > 0
		],
		[[hit, _reasons(s, l.name)] |
			some l in layers
			some s in l.partial_denies
			hit := (s.actions & conditional) & l.deny_any
			count(hit) > 0
		],
	)
}

_explicit_deny(action, layers) := {
	"decision": "explicit_deny",
	"blocked_by": [l.name | some l in layers; action in l.deny_full],
	"statement": deny.sid,
	"policy": deny.policy,
} if {
	deny := [s |
		some l in layers
		action in l.deny_full
		some s in l.full_denies
		action in s.actions
	][0]
}

# Denied actions are explained by the first unconditional Deny (in layer order) that covers
# them. Actions that share that statement and the layers denying them share one
# explanation; a group whose actions are denied in different sets of layers is explained
# action by action.
_explicit_denies(denied, _) := {} if count(denied) == 0

_explicit_denies(denied, layers) := object.union_n([_explicit_group(group, entry, layers) |
	some k, entry in statements
	group := (entry.actions & denied) - union({e.actions | some j, e in statements; j < k})
	count(group) > 0
]) if {
	count(denied) > 0
	statements := array.flatten([l.full_denies | some l in layers])
}

_explicit_group(group, statement, layers) := _same_for(group, {
	"decision": "explicit_deny",
	"blocked_by": [l.name | some l in denying],
	"statement": statement.sid,
	"policy": statement.policy,
}) if {
	denying := [l | some l in layers; count(group & l.deny_full) > 0]
	every l in denying {
		count(group - l.deny_full) == 0
	}
} else := {action: _explicit_deny(action, layers) | some action in group}

_reasons(statement, layer_name) := {sprintf("%s%s", [_prefix(layer_name), r]) |
	some r in _statement_reasons(statement)
}

_statement_reasons(statement) := ({sprintf("%s has Condition %s", [lower(statement.effect), pair]) |
	some pair in statement.unknown_conditions
} | {sprintf("%s is resource-scoped (not every resource)", [lower(statement.effect)]) |
	statement.resource == "some"
}) | {sprintf("a Deny may apply: %s", [statement.unread]) |
	is_string(statement.unread)
}

_prefix("identity") := ""

_prefix(name) := sprintf("%s: ", [name]) if name != "identity"
