# METADATA
# description: |
#   Analyses one IAM policy document against the required actions of the catalog
#   (data.vbaws.requirements). The result does not depend on the role, so a document seen
#   in many roles is analysed the same way each time: which catalog actions each valid
#   statement matches, how much of Resource "*" it covers, and its Condition. Invalid
#   statements are reported as errors and left out of evaluation.
#
#   Matching is indexed: literal actions are looked up in a map, wildcard patterns are
#   globbed only against the catalog actions of their own service prefix.
package vbaws.iam.policy

import data.vbaws.lib.glob
import data.vbaws.lib.values

# METADATA
# description: Every catalog action (all requirement sets), in the catalog's spelling.
catalog_actions contains action if {
	some set in data.vbaws.requirements
	some action in set.actions
}

# lower-case action -> catalog spelling
_by_lower := {lower(action): action | some action in catalog_actions}

# lower-case service prefix -> [[lower-case action, catalog spelling], ...]
_by_service[service] contains [lowered, action] if {
	some lowered, action in _by_lower
	service := substring(lowered, 0, indexof(lowered, ":"))
}

_valid_versions := {"2012-10-17", "2008-10-17"}

_top_level_keys := {"Version", "Id", "Statement"}

# METADATA
# description: |
#   Analyses a parsed identity-side policy document (identity policy, boundary or SCP).
#   Returns {"statements": [analysed statement, ...], "errors": [message, ...]}; an analysed
#   statement is {"sid", "effect", "actions" (set of catalog actions it matches),
#   "resource" ("all", "some" or "none" of Resource "*"), "condition" (object, {} if none)}.
analyze(document) := {
	"statements": [s |
		some i, statement in _statements(document)
		count(statement_errors(statement, i, "identity")) == 0
		s := _analyse_statement(statement, i, _version(document))
	],
	"errors": array.concat(
		sort(document_errors(document)),
		[e |
			some i, statement in _statements(document)
			some e in sort(statement_errors(statement, i, "identity"))
		],
	),
}

_statements(document) := values.as_list(document.Statement) if is_array(document.Statement)

_statements(document) := [document.Statement] if is_object(document.Statement)

_statements(document) := [] if {
	not is_array(object.get(document, "Statement", null))
	not is_object(object.get(document, "Statement", null))
}

_version(document) := object.get(document, "Version", "2008-10-17")

# METADATA
# description: Problems with the document as a whole (set of messages).
document_errors(document) := union({
	{"has no Statement" | not "Statement" in object.keys(document)},
	{"Statement must be an object or a list of objects" |
		"Statement" in object.keys(document)
		not is_array(object.get(document, "Statement", null))
		not is_object(object.get(document, "Statement", null))
	},
	{sprintf("unknown top-level element %q", [key]) |
		some key, _ in document
		not key in _top_level_keys
	},
	{sprintf("Version %v is not 2012-10-17 or 2008-10-17", [json.marshal(document.Version)]) |
		"Version" in object.keys(document)
		not document.Version in _valid_versions
	},
})

# METADATA
# description: |
#   A statement's label for messages: its position (1-based) and Sid when it has one.
label(statement, i) := sprintf("statement %d (Sid %q)", [i + 1, statement.Sid]) if {
	is_object(statement)
	is_string(statement.Sid)
} else := sprintf("statement %d", [i + 1])

# METADATA
# description: |
#   Problems that make a statement invalid (set of messages). kind is "identity" for
#   identity policies, boundaries and SCPs, "trust" for role trust policies.
statement_errors(statement, i, _) := {sprintf("%s is not an object", [label(statement, i)])} if {
	not is_object(statement)
}

statement_errors(statement, i, kind) := {sprintf("%s: %s", [label(statement, i), problem]) |
	some problem in (_common_problems(statement) | _kind_problems(statement, kind))
} if {
	is_object(statement)
}

_common_problems(statement) := union({
	{"has no Effect" | not "Effect" in object.keys(statement)},
	{sprintf("Effect must be exactly \"Allow\" or \"Deny\", got %v", [json.marshal(statement.Effect)]) |
		"Effect" in object.keys(statement)
		not statement.Effect in {"Allow", "Deny"}
	},
	{"has both Action and NotAction" |
		"Action" in object.keys(statement)
		"NotAction" in object.keys(statement)
	},
	{"has neither Action nor NotAction" |
		not "Action" in object.keys(statement)
		not "NotAction" in object.keys(statement)
	},
	{sprintf("%s value %v is not a string", [key, json.marshal(value)]) |
		some key in ["Action", "NotAction"]
		some value in values.as_list(object.get(statement, key, []))
		not is_string(value)
	},
	{sprintf("%s \"*:*\" is not a valid action (undocumented; IAM Access Analyzer rejects it)", [key]) |
		some key in ["Action", "NotAction"]
		"*:*" in values.as_list(object.get(statement, key, []))
	},
	{"Condition must be an object" |
		"Condition" in object.keys(statement)
		not is_object(object.get(statement, "Condition", null))
	},
})

_kind_problems(statement, "identity") := union({
	{"has both Resource and NotResource" |
		"Resource" in object.keys(statement)
		"NotResource" in object.keys(statement)
	},
	{"has neither Resource nor NotResource" |
		not "Resource" in object.keys(statement)
		not "NotResource" in object.keys(statement)
	},
	{sprintf("%s value %v is not a string", [key, json.marshal(value)]) |
		some key in ["Resource", "NotResource"]
		some value in values.as_list(object.get(statement, key, []))
		not is_string(value)
	},
	{sprintf("%s is not allowed in an identity policy", [key]) |
		some key in ["Principal", "NotPrincipal"]
		key in object.keys(statement)
	},
})

_kind_problems(statement, "trust") := union({
	{"NotPrincipal is not allowed in a trust policy" | "NotPrincipal" in object.keys(statement)},
	{"has no Principal" |
		not "Principal" in object.keys(statement)
		not "NotPrincipal" in object.keys(statement)
	},
})

_analyse_statement(statement, i, version) := {
	"sid": object.get(statement, "Sid", sprintf("statement %d", [i + 1])),
	"label": label(statement, i),
	"effect": statement.Effect,
	"actions": _matched_actions(statement),
	"resource": _resource_scope(statement, version),
	"condition": object.get(statement, "Condition", {}),
}

_matched_actions(statement) := match_patterns(values.as_list(statement.Action)) if "Action" in object.keys(statement)

_matched_actions(statement) := catalog_actions - match_patterns(values.as_list(statement.NotAction)) if {
	"NotAction" in object.keys(statement)
}

# METADATA
# description: The catalog actions that any of the IAM action patterns match (set).
match_patterns(patterns) := union({_match_pattern(lower(p)) | some p in patterns})

_match_pattern("*") := catalog_actions

_match_pattern(pattern) := {action | action := _by_lower[pattern]} if {
	pattern != "*"
	not glob.has_wildcard(pattern)
}

_match_pattern(pattern) := {action |
	some [lowered, action] in object.get(_by_service, _service(pattern), set())
	glob.matches(pattern, lowered)
} if {
	pattern != "*"
	glob.has_wildcard(pattern)
	not glob.has_wildcard(_service(pattern))
}

_match_pattern(pattern) := {action |
	some lowered, action in _by_lower
	glob.matches(pattern, lowered)
} if {
	pattern != "*"
	glob.has_wildcard(_service(pattern))
}

_service(pattern) := substring(pattern, 0, indexof(pattern, ":")) if contains(pattern, ":")

_service(pattern) := pattern if not contains(pattern, ":")

# How much of the request resource "*" a statement covers (IAM-SEMANTICS.md, literal reading).
_resource_scope(statement, version) := "all" if {
	"Resource" in object.keys(statement)
	some r in values.as_list(statement.Resource)
	_covers_star(r, version)
}

_resource_scope(statement, version) := "some" if {
	"Resource" in object.keys(statement)
	count(values.as_list(statement.Resource)) > 0
	not _any_covers_star(values.as_list(statement.Resource), version)
}

_resource_scope(statement, _) := "none" if {
	"Resource" in object.keys(statement)
	count(values.as_list(statement.Resource)) == 0
}

_resource_scope(statement, version) := "none" if {
	"NotResource" in object.keys(statement)
	_any_covers_star(values.as_list(statement.NotResource), version)
}

_resource_scope(statement, version) := "all" if {
	"NotResource" in object.keys(statement)
	not _any_covers_star(values.as_list(statement.NotResource), version)
}

_any_covers_star(resources, version) if {
	some r in resources
	_covers_star(r, version)
}

# A policy variable in a 2012-10-17 document is substituted; for a role most have no value
# and the entry then matches nothing, so an entry with a variable never covers "*".
_covers_star(resource, "2012-10-17") if {
	not contains(resource, "${")
	glob.matches(resource, "*")
}

_covers_star(resource, version) if {
	version != "2012-10-17"
	glob.matches(resource, "*")
}
