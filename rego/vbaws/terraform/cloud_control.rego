package vbaws.terraform

import data.vbaws.lib.iac

# Roles made through Cloud Control (awscc_iam_role, or aws_cloudcontrolapi_resource of
# AWS::IAM::Role) are not read here. One that carries vbaws:checks, or whose tags are known
# only after apply, or that data.vbaws_config.roles names, asked to be checked (or may have):
# its silence must not read as a pass.
_unread_roles contains rc.address if {
	some rc in _current_changes
	rc.mode == "managed"
	rc.type in {"awscc_iam_role", "aws_cloudcontrolapi_resource"}
	is_object(rc.change.after)
	_cloud_control_role(rc)
	_may_ask_checks(rc)
}

_cloud_control_role(rc) if rc.type == "awscc_iam_role"

_cloud_control_role(rc) if rc.change.after.type_name == "AWS::IAM::Role"

_may_ask_checks(rc) if {
	some tag in _cloud_control_tags(rc)
	some attr in ["key", "Key"]
	tag[attr] == iac.checks_tag
}

_may_ask_checks(rc) if {
	some attr in ["tags", "desired_state"]
	walk(object.get(object.get(rc.change, "after_unknown", {}), attr, false), [_, true])
}

_may_ask_checks(rc) if {
	some key in {rc.address, _strip_keys(rc.address), _cloud_control_name(rc)}
	key in _selection_keys
}

_selection_keys := object.keys(data.vbaws_config.roles) if is_object(data.vbaws_config.roles)

_cloud_control_tags(rc) := rc.change.after.tags if {
	rc.type == "awscc_iam_role"
	is_array(rc.change.after.tags)
} else := _desired_state(rc.change.after).Tags if {
	rc.type == "aws_cloudcontrolapi_resource"
	is_array(_desired_state(rc.change.after).Tags)
} else := []

_cloud_control_name(rc) := rc.change.after.role_name if {
	rc.type == "awscc_iam_role"
	is_string(rc.change.after.role_name)
} else := _desired_state(rc.change.after).RoleName if {
	rc.type == "aws_cloudcontrolapi_resource"
	is_string(_desired_state(rc.change.after).RoleName)
} else := rc.address

# The desired_state of an aws_cloudcontrolapi_resource (JSON text), parsed; undefined when it is
# not known or not the text of an object.
_desired_state(values) := state if {
	is_string(values.desired_state)
	json.is_valid(values.desired_state)
	state := json.unmarshal(values.desired_state)
	is_object(state)
}
