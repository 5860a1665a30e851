# METADATA
# title: Veeam Backup for AWS checks of a Terraform plan
# description: |
#   conftest entry points for `terraform show -json` plans:
#     conftest test --policy rego --data rego --namespace vbaws.terraform plan.json
#   Every aws_iam_role the plan creates or keeps, with its inline_policy blocks,
#   aws_iam_role_policy, aws_iam_role_policy_attachment / aws_iam_policy_attachment,
#   managed_policy_arns and permissions_boundary, is mapped into a role snapshot and evaluated by
#   data.vbaws.report.build, like a live role. What is known only after apply is never counted
#   as granting anything. See docs/conftest.md.
package vbaws.terraform

import data.vbaws.lib.iac
import data.vbaws.report

_selected := {address | some address, model in roles; iac.selected(model)}

# METADATA
# description: The report (contract section 3) of each selected role, keyed by resource address.
reports[address] := report.build(iac.snapshot(roles[address])) if some address in _selected

# METADATA
# title: deny
# description: |
#   One message per selected role and requirement set that is not met, naming the missing and
#   explicitly denied actions; one per invalid document or trust policy that keeps the appliance
#   out; one for a plan in a format this check cannot read.
# entrypoint: true
deny contains msg if {
	some address in _selected
	some msg in iac.deny_messages(roles[address], reports[address])
}

deny contains msg if {
	not _supported_format
	msg := sprintf(
		"the input is not a Terraform plan this check can read (format_version %v; %s)",
		[json.marshal(object.get(input, "format_version", null)), "expected 1.x from `terraform show -json PLANFILE`"],
	)
}

_supported_format if {
	is_string(input.format_version)
	startswith(input.format_version, "1.")
	is_object(input.planned_values)
}

# METADATA
# title: warn
# description: |
#   Conditional grants, everything known only after apply (counted as granting nothing), and a
#   warning when the plan selects no role at all.
# entrypoint: true
warn contains msg if {
	some address in _selected
	some msg in iac.warn_messages(roles[address], reports[address])
}

warn contains iac.nothing_selected("plan") if {
	_supported_format
	count(_selected) == 0
}
