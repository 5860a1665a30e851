"""SCPs and organization-wide scans against an emulated organization.

Management account 123456789012 (moto's default) with root -> Workloads -> Prod; account
``prod`` sits in Prod, where an SCP denies kms:CreateGrant; account ``dev`` sits under the root.
Every account has a role VeeamBackup with every ec2_backup permission.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from moto_server import (
    APPLIANCE,
    DEFAULT_ACCOUNT,
    Fault,
    FaultProxy,
    MotoServer,
    Route,
    ScanResult,
    ScanRunner,
    allow_document,
    requirement_actions,
    trust_document,
)

ASSUME = ["--assume-role-name", "OrganizationAccountAccessRole"]
# The organization's VeeamBackup roles, with their SCPs, as JSON.
OWN_ROLE_WITH_SCPS = ["--with-scps", "--role", "VeeamBackup", "--format", "json"]
WITH_SCPS = ["--organization", *ASSUME, *OWN_ROLE_WITH_SCPS]
# The same without SCPs.
VEEAM_ROLES = ["--organization", *ASSUME, "--role", "VeeamBackup", "--format", "json"]
SERVICE_LINKED = "AWSServiceRoleForVeeamTest"
# No AWS managed policy is used here; moto is much faster without loading them per account.
MOTO_MANAGED_POLICIES = False


@dataclass(frozen=True)
class Org:
    root: str
    workloads: str
    prod_ou: str
    prod: str
    dev: str


def role_arn(account: str, name: str = "VeeamBackup") -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def _backup_role(iam: object, *, service_linked: bool = False) -> None:
    full = iam.create_policy(  # type: ignore[attr-defined]
        PolicyName="VeeamEc2Backup", PolicyDocument=allow_document(requirement_actions())
    )["Policy"]["Arn"]
    iam.create_role(  # type: ignore[attr-defined]
        RoleName="VeeamBackup", AssumeRolePolicyDocument=trust_document(APPLIANCE)
    )
    iam.attach_role_policy(RoleName="VeeamBackup", PolicyArn=full)  # type: ignore[attr-defined]
    if service_linked:
        iam.create_role(  # type: ignore[attr-defined]
            RoleName=SERVICE_LINKED,
            Path="/aws-service-role/ec2.amazonaws.com/",
            AssumeRolePolicyDocument=trust_document(APPLIANCE),
        )
        iam.attach_role_policy(  # type: ignore[attr-defined]
            RoleName=SERVICE_LINKED, PolicyArn=full
        )


@pytest.fixture(scope="module")
def org(moto_server: MotoServer) -> Org:
    orgs = moto_server.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    root = orgs.list_roots()["Roots"][0]["Id"]
    orgs.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    workloads = orgs.create_organizational_unit(ParentId=root, Name="Workloads")
    workloads_id = workloads["OrganizationalUnit"]["Id"]
    prod_ou = orgs.create_organizational_unit(ParentId=workloads_id, Name="Prod")
    prod_ou_id = prod_ou["OrganizationalUnit"]["Id"]
    prod = orgs.create_account(AccountName="prod", Email="prod@example.com")
    prod_id = prod["CreateAccountStatus"]["AccountId"]
    orgs.move_account(AccountId=prod_id, SourceParentId=root, DestinationParentId=prod_ou_id)
    dev = orgs.create_account(AccountName="dev", Email="dev@example.com")
    dev_id = dev["CreateAccountStatus"]["AccountId"]
    deny = orgs.create_policy(
        Name="DenyKmsGrant",
        Description="no grants",
        Type="SERVICE_CONTROL_POLICY",
        Content=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "NoGrants",
                        "Effect": "Deny",
                        "Action": "kms:CreateGrant",
                        "Resource": "*",
                    }
                ],
            }
        ),
    )
    orgs.attach_policy(PolicyId=deny["Policy"]["PolicySummary"]["Id"], TargetId=prod_ou_id)

    _backup_role(moto_server.client("iam"))
    _backup_role(moto_server.client("iam", moto_server.assume(prod_id)), service_linked=True)
    _backup_role(moto_server.client("iam", moto_server.assume(dev_id)))
    return Org(root, workloads_id, prod_ou_id, prod_id, dev_id)


def test_organization_scan_with_scps(org: Org, run_scan: ScanRunner) -> None:
    result = run_scan(*WITH_SCPS)
    assert result.returncode == 1, result.stderr
    reports = result.reports()
    assert set(reports) == {
        role_arn(DEFAULT_ACCOUNT),
        role_arn(org.prod),
        role_arn(org.dev),
    }

    management = reports[role_arn(DEFAULT_ACCOUNT)]
    assert management["compliant"] is True
    assert management["layers"]["scps"] is False
    assert management["scps_note"] == "SCPs do not apply to the organization's management account"

    prod = reports[role_arn(org.prod)]
    assert prod["layers"]["scps"] is True
    assert prod["compliant"] is False
    assert prod["checks"]["ec2_backup"]["denied"] == ["kms:CreateGrant"]
    grant = prod["checks"]["ec2_backup"]["actions"]["kms:CreateGrant"]
    assert grant["decision"] == "explicit_deny"
    assert grant["blocked_by"] == [f"scp:{org.prod_ou}"]
    assert "scps_note" not in prod

    dev = reports[role_arn(org.dev)]
    assert dev["layers"]["scps"] is True
    assert dev["compliant"] is True

    # Member accounts were read through the assumed role; SCPs with the caller's credentials.
    assert result.calls.count("sts:AssumeRole") == 2
    assert result.calls.count("organizations:ListAccounts") == 1
    # The root and the Workloads OU are shared: their SCPs are read once for both accounts.
    assert result.calls.count("organizations:DescribePolicy") == 2


def test_named_roles_found_in_no_account_are_not_evaluated(
    org: Org, run_scan: ScanRunner, tmp_path: object
) -> None:
    """As in a single-account scan, a --role that is nowhere is reported, never dropped."""
    elsewhere = "arn:aws:iam::999999999999:role/VeeamBackup"
    saved = f"{tmp_path}/org.json"
    result = run_scan(
        "--organization",
        *ASSUME,
        "--role",
        "VeeamBackup",
        "--role",
        "Nope",
        "--role",
        elsewhere,
        "--format",
        "json",
        "--save-snapshot",
        saved,
    )
    assert result.returncode == 3, result.stderr
    reports = result.reports()
    for account in (DEFAULT_ACCOUNT, org.prod, org.dev):
        assert reports[role_arn(account)]["compliant"] is True
    nope = reports["arn:aws:iam::*:role/Nope"]
    assert nope["evaluated"] is False and nope["compliant"] is False
    assert nope["error"] == "role Nope not found in any account of the organization (3 scanned)"
    assert reports[elsewhere]["evaluated"] is False
    assert reports[elsewhere]["error"] == (
        f"role {elsewhere} is in account 999999999999, not an active account of the organization"
    )
    assert result.json()["summary"]["not_evaluated"] == 2
    assert "error: arn:aws:iam::*:role/Nope: not evaluated: role Nope not found" in result.stderr

    offline = run_scan(
        "--from-file", saved, "--role", "VeeamBackup", "--role", "Nope", "--role", elsewhere,
        "--format", "json", endpoint=False,
    )  # fmt: skip
    assert offline.returncode == 3
    assert offline.json() == result.json()

    # Beside another filter, the names are still looked for in every account.
    filtered = run_scan(
        "--organization", *ASSUME, "--role", "VeeamBackup", "--role", "Nope",
        "--tag", "team=backup", "--format", "json",
    )  # fmt: skip
    assert filtered.returncode == 3, filtered.stderr
    assert list(filtered.reports()) == ["arn:aws:iam::*:role/Nope"]
    for account in (DEFAULT_ACCOUNT, org.prod, org.dev):
        assert (
            f"note: role {role_arn(account)} is named by --role but not scanned: "
            "its tags do not match --tag team=backup\n"
        ) in filtered.stderr


def test_service_linked_roles_get_no_scps(org: Org, run_scan: ScanRunner) -> None:
    result = run_scan(
        "--organization", *ASSUME, "--with-scps", "--role", SERVICE_LINKED, "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    (report,) = result.json()["reports"]
    assert (
        report["role_arn"]
        == f"arn:aws:iam::{org.prod}:role/aws-service-role/ec2.amazonaws.com/{SERVICE_LINKED}"
    )
    assert report["layers"]["scps"] is False
    assert report["compliant"] is True
    assert "service-linked" in report["scps_note"]


def test_snapshot_scps_round_trip(org: Org, run_scan: ScanRunner, tmp_path: object) -> None:
    saved = f"{tmp_path}/org.json"
    live = run_scan(*WITH_SCPS, "--save-snapshot", saved)
    offline = run_scan(
        "--from-file", saved, "--role", "VeeamBackup", "--format", "json", endpoint=False
    )
    assert offline.calls == []
    assert offline.json() == live.json()


def test_a_path_that_disagrees_with_the_arn_does_not_take_the_scps_away(
    org: Org, run_scan: ScanRunner, tmp_path: object
) -> None:
    """A role is service-linked by its ARN, which carries its path, as the engine decides it:
    a saved file whose ``Path`` alone says /aws-service-role/ (edited, or made by another tool)
    keeps prod's SCPs, and their Deny on kms:CreateGrant, or their being unreadable."""
    saved = f"{tmp_path}/org.json"
    assert run_scan(*WITH_SCPS, "--save-snapshot", saved).returncode == 1
    with open(saved, encoding="utf-8") as handle:
        data = json.load(handle)
    (prod_role,) = [r for r in data["RoleDetailList"] if r["Arn"] == role_arn(org.prod)]
    prod_role["Path"] = "/aws-service-role/ec2.amazonaws.com/"
    edited = f"{tmp_path}/edited.json"

    def scan_edited(returncode: int) -> dict[str, Any]:
        with open(edited, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        result = run_scan(
            "--from-file", edited, "--role", "VeeamBackup", "--format", "json", endpoint=False
        )
        assert result.returncode == returncode, result.stderr
        return result.reports()[role_arn(org.prod)]

    report = scan_edited(1)
    assert report["compliant"] is False
    assert report["checks"]["ec2_backup"]["denied"] == ["kms:CreateGrant"]
    assert "scps_note" not in report

    data["VbawsScan"]["accounts"][org.prod]["scps_unreadable"] = True
    report = scan_edited(3)
    assert report["evaluated"] is False and report["compliant"] is False
    assert f"the SCPs of account {org.prod} could not be read" in report["error"]


def test_member_credentials_cannot_read_scps_so_the_role_is_not_evaluated(
    org: Org, moto_server: MotoServer, run_scan: ScanRunner
) -> None:
    """SCPs asked for and not read: an SCP could deny any required action, so the role is not
    evaluated (contract section 4), never compliant without the organization layer."""
    result = run_scan(*OWN_ROLE_WITH_SCPS, credentials=moto_server.assume(org.prod))
    assert result.returncode == 3, result.stderr
    (report,) = result.json()["reports"]
    assert report["role_arn"] == role_arn(org.prod)
    assert report["evaluated"] is False and report["compliant"] is False
    assert report["error"].startswith(
        f"role VeeamBackup: --with-scps: the SCPs of account {org.prod} could not be read "
        f"(organizations:ListParents on {org.prod}: "
    )
    assert report["scps_note"] == report["error"].removeprefix("role VeeamBackup: ")
    assert result.json()["summary"]["not_evaluated"] == 1
    assert f"error: {role_arn(org.prod)}: not evaluated: {report['error']}" in result.stderr


def assert_scps_unread(
    result: ScanResult, accounts: dict[str, str], unread: list[str], operation: str, reason: str
) -> None:
    """The roles of the ``unread`` accounts are not evaluated, saying which call failed and
    why; the others are evaluated (prod's own OU denies kms:CreateGrant)."""
    reports = result.reports()
    for name, account in accounts.items():
        report = reports[role_arn(account)]
        if name not in unread:
            assert report["evaluated"] is not False and report["compliant"] is (name != "prod")
            continue
        assert report["evaluated"] is False and report["compliant"] is False
        assert f"the SCPs of account {account} could not be read" in report["error"]
        assert f"organizations:{operation}" in report["error"]
        assert reason in report["error"]
    assert result.json()["summary"]["not_evaluated"] == len(unread)


@pytest.mark.parametrize(
    ("operation", "organization", "unread"),
    [
        # Which account is the management one (SCPs do not apply to it) is not known either.
        ("DescribeOrganization", False, ["management"]),
        ("ListParents", True, ["dev"]),
        ("ListPoliciesForTarget", True, ["prod"]),
        ("DescribePolicy", True, ["prod", "dev"]),
    ],
)
def test_scps_that_cannot_be_read_leave_their_roles_not_evaluated(
    org: Org,
    moto_server: MotoServer,
    run_scan: ScanRunner,
    operation: str,
    organization: bool,
    unread: list[str],
) -> None:
    accounts = {"management": DEFAULT_ACCOUNT, "prod": org.prod, "dev": org.dev}
    # ListParents fails for dev only, ListPoliciesForTarget for prod's own OU only.
    when = {"ListParents": org.dev, "ListPoliciesForTarget": org.prod_ou}.get(operation, "")
    fault = Fault(operation, code="AccessDeniedException", message="no SCPs for you", when=when)
    scope = ["--organization", *ASSUME] if organization else []
    with FaultProxy(moto_server.url, [fault]) as proxy:
        result = run_scan(*scope, *OWN_ROLE_WITH_SCPS, endpoint=proxy.url)
    assert result.returncode == 3, result.stderr
    assert operation in proxy.failed
    scanned = accounts if organization else {"management": DEFAULT_ACCOUNT}
    assert_scps_unread(result, scanned, unread, operation, "AccessDeniedException: no SCPs for you")


@pytest.mark.parametrize("status", ["PENDING_DISABLE", "PENDING_ENABLE"])
def test_scps_being_disabled_or_enabled_are_read(
    org: Org, moto_server: MotoServer, run_scan: ScanRunner, status: str
) -> None:
    """A policy type being disabled is still enforced (and one being enabled about to be):
    prod's Deny on kms:CreateGrant counts, never "the SCP policy type is not enabled"."""
    roots = {
        "Roots": [
            {
                "Id": org.root,
                "Arn": f"arn:aws:organizations::{DEFAULT_ACCOUNT}:root/o-x/{org.root}",
                "Name": "Root",
                "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": status}],
            }
        ]
    }
    fault = Fault("ListRoots", answer=json.dumps(roots).encode())
    with FaultProxy(moto_server.url, [fault]) as proxy:
        result = run_scan(*WITH_SCPS, endpoint=proxy.url)
    assert "ListRoots" in proxy.failed
    assert result.returncode == 1, result.stderr
    prod = result.reports()[role_arn(org.prod)]
    assert prod["layers"]["scps"] is True
    assert prod["checks"]["ec2_backup"]["denied"] == ["kms:CreateGrant"]


@pytest.mark.parametrize(
    "roots",
    [
        [],
        [{"Id": "r-x", "Name": "Root"}],
        [{"Id": "r-x", "Name": "Root", "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY"}]}],
        [{"Id": "r-x", "Name": "Root", "PolicyTypes": [{"Status": "ENABLED"}]}],
    ],
    ids=["none", "no-types", "no-status", "no-type"],
)
def test_roots_that_do_not_say_which_policy_types_are_enabled_leave_scps_unread(
    org: Org, moto_server: MotoServer, run_scan: ScanRunner, roots: list[dict[str, str]]
) -> None:
    """Never "the SCP policy type is not enabled": prod's SCP denies kms:CreateGrant."""
    fault = Fault("ListRoots", answer=json.dumps({"Roots": roots}).encode())
    with FaultProxy(moto_server.url, [fault]) as proxy:
        result = run_scan(*WITH_SCPS, endpoint=proxy.url)
    assert "ListRoots" in proxy.failed
    assert result.returncode == 3, result.stderr
    reports = result.reports()
    assert reports[role_arn(DEFAULT_ACCOUNT)]["compliant"] is True
    for account in (org.prod, org.dev):
        report = reports[role_arn(account)]
        assert report["evaluated"] is False and report["compliant"] is False
        assert (
            f"the SCPs of account {account} could not be read (organizations:ListRoots: "
            in (report["error"])
        )


def test_without_with_scps_no_scps_are_read(org: Org, run_scan: ScanRunner) -> None:
    result = run_scan("--organization", *ASSUME, "--role", "VeeamBackup", "--format", "json")
    assert result.returncode == 0, result.stderr
    for report in result.json()["reports"]:
        assert report["layers"]["scps"] is False
        assert "scps_note" not in report
    assert not any(c.startswith("organizations:ListParents") for c in result.calls)


def test_one_account_failing_does_not_stop_the_others(
    org: Org, moto_server: MotoServer, run_scan: ScanRunner
) -> None:
    fault = Fault("AssumeRole", code="AccessDenied", message="not today", when=org.dev)
    with FaultProxy(moto_server.url, [fault]) as proxy:
        result = run_scan(*VEEAM_ROLES, "--max-workers", "2", endpoint=proxy.url)
    assert result.returncode == 3
    reports = result.reports()
    failed = reports[f"arn:aws:iam::{org.dev}:role/*"]
    assert failed["evaluated"] is False
    assert "sts:AssumeRole" in failed["error"]
    assert "AccessDenied" in failed["error"]
    assert org.dev in failed["error"]
    assert reports[role_arn(DEFAULT_ACCOUNT)]["compliant"] is True
    assert reports[role_arn(org.prod)]["compliant"] is True
    assert result.json()["summary"]["not_evaluated"] == 1


@pytest.mark.parametrize("element", ["Credentials", "AccessKeyId"])
def test_assumed_role_answer_without_credentials_names_the_call(
    org: Org, moto_server: MotoServer, run_scan: ScanRunner, element: str
) -> None:
    def rewrite(body: bytes) -> bytes:
        return re.sub(rf"<{element}>.*?</{element}>".encode(), b"", body, flags=re.S)

    fault = Fault("AssumeRole", when=org.dev, rewrite=rewrite)
    with FaultProxy(moto_server.url, [fault]) as proxy:
        result = run_scan(*VEEAM_ROLES, endpoint=proxy.url)
    assert proxy.failed == ["AssumeRole"]
    assert result.returncode == 3
    reports = result.reports()
    assert reports[f"arn:aws:iam::{org.dev}:role/*"]["error"] == (
        f"account {org.dev}: sts:AssumeRole on arn:aws:iam::{org.dev}:role/"
        f"OrganizationAccountAccessRole: the endpoint's answer has no {element}, which every AWS "
        "answer to this call has"
    )
    assert reports[role_arn(org.prod)]["compliant"] is True


def test_organization_needs_assume_role_name(org: Org, run_scan: ScanRunner) -> None:
    result = run_scan("--organization", "--all-roles")
    assert result.returncode == 2
    assert "--assume-role-name" in result.stderr
    assert result.calls == []


def json_without(key: str, where: str = "") -> Callable[[bytes], bytes]:
    """A rewrite of a JSON answer that drops ``key`` from each object holding ``where``."""

    def drop(value: Any) -> Any:
        if isinstance(value, dict):
            kept = {k: drop(v) for k, v in value.items()}
            if where in json.dumps(value):
                kept.pop(key, None)
            return kept
        if isinstance(value, list):
            return [drop(v) for v in value]
        return value

    return lambda body: json.dumps(drop(json.loads(body))).encode()


@pytest.mark.parametrize(
    ("operation", "key", "where", "unread"),
    [
        ("ListPoliciesForTarget", "Id", "DenyKmsGrant", ["prod"]),
        ("ListParents", "Type", "", ["prod", "dev"]),
        ("DescribePolicy", "Content", "DenyKmsGrant", ["prod"]),
        # Every level without SCPs, as if none were attached: nothing allowed, a wrong reason.
        ("ListPoliciesForTarget", "Policies", "", ["prod", "dev"]),
    ],
)
def test_scp_answers_without_what_every_answer_has_leave_their_roles_not_evaluated(
    org: Org,
    moto_server: MotoServer,
    run_scan: ScanRunner,
    operation: str,
    key: str,
    where: str,
    unread: list[str],
) -> None:
    """Never a traceback (which lost every account's results), never "no SCP"."""
    accounts = {"management": DEFAULT_ACCOUNT, "prod": org.prod, "dev": org.dev}
    fault = Fault(operation, rewrite=json_without(key, where))
    with FaultProxy(moto_server.url, [fault]) as proxy:
        result = run_scan(*WITH_SCPS, endpoint=proxy.url)
    assert operation in proxy.failed
    assert result.returncode == 3, result.stderr
    assert_scps_unread(result, accounts, unread, operation, f"the endpoint's answer has no {key}")


@pytest.mark.parametrize(("key", "where"), [("Id", "ACTIVE"), ("Accounts", "")])
def test_account_list_without_account_ids_is_an_external_failure(
    org: Org, moto_server: MotoServer, run_scan: ScanRunner, key: str, where: str
) -> None:
    fault = Fault("ListAccounts", rewrite=json_without(key, where))
    with FaultProxy(moto_server.url, [fault]) as proxy:
        result = run_scan(*WITH_SCPS, endpoint=proxy.url)
    assert proxy.failed == ["ListAccounts"]
    error = result.unlisted_error()
    assert error == (
        f"--organization: organizations:ListAccounts: the endpoint's answer has no {key}, which "
        "every AWS answer to this call has"
    )


def test_an_account_listed_without_its_state_is_not_skipped(
    org: Org, moto_server: MotoServer, run_scan: ScanRunner
) -> None:
    """An entry that says neither State nor Status may be an active account: skipped as not
    active, its roles would be missing from the report without a word (exit 0)."""
    no_state, no_status = json_without("State", org.prod), json_without("Status", org.prod)
    fault = Fault("ListAccounts", rewrite=lambda body: no_status(no_state(body)))
    with FaultProxy(moto_server.url, [fault]) as proxy:
        result = run_scan(
            "--organization", *ASSUME, "--all-roles", "--format", "json", endpoint=proxy.url
        )
    assert proxy.failed == ["ListAccounts"]
    error = result.unlisted_error()
    assert error == (
        "--organization: organizations:ListAccounts: the endpoint's answer has no State, which "
        "every AWS answer to this call has"
    )


def more_from(token: str) -> Callable[[bytes], bytes]:
    """A rewrite of a JSON answer that says more follow, from ``token``."""
    return lambda body: json.dumps(dict(json.loads(body), NextToken=token)).encode()


@pytest.mark.parametrize("operation", ["ListAccounts", "ListPoliciesForTarget"])
def test_tokens_that_go_round_end_the_listing_not_the_run(
    org: Org, moto_server: MotoServer, run_scan: ScanRunner, operation: str
) -> None:
    """Token A leads to B and B back to A: botocore would ask for ever (it stops only on the
    same token twice in a row), and the scan would never report."""
    when = org.prod_ou if operation == "ListPoliciesForTarget" else ""
    listed = "Accounts" if operation == "ListAccounts" else "Policies"
    # moto refuses a token it did not give: the pages after the first are answered here.
    faults = [
        Fault(
            operation, when="tok-A", answer=json.dumps({listed: [], "NextToken": "tok-B"}).encode()
        ),
        Fault(
            operation, when="tok-B", answer=json.dumps({listed: [], "NextToken": "tok-A"}).encode()
        ),
        Fault(operation, when=when, rewrite=more_from("tok-A")),
    ]
    with FaultProxy(moto_server.url, faults) as proxy:
        result = run_scan(*WITH_SCPS, endpoint=proxy.url)
    assert proxy.failed == [operation] * 3
    assert result.returncode == 3, result.stderr
    problem = "the endpoint's answer gives a NextToken it gave before: the list would never end"
    if operation == "ListAccounts":
        error = result.unlisted_error()
        assert error == f"--organization: organizations:ListAccounts: {problem}"
        return
    accounts = {"management": DEFAULT_ACCOUNT, "prod": org.prod, "dev": org.dev}
    assert_scps_unread(result, accounts, ["prod"], operation, problem)


# --- a delegated administrator as the scanning account ---------------------------------------

ORGANIZATIONS_TARGET = "AWSOrganizationsV20161128."
# The one Organizations read the scan makes that AWS answers for any account of the organization;
# the others (ListRoots, ListParents, ListPoliciesForTarget, DescribePolicy, ListAccounts) only
# for the management account or a delegated administrator (Organizations API reference, "API
# operations by account").
ANY_MEMBER_READS = {"DescribeOrganization"}
ACCESS_DENIED = "You don't have permissions to access this resource."


def organizations_as_in_aws(server: MotoServer, members: dict[str, str]) -> Route:
    """Who may read the organization, as AWS decides it and moto does not.

    moto answers an Organizations call from the backend of the account the credentials belong
    to: a member, delegated administrator or not, sees the organization (DescribeOrganization,
    ListRoots) but none of its accounts, OUs or policies. AWS answers a delegated administrator
    as it answers the management account, and refuses the other members. ``members`` maps the
    access key ids of member credentials to their accounts (any other key is the management
    account's); moto's own delegated administrators say who is one.
    """
    management = server.client("organizations")

    def delegated(account: str) -> bool:
        try:
            answer = management.list_delegated_services_for_account(AccountId=account)
        except management.exceptions.AccountNotRegisteredException:
            return False
        return bool(answer["DelegatedServices"])

    def route(action: str, headers: Any) -> Fault | dict[str, str] | None:
        if not str(headers.get("X-Amz-Target", "")).startswith(ORGANIZATIONS_TARGET):
            return None
        key = re.search(r"Credential=([^/]+)/", str(headers.get("Authorization", "")))
        account = members.get(key.group(1)) if key else None
        if account is None or action in ANY_MEMBER_READS:
            return None
        if not delegated(account):
            return Fault(action, code="AccessDeniedException", message=ACCESS_DENIED)
        return {"x-moto-account-id": DEFAULT_ACCOUNT}

    return route


@pytest.fixture
def delegated_prod(org: Org, moto_server: MotoServer) -> Iterator[dict[str, str]]:
    """Credentials in ``prod``, registered as a delegated administrator for the test."""
    orgs = moto_server.client("organizations")
    service = "access-analyzer.amazonaws.com"
    orgs.register_delegated_administrator(AccountId=org.prod, ServicePrincipal=service)
    try:
        yield moto_server.assume(org.prod)
    finally:
        orgs.deregister_delegated_administrator(AccountId=org.prod, ServicePrincipal=service)


def test_a_delegated_administrator_reads_the_scps_on_its_own_path(
    org: Org, moto_server: MotoServer, run_scan: ScanRunner, delegated_prod: dict[str, str]
) -> None:
    """The caller need not be the management account: prod, a member, reads the SCPs of the
    root, Workloads, Prod and itself, and Prod's Deny on kms:CreateGrant counts."""
    route = organizations_as_in_aws(moto_server, {delegated_prod["AccessKeyId"]: org.prod})
    with FaultProxy(moto_server.url, [], route) as proxy:
        result = run_scan(*OWN_ROLE_WITH_SCPS, credentials=delegated_prod, endpoint=proxy.url)
    assert result.returncode == 1, result.stderr
    (report,) = result.json()["reports"]
    assert report["role_arn"] == role_arn(org.prod)
    assert report["layers"]["scps"] is True
    assert "scps_note" not in report
    assert report["checks"]["ec2_backup"]["denied"] == ["kms:CreateGrant"]
    grant = report["checks"]["ec2_backup"]["actions"]["kms:CreateGrant"]
    assert grant["blocked_by"] == [f"scp:{org.prod_ou}"]
    # Four levels: the root, Workloads, Prod and the account.
    assert result.calls.count("organizations:ListPoliciesForTarget") == 4
    assert result.calls.count("organizations:ListParents") == 3


def test_a_delegated_administrator_scans_the_organization(
    org: Org, moto_server: MotoServer, run_scan: ScanRunner, delegated_prod: dict[str, str]
) -> None:
    """From prod, the management account is one more account to assume a role in, and still
    the one account SCPs do not apply to."""
    route = organizations_as_in_aws(moto_server, {delegated_prod["AccessKeyId"]: org.prod})
    with FaultProxy(moto_server.url, [], route) as proxy:
        result = run_scan(*WITH_SCPS, credentials=delegated_prod, endpoint=proxy.url)
    assert result.returncode == 1, result.stderr
    reports = result.reports()
    assert set(reports) == {role_arn(DEFAULT_ACCOUNT), role_arn(org.prod), role_arn(org.dev)}
    management = reports[role_arn(DEFAULT_ACCOUNT)]
    assert management["compliant"] is True and management["layers"]["scps"] is False
    assert management["scps_note"] == "SCPs do not apply to the organization's management account"
    assert reports[role_arn(org.prod)]["checks"]["ec2_backup"]["denied"] == ["kms:CreateGrant"]
    assert reports[role_arn(org.dev)]["compliant"] is True
    assert reports[role_arn(org.dev)]["layers"]["scps"] is True
    # The management account and dev through the assumed role; prod with the caller's own.
    assert result.calls.count("sts:AssumeRole") == 2


def test_a_member_that_is_not_a_delegated_administrator_reads_no_scps(
    org: Org, moto_server: MotoServer, run_scan: ScanRunner
) -> None:
    """AWS refuses it ListRoots, then ListAccounts: its roles are not evaluated, never
    evaluated without the SCPs."""
    member = moto_server.assume(org.dev)
    route = organizations_as_in_aws(moto_server, {member["AccessKeyId"]: org.dev})
    with FaultProxy(moto_server.url, [], route) as proxy:
        single = run_scan(*OWN_ROLE_WITH_SCPS, credentials=member, endpoint=proxy.url)
        organization = run_scan(*WITH_SCPS, credentials=member, endpoint=proxy.url)
    assert single.returncode == 3, single.stderr
    (report,) = single.json()["reports"]
    assert report["role_arn"] == role_arn(org.dev)
    assert report["evaluated"] is False and report["compliant"] is False
    assert report["error"] == (
        f"role VeeamBackup: --with-scps: the SCPs of account {org.dev} could not be read "
        f"(organizations:ListRoots: AccessDeniedException: {ACCESS_DENIED})"
    )
    error = organization.unlisted_error()
    assert error == (
        f"--organization: organizations:ListAccounts: AccessDeniedException: {ACCESS_DENIED}"
    )


def json_without_account(account: str) -> Callable[[bytes], bytes]:
    """A rewrite of a ListAccounts answer that leaves ``account`` out."""

    def drop(body: bytes) -> bytes:
        answer = json.loads(body)
        answer["Accounts"] = [a for a in answer["Accounts"] if a["Id"] != account]
        return json.dumps(answer).encode()

    return drop


@pytest.mark.parametrize("caller", ["member", "management"])
def test_an_account_list_without_the_management_or_callers_account_is_not_the_organization(
    org: Org, moto_server: MotoServer, run_scan: ScanRunner, caller: str
) -> None:
    """Never an empty (or short) report that exits 0. moto answers a member's ListAccounts,
    which AWS refuses (above), with no account at all; from the management account, the answer
    is rewritten without it. An organization's list always holds both accounts."""
    faults = [Fault("ListAccounts", rewrite=json_without_account(DEFAULT_ACCOUNT))]
    member = moto_server.assume(org.dev) if caller == "member" else None
    with FaultProxy(moto_server.url, faults if member is None else []) as proxy:
        result = run_scan(
            "--organization", *ASSUME, "--all-roles", "--format", "json",
            credentials=member, endpoint=proxy.url,
        )  # fmt: skip
    error = result.unlisted_error()
    assert error == (
        f"--organization: organizations:ListAccounts did not list {DEFAULT_ACCOUNT}, the "
        "management account: the organization's accounts are not all known"
    )


def test_an_account_list_without_the_callers_account_is_not_the_organization(
    org: Org, moto_server: MotoServer, run_scan: ScanRunner, delegated_prod: dict[str, str]
) -> None:
    route = organizations_as_in_aws(moto_server, {delegated_prod["AccessKeyId"]: org.prod})
    faults = [Fault("ListAccounts", rewrite=json_without_account(org.prod))]
    with FaultProxy(moto_server.url, faults, route) as proxy:
        result = run_scan(*WITH_SCPS, credentials=delegated_prod, endpoint=proxy.url)
    assert result.returncode == 3, result.stderr
    (record,) = result.json()["reports"]
    assert record["error"] == (
        f"--organization: organizations:ListAccounts did not list {org.prod}, the caller's "
        "account: the organization's accounts are not all known"
    )


def every_other_page_empty() -> Callable[[bytes], bytes]:
    """A rewrite that answers every other request with a page that holds nothing and says more
    follow, and the next (which asks for them) with moto's answer: Organizations' List* calls
    "can occasionally return an empty set of results even when there are more results"."""
    count = iter(range(1_000_000))

    def rewrite(body: bytes) -> bytes:
        if next(count) % 2:
            return body
        lists = {k: [] for k, v in json.loads(body).items() if isinstance(v, list)}
        return json.dumps({**lists, "NextToken": "more"}).encode()

    return rewrite


@pytest.mark.parametrize("operation", ["ListRoots", "ListParents"])
def test_an_empty_page_before_the_answer_is_read_past(
    org: Org, moto_server: MotoServer, run_scan: ScanRunner, operation: str
) -> None:
    """Never "no root" or "no parent", which left the roles not evaluated. (moto itself
    paginates ListPoliciesForTarget, and refuses a NextToken it did not give.)"""
    fault = Fault(operation, rewrite=every_other_page_empty())
    with FaultProxy(moto_server.url, [fault]) as proxy:
        result = run_scan(*WITH_SCPS, endpoint=proxy.url)
    assert operation in proxy.failed
    assert result.returncode == 1, result.stderr
    reports = result.reports()
    assert reports[role_arn(org.prod)]["checks"]["ec2_backup"]["denied"] == ["kms:CreateGrant"]
    assert reports[role_arn(org.dev)]["compliant"] is True
    assert reports[role_arn(org.dev)]["layers"]["scps"] is True


def test_an_empty_page_of_accounts_before_the_accounts_is_read_past(
    org: Org, moto_server: MotoServer, run_scan: ScanRunner
) -> None:
    """ListAccounts too "can occasionally return an empty set of results even when there are
    more results available" (Organizations API reference): a page with no account and a
    NextToken is read on from, never the end of the list (the management account missing from
    it would fail the whole organization scan, exit 3)."""
    whole = run_scan(*WITH_SCPS)
    held: list[bytes] = []

    def hold_back(body: bytes) -> bytes:
        held.append(body)
        return json.dumps({"Accounts": [], "NextToken": "tok-1"}).encode()

    def route(action: str, headers: Any) -> Fault | None:
        # moto refuses a token it did not give: the page after the empty one is answered here.
        return Fault(action, answer=held[0]) if action == "ListAccounts" and held else None

    with FaultProxy(moto_server.url, [Fault("ListAccounts", rewrite=hold_back)], route) as proxy:
        result = run_scan(*WITH_SCPS, endpoint=proxy.url)
    assert proxy.failed == ["ListAccounts"] * 2
    assert (result.returncode, result.reports()) == (whole.returncode, whole.reports())


def test_a_policy_of_another_type_among_the_scps_leaves_the_roles_not_evaluated(
    org: Org, moto_server: MotoServer, run_scan: ScanRunner
) -> None:
    """An endpoint that ignored the SCP filter: its RCPFullAWSAccess (which every target has)
    would count as an SCP that allows everything at that level. Here dev's own SCP is said to
    be of another type."""
    accounts = {"management": DEFAULT_ACCOUNT, "prod": org.prod, "dev": org.dev}

    def retype(body: bytes) -> bytes:
        return body.replace(b'"SERVICE_CONTROL_POLICY"', b'"RESOURCE_CONTROL_POLICY"')

    fault = Fault("ListPoliciesForTarget", when=org.dev, rewrite=retype)
    with FaultProxy(moto_server.url, [fault]) as proxy:
        result = run_scan(*WITH_SCPS, endpoint=proxy.url)
    assert "ListPoliciesForTarget" in proxy.failed
    assert result.returncode == 3, result.stderr
    reason = "the answer to the SERVICE_CONTROL_POLICY filter lists p-FullAWSAccess, a RESOURCE_"
    assert_scps_unread(result, accounts, ["dev"], "ListPoliciesForTarget", reason)
