package vbaws.cloudformation_test

import data.vbaws.cloudformation

_unknown_tags(role) := sprintf(
	"%s: its tags are known only at deploy time, so whether it carries vbaws:checks (and which requirement sets) cannot be told; %s",
	[role, "list it in data.vbaws_config.roles with its sets to check it (see docs/conftest.md)"],
)

test_tags_chosen_at_deploy_time_are_warned if {
	template := object.union(
		_template({
			"ValueIf": _role({"Tags": [{"Key": "vbaws:checks", "Value": {"Fn::If": ["IsProd", "ec2_backup worker_production", "ec2_backup"]}}]}),
			# `Value: !If [IsProd, a, b]` and `Tags: !If [IsProd, [...], [...]]` as conftest's YAML parser leaves them
			"ShortValueIf": _role({"Tags": [{"Key": "vbaws:checks", "Value": ["IsProd", "ec2_backup worker_production", "ec2_backup"]}]}),
			"ShortTagsIf": _role({"Tags": ["IsProd", [{"Key": "vbaws:checks", "Value": "ec2_backup"}], []]}),
			"LongTagsIf": _role({"Tags": {"Fn::If": ["IsProd", [{"Key": "vbaws:checks", "Value": "ec2_backup"}], []]}}),
			"EntryIf": _role({"Tags": [["IsProd", {"Key": "vbaws:checks", "Value": "ec2_backup"}, "AWS::NoValue"]]}),
			"Join": _role({"Tags": [{"Key": "vbaws:checks", "Value": {"Fn::Join": [" ", ["ec2_backup", "worker_production"]]}}]}),
			"KeyRef": _role({"Tags": [{"Key": {"Ref": "TagKey"}, "Value": "ec2_backup"}]}),
			# Neither hides a vbaws:checks tag.
			"OtherTag": _role({"Tags": [{"Key": "vbaws:checks", "Value": "ec2_backup"}, {"Key": "env", "Value": {"Ref": "Env"}}, "AWS::NoValue"]}),
		}),
		{"Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}}},
	)
	warnings := cloudformation.warn with input as template
		with data.vbaws.requirements as _requirements
	warnings == {_unknown_tags(role) | some role in ["ValueIf", "ShortValueIf", "ShortTagsIf", "LongTagsIf", "EntryIf", "Join", "KeyRef"]}
	roles := cloudformation.roles with input as template
	{role | some role, model in roles; model.tags["vbaws:checks"]} == {"OtherTag"}
}

test_a_repeated_checks_tag_checks_every_set if {
	template := _template({"Role": _role({
		"Policies": [{"PolicyName": "p", "PolicyDocument": _doc("ec2:CreateTags")}],
		"Tags": [
			{"Key": "vbaws:checks", "Value": "ec2_backup"},
			{"Key": "vbaws:checks", "Value": "worker_production"},
		],
	})})
	cloudformation.roles.Role.tags == {"vbaws:checks": "ec2_backup worker_production"} with input as template
	cloudformation.deny == {"Role: check worker_production: missing 1 required action: ec2:RunInstances"} with input as template
		with data.vbaws.requirements as _requirements
	cloudformation.warn == {"Role: tag vbaws:checks is given 2 times, which IAM refuses; the requirement sets of all of them are checked"} with input as template
		with data.vbaws.requirements as _requirements
}

# conftest's YAML parser leaves `Key: !Ref TagKey` as the parameter's name and `Value: !Ref
# Checks` or `!Sub 'ec2_backup ${Extra}'` as the name or the template: a key that could be
# vbaws:checks hides whether the role is selected, and a value's deploy-time part is no set id.
test_short_form_tags_chosen_at_deploy_time_are_warned if {
	template := object.union(
		_template({
			"KeyRef": _role({"Tags": [{"Key": "TagKey", "Value": "ec2_backup"}]}),
			"KeySub": _role({"Tags": [{"Key": "vbaws:${Kind}", "Value": "ec2_backup"}]}),
			"KeyAllowed": _role({"Tags": [{"Key": "AllowedKey", "Value": "ec2_backup"}]}),
			# A parameter with neither AllowedValues nor Default is given at each deploy.
			"KeyRequired": _role({"Tags": [{"Key": "RequiredKey", "Value": "ec2_backup"}]}),
			"ValueRef": _role({"Tags": [{"Key": "vbaws:checks", "Value": "Checks"}]}),
			"ValueSub": _role({"Tags": [{"Key": "vbaws:checks", "Value": "ec2_backup ${Extra}"}]}),
			# A literal key named like a parameter that cannot hold vbaws:checks, and a !Sub
			# key that cannot be it, hide nothing.
			"Plain": _role({"Tags": [
				{"Key": "vbaws:checks", "Value": "ec2_backup"},
				{"Key": "Owner", "Value": "Owner"},
				{"Key": "Env", "Value": "Env"},
				{"Key": "${AWS::StackName}-owner", "Value": "x"},
			]}),
		}),
		{"Parameters": {
			"TagKey": {"Type": "String", "Default": "vbaws:checks"},
			"AllowedKey": {"Type": "String", "AllowedValues": ["team", "vbaws:checks"], "Default": "team"},
			"RequiredKey": {"Type": "String"},
			"Owner": {"Type": "String", "Default": "team-a"},
			"Env": {"Type": "String", "AllowedValues": ["dev", "prod"], "Default": "vbaws:checks"},
			"Checks": {"Type": "String", "Default": "ec2_backup"},
			"Extra": {"Type": "String", "Default": "worker_production"},
		}},
	)
	warnings := cloudformation.warn with input as template
		with data.vbaws.requirements as _requirements
	warnings == {_unknown_tags(role) | some role in ["KeyRef", "KeySub", "KeyAllowed", "KeyRequired", "ValueRef", "ValueSub"]}
	roles := cloudformation.roles with input as template
	{role: model.tags["vbaws:checks"] | some role, model in roles; model.tags["vbaws:checks"]} == {
		"ValueRef": "", "ValueSub": "ec2_backup", "Plain": "ec2_backup",
	}
}

# A tag entry without its Key (or vbaws:checks without its Value) is no tag CloudFormation
# takes: whether the role carries the tag cannot be told, and a warn says so. (Rego reads
# `not is_string(t.Key)` of a missing Key as undefined, which had made it pass unnoticed.)
test_a_tag_without_key_or_value_is_warned if {
	template := _template({
		"NoKey": _role({"Tags": [{"Value": "ec2_backup"}]}),
		"NoValue": _role({"Tags": [{"Key": "vbaws:checks"}]}),
	})
	{_unknown_tags("NoKey"), _unknown_tags("NoValue")} - cloudformation.warn == set() with input as template
		with data.vbaws.requirements as _requirements
}
