"""The OPA sidecar end to end: examples/opa-config.yaml pulling our signed bundle from serve-bundle.

One real OPA polls a real `python -m harness serve-bundle` every second. The tests publish bundle
revisions (good, tampered, wrongly signed, unsigned) by replacing the served file and watch what
OPA activates, through GET /v1/status and through the answers of the contract entry points.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sidecar_helpers import (
    REPO_ROOT,
    BundleServer,
    Opa,
    build_bundle,
    bundle_members,
    load_fixture,
    make_keypair,
    publish,
    sidecar_args,
    wait_for,
    write_bundle,
)

from harness.opa import PrivateOpa, rego_dir

FULL_ADMIN = load_fixture("full-admin-role.json")
DESCRIBE_ONLY = load_fixture("describe-only-role.json")
BATCH = {"roles": [FULL_ADMIN, DESCRIBE_ONLY]}
REQUIRED_EC2_BACKUP = json.loads(
    (REPO_ROOT / "rego" / "vbaws" / "requirements" / "data.json").read_text()
)["ec2_backup"]["actions"]


@dataclass
class Sidecar:
    opa: Opa
    server: BundleServer
    served: Path
    work: Path
    private_key: Path
    public_key: Path

    def build(self, revision: str, key: Path | None = None, *, signed: bool = True) -> Path:
        """A bundle of rego/ with this revision, signed with ``key`` (default: the sidecar's)."""
        signing = ["--signing-key", key or self.private_key] if signed else []
        return build_bundle(
            self.work / f"{revision}.tar.gz",
            *("--source", rego_dir(), "--revision", revision),
            *signing,
        )

    def publish_good(self, revision: str) -> None:
        """Publish a correctly signed revision and wait until OPA has activated it."""
        publish(self.build(revision), self.served)
        wait_for(
            f"OPA to activate revision {revision}",
            lambda: self.opa.bundle_status().get("active_revision") == revision,
        )


@pytest.fixture(scope="module")
def sidecar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sidecar]:
    work = tmp_path_factory.mktemp("sidecar")
    private_key, public_key = make_keypair(work / "keys")
    served = work / "served" / "bundle.tar.gz"
    served.parent.mkdir()
    with BundleServer(served_bundle_placeholder(served), work / "serve.log") as server:
        opa = Opa(
            sidecar_args(public_key),
            work / "opa.log",
            env={"VBAWS_BUNDLE_SERVICE_URL": server.service_url},
        )
        with opa:
            running = Sidecar(opa, server, served, work, private_key, public_key)
            publish(running.build("rev-1"), served)
            opa.wait_healthy("bundles")
            yield running


def served_bundle_placeholder(served: Path) -> Path:
    # serve-bundle wants an existing file at start; it answers 503 for this one (not gzip data),
    # so OPA has no bundle until the first real revision replaces it, which /health?bundles
    # must reflect.
    served.write_bytes(b"not a bundle yet")
    return served


@pytest.fixture(scope="module")
def reference() -> Iterator[httpx.Client]:
    """A plain OPA on the rego/ sources, to compare the bundle's answers with."""
    with PrivateOpa(rego_dir()) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


def reference_result(reference: httpx.Client, path: str, input: Any) -> Any:
    response = reference.post(f"/v1/data/{path}", json={"input": input})
    assert response.status_code == 200, response.text
    return response.json().get("result")


def test_sidecar_activates_the_signed_bundle_and_polls_with_etags(sidecar: Sidecar):
    status = sidecar.opa.bundle_status()
    assert "code" not in status, status
    manifest = sidecar.opa.http.get("/v1/data/system/bundles/vbaws/manifest").json()["result"]
    assert manifest["roots"] == ["vbaws"]
    # rev-1 unless a later test of this module already ran on this worker.
    assert manifest["revision"] == status["active_revision"]
    assert (sidecar.work / f"{manifest['revision']}.tar.gz").is_file()
    # Unchanged bundle: OPA's next polls get 304 Not Modified from serve-bundle.
    wait_for(
        "a 304 answer to OPA's poll",
        lambda: '"GET /bundle.tar.gz HTTP/1.1" 304' in sidecar.server.output(),
    )


def test_report_and_allow_answer_for_single_roles(sidecar: Sidecar, reference: httpx.Client):
    full = sidecar.opa.result("vbaws/ec2_backup/report", FULL_ADMIN)
    assert full["role_arn"] == FULL_ADMIN["role"]["arn"]
    assert full["compliant"] is True
    actions = full["checks"]["ec2_backup"]["actions"]
    assert set(actions) == set(REQUIRED_EC2_BACKUP)
    assert {entry["decision"] for entry in actions.values()} == {"allowed"}
    assert full["trust"]["appliance_can_assume"] is True

    partial = sidecar.opa.result("vbaws/ec2_backup/report", DESCRIBE_ONLY)
    assert partial["compliant"] is False
    check = partial["checks"]["ec2_backup"]
    assert check["actions"]["ec2:DescribeInstances"] == {"decision": "allowed"}
    assert check["actions"]["ec2:CreateSnapshot"]["decision"] == "implicit_deny"
    assert check["actions"]["ec2:CreateSnapshot"]["blocked_by"] == ["identity"]
    assert {"ebs:ListChangedBlocks", "ec2:CreateSnapshot"} <= set(check["missing"])
    assert "ec2:DescribeInstances" not in check["missing"]

    assert sidecar.opa.result("vbaws/ec2_backup/allow", FULL_ADMIN) is True
    assert sidecar.opa.result("vbaws/ec2_backup/allow", DESCRIBE_ONLY) is False

    # The bundle answers exactly as the sources it was built from.
    for path, role in [
        ("vbaws/ec2_backup/report", FULL_ADMIN),
        ("vbaws/ec2_backup/report", DESCRIBE_ONLY),
    ]:
        assert sidecar.opa.result(path, role) == reference_result(reference, path, role)


def test_a_pipeline_asking_with_opa_python_client_gets_the_same_answers(sidecar: Sidecar):
    """A pipeline in Python may ask the sidecar through the OPA project's client library
    (opa-python-client) rather than plain HTTP: the same reports and allow decisions."""
    from opa_client.opa import OpaClient as PipelineClient

    client = PipelineClient(host="127.0.0.1", port=sidecar.opa.port, timeout=30)
    try:
        for role, allowed in ((FULL_ADMIN, True), (DESCRIBE_ONLY, False)):
            for rule, expected in (
                ("report", sidecar.opa.result("vbaws/ec2_backup/report", role)),
                ("allow", allowed),
            ):
                answer = client.query_rule(role, "vbaws.ec2_backup", rule)
                assert answer["result"] == expected
        batch = client.query_rule(BATCH, "vbaws.ec2_backup", "report_list")["result"]
        assert [r["role_arn"] for r in batch] == [r["role"]["arn"] for r in BATCH["roles"]]
    finally:
        client.close_connection()


def test_batch_entry_points_answer_in_input_order(sidecar: Sidecar, reference: httpx.Client):
    single = [sidecar.opa.result("vbaws/ec2_backup/report", role) for role in BATCH["roles"]]

    assert sidecar.opa.result("vbaws/ec2_backup/report_list", BATCH) == single
    assert sidecar.opa.result("vbaws/ec2_backup/reports", BATCH) == {
        FULL_ADMIN["role"]["arn"]: single[0],
        DESCRIBE_ONLY["role"]["arn"]: single[1],
    }

    details = json.loads((REPO_ROOT / "fixtures/evaluate/authorization-details.json").read_text())
    by_arn = sidecar.opa.result("vbaws/ec2_backup/reports", details)
    assert set(by_arn) == {role["Arn"] for role in details["RoleDetailList"]}
    assert by_arn == reference_result(reference, "vbaws/ec2_backup/reports", details)


@pytest.mark.parametrize(
    ("plan", "denied"),
    [("compliant.json", False), ("missing-actions.json", True)],
)
def test_terraform_entry_points_answer(
    sidecar: Sidecar, reference: httpx.Client, plan: str, denied: bool
):
    document = json.loads((REPO_ROOT / "fixtures" / "terraform" / plan).read_text())
    deny = sidecar.opa.result("vbaws/terraform/deny", document)
    assert bool(deny) is denied, deny
    assert deny == reference_result(reference, "vbaws/terraform/deny", document)
    warn = sidecar.opa.result("vbaws/terraform/warn", document)
    assert warn == reference_result(reference, "vbaws/terraform/warn", document)


@pytest.mark.parametrize("rule", ["deny", "warn"])
def test_cloudformation_entry_points_answer(sidecar: Sidecar, reference: httpx.Client, rule: str):
    # A template without IAM roles: nothing to deny, and the entry point must still be defined.
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}
    path = f"vbaws/cloudformation/{rule}"
    answer = sidecar.opa.result(path, template)
    assert isinstance(answer, list)
    if rule == "deny":
        assert answer == []
    assert answer == reference_result(reference, path, template)


def test_decisions_are_logged_to_the_console(sidecar: Sidecar):
    marker = {**DESCRIBE_ONLY, "role": {**DESCRIBE_ONLY["role"], "name": "DecisionLogMarker"}}
    assert sidecar.opa.result("vbaws/ec2_backup/allow", marker) is False

    def logged() -> dict[str, Any] | None:
        for line in sidecar.opa.output().splitlines():
            if "DecisionLogMarker" not in line:
                continue
            entry = json.loads(line)
            if entry.get("msg") == "Decision Log":
                return entry
        return None

    entry = wait_for("the decision in OPA's console log", logged)
    assert entry["path"] == "vbaws/ec2_backup/allow"
    assert entry["result"] is False
    assert entry["bundles"]["vbaws"]["revision"] == sidecar.opa.bundle_status()["active_revision"]


def test_a_new_revision_is_picked_up(sidecar: Sidecar):
    sidecar.publish_good("rev-2")
    sidecar.publish_good("rev-3")
    status = sidecar.opa.bundle_status()
    assert status["active_revision"] == "rev-3"
    assert "code" not in status
    assert sidecar.opa.result("vbaws/ec2_backup/allow", FULL_ADMIN) is True


def tamper_data(sidecar: Sidecar, good: Path) -> Path:
    """The good bundle with a requirement removed from its data and a new revision, same
    .signatures.json: what an attacker who can only alter bytes in transit would serve."""
    members = bundle_members(good)
    data = json.loads(members["data.json"])
    data["vbaws"]["requirements"]["ec2_backup"]["actions"].remove("ebs:ListChangedBlocks")
    members["data.json"] = json.dumps(data).encode()
    members[".manifest"] = json.dumps({"revision": "tampered", "roots": ["vbaws"]}).encode()
    return write_bundle(sidecar.work / "tampered.tar.gz", members)


def signed_by_stranger(sidecar: Sidecar, good: Path) -> Path:
    stranger, _ = make_keypair(sidecar.work / "stranger-keys")
    return sidecar.build("tampered", stranger)


def unsigned(sidecar: Sidecar, good: Path) -> Path:
    return sidecar.build("tampered", signed=False)


@pytest.mark.parametrize(
    ("make_bad_bundle", "refusal"),
    [
        (tamper_data, "digest mismatch"),
        (signed_by_stranger, "failed to verify JWT signature"),
        (unsigned, "bundle missing .signatures.json"),
    ],
    ids=["altered-data", "wrong-key", "unsigned"],
)
def test_a_bundle_failing_verification_is_refused_and_the_old_one_kept(
    sidecar: Sidecar, make_bad_bundle: Any, refusal: str
):
    sidecar.publish_good("before-tampering")
    good = sidecar.work / "before-tampering.tar.gz"

    publish(make_bad_bundle(sidecar, good), sidecar.served)

    status = wait_for(
        "OPA to report the bundle error",
        lambda: (s := sidecar.opa.bundle_status()).get("code") == "bundle_error" and s,
    )
    assert refusal in status["message"]
    assert status["active_revision"] == "before-tampering"
    # Still the genuine requirement data: ListChangedBlocks is still required and missing.
    report = sidecar.opa.result("vbaws/ec2_backup/report", DESCRIBE_ONLY)
    assert "ebs:ListChangedBlocks" in report["checks"]["ec2_backup"]["missing"]
    assert sidecar.opa.http.get("/health?bundles").status_code == 200

    sidecar.publish_good("after-tampering")
    assert "code" not in sidecar.opa.bundle_status()


def test_health_turns_healthy_only_once_a_bundle_is_active(sidecar: Sidecar, tmp_path: Path):
    served = tmp_path / "bundle.tar.gz"
    with BundleServer(served_bundle_placeholder(served), tmp_path / "serve.log") as server:
        env = {"VBAWS_BUNDLE_SERVICE_URL": server.service_url}
        with Opa(sidecar_args(sidecar.public_key), tmp_path / "opa.log", env=env) as opa:
            wait_for("OPA to try the placeholder", lambda: "code" in opa.bundle_status())
            assert opa.http.get("/health?bundles").status_code != 200
            publish(sidecar.work / "rev-1.tar.gz", served)
            opa.wait_healthy("bundles")
            assert opa.bundle_status()["active_revision"] == "rev-1"


def test_readme_curl_example_answers_from_the_sidecar(sidecar: Sidecar):
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("## The OPA sidecar and its decision API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    [example] = [block for block in blocks if "/v1/data/vbaws/ec2_backup/report" in block]
    result = subprocess.run(
        ["bash", "-e", "-c", example.replace("http://127.0.0.1:8181", sidecar.opa.url)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["result"] == sidecar.opa.result("vbaws/ec2_backup/report", DESCRIBE_ONLY)
    assert answer["result"]["role_arn"] == DESCRIBE_ONLY["role"]["arn"]
