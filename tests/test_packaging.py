"""The harness as pip installs it: a built package, run from outside the repository.

The pipeline examples install the harness with ``pip install "vbaws-policy @ git+..."``; such an
installation has no repository beside it, so the policy directory of the private OPA and the
input's JSON Schema must travel inside the package.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, REPO, harness_env

from harness.opa import find_opa

# What a build reads: pyproject.toml names the README and maps rego/ and schemas/ into the package.
BUILD_SOURCES = ("pyproject.toml", "README.md", "harness", "rego", "schemas")
APPLIANCE = "arn:aws:iam::111111111111:role/VeeamBackupAppliance"


def _install(tmp_path: Path) -> Path:
    """``pip install --no-deps --target`` of a copy of the sources; the target directory."""
    source, target = tmp_path / "source", tmp_path / "site"
    for name in BUILD_SOURCES:
        if (REPO / name).is_dir():
            skip = shutil.ignore_patterns("__pycache__")
            shutil.copytree(REPO / name, source / name, ignore=skip)
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    # The dev extras install setuptools and wheel, so the build needs no package index.
    offline = all(importlib.util.find_spec(m) for m in ("setuptools", "wheel"))
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
    command += ["--no-build-isolation"] if offline else []
    command += ["--target", str(target), str(source)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return target


def test_an_installed_harness_carries_its_policies_and_schema(tmp_path: Path) -> None:
    site = _install(tmp_path)
    package = site / "harness"
    # pyproject.toml lists the packages one by one: a new one left out would be missing here.
    code = sorted(p.relative_to(REPO) for p in (REPO / "harness").rglob("*.py"))
    assert sorted(p.relative_to(site) for p in package.rglob("*.py")) == code
    assert (package / "schemas" / "role-snapshot.schema.json").read_bytes() == (
        REPO / "schemas" / "role-snapshot.schema.json"
    ).read_bytes()
    shipped = sorted(p.relative_to(package / "rego") for p in (package / "rego").rglob("*.*"))
    expected = sorted(
        p.relative_to(REPO / "rego")
        for p in (REPO / "rego").rglob("*.*")
        if not p.name.endswith("_test.rego")
    )
    assert shipped == expected

    # From a directory that is not the repository: the schema validates the input (and the
    # --appliance option), the private OPA loads the package's own policies.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    snapshot = elsewhere / "role.json"
    shutil.copy2(FIXTURES / "evaluate" / "veeam-ec2-backup.json", snapshot)
    done = subprocess.run(
        [sys.executable, "-m", "harness", "evaluate", "--input", str(snapshot)]
        + ["--appliance", APPLIANCE, "--format", "json"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=harness_env({"PYTHONPATH": str(site), "OPA_BIN": find_opa()}),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    assert output["summary"] == {"roles": 1, "compliant": 1, "not_compliant": 0, "not_evaluated": 0}
    assert output["reports"][0]["trust"]["checked"] is True

    # The harness that ran is the installed one, not the repository's.
    where = subprocess.run(
        [sys.executable, "-c", "import harness.opa as o; print(o.__file__, o.rego_dir())"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=harness_env({"PYTHONPATH": str(site)}),
        check=True,
    )
    assert where.stdout.split() == [str(package / "opa.py"), str(package / "rego")]
