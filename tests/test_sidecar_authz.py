"""A sidecar with --authentication=token --authorization=basic and examples/system/authz.

The harness reaches it with --opa-token (or $OPA_TOKEN); without the token it fails clearly, with
exit 3 and a message, and reports the role as not evaluated rather than as passing.
"""

from __future__ import annotations

import json
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sidecar_helpers import (
    EXAMPLES,
    SIDECAR_FIXTURES,
    BundleServer,
    Opa,
    build_bundle,
    make_keypair,
    sidecar_args,
)

from harness.opa import find_opa, rego_dir

AUTHZ_POLICY = EXAMPLES / "system" / "authz" / "authz.rego"
FULL_ADMIN = str(SIDECAR_FIXTURES / "full-admin-role.json")
DESCRIBE_ONLY = str(SIDECAR_FIXTURES / "describe-only-role.json")


@dataclass
class GuardedSidecar:
    opa: Opa
    token: str


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GuardedSidecar]:
    work = tmp_path_factory.mktemp("authz")
    private_key, public_key = make_keypair(work / "keys")
    bundle = build_bundle(
        work / "bundle.tar.gz",
        *("--source", rego_dir(), "--revision", "authz-1", "--signing-key", private_key),
    )
    token = secrets.token_urlsafe(24)
    with BundleServer(bundle, work / "serve.log") as server:
        args = ["--authentication=token", "--authorization=basic"]
        args += [*sidecar_args(public_key), str(AUTHZ_POLICY)]
        env = {"VBAWS_BUNDLE_SERVICE_URL": server.service_url, "VBAWS_OPA_TOKEN": token}
        with Opa(args, work / "opa.log", env=env) as opa:
            # /health needs no token (probes), so this also shows the policy is in force.
            opa.wait_healthy("bundles")
            yield GuardedSidecar(opa, token)


def evaluate(run_harness, guarded: GuardedSidecar, role: str, *extra: str, env=None):
    return run_harness(
        *("evaluate", "--input", role, "--format", "json", "--opa-url", guarded.opa.url),
        *extra,
        env=env,
        timeout=120,
    )


def test_harness_with_the_token_gets_decisions(run_harness, guarded: GuardedSidecar):
    # One "=" word: a random token may start with "-", which argparse would take for an option.
    passing = evaluate(run_harness, guarded, FULL_ADMIN, f"--opa-token={guarded.token}")
    assert passing.returncode == 0, passing.stderr
    reports = json.loads(passing.stdout)["reports"]
    assert [(r["role_arn"], r["compliant"]) for r in reports] == [
        ("arn:aws:iam::123456789012:role/SidecarFullAdmin", True)
    ]

    # $OPA_TOKEN works the same, and a non-compliant role still exits 1, not 3.
    failing = evaluate(run_harness, guarded, DESCRIBE_ONLY, env={"OPA_TOKEN": guarded.token})
    assert failing.returncode == 1, failing.stderr
    assert json.loads(failing.stdout)["summary"]["not_compliant"] == 1


@pytest.mark.parametrize("token", [None, "not-the-token"], ids=["no-token", "wrong-token"])
def test_harness_without_the_token_fails_clearly(
    run_harness, guarded: GuardedSidecar, token: str | None
):
    extra = ["--opa-token", token] if token else []
    result = evaluate(run_harness, guarded, FULL_ADMIN, *extra)

    assert result.returncode == 3
    assert "401 Unauthorized" in result.stderr
    assert "--opa-token" in result.stderr
    assert "Traceback" not in result.stderr
    [report] = json.loads(result.stdout)["reports"]
    assert report["evaluated"] is False
    assert report["compliant"] is False


def test_token_opens_only_vbaws_decisions_and_status(guarded: GuardedSidecar):
    opa, bearer = guarded.opa, {"Authorization": f"Bearer {guarded.token}"}
    assert opa.http.get("/health").status_code == 200
    assert opa.http.get("/v1/status").status_code == 401
    assert opa.http.get("/v1/status", headers=bearer).status_code == 200
    assert opa.query("vbaws/ec2_backup/allow", {}, token=guarded.token).status_code == 200
    # The token does not open the rest of the API: policies, other data, writes.
    assert opa.http.get("/v1/policies", headers=bearer).status_code == 401
    assert opa.query("system/authz/allow", {}, token=guarded.token).status_code == 401
    assert opa.http.put("/v1/data/vbaws/x", json=1, headers=bearer).status_code == 401


@pytest.mark.parametrize(
    "command",
    [["test"], ["check", "--strict"], ["fmt", "--list", "--fail"]],
    ids=["opa-test", "opa-check-strict", "opa-fmt"],
)
def test_authz_example_policy_is_tested_strict_and_formatted(command: list[str]):
    result = subprocess.run(
        [find_opa(), *command, str(AUTHZ_POLICY.parent)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    if command == ["test"]:
        assert "PASS: 5/5" in result.stdout
