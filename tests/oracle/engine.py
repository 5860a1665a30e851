"""Our engine, as the property and differential tests see it: reports from a real OPA, in batches.

One HTTP request evaluates many snapshots (``data.vbaws.ec2_backup.report_list`` returns reports
in input order), which is what keeps hundreds of Hypothesis examples fast.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from harness.opa import OpaClient

# Most permissive first: used by the monotonicity properties ("can only remove permissions").
RANK = {"allowed": 3, "conditional": 2, "implicit_deny": 1, "explicit_deny": 0}


class Engine:
    """Evaluates role snapshots through one OPA server."""

    def __init__(self, client: OpaClient) -> None:
        self._client = client

    def reports(self, snapshots: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        if not snapshots:
            return []
        reports = self._client.report_list({"roles": list(snapshots)})
        assert len(reports) == len(snapshots), "report_list must answer once per role"
        return reports

    def report(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        return self.reports([snapshot])[0]

    def decisions_batch(self, snapshots: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
        return [decisions(r) for r in self.reports(snapshots)]

    def decisions(self, snapshot: dict[str, Any]) -> dict[str, str]:
        return decisions(self.report(snapshot))


def action_entries(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Action -> its entry, over every check of the report (the same action has the same
    decision in every check, which ``test_properties`` asserts separately)."""
    entries: dict[str, dict[str, Any]] = {}
    for check in report["checks"].values():
        entries.update(check["actions"])
    return entries


def decisions(report: dict[str, Any]) -> dict[str, str]:
    return {action: entry["decision"] for action, entry in action_entries(report).items()}


@contextlib.contextmanager
def engine_at(opa_url: str) -> Iterator[Engine]:
    """An Engine on the OPA at ``opa_url`` (the session's ``opa_url`` fixture in the tests)."""
    with OpaClient(opa_url) as client:
        yield Engine(client)
