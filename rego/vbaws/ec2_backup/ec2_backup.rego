# METADATA
# title: Veeam Backup for AWS role checks
# description: |
#   Entry points for OPA clients (the harness, a sidecar in a pipeline): does an IAM role
#   have every action of the requested Veeam requirement sets (data.vbaws.requirements),
#   and can the backup appliance assume it. Input forms and report shape: CONTRACT.md §2-3.
package vbaws.ec2_backup

import data.vbaws.report as reporting
import data.vbaws.snapshot

# METADATA
# title: Report for one role
# description: The report (contract §3) for one role snapshot given as input.
# entrypoint: true
report := reporting.build(input)

# METADATA
# title: Allow
# description: |
#   True only when the role snapshot given as input fully meets every requested check
#   (and, with an appliance principal, the trust policy lets it assume the role).
# entrypoint: true
default allow := false

allow if report.compliant == true

# METADATA
# title: Reports in input order
# description: |
#   The reports for every role of the input (one snapshot, the batch form, or raw
#   GetAccountAuthorizationDetails output), as an array in input order.
# entrypoint: true
report_list := [reporting.build(s) | some s in snapshot.from_input]

# METADATA
# title: Reports by role ARN
# description: |
#   The reports for every role of the input (batch form or raw GetAccountAuthorizationDetails
#   output), as an object keyed by role ARN. A role ARN that appears more than once is
#   keyed "<arn>#<position>" from its second occurrence on.
# entrypoint: true
reports := {r.role_arn: r | some r in report_list} if {
	count({r.role_arn | some r in report_list}) == count(report_list)
}

reports := {_key(i): r | some i, r in report_list} if {
	count({r.role_arn | some r in report_list}) != count(report_list)
}

_key(i) := report_list[i].role_arn if {
	not _seen_before(i)
} else := sprintf("%s#%d", [report_list[i].role_arn, i + 1])

_seen_before(i) if {
	some j, other in report_list
	j < i
	other.role_arn == report_list[i].role_arn
}
