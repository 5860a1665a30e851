package vbaws.terraform_test

import data.vbaws.terraform

# An instance key may hold any text, a closing bracket too (for_each = toset(["eu]"])): the
# address is read by its quoted key, not cut at the first bracket, so the configuration of
# aws_iam_role.r["eu]"] is that of aws_iam_role.r.
test_a_key_with_a_bracket_finds_its_configuration if {
	role := "aws_iam_role.r[\"eu]\"]"
	deny := json.marshal({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "ec2:*", "Resource": "*"}]})
	plan := _plan(
		[
			_resource(role, "aws_iam_role", {"name": "Backup", "assume_role_policy": _trust, "tags": {"vbaws:checks": "ec2_backup"}}),
			_resource("aws_iam_policy.deny", "aws_iam_policy", {"name": "deny", "policy": deny}),
		],
		[_change(role, {"arn": true, "managed_policy_arns": true})],
		[_config("aws_iam_role.r", "aws_iam_role", {"managed_policy_arns": {"references": ["aws_iam_policy.deny.arn", "aws_iam_policy.deny"]}})],
	)
	model := terraform.roles[role] with input as plan
	model.policies == [{"name": "aws_iam_policy.deny", "type": "managed", "document": deny}]
	model.aliases == ["aws_iam_role.r"]
}

# aws_iam_policy.x["a]"].arn names that instance alone, as aws_iam_policy.x["a"].arn would.
test_a_reference_by_a_key_with_a_bracket_names_its_instance if {
	plan := _plan(
		[
			_role({}),
			_resource("aws_iam_policy.x[\"a]\"]", "aws_iam_policy", {"name": "a", "policy": _doc("*")}),
			_resource("aws_iam_policy.x[\"b\"]", "aws_iam_policy", {"name": "b", "policy": _doc("ec2:CreateTags")}),
			_resource("aws_iam_role_policy_attachment.a", "aws_iam_role_policy_attachment", {"role": "Backup"}),
		],
		[_role_change, _change("aws_iam_role_policy_attachment.a", {"id": true, "policy_arn": true})],
		[_role_config({}), _config("aws_iam_role_policy_attachment.a", "aws_iam_role_policy_attachment", {"policy_arn": {"references": [
			"aws_iam_policy.x[\"a]\"].arn", "aws_iam_policy.x[\"a]\"]", "aws_iam_policy.x",
		]}})],
	)
	model := terraform.roles["aws_iam_role.backup"] with input as plan
	model.policies == [{"name": "aws_iam_policy.x[\"a]\"]", "type": "managed", "document": _doc("*")}]
	model.unknowns == []
}

# An entry of data.vbaws_config.roles written as such an address that names no role is told.
test_an_unmatched_address_with_a_bracket_in_its_key_is_told if {
	plan := _plan([_role({})], [_role_change], [_role_config({})])
	some msg in terraform.warn with input as plan
		with data.vbaws_config.roles as {"aws_iam_role.r[\"eu]\"]": ["ec2_backup"]}
	contains(msg, `entry "aws_iam_role.r[\"eu]\"]" matches no role`)
}
