"""Named regression examples for engine bugs found by the property and differential tests.

Each test is the minimal role that showed the bug, with the decision AWS documents. A bug not yet
fixed in rego/ is marked ``xfail(strict=True)``: the test then fails as soon as the fix lands, so
that the marker is removed and the example stays as a regression test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from oracle.engine import Engine, action_entries, engine_at
from strategies import inline_role

ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def engine(opa_url: str) -> Iterator[Engine]:
    with engine_at(opa_url) as connected:
        yield connected


def allow_if(condition: dict[str, Any], name: str = "R") -> dict[str, Any]:
    return inline_role(
        {"Effect": "Allow", "Action": "ec2:DescribeVpcs", "Resource": "*", "Condition": condition},
        name=name,
    )


@pytest.mark.parametrize("operator", ["ArnLike", "ArnEquals"])
def test_arn_condition_wildcard_does_not_cross_components(engine: Engine, operator: str) -> None:
    """Found with iam-simulate (PMapper globs the whole string too), fixed in conditions.rego.
    ``arn:*:role/R`` has three components, the role ARN six: iam-simulate finds no match, while
    IAM-SEMANTICS.md lets a trailing ``*`` run across colons. Neither answer is taken: the Allow
    does not grant, and a Deny written so is not dropped either."""
    snapshot = allow_if({operator: {"aws:PrincipalArn": "arn:*:role/R"}})
    assert action_entries(engine.report(snapshot))["ec2:DescribeVpcs"]["decision"] == "conditional"
    deny = inline_role(
        {"Effect": "Allow", "Action": "ec2:DescribeVpcs", "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": "ec2:DescribeVpcs",
            "Resource": "*",
            "Condition": {operator: {"aws:PrincipalArn": "arn:*:role/R"}},
        },
    )
    assert action_entries(engine.report(deny))["ec2:DescribeVpcs"]["decision"] == "conditional"


@pytest.mark.parametrize(
    "pattern",
    [f"arn:aws:iam::{ACCOUNT}:role/R", "arn:aws:iam::*:role/R", f"arn:aws:iam::{ACCOUNT}:role/*"],
)
def test_arn_condition_wildcards_within_components_match(engine: Engine, pattern: str) -> None:
    """The other side of the bug above: wildcards inside one component still match."""
    snapshot = allow_if({"ArnLike": {"aws:PrincipalArn": pattern}})
    assert action_entries(engine.report(snapshot))["ec2:DescribeVpcs"]["decision"] == "allowed"
