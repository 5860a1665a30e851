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

# ... and so could one that names no principal IAM knows: it is what a short-form tag leaves
# (`!Ref AWS::AccountId` arrives as "AWS::AccountId", `!ImportValue blocked` as "blocked",
# `!FindInMap [Map, Key, Name]` as three names), and read literally it would deny nobody.
_chosen_at_deploy_time(s) if {
	s.Effect == "Deny"
	some kind, value in _plain_object(object.get(s, "Principal", {}))
	some entry in array.concat([value], _list(value))
	is_string(entry)
	not _known_principal(kind, entry)
}

# ... and so could one pieced together by !Join or by the variables of !Sub: a piece that reads
# as a literal may be what a short-form `!ImportValue` leaves (intrinsics.rego).
_chosen_at_deploy_time(s) if {
	s.Effect == "Deny"
	some value in _plain_object(object.get(s, "Principal", {}))
	some entry in array.concat([value], _list(value))
	_pieced(entry)
}

# ... and so could a number that is no twelve-digit account id (intrinsics.rego), in a Deny's
# Principal or in a NotPrincipal.
_chosen_at_deploy_time(s) if {
	some key in ["Principal", "NotPrincipal"]
	_read_strictly(key, s)
	value := object.get(_plain_object(object.get(s, key, {})), "AWS", null)
	some entry in array.concat([value], _list(value))
	is_number(entry)
	not _account_id_number(entry)
}

# ... and so could the entry an unquoted !Select picks (`[!Select [0, [!Join [...]]]]`, whose
# pick may be pieced of what a short-form !ImportValue leaves): read only in an Allow.
_chosen_at_deploy_time(s) if {
	some key in ["Principal", "NotPrincipal"]
	_read_strictly(key, s)
	some value in _plain_object(object.get(s, key, {}))
	some entry in array.concat([value], _list(value))
	_principal_pick(entry)
}

# A list left in a principal once !Join and !Sub are read is another short-form function (an
# !Select, whose pick is chosen at deploy time, or an !Join that may be one).
_chosen_at_deploy_time(s) if {
	some key in ["Principal", "NotPrincipal"]
	some value in _plain_object(object.get(s, key, {}))
	some entry in _list(_principal_values(value))
	is_array(entry)
}

# `Effect: !Ref Allow` arrives as the parameter's name, which cannot be told from the literal
# Allow: when a parameter named Allow could hold Deny, a Deny would be read as granting what it
# denies. Unlike a tag key's (tags.rego), its Default says nothing of the value given at deploy
# time (`Action: !Ref P` is never read as P's Default either): only AllowedValues without Deny
# keep it an Allow. (A Deny read as written only takes away.)
_chosen_at_deploy_time(s) if {
	s.Effect == "Allow"
	_allow_parameter_may_deny
}

# Any other Effect given at deploy time (`!Ref Choice` arrives as "Choice", `!Join`, `!Select`
# and `!Sub [text, {...}]` as lists, {"Ref": "Choice"} and an !FindInMap whose keys are chosen
# at deploy time as "${...}") could be Deny or Allow. Read as written, IAM would refuse it (a
# correct template failing), and a policy that only may reach the role, which counts with its
# Deny statements, would lose it with the Allow statements.
_chosen_at_deploy_time(s) if is_array(s.Effect)

_chosen_at_deploy_time(s) if {
	not s.Effect in {"Allow", "Deny"}
	_deploy_time_effect(s.Effect)
}

# A long-form Fn::Join where an action would widen the statement: its pieces may be short-form
# tags (`Fn::Join: ['', [!ImportValue svc, ':CreateTags']]` arrives as {"Fn::Join": ["", ["svc",
# ":CreateTags"]]}), and read as its text a Deny denied svc:CreateTags, when the import may hold
# ec2. (The short form arrives as a list, which is never read there.)
_chosen_at_deploy_time(s) if {
	some key in object.get(_widening_keys, s.Effect, set())
	key in {"Action", "NotAction"}
	some entry in _as_list(object.get(s, key, []))
	_pieced(entry)
}

_allow_parameter_may_deny if {
	is_object(_parameters.Allow)
	not _allowed_values("Allow")
}

_allow_parameter_may_deny if {
	some value in _allowed_values("Allow")
	value != "Allow"
}

_deploy_time_effect(effect) if regex.match(_placeholder, _scalar(effect))

_deploy_time_effect(effect) if {
	is_string(effect)
	_deploy_time_name(effect)
}

_read_strictly("Principal", s) if s.Effect == "Deny"

_read_strictly("NotPrincipal", _)

_known_principal(_, "*")

_known_principal(_, entry) if startswith(entry, "arn:")

_known_principal("AWS", entry) if regex.match(`^[0-9]{12}$`, entry)

_known_principal("Service", entry) if regex.match(`^[a-z0-9.-]+\.(amazonaws\.com(\.cn)?|amazon\.com)$`, entry)

_known_principal("Federated", entry) if {
	entry in {"cognito-identity.amazonaws.com", "www.amazon.com", "graph.facebook.com", "accounts.google.com"}
}

_known_principal("CanonicalUser", entry) if regex.match(`^[0-9a-f]{64}$`, entry)

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

_deploy_time_value(v) if {
	_opaque(v)
	not _long_split(v)
}

_deploy_time_value(v) if _short_form_if(v)

_plain_object(v) := v if {
	is_object(v)
	not _intrinsic(v)
} else := {}

_list(v) := v if is_array(v)

else := []

# An action or resource that CloudFormation fills in at deploy time is no action or resource
# IAM would take as written ("${Queue.Arn}", "Bucket.Arn" from `!GetAtt Bucket.Arn`, the list
# a short-form `!Join` becomes). The engine would refuse it as invalid, failing a role for the
# most common way of writing a template, so it is given a stand-in IAM's grammar takes: an ARN
# that is never "*" (a resource-scoped statement) and an action of no service (it grants and
# denies nothing). Where that reading errs on the unsafe side the document is already unknown
# (_widened_at_deploy_time).
_named_keys := {"Action", "NotAction", "Resource", "NotResource"}

_deploy_time_named(key, v) := _named_entry(key, v) if {
	_short_form_pair(v)
} else := [_named_entry(key, x) | some x in v] if {
	is_array(v)
} else := _named_entry(key, v)

# `Action: !Join ['*', [ec2:Copy, Image]]` arrives as ["*", ["ec2:Copy", "Image"]]: a list with a
# list in it, which IAM does not take, is a short-form !Join (or !Select) as a whole. Read entry
# by entry, its delimiter "*" granted every action (or resource) where CloudFormation gives
# "ec2:Copy*Image".
_short_form_pair(v) if {
	is_array(v)
	count(v) == 2
	is_string(v[0])
	is_array(v[1])
}

_named_entry(key, x) := concat("", [_stand_in_prefix[key], _stand_in_text(x)]) if {
	_filled_in_at_deploy_time(key, x)
} else := _value(x)

_stand_in_prefix := {
	"Action": "deploy-time:", "NotAction": "deploy-time:",
	"Resource": "arn:deploy-time:", "NotResource": "arn:deploy-time:",
}

# The grammar's separators cannot appear in the name part of the stand-in, which is never empty.
_stand_in_text(x) := `""` if {
	x == ""
} else := replace(replace(_scalar(x), ":", "."), "\n", " ") if {
	is_string(_scalar(x))
} else := replace(json.marshal(x), ":", ".")

_filled_in_at_deploy_time(_, x) if is_array(x)

# `Action: !GetAZs ''` arrives as "": the Availability Zones of the Region, a list chosen at
# deploy time. Read literally, a Deny so written would deny nothing.
_filled_in_at_deploy_time(key, "") if key in {"Action", "NotAction"}

# The index of a short-form `!Select [0, ...]`, which arrives as the list [0, ...].
_filled_in_at_deploy_time(_, x) if is_number(x)

_filled_in_at_deploy_time(key, x) if {
	key in {"Action", "NotAction"}
	_deploy_time_entry(key, x)
}

# A resource that is neither an ARN nor wildcards alone ("" matches nothing and is kept).
_filled_in_at_deploy_time(key, x) if {
	key in {"Resource", "NotResource"}
	is_string(_scalar(x))
	_scalar(x) != ""
	not _resource_pattern(x)
}
