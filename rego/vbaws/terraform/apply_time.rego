package vbaws.terraform

# A plan shows what resources will be, not what code run at apply does. A provisioner (on a
# terraform_data, a null_resource, the role itself), a Lambda function invoked by
# aws_lambda_invocation, a CloudFormation stack or stack set, or a provisioned Service Catalog
# product that is given a role can attach a policy, a Deny among them, to it; the plan passes on
# what it shows. Such resources are named in a warn on the role they are given: by a reference
# to it, a local value or the module holding it, or by its name written out (a word of a
# command, an ARN ending in it), as the CloudFormation rules do for custom resources.

# aws_cloudcontrolapi_resource creates any CloudFormation resource type (AWS::IAM::RolePolicy
# among them) and aws_ssm_association runs a document (an Automation may call IAM) at apply; a
# data source "external" runs its program while planning, after the role it is given was read.
_code_runners := {
	"external",
	"aws_cloudcontrolapi_resource", "aws_cloudformation_stack", "aws_cloudformation_stack_instances",
	"aws_cloudformation_stack_set", "aws_cloudformation_stack_set_instance", "aws_lambda_invocation",
	"aws_serverlessapplicationrepository_cloudformation_stack", "aws_servicecatalog_provisioned_product",
	"aws_ssm_association",
}

# [module prefix ("module.a.module.b." or ""), configuration resource] of what runs code.
_runs_code contains [prefix, r] if {
	walk(input.configuration.root_module, [path, mod])
	is_object(mod)
	is_array(mod.resources)
	some r in mod.resources
	_is_resource(r)
	_running_code(r)
	prefix := _module_prefix(path)
}

_running_code(r) if r.type in _code_runners

_running_code(r) if count(object.get(r, "provisioners", [])) > 0

# The awscc provider's IAM resources attach policies to a role as the aws provider's do, but
# are not read here: given a selected role, they are named in a warn like code run at apply.
_running_code(r) if r.type in _unread_attachers

_unread_attachers := {"awscc_iam_role_policy", "awscc_iam_managed_policy"}

_unread_attacher(address) if regex.match(`(^|\.)awscc_iam_(role_policy|managed_policy)\.`, address)

# The addresses of what runs code and is given the role.
_given_to_code(role) := {address | some [r, address] in _code_given; r == role}

_code_given contains [role, concat("", [prefix, r.address])] if {
	some role in _selected
	some [prefix, r] in _runs_code
	_given_in(r, prefix, role)
}

_given_in(r, prefix, role) if {
	startswith(_strip_keys(role), prefix)
	_given(r, substring(_strip_keys(role), count(prefix), -1), role)
}

_given_in(r, _, role) if _given_by_name(r, role)

_given_in(r, prefix, role) if {
	some ref in _references(r)
	expressions := _config_expressions[concat("", [prefix, _resource_of(_strip_keys(ref))])]
	_given_through(expressions, prefix, role)
}

# A variable of the code's module that the module's call gives the role (`module "guard" {
# role_name = aws_iam_role.x.name }`), from the module holding the role or by its name.
_given_in(r, prefix, role) if {
	[parent, expressions] := _module_inputs[prefix]
	some ref in _references(r)
	_given_through(object.get(expressions, _variable(ref), {}), parent, role)
}

# child module prefix -> [its caller's prefix, the call's expressions]
_module_inputs[child] := [parent, object.get(call, "expressions", {})] if {
	walk(input.configuration.root_module, [path, mod])
	is_object(mod)
	is_object(mod.module_calls)
	some name, call in mod.module_calls
	parent := _module_prefix(path)
	child := concat("", [parent, "module.", name, "."])
}

# A resource of the module that the code is given and that is given the role: a Lambda function
# whose environment names it, invoked by aws_lambda_invocation with no word of it.
_given_through(expressions, prefix, role) if {
	startswith(_strip_keys(role), prefix)
	target := _reached_as(substring(_strip_keys(role), count(prefix), -1))
	some ref in _references(expressions)
	_names_resource(_strip_keys(ref), target)
}

_given_through(expressions, _, role) if _holds_word(expressions, lower(_role_name(role)))

# What names a role of this address in the module: the role, or the call of the module that
# holds it (whose outputs may carry it).
_reached_as(local) := concat(".", array.slice(split(local, "."), 0, 2)) if startswith(local, "module.")

else := local

# The resource address a reference starts with (data.x.y or x.y).
_resource_of(ref) := concat(".", array.slice(split(ref, "."), 0, 3)) if startswith(ref, "data.")

else := concat(".", array.slice(split(ref, "."), 0, 2))

# In the role's own module: the role itself, or a reference to it.
_given(r, local, _) if {
	not startswith(local, "module.")
	r.address == local
}

_given(r, local, _) if {
	not startswith(local, "module.")
	some ref in _references(r)
	_names_resource(_strip_keys(ref), local)
}

# A local value: the plan's configuration holds no expression of one, so `local.role =
# aws_iam_role.x.name` cannot be told from any other.
_given(r, local, _) if {
	not startswith(local, "module.")
	some ref in _references(r)
	startswith(ref, "local.")
}

# A variable the role's name is made of, or whose value (of the root module) names it.
_given(r, local, role) if {
	not startswith(local, "module.")
	some ref in _references(r)
	variable := _variable(ref)
	some name_ref in _references(object.filter(_expressions(role), {"name", "name_prefix"}))
	_variable(name_ref) == variable
}

_given(r, local, role) if {
	not startswith(local, "module.")
	not contains(role, "module.")
	name := lower(_role_name(role))
	some ref in _references(r)
	_holds_word(object.get(input, ["variables", _variable(ref), "value"], null), name)
}

# In a module that calls the role's (directly or through others; `local` is then the role's
# address below it): a reference to that call, whose outputs may carry the role
# (`module.veeam.role_name`).
_given(r, local, _) if {
	startswith(local, "module.")
	call := concat(".", array.slice(split(local, "."), 0, 2))
	some ref in _references(r)
	_names_resource(_strip_keys(ref), call)
}

# The role's name written out, in any module: names are unique in the account.
_given_by_name(r, role) if {
	_holds_word(object.remove(r, {"address", "name", "type", "mode", "provider_config_key"}), lower(_role_name(role)))
}

_holds_word(value, name) if {
	walk(value, [_, text])
	is_string(text)
	_names_word(lower(text), name)
}

_references(x) := {ref |
	walk(x, [path, refs])
	count(path) > 0
	path[count(path) - 1] == "references"
	is_array(refs)
	some ref in refs
	is_string(ref)
}

_variable(ref) := split(ref, ".")[1] if startswith(ref, "var.")

_names_resource(ref, local) if ref == local

_names_resource(ref, local) if startswith(ref, concat("", [local, "."]))

# The name as a whole word of the text: IAM role names are made of letters, digits and
# +=,.@_- , so a neighbour of those would make it part of a longer name; but "=" and "," also
# set a value or part a list (--role-name=x, ROLE=x, a,x), so they end a name here.
_names_word(text, name) if {
	some i in indexof_n(text, name)
	not regex.match(`[\w+.@-]`, _before(text, i))
	not regex.match(`[\w+.@-]`, substring(text, i + count(name), 1))
}

_before(_, 0) := ""

_before(text, i) := substring(text, i - 1, 1) if i > 0
