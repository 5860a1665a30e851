"""``--format junit``: JUnit XML, one test suite per role and one test case per check.

CI systems show a failed case per non-compliant check, with the actions that are missing,
denied or conditional; a role that could not be evaluated is an *error* case; the trust check,
when an appliance was given, is a case of its own. Any other error finding (an invalid policy
statement, input in the wrong shape, ...) fails a case named by its id: an error finding makes a
role not compliant (contract section 3), so a role whose report is not compliant never shows as
all-pass.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from harness.formats import NOT_XML, escaped, is_evaluated

_LISTS = ("missing", "denied", "conditional")

# Error findings the trust case shows: they are why the appliance cannot assume the role, or
# why the trust verdict cannot be relied on (an invalid statement beside a valid Allow).
_TRUST_FINDINGS = frozenset(
    {"VBAWS-TRUST", "VBAWS-INVALID-TRUST-POLICY", "VBAWS-APPLIANCE-PRINCIPAL"}
)


def _check_case(role_arn: str, check_id: str, check: dict[str, Any]) -> ET.Element:
    case = ET.Element("testcase", classname=role_arn, name=check_id)
    if check.get("compliant") is True:
        return case
    lists = {key: list(check.get(key) or []) for key in _LISTS}
    count = sum(len(v) for v in lists.values())
    summary = ", ".join(f"{len(v)} {key}" for key, v in lists.items() if v) or "not compliant"
    failure = ET.SubElement(
        case,
        "failure",
        message=f"{check_id}: {count} required action(s) not allowed ({summary})",
        type="NotCompliant",
    )
    actions = check.get("actions") or {}
    lines = []
    for key, names in lists.items():
        for name in names:
            entry = actions.get(name) or {}
            detail = ", ".join(
                str(part)
                for part in (
                    *(entry.get("blocked_by") or []),
                    entry.get("statement") or "",
                    *(entry.get("reasons") or []),
                )
                if part
            )
            lines.append(f"{key}: {name}" + (f" ({detail})" if detail else ""))
    failure.text = "\n".join(lines)
    return case


def _trust_case(role_arn: str, trust: dict[str, Any], errors: list[dict[str, Any]]) -> ET.Element:
    case = ET.Element("testcase", classname=role_arn, name="trust")
    if trust.get("appliance_can_assume") is True and not errors:
        return case
    if trust.get("appliance_can_assume") is True:
        message, kind = "the trust policy has errors", "InvalidTrustPolicy"
    else:
        message, kind = "the appliance cannot assume this role", "TrustNotAllowed"
    failure = ET.SubElement(case, "failure", message=message, type=kind)
    failure.text = "\n".join(_finding_line(f) for f in errors)
    return case


def _finding_line(finding: dict[str, Any]) -> str:
    return f"{finding.get('id', 'VBAWS-FINDING')}: {finding.get('message', '')}"


def _finding_case(role_arn: str, finding_id: str, findings: list[dict[str, Any]]) -> ET.Element:
    case = ET.Element("testcase", classname=role_arn, name=finding_id)
    message = str(findings[0].get("message", "")) if len(findings) == 1 else ""
    failure = ET.SubElement(
        case,
        "failure",
        message=message or f"{len(findings)} error finding(s) {finding_id}",
        type="ErrorFinding",
    )
    failure.text = "\n".join(str(f.get("message", "")) for f in findings)
    return case


def _evaluated_cases(role_arn: str, report: dict[str, Any]) -> list[ET.Element]:
    """The cases of an evaluated role: each check, the trust check, then every error finding
    that neither of those shows, grouped by id."""
    errors = [
        f
        for f in report.get("findings") or []
        if isinstance(f, dict) and f.get("severity") == "error"
    ]
    cases: list[ET.Element] = []
    shown: list[dict[str, Any]] = []  # error findings a failing case above already shows
    for check_id, check in sorted((report.get("checks") or {}).items()):
        case = _check_case(role_arn, check_id, check)
        cases.append(case)
        if case.find("failure") is not None:
            # Its failure lists the actions of the check's VBAWS-MISSING/DENIED findings.
            shown.extend(f for f in errors if f.get("check") == check_id)
    trust = report.get("trust") or {}
    if trust.get("checked") is True:
        trust_errors = [f for f in errors if f.get("id") in _TRUST_FINDINGS]
        cases.append(_trust_case(role_arn, trust, trust_errors))
        shown.extend(trust_errors)
    shown_ids = {id(f) for f in shown}
    others: dict[str, list[dict[str, Any]]] = {}
    for finding in errors:
        if id(finding) not in shown_ids:
            others.setdefault(str(finding.get("id", "VBAWS-FINDING")), []).append(finding)
    cases.extend(_finding_case(role_arn, fid, found) for fid, found in others.items())
    if report.get("compliant") is not True and all(c.find("failure") is None for c in cases):
        # Not reached with the engine's reports (a role is not compliant only through a failing
        # check, trust or error finding), but a green suite must never stand for such a role.
        case = ET.Element("testcase", classname=role_arn, name="compliance")
        ET.SubElement(case, "failure", message="role not compliant", type="NotCompliant")
        cases.append(case)
    return cases


def role_suite(report: dict[str, Any]) -> ET.Element:
    role_arn = str(report.get("role_arn", ""))
    suite = ET.Element("testsuite", name=role_arn)
    cases: list[ET.Element] = []
    if not is_evaluated(report):
        case = ET.Element("testcase", classname=role_arn, name="evaluation")
        error = ET.SubElement(case, "error", message="role not evaluated", type="NotEvaluated")
        error.text = str(report.get("error") or "")
        cases.append(case)
    else:
        cases.extend(_evaluated_cases(role_arn, report))
    suite.extend(cases)
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    suite.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
    return suite


def document(reports: list[dict[str, Any]]) -> ET.Element:
    root = ET.Element("testsuites", name="vbaws-policy")
    suites = [role_suite(r) for r in reports]
    root.extend(suites)
    for attr in ("tests", "failures", "errors"):
        root.set(attr, str(sum(int(s.get(attr, "0")) for s in suites)))
    return root


def render(reports: list[dict[str, Any]], *, color: bool = False) -> str:
    del color
    # ElementTree writes any character as it is: one XML 1.0 cannot carry (a control character
    # in a role name) would make the whole file unparseable, so it is shown as an escape.
    root = document(escaped(reports, NOT_XML))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
