# METADATA
# description: |
#   Combines evaluation layers into one decision per action (IAM-SEMANTICS.md §3, contract §3).
#   A layer is the identity policies together, the permissions boundary, or one SCP level;
#   every layer must allow, and a Deny in any layer wins.
package vbaws.iam.decision

import data.vbaws.iam.conditions

# METADATA
# description: |
#   Builds a layer from analysed policies ([{"name", "analysis"}]) for one role context.
#   Statements whose Condition is false for the role, or that cover no resource, drop out;
#   the rest are kept with their condition state, and the action sets are precomputed so
#   that deciding an action is a few set lookups.
layer(name, policies, context) := {
	"name": name,
	"statements": statements,
	"allow_full": union({s.actions | some s in statements; s.effect == "Allow"; s.full}),
	"allow_any": union({s.actions | some s in statements; s.effect == "Allow"}),
	"deny_full": union({s.actions | some s in statements; s.effect == "Deny"; s.full}),
	"deny_any": union({s.actions | some s in statements; s.effect == "Deny"}),
} if {
	statements := [effective |
		some policy in policies
		some statement in policy.analysis.statements
		statement.resource != "none"
		condition := _condition(statement.condition, context)
		condition.value != "false"
		effective := object.union(statement, {
			"policy": policy.name,
			"full": _full(statement.resource, condition.value),
			"unknown_conditions": condition.unknown,
		})
	]
}

_condition(condition, _) := {"value": "true", "unknown": []} if count(condition) == 0

_condition(condition, context) := conditions.evaluate(condition, context) if count(condition) > 0

_full("all", "true") := true

_full(resource, value) := false if {
	[resource, value] != ["all", "true"]
}

# METADATA
# description: |
#   The decision for one action over the layers, as in the contract's report:
#   {"decision": "allowed"} | {"decision": "explicit_deny", "blocked_by", "statement", "policy"}
#   | {"decision": "implicit_deny", "blocked_by"} | {"decision": "conditional", "reasons"}.
decide(action, layers) := {
	"decision": "explicit_deny",
	"blocked_by": [l.name | some l in layers; action in l.deny_full],
	"statement": deny.sid,
	"policy": deny.policy,
} if {
	denies := [s |
		some l in layers
		action in l.deny_full
		some s in l.statements
		s.effect == "Deny"
		s.full
		action in s.actions
	]
	count(denies) > 0
	deny := denies[0]
} else := {
	"decision": "implicit_deny",
	"blocked_by": blocked_by,
} if {
	blocked_by := [l.name | some l in layers; not action in l.allow_any]
	count(blocked_by) > 0
} else := {"decision": "allowed"} if {
	every l in layers {
		action in l.allow_full
		not action in l.deny_any
	}
} else := {
	"decision": "conditional",
	"reasons": sort(_partial_allow_reasons(action, layers) | _partial_deny_reasons(action, layers)),
}

_partial_allow_reasons(action, layers) := {reason |
	some l in layers
	not action in l.allow_full
	some s in l.statements
	s.effect == "Allow"
	action in s.actions
	some reason in _reasons(s, l.name)
}

_partial_deny_reasons(action, layers) := {reason |
	some l in layers
	action in l.deny_any
	some s in l.statements
	s.effect == "Deny"
	not s.full
	action in s.actions
	some reason in _reasons(s, l.name)
}

_reasons(statement, layer_name) := {sprintf("%s%s", [_prefix(layer_name), r]) |
	some r in _statement_reasons(statement)
}

_statement_reasons(statement) := {sprintf("%s has Condition %s", [lower(statement.effect), pair]) |
	some pair in statement.unknown_conditions
} | {sprintf("%s is resource-scoped (not every resource)", [lower(statement.effect)]) |
	statement.resource == "some"
}

_prefix("identity") := ""

_prefix(name) := sprintf("%s: ", [name]) if name != "identity"
