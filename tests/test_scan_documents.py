"""Policy documents as IAM and Organizations return them: text that names a key twice.

``json.loads`` keeps the last of two values of a key, so a second ``Action`` would silently
replace the first. moto stores documents as given, so such documents can be created here; the
scan must hand them to the engine as text, which reports them (an ``error`` finding).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from moto_server import (
    APPLIANCE,
    DEFAULT_ACCOUNT,
    MotoServer,
    ScanRunner,
    allow_document,
    requirement_actions,
    role_arn,
    scan_env,
    trust_document,
)

MOTO_MANAGED_POLICIES = False

# The Deny's first Action is replaced by the second when the text is read as JSON: the Deny
# would then deny nothing the role needs.
DENY_TWICE = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "ec2:CreateSnapshot", '
    '"Resource": "*", "Action": "ec2:DescribeNothing"}]}'
)
# The appliance named second replaces another account's principal.
TRUST_TWICE = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": '
    '"arn:aws:iam::222222222222:role/Other"}, "Action": "sts:AssumeRole", '
    f'"Principal": {{"AWS": "{APPLIANCE}"}}}}]}}'
)


@dataclass(frozen=True)
class Setup:
    member: str


@pytest.fixture(scope="module")
def setup(moto_server: MotoServer) -> Setup:
    iam = moto_server.client("iam")
    _role(iam, "Clean")
    _role(iam, "InlineTwice").put_role_policy(
        RoleName="InlineTwice", PolicyName="guard", PolicyDocument=DENY_TWICE
    )
    managed = iam.create_policy(PolicyName="GuardTwice", PolicyDocument=DENY_TWICE)
    _role(iam, "ManagedTwice").attach_role_policy(
        RoleName="ManagedTwice", PolicyArn=managed["Policy"]["Arn"]
    )
    _role(iam, "TrustTwice", trust=TRUST_TWICE)

    orgs = moto_server.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    root = orgs.list_roots()["Roots"][0]["Id"]
    orgs.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    member = orgs.create_account(AccountName="member", Email="member@example.com")
    member_id = member["CreateAccountStatus"]["AccountId"]
    scp = orgs.create_policy(
        Name="GuardTwice", Description="d", Type="SERVICE_CONTROL_POLICY", Content=DENY_TWICE
    )
    orgs.attach_policy(PolicyId=scp["Policy"]["PolicySummary"]["Id"], TargetId=member_id)
    _role(moto_server.client("iam", moto_server.assume(member_id)), "ScpTwice")
    return Setup(member_id)


def _role(iam: Any, name: str, trust: str | None = None) -> Any:
    """A role with every ec2_backup permission, trusting the appliance unless told otherwise."""
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust or trust_document(APPLIANCE))
    iam.put_role_policy(
        RoleName=name, PolicyName="all", PolicyDocument=allow_document(requirement_actions())
    )
    return iam


def error_findings(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["id"], f["message"]) for f in report["findings"] if f["severity"] == "error"]


SCAN = ["--format", "json", "--appliance", APPLIANCE]
ROLES = [
    "--role",
    "Clean",
    "--role",
    "InlineTwice",
    "--role",
    "ManagedTwice",
    "--role",
    "TrustTwice",
]


@pytest.mark.parametrize("collection", ["bulk", "per-role"])
def test_documents_naming_a_key_twice_are_reported_not_read_as_their_last_value(
    setup: Setup, run_scan: ScanRunner, tmp_path: Path, collection: str
) -> None:
    saved = tmp_path / "saved.json"
    result = run_scan(*SCAN, *ROLES, "--collection", collection, "--save-snapshot", str(saved))
    assert result.returncode == 1, result.stderr
    reports = result.reports()
    assert reports[role_arn("Clean")]["compliant"] is True
    for name in ("InlineTwice", "ManagedTwice", "TrustTwice"):
        report = reports[role_arn(name)]
        assert report["evaluated"] is not False and report["compliant"] is False, name
    twice = 'document is JSON text that names "Action" twice in one object'
    assert any(
        finding[0] == "VBAWS-INVALID-POLICY" and twice in finding[1]
        for finding in error_findings(reports[role_arn("InlineTwice")])
    )
    assert any(
        finding[0] == "VBAWS-INVALID-POLICY" and twice in finding[1]
        for finding in error_findings(reports[role_arn("ManagedTwice")])
    )
    assert any(
        finding[0] == "VBAWS-INVALID-TRUST-POLICY" and '"Principal" twice' in finding[1]
        for finding in error_findings(reports[role_arn("TrustTwice")])
    )
    # The saved scan keeps the text, and gives the same reports offline.
    offline = run_scan("--from-file", str(saved), "--all-roles", *SCAN, endpoint=False)
    assert offline.returncode == 1, offline.stderr
    assert offline.reports() == reports


def test_scp_naming_a_key_twice_is_reported(setup: Setup, run_scan: ScanRunner) -> None:
    result = run_scan(
        "--organization",
        "--assume-role-name",
        "OrganizationAccountAccessRole",
        "--with-scps",
        "--role",
        "ScpTwice",
        *SCAN,
    )
    assert result.returncode == 1, result.stderr
    report = result.reports()[role_arn("ScpTwice", setup.member)]
    assert report["compliant"] is False and report["layers"]["scps"] is True
    assert any(
        finding[0] == "VBAWS-INVALID-POLICY" and '"Action" twice' in finding[1]
        for finding in error_findings(report)
    ), report["findings"]


def test_export_refuses_a_managed_policy_naming_a_key_twice(
    setup: Setup, moto_server: MotoServer, run_harness: Any
) -> None:
    """The conftest data holds documents as objects: the policy is named, never exported as
    its last value."""
    result = run_harness(
        "export-managed-policies",
        "--scope",
        "local",
        "--endpoint-url",
        moto_server.url,
        env=scan_env(moto_server),
    )
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr == (
        f"error: the account: policy arn:aws:iam::{DEFAULT_ACCOUNT}:policy/GuardTwice: "
        'Statement[0]: the key "Action" appears more than once, and which value counts is '
        "ambiguous\n"
    )
