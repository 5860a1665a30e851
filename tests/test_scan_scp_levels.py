"""Every level of an account's SCP path, as the scan reads it from an emulated organization.

Management account 123456789012 (moto's default); account ``deep`` sits five OUs down (the
deepest Organizations allows), account ``direct`` directly under the root. Each level of deep's
path denies a required action of its own, so a level skipped, merged with another or read with
the SCPs of another shows in the report; the deepest OU and ``direct`` itself have had
FullAWSAccess replaced by an allow-list. Both accounts have a role VeeamBackup with every
ec2_backup permission, and roles with the same whose paths only contain /aws-service-role/.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from moto_server import (
    APPLIANCE,
    Fault,
    FaultProxy,
    MotoServer,
    ScanRunner,
    allow_document,
    requirement_actions,
    trust_document,
)

from harness.aws.organizations import NOTE_NO_ORGANIZATION, NOTE_NOT_ENABLED

SCP = "SERVICE_CONTROL_POLICY"
FULL_ACCESS = "p-FullAWSAccess"
MOTO_MANAGED_POLICIES = False
# Roles whose path holds /aws-service-role/ without starting with it: not service-linked,
# so the SCPs apply to them. IAM paths may hold any character from ! to DEL, ":" too, so the
# second one's ARN holds ":role/aws-service-role/" after its own ":role/".
NESTED = {"NestedPath": "/team/aws-service-role/", "ColonPath": "/team:role/aws-service-role/"}
# What each level of deep's path denies, root first; the root's Deny is attached at L3 too.
DENIED = [
    "ec2:CreateSnapshot",
    "ec2:CopySnapshot",
    "ec2:DeleteSnapshot",
    "ec2:CreateTags",
    "ec2:DeleteTags",
    "ebs:ListChangedBlocks",
    "ebs:ListSnapshotBlocks",
]
# A root on which no policy type is enabled (an organization with consolidated billing only).
ROOT_WITHOUT_TYPES = {"Id": "r-none", "Name": "Root", "PolicyTypes": []}


@dataclass(frozen=True)
class Levels:
    deep: list[str]  # root, L1 ... L5, the account
    direct: list[str]  # root, the account


def _scp(orgs: Any, name: str, statement: dict[str, Any]) -> str:
    document = {"Version": "2012-10-17", "Statement": [{"Resource": "*", **statement}]}
    answer = orgs.create_policy(Name=name, Description=name, Type=SCP, Content=json.dumps(document))
    return str(answer["Policy"]["PolicySummary"]["Id"])


def _account(orgs: Any, name: str) -> str:
    answer = orgs.create_account(AccountName=name, Email=f"{name}@example.com")
    return str(answer["CreateAccountStatus"]["AccountId"])


def _backup_role(server: MotoServer, account: str) -> None:
    iam = server.client("iam", server.assume(account))
    full = iam.create_policy(
        PolicyName="VeeamEc2Backup", PolicyDocument=allow_document(requirement_actions())
    )["Policy"]["Arn"]
    for name, path in {"VeeamBackup": "/", **NESTED}.items():
        iam.create_role(
            RoleName=name, Path=path, AssumeRolePolicyDocument=trust_document(APPLIANCE)
        )
        iam.attach_role_policy(RoleName=name, PolicyArn=full)


@pytest.fixture(scope="module")
def levels(moto_server: MotoServer) -> Levels:
    orgs = moto_server.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    root = orgs.list_roots()["Roots"][0]["Id"]
    orgs.enable_policy_type(RootId=root, PolicyType=SCP)
    path = [root]
    for depth in range(1, 6):
        answer = orgs.create_organizational_unit(ParentId=path[-1], Name=f"L{depth}")
        path.append(answer["OrganizationalUnit"]["Id"])
    deep = _account(orgs, "deep")
    orgs.move_account(AccountId=deep, SourceParentId=root, DestinationParentId=path[-1])
    path.append(deep)
    direct = _account(orgs, "direct")
    for target, action in zip(path, DENIED, strict=True):
        deny = _scp(orgs, f"Deny-{action.replace(':', '-')}", {"Effect": "Deny", "Action": action})
        orgs.attach_policy(PolicyId=deny, TargetId=target)
        if target == root:
            orgs.attach_policy(PolicyId=deny, TargetId=path[3])
    ec2_only = _scp(orgs, "Ec2Only", {"Effect": "Allow", "Action": ["ec2:*", "ebs:*"]})
    orgs.attach_policy(PolicyId=ec2_only, TargetId=path[5])
    orgs.detach_policy(PolicyId=FULL_ACCESS, TargetId=path[5])
    no_sqs = _scp(orgs, "NoSqs", {"Effect": "Allow", "NotAction": "sqs:*"})
    orgs.attach_policy(PolicyId=no_sqs, TargetId=direct)
    orgs.detach_policy(PolicyId=FULL_ACCESS, TargetId=direct)
    for account in (deep, direct):
        _backup_role(moto_server, account)
    return Levels(path, [root, direct])


def test_every_level_of_the_path_is_read_on_its_own_in_order(
    levels: Levels, run_scan: ScanRunner, tmp_path: Path
) -> None:
    saved = tmp_path / "org.json"
    result = run_scan(
        "--organization", "--assume-role-name", "OrganizationAccountAccessRole",
        "--with-scps", "--role", "VeeamBackup", "--format", "json",
        "--save-snapshot", str(saved),
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    reports = result.reports()
    deep_account, direct_account = levels.deep[-1], levels.direct[-1]

    deep = reports[f"arn:aws:iam::{deep_account}:role/VeeamBackup"]["checks"]["ec2_backup"]
    assert deep["denied"] == sorted(DENIED)
    for target, action in zip(levels.deep, DENIED, strict=True):
        blocked_by = [f"scp:{target}"]
        if target == levels.deep[0]:
            blocked_by.append(f"scp:{levels.deep[3]}")
        assert deep["actions"][action]["decision"] == "explicit_deny"
        assert deep["actions"][action]["blocked_by"] == blocked_by, action
    # The deepest OU allows only ec2 and ebs: every other required action stops there.
    others = sorted(a for a in requirement_actions() if a.split(":")[0] not in ("ec2", "ebs"))
    assert deep["missing"] == others
    for action in others:
        assert deep["actions"][action]["blocked_by"] == [f"scp:{levels.deep[5]}"]

    direct = reports[f"arn:aws:iam::{direct_account}:role/VeeamBackup"]["checks"]["ec2_backup"]
    assert direct["denied"] == ["ec2:CreateSnapshot"]
    sqs = sorted(a for a in requirement_actions() if a.startswith("sqs:"))
    assert direct["missing"] == sqs
    for action in sqs:
        assert direct["actions"][action]["blocked_by"] == [f"scp:{direct_account}"]

    # Root first, account last, each level with the SCPs attached to it directly.
    accounts = json.loads(saved.read_text(encoding="utf-8"))["VbawsScan"]["accounts"]
    deep_levels = accounts[deep_account]["scps"]
    assert [level["target"] for level in deep_levels] == levels.deep
    names = [sorted(p["name"] for p in level["policies"]) for level in deep_levels]
    assert names[3] == sorted(["FullAWSAccess", "Deny-ec2-CreateSnapshot", "Deny-ec2-CreateTags"])
    assert names[5] == ["Deny-ebs-ListChangedBlocks", "Ec2Only"]
    direct_levels = accounts[direct_account]["scps"]
    assert [level["target"] for level in direct_levels] == levels.direct
    assert sorted(p["name"] for p in direct_levels[1]["policies"]) == ["NoSqs"]


@pytest.mark.parametrize("name", list(NESTED))
def test_a_path_that_only_contains_aws_service_role_keeps_its_scps(
    levels: Levels, run_scan: ScanRunner, name: str
) -> None:
    result = run_scan(
        "--organization", "--assume-role-name", "OrganizationAccountAccessRole",
        "--with-scps", "--role", name, "--format", "json",
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    direct_account = levels.direct[-1]
    report = result.reports()[f"arn:aws:iam::{direct_account}:role{NESTED[name]}{name}"]
    assert report["layers"]["scps"] is True and "scps_note" not in report
    assert report["checks"]["ec2_backup"]["denied"] == ["ec2:CreateSnapshot"]


@pytest.mark.parametrize(
    ("fault", "note"),
    [
        (
            Fault(
                "DescribeOrganization",
                code="AWSOrganizationsNotInUseException",
                message="Your account is not a member of an organization.",
            ),
            NOTE_NO_ORGANIZATION,
        ),
        (
            Fault("ListRoots", answer=json.dumps({"Roots": [ROOT_WITHOUT_TYPES]}).encode()),
            NOTE_NOT_ENABLED,
        ),
    ],
    ids=["not-in-an-organization", "scps-not-enabled"],
)
def test_no_scps_to_apply_is_said_and_the_layer_reported_not_evaluated(
    levels: Levels, moto_server: MotoServer, run_scan: ScanRunner, fault: Fault, note: str
) -> None:
    """Where AWS says no SCP applies, the role is evaluated without them, and its report says
    why and that the organization layer was not evaluated, never that it was."""
    deep_account = levels.deep[-1]
    with FaultProxy(moto_server.url, [fault]) as proxy:
        result = run_scan(
            "--with-scps", "--role", "VeeamBackup", "--format", "json",
            credentials=moto_server.assume(deep_account), endpoint=proxy.url,
        )  # fmt: skip
    assert fault.action in proxy.failed
    assert result.returncode == 0, result.stderr
    (report,) = result.json()["reports"]
    assert report["role_arn"] == f"arn:aws:iam::{deep_account}:role/VeeamBackup"
    assert report["scps_note"] == note
    assert report["layers"]["scps"] is False
    assert "VBAWS-SCPS-NOT-EVALUATED" in [f["id"] for f in report["findings"]]
    assert not any(call.startswith("organizations:ListParents") for call in result.calls)
