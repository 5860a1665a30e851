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
#   keyed "<arn>#<position>" (1-based) from its second occurrence on; should such a key be
#   another role's ARN as well, every report is keyed "<arn>#<position>".
# entrypoint: true
reports := _keyed(_arns) if {
	_distinct(_arns)
} else := _keyed(_repeats_numbered) if {
	_distinct(_repeats_numbered)
} else := _keyed([sprintf("%s#%d", [r.role_arn, i + 1]) | some i, r in report_list])

_keyed(keys) := {keys[i]: r | some i, r in report_list}

_distinct(keys) if count({k | some k in keys}) == count(keys)

_arns := [r.role_arn | some r in report_list]

_repeats_numbered := [key |
	some i, arn in _arns
	key := _numbered(arn, i, i in _repeats)
]

_numbered(arn, _, false) := arn

_numbered(arn, i, true) := sprintf("%s#%d", [arn, i + 1])

# The positions of the second and later occurrences of an ARN: sorted, the occurrences of
# an ARN are neighbours in position order, so this takes a sort rather than comparing every
# pair of roles.
_repeats contains i if {
	some k, [arn, i] in _by_arn_then_position
	k > 0
	_by_arn_then_position[k - 1][0] == arn
}

_by_arn_then_position := sort([[arn, i] | some i, arn in _arns])
