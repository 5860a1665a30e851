package vbaws.terraform

# An aws_iam_role that the plan deletes and no longer holds (a role imported at a second address,
# then taken out of the configuration) deletes the IAM role of its name, which is a selected
# role of the plan too when the names match (ignoring case, as IAM names roles) in one account:
# after apply that role is gone (or the apply fails while deleting it), and the appliance cannot
# assume it. A role the plan creates under that name is created before or after the delete,
# in no set order (failing while the old one exists), and is not named. The old state does not
# say which provider configuration (account) the deleted one was in: with one AWS provider
# configuration it was the selected role's, with several it may be.

# METADATA
# description: A selected role whose IAM role a namesake the plan deletes deletes.
deny contains msg if {
	count(aws_configurations) <= 1
	some [address, deleted] in _deleted_namesakes
	msg := sprintf("%s: %s", [address, _namesake_deletes("deletes", deleted)])
}

# METADATA
# description: The same, when the namesake may be of another account.
warn contains msg if {
	count(aws_configurations) > 1
	some [address, deleted] in _deleted_namesakes
	msg := sprintf("%s: %s", [address, _namesake_deletes("may delete", deleted)])
}

_deleted_namesakes contains [address, sort(deleted)] if {
	some address in _selected
	not _created(address)
	name := lower(_role_name(address))
	deleted := {rc.address |
		some rc in input.resource_changes
		rc.type == "aws_iam_role"
		rc.change.actions == ["delete"]
		rc.address != address
		not rc.address in _planned_addresses
		lower(object.get(rc.change.before, "name", "")) == name
	}
	count(deleted) > 0
}

_namesake_deletes(verb, deleted) := sprintf(
	"this plan deletes %s, which manages the IAM role of this name too: the apply %s this role (see docs/conftest.md)",
	[concat(", ", deleted), verb],
)
