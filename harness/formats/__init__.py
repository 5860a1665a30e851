"""Output formats: turn a list of reports (contract section 3) into text.

Every format module exposes ``render(reports, *, color) -> str``. ``sarif`` and ``junit`` are
optional modules; asking for one that is not installed is a usage error, not a crash.
"""

from __future__ import annotations

import importlib
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


def not_evaluated(role_arn: str, reason: str) -> dict[str, Any]:
    """The report of a role that could not be collected or evaluated: never compliant."""
    return {"role_arn": role_arn, "evaluated": False, "compliant": False, "error": reason}


def compliance_exit_code(reports: list[dict[str, Any]]) -> int:
    """0 when every role is compliant, else 1 (a role not evaluated is not compliant)."""
    return 0 if all(r.get("compliant") is True for r in reports) else 1


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
