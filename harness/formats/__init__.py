"""Output formats: turn a list of reports (contract section 3) into text.

Every format module exposes ``render(reports, *, color) -> str``. ``sarif`` and ``junit`` are
optional modules; asking for one that is not installed is a usage error, not a crash.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from harness.errors import UsageError

FORMATS = ("table", "json", "sarif", "junit")

# Format name -> module under harness.formats.
_MODULES = {"table": "table", "json": "json_format", "sarif": "sarif", "junit": "junit"}


def is_evaluated(report: dict[str, Any]) -> bool:
    """False for a placeholder report of a role that could not be collected or evaluated."""
    return report.get("evaluated", True) is not False


def summarize(reports: list[dict[str, Any]]) -> dict[str, int]:
    """Counts for the summary (contract section 4): every role is exactly one of the three."""
    evaluated = [r for r in reports if is_evaluated(r)]
    compliant = sum(1 for r in evaluated if r.get("compliant") is True)
    return {
        "roles": len(reports),
        "compliant": compliant,
        "not_compliant": len(evaluated) - compliant,
        "not_evaluated": len(reports) - len(evaluated),
    }


# The finding a not-evaluated report carries; the SARIF rule of the same id shows it.
NOT_EVALUATED_FINDING = "VBAWS-NOT-EVALUATED"
# What a role is checked against when neither it nor the command line names checks (contract
# section 2).
DEFAULT_CHECKS = ("ec2_backup",)


def not_evaluated(
    role_arn: str,
    reason: str,
    *,
    checks: list[str] | tuple[str, ...] | None = None,
    appliance: bool = False,
) -> dict[str, Any]:
    """The report of a role that could not be collected or evaluated: never compliant.

    Every field of contract section 3 is there, so a consumer reading reports finds them on
    every role, but nothing in it claims a decision: each requested check (``checks``, default
    :data:`DEFAULT_CHECKS`) is not compliant and ``"evaluated": false``, with no action entries
    and empty ``missing``/``denied``/``conditional`` lists (no action is known to be allowed, nor
    known to be refused); trust is not granted (``appliance_can_assume`` is false when an
    appliance principal was given, null when none was, as in an evaluated report); no layer was
    evaluated; one error finding carries ``reason``, which ``error`` repeats. ``appliance`` says
    whether an appliance principal was given (``trust.checked``).
    """
    return {
        "role_arn": role_arn,
        "compliant": False,
        "checks": {
            check_id: {
                "compliant": False,
                "evaluated": False,
                "actions": {},
                "missing": [],
                "denied": [],
                "conditional": [],
            }
            for check_id in (checks or DEFAULT_CHECKS)
        },
        "trust": {
            "checked": appliance,
            # Not established when an appliance was given; no question to answer when none was.
            "appliance_can_assume": False if appliance else None,
            "conditions": [],
        },
        "layers": {"identity": False, "boundary": False, "scps": False},
        "findings": [
            {
                "id": NOT_EVALUATED_FINDING,
                "severity": "error",
                "message": f"not evaluated: {reason}",
                "actions": [],
            }
        ],
        "evaluated": False,
        "error": reason,
    }


def compliance_exit_code(reports: list[dict[str, Any]]) -> int:
    """0 when every role is compliant, else 1 (a role not evaluated is not compliant)."""
    return 0 if all(r.get("compliant") is True for r in reports) else 1


# What XML 1.0 cannot carry at all, not even as a character reference.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# What must not reach a terminal raw: C0 and C1 controls (escape sequences, carriage returns
# and line breaks that could forge a line) and the bidirectional overrides and isolates.
NOT_PRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escaped(value: Any, unsafe: re.Pattern[str]) -> Any:
    """``value`` (reports, or any JSON value) with every character ``unsafe`` matches, in
    strings and object keys, written as a visible escape (``\\x01``, ``\\u202e``).

    Copied level by level with a stack of its own, not by recursion: an answer from another
    bundle may nest an extra field hundreds of levels deep, which the JSON parser reads but
    a recursive copy (two frames a level) would end with a RecursionError.
    """

    def leaf(item: Any) -> Any:
        return unsafe.sub(_escape, item) if isinstance(item, str) else item

    if not isinstance(value, dict | list):
        return leaf(value)
    copy: Any = {} if isinstance(value, dict) else []
    pending: list[tuple[Any, Any]] = [(value, copy)]
    while pending:
        source, target = pending.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in items:
            if isinstance(item, dict | list):
                inner: Any = {} if isinstance(item, dict) else []
                pending.append((item, inner))
            else:
                inner = leaf(item)
            if isinstance(target, dict):
                target[leaf(key)] = inner
            else:
                target.append(inner)
    return copy


def formatter(fmt: str) -> Any:
    """The module that renders ``fmt``; UsageError when unknown or not installed."""
    module_name = _MODULES.get(fmt)
    if module_name is None:
        raise UsageError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    try:
        return importlib.import_module(f"harness.formats.{module_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"harness.formats.{module_name}":
            raise
        raise UsageError(
            f"--format {fmt} is not available in this installation "
            f"(harness/formats/{module_name}.py is missing)"
        ) from exc


def render(reports: list[dict[str, Any]], fmt: str, *, color: bool = False) -> str:
    """Render ``reports`` in format ``fmt``; the text ends with a newline."""
    text: str = formatter(fmt).render(reports, color=color)
    return text if text.endswith("\n") else text + "\n"
