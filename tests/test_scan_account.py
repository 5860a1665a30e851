"""``scan`` against one emulated account: collection, selection, reports and exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from moto_server import (
    APPLIANCE,
    DEFAULT_ACCOUNT,
    Fault,
    FaultProxy,
    MotoServer,
    ScanRunner,
    allow_document,
    requirement_actions,
    role_arn,
    trust_document,
)

from harness.formats import not_evaluated
from harness.opa import OpaClient

READ_ONLY_ACCESS = "arn:aws:iam::aws:policy/ReadOnlyAccess"


@pytest.fixture(scope="module")
def account(moto_server: MotoServer) -> MotoServer:
    """Five roles covering inline, local managed, AWS managed policies, a boundary and tags."""
    iam = moto_server.client("iam")
    actions = requirement_actions("ec2_backup")
    full = iam.create_policy(PolicyName="VeeamEc2Backup", PolicyDocument=allow_document(actions))
    full_arn = full["Policy"]["Arn"]
    boundary = iam.create_policy(
        PolicyName="DenyKmsGrant",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "*", "Resource": "*"},
                    {
                        "Sid": "DenyKmsGrant",
                        "Effect": "Deny",
                        "Action": "kms:CreateGrant",
                        "Resource": "*",
                    },
                ],
            }
        ),
    )["Policy"]["Arn"]
    team = [{"Key": "team", "Value": "backup"}]

    iam.create_role(
        RoleName="VeeamCompliant", AssumeRolePolicyDocument=trust_document(APPLIANCE), Tags=team
    )
    iam.attach_role_policy(RoleName="VeeamCompliant", PolicyArn=full_arn)

    iam.create_role(
        RoleName="VeeamMissingOne", AssumeRolePolicyDocument=trust_document(APPLIANCE), Tags=team
    )
    iam.put_role_policy(
        RoleName="VeeamMissingOne",
        PolicyName="almost",
        PolicyDocument=allow_document([a for a in actions if a != "ebs:ListChangedBlocks"]),
    )

    iam.create_role(
        RoleName="VeeamBoundary",
        # Names the appliance's account: delegation to every principal of it.
        AssumeRolePolicyDocument=trust_document("111111111111"),
        Tags=[*team, {"Key": "env", "Value": "prod"}],
        PermissionsBoundary=boundary,
    )
    iam.attach_role_policy(RoleName="VeeamBoundary", PolicyArn=full_arn)

    iam.create_role(
        RoleName="VeeamReadOnly", AssumeRolePolicyDocument=trust_document("222222222222")
    )
    iam.attach_role_policy(RoleName="VeeamReadOnly", PolicyArn=READ_ONLY_ACCESS)

    iam.create_role(
        RoleName="Unrelated",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )
    return moto_server


# Reports come sorted by role ARN, whichever API listed the roles.
ALL = ["Unrelated", "VeeamBoundary", "VeeamCompliant", "VeeamMissingOne", "VeeamReadOnly"]


def decisions(report: dict[str, Any], check: str = "ec2_backup") -> dict[str, str]:
    return {a: v["decision"] for a, v in report["checks"][check]["actions"].items()}


def test_no_selection_explains_the_choices_and_makes_no_call(
    account: MotoServer, run_scan: ScanRunner
) -> None:
    result = run_scan("--format", "json")
    assert result.returncode == 2
    for flag in ("--role", "--tag", "--trusted-by", "--all-roles"):
        assert flag in result.stderr
    assert result.stdout == ""
    assert result.calls == []


def test_all_roles_bulk_report_field_by_field(account: MotoServer, run_scan: ScanRunner) -> None:
    result = run_scan("--all-roles", "--format", "json")
    assert result.returncode == 1, result.stderr
    document = result.json()
    assert [r["role_arn"] for r in document["reports"]] == [role_arn(n) for n in ALL]
    assert document["summary"] == {
        "roles": 5,
        "compliant": 1,
        "not_compliant": 4,
        "not_evaluated": 0,
    }
    reports = result.reports()
    required = requirement_actions("ec2_backup")

    good = reports[role_arn("VeeamCompliant")]
    assert good["compliant"] is True
    assert decisions(good) == {a: "allowed" for a in required}
    assert good["checks"]["ec2_backup"]["missing"] == []
    assert good["layers"] == {"identity": True, "boundary": False, "scps": False}
    assert good["trust"]["checked"] is False

    missing = reports[role_arn("VeeamMissingOne")]
    assert missing["compliant"] is False
    assert missing["checks"]["ec2_backup"]["missing"] == ["ebs:ListChangedBlocks"]
    assert missing["checks"]["ec2_backup"]["actions"]["ebs:ListChangedBlocks"] == {
        "decision": "implicit_deny",
        "blocked_by": ["identity"],
    }
    assert {a for a, d in decisions(missing).items() if d == "allowed"} == set(required) - {
        "ebs:ListChangedBlocks"
    }

    bounded = reports[role_arn("VeeamBoundary")]
    assert bounded["layers"]["boundary"] is True
    assert bounded["checks"]["ec2_backup"]["denied"] == ["kms:CreateGrant"]
    grant = bounded["checks"]["ec2_backup"]["actions"]["kms:CreateGrant"]
    assert grant["decision"] == "explicit_deny"
    assert grant["blocked_by"] == ["boundary"]
    assert grant["statement"] == "DenyKmsGrant"

    # The AWS managed policy was fetched: ReadOnlyAccess grants ec2:Describe* but no writes.
    read_only = decisions(reports[role_arn("VeeamReadOnly")])
    assert read_only["ec2:DescribeInstances"] == "allowed"
    assert read_only["ec2:CreateSnapshot"] == "implicit_deny"

    assert decisions(reports[role_arn("Unrelated")]) == {a: "implicit_deny" for a in required}

    # One bulk call; the AWS managed policy fetched once; no per-role calls.
    assert result.calls.count("iam:GetAccountAuthorizationDetails") == 1
    assert result.calls.count("iam:GetPolicy") == 1
    assert result.calls.count("iam:GetPolicyVersion") == 1
    assert "iam:GetRole" not in result.calls
    assert "iam:GetRolePolicy" not in result.calls


def test_per_role_collection_gives_the_same_reports(
    account: MotoServer, run_scan: ScanRunner
) -> None:
    bulk = run_scan("--all-roles", "--format", "json")
    per_role = run_scan("--all-roles", "--format", "json", "--collection", "per-role")
    assert per_role.returncode == bulk.returncode == 1
    assert per_role.reports() == bulk.reports()
    assert "iam:GetAccountAuthorizationDetails" not in per_role.calls
    assert per_role.calls.count("iam:GetRole") == len(ALL)
    assert per_role.calls.count("iam:GetRolePolicy") == 1  # VeeamMissingOne's inline policy
    # Each managed policy is fetched once even though two roles attach VeeamEc2Backup.
    assert per_role.calls.count("iam:GetPolicyVersion") == 3


BULK, PER_ROLE = ["--collection", "bulk"], ["--collection", "per-role"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--tag", "team=backup"], ["VeeamBoundary", "VeeamCompliant", "VeeamMissingOne"]),
        (["--tag", "team=backup", "--tag", "env=prod", *PER_ROLE], ["VeeamBoundary"]),
        (["--tag", "team=backup", "--tag", "env=prod"], ["VeeamBoundary"]),
        (["--tag", "team=other"], []),
        (
            ["--role", "VeeamReadOnly", "--role", role_arn("VeeamCompliant")],
            ["VeeamCompliant", "VeeamReadOnly"],
        ),
        (
            ["--role", "VeeamReadOnly", "--role", role_arn("VeeamCompliant"), *PER_ROLE],
            ["VeeamCompliant", "VeeamReadOnly"],
        ),
        (["--role", "veeamcompliant"], ["VeeamCompliant"]),
        (["--trusted-by", APPLIANCE], ["VeeamBoundary", "VeeamCompliant", "VeeamMissingOne"]),
        (
            ["--trusted-by", APPLIANCE, *PER_ROLE],
            ["VeeamBoundary", "VeeamCompliant", "VeeamMissingOne"],
        ),
        (["--trusted-by", "222222222222"], ["VeeamReadOnly"]),
        (["--trusted-by", "111111111111", "--tag", "env=prod"], ["VeeamBoundary"]),
    ],
)
def test_selection(
    account: MotoServer, run_scan: ScanRunner, args: list[str], expected: list[str]
) -> None:
    result = run_scan(*args, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    assert [r["role_arn"] for r in result.json()["reports"]] == [role_arn(n) for n in expected]
    if not expected:
        assert "no role matched" in result.stderr


@pytest.mark.parametrize(
    "names",
    [
        ["VeeamCompliant", "VeeamCompliant"],
        ["VeeamCompliant", role_arn("VeeamCompliant")],
        ["VeeamCompliant", "veeamcompliant"],
    ],
    ids=["name-twice", "name-and-arn", "name-and-other-case"],
)
@pytest.mark.parametrize("collection", ["bulk", "per-role"])
def test_role_named_twice_is_reported_once(
    account: MotoServer, run_scan: ScanRunner, tmp_path: Path, names: list[str], collection: str
) -> None:
    saved = tmp_path / "snapshot.json"
    roles = [arg for name in names for arg in ("--role", name)]
    result = run_scan(
        *roles, "--collection", collection, "--format", "json", "--save-snapshot", str(saved)
    )
    assert result.returncode == 0, result.stderr
    assert [r["role_arn"] for r in result.json()["reports"]] == [role_arn("VeeamCompliant")]
    assert result.json()["summary"]["roles"] == 1
    document = json.loads(saved.read_text(encoding="utf-8"))
    assert [r["RoleName"] for r in document["RoleDetailList"]] == ["VeeamCompliant"]
    assert result.calls.count("iam:GetRole") == (1 if collection == "per-role" else 0)


def test_role_with_a_path_named_by_name_and_by_arn_is_reported_once(
    account: MotoServer, run_scan: ScanRunner
) -> None:
    """The name alone gives no path, so the two forms are one role only once GetRole says so."""
    iam = account.client("iam")
    iam.create_role(
        RoleName="Pathed", Path="/team/", AssumeRolePolicyDocument=trust_document(APPLIANCE)
    )
    try:
        arn = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/team/Pathed"
        result = run_scan(
            "--role", "Pathed", "--role", arn, "--collection", "per-role", "--format", "json"
        )
    finally:
        iam.delete_role(RoleName="Pathed")
    assert result.returncode == 1, result.stderr
    assert [r["role_arn"] for r in result.json()["reports"]] == [arn]


def test_trusted_by_turns_on_the_trust_check(account: MotoServer, run_scan: ScanRunner) -> None:
    result = run_scan("--trusted-by", APPLIANCE, "--format", "json")
    reports = result.reports()
    for name in ("VeeamCompliant", "VeeamMissingOne", "VeeamBoundary"):
        assert reports[role_arn(name)]["trust"]["checked"] is True
        assert reports[role_arn(name)]["trust"]["appliance_can_assume"] is True
    assert reports[role_arn("VeeamCompliant")]["compliant"] is True


def test_trusted_by_an_account_selects_and_does_not_check_trust_as_that_account(
    account: MotoServer, run_scan: ScanRunner
) -> None:
    """An account id selects the roles trusting any principal of the account, VeeamCompliant's
    Impersonation role included; the engine would read the account id as the account root,
    which that trust does not let in, so the id is not the appliance of the trust check."""
    result = run_scan("--trusted-by", "111111111111", "--format", "json")
    assert result.returncode == 1, result.stderr  # VeeamMissingOne and VeeamBoundary still fail
    reports = result.reports()
    assert list(reports) == [
        role_arn(n) for n in ("VeeamBoundary", "VeeamCompliant", "VeeamMissingOne")
    ]
    for report in reports.values():
        assert report["trust"] == {"checked": False, "appliance_can_assume": None, "conditions": []}
        assert not [f for f in report["findings"] if f["id"].startswith("VBAWS-TRUST")]
    assert reports[role_arn("VeeamCompliant")]["compliant"] is True
    assert "the trust policy is not checked" in result.stderr
    assert "--appliance" in result.stderr


def test_trusted_by_an_account_checks_trust_with_the_appliance_of_that_account(
    account: MotoServer, run_scan: ScanRunner
) -> None:
    result = run_scan(
        "--trusted-by", "111111111111", "--appliance", APPLIANCE, "--format", "json"
    )  # fmt: skip
    reports = result.reports()
    assert list(reports) == [
        role_arn(n) for n in ("VeeamBoundary", "VeeamCompliant", "VeeamMissingOne")
    ]
    for report in reports.values():
        assert report["trust"]["checked"] is True
        assert report["trust"]["appliance_can_assume"] is True
    assert reports[role_arn("VeeamCompliant")]["compliant"] is True
    assert "not checked" not in result.stderr


def test_trusted_by_an_account_refuses_an_appliance_of_another_account(
    account: MotoServer, run_scan: ScanRunner
) -> None:
    result = run_scan("--trusted-by", "222222222222", "--appliance", APPLIANCE, "--format", "json")
    assert result.returncode == 2
    assert f"--appliance {APPLIANCE} is not in account 222222222222" in result.stderr
    assert result.stdout == ""
    assert result.calls == []


def test_appliance_that_cannot_assume_makes_the_role_non_compliant(
    account: MotoServer, run_scan: ScanRunner
) -> None:
    result = run_scan(
        "--role",
        "VeeamCompliant",
        "--appliance",
        "arn:aws:iam::333333333333:role/Other",
        "--format",
        "json",
    )
    assert result.returncode == 1
    report = result.reports()[role_arn("VeeamCompliant")]
    assert report["trust"]["checked"] is True
    assert report["trust"]["appliance_can_assume"] is False
    assert report["compliant"] is False


def test_compliant_role_exits_0(account: MotoServer, run_scan: ScanRunner) -> None:
    result = run_scan("--role", "VeeamCompliant", "--appliance", APPLIANCE, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert result.json()["summary"]["compliant"] == 1


def test_checks_choose_the_requirement_sets(account: MotoServer, run_scan: ScanRunner) -> None:
    result = run_scan(
        "--role", "VeeamCompliant", "--checks", "ec2_backup,worker_production", "--format", "json"
    )
    assert result.returncode == 1
    report = result.reports()[role_arn("VeeamCompliant")]
    assert set(report["checks"]) == {"ec2_backup", "worker_production"}
    assert report["checks"]["ec2_backup"]["compliant"] is True
    worker = report["checks"]["worker_production"]
    assert worker["compliant"] is False
    # The role has none of the worker permissions: every one of them is missing, once.
    assert sorted(worker["missing"]) == sorted(requirement_actions("worker_production"))


def test_unknown_check_is_a_usage_error(account: MotoServer, run_scan: ScanRunner) -> None:
    result = run_scan("--role", "VeeamCompliant", "--checks", "no_such_set", "--format", "json")
    assert result.returncode == 2
    assert "no_such_set" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--checks", "bogus"], "error: --checks: unknown check 'bogus' (known: "),
        (["--opa-url", "ftp://x"], "error: OPA URL 'ftp://x' must look like http://HOST:PORT"),
        (["--bundle", "other"], "error: policy bundle {bundle} does not hold the vbaws policies"),
    ],
    ids=["--checks", "--opa-url", "--bundle"],
)
def test_bad_usage_is_found_before_any_aws_call(
    account: MotoServer, run_scan: ScanRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    """Usage is checked before any work (README): no AWS call, no snapshot saved, exit 2."""
    bundle = tmp_path / "other.tar.gz"
    (tmp_path / "other.rego").write_text("package foo\n\nx := 1\n")
    with tarfile.open(bundle, "w:gz") as archive:
        archive.add(tmp_path / "other.rego", arcname="other.rego")
    args = [str(bundle) if a == "other" else a for a in args]
    saved = tmp_path / "saved.json"
    result = run_scan(
        "--role", "VeeamCompliant", *args, "--save-snapshot", str(saved), "--format", "json",
        opa="--bundle" not in args,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr.startswith(message.format(bundle=bundle)), result.stderr
    assert result.calls == []
    assert not saved.exists()


@pytest.mark.parametrize("spelling", ["same", "relative", "symlink"])
def test_output_and_snapshot_in_one_file_is_bad_usage(
    account: MotoServer, run_scan: ScanRunner, tmp_path: Path, spelling: str
) -> None:
    """The report would silently overwrite the snapshot: refused before any work."""
    saved = tmp_path / "saved.json"
    saved.write_text("keep\n")
    output = {
        "same": str(saved),
        "relative": str(tmp_path / "sub" / ".." / "saved.json"),
        "symlink": str(tmp_path / "link.json"),
    }[spelling]
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.json").symlink_to(saved)
    result = run_scan(
        "--role", "VeeamCompliant", "--save-snapshot", str(saved), "--output", output,
        "--format", "json",
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"error: --output {output} and --save-snapshot {saved} are the same file: the report "
        "would overwrite the snapshot\n"
    )
    assert result.calls == []
    assert saved.read_text() == "keep\n"


def test_missing_role_is_reported_not_evaluated(account: MotoServer, run_scan: ScanRunner) -> None:
    for collection in ("bulk", "per-role"):
        result = run_scan(
            "--role",
            "VeeamCompliant",
            "--role",
            "NoSuchRole",
            "--format",
            "json",
            "--collection",
            collection,
        )
        assert result.returncode == 3
        reports = result.reports()
        assert reports[role_arn("VeeamCompliant")]["compliant"] is True
        reason = f"role NoSuchRole not found in account {DEFAULT_ACCOUNT}"
        assert reports[role_arn("NoSuchRole")] == not_evaluated(role_arn("NoSuchRole"), reason)
        assert result.json()["summary"]["not_evaluated"] == 1


@pytest.mark.parametrize("collection", ["bulk", "per-role"])
def test_named_role_is_reported_whatever_other_filters_are_given(
    account: MotoServer, run_scan: ScanRunner, collection: str
) -> None:
    """A --role beside --tag or --trusted-by is still looked for: one that is not there is not
    evaluated (a misspelt name must not pass as "nothing to check"), and one the other filters
    leave out is said so on standard error."""
    result = run_scan(
        "--role", "VeeamCompliant", "--role", "NoSuchRole", "--role", "VeeamReadOnly",
        "--tag", "team=backup", "--collection", collection, "--format", "json",
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    reports = result.reports()
    assert list(reports) == [role_arn("NoSuchRole"), role_arn("VeeamCompliant")]  # ARN order
    assert reports[role_arn("VeeamCompliant")]["compliant"] is True
    reason = f"role NoSuchRole not found in account {DEFAULT_ACCOUNT}"
    assert reports[role_arn("NoSuchRole")] == not_evaluated(role_arn("NoSuchRole"), reason)
    assert (
        f"note: role {role_arn('VeeamReadOnly')} is named by --role but not scanned: "
        "its tags do not match --tag team=backup\n"
    ) in result.stderr

    by_trust = run_scan(
        "--role", "VeeamReadOnly", "--trusted-by", APPLIANCE, "--collection", collection,
        "--format", "json",
    )  # fmt: skip
    assert by_trust.returncode == 0, by_trust.stderr
    assert by_trust.json()["reports"] == []
    assert (
        f"note: role {role_arn('VeeamReadOnly')} is named by --role but not scanned: its trust "
        f"policy does not name {APPLIANCE} (--trusted-by)\n"
    ) in by_trust.stderr
    assert "no role matched the selection" in by_trust.stderr


def test_save_snapshot_and_evaluate_it_offline(
    account: MotoServer,
    run_scan: ScanRunner,
    run_harness: Callable[..., subprocess.CompletedProcess[str]],
    opa_url: str,
    tmp_path: Path,
) -> None:
    saved = tmp_path / "snapshot.json"
    live = run_scan("--all-roles", "--format", "json", "--save-snapshot", str(saved))
    document = json.loads(saved.read_text(encoding="utf-8"))
    assert [r["RoleName"] for r in document["RoleDetailList"]] == ALL
    policy_arns = {p["Arn"] for p in document["Policies"]}
    assert READ_ONLY_ACCESS in policy_arns  # the AWS managed policy travels with the file
    for policy in document["Policies"]:
        assert [v["IsDefaultVersion"] for v in policy["PolicyVersionList"]] == [True]

    offline = run_scan("--from-file", str(saved), "--all-roles", "--format", "json", endpoint=False)
    assert offline.calls == []
    assert offline.returncode == live.returncode
    assert offline.json() == live.json()

    # ``evaluate`` reads the file as ``scan --from-file`` does.
    evaluated = run_harness(
        "evaluate", "--input", str(saved), "--format", "json", "--opa-url", opa_url
    )
    assert evaluated.returncode == live.returncode, evaluated.stderr
    assert json.loads(evaluated.stdout) == live.json()
    # The engine's own entry point reads the same file as raw GetAccountAuthorizationDetails
    # input: the Python snapshot builder and the Rego normaliser agree.
    with OpaClient(opa_url) as client:
        assert client.report_list(document) == live.json()["reports"]

    only = run_scan(
        "--from-file", str(saved), "--tag", "env=prod", "--format", "json", endpoint=False
    )
    assert [r["role_arn"] for r in only.json()["reports"]] == [role_arn("VeeamBoundary")]


def test_from_file_missing_policy_is_not_evaluated(
    account: MotoServer, run_scan: ScanRunner, tmp_path: Path
) -> None:
    saved = tmp_path / "gaad.json"
    saved.write_text(
        json.dumps(
            {
                "RoleDetailList": [
                    {
                        "RoleName": "Lonely",
                        "Arn": role_arn("Lonely"),
                        "RolePolicyList": [],
                        "AttachedManagedPolicies": [
                            {"PolicyName": "Gone", "PolicyArn": "arn:aws:iam::aws:policy/Gone"}
                        ],
                    }
                ],
                "Policies": [],
            }
        ),
        encoding="utf-8",
    )
    result = run_scan("--from-file", str(saved), "--all-roles", "--format", "json", endpoint=False)
    assert result.returncode == 3
    record = result.reports()[role_arn("Lonely")]
    assert record["evaluated"] is False
    assert "arn:aws:iam::aws:policy/Gone" in record["error"]


def test_from_file_bad_input_exits_2(
    account: MotoServer, run_scan: ScanRunner, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"Roles": []}', encoding="utf-8")
    result = run_scan("--from-file", str(bad), "--all-roles", endpoint=False)
    assert result.returncode == 2
    assert str(bad) in result.stderr
    assert "RoleDetailList" in result.stderr


@pytest.mark.parametrize("option", ["--output", "--save-snapshot"])
def test_unwritable_output_fails_before_any_aws_call(
    account: MotoServer, run_scan: ScanRunner, tmp_path: Path, option: str
) -> None:
    target = tmp_path / "missing" / "out.json"
    result = run_scan("--all-roles", option, str(target))
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        f"error: {option}: cannot write {target}: directory {target.parent} does not exist\n",
    )
    assert result.calls == []


def test_table_output(account: MotoServer, run_scan: ScanRunner) -> None:
    result = run_scan("--role", "VeeamMissingOne", "--format", "table")
    assert result.returncode == 1
    assert "VeeamMissingOne" in result.stdout
    assert "ebs:ListChangedBlocks" in result.stdout
    assert "\033[" not in result.stdout  # no colour when not on a terminal


def test_role_of_another_account_is_reported(account: MotoServer, run_scan: ScanRunner) -> None:
    other = "arn:aws:iam::999999999999:role/Elsewhere"
    result = run_scan("--role", other, "--format", "json")
    assert result.returncode == 3
    (record,) = result.json()["reports"]
    assert record["role_arn"] == other
    assert record["evaluated"] is False
    assert record["error"] == (
        f"role {other} is in account 999999999999, not in the scanned account {DEFAULT_ACCOUNT}"
    )


def test_from_file_missing_role_is_reported(
    account: MotoServer, run_scan: ScanRunner, tmp_path: Path
) -> None:
    saved = tmp_path / "one.json"
    run_scan("--role", "VeeamCompliant", "--format", "json", "--save-snapshot", str(saved))
    result = run_scan(
        "--from-file", str(saved), "--role", "VeeamCompliant", "--role", "Ghost",
        "--format", "json", endpoint=False,
    )  # fmt: skip
    assert result.returncode == 3
    reports = result.reports()
    assert reports[role_arn("VeeamCompliant")]["compliant"] is True
    assert reports[role_arn("Ghost")]["error"] == f"role Ghost not found in {saved}"


def test_from_file_named_role_is_reported_whatever_other_filters_are_given(
    account: MotoServer, run_scan: ScanRunner, tmp_path: Path
) -> None:
    saved = tmp_path / "all.json"
    run_scan("--all-roles", "--format", "json", "--save-snapshot", str(saved))
    result = run_scan(
        "--from-file", str(saved), "--role", "VeeamReadOnly", "--role", "Ghost",
        "--tag", "team=backup", "--format", "json", endpoint=False,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    reports = result.reports()
    assert list(reports) == [role_arn("Ghost")]
    assert reports[role_arn("Ghost")]["error"] == f"role Ghost not found in {saved}"
    assert (
        f"note: role {role_arn('VeeamReadOnly')} is named by --role but not scanned: "
        "its tags do not match --tag team=backup\n"
    ) in result.stderr


def empty_boundary(body: bytes) -> bytes:
    """The role's PermissionsBoundary element, with nothing in it (an emulator or proxy that
    got it wrong): AWS names the boundary's ARN whenever there is one."""
    return re.sub(
        rb"<PermissionsBoundary>.*?</PermissionsBoundary>",
        b"<PermissionsBoundary/>",
        body,
        flags=re.S,
    )


@pytest.mark.parametrize(
    ("action", "options", "call"),
    [
        ("GetAccountAuthorizationDetails", (), "iam:GetAccountAuthorizationDetails"),
        ("GetRole", ("--collection", "per-role"), "iam:GetRole"),
    ],
    ids=["bulk", "per-role"],
)
def test_a_boundary_without_its_arn_is_not_read_as_no_boundary(
    account: MotoServer,
    run_scan: ScanRunner,
    action: str,
    options: tuple[str, ...],
    call: str,
) -> None:
    """Read as none, the boundary's Deny of kms:CreateGrant would go unseen and the role pass."""
    with FaultProxy(account.url, [Fault(action, rewrite=empty_boundary)]) as proxy:
        result = run_scan(
            "--role", "VeeamBoundary", "--format", "json", *options, endpoint=proxy.url
        )
    assert action in proxy.failed
    assert result.returncode == 3, result.stderr
    (record,) = result.json()["reports"]
    assert record["evaluated"] is False and record["compliant"] is False
    assert record["error"] == (
        f"role VeeamBoundary: {call}: the endpoint's answer has no PermissionsBoundaryArn, which "
        "every AWS answer to this call has"
    )


def without_trust(body: bytes) -> bytes:
    """Every role's AssumeRolePolicyDocument left out (an emulator or proxy that got it wrong)."""
    return re.sub(
        rb"<AssumeRolePolicyDocument>.*?</AssumeRolePolicyDocument>", b"", body, flags=re.S
    )


@pytest.mark.parametrize(
    ("action", "options", "expected"),
    [
        # Nothing says whom the roles trust: each is reported, its trust found wanting.
        ("GetAccountAuthorizationDetails", (), ALL),
        # GetRole says it: the selection is the one the listing would have made.
        ("ListRoles", PER_ROLE, ["VeeamBoundary", "VeeamCompliant", "VeeamMissingOne"]),
    ],
    ids=["bulk", "per-role"],
)
def test_trusted_by_does_not_leave_out_a_role_whose_trust_is_not_given(
    account: MotoServer,
    run_scan: ScanRunner,
    action: str,
    options: list[str],
    expected: list[str],
) -> None:
    """Left out, such a role would be missing from the report without a word (exit 0)."""
    with FaultProxy(account.url, [Fault(action, rewrite=without_trust)]) as proxy:
        result = run_scan(
            "--trusted-by", APPLIANCE, "--format", "json", *options, endpoint=proxy.url
        )
    assert action in proxy.failed
    assert result.returncode == 1, result.stderr
    reports = result.json()["reports"]
    assert [r["role_arn"] for r in reports] == [role_arn(name) for name in expected]
    if action == "GetAccountAuthorizationDetails":
        for report in reports:
            assert report["trust"]["appliance_can_assume"] is False
            assert "VBAWS-INVALID-TRUST-POLICY" in [f["id"] for f in report["findings"]]
