"""End to end: ``python -m harness evaluate`` on the fixtures, through a real OPA with rego/.

Expected decisions are written from the policy documents themselves (read by a person, see the
comments), not from the engine's output: AWS managed policies as moto ships them, copied into
fixtures/evaluate/ by scripts/make-fixtures.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, REGO, REPO, harness_env

from harness import evaluate_command, inputs
from harness.opa import OpaClient, find_opa

FIX = FIXTURES / "evaluate"
CATALOG = json.loads((REGO / "vbaws" / "requirements" / "data.json").read_text())
EC2_BACKUP: list[str] = CATALOG["ec2_backup"]["actions"]
WORKER: list[str] = CATALOG["worker_production"]["actions"]
APPLIANCE = "arn:aws:iam::111111111111:role/VeeamBackupAppliance"
DECISIONS = {"allowed", "explicit_deny", "implicit_deny", "conditional"}


def evaluate(run_harness, opa_url: str, *args: str, input: str | None = None) -> tuple[int, Any]:
    result = run_harness("evaluate", "--format", "json", "--opa-url", opa_url, *args, input=input)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def only_report(run_harness, opa_url: str, fixture: str, *args: str) -> tuple[int, dict]:
    code, output = evaluate(run_harness, opa_url, "--input", str(FIX / fixture), *args)
    assert len(output["reports"]) == 1
    return code, output["reports"][0]


def decisions(check: dict[str, Any]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """action -> (decision, sorted blocked_by) for comparison."""
    return {
        action: (entry["decision"], tuple(sorted(entry.get("blocked_by", []))))
        for action, entry in check["actions"].items()
    }


def expected(
    actions: list[str], allowed: set[str], blocked_by: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every action allowed when in ``allowed``, else implicitly denied by its layers."""
    unknown = (allowed | set(blocked_by)) - set(actions)
    assert not unknown, f"test names actions outside the set: {unknown}"
    return {
        a: ("allowed", ()) if a in allowed else ("implicit_deny", blocked_by[a]) for a in actions
    }


def assert_check(
    check: dict[str, Any],
    actions: list[str],
    allowed: set[str],
    blocked_by: dict[str, tuple[str, ...]],
) -> None:
    assert decisions(check) == expected(actions, allowed, blocked_by)
    assert sorted(check["missing"]) == sorted(a for a in actions if a not in allowed)
    assert check["denied"] == []
    assert check["conditional"] == []
    assert check["compliant"] is (allowed == set(actions))


def errors(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["severity"] == "error"]


def test_administrator_access_allows_everything(run_harness, opa_url: str) -> None:
    # AdministratorAccess: Allow "*" on "*".
    code, report = only_report(run_harness, opa_url, "administrator-access.json")
    assert code == 0
    assert report["role_arn"] == "arn:aws:iam::123456789012:role/AdministratorAccessRole"
    assert report["compliant"] is True
    assert list(report["checks"]) == ["ec2_backup"]
    assert_check(report["checks"]["ec2_backup"], EC2_BACKUP, set(EC2_BACKUP), {})
    assert report["trust"]["checked"] is False
    assert report["trust"]["conditions"] == []
    assert report["layers"] == {"identity": True, "boundary": False, "scps": False}
    assert errors(report) == []
    # No SCPs given: the report says the organization layer was not evaluated.
    assert any("not evaluated" in f["message"] for f in report["findings"])


def test_read_only_access(run_harness, opa_url: str) -> None:
    # ReadOnlyAccess grants, among ~3000 patterns: ec2:Describe*, ec2:Get*, events:Describe*,
    # events:List*, iam:Get*, iam:List*, iam:Simulate*, kms:Describe*, kms:Get*, kms:List*,
    # servicequotas:ListServiceQuotas, sns:Get*, sns:List*, sqs:Get*, sqs:List*, sqs:Receive*,
    # ssm:Describe*, ssm:Get*, ssm:List*; nothing for ebs:, no write action of the list.
    allowed = {a for a in EC2_BACKUP if a.startswith("ec2:Describe")} | {
        "ec2:GetEbsDefaultKmsKeyId",
        "events:DescribeRule",
        "events:ListTargetsByRule",
        "iam:GetContextKeysForPrincipalPolicy",
        "iam:GetInstanceProfile",
        "iam:SimulatePrincipalPolicy",
        "iam:ListAccountAliases",
        "iam:ListInstanceProfiles",
        "kms:ListKeys",
        "kms:ListAliases",
        "kms:GetKeyPolicy",
        "kms:DescribeKey",
        "servicequotas:ListServiceQuotas",
        "sqs:ListQueues",
        "sqs:ReceiveMessage",
        "sns:ListSubscriptionsByTopic",
        "sns:ListTopics",
        "ssm:GetCommandInvocation",
        "ssm:DescribeInstanceInformation",
    }
    assert len(allowed) == 35
    code, report = only_report(run_harness, opa_url, "read-only-access.json")
    assert code == 1
    assert report["compliant"] is False
    blocked = {a: ("identity",) for a in EC2_BACKUP if a not in allowed}
    assert_check(report["checks"]["ec2_backup"], EC2_BACKUP, allowed, blocked)
    missing = [f for f in errors(report) if f["id"] == "VBAWS-MISSING"]
    assert len(missing) == 1
    assert sorted(missing[0]["actions"]) == sorted(blocked)


def test_ec2_full_access(run_harness, opa_url: str) -> None:
    # AmazonEC2FullAccess: ec2:*, elasticloadbalancing:*, cloudwatch:*, autoscaling:*, and
    # iam:CreateServiceLinkedRole under a condition: of the list, only ec2: actions.
    ec2 = {a for a in EC2_BACKUP if a.startswith("ec2:")}
    assert len(ec2) == 24
    code, report = only_report(run_harness, opa_url, "ec2-full-access.json")
    assert code == 1
    blocked = {a: ("identity",) for a in EC2_BACKUP if a not in ec2}
    assert {a.split(":")[0] for a in blocked} == {
        "ebs",
        "events",
        "iam",
        "kms",
        "servicequotas",
        "sqs",
        "sns",
        "ssm",
    }
    assert_check(report["checks"]["ec2_backup"], EC2_BACKUP, ec2, blocked)


def test_ec2_full_access_under_ec2_read_only_boundary(run_harness, opa_url: str) -> None:
    # Identity AmazonEC2FullAccess (ec2:*), boundary AmazonEC2ReadOnlyAccess (ec2:Describe*,
    # ec2:GetSecurityGroupsForVpc, and Describe* of elb/cloudwatch/autoscaling).
    code, report = only_report(run_harness, opa_url, "ec2-full-access-boundary.json")
    assert code == 1
    allowed = {a for a in EC2_BACKUP if a.startswith("ec2:Describe")}
    blocked = {
        a: ("boundary",) if a.startswith("ec2:") else ("boundary", "identity")
        for a in EC2_BACKUP
        if a not in allowed
    }
    assert blocked["ec2:GetEbsDefaultKmsKeyId"] == ("boundary",)
    assert_check(report["checks"]["ec2_backup"], EC2_BACKUP, allowed, blocked)
    assert report["layers"] == {"identity": True, "boundary": True, "scps": False}


def test_scp_hierarchy_blocks_at_the_ou(run_harness, opa_url: str) -> None:
    # Identity AdministratorAccess; SCPs: root FullAWSAccess, OU allows only ec2:* and s3:*,
    # account FullAWSAccess. Only the OU level blocks, and only non-ec2 actions.
    code, report = only_report(run_harness, opa_url, "scp-hierarchy.json")
    assert code == 1
    ec2 = {a for a in EC2_BACKUP if a.startswith("ec2:")}
    blocked = {a: ("scp:ou-a1b2-11111111",) for a in EC2_BACKUP if a not in ec2}
    assert_check(report["checks"]["ec2_backup"], EC2_BACKUP, ec2, blocked)
    assert report["layers"] == {"identity": True, "boundary": False, "scps": True}


def test_veeam_role_with_appliance_is_compliant(run_harness, opa_url: str) -> None:
    code, report = only_report(run_harness, opa_url, "veeam-ec2-backup.json")
    assert code == 0
    assert report["compliant"] is True
    assert_check(report["checks"]["ec2_backup"], EC2_BACKUP, set(EC2_BACKUP), {})
    assert report["trust"] == {"checked": True, "appliance_can_assume": True, "conditions": []}
    assert errors(report) == []
    # The appliance is in another account: its own identity policy must allow sts:AssumeRole.
    cross = [f for f in report["findings"] if "sts:AssumeRole" in f["message"]]
    assert [f["severity"] for f in cross] == ["info"]


def test_checks_option_adds_worker_production(run_harness, opa_url: str) -> None:
    # AmazonEC2FullAccess grants the 12 ec2: worker actions, not iam:/ssm:/sqs: ones.
    code, report = only_report(
        run_harness,
        opa_url,
        "ec2-full-access.json",
        "--checks",
        "ec2_backup,worker_production",
    )
    assert code == 1
    assert sorted(report["checks"]) == ["ec2_backup", "worker_production"]
    worker_ec2 = {a for a in WORKER if a.startswith("ec2:")}
    assert len(worker_ec2) == 12
    blocked = {a: ("identity",) for a in WORKER if a not in worker_ec2}
    assert sorted(blocked) == [
        "iam:GetRole",
        "iam:ListInstanceProfilesForRole",
        "iam:PassRole",
        "sqs:SendMessage",
        "ssm:GetParameter",
    ]
    assert_check(report["checks"]["worker_production"], WORKER, worker_ec2, blocked)


def test_appliance_option_checks_trust(run_harness, opa_url: str) -> None:
    code, report = only_report(
        run_harness, opa_url, "administrator-access.json", "--appliance", APPLIANCE
    )
    assert code == 0
    assert report["trust"] == {"checked": True, "appliance_can_assume": True, "conditions": []}
    code, report = only_report(
        run_harness,
        opa_url,
        "administrator-access.json",
        "--appliance",
        "arn:aws:iam::222222222222:role/SomeoneElse",
    )
    assert code == 1
    assert report["compliant"] is False
    assert report["trust"]["checked"] is True
    assert report["trust"]["appliance_can_assume"] is False


def test_example_batch(run_harness, opa_url: str) -> None:
    code, output = evaluate(run_harness, opa_url, "--input", str(FIX / "example-batch.json"))
    assert code == 1
    names = [r["role_arn"].rsplit("/", 1)[1] for r in output["reports"]]
    assert names == [
        "VeeamEc2Backup",
        "AdministratorAccessRole",
        "ReadOnlyAccessRole",
        "Ec2FullAccessRole",
        "Ec2FullAccessWithBoundary",
        "VeeamWrongTrust",
        "VeeamDenyAndCondition",
    ]
    assert [r["compliant"] for r in output["reports"]] == [
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]
    assert output["summary"] == {"roles": 7, "compliant": 2, "not_compliant": 5, "not_evaluated": 0}
    # The batch-level appliance applies to every role.
    assert all(r["trust"]["checked"] for r in output["reports"])

    wrong_trust = output["reports"][5]
    assert wrong_trust["checks"]["ec2_backup"]["compliant"] is True
    assert wrong_trust["trust"] == {
        "checked": True,
        "appliance_can_assume": False,
        "conditions": [],
    }

    # Boundary denies kms:CreateGrant (Sid DenyKms); ssm:SendCommand only with a region
    # condition; the trust needs sts:ExternalId.
    deny = output["reports"][6]
    check = deny["checks"]["ec2_backup"]
    assert check["denied"] == ["kms:CreateGrant"]
    assert check["conditional"] == ["ssm:SendCommand"]
    assert check["missing"] == []
    assert check["actions"]["kms:CreateGrant"]["decision"] == "explicit_deny"
    assert check["actions"]["kms:CreateGrant"]["blocked_by"] == ["boundary"]
    assert check["actions"]["kms:CreateGrant"]["statement"] == "DenyKms"
    send = check["actions"]["ssm:SendCommand"]
    assert send["decision"] == "conditional"
    assert any("aws:RequestedRegion" in reason for reason in send["reasons"])
    others = {a: e["decision"] for a, e in check["actions"].items()}
    del others["kms:CreateGrant"], others["ssm:SendCommand"]
    assert set(others.values()) == {"allowed"} and len(others) == 59
    assert deny["trust"] == {
        "checked": True,
        "appliance_can_assume": True,
        "conditions": ["sts:ExternalId"],
    }


def test_batch_reports_match_single_snapshots(run_harness, opa_url: str) -> None:
    # A role gives the same report alone as inside a batch with the same settings.
    _, batch = evaluate(run_harness, opa_url, "--input", str(FIX / "example-batch.json"))
    _, alone = only_report(run_harness, opa_url, "read-only-access.json", "--appliance", APPLIANCE)
    assert batch["reports"][2] == alone


def test_authorization_details(run_harness, opa_url: str) -> None:
    # Raw GetAccountAuthorizationDetails: AmazonEC2FullAccess attached, whose non-default v1
    # allowed "*" (must be ignored); an URL-encoded inline policy with the 61 actions.
    code, output = evaluate(
        run_harness, opa_url, "--input", str(FIX / "authorization-details.json")
    )
    assert code == 1
    ec2_full, inline = output["reports"]
    assert ec2_full["role_arn"] == "arn:aws:iam::123456789012:role/GaadEc2FullAccess"
    ec2 = {a for a in EC2_BACKUP if a.startswith("ec2:")}
    blocked = {a: ("identity",) for a in EC2_BACKUP if a not in ec2}
    assert_check(ec2_full["checks"]["ec2_backup"], EC2_BACKUP, ec2, blocked)
    assert inline["role_arn"] == "arn:aws:iam::123456789012:role/GaadVeeamInline"
    assert_check(inline["checks"]["ec2_backup"], EC2_BACKUP, set(EC2_BACKUP), {})
    assert inline["compliant"] is True
    # --appliance reaches roles of an authorization-details document too.
    code, output = evaluate(
        run_harness,
        opa_url,
        "--input",
        str(FIX / "authorization-details.json"),
        "--appliance",
        APPLIANCE,
    )
    assert [r["trust"]["appliance_can_assume"] for r in output["reports"]] == [True, True]


def test_stdin_output_file_and_table(run_harness, opa_url: str, tmp_path: Path) -> None:
    text = (FIX / "veeam-ec2-backup.json").read_text()
    out = tmp_path / "out.json"
    result = run_harness(
        "evaluate", "--input", "-", "--opa-url", opa_url, "--output", str(out), input=text
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    # Not a terminal: json by default.
    assert json.loads(out.read_text())["summary"]["compliant"] == 1
    table = run_harness(
        "evaluate", "--input", "-", "--opa-url", opa_url, "--format", "table", input=text
    )
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0] == "COMPLIANT  arn:aws:iam::123456789012:role/VeeamEc2Backup"
    assert "  ec2_backup: COMPLIANT  61/61 allowed, 0 missing, 0 denied, 0 conditional" in lines
    assert lines[-1] == "1 role: 1 compliant, 0 not compliant, 0 not evaluated"


def test_unwritable_output_fails_before_evaluating(run_harness, tmp_path: Path) -> None:
    fixture = str(FIX / "veeam-ec2-backup.json")
    # No OPA listens here: an evaluation would fail first and be reported with exit 3.
    unreachable = "http://127.0.0.1:9"
    missing = tmp_path / "missing" / "out.json"
    for output, problem in [
        (missing, f"directory {missing.parent} does not exist"),
        (tmp_path, "it is a directory"),
    ]:
        result = run_harness(
            "evaluate", "--input", fixture, "--opa-url", unreachable, "--output", str(output)
        )
        assert (result.returncode, result.stdout, result.stderr) == (
            2,
            "",
            f"error: --output: cannot write {output}: {problem}\n",
        )
    assert not missing.parent.exists()


@pytest.mark.parametrize(
    "command",
    [
        ["evaluate", "--input", str(FIX / "veeam-ec2-backup.json"), "--output"],
        ["scan", "--from-file", str(FIX / "authorization-details.json"), "--output"],
        ["scan", "--all-roles", "--save-snapshot"],
    ],
    ids=["evaluate", "scan", "save-snapshot"],
)
def test_empty_output_file_name_is_bad_usage(run_harness, command: list[str]) -> None:
    result = run_harness(*command, "", "--opa-url", "http://127.0.0.1:9")
    option = command[-1]
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        f"error: {option}: empty file name\n",
    )


def test_bad_input_leaves_the_output_file_alone(run_harness, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    new, old = tmp_path / "new.json", tmp_path / "old.json"
    old.write_text("previous run\n")
    for output in (new, old):
        result = run_harness("evaluate", "--input", str(bad), "--output", str(output))
        assert result.returncode == 2
    assert not new.exists()  # no empty file left behind
    assert old.read_text() == "previous run\n"


@pytest.mark.parametrize("how", ["default", "bundle-dir"])
def test_private_opa_gives_the_same_report(run_harness, opa_url: str, how: str) -> None:
    fixture = str(FIX / "ec2-full-access-boundary.json")
    extra = [] if how == "default" else ["--bundle", str(REGO)]
    private = run_harness("evaluate", "--input", fixture, "--format", "json", *extra)
    assert private.returncode == 1, private.stderr
    _, shared = evaluate(run_harness, opa_url, "--input", fixture)
    assert json.loads(private.stdout) == shared


def test_unknown_check_in_file_is_exit_2(run_harness, opa_url: str, tmp_path: Path) -> None:
    data = json.loads((FIX / "veeam-ec2-backup.json").read_text())
    data["checks"] = ["ec2_backup", "rds_backup"]
    path = tmp_path / "checks.json"
    path.write_text(json.dumps(data))
    result = run_harness("evaluate", "--input", str(path), "--opa-url", opa_url)
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {path}: checks: unknown check 'rds_backup' "
        "(known: ec2_backup, worker_production)\n"
    )


def test_every_decision_is_valid_in_every_fixture(opa_url: str) -> None:
    # In-process (same code path as the command, without a subprocess per fixture).
    with OpaClient(opa_url) as client:
        for path in sorted(FIX.glob("*.json")):
            document = inputs.load_input(str(path))
            reports = evaluate_command.evaluate(client, document)
            assert len(reports) == len(document.role_arns()), path
            for report in reports:
                for check_id, check in report["checks"].items():
                    actions = CATALOG[check_id]["actions"]
                    assert sorted(check["actions"]) == sorted(actions), path
                    assert {e["decision"] for e in check["actions"].values()} <= DECISIONS


def run_on_terminal(opa_url: str, env: dict[str, str]) -> str:
    """Run evaluate with its stdout on a pseudo-terminal; return what it printed there."""
    leader, follower = pty.openpty()
    fixture = str(FIX / "veeam-ec2-backup.json")
    process = subprocess.Popen(
        [sys.executable, "-m", "harness", "evaluate", "--input", fixture, "--opa-url", opa_url],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's other side is closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert process.wait(timeout=120) == 0
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_terminal_gets_a_coloured_table_unless_no_color(opa_url: str) -> None:
    env = {k: v for k, v in harness_env().items() if k != "NO_COLOR"}
    coloured = run_on_terminal(opa_url, env)
    assert coloured.startswith("\033[32mCOMPLIANT\033[0m  arn:aws:iam::123456789012:role/")
    plain = run_on_terminal(opa_url, {**env, "NO_COLOR": "1"})
    assert plain.startswith("COMPLIANT  arn:aws:iam::123456789012:role/VeeamEc2Backup\n")
    assert "\033[" not in plain


def test_chunked_evaluation_gives_the_same_reports(opa_url: str) -> None:
    with OpaClient(opa_url) as client:
        for name in ("example-batch.json", "authorization-details.json"):
            document = inputs.load_input(str(FIX / name))
            whole = client.report_list(document.data)
            one_by_one = [r for chunk in document.chunks(size=1) for r in client.report_list(chunk)]
            assert one_by_one == whole, name
            assert len(whole) == len(document.role_arns())


def test_invalid_document_is_a_finding_never_compliant(
    run_harness, opa_url: str, tmp_path: Path
) -> None:
    data = json.loads((FIX / "veeam-ec2-backup.json").read_text())
    statement = data["role"]["policies"][0]["document"]["Statement"][0]
    statement["Effect"] = "allow"  # IAM's Effect is case-sensitive
    path = tmp_path / "lowercase-effect.json"
    path.write_text(json.dumps(data))
    code, output = evaluate(run_harness, opa_url, "--input", str(path))
    assert code == 1
    report = output["reports"][0]
    assert report["compliant"] is False
    invalid = [f for f in errors(report) if "VeeamEc2BackupPolicy" in f["message"]]
    assert len(invalid) == 1
    assert "statement 1" in invalid[0]["message"]


def test_fixtures_evaluate_alike_under_strict_builtin_errors() -> None:
    """A sidecar client may ask OPA to fail on builtin errors (``strict-builtin-errors``): the
    engine must not lean on a builtin's error for well-formed input. Every fixture, and the
    Veeam role with the appliance given as an account id or root, evaluates as without it."""
    veeam = json.loads((FIX / "veeam-ec2-backup.json").read_text())
    inputs_by_name = {
        path.relative_to(FIXTURES).as_posix(): json.loads(path.read_text())
        for path in sorted([*FIX.glob("*.json"), *(FIXTURES / "sidecar").glob("*.json")])
    }
    for principal in ("111111111111", "arn:aws:iam::111111111111:root"):
        inputs_by_name[f"veeam, appliance {principal}"] = dict(
            veeam, appliance={"principal": principal}
        )
    query = (
        "x := {name: r | some name, i in input; "
        "r := data.vbaws.ec2_backup.report_list with input as i}"
    )

    def evaluate(*strict: str) -> Any:
        result = subprocess.run(
            [
                find_opa(),
                "eval",
                *strict,
                "-d",
                str(REGO),
                "--stdin-input",
                "--format",
                "json",
                query,
            ],
            input=json.dumps(inputs_by_name),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return json.loads(result.stdout)["result"][0]["bindings"]["x"]

    strict = evaluate("--strict-builtin-errors")
    assert set(strict) == set(inputs_by_name)
    assert strict == evaluate()
