# METADATA
# description: |
#   Turns the accepted inputs into a list of role snapshots (contract §2): one snapshot,
#   the batch form {"roles": [...]} with top-level defaults, or the raw output of
#   GetAccountAuthorizationDetails, whose managed policies (and boundaries) are resolved
#   from its Policies list by ARN, default version only.
package vbaws.snapshot

import data.vbaws.lib.values

_default_keys := ["scps", "appliance", "checks"]

_defaults := {key: input[key] | some key in _default_keys; key in object.keys(input)}

# METADATA
# scope: document
# description: |
#   The role snapshots of the input, in input order. Every element gives a snapshot,
#   whatever its shape, so that no role of the input is missing from the reports: one that
#   is not an object is reported as such by the report.
from_input := [_with_defaults(s) | some s in input.roles] if is_array(input.roles)

from_input := [_with_defaults(_from_role_detail(detail)) | some detail in input.RoleDetailList] if {
	not _input_list("roles")
	_input_list("RoleDetailList")
}

# An input that is not an object is one snapshot too, which the report says is wrong,
# rather than no snapshot at all.
from_input := [input] if {
	not _input_list("roles")
	not _input_list("RoleDetailList")
}

_input_list(key) if {
	is_object(input)
	is_array(input[key])
}

# Default-version documents of the managed policies in a GetAccountAuthorizationDetails
# document, by ARN; computed once per query and shared by every role. An ARN listed with
# different default documents (a document merged from several calls, say) has none: which
# one is real cannot be told, and the roles that attach it say so.
_default_versions := {[policy.Arn, version.Document] |
	some policy in input.Policies
	some version in policy.PolicyVersionList
	version.IsDefaultVersion == true
	_named_default(policy, version)
}

# IAM names the default version twice, in DefaultVersionId and IsDefaultVersion. A version
# flagged default that DefaultVersionId names otherwise (a hand-edited file) is not taken
# as the one in force: which of the two is cannot be told. Nor is one without a VersionId
# where DefaultVersionId names one (IAM gives every version its id): dropping the id must not
# pass a role on the flag alone.
_named_default(policy, _) if not is_string(object.get(policy, "DefaultVersionId", null))

_named_default(policy, version) if policy.DefaultVersionId == version.VersionId

_documents := {arn: document | some [arn, document] in _default_versions; not arn in _ambiguous}

_ambiguous := set() if {
	count(_default_versions) == count({arn | some [arn, _] in _default_versions})
} else := {pair[0] |
	ordered := sort(_default_versions)
	some i, pair in ordered
	i > 0
	ordered[i - 1][0] == pair[0]
}

# A role's own null means "not given" (contract §2) and takes the batch's value, as a
# missing key does.
_with_defaults(s) := object.union(_defaults, object.remove(s, [key | some key in _default_keys; s[key] == null])) if {
	is_object(s)
} else := s

# Missing fields are passed on as null rather than dropping the role or the policy: the
# report then says what could not be read (a policy without a document is an error).
_from_role_detail(detail) := {"role": object.union_n([
	{
		"arn": _field(detail, "Arn"),
		"name": object.get(detail, "RoleName", _field(detail, "Arn")),
		"path": object.get(detail, "Path", "/"),
		"trust_policy": object.get(detail, "AssumeRolePolicyDocument", null),
		"policies": array.flatten([
			[{"name": _field(p, "PolicyName"), "type": "inline", "document": _field(p, "PolicyDocument")} |
				some p in values.as_list(object.get(detail, "RolePolicyList", []))
			],
			[_managed(_field(p, "PolicyArn")) | some p in values.as_list(object.get(detail, "AttachedManagedPolicies", []))],
			_unlisted(detail),
		]),
	},
	_boundary(detail),
	_tags(detail),
])} if {
	is_object(detail)
} else := detail

# IAM always lists both (empty when there are none): a role detail without one (or with
# null, as a missing key) says nothing about those policies, which is not the same as saying
# there are none.
_unlisted(detail) := [{
	"name": key,
	"type": kind,
	"document": null,
	"error": sprintf("the role's entry has no %s, so its %s policies are not known", [key, kind]),
} |
	some [key, kind] in [["RolePolicyList", "inline"], ["AttachedManagedPolicies", "managed"]]
	object.get(detail, key, null) == null
]

_field(x, key) := object.get(x, key, null) if is_object(x)

else := null

_boundary(detail) := {} if {
	object.get(detail, "PermissionsBoundary", null) == null
} else := {"permissions_boundary": _managed(detail.PermissionsBoundary.PermissionsBoundaryArn)} if {
	is_string(detail.PermissionsBoundary.PermissionsBoundaryArn)
} else := {"permissions_boundary": {
	"document": null,
	"error": "the role's PermissionsBoundary has no PermissionsBoundaryArn",
}}

# IAM's list form, which the report reads (and checks); a role listed without Tags has
# tags that are not known, not tags known to be none.
_tags(detail) := {"tags": detail.Tags} if "Tags" in object.keys(detail)

else := {}

# One answer per attachment, whatever the input holds: a non-string ARN, an ambiguous one
# and a document that is present but not an object (false, say) must not give two.
_managed(arn) := _resolved(arn, _documents, _ambiguous)

_resolved(arn, documents, ambiguous) := {
	"name": null,
	"type": "managed",
	"document": null,
	"error": "the attachment has no PolicyArn",
} if {
	not is_string(arn)
} else := {
	"name": arn,
	"arn": arn,
	"type": "managed",
	"document": null,
	"error": "the input's Policies list gives it more than one default version, with different documents",
} if {
	arn in ambiguous
} else := {"name": arn, "arn": arn, "type": "managed", "document": documents[arn]} if {
	arn in object.keys(documents)
} else := {
	"name": arn,
	"arn": arn,
	"type": "managed",
	"document": null,
	"error": "its document is not in the input's Policies list (no default version found)",
}
