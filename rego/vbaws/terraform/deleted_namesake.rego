package vbaws.terraform

import data.vbaws.lib.values

# A role resource that the plan deletes deletes the IAM role of its old name, which is a
# selected role of the plan too when the names match (ignoring case, as IAM names roles) in one
# account: after apply that role is gone (or the apply fails while deleting it), and the
# appliance cannot assume it. So does one it replaces under another name (a second address
# renamed: a real plan and apply, Terraform 1.11 and AWS provider 5.100 against moto, deleted
# the role the first address keeps), and one made through Cloud Control (an awscc_iam_role or
# an aws_cloudcontrolapi_resource of AWS::IAM::Role), replaced under its name too. An
# aws_iam_role replaced under the role's name is a namesake the plan keeps, which gets the
# warning of terraform.rego. A role the plan creates under that name is created before or after
# the delete, in no set order (failing while the old one exists), and is not named. With one
# AWS provider configuration a deleted aws_iam_role was the selected role's (Terraform destroys
# it through that one); with several, and for a Cloud Control role (of another provider, or
# through another API), its old ARN tells its account and partition: the role's, a deny;
# another, nothing; not known, a warn.

# METADATA
# description: A selected role whose IAM role a namesake the plan deletes deletes.
deny contains msg if {
	some [address, deleted] in _deleted_namesakes(true)
	msg := sprintf("%s: %s", [address, _namesake_deletes("deletes", deleted)])
}

# METADATA
# description: The same, when the namesake may be of another account.
warn contains msg if {
	some [address, deleted] in _deleted_namesakes(false)
	msg := sprintf("%s: %s", [address, _namesake_deletes("may delete", deleted)])
}

# A role made through Cloud Control under the role's name that the plan updates writes the same
# IAM role: the update puts what its model changes (its trust policy, its Policies and
# ManagedPolicyArns, dropping those its old model held), which is not read here, so what the role
# has after apply cannot be told. (One the plan leaves as it is writes nothing; one it creates
# under a name taken fails.)

# METADATA
# description: A selected role whose IAM role a Cloud Control role the plan updates writes too.
warn contains msg if {
	some address in _selected
	not _created(address)
	name := lower(_role_name(address))
	writers := {rc.address |
		some rc in _current_changes
		rc.type in {"awscc_iam_role", "aws_cloudcontrolapi_resource"}
		"update" in rc.change.actions
		lower(_old_role(rc.change.before).name) == name
		_accounts(address, rc) != "other"
	}
	count(writers) > 0
	msg := sprintf("%s: %s (%s) %s %q too; %s", [
		address, "roles made through Cloud Control that this plan updates", concat(", ", sort(writers)),
		"manage the IAM role", _role_name(address),
		"their trust policy and policies, which are not read here, may replace its own at apply (see docs/conftest.md)",
	])
}

_deleted_namesakes(sure) := {[address, sort(deleted)] |
	some address in _selected
	deleted := {d | some [a, d, s] in _namesake_deletions; a == address; s == sure}
	count(deleted) > 0
}

# [selected role, deleted resource, whether surely of the role's account]
_namesake_deletions contains [address, rc.address, account == "same"] if {
	some address in _selected
	not _created(address)
	name := lower(_role_name(address))
	some rc in _deleted_roles
	rc.address != address
	lower(_old_role(rc.change.before).name) == name
	not rc.address in _namesakes(address)
	account := _deleted_account(address, rc)
	account != "other"
}

_deleted_account(address, rc) := "same" if {
	rc.type == "aws_iam_role"
	count(aws_configurations) <= 1
} else := _accounts(address, rc)

# Whether a role's old ARN names the role's account in its partition: "unknown" when either
# ARN is not known.
_accounts(address, rc) := "same" if {
	_arn_owner(_old_role(rc.change.before).arn) == _arn_owner(_arn(address))
} else := "other" if {
	_arn_owner(_old_role(rc.change.before).arn)
	_arn_owner(_arn(address))
} else := "unknown"

_arn_owner(arn) := [_principal_partition(arn), values.arn_account(arn)]

_namesake_deletes(verb, deleted) := sprintf(
	"this plan deletes %s, which manages the IAM role of this name too: the apply %s this role (see docs/conftest.md)",
	[concat(", ", deleted), verb],
)
