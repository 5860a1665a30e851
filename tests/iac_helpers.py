"""Running the real conftest binary on infrastructure-as-code fixtures, as a pipeline would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
CONFTEST_DATA = FIXTURES / "conftest-data"
REQUIREMENTS = json.loads((REPO / "rego" / "vbaws" / "requirements" / "data.json").read_text())


def find_conftest() -> str:
    """$CONFTEST_BIN, then <repo>/.tools/bin/conftest (scripts/setup builds it), then PATH."""
    candidates = [os.environ.get("CONFTEST_BIN"), str(REPO / ".tools" / "bin" / "conftest")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("conftest")
    if found:
        return found
    message = (
        "conftest not found: run scripts/setup (builds .tools/bin/conftest) or set CONFTEST_BIN"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass(frozen=True)
class ConftestResult:
    returncode: int
    failures: list[str]
    warnings: list[str]
    stderr: str


def run_conftest(namespace: str, target: Path, *data: Path) -> ConftestResult:
    """``conftest test --policy rego --data rego --namespace <ns> <file>`` (contract section 3)
    from the repository root, with any extra ``--data`` files, read back as JSON."""
    command = [find_conftest(), "test", "--policy", "rego", "--data", "rego"]
    for extra in data:
        command += ["--data", str(extra.relative_to(REPO) if extra.is_relative_to(REPO) else extra)]
    command += ["--namespace", namespace, str(target.relative_to(REPO))]
    command += ["--output", "json", "--no-color"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.stdout, f"conftest printed nothing (exit {done.returncode}): {done.stderr}"
    results = json.loads(done.stdout)
    assert [r["filename"] for r in results] == [str(target.relative_to(REPO))], done.stdout
    return ConftestResult(
        returncode=done.returncode,
        failures=sorted(m["msg"] for r in results for m in r.get("failures") or []),
        warnings=sorted(m["msg"] for r in results for m in r.get("warnings") or []),
        stderr=done.stderr,
    )


def actions(check: str) -> list[str]:
    """The required actions of a requirement set, in the sorted order the messages use."""
    return sorted(REQUIREMENTS[check]["actions"])


def missing(subject: str, check: str, names: list[str], suffix: str = "") -> str:
    noun = "action" if len(names) == 1 else "actions"
    listed = ", ".join(f"{n}{suffix}" for n in sorted(names))
    return f"{subject}: check {check}: missing {len(names)} required {noun}: {listed}"


NOTHING_SELECTED = (
    "no IAM role in this {kind} is selected for the Veeam checks: tag a role with vbaws:checks "
    '(requirement set ids separated by spaces, e.g. "ec2_backup") or list it in '
    "data.vbaws_config.roles (see docs/conftest.md)"
)


def no_document(subject: str, arn: str) -> str:
    return (
        f"{subject}: managed policy {arn} has no document in this input or in "
        "data.vbaws_managed_policies (python -m harness export-managed-policies writes one); "
        "counted as granting nothing"
    )
