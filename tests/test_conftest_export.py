"""``export-managed-policies``: managed policy documents as conftest data, from a live account
(a real moto server on loopback) or from a saved get-account-authorization-details file, and
used by the real conftest run on the AWS-managed-policies fixtures."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from iac_helpers import FIXTURES, REPO, run_conftest
from moto_server import Fault, FaultProxy, MotoServer, scan_env

POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"
IAM_READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
LOCAL_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ec2:CreateSnapshot", "Resource": "*"}],
}


def export(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness", "export-managed-policies", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


@pytest.fixture(scope="module")
def account(moto_server: MotoServer) -> dict[str, str]:
    """A local managed policy (two versions) and a role with an AWS managed policy attached."""
    moto_server.reset()
    iam = moto_server.client("iam")
    local = iam.create_policy(
        PolicyName="veeam-extra",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
            }
        ),
    )["Policy"]["Arn"]
    iam.create_policy_version(
        PolicyArn=local, PolicyDocument=json.dumps(LOCAL_DOCUMENT), SetAsDefault=True
    )
    iam.create_role(
        RoleName="VeeamEc2Backup",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )
    iam.attach_role_policy(RoleName="VeeamEc2Backup", PolicyArn=local)
    iam.attach_role_policy(RoleName="VeeamEc2Backup", PolicyArn=IAM_READ_ONLY)
    return {"local": local, "url": moto_server.url}


def test_live_export_takes_default_versions(
    moto_server: MotoServer, account: dict[str, str], tmp_path: Path
) -> None:
    calls = tmp_path / "calls.txt"
    done = export(
        "--endpoint-url", account["url"], env=scan_env(moto_server, VBAWS_RECORD_CALLS=str(calls))
    )
    assert done.returncode == 0, done.stderr
    # Read-only, and one paginated call rather than one per policy.
    assert set(calls.read_text().split()) == {"iam:GetAccountAuthorizationDetails"}
    policies = json.loads(done.stdout)["vbaws_managed_policies"]
    assert policies[account["local"]] == {
        "name": "veeam-extra",
        "version_id": "v2",
        "document": LOCAL_DOCUMENT,
    }
    assert policies[IAM_READ_ONLY]["name"] == "IAMReadOnlyAccess"
    assert "iam:Get*" in policies[IAM_READ_ONLY]["document"]["Statement"][0]["Action"]

    local_only = export(
        "--endpoint-url", account["url"], "--scope", "local", env=scan_env(moto_server)
    )
    assert list(json.loads(local_only.stdout)["vbaws_managed_policies"]) == [account["local"]]


def test_exported_documents_make_the_managed_policy_fixtures_pass(
    moto_server: MotoServer, account: dict[str, str], tmp_path: Path
) -> None:
    # Neither policy needs to be attached in the account when named with --policy-arn.
    output = tmp_path / "managed.json"
    done = export(
        "--endpoint-url",
        account["url"],
        "--policy-arn",
        POWER_USER,
        "--policy-arn",
        IAM_READ_ONLY,
        "--output",
        str(output),
        env=scan_env(moto_server, VBAWS_RECORD_CALLS=str(tmp_path / "calls.txt")),
    )
    assert done.returncode == 0, done.stderr
    assert sorted((tmp_path / "calls.txt").read_text().split()) == [
        "iam:GetPolicy",
        "iam:GetPolicy",
        "iam:GetPolicyVersion",
        "iam:GetPolicyVersion",
    ]
    assert set(json.loads(output.read_text())["vbaws_managed_policies"]) == {
        POWER_USER,
        IAM_READ_ONLY,
    }
    for namespace, fixture in [
        ("vbaws.terraform", FIXTURES / "terraform" / "aws-managed-policies.json"),
        ("vbaws.cloudformation", FIXTURES / "cloudformation" / "aws-managed-policies.yaml"),
    ]:
        result = run_conftest(namespace, fixture, output)
        assert (result.returncode, result.failures, result.warnings) == (0, [], [])


def test_live_unknown_policy_arn(moto_server: MotoServer, account: dict[str, str]) -> None:
    arn = "arn:aws:iam::123456789012:policy/does-not-exist"
    done = export("--endpoint-url", account["url"], "--policy-arn", arn, env=scan_env(moto_server))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"error: the account: no managed policy {arn}\n"


@pytest.mark.parametrize(
    ("action", "element"),
    [
        ("GetPolicy", "Policy"),
        ("GetPolicy", "DefaultVersionId"),
        ("GetPolicyVersion", "PolicyVersion"),
        ("GetPolicyVersion", "Document"),
    ],
)
def test_live_partial_answer_for_a_policy_arn_is_an_external_failure(
    moto_server: MotoServer, account: dict[str, str], action: str, element: str
) -> None:
    """An emulator or proxy that leaves a field out: exit 3 naming it, not a KeyError."""

    def without(body: bytes) -> bytes:
        return re.sub(rf"<{element}/>|<{element}>.*?</{element}>".encode(), b"", body, flags=re.S)

    with FaultProxy(account["url"], [Fault(action, rewrite=without)]) as proxy:
        done = export(
            "--endpoint-url", proxy.url, "--policy-arn", account["local"], env=scan_env(moto_server)
        )
    assert proxy.failed == [action]
    assert (done.returncode, done.stdout) == (3, ""), done.stderr
    assert done.stderr == (
        f"error: cannot read policy {account['local']}: the endpoint's answer has no {element},"
        " which every AWS answer to this call has\n"
    )


def _saved(policies: list[dict[str, Any]]) -> dict[str, Any]:
    return {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": policies}


def _policy(arn: str, versions: list[tuple[str, bool, Any]]) -> dict[str, Any]:
    return {
        "PolicyName": arn.rsplit("/", 1)[-1],
        "Arn": arn,
        "DefaultVersionId": next((v for v, default, _ in versions if default), "v1"),
        "PolicyVersionList": [
            {"VersionId": v, "IsDefaultVersion": default, "Document": document}
            for v, default, document in versions
        ],
    }


def test_from_file_decodes_documents_and_keeps_only_the_default_version(tmp_path: Path) -> None:
    arn = "arn:aws:iam::123456789012:policy/veeam-extra"
    # The raw IAM API returns URL-encoded JSON; boto3 and the AWS CLI return objects.
    encoded = urllib.parse.quote(json.dumps(LOCAL_DOCUMENT))
    saved = tmp_path / "gaad.json"
    saved.write_text(
        json.dumps(
            [
                _saved([_policy(arn, [("v1", False, {"Statement": []}), ("v2", True, encoded)])]),
                _saved([_policy(POWER_USER, [("v12", True, {"Statement": []})])]),
            ]
        )
    )
    done = export("--from-file", str(saved), "--scope", "local")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "vbaws_managed_policies": {
            arn: {"name": "veeam-extra", "version_id": "v2", "document": LOCAL_DOCUMENT}
        }
    }


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, (), "{file}: no such file"),
        ("{not json", (), "{file}: not valid JSON: line 1 column 2: Expecting property name"),
        ("[" * 5000 + "]" * 5000, (), "{file}: nested more than 100 levels deep"),
        ('{"RoleDetailList": []}', (), "{file}: expected get-account-authorization-details"),
        (
            json.dumps(_saved([_policy(POWER_USER, [("v1", False, {})])])),
            (),
            "{file}: policy " + POWER_USER + ": expected exactly one version with "
            "IsDefaultVersion true",
        ),
        (
            json.dumps(
                _saved([dict(_policy(POWER_USER, [("v1", True, {})]), DefaultVersionId="v2")])
            ),
            (),
            "{file}: policy " + POWER_USER + ": DefaultVersionId is 'v2' but IsDefaultVersion "
            "flags 'v1'",
        ),
        (
            json.dumps(_saved([_policy(POWER_USER, [("v1", True, "not a document")])])),
            (),
            "{file}: policy " + POWER_USER + ": the policy document is not a JSON object",
        ),
        (
            json.dumps(_saved([_policy(POWER_USER, [("v1", True, '{"Sid": "\\ud800"}')])])),
            (),
            "{file}: policy " + POWER_USER + ": Sid: '\\ud800' holds a lone surrogate",
        ),
        (
            json.dumps(_saved([_policy(POWER_USER, [("v1", True, '{"Version": 1e400}')])])),
            (),
            "{file}: policy " + POWER_USER + ": Version: the number 1e400 cannot be carried",
        ),
        (
            json.dumps(_saved([])),
            ("--policy-arn", IAM_READ_ONLY),
            "{file}: no managed policy " + IAM_READ_ONLY,
        ),
    ],
    ids=[
        "missing",
        "not-json",
        "too-deep",
        "not-gaad",
        "no-default",
        "default-named-otherwise",
        "bad-document",
        "surrogate-in-document",
        "infinite-in-document",
        "arn-not-in-file",
    ],
)
def test_from_file_errors_name_the_file(
    tmp_path: Path, content: str | None, args: tuple[str, ...], message: str
) -> None:
    saved = tmp_path / "gaad.json"
    if content is not None:
        saved.write_text(content)
    done = export("--from-file", str(saved), *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("error: " + message.format(file=saved)), done.stderr
    assert "Traceback" not in done.stderr


def test_unwritable_output_is_refused_before_reading_anything(tmp_path: Path) -> None:
    missing_dir = tmp_path / "no" / "such" / "dir" / "out.json"
    done = export("--from-file", str(tmp_path / "never-read.json"), "--output", str(missing_dir))
    assert done.returncode == 2
    assert str(missing_dir.parent) in done.stderr, done.stderr
    assert "never-read.json" not in done.stderr


def test_from_file_refuses_live_options(tmp_path: Path) -> None:
    done = export("--from-file", str(tmp_path / "x.json"), "--profile", "prod")
    assert (done.returncode, done.stderr) == (
        2,
        "error: --profile, --region and --endpoint-url read a live account, not --from-file\n",
    )


def test_live_export_refused_by_aws_is_an_external_failure(
    moto_server: MotoServer, account: dict[str, str]
) -> None:
    # With IAM enforcement on, moto refuses the dummy credentials as AWS would.
    moto_server.set_auth(enforced=True)
    try:
        done = export("--endpoint-url", account["url"], env=scan_env(moto_server))
    finally:
        moto_server.set_auth(enforced=False)
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr.startswith("error: cannot read managed policies: "), done.stderr
    assert "Traceback" not in done.stderr
