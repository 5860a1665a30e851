package vbaws.terraform_test

import data.vbaws.terraform

# Code run at apply (provisioners, Lambda invocations, CloudFormation stacks) that is given a
# role can attach a Deny to it, which no plan shows: it is named in a warn on that role.

_code_warning(runners) := sprintf("aws_iam_role.backup: resources that run code at apply (%s) are given this role; %s", [
	concat(", ", runners),
	"the policies they may attach to it, a Deny among them, are not checked",
])

_runner(address, type, command) := {
	"address": address, "mode": "managed", "type": type, "name": split(address, ".")[1],
	"provisioners": [{"type": "local-exec", "expressions": {"command": command}}],
}

_with_code(runners) := _plan([_role({})], [_role_change], array.concat([_role_config({})], runners))

test_resources_that_run_code_given_the_role_are_named if {
	given := [
		_runner("terraform_data.ref", "terraform_data", {"references": ["aws_iam_role.backup.name", "aws_iam_role.backup"]}),
		_runner("null_resource.word", "null_resource", {"constant_value": "./attach-guard.sh --role backup"}),
		_config("aws_lambda_invocation.arn", "aws_lambda_invocation", {"input": {"constant_value": "{\"role\":\"arn:aws:iam::123456789012:role/Backup\"}"}}),
		_config("aws_cloudformation_stack.indexed", "aws_cloudformation_stack", {"parameters": {"references": ["aws_iam_role.backup[0].name"]}}),
		_runner("aws_iam_role.backup", "aws_iam_role", {"references": ["self.name"]}),
	]
	warned := _code_warning([
		"aws_cloudformation_stack.indexed", "aws_iam_role.backup", "aws_lambda_invocation.arn",
		"null_resource.word", "terraform_data.ref",
	])
	warned in terraform.warn with input as _with_code(given)

	# Code given no role of the plan, a longer name, or another resource is not named; nor is
	# a resource that runs no code.
	others := [
		_runner("terraform_data.longer", "terraform_data", {"constant_value": "echo Backup-old backup2 my.backup"}),
		_runner("terraform_data.other", "terraform_data", {"references": ["aws_iam_role.backup_old.name"]}),
		_config("aws_iam_role_policy.plain", "aws_iam_role_policy", {"role": {"references": ["aws_iam_role.backup.name"]}}),
	]
	every msg in terraform.warn {
		not contains(msg, "run code at apply")
	} with input as _with_code(others)
}

# A local reference names a resource of its own module: the same address in another module is
# another role.
test_code_in_another_module_is_given_its_own_roles if {
	runner := _runner("terraform_data.ref", "terraform_data", {"references": ["aws_iam_role.backup.name"]})
	plan := object.union(_with_code([]), {"configuration": {"root_module": {"module_calls": {"m": {"module": {"resources": [runner]}}}}}})
	every msg in terraform.warn {
		not contains(msg, "run code at apply")
	} with input as plan
	root := _with_code([runner])
	_code_warning(["terraform_data.ref"]) in terraform.warn with input as root
}

# "=" and "," set a value or part a list in a command: the name after them is the role's.
test_role_name_after_an_equals_sign_or_a_comma_is_given if {
	given := [
		_runner("terraform_data.flag", "terraform_data", {"constant_value": "aws iam put-role-policy --role-name=backup"}),
		_runner("terraform_data.env", "terraform_data", {"constant_value": "ROLE=Backup ./attach-guard.sh"}),
		_runner("terraform_data.list", "terraform_data", {"constant_value": "./attach.sh other,backup"}),
	]
	warned := _code_warning(["terraform_data.env", "terraform_data.flag", "terraform_data.list"])
	warned in terraform.warn with input as _with_code(given)
}

# A resource named as the role is not given it by its own name.
test_a_runner_named_as_the_role_is_not_given_it_by_that if {
	runner := _runner("terraform_data.backup", "terraform_data", {"constant_value": "echo done"})
	every msg in terraform.warn {
		not contains(msg, "run code at apply")
	} with input as _with_code([runner])
}

# Cloud Control creates any CloudFormation resource type, an AWS::IAM::RolePolicy among them.
test_cloud_control_resources_given_the_role_are_named if {
	given := [
		_config("aws_cloudcontrolapi_resource.deny", "aws_cloudcontrolapi_resource", {"desired_state": {"references": ["aws_iam_role.backup.name", "aws_iam_role.backup"]}}),
		_config("aws_cloudformation_stack_instances.s", "aws_cloudformation_stack_instances", {"parameter_overrides": {"constant_value": {"Role": "backup"}}}),
		_config("aws_ssm_association.a", "aws_ssm_association", {"parameters": {"constant_value": {"RoleName": "backup"}}}),
		object.union(_config("data.external.guard", "external", {"query": {"references": ["aws_iam_role.backup.name"]}}), {"mode": "data"}),
	]
	warned := _code_warning([
		"aws_cloudcontrolapi_resource.deny", "aws_cloudformation_stack_instances.s",
		"aws_ssm_association.a", "data.external.guard",
	])
	warned in terraform.warn with input as _with_code(given)
}

# The plan's configuration holds no expression of a local value, and a variable may carry the
# role's name: code given either may be given the role.
test_code_given_a_local_or_the_role_s_variable_is_named if {
	given := [
		_runner("terraform_data.local", "terraform_data", {"references": ["local.role"]}),
		_runner("terraform_data.var", "terraform_data", {"references": ["var.role_name"]}),
		_runner("terraform_data.value", "terraform_data", {"references": ["var.settings"]}),
		_runner("terraform_data.other", "terraform_data", {"references": ["var.region", "path.module"]}),
	]
	role_config := _role_config({"name": {"references": ["var.role_name"]}})
	plan := object.union(
		_plan([_role({})], [_role_change], array.concat([role_config], given)),
		{"variables": {"settings": {"value": {"roles": ["backup"]}}, "region": {"value": "eu-west-1"}}},
	)
	_code_warning(["terraform_data.local", "terraform_data.value", "terraform_data.var"]) in terraform.warn with input as plan
}

# A module's outputs may carry its role: code given one, in a module calling it, is named.
test_code_given_the_output_of_the_role_s_module_is_named if {
	role := object.union(_role({}), {"address": "module.veeam[\"eu\"].aws_iam_role.backup"})
	change := object.union(_role_change, {"address": "module.veeam[\"eu\"].aws_iam_role.backup"})
	runner := _runner("terraform_data.out", "terraform_data", {"references": ["module.veeam[\"eu\"].role_name", "module.veeam[\"eu\"]"]})
	plan := {
		"format_version": "1.2",
		"terraform_version": "1.11.0",
		"planned_values": {"root_module": {"child_modules": [{"address": "module.veeam[\"eu\"]", "resources": [role]}]}},
		"resource_changes": [change],
		"configuration": {"root_module": {
			"resources": [runner],
			"module_calls": {"veeam": {"module": {"resources": [_role_config({})]}}},
		}},
	}
	msg := concat("", [
		"module.veeam[\"eu\"].aws_iam_role.backup: resources that run code at apply (terraform_data.out) ",
		"are given this role; the policies they may attach to it, a Deny among them, are not checked",
	])
	msg in terraform.warn with input as plan
}

# A Lambda function whose environment names the role, invoked at apply by an
# aws_lambda_invocation that names only the function, is given the role.
test_code_given_a_resource_that_is_given_the_role_is_named if {
	given := [
		_config("aws_lambda_function.guard", "aws_lambda_function", {"environment": [{"variables": {"references": ["aws_iam_role.backup.name", "aws_iam_role.backup"]}}]}),
		_config("aws_lambda_function.named", "aws_lambda_function", {"environment": [{"variables": {"constant_value": {"ROLE": "backup"}}}]}),
		_config("aws_lambda_function.other", "aws_lambda_function", {"environment": [{"variables": {"constant_value": {"ROLE": "other"}}}]}),
		_config("aws_lambda_invocation.run", "aws_lambda_invocation", {"function_name": {"references": ["aws_lambda_function.guard.function_name", "aws_lambda_function.guard"]}}),
		_config("aws_lambda_invocation.by_name", "aws_lambda_invocation", {"function_name": {"references": ["aws_lambda_function.named.function_name"]}}),
		_config("aws_lambda_invocation.unrelated", "aws_lambda_invocation", {"function_name": {"references": ["aws_lambda_function.other.function_name"]}}),
	]
	_code_warning(["aws_lambda_invocation.by_name", "aws_lambda_invocation.run"]) in terraform.warn with input as _with_code(given)
}

# A module given the role's name by its call runs code given the role.
test_code_of_a_module_whose_call_gives_the_role_is_named if {
	runner := _runner("terraform_data.g", "terraform_data", {"references": ["var.role_name", "var.region"]})
	calls := {
		"guard": {"expressions": {"role_name": {"references": ["aws_iam_role.backup.name", "aws_iam_role.backup"]}}, "module": {"resources": [runner]}},
		"named": {"expressions": {"role_name": {"constant_value": "backup"}}, "module": {"resources": [runner]}},
		"other": {"expressions": {"role_name": {"constant_value": "someone-else"}}, "module": {"resources": [runner]}},
	}
	plan := object.union(_with_code([]), {"configuration": {"root_module": {"module_calls": calls}}})
	_code_warning(["module.guard.terraform_data.g", "module.named.terraform_data.g"]) in terraform.warn with input as plan
}

# The role's module output passed on to another module's call gives that module's code the role.
test_code_of_a_module_given_the_output_of_the_role_s_module_is_named if {
	role := object.union(_role({}), {"address": "module.roles.aws_iam_role.backup"})
	change := object.union(_role_change, {"address": "module.roles.aws_iam_role.backup"})
	runner := _runner("terraform_data.g", "terraform_data", {"references": ["var.role_name"]})
	plan := {
		"format_version": "1.2",
		"terraform_version": "1.11.0",
		"planned_values": {"root_module": {"child_modules": [{"address": "module.roles", "resources": [role]}]}},
		"resource_changes": [change],
		"configuration": {"root_module": {"module_calls": {
			"roles": {"module": {"resources": [_role_config({})]}},
			"guard": {
				"expressions": {"role_name": {"references": ["module.roles.role_name", "module.roles"]}},
				"module": {"resources": [runner]},
			},
		}}},
	}
	msg := concat("", [
		"module.roles.aws_iam_role.backup: resources that run code at apply (module.guard.terraform_data.g) ",
		"are given this role; the policies they may attach to it, a Deny among them, are not checked",
	])
	msg in terraform.warn with input as plan
}

# The awscc provider's IAM resources are not read: one given the role (here a Deny written with
# awscc_iam_role_policy) is named in a warn of its own, not passed in silence.
test_awscc_attachers_given_the_role_are_named if {
	attacher := _config("awscc_iam_role_policy.guard", "awscc_iam_role_policy", {
		"role_name": {"references": ["aws_iam_role.backup.name", "aws_iam_role.backup"]},
		"policy_name": {"constant_value": "guard"},
	})
	warnings := terraform.warn with input as _with_code([attacher])
	"aws_iam_role.backup: resources of the awscc provider (awscc_iam_role_policy.guard) are given this role; the policies they attach to it, a Deny among them, are not read here" in warnings
	every msg in warnings {
		not contains(msg, "run code at apply")
	}
}
