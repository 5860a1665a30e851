"""The real corpus: AWS managed policies through the engine and PMapper, alone and combined.

Every AWS managed policy moto ships (about 1,580), and the older snapshot in
``../shared/data/aws-managed-policies/`` when it is there (policies whose document moto already has
are not evaluated twice), is attached alone to a role; then seeded random combinations of 2 to 4.
The engine's decision for each required action is compared with PMapper's:

- ``agree``: the same decision;
- ``conditional``: the engine says ``conditional`` (a Condition on a key it cannot know, or a grant
  or deny on narrower resources than ``"*"``), where PMapper, which has no "unknown", says yes or
  no. Not a disagreement; counted by PMapper's verdict;
- ``conditional deny``: the engine says ``implicit_deny`` (no layer grants the action at all) and
  PMapper says ``explicit_deny`` only because it applied a Deny whose Condition is on a key the
  engine cannot know (PMapper takes a missing key as absent, so ``Null: true`` and negated
  operators hold). Both say "not allowed"; which kind of deny depends on the request. Checked by
  asking PMapper again with the conditional Denys removed: it must then say ``implicit_deny``;
- ``disagree``: anything else. Each one is a bug in the engine or a documented PMapper limitation
  (docs/testing.md); the test fails on any that is neither.

The counts are printed in pytest's terminal summary (section "engine vs oracle agreement").
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import strategies as S
from oracle.agreement_report import PROPERTY
from oracle.engine import Engine, action_entries, engine_at
from oracle.pmapper import PmapperOracle

RecordProperty = Callable[[str, object], None]

SHARED_POLICIES = S.REPO_ROOT.parent / "shared" / "data" / "aws-managed-policies"
BATCH = 40
COMBINATIONS = 250
SEED = 20250210


@pytest.fixture(scope="module")
def engine(opa_url: str) -> Iterator[Engine]:
    with engine_at(opa_url) as connected:
        yield connected


def moto_policies() -> dict[str, dict[str, Any]]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    data = json.loads(aws_managed_policies_data)
    return {name: spec["Document"] for name, spec in sorted(data.items())}


def shared_policies() -> dict[str, dict[str, Any]]:
    """The older snapshot (``GetPolicyVersion`` output per file), or nothing when absent."""
    if not SHARED_POLICIES.is_dir():
        return {}
    return {
        path.stem: json.loads(path.read_text())["PolicyVersion"]["Document"]
        for path in sorted(SHARED_POLICIES.glob("*.json"))
    }


def role_with(policies: list[tuple[str, dict[str, Any]]]) -> S.Snapshot:
    return {
        "role": {
            "arn": f"arn:aws:iam::{S.ACCOUNT}:role/CorpusRole",
            "name": "CorpusRole",
            "policies": [
                {"name": f"arn:aws:iam::aws:policy/{name}", "type": "managed", "document": doc}
                for name, doc in policies
            ],
        },
        "checks": list(S.CHECKS),
    }


class Tally:
    """Agreement counts of one corpus run, and the disagreements themselves."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.roles = 0
        self.counts: Counter[str] = Counter()
        self.disagreements: list[dict[str, Any]] = []

    def add(self, report: dict[str, Any], snapshot: S.Snapshot) -> None:
        self.roles += 1
        oracle = PmapperOracle(snapshot)
        for action, entry in action_entries(report).items():
            ours, theirs = entry["decision"], oracle.decision(action)
            if ours == theirs:
                self.counts["agree"] += 1
            elif ours == "conditional":
                self.counts[f"conditional (pmapper: {theirs})"] += 1
            elif (ours, theirs) == ("implicit_deny", "explicit_deny") and denied_only_conditionally(
                snapshot, action
            ):
                self.counts["conditional deny (pmapper applied it)"] += 1
            else:
                self.counts["disagree"] += 1
                self.disagreements.append(
                    {
                        "policies": [p["name"] for p in snapshot["role"]["policies"]],
                        "action": action,
                        "engine": ours,
                        "pmapper": theirs,
                    }
                )

    def line(self) -> str:
        total = sum(self.counts.values())
        parts = ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))
        return f"{self.label}: {self.roles} roles, {total} action decisions: {parts}"


def denied_only_conditionally(snapshot: S.Snapshot, action: str) -> bool:
    """PMapper denies ``action`` only through Denys that have a Condition."""
    return PmapperOracle(S.without_conditional_denies(snapshot)).decision(action) == "implicit_deny"


def run(engine: Engine, label: str, roles: list[S.Snapshot]) -> Tally:
    tally = Tally(label)
    for start in range(0, len(roles), BATCH):
        batch = roles[start : start + BATCH]
        for report, snapshot in zip(engine.reports(batch), batch, strict=True):
            tally.add(report, snapshot)
    return tally


def check(tally: Tally, record_property: RecordProperty) -> None:
    # Printed in the terminal summary by oracle/agreement_report.py (xdist workers included).
    record_property(PROPERTY, tally.line())
    assert tally.disagreements == []
    # A run that compared nothing proves nothing.
    assert tally.counts["agree"] > 0


def combinations(policies: dict[str, dict[str, Any]], count: int) -> list[S.Snapshot]:
    rng = random.Random(SEED)
    names = sorted(policies)
    return [
        role_with([(name, policies[name]) for name in rng.sample(names, rng.randint(2, 4))])
        for _ in range(count)
    ]


def test_moto_policies_alone(engine: Engine, record_property: RecordProperty) -> None:
    policies = moto_policies()
    assert len(policies) > 1000, "moto's managed policy data is missing"
    roles = [role_with([(name, doc)]) for name, doc in policies.items()]
    check(run(engine, "moto, alone", roles), record_property)


def test_moto_policies_combined(engine: Engine, record_property: RecordProperty) -> None:
    check(
        run(engine, "moto, 2-4 combined", combinations(moto_policies(), COMBINATIONS)),
        record_property,
    )


def test_shared_snapshot_policies(engine: Engine, record_property: RecordProperty) -> None:
    shared = shared_policies()
    if not shared:
        pytest.skip(f"{SHARED_POLICIES} is absent (it is only on the project's machines)")
    moto = moto_policies()
    new = {name: doc for name, doc in shared.items() if moto.get(name) != doc}
    roles = [role_with([(name, doc)]) for name, doc in new.items()]
    roles += combinations(shared, COMBINATIONS // 2)
    label = (
        f"shared snapshot ({len(shared) - len(new)} identical to moto's skipped), alone + combined"
    )
    check(run(engine, label, roles), record_property)
