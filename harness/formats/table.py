"""``--format table``: a readable report for people, one block per role and a summary line."""

from __future__ import annotations

from typing import Any

from harness.formats import NOT_PRINTABLE, escaped, is_evaluated, summarize

_RESET = "\033[0m"
_STYLES = {
    "COMPLIANT": "\033[32m",  # green
    "NOT COMPLIANT": "\033[31m",  # red
    "NOT EVALUATED": "\033[33m",  # yellow
    "error": "\033[31m",
    "warning": "\033[33m",
    "info": "\033[36m",  # cyan
}

# Report list name -> label on each action line, in the order they are shown.
_CATEGORIES = (("missing", "missing"), ("denied", "denied"), ("conditional", "conditional"))


class _Painter:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, style: str | None = None) -> str:
        code = _STYLES.get(style or text)
        return f"{code}{text}{_RESET}" if self.color and code else text


def _status(report: dict[str, Any]) -> str:
    if not is_evaluated(report):
        return "NOT EVALUATED"
    return "COMPLIANT" if report.get("compliant") is True else "NOT COMPLIANT"


def _action_detail(entry: dict[str, Any]) -> str:
    """Why an action is not allowed, from its decision entry."""
    parts = []
    blocked_by = entry.get("blocked_by") or []
    if blocked_by:
        parts.append("blocked by " + ", ".join(str(b) for b in blocked_by))
    if entry.get("statement"):
        parts.append(f"statement {entry['statement']}")
    reasons = entry.get("reasons") or []
    if reasons:
        parts.append("; ".join(str(r) for r in reasons))
    return " - ".join(parts)


def _check_lines(check_id: str, check: dict[str, Any], paint: _Painter) -> list[str]:
    actions: dict[str, Any] = check.get("actions") or {}
    lists = {key: list(check.get(key) or []) for key, _ in _CATEGORIES}
    allowed = sum(
        1
        for entry in actions.values()
        if isinstance(entry, dict) and entry.get("decision") == "allowed"
    )
    status = "COMPLIANT" if check.get("compliant") is True else "NOT COMPLIANT"
    counts = ", ".join(f"{len(lists[key])} {key}" for key, _ in _CATEGORIES)
    lines = [f"  {check_id}: {paint(status)}  {allowed}/{len(actions)} allowed, {counts}"]
    width = max(len(label) for _, label in _CATEGORIES)
    for key, label in _CATEGORIES:
        for action in lists[key]:
            entry = actions.get(action)
            detail = _action_detail(entry) if isinstance(entry, dict) else ""
            line = f"    {label:<{width}}  {action}"
            lines.append(f"{line}  ({detail})" if detail else line)
    return lines


def _trust_line(trust: dict[str, Any] | None) -> str:
    if not trust or not trust.get("checked"):
        return "  trust: not checked (no appliance principal given)"
    verdict = (
        "appliance can assume the role"
        if trust.get("appliance_can_assume")
        else ("appliance cannot assume the role")
    )
    conditions = trust.get("conditions") or []
    if conditions:
        verdict += " if these conditions hold: " + ", ".join(str(c) for c in conditions)
    return f"  trust: {verdict}"


def _layers_line(layers: dict[str, Any] | None) -> str | None:
    if not layers:
        return None
    used = [name for name, on in layers.items() if on]
    unused = [name for name, on in layers.items() if not on]
    text = "  layers evaluated: " + (", ".join(used) or "none")
    if unused:
        text += "; not evaluated: " + ", ".join(unused)
    return text


def _role_block(report: dict[str, Any], paint: _Painter) -> list[str]:
    status = _status(report)
    lines = [f"{paint(status)}  {report.get('role_arn', '<unknown role>')}"]
    if not is_evaluated(report):
        lines.append(f"  reason: {report.get('error', 'unknown')}")
        return lines
    for check_id, check in (report.get("checks") or {}).items():
        if isinstance(check, dict):
            lines.extend(_check_lines(str(check_id), check, paint))
    lines.append(_trust_line(report.get("trust")))
    layers = _layers_line(report.get("layers"))
    if layers:
        lines.append(layers)
    findings = [f for f in report.get("findings") or [] if isinstance(f, dict)]
    if findings:
        lines.append("  findings:")
    for finding in findings:
        severity = str(finding.get("severity", "info"))
        ident = f" {finding['id']}" if finding.get("id") else ""
        lines.append(f"    {paint(severity)}{ident}: {finding.get('message', '')}")
    return lines


def render(reports: list[dict[str, Any]], *, color: bool = False) -> str:
    paint = _Painter(color)
    # Text from the input (role names, Sids, tag values in messages) reaches a terminal: its
    # control characters are shown as escapes, never sent raw.
    reports = escaped(reports, NOT_PRINTABLE)
    blocks = ["\n".join(_role_block(report, paint)) for report in reports]
    s = summarize(reports)
    noun = "role" if s["roles"] == 1 else "roles"
    summary = (
        f"{s['roles']} {noun}: {s['compliant']} compliant, {s['not_compliant']} not compliant, "
        f"{s['not_evaluated']} not evaluated"
    )
    return "\n\n".join([*blocks, summary]) + "\n"
