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
	"name": _resolved(_property(id, "PolicyName")),
	"origin": id,
	"result": _resource_document(id),
	"possible": possible,
	"entries": entries,
}

# A Policies entry chosen by !If (`!If [IsProd, {PolicyName: extra, ...}, !Ref AWS::NoValue]`)
# puts the policy of one branch, so its name is read as an !If choosing between their names
# (null for a branch that puts none).
_inline_name(policy) := {"Fn::If": [null, _branch_name(branches[0]), _branch_name(branches[1])]} if {
	branches := _if_branches(policy)
} else := _resolved(object.get(policy, "PolicyName", null)) if {
	is_object(policy)
} else := null

_branch_name(branch) := null if {
	_no_value(branch)
} else := _resolved(object.get(branch, "PolicyName", null)) if {
	_plain_object(branch) == branch
} else := branch

_entries contains [role, entry] if {
	some [role, source] in _inline_sources
	not _same_name_sources(role, source)
	some entry in source.entries
}

_entries contains [role, entry] if {
	some [role, source] in _inline_sources
	sources := _same_name_sources(role, source)
	some entry in _yielding_entries(source, sources)
}

# The inline policies that reach the role with the name of source, or with one that could
# turn out to be the same at deploy time, when there are several and their documents differ
# (or are unknown). Overlaps are not transitive: each policy yields to those it could share
# its name with.
_same_name_sources(role, source) := sources if {
	sources := [s | some [r, s] in _inline_sources; r == role; _may_share_name(source.name, s.name)]
	count({s.origin | some s in sources}) > 1
	count({s.result | some s in sources}) > 1
}

# Whether two PolicyName values could give the same name. One that no text can show (an
# !ImportValue) could be any name; a pattern with placeholders ("${GuardName}",
# !Sub '${AWS::StackName}-guard') any name it fits; an !If either branch's. Unnamed
# policies are left to IAM.
_may_share_name(a, b) if {
	some x in _name_options(a)
	some y in _name_options(b)
	_could_share(x, y)
}

# A number or a boolean is a literal CloudFormation passes on as text. A parameter with
# AllowedValues (a name read as "${Parameter}") can only be one of them, an !FindInMap one of
# the values its keys may give (mappings.rego).
_name_options(name) := [x |
	some branch in _if_branches(name)
	not _no_value(branch)
	some x in _plain_name_options(branch)
] if {
	_if_branches(name)
} else := _plain_name_options(name)

_plain_name_options(name) := [x | some x in {x | some x in _map_values(name)}] if {
	count(_map_values(name)) > 0
} else := _allowed_values(parameter) if {
	parameter := regex.find_all_string_submatch_n(`^\$\{([^}]+)\}$`, _name_text(name), 1)[0][1]
	_allowed_values(parameter)
} else := [text | some [x] in _select_choices(name); text := _name_text(x)] if {
	# A short-form !Select (attachment.rego): any name it may pick, or the joined text.
	every choice in _select_choices(name) {
		_name_text(choice[0])
	}
} else := [sprintf("%v", [name])] if {
	_literal_scalar(name)
} else := [name] if {
	not is_null(name)
} else := []

# (For an AWS::SSM::Parameter::Value<...> parameter the allowed values are SSM keys, not the
# value the template gets.)
_allowed_values(parameter) := [sprintf("%v", [v]) | some v in allowed] if {
	not startswith(object.get(object.get(_parameters, parameter, {}), "Type", ""), "AWS::SSM::Parameter::Value")
	allowed := object.get(object.get(_parameters, parameter, {}), "AllowedValues", null)
	is_array(allowed)
	count(allowed) > 0
}

_literal_scalar(x) if is_number(x)

_literal_scalar(x) if is_boolean(x)

_could_share(a, _) if not _name_text(a)

_could_share(_, b) if not _name_text(b)

_could_share(a, b) if lower(_name_text(a)) == lower(_name_text(b))

_could_share(a, b) if _fits(_name_text(a), _name_text(b))

_could_share(a, b) if _fits(_name_text(b), _name_text(a))

_could_share(a, b) if _patterns_may_meet(_name_text(a), _name_text(b))

# A policy that only may reach the role already counts with its Deny statements only, and an
# unknown document grants nothing: both stay as they are.
_yielding_entries(source, sources) := source.entries if {
	source.possible
} else := source.entries if {
	not "document" in object.keys(source.result)
} else := [
	{"key": concat("", [source.origin, " (its Deny statements)"]), "policy": {
		"name": sprintf("%s (%s, its Deny statements)", [_policy_name_text(source.name), source.origin]),
		"type": "inline",
		"document": _deny_statements(source.result.document),
	}},
	{"key": concat("", [source.origin, " (its Allow statements)"]), "unknown": {
		"layer": "identity",
		"what": sprintf(
			"the Allow statements of inline policy %s of %s (%s; %s)",
			[_quoted_name(source.name), source.origin, _sharing(sources), "which one stays cannot be told"],
		),
	}},
]

_sharing(sources) := sprintf("%s all put an inline policy of that name into this role", [_origins(sources)]) if {
	count({_name_text(s.name) | some s in sources}) == 1
	every s in sources {
		_name_text(s.name)
	}
} else := sprintf(
	"%s put inline policies into this role whose names differ only in case (IAM may not tell them apart)",
	[_origins(sources)],
) if {
	count({lower(_name_text(s.name)) | some s in sources; not regex.match(_placeholder, _name_text(s.name))}) == 1
	every s in sources {
		_name_text(s.name)
		not regex.match(_placeholder, _name_text(s.name))
	}
} else := sprintf(
	"%s put inline policies into this role whose names could be the same at deploy time",
	[_origins(sources)],
)

_origins(sources) := concat(", ", sort({s.origin | some s in sources}))

# A name as the messages show it: a literal as it is, a name computed at deploy time as its
# pattern ("${GuardName}" for `!Ref GuardName`) or, when none can be written, as it is written.
_policy_name_text(name) := name if {
	_name_text(name) == name
} else := _name_text(name) if {
	_name_text(name)
} else := json.marshal(name)

_quoted_name(name) := sprintf("%q", [_policy_name_text(name)]) if {
	_name_text(name)
} else := _policy_name_text(name)
