"""The pipeline examples under examples/, run here as far as this machine allows.

GitHub Actions and GitLab CI themselves are not available, so each test takes the command lines
out of the example YAML and runs them as the pipeline would: the sidecar's OPA arguments against
the real OPA (for the docker image), the wait loop and the scan command in bash against a moto
server standing in for AWS, and the conftest step against the real conftest. What cannot run here
(checkout, pip install from git, cloud credentials, uploads) is left out by name.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from moto_server import DEFAULT_ACCOUNT, MotoServer, allow_document, scan_env, trust_document
from sidecar_helpers import (
    EXAMPLES,
    OPA_CONFIG,
    REPO_ROOT,
    BundleServer,
    Process,
    build_bundle,
    bundle_members,
    free_port,
    make_keypair,
    write_bundle,
)

from harness.opa import find_opa, rego_dir

GITHUB_SCAN = EXAMPLES / "github-actions" / "vbaws-scan.yml"
GITHUB_PLAN = EXAMPLES / "github-actions" / "vbaws-terraform-plan.yml"
GITLAB_SCAN = EXAMPLES / "gitlab-ci" / "vbaws.gitlab-ci.yml"
APPLIANCE = "arn:aws:iam::111111111111:role/PipelineAppliance"
ROLE_NAME = "PipelineDescribeOnly"


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def steps_by_name(workflow: Path) -> dict[str, dict[str, Any]]:
    [job] = load_yaml(workflow)["jobs"].values()
    return {step["name"]: step for step in job["steps"] if "name" in step}


def pinned_versions() -> dict[str, str]:
    """Tool versions scripts/setup installs (OPA_VERSION="v1.22.3" → {"OPA": "1.22.3"})."""
    setup = (REPO_ROOT / "scripts" / "setup").read_text()
    return {m[1]: m[2] for m in re.finditer(r'^(\w+)_VERSION="v([^"]+)"', setup, re.MULTILINE)}


def set_flags_as_config(flags: list[str]) -> dict[str, Any]:
    """``--set=a.b=value`` flags as the nested configuration they produce."""
    config: dict[str, Any] = {}
    for flag in flags:
        if not flag.startswith("--set="):
            continue
        key, value = flag.removeprefix("--set=").split("=", 1)
        *parents, leaf = key.split(".")
        node = config
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = {"true": True, "false": False}.get(value, value)
    return config


def github_sidecar_args() -> list[str]:
    """The OPA arguments of the workflow's `docker run` (everything after the image)."""
    words = shlex.split(steps_by_name(GITHUB_SCAN)["Start the OPA sidecar"]["run"])
    assert words[:2] == ["docker", "run"]
    return words[words.index("$OPA_IMAGE") + 1 :]


def gitlab_job() -> dict[str, Any]:
    job: dict[str, Any] = load_yaml(GITLAB_SCAN)["vbaws-scan"]
    return job


def gitlab_sidecar_args() -> list[str]:
    [service] = gitlab_job()["services"]
    return list(service["command"])


def test_examples_pin_the_tool_versions_of_scripts_setup():
    versions = pinned_versions()
    github_env = load_yaml(GITHUB_SCAN)["env"]
    assert github_env["OPA_IMAGE"] == f"openpolicyagent/opa:{versions['OPA']}"
    assert gitlab_job()["services"][0]["name"] == f"openpolicyagent/opa:{versions['OPA']}"
    plan_env = load_yaml(GITHUB_PLAN)["env"]
    assert plan_env["OPA_VERSION"] == versions["OPA"]
    assert plan_env["CONFTEST_IMAGE"] == f"openpolicyagent/conftest:v{versions['CONFTEST']}"


@pytest.mark.parametrize(
    "flags", [github_sidecar_args, gitlab_sidecar_args], ids=["github", "gitlab"]
)
def test_ci_sidecar_flags_match_examples_opa_config(flags: Any):
    """The --set flags of the CI examples configure OPA exactly as examples/opa-config.yaml,
    except for what opa-config.yaml leaves to the command line (the key) and polling (defaults)."""
    from_flags = set_flags_as_config(flags())
    key = from_flags["keys"]["vbaws-bundle"].pop("key")
    assert key == "${VBAWS_BUNDLE_PUBLIC_KEY}"
    from_file = load_yaml(OPA_CONFIG)
    del from_file["bundles"]["vbaws"]["polling"]
    assert from_flags == from_file


# --- running the examples ------------------------------------------------------------------


@dataclass
class Published:
    server: BundleServer
    bundle: Path
    public_key: Path
    work: Path

    def sidecar_env(self) -> dict[str, str]:
        return {
            "VBAWS_BUNDLE_SERVICE_URL": self.server.service_url,
            "VBAWS_BUNDLE_PUBLIC_KEY": self.public_key.read_text(),
        }


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    """A signed bundle of rego/ behind serve-bundle: what a team's bundle service provides."""
    work = tmp_path_factory.mktemp("pipelines")
    private_key, public_key = make_keypair(work / "keys")
    bundle = build_bundle(
        work / "served" / "bundle.tar.gz",
        *("--source", rego_dir(), "--revision", "pipeline-1", "--signing-key", private_key),
    )
    with BundleServer(bundle, work / "serve.log") as server:
        yield Published(server, bundle, public_key, work)


@pytest.fixture(scope="module")
def account(moto_server: MotoServer) -> MotoServer:
    """One role the appliance may assume, allowed only ec2:Describe*: not compliant."""
    iam = moto_server.client("iam")
    iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=trust_document(APPLIANCE))
    iam.put_role_policy(
        RoleName=ROLE_NAME,
        PolicyName="describe",
        PolicyDocument=allow_document(["ec2:Describe*"]),
    )
    return moto_server


def start_sidecar(
    args: list[str], listen: str, published: Published, log: Path
) -> tuple[Process, str]:
    """The example's OPA arguments with the listen address moved to a free loopback port."""
    port = free_port()
    assert listen in args, f"{listen} not in {args}"
    args = [f"--addr=127.0.0.1:{port}" if a == listen else a for a in args]
    opa = Process([find_opa(), *args], log, env=published.sidecar_env())
    return opa, f"http://127.0.0.1:{port}"


def bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A step's script as the runners run it: bash, stopping at the first failure."""
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def pipeline_env(moto: MotoServer, opa_url: str) -> dict[str, str]:
    """What the pipeline's job has: the harness installed (here: the checkout), AWS credentials
    (here: moto's, through AWS_ENDPOINT_URL, which boto3 honours), and the example's variables."""
    env = scan_env(moto, AWS_ENDPOINT_URL=moto.url)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONPATH"] = str(REPO_ROOT)
    env["OPA_URL"] = opa_url
    env["VBAWS_APPLIANCE_ROLE_ARN"] = APPLIANCE
    return env


def test_github_scan_workflow(published: Published, account: MotoServer, tmp_path: Path):
    steps = steps_by_name(GITHUB_SCAN)
    opa, url = start_sidecar(
        github_sidecar_args(), "--addr=127.0.0.1:8181", published, tmp_path / "opa.log"
    )
    with opa:
        env = pipeline_env(account, url)
        waited = bash(steps["Wait for the sidecar to activate the bundle"]["run"], tmp_path, env)
        assert waited.returncode == 0, waited.stderr

        scan = bash(steps["Scan the roles the appliance can assume"]["run"], tmp_path, env)

    assert scan.returncode == 1, scan.stderr  # the role is not compliant
    sarif = json.loads((tmp_path / "vbaws.sarif").read_text())
    assert f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/{ROLE_NAME}" in json.dumps(sarif["runs"])
    assert "pipeline-1" in opa.output()  # the sidecar answered from the published revision


def test_gitlab_scan_job(published: Published, account: MotoServer, tmp_path: Path):
    job = gitlab_job()
    [service] = job["services"]
    # Service variables name job variables ($VBAWS_...): what the sidecar's environment gets.
    assert service["variables"] == {name: f"${name}" for name in published.sidecar_env()}
    opa, url = start_sidecar(
        gitlab_sidecar_args(), "--addr=0.0.0.0:8181", published, tmp_path / "opa.log"
    )
    assert job["variables"]["OPA_URL"] == f"http://{service['alias']}:8181"
    runnable = [
        line for line in job["script"] if line.startswith(("for ", "curl ", "python -m harness "))
    ]
    assert len(runnable) == 3, job["script"]
    with opa:
        env = pipeline_env(account, url)
        result = bash("\n".join(runnable), tmp_path, env)

    assert result.returncode == 1, result.stderr  # the role is not compliant
    junit = (tmp_path / job["artifacts"]["reports"]["junit"]).read_text()
    assert ROLE_NAME in junit
    assert "pipeline-1" in opa.output()


def conftest_bin() -> str:
    local = REPO_ROOT / ".tools" / "bin" / "conftest"
    found = str(local) if os.access(local, os.X_OK) else shutil.which("conftest")
    assert found, "conftest is not installed: run scripts/setup"
    return found


def run_plan_workflow(
    published: Published, bundle_url: str, plan: Path, tmp_path: Path
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str] | None]:
    """The fetch-and-verify step, then (if it passed) the conftest step, in a fresh workspace."""
    steps = steps_by_name(GITHUB_PLAN)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    shutil.copy(plan, workspace / "plan.json")
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(find_opa()).parent), os.environ.get("PATH", "")]),
        "VBAWS_BUNDLE_URL": bundle_url,
        "VBAWS_BUNDLE_PUBLIC_KEY": published.public_key.read_text(),
    }
    fetched = bash(steps["Fetch and verify the vbaws bundle"]["run"], workspace, env)
    if fetched.returncode != 0:
        return fetched, None
    words = shlex.split(steps["conftest"]["run"])
    conftest_args = words[words.index("$CONFTEST_IMAGE") + 1 :]
    checked = subprocess.run(
        [conftest_bin(), *conftest_args],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return fetched, checked


@pytest.mark.parametrize(
    ("plan", "passes"), [("compliant.json", True), ("missing-actions.json", False)]
)
def test_conftest_workflow_checks_a_plan(
    published: Published, tmp_path: Path, plan: str, passes: bool
):
    fetched, checked = run_plan_workflow(
        published, published.server.url, REPO_ROOT / "fixtures" / "terraform" / plan, tmp_path
    )
    assert fetched.returncode == 0, fetched.stderr
    assert checked is not None
    assert (checked.returncode == 0) is passes, checked.stdout + checked.stderr
    if not passes:
        assert checked.returncode == 1
        assert "FAIL" in checked.stdout


def test_conftest_workflow_refuses_a_tampered_bundle(published: Published, tmp_path: Path):
    members = bundle_members(published.bundle)
    data = json.loads(members["data.json"])
    data["vbaws"]["requirements"]["ec2_backup"]["actions"] = []
    members["data.json"] = json.dumps(data).encode()
    (tmp_path / "tampered").mkdir()
    tampered = write_bundle(tmp_path / "tampered" / "bundle.tar.gz", members)
    with BundleServer(tampered, tmp_path / "serve.log") as server:
        fetched, checked = run_plan_workflow(
            published,
            server.url,
            REPO_ROOT / "fixtures" / "terraform" / "missing-actions.json",
            tmp_path,
        )
    assert fetched.returncode != 0
    assert "digest mismatch" in fetched.stdout + fetched.stderr
    assert checked is None
