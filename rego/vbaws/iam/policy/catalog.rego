package vbaws.iam.policy

# The index of the requirement catalog that matching reads. Rules are evaluated anew for
# every query, and building the index from data.vbaws.requirements cost about a tenth of a
# single-role report, so the bundle carries it prebuilt at data.vbaws.catalog_index. It is
# used only while it was built from the catalog that is loaded (an OPA may be given other
# requirement data); otherwise it is built here, as a test checks the prebuilt one is.
# After changing rego/vbaws/requirements/data.json, write it again with
# scripts/index-catalog.

# METADATA
# description: Every catalog action (all requirement sets), in the catalog's spelling.
catalog_actions := {action | some action in _index.actions}

# lower-case action -> catalog spelling
_by_lower := _index.by_lower

# The catalog's lower-case actions, one per line, for matching wildcard patterns with one
# regex call each.
_catalog_lines := _index.lines

# The catalog's service prefixes as a regex alternation.
_service_alternatives := _index.services

_index := data.vbaws.catalog_index if {
	data.vbaws.catalog_index.requirements_sha256 == _fingerprint(data.vbaws.requirements)
} else := catalog_index(data.vbaws.requirements)

_fingerprint(requirements) := crypto.sha256(json.marshal(requirements))

# METADATA
# description: |
#   The matching index of a requirement catalog ({set id: {"actions": [...]}, ...}):
#   {"requirements_sha256", "actions" (sorted), "by_lower" ({lower-case action: action}),
#   "lines" (the lower-case actions, sorted, one per line), "services" (their service
#   prefixes as a regex alternation)}. scripts/index-catalog writes it as data.
catalog_index(requirements) := {
	"requirements_sha256": _fingerprint(requirements),
	"actions": sort(actions),
	"by_lower": by_lower,
	"lines": lines,
	# Made with two builtin calls rather than a step per action: repeated prefixes are
	# harmless in an alternation, and IAM service prefixes are plain lower-case letters,
	# digits and hyphens (a test holds the catalog to that).
	"services": strings.replace_n({"\n": "|"}, regex.replace(lines, `:[^\n]*`, "")),
} if {
	actions := {action | some set in requirements; some action in set.actions}
	by_lower := {lower(action): action | some action in actions}
	lines := concat("\n", sort(object.keys(by_lower)))
}
