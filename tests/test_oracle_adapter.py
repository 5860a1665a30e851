"""The PMapper oracle adapter on hand-checked cases (IAM-SEMANTICS.md section 7, AWS docs).

The expected decisions come from the AWS documentation, not from running PMapper: these tests show
that the oracle, as wrapped here, is trustworthy on the subset the differential tests compare.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest
from oracle.pmapper import PmapperOracle, oracle_decisions

ROLE_ARN = "arn:aws:iam::123456789012:role/VeeamBackup"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def snapshot(
    *documents: Any, boundary: Any = None, scps: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    role: dict[str, Any] = {
        "arn": ROLE_ARN,
        "name": "VeeamBackup",
        "policies": [
            {"name": f"p{i}", "type": "inline", "document": d} for i, d in enumerate(documents)
        ],
    }
    if boundary is not None:
        role["permissions_boundary"] = {
            "arn": "arn:aws:iam::123456789012:policy/B",
            "document": boundary,
        }
    snap: dict[str, Any] = {"role": role}
    if scps is not None:
        snap["scps"] = scps
    return snap


def decide(snap: dict[str, Any], *actions: str) -> dict[str, str]:
    return oracle_decisions(snap, actions)


def test_allow_notaction_grants_everything_else() -> None:
    snap = snapshot(doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))
    assert decide(snap, "ec2:RunInstances", "iam:GetRole") == {
        "ec2:RunInstances": "allowed",
        "iam:GetRole": "implicit_deny",
    }


def test_deny_notaction_denies_everything_else() -> None:
    snap = snapshot(
        doc(allow("*"), {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*"})
    )
    assert decide(snap, "ec2:CreateSnapshot", "iam:GetRole") == {
        "ec2:CreateSnapshot": "explicit_deny",
        "iam:GetRole": "allowed",
    }


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("IAM:getROLE", "iam:GetRole", "allowed"),
        ("ec2:DescribeInstance*", "ec2:DescribeImages", "implicit_deny"),
        ("ec2:Describe*", "ec2:DescribeImages", "allowed"),
        ("ec2:*Snapshot*", "ec2:CreateSnapshots", "allowed"),
        ("ec2:*Snapshot*", "ec2:CopySnapshot", "allowed"),
        ("ec2:*Snapshot*", "ec2:DescribeVolumes", "implicit_deny"),
        ("ec2:Describe?olumes", "ec2:DescribeVolumes", "allowed"),
        ("ec2:Describe?Volumes", "ec2:DescribeVolumes", "implicit_deny"),
        ("s3:*", "s3-object-lambda:GetObject", "implicit_deny"),
        ("ec2:*", "ebs:ListSnapshotBlocks", "implicit_deny"),
        ("*", "sqs:SendMessage", "allowed"),
    ],
)
def test_action_globs(pattern: str, action: str, expected: str) -> None:
    assert decide(snapshot(doc(allow(pattern))), action) == {action: expected}


@pytest.mark.parametrize(
    ("resource_element", "expected"),
    [
        ({"Resource": "arn:aws:ec2:*:*:*"}, "implicit_deny"),
        ({"Resource": ["arn:aws:ec2:*:*:volume/*", "*"]}, "allowed"),
        ({"NotResource": "arn:aws:s3:::x"}, "allowed"),
        ({"NotResource": "*"}, "implicit_deny"),
    ],
)
def test_request_resource_is_literal_star(resource_element: dict[str, Any], expected: str) -> None:
    snap = snapshot(doc({"Effect": "Allow", "Action": "ec2:DescribeInstances", **resource_element}))
    assert decide(snap, "ec2:DescribeInstances") == {"ec2:DescribeInstances": expected}


def test_deny_on_a_specific_arn_does_not_deny_star() -> None:
    snap = snapshot(doc(allow("ec2:*"), deny("ec2:DeleteSnapshot", "arn:aws:ec2:*:*:snapshot/x")))
    assert decide(snap, "ec2:DeleteSnapshot") == {"ec2:DeleteSnapshot": "allowed"}


def test_boundary_intersects_and_its_deny_is_explicit() -> None:
    snap = snapshot(
        doc(allow("*")),
        boundary=doc(allow(["ec2:*", "kms:*"]), deny("kms:CreateGrant")),
    )
    oracle = PmapperOracle(snap)
    assert oracle.decisions(["ec2:CreateTags", "kms:CreateGrant", "iam:GetRole"]) == {
        "ec2:CreateTags": "allowed",
        "kms:CreateGrant": "explicit_deny",
        "iam:GetRole": "implicit_deny",
    }
    assert oracle.blocked_by("iam:GetRole") == ["boundary"]


def test_boundary_with_only_denies_blocks_everything() -> None:
    snap = snapshot(doc(allow("*")), boundary=doc(deny("s3:*")))
    oracle = PmapperOracle(snap)
    assert oracle.decision("ec2:CreateSnapshot") == "implicit_deny"
    assert oracle.blocked_by("ec2:CreateSnapshot") == ["boundary"]


def test_every_scp_level_must_allow() -> None:
    full = {"name": "FullAWSAccess", "document": doc(allow("*"))}
    scps = [
        {"target": "r-ab12", "policies": [full]},
        {
            "target": "ou-ab12-11111111",
            "policies": [{"name": "S3Only", "document": doc(allow("s3:*"))}],
        },
        {"target": "123456789012", "policies": [full]},
    ]
    oracle = PmapperOracle(snapshot(doc(allow("*")), scps=scps))
    assert oracle.decisions(["s3:GetObject", "ec2:CreateSnapshot"]) == {
        "s3:GetObject": "allowed",
        "ec2:CreateSnapshot": "implicit_deny",
    }
    assert oracle.blocked_by("ec2:CreateSnapshot") == ["scp:ou-ab12-11111111"]


def test_scp_deny_is_explicit_and_missing_identity_allow_is_named() -> None:
    scps = [
        {
            "target": "123456789012",
            "policies": [
                {"name": "Guard", "document": doc(allow("*"), deny("ec2:DeleteSnapshot"))}
            ],
        }
    ]
    oracle = PmapperOracle(snapshot(doc(allow("ec2:Describe*")), scps=scps))
    assert oracle.decisions(["ec2:DeleteSnapshot", "ec2:DescribeVpcs", "ec2:CreateTags"]) == {
        "ec2:DeleteSnapshot": "explicit_deny",
        "ec2:DescribeVpcs": "allowed",
        "ec2:CreateTags": "implicit_deny",
    }
    assert oracle.blocked_by("ec2:CreateTags") == ["identity"]


def test_documents_as_json_and_url_encoded_strings() -> None:
    document = doc(allow("ec2:CreateTags"))
    as_json = json.dumps(document)
    snap = snapshot(as_json, urllib.parse.quote(as_json))
    assert decide(snap, "ec2:CreateTags") == {"ec2:CreateTags": "allowed"}


def test_single_statement_object_and_empty_statement_list() -> None:
    single = {"Version": "2012-10-17", "Statement": allow("ec2:CreateTags")}
    assert decide(snapshot(single), "ec2:CreateTags") == {"ec2:CreateTags": "allowed"}
    assert decide(snapshot(doc()), "ec2:CreateTags") == {"ec2:CreateTags": "implicit_deny"}
