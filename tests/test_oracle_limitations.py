"""Where PMapper and the engine part ways on purpose: PMapper's known limitations, pinned.

Each test is a minimal role on which PMapper's answer differs from AWS's documented behaviour; it
asserts both the engine's (correct) decision and PMapper's (wrong) one, so that a change on either
side is noticed. The differential tests keep these shapes out of their exact comparisons; see
docs/testing.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from oracle.engine import Engine, action_entries, engine_at
from oracle.pmapper import PmapperOracle
from strategies import inline_role as role

ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def engine(opa_url: str) -> Iterator[Engine]:
    with engine_at(opa_url) as connected:
        yield connected


ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}


def both(engine: Engine, snapshot: dict[str, Any], action: str) -> tuple[str, str]:
    ours = action_entries(engine.report(snapshot))[action]["decision"]
    return ours, PmapperOracle(snapshot).decision(action)


def test_missing_condition_keys_are_absent_to_pmapper(engine: Engine) -> None:
    """PMapper has no "unknown": a key it does not infer is absent, so ``Null: true`` holds and a
    Deny on it applies. The engine cannot know ``kms:ViaService``; with no Allow at all the action
    is an implicit deny either way. Seen in AWSCompromisedKeyQuarantineV3."""
    snapshot = role(
        {
            "Effect": "Deny",
            "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": {"Null": {"kms:ViaService": "true"}},
        }
    )
    assert both(engine, snapshot, "kms:CreateGrant") == ("implicit_deny", "explicit_deny")


def test_pmapper_string_not_like_on_a_missing_key(engine: Engine) -> None:
    """IAM-SEMANTICS.md 7.14: a negated operator on a missing key is TRUE, so this Deny applies.
    PMapper returns False for ``StringNotLike`` on a missing key. The role's tags are given and
    have no ``team``, so the engine knows the key is absent."""
    snapshot = role(
        ALLOW_ALL,
        {
            "Effect": "Deny",
            "Action": "ec2:DeleteSnapshot",
            "Resource": "*",
            "Condition": {"StringNotLike": {"aws:PrincipalTag/team": "backup*"}},
        },
        tags={"env": "prod"},
    )
    assert both(engine, snapshot, "ec2:DeleteSnapshot") == ("explicit_deny", "allowed")


def test_pmapper_matches_arns_ignoring_case(engine: Engine) -> None:
    """ARN matching is case-sensitive (IAM-SEMANTICS.md s.1, 7.26); PMapper's regex uses
    IGNORECASE, so a lower-cased role name still matches for it."""
    snapshot = role(
        {
            **ALLOW_ALL,
            "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/veeam*"}},
        }
    )
    assert both(engine, snapshot, "ec2:CreateSnapshot") == ("implicit_deny", "allowed")


def test_pmapper_exempts_service_linked_roles_by_name(engine: Engine) -> None:
    """PMapper skips SCPs for any role whose name starts with ``AWSServiceRoleFor``. The engine
    evaluates SCPs whenever the snapshot has them: leaving them out for service-linked roles
    (path /aws-service-role/) is the harness's job (IAM-SEMANTICS.md decision 4)."""
    snapshot = role(ALLOW_ALL, name="AWSServiceRoleForVeeam")
    snapshot["scps"] = [
        {
            "target": ACCOUNT,
            "policies": [
                {
                    "name": "DenyEc2",
                    "document": {
                        "Version": "2012-10-17",
                        "Statement": [
                            ALLOW_ALL,
                            {"Effect": "Deny", "Action": "ec2:*", "Resource": "*"},
                        ],
                    },
                }
            ],
        }
    ]
    assert both(engine, snapshot, "ec2:CreateSnapshot") == ("explicit_deny", "allowed")


@pytest.mark.parametrize(
    "bad_statement",
    [
        pytest.param({"Effect": "Allow", "Action": "*"}, id="no-resource"),
        pytest.param({"Effect": "allow", "Action": "*", "Resource": "*"}, id="lowercase-effect"),
    ],
)
def test_invalid_statements_are_findings_not_grants(
    engine: Engine, bad_statement: dict[str, Any]
) -> None:
    """IAM-SEMANTICS.md 7.17-7.18: IAM rejects these documents. PMapper treats a missing Resource
    as "*" (and grants) and silently skips a lower-case Effect; the engine reports the statement
    as an error and never calls the role compliant."""
    snapshot = role(bad_statement)
    report = engine.report(snapshot)
    assert action_entries(report)["ec2:CreateSnapshot"]["decision"] == "implicit_deny"
    assert report["compliant"] is False
    assert any(
        f["severity"] == "error" and "statement 1" in f["message"] for f in report["findings"]
    )
    expected = "allowed" if "Resource" not in bad_statement else "implicit_deny"
    assert PmapperOracle(snapshot).decision("ec2:CreateSnapshot") == expected
