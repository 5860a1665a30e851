"""Differential tests against a second oracle: @cloud-copilot/iam-simulate (node).

iam-simulate reads a wildcard request resource existentially for actions that take resources
(IAM-SEMANTICS.md section 8: "is the action allowed on at least one resource"), so it is compared
only where that reading and the engine's literal one coincide: statements with Resource "*".
There, with no Conditions or with Conditions over keys known for the role, every decision must be
the same. Skipped when node or the npm package is not installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import strategies as S
from hypothesis import given, settings
from oracle.engine import Engine, engine_at
from oracle.engine import decisions as engine_decisions
from oracle.iam_simulate import IamSimulate, unavailable_reason

pytestmark = pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))

# iam-simulate runs one simulation per action (about 2 ms each): fewer examples than PMapper's.
FEWER = settings(max_examples=max(10, settings.default.max_examples // 2))


@pytest.fixture(scope="module")
def engine(opa_url: str) -> Iterator[Engine]:
    with engine_at(opa_url) as connected:
        yield connected


@pytest.fixture(scope="module")
def simulator() -> Iterator[IamSimulate]:
    with IamSimulate() as running:
        yield running


def differences(engine: Engine, simulator: IamSimulate, snapshot: S.Snapshot) -> dict[str, Any]:
    ours = engine_decisions(engine.report(snapshot))
    theirs = simulator.decisions(snapshot, ours)
    return {a: {"engine": d, "iam-simulate": theirs[a]} for a, d in ours.items() if theirs[a] != d}


@FEWER
@given(snapshot=S.exact_snapshots())
def test_engine_agrees_with_iam_simulate_on_the_exact_subset(
    engine: Engine, simulator: IamSimulate, snapshot: S.Snapshot
) -> None:
    assert differences(engine, simulator, snapshot) == {}


@FEWER
@given(snapshot=S.known_condition_snapshots())
def test_engine_agrees_with_iam_simulate_on_conditions_over_known_keys(
    engine: Engine, simulator: IamSimulate, snapshot: S.Snapshot
) -> None:
    assert differences(engine, simulator, snapshot) == {}


def test_iam_simulate_reads_narrow_resources_existentially(
    engine: Engine, simulator: IamSimulate
) -> None:
    """The documented difference (IAM-SEMANTICS.md 7.9): an Allow on ``arn:aws:ec2:*:*:*`` grants
    ``ec2:CreateSnapshot`` on some resources, not on every one. iam-simulate says allowed."""
    snapshot = {
        "role": {
            "arn": f"arn:aws:iam::{S.ACCOUNT}:role/R",
            "policies": [
                {
                    "name": "p",
                    "type": "inline",
                    "document": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "ec2:CreateSnapshot",
                                "Resource": "arn:aws:ec2:*:*:*",
                            }
                        ],
                    },
                }
            ],
        }
    }
    ours = engine_decisions(engine.report(snapshot))["ec2:CreateSnapshot"]
    assert (ours, simulator.decisions(snapshot, ["ec2:CreateSnapshot"])["ec2:CreateSnapshot"]) == (
        "conditional",
        "allowed",
    )
