package vbaws.cloudformation

import data.vbaws.lib.iac

# The tags of a role, which select it for the checks (vbaws:checks, see vbaws.lib.iac).
#
# A tag whose key is repeated has the values of all its entries, joined by a space: for
# vbaws:checks, the union of the requirement sets each entry asks for, so that more is
# checked rather than less (IAM refuses a role whose tag keys repeat; a warning says so).
#
# Of a vbaws:checks value, only the set ids written out count: `Value: !Ref Checks` arrives as
# the parameter's name and `!Sub 'ec2_backup ${Extra}'` as its template, whose placeholders are
# chosen at deploy time (a warning says so) and are no set ids.
_tags(role) := {key: concat(" ", values) |
	some key in {t.Key | some t in _plain_tags(role); is_string(t.Key)}
	values := [_tag_value(key, t.Value) | some t in _plain_tags(role); t.Key == key; is_string(t.Value)]
	count(values) > 0
}

_tag_value(key, value) := concat(" ", [token |
	some token in _tag_tokens(value)
	not _deploy_time_token(token)
]) if {
	key == iac.checks_tag
} else := value

_tag_tokens(value) := regex.split(`\s+`, trim_space(value))

# `!Ref Parameter`, `!GetAtt Resource.Attribute`, `!Ref AWS::StackName` as conftest's YAML
# parser leaves them, or a !Sub template's placeholder (set ids hold neither a colon nor "${").
_deploy_time_token(token) if _deploy_time_name(token)

_deploy_time_token(token) if contains(token, "${")

_tag_list(role) := object.get(_properties(role), "Tags", [])

# The entries of the Tags list that are {Key, Value} objects.
_plain_tags(role) := [t |
	some t in _tag_list(role)
	_plain_tag(t)
] if {
	is_array(_tag_list(role))
	not _short_form_if(_tag_list(role))
} else := []

_plain_tag(t) if {
	is_object(t)
	not _intrinsic(t)
}

# Whether the role's vbaws:checks tag, or its value, is chosen at deploy time: the whole Tags
# by an intrinsic function (`Tags: !If [...]` arrives as a list of the condition's name and
# both branches), an entry that is not a {Key, Value} object (`- !If [IsProd, {...}, ...]`), a
# key that is not a string, or a vbaws:checks value that is not one (`Value: !If [...]`,
# {"Fn::Join": ...}).
_checks_tag_unknown(role) if not is_array(_tag_list(role))

_checks_tag_unknown(role) if _short_form_if(_tag_list(role))

_checks_tag_unknown(role) if {
	some t in _as_list(_tag_list(role))
	not _plain_tag(t)
	not _no_value(t)
}

_checks_tag_unknown(role) if {
	some t in _plain_tags(role)
	not is_string(object.get(t, "Key", null))
}

_checks_tag_unknown(role) if {
	some t in _plain_tags(role)
	t.Key == iac.checks_tag
	not is_string(object.get(t, "Value", null))
}

_checks_tag_unknown(role) if {
	some t in _plain_tags(role)
	t.Key == iac.checks_tag
	is_string(t.Value)
	some token in _tag_tokens(t.Value)
	_deploy_time_token(token)
}

# A key that is a string but could still turn out to be vbaws:checks: a !Sub template whose
# placeholders could fill it in (`!Sub 'vbaws:${Kind}'`), or a parameter that could hold it.
_checks_tag_unknown(role) if {
	some t in _plain_tags(role)
	is_string(t.Key)
	t.Key != iac.checks_tag
	_may_be_checks_key(t.Key)
}

_may_be_checks_key(key) if {
	contains(key, "${")
	some option in _name_options(key)
	_could_share(option, iac.checks_tag)
}

_may_be_checks_key(key) if {
	not contains(key, "${")
	not startswith(key, "AWS::")
	_ref_id(key)
}

# `Key: !Ref TagKey` arrives as the parameter's name, which a literal key of that name (`Key:
# Owner` beside a parameter Owner) cannot be told from: the key is taken for the parameter when
# the parameter could hold vbaws:checks by its AllowedValues or, without them, by its Default
# (a parameter with neither, given at each deploy, or an AWS::SSM::Parameter::Value<...> one
# could hold anything).
_may_be_checks_key(key) if _parameter_may_hold(key, iac.checks_tag)

_parameter_may_hold(name, value) if value in _allowed_values(name)

_parameter_may_hold(name, value) if {
	is_object(_parameters[name])
	not _allowed_values(name)
	_parameters[name].Default == value
}

_parameter_may_hold(name, _) if {
	is_object(_parameters[name])
	not _allowed_values(name)
	not "Default" in object.keys(_parameters[name])
}

_parameter_may_hold(name, _) if startswith(object.get(_parameters[name], "Type", ""), "AWS::SSM::Parameter::Value")

# How many entries give the vbaws:checks tag, when more than one does.
_repeated_checks_tag(role) := n if {
	n := count([t | some t in _plain_tags(role); t.Key == iac.checks_tag])
	n > 1
}

# A warning for each role whose vbaws:checks tag is chosen at deploy time (nobody can tell
# whether, or for which requirement sets, it is selected: its silence must not read as a
# pass) or given more than once.
_tag_warnings contains msg if {
	some role in _roles
	_checks_tag_unknown(role)
	msg := sprintf(
		"%s: its tags are known only at deploy time, so whether it carries %s (and which requirement sets) %s; %s",
		[
			role, iac.checks_tag, "cannot be told",
			"list it in data.vbaws_config.roles with its sets to check it (see docs/conftest.md)",
		],
	)
}

_tag_warnings contains msg if {
	some role in _roles
	n := _repeated_checks_tag(role)
	msg := sprintf(
		"%s: tag %s is given %d times, which IAM refuses; the requirement sets of all of them are checked",
		[role, iac.checks_tag, n],
	)
}
