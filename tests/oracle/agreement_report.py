"""pytest plugin: print the oracle agreement counts at the end of the run.

Tests record a line with ``record_property("oracle_agreement", line)``; the property travels with
the test report (also from pytest-xdist workers), and this hook writes every such line in a
section of the terminal summary.
"""

from __future__ import annotations

from typing import Any

PROPERTY = "oracle_agreement"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        for name, value in getattr(report, "user_properties", ())
        if name == PROPERTY and getattr(report, "when", "call") == "call"
    ]
    if lines:
        terminalreporter.section("engine vs oracle agreement")
        for line in lines:
            terminalreporter.write_line(str(line))
