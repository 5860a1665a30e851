"""``--format junit``: JUnit XML, one test suite per role and one test case per check.

CI systems show a failed case per non-compliant check, with the actions that are missing,
denied or conditional; a role that could not be evaluated is an *error* case; the trust check,
when an appliance was given, is a case of its own.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from harness.formats import is_evaluated

_LISTS = ("missing", "denied", "conditional")


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


def _trust_case(role_arn: str, trust: dict[str, Any]) -> ET.Element:
    case = ET.Element("testcase", classname=role_arn, name="trust")
    if trust.get("appliance_can_assume") is not True:
        ET.SubElement(
            case,
            "failure",
            message="the appliance cannot assume this role",
            type="TrustNotAllowed",
        )
    return case


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
        for check_id, check in sorted((report.get("checks") or {}).items()):
            cases.append(_check_case(role_arn, check_id, check))
        trust = report.get("trust") or {}
        if trust.get("checked") is True:
            cases.append(_trust_case(role_arn, trust))
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
    root = document(reports)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
