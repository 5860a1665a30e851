"""Output formats on hand-made reports (contract section 3 shape), and JUnit end to end."""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import re
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    FIXTURES,
    REPO,
    UNEVALUATED_CHECK,
    UNEVALUATED_TRUST,
    RunHarness,
    harness_env,
)

from harness import formats
from harness.errors import UsageError
from harness.evaluate_command import write_output

NOT_COMPLIANT: dict[str, Any] = {
    "role_arn": "arn:aws:iam::123456789012:role/VeeamEc2Backup",
    "compliant": False,
    "checks": {
        "ec2_backup": {
            "compliant": False,
            "actions": {
                "ec2:CreateSnapshot": {"decision": "allowed"},
                "ebs:ListChangedBlocks": {"decision": "implicit_deny", "blocked_by": ["identity"]},
                "kms:CreateGrant": {
                    "decision": "explicit_deny",
                    "blocked_by": ["boundary"],
                    "statement": "DenyKms",
                },
                "ssm:SendCommand": {
                    "decision": "conditional",
                    "reasons": ["allow has Condition StringEquals aws:RequestedRegion"],
                },
            },
            "missing": ["ebs:ListChangedBlocks"],
            "denied": ["kms:CreateGrant"],
            "conditional": ["ssm:SendCommand"],
        }
    },
    "trust": {"checked": True, "appliance_can_assume": True, "conditions": ["sts:ExternalId"]},
    "layers": {"identity": True, "boundary": True, "scps": False},
    "findings": [
        {
            "id": "VBAWS-MISSING",
            "severity": "error",
            "message": "1 required action is not allowed",
            "actions": ["ebs:ListChangedBlocks"],
        },
        {"id": "VBAWS-CROSS-ACCOUNT", "severity": "info", "message": "appliance policy too"},
    ],
}

COMPLIANT: dict[str, Any] = {
    "role_arn": "arn:aws:iam::123456789012:role/Good",
    "compliant": True,
    "checks": {
        "ec2_backup": {
            "compliant": True,
            "actions": {"ec2:CreateSnapshot": {"decision": "allowed"}},
            "missing": [],
            "denied": [],
            "conditional": [],
        }
    },
    "trust": {"checked": False, "appliance_can_assume": False, "conditions": []},
    "layers": {"identity": True, "boundary": False, "scps": False},
    "findings": [],
}

UNEVALUATED = formats.not_evaluated("arn:aws:iam::123456789012:role/Gone", "AccessDenied")


def test_summary_counts_each_role_once() -> None:
    assert formats.summarize([NOT_COMPLIANT, COMPLIANT, UNEVALUATED, COMPLIANT]) == {
        "roles": 4,
        "compliant": 2,
        "not_compliant": 1,
        "not_evaluated": 1,
    }


def test_not_evaluated_report_is_never_compliant() -> None:
    # Every field of contract section 3, none of them claiming a decision.
    assert UNEVALUATED == {
        "role_arn": "arn:aws:iam::123456789012:role/Gone",
        "compliant": False,
        "checks": {"ec2_backup": UNEVALUATED_CHECK},
        "trust": UNEVALUATED_TRUST,
        "layers": {"identity": False, "boundary": False, "scps": False},
        "findings": [
            {
                "id": "VBAWS-NOT-EVALUATED",
                "severity": "error",
                "message": "not evaluated: AccessDenied",
                "actions": [],
            }
        ],
        "evaluated": False,
        "error": "AccessDenied",
    }
    # With an appliance given, its assumption is checked and not established.
    with_appliance = formats.not_evaluated(UNEVALUATED["role_arn"], "x", appliance=True)
    assert with_appliance["trust"] == {
        "checked": True,
        "appliance_can_assume": False,
        "conditions": [],
    }
    assert formats.compliance_exit_code([COMPLIANT, UNEVALUATED]) == 1
    assert formats.compliance_exit_code([COMPLIANT, NOT_COMPLIANT]) == 1
    assert formats.compliance_exit_code([COMPLIANT, COMPLIANT]) == 0


def test_json_is_exactly_reports_and_summary() -> None:
    reports = [NOT_COMPLIANT, UNEVALUATED, COMPLIANT]
    text = formats.render(reports, "json", color=True)
    assert json.loads(text) == {
        "reports": [NOT_COMPLIANT, UNEVALUATED, COMPLIANT],
        "summary": {"roles": 3, "compliant": 1, "not_compliant": 1, "not_evaluated": 1},
    }
    assert "\033[" not in text


def test_table_block_for_a_role_that_is_not_compliant() -> None:
    text = formats.render([NOT_COMPLIANT], "table", color=False)
    assert text == (
        "NOT COMPLIANT  arn:aws:iam::123456789012:role/VeeamEc2Backup\n"
        "  ec2_backup: NOT COMPLIANT  1/4 allowed, 1 missing, 1 denied, 1 conditional\n"
        "    missing      ebs:ListChangedBlocks  (blocked by identity)\n"
        "    denied       kms:CreateGrant  (blocked by boundary - statement DenyKms)\n"
        "    conditional  ssm:SendCommand  "
        "(allow has Condition StringEquals aws:RequestedRegion)\n"
        "  trust: appliance can assume the role if these conditions hold: sts:ExternalId\n"
        "  layers evaluated: identity, boundary; not evaluated: scps\n"
        "  findings:\n"
        "    error VBAWS-MISSING: 1 required action is not allowed\n"
        "    info VBAWS-CROSS-ACCOUNT: appliance policy too\n"
        "\n"
        "1 role: 0 compliant, 1 not compliant, 0 not evaluated\n"
    )


def test_table_compliant_and_not_evaluated_roles() -> None:
    text = formats.render([COMPLIANT, UNEVALUATED], "table", color=False)
    assert text == (
        "COMPLIANT  arn:aws:iam::123456789012:role/Good\n"
        "  ec2_backup: COMPLIANT  1/1 allowed, 0 missing, 0 denied, 0 conditional\n"
        "  trust: not checked (no appliance principal given)\n"
        "  layers evaluated: identity; not evaluated: boundary, scps\n"
        "\n"
        "NOT EVALUATED  arn:aws:iam::123456789012:role/Gone\n"
        "  reason: AccessDenied\n"
        "\n"
        "2 roles: 1 compliant, 0 not compliant, 1 not evaluated\n"
    )


def test_table_colour_only_when_asked() -> None:
    plain = formats.render([NOT_COMPLIANT, COMPLIANT, UNEVALUATED], "table", color=False)
    coloured = formats.render([NOT_COMPLIANT, COMPLIANT, UNEVALUATED], "table", color=True)
    assert "\033[" not in plain
    assert "\033[31mNOT COMPLIANT\033[0m  arn:aws:iam::123456789012:role/VeeamEc2Backup" in coloured
    assert "\033[32mCOMPLIANT\033[0m  arn:aws:iam::123456789012:role/Good" in coloured
    assert "\033[33mNOT EVALUATED\033[0m" in coloured
    # Removing the escape codes gives back the plain text.
    stripped = coloured
    for code in ("\033[31m", "\033[32m", "\033[33m", "\033[36m", "\033[0m"):
        stripped = stripped.replace(code, "")
    assert stripped == plain


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown format 'xml'"):
        formats.render([COMPLIANT], "xml")


@pytest.mark.parametrize("fmt", ["sarif", "junit"])
def test_optional_formats_missing_is_a_clear_usage_error(fmt: str) -> None:
    if importlib.util.find_spec(f"harness.formats.{fmt}") is not None:
        pytest.skip(f"harness/formats/{fmt}.py is installed")
    with pytest.raises(UsageError, match=f"--format {fmt} is not available"):
        formats.render([COMPLIANT], fmt)


ROLE_X = "arn:aws:iam::123456789012:role/X"
APPLIANCE_X = "arn:aws:iam::123456789012:role/Appliance"
VALID_TRUST = {"Effect": "Allow", "Principal": {"AWS": APPLIANCE_X}, "Action": "sts:AssumeRole"}
GRANT_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
# IAM's Effect is case sensitive: "allow" makes the document invalid, not a grant.
LOWERCASE_EFFECT = {"Sid": "Bad", "Effect": "allow", "Action": "s3:*", "Resource": "*"}


def snapshot(permissions: list[Any], trust: list[Any]) -> dict[str, Any]:
    document = {"Version": "2012-10-17", "Statement": permissions}
    return {
        "role": {
            "arn": ROLE_X,
            "name": "X",
            "trust_policy": {"Version": "2012-10-17", "Statement": trust},
            "policies": [{"name": "all", "type": "inline", "document": document}],
        },
        "appliance": {"principal": APPLIANCE_X},
    }


def junit_cases(text: str) -> dict[str, tuple[str, str, str] | None]:
    """Test case name -> (failure type, message, text), or None for a passing case."""
    root = ET.fromstring(text)
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == ROLE_X
    cases: dict[str, tuple[str, str, str] | None] = {}
    for case in suite.findall("testcase"):
        failure = case.find("failure")
        cases[str(case.get("name"))] = (
            None
            if failure is None
            else (str(failure.get("type")), str(failure.get("message")), failure.text or "")
        )
    failed = sum(1 for c in cases.values() if c is not None)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == (
        str(len(cases)),
        str(failed),
        "0",
    )
    return cases


def test_junit_fails_a_role_whose_only_error_is_an_invalid_statement(
    run_harness: RunHarness, opa_url: str
) -> None:
    """Every action is granted, so the check passes; the invalid statement still makes the role
    not compliant (exit 1), and CI must not show it green."""
    role = json.dumps(snapshot([GRANT_ALL, LOWERCASE_EFFECT], [VALID_TRUST]))
    result = run_harness(
        "evaluate", "--input", "-", "--opa-url", opa_url, "--format", "junit", input=role
    )
    assert result.returncode == 1, result.stderr
    message = (
        'inline policy "all": statement 2 (Sid "Bad"): '
        'Effect must be exactly "Allow" or "Deny", got "allow"'
    )
    assert junit_cases(result.stdout) == {
        "ec2_backup": None,
        "trust": None,
        "VBAWS-INVALID-POLICY": ("ErrorFinding", message, message),
    }


def test_junit_fails_trust_when_its_policy_has_an_invalid_statement(
    run_harness: RunHarness, opa_url: str
) -> None:
    """A valid Allow lets the appliance assume the role, but an invalid trust statement beside it
    is an error finding: the trust case fails and says why."""
    bad = dict(VALID_TRUST, Effect="allow")
    role = json.dumps(snapshot([GRANT_ALL], [VALID_TRUST, bad]))
    result = run_harness(
        "evaluate", "--input", "-", "--opa-url", opa_url, "--format", "junit", input=role
    )
    assert result.returncode == 1, result.stderr
    assert junit_cases(result.stdout) == {
        "ec2_backup": None,
        "trust": (
            "InvalidTrustPolicy",
            "the trust policy has errors",
            'VBAWS-INVALID-TRUST-POLICY: trust policy: statement 2: Effect must be exactly "Allow"'
            ' or "Deny", got "allow"',
        ),
    }


def test_junit_and_sarif_never_show_a_non_compliant_report_as_clean() -> None:
    """A report from another engine version (through --opa-url) may be not compliant with no
    finding this harness knows how to place: it still fails the run in both formats."""
    report = dict(COMPLIANT, compliant=False, findings=[{"id": "X", "severity": "info"}])
    root = ET.fromstring(formats.render([report], "junit"))
    failures = [c.find("failure") for c in root.iter("testcase")]
    assert [(f.get("type"), f.get("message")) for f in failures if f is not None] == [
        ("NotCompliant", "role not compliant")
    ]
    results = json.loads(formats.render([report], "sarif"))["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("X", "note"),
        ("VBAWS-NOT-COMPLIANT", "error"),
    ]


# A relative reference (RFC 3986): unreserved characters, percent escapes and "/" only.
RELATIVE_PATH = re.compile(
    r"(?:[A-Za-z0-9._~-]|%[0-9A-F]{2})+(?:/(?:[A-Za-z0-9._~-]|%[0-9A-F]{2})*)*"
)


@pytest.mark.parametrize(
    ("role_arn", "uri"),
    [
        (
            "arn:aws:iam::123456789012:role/VeeamEc2Backup",
            "aws/iam/123456789012/role/VeeamEc2Backup",
        ),
        (
            "arn:aws-cn:iam::123456789012:role/ops/Veeam+Ec2",
            "aws-cn/iam/123456789012/role/ops/Veeam%2BEc2",
        ),
        ("arn:aws:iam::123456789012:role/a/../b:c", "aws/iam/123456789012/role/a/-../b%3Ac"),
        # Distinct roles, distinct paths: a dot-only name is prefixed, and so is one that
        # already looks prefixed.
        ("arn:aws:iam::123456789012:role/..", "aws/iam/123456789012/role/-.."),
        ("arn:aws:iam::123456789012:role/-..", "aws/iam/123456789012/role/--.."),
        ("arn:aws:iam::123456789012:role/--.", "aws/iam/123456789012/role/---."),
        ("arn:aws:iam::123456789012:role/-", "aws/iam/123456789012/role/-"),
        ("arn:aws:iam::123456789012:role/-.a", "aws/iam/123456789012/role/-.a"),
        ("arn:aws:iam::123456789012:role/.-.", "aws/iam/123456789012/role/.-."),
        ('arn:aws:iam::123456789012:role/<&">\u202e\x1b é', None),
        ("VeeamEc2Backup", "roles/VeeamEc2Backup"),
        ("(unnamed role)", "roles/%28unnamed%20role%29"),
    ],
)
def test_sarif_locates_a_role_by_a_relative_path_not_its_arn(
    role_arn: str, uri: str | None
) -> None:
    """GitHub refuses a SARIF upload whose artifact URIs have a scheme other than the
    checkout's (an ARN's would be "arn"), and the schema wants a URI reference."""
    report = dict(NOT_COMPLIANT, role_arn=role_arn)
    (location,) = {
        json.dumps(r["locations"], sort_keys=True)
        for r in json.loads(formats.render([report], "sarif"))["runs"][0]["results"]
    }
    (found,) = json.loads(location)
    artifact = found["physicalLocation"]["artifactLocation"]["uri"]
    assert RELATIVE_PATH.fullmatch(artifact), artifact
    assert uri is None or artifact == uri
    assert found["logicalLocations"][0]["fullyQualifiedName"] == role_arn


VEEAM_FIXTURE = str(FIXTURES / "evaluate" / "veeam-ec2-backup.json")


def _harness(*args: str) -> list[str]:
    return [sys.executable, "-m", "harness", *args]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_standard_output_that_cannot_be_written_is_an_error_as_for_output(opa_url: str) -> None:
    args = ("evaluate", "--input", VEEAM_FIXTURE, "--opa-url", opa_url, "--format", "json")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            _harness(*args), stdout=full, stderr=subprocess.PIPE, text=True, env=harness_env()
        )
    assert (result.returncode, result.stderr) == (
        2,
        "error: cannot write standard output: No space left on device\n",
    )
    to_file = subprocess.run(
        _harness(*args, "--output", "/dev/full"), capture_output=True, text=True, env=harness_env()
    )
    assert (to_file.returncode, to_file.stderr) == (
        2,
        "error: cannot write /dev/full: No space left on device\n",
    )


@pytest.mark.parametrize(
    ("failure", "raised"),
    [(OSError(errno.ENOSPC, "No space left on device"), UsageError), (KeyboardInterrupt(), None)],
    ids=["disk-full", "interrupted"],
)
def test_output_file_is_replaced_whole_or_left_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    failure: BaseException,
    raised: type[BaseException] | None,
) -> None:
    """A full disk or Ctrl-C part-way keeps the previous report whole (a cut-off file would be
    read as a report), and no temporary file is left beside it."""
    old = tmp_path / "report.json"
    old.write_text("previous run\n")

    def fail(fd: int) -> None:
        raise failure

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(raised or type(failure), match="No space left" if raised else None):
        write_output("new report\n" * 10000, str(old))
    assert [path.name for path in tmp_path.iterdir()] == ["report.json"]
    assert old.read_text() == "previous run\n"


@pytest.mark.parametrize(("command", "option"), [("evaluate", "--input"), ("scan", "--from-file")])
@pytest.mark.parametrize("spelling", ["same", "relative", "symlink", "hard-link"])
def test_output_naming_the_input_file_is_refused_and_the_input_kept(
    run_harness: RunHarness, tmp_path: Path, command: str, option: str, spelling: str
) -> None:
    # The report would replace the role snapshots (or the saved scan, which may be the only
    # record of an account at that time) it was made from, without a word.
    source = "veeam-ec2-backup.json" if command == "evaluate" else "authorization-details.json"
    given = tmp_path / "input.json"
    original = (FIXTURES / "evaluate" / source).read_bytes()
    given.write_bytes(original)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.json").symlink_to(given)
    os.link(given, tmp_path / "hard.json")
    output = {
        "same": str(given),
        "relative": str(tmp_path / "sub" / ".." / "input.json"),
        "symlink": str(tmp_path / "link.json"),
        "hard-link": str(tmp_path / "hard.json"),
    }[spelling]
    args = [command, option, str(given), "--output", output, "--format", "json"]
    result = run_harness(*args, *(["--all-roles"] if command == "scan" else []))
    assert (result.returncode, result.stdout) == (2, "")
    would_lose = "the input" if command == "evaluate" else "the saved scan"
    assert result.stderr == (
        f"error: --output {output} and {option} {given} are the same file: the report "
        f"would overwrite {would_lose}\n"
    )
    assert given.read_bytes() == original


def test_output_file_keeps_its_mode_and_the_link_to_it(tmp_path: Path) -> None:
    old = tmp_path / "report.json"
    old.write_text("previous run\n")
    old.chmod(0o640)
    link = tmp_path / "latest.json"
    link.symlink_to(old)
    write_output("new report\n", str(link))
    assert link.is_symlink() and old.read_text() == "new report\n"
    assert stat.S_IMODE(old.stat().st_mode) == 0o640
    umask = os.umask(0o022)
    os.umask(umask)
    new = tmp_path / "new.json"
    write_output("new report\n", str(new))
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask  # as any new file, not 0600


def test_output_file_with_hard_links_is_written_in_place(tmp_path: Path) -> None:
    """A rename would leave the other names on the previous report."""
    old = tmp_path / "report.json"
    old.write_text("previous run\n")
    other = tmp_path / "also.json"
    os.link(old, other)
    write_output("new report\n", str(old))
    assert old.read_text() == other.read_text() == "new report\n"
    assert old.stat().st_nlink == 2


def test_output_file_of_another_owner_is_written_in_place(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Replacing it would make it the runner's; in a sticky directory (/tmp) the rename is
    not even allowed, where writing the writable file is."""
    old = tmp_path / "report.json"
    old.write_text("previous run\n")
    inode = old.stat().st_ino
    monkeypatch.setattr(os, "geteuid", lambda: old.stat().st_uid + 1)
    write_output("new report\n", str(old))
    assert (old.stat().st_ino, old.read_text()) == (inode, "new report\n")
    assert [path.name for path in tmp_path.iterdir()] == ["report.json"]


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner and group needs root")
def test_output_file_keeps_its_owner_and_group(tmp_path: Path) -> None:
    old = tmp_path / "report.json"
    old.write_text("previous run\n")
    os.chown(old, 4321, 4321)
    write_output("new report\n", str(old))
    assert (old.stat().st_uid, old.stat().st_gid, old.read_text()) == (4321, 4321, "new report\n")
    os.chown(old, 0, 4321)
    write_output("newer report\n", str(old))
    assert (old.stat().st_uid, old.stat().st_gid, old.read_text()) == (0, 4321, "newer report\n")


def test_output_file_with_a_name_near_the_limit(tmp_path: Path) -> None:
    """A temporary name made from the file's own would pass NAME_MAX (255 bytes)."""
    old = tmp_path / ("r" * 245 + ".json")
    write_output("first\n", str(old))
    write_output("second\n", str(old))
    assert old.read_text() == "second\n"
    assert [path.name for path in tmp_path.iterdir()] == [old.name]


def test_output_file_where_the_rename_is_refused_is_written_in_place(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    old = tmp_path / "report.json"
    old.write_text("previous run\n")

    def refuse(source: str, target: str) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "replace", refuse)
    write_output("new report\n", str(old))
    assert old.read_text() == "new report\n"
    assert [path.name for path in tmp_path.iterdir()] == ["report.json"]


def test_output_to_dev_stdout_writes_to_the_file_standard_output_is(tmp_path: Path) -> None:
    """Replacing the file behind /dev/stdout would leave the shell's redirection, and whatever
    else is written to it (``2>&1``), on a file no longer there."""
    out = tmp_path / "out.txt"
    code = "from harness.evaluate_command import write_output as w; w('report', '/dev/stdout')"
    with out.open("w") as stdout:
        inode = os.fstat(stdout.fileno()).st_ino
        subprocess.run(
            [sys.executable, "-c", code], stdout=stdout, check=True, cwd=REPO, env=harness_env()
        )
    assert (out.stat().st_ino, out.read_text()) == (inode, "report")
    write_output("nothing\n", os.devnull)
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_reader_that_went_away_stops_the_run_quietly(opa_url: str) -> None:
    """``... | head -c1``: no traceback, and the status of a process SIGPIPE ended (128 + 13),
    not 1, which would read as "some role not compliant"."""
    args = ("evaluate", "--input", VEEAM_FIXTURE, "--opa-url", opa_url, "--format", "json")
    process = subprocess.Popen(
        _harness(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=harness_env()
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # nobody reads: every write fails with EPIPE
    stderr = process.stderr.read()
    assert (process.wait(timeout=120), stderr) == (141, b"")


def test_a_reader_that_goes_away_mid_output_stops_the_run_quietly(
    opa_url: str, tmp_path: Path
) -> None:
    """A report larger than a pipe holds, and a reader that takes one byte and leaves: a single
    large write would return the part written without an error and lose the rest silently."""
    role = json.loads(Path(VEEAM_FIXTURE).read_text())
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps({"roles": [role] * 200}))
    args = ("evaluate", "--input", str(batch), "--opa-url", opa_url, "--format", "json")
    process = subprocess.Popen(
        _harness(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=harness_env()
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(1) == b"{"
    process.stdout.close()
    stderr = process.stderr.read()
    assert (process.wait(timeout=120), stderr) == (141, b"")


def test_closed_standard_output_is_bad_usage_without_output_file(opa_url: str) -> None:
    args = ("evaluate", "--input", VEEAM_FIXTURE, "--opa-url", opa_url, "--format", "json")
    closed = ["sh", "-c", 'exec "$@" 1>&-', "sh", *_harness(*args)]
    result = subprocess.run(closed, stderr=subprocess.PIPE, text=True, env=harness_env())
    assert (result.returncode, result.stderr) == (
        2,
        "error: standard output is closed: give --output FILE\n",
    )


def test_table_on_an_output_whose_encoding_lacks_a_character(
    run_harness: RunHarness, opa_url: str
) -> None:
    statement = {**LOWERCASE_EFFECT, "Sid": "Dé"}
    role = json.dumps(snapshot([GRANT_ALL, statement], [VALID_TRUST]))
    result = run_harness(
        "evaluate",
        *("--input", "-", "--opa-url", opa_url, "--format", "table"),
        input=role,
        env={"PYTHONIOENCODING": "ascii"},
    )
    assert (result.returncode, result.stderr) == (1, "")
    assert '(Sid "D\\xe9")' in result.stdout


CONTROL_ARN = "arn:aws:iam::123456789012:role/X\u0001Y\u001b[31m\u202eZ"
CONTROL_ARN_SHOWN = "arn:aws:iam::123456789012:role/X\\x01Y\\x1b[31m"


def test_control_characters_from_the_input_never_break_or_reach_the_output_raw(
    run_harness: RunHarness, opa_url: str
) -> None:
    """JUnit is always well-formed XML (what XML 1.0 cannot carry is shown as an escape); the
    table escapes every control character and bidirectional override a terminal would act on;
    JSON and SARIF carry the name exactly, as JSON escapes."""
    role = json.loads(Path(VEEAM_FIXTURE).read_text())
    role["role"]["arn"] = CONTROL_ARN
    outputs = {}
    for fmt in ("junit", "table", "json", "sarif"):
        result = run_harness(
            "evaluate",
            "--input",
            "-",
            "--opa-url",
            opa_url,
            "--format",
            fmt,
            input=json.dumps(role),
        )
        assert (result.returncode, result.stderr) == (0, ""), fmt
        outputs[fmt] = result.stdout
    suite = ET.fromstring(outputs["junit"]).find("testsuite")
    assert suite is not None and suite.get("name") == CONTROL_ARN_SHOWN + "\u202eZ"
    assert outputs["table"].splitlines()[0] == f"COMPLIANT  {CONTROL_ARN_SHOWN}\\u202eZ"
    for fmt, text in outputs.items():
        assert "\u0001" not in text and "\u001b" not in text, fmt
    assert json.loads(outputs["json"])["reports"][0]["role_arn"] == CONTROL_ARN
    results = json.loads(outputs["sarif"])["runs"][0]["results"]
    assert [r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in results] == [
        CONTROL_ARN,
        CONTROL_ARN,
    ]  # the two info findings: cross-account appliance, SCPs not given


def test_junit_escapes_every_character_xml_cannot_carry() -> None:
    report = formats.not_evaluated(
        "arn:aws:iam::123456789012:role/R", "bad \u0000\u0008\u000b\u001f\ufffe\uffff end\tok\n"
    )
    root = ET.fromstring(formats.render([report], "junit"))
    error = root.find("testsuite/testcase/error")
    assert error is not None
    assert error.text == "bad \\x00\\x08\\x0b\\x1f\\ufffe\\uffff end\tok\n"
