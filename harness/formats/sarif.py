"""``--format sarif``: SARIF 2.1.0, one result per required action that is not allowed.

GitHub code scanning (and other SARIF viewers) show each result as an alert. A role is not a
file, so each result names the role twice: as a logical location (its ARN, kind ``resource``)
and as the artifact of its physical location, which viewers need to have something to show.
That artifact is a relative path made from the ARN (``aws/iam/123456789012/role/Name``):
GitHub refuses an upload whose URIs have a scheme other than the checkout's ``file``, and an
ARN read as a URI has the scheme ``arn``.
``partialFingerprints`` make an alert for the same role, check, action and decision keep its
identity from one scan to the next.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import quote

from harness import __version__
from harness.formats import NOT_EVALUATED_FINDING, is_evaluated

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://helpcenter.veeam.com/docs/vbaws/guide/role_permissions_backup_ec2.html"

# Report list -> (rule id, SARIF level, what it means). Rule ids match the engine's findings.
_ACTION_RULES = {
    "missing": ("VBAWS-MISSING", "error", "is not allowed"),
    "denied": ("VBAWS-DENIED", "error", "is explicitly denied"),
    "conditional": ("VBAWS-CONDITIONAL", "warning", "is allowed only under conditions"),
}
NOT_EVALUATED_RULE = NOT_EVALUATED_FINDING
NOT_COMPLIANT_RULE = "VBAWS-NOT-COMPLIANT"

_RULE_TEXT = {
    "VBAWS-MISSING": (
        "Required permission missing",
        "A permission Veeam documents for this role is not granted by every policy layer "
        "(identity policies, permissions boundary, SCPs).",
    ),
    "VBAWS-DENIED": (
        "Required permission explicitly denied",
        "A Deny statement in some policy layer blocks a permission Veeam documents for this role.",
    ),
    "VBAWS-CONDITIONAL": (
        "Required permission only conditionally allowed",
        "A required permission is granted only under a Condition or for some resources, or a "
        "conditional Deny may block it.",
    ),
    NOT_COMPLIANT_RULE: (
        "Role not compliant",
        "The engine reported the role not compliant and no other result says why.",
    ),
    NOT_EVALUATED_RULE: (
        "Role not evaluated",
        "The role's policies could not all be read or evaluated; it is not known to comply.",
    ),
}

_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def artifact_uri(role_arn: str) -> str:
    """A relative URI reference for the role: partition, service, account, then the resource."""
    parts = role_arn.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn":
        segments = [parts[1] or "-", parts[2] or "-", parts[4] or "-", *parts[5].split("/")]
    else:  # a role named without an ARN
        segments = ["roles", role_arn]
    # Each segment is percent-encoded whole, so no ":" can make a scheme; a segment of dots
    # alone gets a "-" before it rather than climb out of the checkout (%2E%2E normalises to
    # ".."). So that no two roles share a path, a segment of dashes then dots ("-..") gets one
    # too: "..", "-.." and "--.." become "-..", "--.." and "---..". (%2D would not do: it
    # normalises to "-".) The logical location keeps the exact ARN, and fingerprints are made
    # from it.
    return "/".join(quote(f"-{s}" if _DASHES_DOTS.fullmatch(s) else s, safe="") for s in segments)


_DASHES_DOTS = re.compile(r"-*\.+")


def _location(role_arn: str) -> dict[str, Any]:
    return {
        "physicalLocation": {"artifactLocation": {"uri": artifact_uri(role_arn)}},
        "logicalLocations": [
            {
                "name": role_arn.rsplit("/", 1)[-1],
                "fullyQualifiedName": role_arn,
                "kind": "resource",
            }
        ],
    }


def _result(
    rule_id: str, level: str, message: str, role_arn: str, *fingerprint: str
) -> dict[str, Any]:
    return {
        "ruleId": rule_id,
        "level": level,
        "message": {"text": message},
        "locations": [_location(role_arn)],
        "partialFingerprints": {"vbawsResult/v1": _fingerprint(role_arn, rule_id, *fingerprint)},
    }


def _why(entry: dict[str, Any]) -> str:
    parts = []
    if entry.get("blocked_by"):
        parts.append("blocked by " + ", ".join(map(str, entry["blocked_by"])))
    if entry.get("statement"):
        parts.append(f"statement {entry['statement']}")
    if entry.get("reasons"):
        parts.append("; ".join(map(str, entry["reasons"])))
    return f" ({'; '.join(parts)})" if parts else ""


def role_results(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The SARIF results for one report, in a stable order."""
    role_arn = str(report.get("role_arn", ""))
    if not is_evaluated(report):
        reason = report.get("error") or "not evaluated"
        return [
            _result(
                NOT_EVALUATED_RULE,
                "error",
                f"Role {role_arn} was not evaluated: {reason}",
                role_arn,
            )
        ]
    results = []
    covered: set[str] = set()
    for check_id, check in sorted((report.get("checks") or {}).items()):
        actions = check.get("actions") or {}
        for key, (rule_id, level, meaning) in _ACTION_RULES.items():
            covered.add(rule_id)
            for action in check.get(key) or []:
                entry = actions.get(action) or {}
                message = (
                    f"Role {role_arn}: {action}, required by {check_id}, {meaning}{_why(entry)}."
                )
                result = _result(rule_id, level, message, role_arn, check_id, action)
                result["properties"] = {
                    "check": check_id,
                    "action": action,
                    "decision": entry.get("decision"),
                }
                results.append(result)
    for finding in report.get("findings") or []:
        finding_id = str(finding.get("id", "VBAWS-FINDING"))
        if finding_id in covered:
            continue  # already one result per action above
        level = _LEVELS.get(str(finding.get("severity")), "warning")
        message = f"Role {role_arn}: {finding.get('message', finding_id)}"
        results.append(_result(finding_id, level, message, role_arn, str(finding.get("message"))))
    if report.get("compliant") is not True and all(
        r["level"] not in ("error", "warning") for r in results
    ):
        # Not reached with the engine's reports (a role is not compliant only through a check,
        # the trust policy or an error finding, each a result above), but a role that fails the
        # run must never look clean to a code scanning gate.
        message = f"Role {role_arn} is not compliant"
        results.append(_result(NOT_COMPLIANT_RULE, "error", message, role_arn))
    return results


def _rules(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rules = []
    for rule_id in sorted({r["ruleId"] for r in results} | set(_RULE_TEXT)):
        short, full = _RULE_TEXT.get(rule_id, (rule_id, rule_id))
        rules.append(
            {
                "id": rule_id,
                "name": "".join(part.title() for part in rule_id.split("-")),
                "shortDescription": {"text": short},
                "fullDescription": {"text": full},
                "helpUri": INFORMATION_URI,
            }
        )
    return rules


def document(reports: list[dict[str, Any]]) -> dict[str, Any]:
    results = [result for report in reports for result in role_results(report)]
    rules = _rules(results)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    for result in results:
        result["ruleIndex"] = index[result["ruleId"]]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "vbaws-policy",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }


def render(reports: list[dict[str, Any]], *, color: bool = False) -> str:
    del color  # SARIF is for machines
    return json.dumps(document(reports), indent=2) + "\n"
