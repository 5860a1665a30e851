package vbaws.cloudformation

# The inline policies of a role: its Policies, and the AWS::IAM::Policy (an inline policy put
# into every role listed) and AWS::IAM::RolePolicy resources that name it, for certain or
# possibly (see attachment.rego).
#
# An inline policy is known by its name within the role: putting one of the same name
# replaces it. When several of them with the same PolicyName reach one role (two Policies
# entries, a Policies entry and a RolePolicy, ...), which one stays cannot be told from the
# template. Unless their documents are the same, each then counts with its Deny statements
# only, and a warning names them: whichever stays, no Allow is relied on and no Deny is lost.

# [role, source]: source is {"name": PolicyName or null, "origin": where it is defined,
# "result": {"document": ...} or {"unknown": ...}, "possible": whether it only may reach the
# role, "entries": its entries as template.rego's _entries has them}.
_inline_sources contains [role, {
	"name": _inline_name(policy),
	"origin": sprintf("Policies[%d]", [i]),
	"result": document,
	"possible": false,
	"entries": [_entry(concat("", ["inline:", name]), name, "inline", document, label)],
}] if {
	some role in _roles
	some i, policy in _as_list(object.get(_properties(role), "Policies", []))
	name := _policy_label_inline(policy, i)
	document := _inline_document(policy)
	label := sprintf("the document of inline policy %q", [name])
}

_inline_sources contains [role, _resource_source(id, false, [_inline_resource_entry(id)])] if {
	some [type, property] in _inline_resources
	some id in _of_type(type)
	some role in _certain_roles(id, property)
}

_inline_sources contains [role, _resource_source(id, true, entries)] if {
	some [type, property] in _inline_resources
	some id in _of_type(type)
	some role, reason in _possible_roles(id, property)
	entries := _possible_entries(id, "inline", "PolicyName", reason)
}

_resource_source(id, possible, entries) := {
	"name": _property(id, "PolicyName"),
	"origin": id,
	"result": _resource_document(id),
	"possible": possible,
	"entries": entries,
}

_inline_name(policy) := policy.PolicyName if _named(policy)

else := null

_entries contains [role, entry] if {
	some [role, source] in _inline_sources
	not _same_name_sources(role, source.name)
	some entry in source.entries
}

_entries contains [role, entry] if {
	some [role, source] in _inline_sources
	origins := _same_name_sources(role, source.name)
	some entry in _yielding_entries(source, origins)
}

# The origins of the inline policies named name that reach the role, when there are several
# and their documents differ (or are unknown).
_same_name_sources(role, name) := origins if {
	is_string(name)
	sources := [s | some [r, s] in _inline_sources; r == role; s.name == name]
	origins := sort({s.origin | some s in sources})
	count(origins) > 1
	count({s.result | some s in sources}) > 1
}

# A policy that only may reach the role already counts with its Deny statements only, and an
# unknown document grants nothing: both stay as they are.
_yielding_entries(source, origins) := source.entries if {
	source.possible
} else := source.entries if {
	not "document" in object.keys(source.result)
} else := [
	{"key": concat("", [source.origin, " (its Deny statements)"]), "policy": {
		"name": sprintf("%s (%s, its Deny statements)", [source.name, source.origin]),
		"type": "inline",
		"document": _deny_statements(source.result.document),
	}},
	{"key": concat("", [source.origin, " (its Allow statements)"]), "unknown": {
		"layer": "identity",
		"what": sprintf(
			"the Allow statements of inline policy %q of %s (%s all put an inline policy of that name into this role; %s)",
			[source.name, source.origin, concat(", ", origins), "which one stays cannot be told"],
		),
	}},
]
