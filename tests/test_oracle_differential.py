"""Differential tests: our engine against PMapper's local policy simulation, on generated roles.

On the condition-free, Resource-"*" subset the two must agree exactly, action by action, on
allowed / explicit_deny / implicit_deny, and on which layers block a denied action. Outside it the
engine may say ``conditional`` where PMapper (which has no "unknown") says yes or no; the tests
check that the engine never claims more than PMapper grants. docs/testing.md explains the mapping.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import strategies as S
from hypothesis import example, given
from oracle.engine import Engine, action_entries, engine_at
from oracle.pmapper import PmapperOracle


@pytest.fixture(scope="module")
def engine(opa_url: str) -> Iterator[Engine]:
    with engine_at(opa_url) as connected:
        yield connected


def compare_exact(report: dict[str, Any], snapshot: S.Snapshot) -> dict[str, Any]:
    """Per-action differences between the engine's report and PMapper (empty when they agree)."""
    oracle = PmapperOracle(snapshot)
    diffs: dict[str, Any] = {}
    for action, entry in action_entries(report).items():
        expected = oracle.decision(action)
        if entry["decision"] != expected:
            diffs[action] = {"engine": entry["decision"], "pmapper": expected}
        elif expected != "allowed":
            # The layers that block it: those without an Allow, or those with a matching Deny.
            layers = sorted(
                oracle.blocked_by(action)
                if expected == "implicit_deny"
                else oracle.deny_layers(action)
            )
            if sorted(entry.get("blocked_by", [])) != layers:
                diffs[action] = {"engine": entry.get("blocked_by"), "pmapper": layers}
    return diffs


def _allow(action: Any, key: str = "Action") -> dict[str, Any]:
    return {"Effect": "Allow", key: action, "Resource": "*"}


def _deny(action: Any, key: str = "Action") -> dict[str, Any]:
    return {"Effect": "Deny", key: action, "Resource": "*"}


# The tricky cases of IAM-SEMANTICS.md section 7 that fall in the exact subset, always run.
@example(snapshot=S.snapshot_of(_allow("iam:*", "NotAction")))  # 7.1
@example(snapshot=S.snapshot_of(_allow("*"), _deny(["iam:*", "sts:*"], "NotAction")))  # 7.2
@example(snapshot=S.snapshot_of(_allow(["EC2:describeINSTANCE*", "ec2:*Snapshot*"])))  # 7.3-7.5
@example(snapshot=S.snapshot_of(_allow(["ec2:Describe?olumes", "ec2:Describe?Volumes"])))  # 7.6
@example(snapshot=S.snapshot_of(_allow("s3:*"), _allow("ec2:*")))  # s3:* is not s3-object-lambda
@example(snapshot=S.snapshot_of(_allow("*"), boundary=[_deny("ec2:*")]))  # 7.21
@example(snapshot=S.snapshot_of(_allow("*"), boundary=[]))  # 7.21, empty boundary
@example(  # 7.22: every SCP level must allow
    snapshot=S.snapshot_of(
        _allow("*"),
        scps=[("r-ab12", [_allow("*")]), ("ou-ab12-11111111", [_allow("ec2:*")]), (S.ACCOUNT, [])],
    )
)
@given(snapshot=S.exact_snapshots())
def test_engine_agrees_with_pmapper_on_the_exact_subset(
    engine: Engine, snapshot: S.Snapshot
) -> None:
    assert compare_exact(engine.report(snapshot), snapshot) == {}


def compare_sound(report: dict[str, Any], snapshot: S.Snapshot) -> dict[str, Any]:
    """Differences that no reading of IAM excuses, with Conditions and narrower resources allowed.

    - The engine's ``conditional`` is compatible with any PMapper verdict but an explicit deny
      the engine did not see: PMapper evaluates Conditions with a guessed context, and grants
      or denies on narrow resources do not cover ``"*"``.
    - Otherwise the decisions must be equal.
    """
    oracle = PmapperOracle(snapshot)
    diffs: dict[str, Any] = {}
    for action, entry in action_entries(report).items():
        decision = entry["decision"]
        expected = oracle.decision(action)
        if decision == "conditional" or decision == expected:
            continue
        diffs[action] = {"engine": decision, "pmapper": expected}
    return diffs


@given(snapshot=S.role_snapshot(conditions=False))
def test_engine_never_decides_against_pmapper_without_conditions(
    engine: Engine, snapshot: S.Snapshot
) -> None:
    """Narrow resources and NotResource included: only ``conditional`` may differ."""
    assert compare_sound(engine.report(snapshot), snapshot) == {}


@given(snapshot=S.known_condition_snapshots())
def test_engine_agrees_with_pmapper_on_conditions_over_known_keys(
    engine: Engine, snapshot: S.Snapshot
) -> None:
    """aws:PrincipalArn, aws:PrincipalAccount and aws:PrincipalTag/* (role tags given) are known
    to both; the engine decides them (never ``conditional``) and must agree with PMapper."""
    assert compare_exact(engine.report(snapshot), snapshot) == {}
