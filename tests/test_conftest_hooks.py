"""The pre-commit hooks (.pre-commit-hooks.yaml): run from another directory, as pre-commit does
when it runs a hook of this repository inside a user's repository."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from iac_helpers import CONFTEST_DATA, FIXTURES, REPO, find_conftest

HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())


def test_hook_definitions() -> None:
    assert {h["id"]: h["entry"] for h in HOOKS} == {
        "vbaws-terraform": "scripts/conftest-hook vbaws.terraform",
        "vbaws-cloudformation": "scripts/conftest-hook vbaws.cloudformation",
    }
    for hook in HOOKS:
        assert hook["language"] == "script"
        assert os.access(REPO / hook["entry"].split()[0], os.X_OK)
    by_id = {h["id"]: re.compile(h["files"]) for h in HOOKS}
    assert by_id["vbaws-terraform"].search("infra/prod.tfplan.json")
    assert not by_id["vbaws-terraform"].search("infra/main.tf")
    assert by_id["vbaws-cloudformation"].search("stacks/backup.template.yaml")
    assert by_id["vbaws-cloudformation"].search("cloudformation/backup.yml")
    assert not by_id["vbaws-cloudformation"].search(".github/workflows/ci.yml")


@pytest.mark.parametrize(
    ("hook", "fixture", "returncode", "expected"),
    [
        (
            "vbaws-terraform",
            FIXTURES / "terraform" / "missing-actions.json",
            1,
            "FAIL - plan.tfplan.json - vbaws.terraform - aws_iam_role.veeam_backup: the trust "
            "policy does not let arn:aws:iam::111111111111:role/VeeamBackupApplianceRole call "
            "sts:AssumeRole on this role (no Allow statement names it)",
        ),
        (
            "vbaws-cloudformation",
            FIXTURES / "cloudformation" / "compliant.yaml",
            0,
            # conftest counts rules, which grow with the policy: every one passed, none warned.
            re.compile(r"(\d+) tests, \1 passed, 0 warnings, 0 failures, 0 exceptions"),
        ),
    ],
)
def test_hook_runs_from_the_users_repository(
    tmp_path: Path, hook: str, fixture: Path, returncode: int, expected: str | re.Pattern[str]
) -> None:
    conftest = find_conftest()
    name = "plan.tfplan.json" if hook == "vbaws-terraform" else "backup.template.yaml"
    shutil.copy(fixture, tmp_path / name)
    shutil.copy(CONFTEST_DATA / "selection.yaml", tmp_path / "vbaws-config.yaml")
    entry = next(h["entry"] for h in HOOKS if h["id"] == hook).split()
    done = subprocess.run(
        [str(REPO / entry[0]), *entry[1:], "--data", "vbaws-config.yaml", "--no-color", name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=dict(os.environ, CONFTEST_BIN=conftest),
        timeout=300,
    )
    assert done.returncode == returncode, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    if isinstance(expected, re.Pattern):
        assert any(expected.fullmatch(line) for line in lines), done.stdout
    else:
        assert expected in lines, done.stdout
