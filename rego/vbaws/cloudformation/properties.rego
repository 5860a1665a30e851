package vbaws.cloudformation

# The properties of a resource. CloudFormation also takes them chosen as a whole by an !If
# (`Properties: !If [IsProd, {...}, {...}]`, or Fn::If in the long form): read as they arrive
# (the list [IsProd, {...}, {...}] or an object whose only key is Fn::If), a policy resource so
# written would name no role, and its Deny would be missed. Each property is read instead as
# chosen by that !If, with AWS::NoValue in a branch that lacks it (and as it is when both
# branches give it alike). A branch that is no object of properties (a nested !If) could give
# any property any value: an Fn::ImportValue stands for it, which everything here reads as
# known only at deploy time.
_properties(id) := props if {
	props := _resources[id].Properties
	is_object(props)
	not _intrinsic(props)
} else := {key: _chosen(choice[0], _branch_property(choice[1], key), _branch_property(choice[2], key)) |
	some key in (_branch_keys(choice[1]) | _branch_keys(choice[2]))
} if {
	choice := _properties_choice(_resources[id].Properties)
} else := {}

_property(id, name) := object.get(_properties(id), name, null)

# [condition, properties if true, properties if false].
_properties_choice(props) := props["Fn::If"] if {
	is_array(_argument(props, "Fn::If"))
	count(props["Fn::If"]) == 3
}

_properties_choice(props) := props if {
	is_array(props)
	count(props) == 3
}

# A property both branches give alike is that value.
_chosen(condition, a, b) := a if {
	a == b
} else := {"Fn::If": [condition, a, b]}

_branch_keys(branch) := set() if {
	_no_value(branch)
} else := object.keys(branch) if {
	_plain_object(branch) == branch
} else := _read_properties

_branch_property(branch, key) := {"Ref": "AWS::NoValue"} if {
	_no_value(branch)
} else := object.get(branch, key, {"Ref": "AWS::NoValue"}) if {
	_plain_object(branch) == branch
} else := {"Fn::ImportValue": sprintf("%s of properties chosen at deploy time", [key])}

# The properties of roles and policies read here.
_read_properties := {
	"AssumeRolePolicyDocument", "ManagedPolicyArns", "ManagedPolicyName", "Path",
	"PermissionsBoundary", "Policies", "PolicyDocument", "PolicyName", "RoleName", "Roles", "Tags",
}
