package vbaws.cloudformation

# A Principal or Condition whose shape is chosen at deploy time (`AWS: !If [IsProd, a, b]`,
# `Condition: !If [...]`, {"Fn::If": ...}, an !ImportValue as a principal): read literally,
# both branches (or the condition's name) would count, and a trust policy could let in an
# appliance that the deployed stack does not. The statement's document is unknown instead.
_chosen_at_deploy_time(s) if {
	some key in ["Principal", "NotPrincipal", "Condition"]
	_deploy_time_value(object.get(s, key, {}))
}

# One level down (a principal type's value, a condition operator's block) and two (a
# condition key's value), each possibly a list.
_chosen_at_deploy_time(s) if {
	some key in ["Principal", "NotPrincipal", "Condition"]
	some inner in _plain_object(object.get(s, key, {}))
	_deploy_time_in(inner)
}

# In a Deny, a principal filled in at deploy time (`!Sub "arn:...:iam::${Blocked}:root"`, a
# parameter) could turn out to be the appliance: read literally, it would deny nobody.
_chosen_at_deploy_time(s) if {
	s.Effect == "Deny"
	some value in _plain_object(object.get(s, "Principal", {}))
	some entry in array.concat([value], _list(value))
	not is_array(entry)
	_deploy_time_entry("Principal", entry)
}

_deploy_time_in(v) if _deploy_time_value(v)

_deploy_time_in(v) if {
	some entry in _list(v)
	_deploy_time_value(entry)
}

_deploy_time_in(v) if {
	some value in _plain_object(v)
	some entry in array.concat([value], _list(value))
	_deploy_time_value(entry)
}

_deploy_time_value(v) if _opaque(v)

_deploy_time_value(v) if _short_form_if(v)

_plain_object(v) := v if {
	is_object(v)
	not _intrinsic(v)
} else := {}

_list(v) := v if is_array(v)

else := []
