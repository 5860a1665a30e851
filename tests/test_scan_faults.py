"""Failures are reported, never hidden: access denied, throttling, unreadable policies, no OPA.

moto enforces IAM on its callers here (``/moto-api/reset-auth``): each scanner user gets the
documented scanner policy (docs/scanner-policy.json) plus the one Deny the test is about.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from moto_server import (
    APPLIANCE,
    DEFAULT_ACCOUNT,
    SCANNER_POLICY,
    Fault,
    FaultProxy,
    MotoServer,
    ScanResult,
    ScanRunner,
    allow_document,
    requirement_actions,
    role_arn,
    scan_env,
    trust_document,
)

from harness.aws import accounts
from harness.aws.clients import AwsOptions, CallRecorder
from harness.aws.selection import RoleSelector

DENIALS: dict[str, list[dict[str, Any]]] = {
    "scanner": [],
    "scanner-nobulk": [
        {"Effect": "Deny", "Action": "iam:GetAccountAuthorizationDetails", "Resource": "*"}
    ],
    "scanner-noinline": [
        {"Effect": "Deny", "Action": "iam:GetAccountAuthorizationDetails", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:GetRolePolicy", "Resource": role_arn("WithInline")},
    ],
    "scanner-noversion": [
        {"Effect": "Deny", "Action": "iam:GetPolicyVersion", "Resource": "*"},
    ],
}


@pytest.fixture(scope="module")
def guarded(moto_server: MotoServer) -> Iterator[dict[str, dict[str, str]]]:
    """Three roles, one user per denial; yields each user's credentials."""
    iam = moto_server.client("iam")
    full = iam.create_policy(
        PolicyName="VeeamEc2Backup", PolicyDocument=allow_document(requirement_actions())
    )["Policy"]["Arn"]
    iam.create_role(RoleName="WithInline", AssumeRolePolicyDocument=trust_document(APPLIANCE))
    iam.put_role_policy(
        RoleName="WithInline",
        PolicyName="all",
        PolicyDocument=allow_document(requirement_actions()),
    )
    iam.create_role(RoleName="WithManaged", AssumeRolePolicyDocument=trust_document(APPLIANCE))
    iam.attach_role_policy(RoleName="WithManaged", PolicyArn=full)
    iam.create_role(RoleName="WithAwsManaged", AssumeRolePolicyDocument=trust_document(APPLIANCE))
    iam.attach_role_policy(
        RoleName="WithAwsManaged", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"
    )

    scanner_policy = json.loads(SCANNER_POLICY.read_text(encoding="utf-8"))
    users: dict[str, dict[str, str]] = {}
    for user, denials in DENIALS.items():
        iam.create_user(UserName=user)
        document = dict(scanner_policy, Statement=scanner_policy["Statement"] + denials)
        iam.put_user_policy(
            UserName=user, PolicyName="scanner", PolicyDocument=json.dumps(document)
        )
        key = iam.create_access_key(UserName=user)["AccessKey"]
        users[user] = {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}
    moto_server.set_auth(enforced=True)
    try:
        yield users
    finally:
        moto_server.set_auth(enforced=False)


def scan_through_faults(
    run_scan: ScanRunner,
    moto_server: MotoServer,
    fault: Fault,
    credentials: dict[str, str],
    *args: str,
) -> tuple[ScanResult, FaultProxy]:
    """``scan --all-roles --format json ARGS`` with the AWS calls going through a FaultProxy."""
    with FaultProxy(moto_server.url, [fault]) as proxy:
        result = run_scan(
            "--all-roles", "--format", "json", *args, credentials=credentials, endpoint=proxy.url
        )
    return result, proxy


def assert_no_secrets(result: ScanResult, credentials: dict[str, str]) -> None:
    for secret in credentials.values():
        assert secret not in result.stdout
        assert secret not in result.stderr


def test_enforcement_is_real(guarded: dict[str, dict[str, str]], run_scan: ScanRunner) -> None:
    """The dummy credentials are refused once moto enforces IAM (else the other tests prove
    nothing); the refusal is an external failure, exit 3, reported, and the key is not printed."""
    fake = {"AccessKeyId": "AKIAIOSFODNN7FAKEKEY", "SecretAccessKey": "not-a-real-secret-value"}
    result = run_scan("--all-roles", "--format", "json", credentials=fake)
    assert "sts:GetCallerIdentity" in result.stderr
    assert "InvalidClientTokenId" in result.stderr
    error = result.unlisted_error()
    assert "InvalidClientTokenId" in error
    assert_no_secrets(result, fake)


def test_bulk_path_under_the_documented_policy(
    guarded: dict[str, dict[str, str]], run_scan: ScanRunner
) -> None:
    creds = guarded["scanner"]
    result = run_scan("--all-roles", "--format", "json", credentials=creds)
    assert result.returncode == 1, result.stderr  # WithAwsManaged lacks most actions
    reports = result.reports()
    assert reports[role_arn("WithInline")]["compliant"] is True
    assert reports[role_arn("WithManaged")]["compliant"] is True
    assert reports[role_arn("WithAwsManaged")]["compliant"] is False
    assert "iam:GetAccountAuthorizationDetails" in result.calls
    assert_no_secrets(result, creds)


def test_bulk_denied_falls_back_to_per_role_calls(
    guarded: dict[str, dict[str, str]], run_scan: ScanRunner
) -> None:
    bulk = run_scan("--all-roles", "--format", "json", credentials=guarded["scanner"])
    creds = guarded["scanner-nobulk"]
    result = run_scan("--all-roles", "--format", "json", credentials=creds)
    assert result.returncode == 1, result.stderr
    assert result.reports() == bulk.reports()
    assert "iam:GetAccountAuthorizationDetails" in result.stderr
    assert "AccessDenied" in result.stderr
    assert "role by role" in result.stderr
    # The denied bulk call is tried once, then the per-role calls do the work.
    assert result.calls.count("iam:GetAccountAuthorizationDetails") == 1
    assert {"iam:ListRoles", "iam:GetRole", "iam:GetRolePolicy"} <= set(result.calls)
    assert_no_secrets(result, creds)


def test_bulk_only_when_denied_reports_the_account(
    guarded: dict[str, dict[str, str]], run_scan: ScanRunner
) -> None:
    creds = guarded["scanner-nobulk"]
    result = run_scan("--all-roles", "--format", "json", "--collection", "bulk", credentials=creds)
    assert result.returncode == 3
    (record,) = result.json()["reports"]
    assert record["role_arn"] == f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/*"
    assert record["evaluated"] is False and record["compliant"] is False
    assert "iam:GetAccountAuthorizationDetails" in record["error"]
    assert "AccessDenied" in record["error"]


def test_denied_role_policy_leaves_that_role_not_evaluated(
    guarded: dict[str, dict[str, str]], run_scan: ScanRunner
) -> None:
    creds = guarded["scanner-noinline"]
    result = run_scan("--all-roles", "--format", "json", credentials=creds)
    assert result.returncode == 3
    document = result.json()
    reports = result.reports()
    record = reports[role_arn("WithInline")]
    assert record["evaluated"] is False
    assert record["compliant"] is False
    assert "WithInline" in record["error"]
    assert "iam:GetRolePolicy" in record["error"]
    assert "AccessDenied" in record["error"]
    # Everything else is still evaluated and reported.
    assert reports[role_arn("WithManaged")]["compliant"] is True
    assert reports[role_arn("WithAwsManaged")]["compliant"] is False
    assert document["summary"] == {
        "roles": 3,
        "compliant": 1,
        "not_compliant": 1,
        "not_evaluated": 1,
    }
    assert f"{role_arn('WithInline')}: not evaluated" in result.stderr
    assert_no_secrets(result, creds)


def test_unreadable_policy_version_leaves_its_roles_not_evaluated(
    guarded: dict[str, dict[str, str]], run_scan: ScanRunner
) -> None:
    creds = guarded["scanner-noversion"]
    result = run_scan("--all-roles", "--format", "json", credentials=creds)
    assert result.returncode == 3
    reports = result.reports()
    record = reports[role_arn("WithAwsManaged")]
    assert record["evaluated"] is False
    assert "iam:GetPolicyVersion" in record["error"]
    assert "arn:aws:iam::aws:policy/ReadOnlyAccess" in record["error"]
    # Local managed policies come with the bulk call: those roles are fine.
    assert reports[role_arn("WithManaged")]["compliant"] is True
    assert reports[role_arn("WithInline")]["compliant"] is True


def test_throttling_past_the_retries(
    guarded: dict[str, dict[str, str]], moto_server: MotoServer, run_scan: ScanRunner
) -> None:
    result, proxy = scan_through_faults(
        run_scan,
        moto_server,
        Fault("GetRolePolicy"),
        guarded["scanner"],
        "--collection",
        "per-role",
        "--max-attempts",
        "2",
    )
    assert result.returncode == 3
    record = result.reports()[role_arn("WithInline")]
    assert record["evaluated"] is False
    assert "iam:GetRolePolicy" in record["error"]
    assert "Throttling" in record["error"]
    assert proxy.failed == ["GetRolePolicy", "GetRolePolicy"]  # retried, then given up
    assert result.reports()[role_arn("WithManaged")]["compliant"] is True


def test_throttled_bulk_call_reports_the_account_not_its_roles(
    guarded: dict[str, dict[str, str]], moto_server: MotoServer, run_scan: ScanRunner
) -> None:
    # Throttling is not a denial: the scanner does not switch to role-by-role calls (which
    # would hit the same limit many times over); the account is reported not evaluated.
    result, proxy = scan_through_faults(
        run_scan,
        moto_server,
        Fault("GetAccountAuthorizationDetails"),
        guarded["scanner"],
        "--max-attempts",
        "3",
    )
    assert result.returncode == 3
    (record,) = result.json()["reports"]
    assert record["role_arn"] == f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/*"
    assert record["evaluated"] is False and record["compliant"] is False
    assert "iam:GetAccountAuthorizationDetails" in record["error"]
    assert "Throttling" in record["error"]
    assert proxy.failed == ["GetAccountAuthorizationDetails"] * 3  # every attempt, then given up
    assert "iam:ListRoles" not in result.calls


NOT_AWS = b"<html>not aws</html>"
MALFORMED = "the endpoint's answer (HTTP 200) was not a valid AWS response"


@pytest.mark.parametrize(
    "answer", [NOT_AWS, b"<GetRolePolicyResponse><GetRolePolicyResult>"], ids=["html", "truncated"]
)
def test_malformed_answer_leaves_that_role_not_evaluated(
    guarded: dict[str, dict[str, str]], moto_server: MotoServer, run_scan: ScanRunner, answer: bytes
) -> None:
    """HTTP 200 with a body that is not AWS XML (botocore raises a bare KeyError, or for XML
    that does not parse a ResponseParserError) is an AWS failure like any other: the role is
    not evaluated, the others are, exit 3."""
    result, proxy = scan_through_faults(
        run_scan,
        moto_server,
        Fault("GetRolePolicy", when="WithInline", answer=answer),
        guarded["scanner"],
        "--collection",
        "per-role",
    )
    assert result.returncode == 3
    assert proxy.failed == ["GetRolePolicy"]  # not retried: the answer came, it was wrong
    reports = result.reports()
    record = reports[role_arn("WithInline")]
    assert record["evaluated"] is False and record["compliant"] is False
    assert record["error"] == f"role WithInline: iam:GetRolePolicy all: {MALFORMED}"
    assert reports[role_arn("WithManaged")]["compliant"] is True
    assert reports[role_arn("WithAwsManaged")]["evaluated"] is True
    assert result.json()["summary"]["not_evaluated"] == 1


def test_malformed_caller_identity_reports_the_unknown_account(
    guarded: dict[str, dict[str, str]], moto_server: MotoServer, run_scan: ScanRunner
) -> None:
    result, _ = scan_through_faults(
        run_scan,
        moto_server,
        Fault("GetCallerIdentity", answer=NOT_AWS),
        guarded["scanner"],
    )
    error = result.unlisted_error()
    assert error == f"cannot identify the AWS caller (sts:GetCallerIdentity): {MALFORMED}"
    assert "sts:GetCallerIdentity" in result.stderr


def test_malformed_organizations_answer_is_not_read_as_no_organization(
    guarded: dict[str, dict[str, str]], moto_server: MotoServer, run_scan: ScanRunner
) -> None:
    """A JSON API answering 200 with a non-JSON body (botocore would read it as an empty
    answer) leaves the SCPs unread, never "not in an organization"."""
    result, proxy = scan_through_faults(
        run_scan,
        moto_server,
        Fault("DescribeOrganization", answer=NOT_AWS),
        guarded["scanner"],
        "--with-scps",
    )
    assert result.returncode == 3
    assert proxy.failed == ["DescribeOrganization"]
    for record in result.json()["reports"]:
        assert record["evaluated"] is False
        assert f"organizations:DescribeOrganization: {MALFORMED}" in record["error"]


def incomplete(name: str) -> str:
    return f"the endpoint's answer has no {name}, which every AWS answer to this call has"


def without(element: str) -> Callable[[bytes], bytes]:
    """A rewrite of an XML answer that leaves out every ``element`` (an emulator or proxy that
    got the answer wrong); the others are still evaluated."""

    def rewrite(body: bytes) -> bytes:
        return re.sub(rf"<{element}/>|<{element}>.*?</{element}>".encode(), b"", body, flags=re.S)

    return rewrite


@pytest.mark.parametrize(
    ("fault", "options", "arn", "reason"),
    [
        (
            Fault(
                "GetCallerIdentity",
                answer=b"<GetCallerIdentityResponse><GetCallerIdentityResult>"
                b"</GetCallerIdentityResult></GetCallerIdentityResponse>",
            ),
            (),
            "arn:aws:iam::*:role/*",
            f"cannot identify the AWS caller (sts:GetCallerIdentity): {incomplete('Arn')}",
        ),
        (
            Fault(
                "GetRole",
                when="WithInline",
                answer=b"<GetRoleResponse><GetRoleResult></GetRoleResult></GetRoleResponse>",
            ),
            ("--collection", "per-role"),
            role_arn("WithInline"),
            f"role WithInline: iam:GetRole: {incomplete('Role')}",
        ),
        (
            Fault("DescribeOrganization", answer=b"{}"),
            ("--with-scps",),
            role_arn("WithInline"),
            f"organizations:DescribeOrganization: {incomplete('Organization')}",
        ),
        (
            Fault("GetRolePolicy", when="WithInline", rewrite=without("PolicyDocument")),
            ("--collection", "per-role"),
            role_arn("WithInline"),
            f"role WithInline: iam:GetRolePolicy all: {incomplete('PolicyDocument')}",
        ),
        (
            Fault("GetAccountAuthorizationDetails", rewrite=without("PolicyDocument")),
            (),
            role_arn("WithInline"),
            f"role WithInline: iam:GetAccountAuthorizationDetails: {incomplete('PolicyDocument')}",
        ),
        (
            Fault("GetAccountAuthorizationDetails", rewrite=without("PolicyArn")),
            (),
            role_arn("WithManaged"),
            f"role WithManaged: iam:GetAccountAuthorizationDetails: {incomplete('PolicyArn')}",
        ),
        (
            Fault("ListAttachedRolePolicies", when="WithManaged", rewrite=without("PolicyArn")),
            ("--collection", "per-role"),
            role_arn("WithManaged"),
            f"role WithManaged: iam:ListAttachedRolePolicies: {incomplete('PolicyArn')}",
        ),
        (
            Fault("ListRoles", rewrite=without("RoleName")),
            ("--collection", "per-role"),
            f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/*",
            f"account {DEFAULT_ACCOUNT}: iam:ListRoles: {incomplete('RoleName')}",
        ),
        (
            Fault("GetAccountAuthorizationDetails", rewrite=without("Arn")),
            (),
            f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/*",
            f"account {DEFAULT_ACCOUNT}: iam:GetAccountAuthorizationDetails: {incomplete('Arn')}",
        ),
        (
            Fault("ListRoles", rewrite=without("Roles")),
            ("--collection", "per-role"),
            f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/*",
            f"account {DEFAULT_ACCOUNT}: iam:ListRoles: {incomplete('Roles')}",
        ),
        (
            Fault("GetAccountAuthorizationDetails", rewrite=without("RoleDetailList")),
            (),
            f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/*",
            f"account {DEFAULT_ACCOUNT}: iam:GetAccountAuthorizationDetails: "
            f"{incomplete('RoleDetailList')}",
        ),
        (
            Fault("ListRolePolicies", when="WithInline", rewrite=without("PolicyNames")),
            ("--collection", "per-role"),
            role_arn("WithInline"),
            f"role WithInline: iam:ListRolePolicies: {incomplete('PolicyNames')}",
        ),
        (
            Fault(
                "ListAttachedRolePolicies", when="WithManaged", rewrite=without("AttachedPolicies")
            ),
            ("--collection", "per-role"),
            role_arn("WithManaged"),
            f"role WithManaged: iam:ListAttachedRolePolicies: {incomplete('AttachedPolicies')}",
        ),
        (
            Fault("GetPolicyVersion", rewrite=without("Document")),
            (),
            role_arn("WithAwsManaged"),
            "role WithAwsManaged: iam:GetPolicyVersion on arn:aws:iam::aws:policy/ReadOnlyAccess "
            "version ",
        ),
    ],
    ids=[
        "caller",
        "role",
        "organization",
        "inline-document",
        "bulk-inline-document",
        "bulk-attached-arn",
        "attached-arn",
        "listed-role-name",
        "bulk-arn",
        "role-list",
        "bulk-role-list",
        "inline-list",
        "attached-list",
        "policy-version-document",
    ],
)
def test_an_answer_without_what_every_answer_has_is_an_aws_failure(
    guarded: dict[str, dict[str, str]],
    moto_server: MotoServer,
    run_scan: ScanRunner,
    fault: Fault,
    options: tuple[str, ...],
    arn: str,
    reason: str,
) -> None:
    """Well-formed, but without the field the call always returns (an emulator or a proxy that
    got it wrong): not a traceback, the same failure as any other at that point."""
    result, _ = scan_through_faults(run_scan, moto_server, fault, guarded["scanner"], *options)
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    record = result.reports()[arn]
    assert record["evaluated"] is False and record["compliant"] is False
    assert reason in record["error"]


@pytest.mark.parametrize("element", ["AttachedManagedPolicies", "RolePolicyList"])
def test_bulk_role_without_a_policy_list_is_not_evaluated_and_saved_so(
    guarded: dict[str, dict[str, str]],
    moto_server: MotoServer,
    run_scan: ScanRunner,
    tmp_path: Path,
    element: str,
) -> None:
    """AWS lists both, empty when the role has none: a list left out is not "none" (a Deny in
    it would go unread). The saved scan keeps the roles as not evaluated, and reads back."""
    saved = tmp_path / "saved.json"
    fault = Fault("GetAccountAuthorizationDetails", rewrite=without(element))
    result, _ = scan_through_faults(
        run_scan, moto_server, fault, guarded["scanner"], "--save-snapshot", str(saved)
    )
    assert result.returncode == 3
    reports = result.reports()
    for name in ("WithInline", "WithManaged", "WithAwsManaged"):
        assert reports[role_arn(name)]["evaluated"] is False
        assert reports[role_arn(name)]["error"] == (
            f"role {name}: iam:GetAccountAuthorizationDetails: {incomplete(element)}"
        )
    offline = run_scan("--from-file", str(saved), "--all-roles", "--format", "json", endpoint=False)
    assert offline.returncode == 3, offline.stderr
    assert offline.reports() == reports


def test_an_answer_of_a_shape_nothing_foresaw_costs_its_account_alone(
    moto_server: MotoServer,
    guarded: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The last safety net, for an answer no check above catches: that account is recorded as
    not collected, with why, instead of a traceback that loses every other result."""

    def odd_answer(*_: Any, **__: Any) -> Any:
        raise KeyError("RoleId")

    # moto enforces IAM in this module: the scanner user's credentials, as the CLI tests use.
    for name, value in scan_env(moto_server, guarded["scanner"]).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(accounts, "collect_account", odd_answer)
    options = accounts.CollectOptions(
        AwsOptions(endpoint_url=moto_server.url), RoleSelector(all_roles=True)
    )
    result = accounts.collect(options, CallRecorder())
    assert result.account_ids == [DEFAULT_ACCOUNT]
    assert result.account_failures == {
        DEFAULT_ACCOUNT: f"account {DEFAULT_ACCOUNT}: an AWS answer did not have the expected "
        "shape (KeyError: 'RoleId')"
    }


def test_unreachable_opa_reports_every_role_not_evaluated(
    guarded: dict[str, dict[str, str]], run_scan: ScanRunner
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    result = run_scan(
        "--all-roles", "--format", "json", "--opa-url", dead, credentials=guarded["scanner"]
    )
    assert result.returncode == 3
    document = result.json()
    assert document["summary"] == {
        "roles": 3,
        "compliant": 0,
        "not_compliant": 0,
        "not_evaluated": 3,
    }
    for record in document["reports"]:
        assert record["evaluated"] is False
        assert dead in record["error"]
    assert "error:" in result.stderr


def test_unreachable_endpoint(run_scan: ScanRunner, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    result = run_scan("--all-roles", "--max-attempts", "1", "--format", "json", endpoint=dead)
    assert result.returncode == 3
    assert "sts:GetCallerIdentity" in result.stderr
    assert "unreachable" in result.stderr
    # The report is still written (contract section 4): not even the account is known, so one
    # record stands for every role of it.
    (record,) = result.json()["reports"]
    assert record["role_arn"] == "arn:aws:iam::*:role/*"
    assert record["evaluated"] is False and record["compliant"] is False
    assert record["error"].startswith("cannot identify the AWS caller (sts:GetCallerIdentity)")
    assert "unreachable" in record["error"]
    assert result.json()["summary"]["not_evaluated"] == 1
    # The same with --output: the file is written, nothing goes to standard output.
    out = tmp_path / "report.json"
    to_file = run_scan(
        "--all-roles", "--max-attempts", "1", "--format", "json", "--output", str(out),
        endpoint=dead,
    )  # fmt: skip
    assert (to_file.returncode, to_file.stdout) == (3, "")
    assert json.loads(out.read_text(encoding="utf-8")) == result.json()


def test_opa_timing_out_reports_every_role_not_evaluated(
    guarded: dict[str, dict[str, str]], run_scan: ScanRunner
) -> None:
    # A server that accepts connections and never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        result = run_scan(
            "--all-roles", "--format", "json", "--opa-url", url, "--opa-timeout", "0.5",
            credentials=guarded["scanner"],
        )  # fmt: skip
    assert result.returncode == 3
    summary = result.json()["summary"]
    assert summary["not_evaluated"] == summary["roles"] == 3
    assert all("did not answer" in r["error"] for r in result.json()["reports"])


def _no_aws_config(tmp_path: Path, **env: str) -> dict[str, str]:
    empty = tmp_path / "empty"
    empty.write_text("")
    return {"AWS_CONFIG_FILE": str(empty), "AWS_SHARED_CREDENTIALS_FILE": str(empty), **env}


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--profile", "nope"], {}, "AWS profile not found: nope (from --profile)"),
        ([], {"AWS_PROFILE": "nope"}, "AWS profile not found: nope (from AWS_PROFILE)"),
        (
            ["--endpoint-url", "foo"],
            {},
            "--endpoint-url 'foo' is not an endpoint URL: expected http(s)://HOST[:PORT], "
            "e.g. http://localhost:5000",
        ),
        (
            ["--endpoint-url", "ftp://localhost:5000"],
            {},
            "--endpoint-url 'ftp://localhost:5000' is not an endpoint URL: expected "
            "http(s)://HOST[:PORT], e.g. http://localhost:5000",
        ),
        (
            ["--region", "us east"],
            {},
            "--region 'us east' is not a region name: expected e.g. us-east-1",
        ),
        (
            [],
            {"AWS_DEFAULT_REGION": "us east"},
            "AWS region 'us east' (from AWS_DEFAULT_REGION) is not a region name: expected "
            "e.g. us-east-1 (--region overrides it)",
        ),
    ],
    ids=[
        "profile-flag",
        "profile-environment",
        "endpoint-not-a-url",
        "endpoint-not-http",
        "region-not-a-name",
        "region-environment",
    ],
)
@pytest.mark.parametrize("command", ["scan", "export-managed-policies"])
def test_aws_options_aws_would_never_see_are_usage_errors(
    run_harness, tmp_path: Path, command: str, args: list[str], env: dict[str, str], message: str
) -> None:
    """Named as given (AWS_PROFILE too), exit 2 before any AWS call, not exit 3 as if AWS had
    failed."""
    selection = ["--all-roles", "--opa-url", "http://127.0.0.1:1"] if command == "scan" else []
    result = run_harness(command, *selection, *args, env=_no_aws_config(tmp_path, **env))
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"error: {message}\n")


@pytest.mark.parametrize("command", ["scan", "export-managed-policies"])
def test_region_from_a_profile_config_that_aws_would_never_see_is_a_usage_error(
    run_harness, tmp_path: Path, command: str
) -> None:
    config = tmp_path / "config"
    config.write_text(
        "[profile backup]\nregion = eu_west_1!\n"
        "aws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    env = dict(_no_aws_config(tmp_path), AWS_CONFIG_FILE=str(config))
    selection = ["--all-roles", "--opa-url", "http://127.0.0.1:1"] if command == "scan" else []
    result = run_harness(command, *selection, "--profile", "backup", env=env)
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        "error: AWS region 'eu_west_1!' (from the config of AWS profile backup) is not a region "
        "name: expected e.g. us-east-1 (--region overrides it)\n",
    )
    # --region overrides it: the command goes on, to an OPA or an endpoint that is not there.
    offline = ["--endpoint-url", "http://127.0.0.1:1"] if command != "scan" else []
    overridden = run_harness(
        command, *selection, "--profile", "backup", "--region", "eu-west-1", *offline, env=env
    )
    assert overridden.returncode == 3, overridden.stderr
    assert "is not a region name" not in overridden.stderr


def truncated_without_marker(body: bytes) -> bytes:
    """The page (moto's whole list) says more follow, and gives no Marker to read them with."""
    text = re.sub(r"<IsTruncated>[^<]*</IsTruncated>|<Marker>[^<]*</Marker>", "", body.decode())
    return re.sub(r"(</\w+Result>)", r"<IsTruncated>true</IsTruncated>\1", text, count=1).encode()


TRUNCATED = "the endpoint's answer says IsTruncated but has no Marker to read the rest of the list"


def marker_without_is_truncated(body: bytes) -> bytes:
    """The page gives a Marker for more, but not IsTruncated, which botocore goes on by."""
    text = re.sub(r"<IsTruncated>[^<]*</IsTruncated>|<Marker>[^<]*</Marker>", "", body.decode())
    return re.sub(r"(</\w+Result>)", r"<Marker>more</Marker>\1", text, count=1).encode()


UNSAID = "the endpoint's answer has no IsTruncated, which every AWS answer to this call has"
PAGE_FAULTS = pytest.mark.parametrize(
    ("rewrite", "problem"),
    [(truncated_without_marker, TRUNCATED), (marker_without_is_truncated, UNSAID)],
    ids=["no-marker", "no-is-truncated"],
)


@pytest.mark.parametrize(
    ("action", "options", "operation"),
    [
        ("GetAccountAuthorizationDetails", (), "iam:GetAccountAuthorizationDetails"),
        ("ListRoles", ("--collection", "per-role"), "iam:ListRoles"),
    ],
    ids=["bulk", "per-role"],
)
@PAGE_FAULTS
def test_role_list_truncated_without_marker_leaves_the_account_not_evaluated(
    guarded: dict[str, dict[str, str]],
    moto_server: MotoServer,
    run_scan: ScanRunner,
    action: str,
    options: tuple[str, ...],
    operation: str,
    rewrite: Callable[[bytes], bytes],
    problem: str,
) -> None:
    """botocore's paginator takes such a page as the last one: the roles on the pages after it
    would silently be missing from the report."""
    fault = Fault(action, rewrite=rewrite)
    result, proxy = scan_through_faults(run_scan, moto_server, fault, guarded["scanner"], *options)
    assert proxy.failed == [action]
    assert result.returncode == 3
    (record,) = result.json()["reports"]
    assert record["role_arn"] == f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/*"
    assert record["evaluated"] is False and record["compliant"] is False
    assert record["error"] == f"account {DEFAULT_ACCOUNT}: {operation}: {problem}"


@pytest.mark.parametrize(
    ("action", "role"),
    [("ListRolePolicies", "WithInline"), ("ListAttachedRolePolicies", "WithManaged")],
)
@PAGE_FAULTS
def test_role_policies_truncated_without_marker_leave_that_role_not_evaluated(
    guarded: dict[str, dict[str, str]],
    moto_server: MotoServer,
    run_scan: ScanRunner,
    action: str,
    role: str,
    rewrite: Callable[[bytes], bytes],
    problem: str,
) -> None:
    """A policy on the unread pages may deny what the role needs: never compliant without it."""
    fault = Fault(action, when=f"RoleName={role}", rewrite=rewrite)
    result, proxy = scan_through_faults(
        run_scan, moto_server, fault, guarded["scanner"], "--collection", "per-role"
    )
    assert proxy.failed == [action]
    assert result.returncode == 3
    reports = result.reports()
    record = reports[role_arn(role)]
    assert record["evaluated"] is False and record["compliant"] is False
    assert record["error"] == f"role {role}: iam:{action}: {problem}"
    assert result.json()["summary"]["not_evaluated"] == 1


def more_from(marker: str) -> Callable[[bytes], bytes]:
    """The page (moto's whole list) says more follow, from ``marker``."""

    def rewrite(body: bytes) -> bytes:
        text = re.sub(r"<IsTruncated>[^<]*</IsTruncated>|<Marker>[^<]*</Marker>", "", body.decode())
        more = f"<IsTruncated>true</IsTruncated><Marker>{marker}</Marker>"
        return re.sub(r"(</\w+Result>)", more + r"\1", text, count=1).encode()

    return rewrite


@pytest.mark.parametrize(
    ("action", "request_text", "options", "arn", "where"),
    [
        (
            "GetAccountAuthorizationDetails",
            "",
            (),
            f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/*",
            f"account {DEFAULT_ACCOUNT}: iam:GetAccountAuthorizationDetails",
        ),
        (
            "ListRolePolicies",
            "RoleName=WithInline",
            ("--collection", "per-role"),
            role_arn("WithInline"),
            "role WithInline: iam:ListRolePolicies",
        ),
    ],
    ids=["bulk", "per-role"],
)
def test_markers_that_go_round_are_an_aws_failure(
    guarded: dict[str, dict[str, str]],
    moto_server: MotoServer,
    run_scan: ScanRunner,
    action: str,
    request_text: str,
    options: tuple[str, ...],
    arn: str,
    where: str,
) -> None:
    """Marker A leads to B and B back to A: botocore would ask for ever (it stops only on the
    same Marker twice in a row), and the scan would never report."""
    faults = [
        Fault(action, when="Marker=A", rewrite=more_from("B")),
        Fault(action, when=request_text, rewrite=more_from("A")),
    ]
    with FaultProxy(moto_server.url, faults) as proxy:
        result = run_scan(
            "--all-roles",
            "--format",
            "json",
            *options,
            credentials=guarded["scanner"],
            endpoint=proxy.url,
        )
    assert proxy.failed == [action] * 3
    assert result.returncode == 3
    record = result.reports()[arn]
    assert record["evaluated"] is False and record["compliant"] is False
    assert record["error"] == (
        f"{where}: the endpoint's answer gives a Marker it gave before: the list would never end"
    )


def only(keep: str, empty: str, more: str | None) -> Callable[[bytes], bytes]:
    """moto's whole answer as one page of IAM's: the ``keep`` list in full, the ``empty`` list
    as the empty element IAM sends for a list with nothing on this page, and more to follow
    from ``more`` (or none)."""

    def rewrite(body: bytes) -> bytes:
        text = re.sub(
            rf"<{empty}>.*?</{empty}>|<{empty}/>", f"<{empty}/>", body.decode(), flags=re.S
        )
        assert f"<{keep}>" in text
        return more_from(more)(text.encode()) if more else text.encode()

    return rewrite


def test_a_page_of_policies_alone_is_read_with_the_roles_before_it(
    guarded: dict[str, dict[str, str]], moto_server: MotoServer, run_scan: ScanRunner
) -> None:
    """A GetAccountAuthorizationDetails page may hold only roles or only policies; IAM still
    sends the other list, empty (public tools index every list of every page: PMapper unfiltered,
    cloudsplaining Policies on pages filtered to roles). Such pages are one answer, never an
    incomplete one: the same reports, and VeeamEc2Backup taken from the second page, not
    fetched again."""
    whole = run_scan("--all-roles", "--format", "json", credentials=guarded["scanner"])
    faults = [
        Fault(
            "GetAccountAuthorizationDetails",
            when="Marker=p2",
            rewrite=only("Policies", "RoleDetailList", None),
        ),
        Fault("GetAccountAuthorizationDetails", rewrite=only("RoleDetailList", "Policies", "p2")),
    ]
    with FaultProxy(moto_server.url, faults) as proxy:
        result = run_scan(
            "--all-roles", "--format", "json", credentials=guarded["scanner"], endpoint=proxy.url
        )
    assert proxy.failed == ["GetAccountAuthorizationDetails"] * 2
    assert (result.returncode, result.reports()) == (whole.returncode, whole.reports())
    assert sorted(result.calls) == sorted(whole.calls + ["iam:GetAccountAuthorizationDetails"])
