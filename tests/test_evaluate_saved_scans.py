"""``evaluate --input`` on GetAccountAuthorizationDetails input gives the verdicts of
``scan --from-file`` on the same file, through a real OPA.

Files written by ``scan --save-snapshot`` carry a ``VbawsScan`` extension: the roles and the
accounts that could not be read, and each account's SCPs. A role that could not be fully read,
whether the extension says so or its managed policy's document is not in the file, is reported
as not evaluated with the reason, exit code 3 (contract section 4), never as compliant.
"""

from __future__ import annotations

import copy
import json
import socket
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, REGO, RunHarness

from harness.formats import not_evaluated
from harness.opa import OpaClient

GAAD = json.loads((FIXTURES / "evaluate" / "authorization-details.json").read_text())
EC2_BACKUP: list[str] = json.loads((REGO / "vbaws" / "requirements" / "data.json").read_text())[
    "ec2_backup"
]["actions"]
EC2_FULL_ACCESS = "arn:aws:iam::aws:policy/AmazonEC2FullAccess"
APPLIANCE = "arn:aws:iam::111111111111:role/VeeamBackupAppliance"
DENY_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}],
}


def arn(name: str, account: str = "123456789012") -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def role(name: str, account: str = "123456789012") -> dict[str, Any]:
    """The fixture's role of that name (GaadEc2FullAccess or GaadVeeamInline), in ``account``."""
    (found,) = [r for r in GAAD["RoleDetailList"] if r["RoleName"] == name]
    return dict(copy.deepcopy(found), Arn=arn(name, account))


def write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "saved.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def both(
    run_harness: RunHarness, opa_url: str, path: Path, *args: str
) -> list[subprocess.CompletedProcess[str]]:
    """``evaluate --input PATH`` and ``scan --from-file PATH --all-roles``, same options."""
    common = ["--format", "json", "--opa-url", opa_url, *args]
    results = [
        run_harness("evaluate", "--input", str(path), *common),
        run_harness("scan", "--from-file", str(path), "--all-roles", *common),
    ]
    for result in results:
        assert "Traceback" not in result.stderr, result.stderr
    return results


def agree(run_harness: RunHarness, opa_url: str, path: Path, *args: str) -> tuple[int, Any]:
    """Both commands give the same exit code, output and messages; (code, parsed output)."""
    evaluated, scanned = both(run_harness, opa_url, path, *args)
    assert (evaluated.returncode, evaluated.stdout, evaluated.stderr) == (
        scanned.returncode,
        scanned.stdout,
        scanned.stderr,
    )
    return evaluated.returncode, json.loads(evaluated.stdout)


def test_role_the_scan_could_not_read_is_not_evaluated(
    run_harness: RunHarness, opa_url: str, tmp_path: Path
) -> None:
    reason = "role Unreadable: iam:GetRolePolicy p: AccessDenied: denied"
    path = write(
        tmp_path,
        {
            "RoleDetailList": [role("GaadVeeamInline")],
            "Policies": [],
            "VbawsScan": {
                "accounts": {"123456789012": {"method": "per-role"}},
                "not_evaluated": [{"role_arn": arn("Unreadable"), "error": reason}],
            },
        },
    )
    code, output = agree(run_harness, opa_url, path)
    assert code == 3
    inline, unreadable = output["reports"]
    assert inline["role_arn"] == arn("GaadVeeamInline") and inline["compliant"] is True
    assert unreadable == not_evaluated(arn("Unreadable"), reason)
    assert output["summary"] == {"roles": 2, "compliant": 1, "not_compliant": 0, "not_evaluated": 1}


def test_per_account_scps_and_an_account_that_could_not_be_read(
    run_harness: RunHarness, opa_url: str, tmp_path: Path
) -> None:
    levels = [{"target": "r-abcd", "policies": [{"name": "DenyAll", "document": DENY_ALL}]}]
    scps = {"scps": levels, "scps_note": None, "scps_unreadable": False}
    failure = "account 333333333333: sts:AssumeRole: AccessDenied"
    path = write(
        tmp_path,
        {
            "RoleDetailList": [
                role("GaadVeeamInline", "123456789012"),
                role("GaadVeeamInline", "222222222222"),
            ],
            "Policies": [],
            "VbawsScan": {
                "accounts": {
                    "123456789012": {"method": "bulk", **scps},
                    "222222222222": {"method": "bulk", **scps},
                    "333333333333": {"error": failure},
                },
                "not_evaluated": [],
            },
        },
    )
    code, output = agree(run_harness, opa_url, path)
    assert code == 3
    first, second, account = output["reports"]
    for report, account_id in ((first, "123456789012"), (second, "222222222222")):
        assert report["role_arn"] == arn("GaadVeeamInline", account_id)
        assert report["compliant"] is False
        assert report["layers"]["scps"] is True
        assert report["checks"]["ec2_backup"]["denied"] == sorted(EC2_BACKUP)
        assert "VBAWS-SCPS-NOT-EVALUATED" not in {f["id"] for f in report["findings"]}
    assert account == not_evaluated("arn:aws:iam::333333333333:role/*", failure)


ALLOW_ALL_SCPS = [
    {
        "target": "r-abcd",
        "policies": [
            {
                "name": "FullAWSAccess",
                "document": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
                },
            }
        ],
    }
]


@pytest.mark.parametrize(
    "account",
    [{"scps_unreadable": True}, {"scps": ALLOW_ALL_SCPS, "scps_unreadable": True}],
    ids=["flag-alone", "with-levels"],
)
def test_scps_the_file_says_could_not_be_read_leave_the_roles_not_evaluated(
    run_harness: RunHarness, opa_url: str, tmp_path: Path, account: dict[str, Any]
) -> None:
    """Whatever else the account's entry says (a hand-trimmed note, levels beside the flag): the
    SCPs were not all read, and one of them may deny what the role needs."""
    path = write(
        tmp_path,
        {
            "RoleDetailList": [role("GaadVeeamInline")],
            "Policies": [],
            "VbawsScan": {"accounts": {"123456789012": {"method": "bulk", **account}}},
        },
    )
    code, output = agree(run_harness, opa_url, path)
    assert code == 3
    (report,) = output["reports"]
    reason = "--with-scps: the SCPs of account 123456789012 could not be read"
    assert report == dict(
        not_evaluated(arn("GaadVeeamInline"), f"role GaadVeeamInline: {reason}"), scps_note=reason
    )


def test_a_policy_text_that_names_a_key_twice_is_invalid(
    run_harness: RunHarness, opa_url: str, tmp_path: Path
) -> None:
    """IAM returns documents as URL-encoded text. Parsed, a key named twice keeps its last value
    only: here the Deny-all Statement would vanish and leave the compliant role's own."""
    veeam = role("GaadVeeamInline")
    (inline,) = veeam["RolePolicyList"]
    document = json.loads(urllib.parse.unquote(inline["PolicyDocument"]))
    text = f'{{"Statement": {json.dumps(DENY_ALL["Statement"])}, {json.dumps(document)[1:]}'
    inline["PolicyDocument"] = urllib.parse.quote(text)
    code, output = agree(run_harness, opa_url, write(tmp_path, {"RoleDetailList": [veeam]}))
    assert code == 1
    (report,) = output["reports"]
    assert report["compliant"] is False
    # The keys of the dropped Deny are in the kept statements too: each may be the repeated one.
    (invalid,) = [f for f in report["findings"] if f["id"] == "VBAWS-INVALID-POLICY"]
    assert invalid["severity"] == "error"
    assert invalid["message"] == (
        'inline policy "VeeamEc2BackupPolicy": document is JSON text that names one of '
        '"Action", "Effect", "Resource", "Statement" twice in one object'
    )


def test_managed_policy_missing_from_the_file_is_not_evaluated(
    run_harness: RunHarness, opa_url: str, tmp_path: Path
) -> None:
    # Raw get-account-authorization-details output read with --filter Role: the roles name
    # their managed policies, whose documents are not in the file. The role is not known to
    # lack the 61 actions; it could not be read.
    path = write(tmp_path, dict(GAAD, Policies=[]))
    code, output = agree(run_harness, opa_url, path)
    assert code == 3
    ec2_full, inline = output["reports"]
    assert ec2_full == not_evaluated(
        arn("GaadEc2FullAccess"),
        f"role GaadEc2FullAccess: managed policy {EC2_FULL_ACCESS} was not collected: "
        "its document is not in the Policies list",
    )
    assert inline["compliant"] is True
    assert output["summary"]["not_evaluated"] == 1


def test_two_different_default_documents_are_not_guessed(
    run_harness: RunHarness, opa_url: str, tmp_path: Path
) -> None:
    allow_all = {
        "Arn": EC2_FULL_ACCESS,
        "PolicyVersionList": [
            {
                "VersionId": "v9",
                "IsDefaultVersion": True,
                "Document": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
                },
            }
        ],
    }
    path = write(tmp_path, dict(GAAD, Policies=[*GAAD["Policies"], allow_all]))
    code, output = agree(run_harness, opa_url, path)
    assert code == 3
    ec2_full = output["reports"][0]
    assert ec2_full["evaluated"] is False
    assert ec2_full["error"] == (
        f"role GaadEc2FullAccess: managed policy {EC2_FULL_ACCESS} is given more than one "
        "default version, with different documents"
    )


def test_a_default_version_its_default_version_id_does_not_name_is_not_guessed(
    run_harness: RunHarness, opa_url: str, tmp_path: Path
) -> None:
    # The fixture's AmazonEC2FullAccess has a v1 that allows everything and DefaultVersionId
    # v5. Flagging v1 default as well says two things: the role is not passed on v1's word,
    # by the harness nor by the engine's own entry point.
    (entry,) = [p for p in GAAD["Policies"] if p["Arn"] == EC2_FULL_ACCESS]
    assert entry["DefaultVersionId"] == "v5"
    versions = [
        dict(v, IsDefaultVersion=v["VersionId"] == "v1") for v in entry["PolicyVersionList"]
    ]
    edited = dict(entry, PolicyVersionList=versions)
    document = dict(GAAD, Policies=[edited if p is entry else p for p in GAAD["Policies"]])
    code, output = agree(run_harness, opa_url, write(tmp_path, document))
    assert code == 3
    ec2_full = output["reports"][0]
    assert ec2_full == not_evaluated(
        arn("GaadEc2FullAccess"),
        f"role GaadEc2FullAccess: managed policy {EC2_FULL_ACCESS} has no default version document",
    )
    (engine,) = OpaClient(opa_url).report_list(
        dict(document, RoleDetailList=[role("GaadEc2FullAccess")])
    )
    assert engine["compliant"] is False
    assert [f["message"] for f in engine["findings"] if f["id"] == "VBAWS-INVALID-POLICY"] == [
        f'managed policy "{EC2_FULL_ACCESS}": its document is not in the input\'s Policies list '
        "(no default version found)"
    ]


def test_the_files_checks_and_appliance_apply_unless_the_command_line_names_others(
    run_harness: RunHarness, opa_url: str, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        dict(
            GAAD,
            checks=["ec2_backup", "worker_production"],
            appliance={"principal": "222222222222"},
        ),
    )
    _, output = agree(run_harness, opa_url, path)
    for report in output["reports"]:
        assert sorted(report["checks"]) == ["ec2_backup", "worker_production"]
        assert report["trust"]["checked"] is True
        assert report["trust"]["appliance_can_assume"] is False  # trusts 111111111111 only
    _, output = agree(
        run_harness, opa_url, path, "--checks", "ec2_backup", "--appliance", APPLIANCE
    )
    for report in output["reports"]:
        assert sorted(report["checks"]) == ["ec2_backup"]
        assert report["trust"]["appliance_can_assume"] is True


def test_unknown_check_in_the_file_is_bad_input(
    run_harness: RunHarness, opa_url: str, tmp_path: Path
) -> None:
    path = write(tmp_path, dict(GAAD, checks=["ec2_restore"]))
    for result in both(run_harness, opa_url, path):
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr == (
            f"error: {path}: checks: unknown check 'ec2_restore' "
            "(known: ec2_backup, worker_production)\n"
        )


@pytest.mark.parametrize(
    ("extension", "problem"),
    [
        ({"not_evaluated": ["Unreadable"]}, "VbawsScan.not_evaluated[0]: 'Unreadable' is not of"),
        ({"not_evaluated": [{"error": "x"}]}, "VbawsScan.not_evaluated[0]: 'role_arn' is a req"),
        ({"accounts": {"123456789012": {"scps": "x"}}}, "VbawsScan.accounts.123456789012.scps:"),
        ("saved", "VbawsScan: 'saved' is not of type 'object'"),
    ],
)
def test_extension_that_cannot_be_read_is_bad_input(
    run_harness: RunHarness, opa_url: str, tmp_path: Path, extension: Any, problem: str
) -> None:
    # What the extension holds decides verdicts: a part that cannot be read is not skipped.
    path = write(tmp_path, dict(GAAD, VbawsScan=extension))
    for result in both(run_harness, opa_url, path):
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr.startswith(f"error: {path}: {problem}"), result.stderr


def test_unreachable_opa_keeps_the_reason_of_roles_the_scan_could_not_read(
    run_harness: RunHarness, tmp_path: Path
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    reason = "role Unreadable: iam:GetRolePolicy p: AccessDenied: denied"
    path = write(
        tmp_path,
        dict(GAAD, VbawsScan={"not_evaluated": [{"role_arn": arn("Unreadable"), "error": reason}]}),
    )
    code, output = agree(run_harness, dead, path)
    assert code == 3
    errors = {r["role_arn"]: r["error"] for r in output["reports"] if r["evaluated"] is False}
    assert errors.keys() == {arn("GaadEc2FullAccess"), arn("GaadVeeamInline"), arn("Unreadable")}
    assert errors[arn("Unreadable")] == reason
    assert dead in errors[arn("GaadVeeamInline")]


def test_reports_come_in_the_files_order_across_accounts(
    run_harness: RunHarness, opa_url: str, tmp_path: Path
) -> None:
    # A file merged from two accounts, its roles interleaved: the reports follow the file
    # (contract section 4, "in input order"), not the per-account grouping of a scan.
    interleaved = [
        role("GaadVeeamInline", "222222222222"),
        role("GaadEc2FullAccess", "123456789012"),
        role("GaadEc2FullAccess", "222222222222"),
        role("GaadVeeamInline", "123456789012"),
    ]
    path = write(tmp_path, dict(GAAD, RoleDetailList=interleaved))
    _, output = agree(run_harness, opa_url, path)
    assert [r["role_arn"] for r in output["reports"]] == [r["Arn"] for r in interleaved]


@pytest.mark.parametrize("flag", [False, None], ids=["marked-non-default", "unmarked"])
def test_a_lone_version_not_flagged_default_is_not_taken_for_it(
    run_harness: RunHarness, opa_url: str, tmp_path: Path, flag: bool | None
) -> None:
    # The engine reads only versions flagged default in this input; a guess here would make
    # the role compliant on a document that may not be in force.
    (policy,) = GAAD["Policies"]
    (default,) = [v for v in policy["PolicyVersionList"] if v["IsDefaultVersion"]]
    version = {k: v for k, v in default.items() if k != "IsDefaultVersion"}
    if flag is not None:
        version["IsDefaultVersion"] = flag
    path = write(tmp_path, dict(GAAD, Policies=[dict(policy, PolicyVersionList=[version])]))
    code, output = agree(run_harness, opa_url, path)
    assert code == 3
    ec2_full = output["reports"][0]
    assert (ec2_full["evaluated"], ec2_full["compliant"]) == (False, False)
    assert ec2_full["error"].endswith(
        f"managed policy {EC2_FULL_ACCESS} has no default version document"
    )


def test_a_role_listed_twice_keeps_both_places(
    run_harness: RunHarness, opa_url: str, tmp_path: Path
) -> None:
    listed = [role("GaadEc2FullAccess"), role("GaadVeeamInline"), role("GaadEc2FullAccess")]
    path = write(tmp_path, dict(GAAD, RoleDetailList=listed))
    _, output = agree(run_harness, opa_url, path)
    assert [r["role_arn"] for r in output["reports"]] == [r["Arn"] for r in listed]


OTHER_ACCOUNT_FILES = {
    "roles-in-two-accounts": dict(
        GAAD, RoleDetailList=[role("GaadVeeamInline"), role("GaadVeeamInline", "222222222222")]
    ),
    "a-role-not-read-elsewhere": dict(
        GAAD,
        VbawsScan={"not_evaluated": [{"role_arn": arn("X", "222222222222"), "error": "denied"}]},
    ),
    "an-account-not-read": dict(
        GAAD, VbawsScan={"accounts": {"222222222222": {"error": "sts:AssumeRole: AccessDenied"}}}
    ),
}


@pytest.mark.parametrize(
    ("document", "account"),
    [
        pytest.param(GAAD, "123456789012", id="one-account"),
        *(pytest.param(d, "*", id=name) for name, d in OTHER_ACCOUNT_FILES.items()),
    ],
)
def test_a_role_name_the_file_lacks_is_reported_in_the_files_account_if_it_has_one(
    run_harness: RunHarness, opa_url: str, tmp_path: Path, document: dict[str, Any], account: str
) -> None:
    # The collections hold only the roles --role matched, so the file says which account a
    # missing name would be in: its only one, else unknown, as a live organization scan says.
    # Alone, and beside a role the file holds: never the account of whatever else matched.
    path = write(tmp_path, document)
    missing = f"arn:aws:iam::{account}:role/NoSuchRole"
    for found in ([], ["--role", "GaadVeeamInline"]):
        result = run_harness(
            "scan", "--from-file", str(path), "--role", "NoSuchRole", *found,
            "--format", "json", "--opa-url", opa_url,
        )  # fmt: skip
        assert result.returncode == 3, result.stderr
        reports = {r["role_arn"]: r for r in json.loads(result.stdout)["reports"]}
        assert reports[missing] == not_evaluated(missing, f"role NoSuchRole not found in {path}")


def test_a_role_arn_the_file_lacks_keeps_its_arn(
    run_harness: RunHarness, opa_url: str, tmp_path: Path
) -> None:
    wanted = arn("NoSuchRole", "999999999999")
    path = write(tmp_path, GAAD)
    result = run_harness(
        "scan", "--from-file", str(path), "--role", wanted, "--format", "json", "--opa-url", opa_url
    )
    assert result.returncode == 3, result.stderr
    (report,) = json.loads(result.stdout)["reports"]
    assert report == not_evaluated(wanted, f"role {wanted} not found in {path}")


def test_one_page_of_a_paginated_answer_is_warned_about(
    run_harness: RunHarness, opa_url: str, tmp_path: Path
) -> None:
    # Roles on later pages are not in the file at all: --all-roles would look complete. The
    # verdicts on what the page holds stand, so exit code and reports are those of the page.
    whole = both(run_harness, opa_url, write(tmp_path, GAAD))
    path = tmp_path / "page.json"
    path.write_text(json.dumps(dict(GAAD, IsTruncated=True, Marker="page2")), encoding="utf-8")
    warning = (
        f"warning: {path}: IsTruncated is true: this is one page of "
        "get-account-authorization-details output, so roles and managed policies on later "
        "pages are missing; save the whole answer (the AWS CLI fetches every page unless given "
        "--no-paginate or --max-items)\n"
    )
    for page, complete in zip(both(run_harness, opa_url, path), whole, strict=True):
        assert (page.returncode, page.stdout) == (complete.returncode, complete.stdout)
        assert page.stderr == warning + complete.stderr


def test_output_cut_short_by_max_items_is_warned_about(
    run_harness: RunHarness, opa_url: str, tmp_path: Path
) -> None:
    """``aws iam get-account-authorization-details --max-items N`` prints what it read with a
    NextToken and no IsTruncated: the roles after it are missing just the same."""
    whole = both(run_harness, opa_url, write(tmp_path, GAAD))
    path = tmp_path / "cut.json"
    path.write_text(json.dumps(dict(GAAD, NextToken="eyJNYXJrZXIiOiAibTEifQ==")), encoding="utf-8")
    warning = (
        f"warning: {path}: has a NextToken: this is get-account-authorization-details output "
        "cut short by --max-items, so roles and managed policies after it are missing; save the "
        "whole answer (without --max-items)\n"
    )
    for cut, complete in zip(both(run_harness, opa_url, path), whole, strict=True):
        assert (cut.returncode, cut.stdout) == (complete.returncode, complete.stdout)
        assert cut.stderr == warning + complete.stderr


def test_a_list_of_pages_reads_as_the_whole_answer(
    run_harness: RunHarness, opa_url: str, tmp_path: Path
) -> None:
    """A paginator's pages saved as a list: the roles of one page may attach policies listed on
    another, so the pages are merged before anything is looked up."""
    whole = both(run_harness, opa_url, write(tmp_path, GAAD))
    first, second = GAAD["RoleDetailList"]
    pages = [
        {"RoleDetailList": [first], "Policies": [], "IsTruncated": True, "Marker": "m1"},
        {"RoleDetailList": [second], "Policies": GAAD["Policies"], "IsTruncated": False},
    ]
    path = tmp_path / "pages.json"
    path.write_text(json.dumps(pages), encoding="utf-8")
    for paged, complete in zip(both(run_harness, opa_url, path), whole, strict=True):
        assert (paged.returncode, paged.stdout, paged.stderr) == (
            complete.returncode,
            complete.stdout,
            complete.stderr,
        )

    # What a page cannot carry is refused, not dropped.
    pages[1]["scps"] = []
    path.write_text(json.dumps(pages), encoding="utf-8")
    for refused in both(run_harness, opa_url, path):
        assert (refused.returncode, refused.stdout, refused.stderr) == (
            2,
            "",
            f"error: {path} (page 2 of 2): has 'scps', which get-account-authorization-details "
            "pages do not: give one document instead of a list of pages\n",
        )
