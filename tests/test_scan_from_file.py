"""``scan --from-file``: the file is read and validated exactly as ``evaluate --input`` reads it,
and options that only make sense against a live account are refused.

Every case here fails before OPA or AWS is needed, so no server is started.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from harness import inputs
from harness.cli import main
from harness.errors import InputError

ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/R"
MANAGED = "arn:aws:iam::aws:policy/M"
DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}

# A saved snapshot as ``scan --save-snapshot`` writes it, every optional part present.
SAVED: dict[str, Any] = {
    "RoleDetailList": [
        {
            "RoleName": "R",
            "Arn": ROLE_ARN,
            "AssumeRolePolicyDocument": DOC,
            "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": DOC}],
            "AttachedManagedPolicies": [{"PolicyName": "M", "PolicyArn": MANAGED}],
            "PermissionsBoundary": {
                "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                "PermissionsBoundaryArn": MANAGED,
            },
            "Tags": [{"Key": "team", "Value": "backup"}],
        }
    ],
    "GroupDetailList": [],
    "UserDetailList": [],
    "Policies": [
        {
            "Arn": MANAGED,
            "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": True, "Document": DOC}],
        }
    ],
    "VbawsScan": {
        "collected_at": "2024-01-01T00:00:00+00:00",
        "accounts": {ACCOUNT: {"method": "bulk", "scps": None, "scps_note": None}},
        "not_evaluated": [{"role_arn": f"arn:aws:iam::{ACCOUNT}:role/Other", "error": "denied"}],
    },
}
ROLE = "RoleDetailList[0]"


def with_value(path: list[str | int], value: Any) -> dict[str, Any]:
    """SAVED with the value at ``path`` replaced (``...`` deletes it)."""
    document = copy.deepcopy(SAVED)
    parent: Any = document
    for key in path[:-1]:
        parent = parent[key]
    if value is ...:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return document


def write(tmp_path: Path, data: Any) -> str:
    path = tmp_path / "saved.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


BAD_FILES = [
    (
        ["RoleDetailList", 0, "AttachedManagedPolicies", 0, "PolicyArn"],
        ...,
        f"{ROLE}.AttachedManagedPolicies[0]: 'PolicyArn' is a required property",
    ),
    (
        ["RoleDetailList", 0, "RolePolicyList", 0, "PolicyName"],
        ...,
        f"{ROLE}.RolePolicyList[0]: 'PolicyName' is a required property",
    ),
    (
        ["RoleDetailList", 0, "RolePolicyList", 0, "PolicyDocument"],
        ...,
        f"{ROLE}.RolePolicyList[0]: 'PolicyDocument' is a required property",
    ),
    (
        ["RoleDetailList", 0, "Tags"],
        [{"Value": "v"}],
        f"{ROLE}.Tags[0]: 'Key' is a required property",
    ),
    (["RoleDetailList", 0, "Tags"], "x", f"{ROLE}.Tags: 'x' is not of type 'array'"),
    (["RoleDetailList", 0, "Tags"], [1], f"{ROLE}.Tags[0]: 1 is not of type 'object'"),
    (
        ["RoleDetailList", 0, "PermissionsBoundary"],
        "x",
        f"{ROLE}.PermissionsBoundary: 'x' is not of type 'object'",
    ),
    (
        # AWS always names the boundary's ARN: a file without it is not what AWS returned.
        ["RoleDetailList", 0, "PermissionsBoundary", "PermissionsBoundaryArn"],
        ...,
        f"{ROLE}.PermissionsBoundary: 'PermissionsBoundaryArn' is a required property",
    ),
    (
        ["RoleDetailList", 0, "AttachedManagedPolicies"],
        "x",
        f"{ROLE}.AttachedManagedPolicies: 'x' is not of type 'array'",
    ),
    (
        ["RoleDetailList", 0, "RolePolicyList"],
        {},
        f"{ROLE}.RolePolicyList: {{}} is not of type 'array'",
    ),
    (["RoleDetailList", 0, "Arn"], "nope", f"{ROLE}.Arn: 'nope' does not match"),
    (
        ["Policies", 0, "PolicyVersionList"],
        "x",
        "Policies[0].PolicyVersionList: 'x' is not of type 'array'",
    ),
    (
        ["Policies", 0, "PolicyVersionList"],
        [1],
        "Policies[0].PolicyVersionList[0]: 1 is not of type 'object'",
    ),
    (["VbawsScan", "not_evaluated"], "x", "VbawsScan.not_evaluated: 'x' is not of type 'array'"),
    (["VbawsScan", "not_evaluated"], [1], "VbawsScan.not_evaluated[0]: 1 is not of type 'object'"),
    (["VbawsScan", "accounts"], [], "VbawsScan.accounts: [] is not of type 'object'"),
    (["VbawsScan", "accounts", ACCOUNT, "error"], 5, f"VbawsScan.accounts.{ACCOUNT}.error: 5 is"),
]


def test_the_saved_snapshot_used_here_is_valid(tmp_path: Path) -> None:
    document = inputs.load_input(write(tmp_path, SAVED), shapes=("authorization_details",))
    assert document.shape == "authorization_details"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of the command line run in this process: the many cases
    below would take minutes as subprocesses. Anything but a HarnessError would propagate."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(("path", "value", "problem"), BAD_FILES)
def test_bad_file_is_exit_2_naming_file_and_place(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    path: list[str | int],
    value: Any,
    problem: str,
) -> None:
    file = write(tmp_path, with_value(path, value))
    code, out, err = cli(capsys, "scan", "--from-file", file, "--all-roles", "--format", "json")
    assert (code, out) == (2, "")
    assert err.startswith(f"error: {file}: {problem}"), err
    # One validator for both commands: evaluate says exactly the same about the file.
    assert cli(capsys, "evaluate", "--input", file, "--format", "json") == (2, "", err)


@pytest.mark.parametrize("value", ["x", [1], [{"role_arn": ROLE_ARN}]])
def test_bad_extension_is_found_whatever_the_selection(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, value: Any
) -> None:
    file = write(tmp_path, with_value(["VbawsScan", "not_evaluated"], value))
    for selection in (["--role", "Other"], ["--tag", "team=backup"], ["--role", "R"]):
        code, out, err = cli(capsys, "scan", "--from-file", file, *selection)
        assert (code, out) == (2, "")
        assert err.startswith(f"error: {file}: VbawsScan.not_evaluated"), err


def test_bad_file_through_a_real_process(run_harness, tmp_path: Path) -> None:
    file = write(tmp_path, with_value(["RoleDetailList", 0, "Tags"], [{"Value": "v"}]))
    result = run_harness("scan", "--from-file", file, "--all-roles")
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        f"error: {file}: {ROLE}.Tags[0]: 'Key' is a required property\n",
    )


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([], "found a JSON array; expected get-account-authorization-details output"),
        ({"RoleDetailList": {}}, "RoleDetailList: {} is not of type 'array'"),
        ({"RoleDetailList": [{"RoleName": "x"}]}, "RoleDetailList[0]: 'Arn' is a required"),
        ({"RoleDetailList": [{"Arn": ROLE_ARN}]}, "RoleDetailList[0]: 'RoleName' is a required"),
        (
            {"roles": [{"role": {"arn": ROLE_ARN}}]},
            'found a batch ({"roles": [...]}); expected get-account-authorization-details output',
        ),
        ({"Roles": []}, "no 'RoleDetailList' key (top-level keys: Roles); expected get-account"),
    ],
)
def test_only_authorization_details_are_accepted(tmp_path: Path, data: Any, problem: str) -> None:
    file = write(tmp_path, data)
    with pytest.raises(InputError) as info:
        inputs.load_input(file, shapes=("authorization_details",))
    assert str(info.value).startswith(f"{file}: {problem}")


def test_deeply_nested_file_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    file = tmp_path / "deep.json"
    file.write_text("[" * 1000 + "]" * 1000, encoding="utf-8")
    assert cli(capsys, "scan", "--from-file", str(file), "--all-roles") == (
        2,
        "",
        f"error: {file}: nested more than 100 levels deep, which no IAM input needs\n",
    )


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--region", "eu-west-1"], "--region has"),
        (["--collection", "bulk"], "--collection has"),
        (["--collection", "auto"], "--collection has"),  # even the default, when given
        (["--max-attempts", "3"], "--max-attempts has"),
        (["--assume-role-name", "Scanner"], "--assume-role-name has"),
        (["--max-workers", "2"], "--max-workers has"),
        (["--profile", "p", "--region", "r"], "--profile, --region have"),
    ],
)
def test_live_only_options_are_usage_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, options: list[str], named: str
) -> None:
    file = write(tmp_path, SAVED)
    assert cli(capsys, "scan", "--from-file", file, "--all-roles", *options) == (
        2,
        "",
        f"error: {named} no effect with --from-file: a saved file is evaluated offline, "
        "without AWS\n",
    )


def test_help_says_live_options_are_refused_with_from_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    assert "refused with --from-file" in " ".join(capsys.readouterr().out.split())
