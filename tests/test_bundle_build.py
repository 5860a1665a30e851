"""scripts/build-bundle (contract section 5): contents, revision, signing, reproducibility."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from sidecar_helpers import (
    BUILD_BUNDLE,
    REPO_ROOT,
    build_bundle,
    bundle_members,
    make_keypair,
    run_build_bundle,
)

from harness.opa import find_opa

# A policy small enough to read whole: one rule package, its test, and requirement data.
DEMO_RULES = """\
# METADATA
# title: Demo
# description: A rule for the bundle build tests.
package vbaws.demo

# METADATA
# title: Greeting
# description: Built from the requirement data, to show data and rules travel together.
# entrypoint: true
greeting := sprintf("hello %s", [data.vbaws.requirements.demo.name])
"""
DEMO_TEST = """\
package vbaws.demo_test

import data.vbaws.demo

test_greeting if demo.greeting == "hello world"
"""
DEMO_DATA = {"demo": {"name": "world"}}

# Contract section 3 entry points, plus report_list (the harness's batch query).
CONTRACT_ENTRY_POINTS = {
    "vbaws.ec2_backup.report",
    "vbaws.ec2_backup.allow",
    "vbaws.ec2_backup.reports",
    "vbaws.ec2_backup.report_list",
    "vbaws.terraform.deny",
    "vbaws.terraform.warn",
    "vbaws.cloudformation.deny",
    "vbaws.cloudformation.warn",
}


def write_demo_policy(rego: Path) -> Path:
    (rego / "vbaws" / "demo").mkdir(parents=True)
    (rego / "vbaws" / "requirements").mkdir(parents=True)
    (rego / "vbaws" / "demo" / "demo.rego").write_text(DEMO_RULES)
    (rego / "vbaws" / "demo" / "demo_test.rego").write_text(DEMO_TEST)
    (rego / "vbaws" / "requirements" / "data.json").write_text(json.dumps(DEMO_DATA))
    return rego


@pytest.fixture
def demo_rego(tmp_path: Path) -> Path:
    return write_demo_policy(tmp_path / "rego")


def opa(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [find_opa(), *map(str, args)], capture_output=True, text=True, timeout=120
    )


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_bundle_holds_rules_data_and_manifest_but_no_tests(demo_rego: Path, tmp_path: Path):
    bundle = build_bundle(tmp_path / "out.tar.gz", "--source", demo_rego, "--revision", "v1.2.3")

    members = bundle_members(bundle)
    assert sorted(members) == [".manifest", "data.json", "vbaws/demo/demo.rego"]
    assert json.loads(members[".manifest"]) == {
        "revision": "v1.2.3",
        "roots": ["vbaws"],
        "rego_version": 1,
    }
    assert json.loads(members["data.json"]) == {"vbaws": {"requirements": DEMO_DATA}}
    # OPA loads it as a bundle and the rule sees the bundled data.
    evaluated = opa("eval", "--format", "raw", "--bundle", bundle, "data.vbaws.demo.greeting")
    assert evaluated.returncode == 0, evaluated.stderr
    assert evaluated.stdout.strip() == "hello world"


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "rs256"])
def test_builds_are_byte_identical_across_checkouts_and_timestamps(
    demo_rego: Path, tmp_path: Path, signed: bool
):
    # A second checkout elsewhere, with every timestamp different from the first.
    other = shutil.copytree(demo_rego, tmp_path / "elsewhere" / "checkout" / "rego")
    for path in other.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    signing = []
    if signed:
        private, _ = make_keypair(tmp_path / "keys")
        signing = ["--signing-key", str(private)]

    first = build_bundle(tmp_path / "a.tar.gz", "--source", demo_rego, "--revision", "r", *signing)
    second = build_bundle(tmp_path / "b.tar.gz", "--source", other, "--revision", "r", *signing)

    assert first.read_bytes() == second.read_bytes()
    assert (".signatures.json" in bundle_members(first)) is signed


def test_project_bundle_is_reproducible(tmp_path: Path):
    first = build_bundle(tmp_path / "a.tar.gz", "--revision", "same")
    second = build_bundle(tmp_path / "b.tar.gz", "--revision", "same")
    assert first.read_bytes() == second.read_bytes()
    members = bundle_members(first)
    assert not [name for name in members if name.endswith("_test.rego")]
    assert json.loads(members["data.json"])["vbaws"]["requirements"] == json.loads(
        (REPO_ROOT / "rego" / "vbaws" / "requirements" / "data.json").read_text()
    )


def test_project_bundle_lists_every_contract_entry_point_with_metadata(tmp_path: Path):
    bundle = build_bundle(tmp_path / "bundle.tar.gz", "--revision", "inspect")
    inspected = opa("inspect", "--annotations", "--format", "json", bundle)
    assert inspected.returncode == 0, inspected.stderr
    report = json.loads(inspected.stdout)
    assert report["manifest"]["roots"] == ["vbaws"]

    entry_points = {}
    for entry in report.get("annotations", []):
        path = ".".join(str(term["value"]) for term in entry["path"][1:])
        entry_points[path] = entry["annotations"]
    missing = CONTRACT_ENTRY_POINTS - {
        path for path, annotation in entry_points.items() if annotation.get("entrypoint")
    }
    assert not missing, f"no METADATA with entrypoint: true for {sorted(missing)}"
    for path in CONTRACT_ENTRY_POINTS:
        annotation = entry_points[path]
        assert annotation.get("title") and annotation.get("description"), path


def test_revision_defaults_to_the_git_commit_and_marks_changes(demo_rego: Path, tmp_path: Path):
    repo = tmp_path / "repo"
    shutil.copytree(demo_rego, repo / "rego")
    git(repo, "init", "--quiet")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "policy")
    commit = git(repo, "rev-parse", "HEAD")

    def revision() -> str:
        bundle = build_bundle(tmp_path / "out.tar.gz", "--source", repo / "rego")
        return json.loads(bundle_members(bundle)[".manifest"])["revision"]

    assert revision() == commit
    (repo / "rego" / "vbaws" / "demo" / "new.rego").write_text("package vbaws.demo\n\nx := 1\n")
    assert revision() == f"{commit}-dirty"


def test_revision_outside_git_asks_for_revision(demo_rego: Path, tmp_path: Path):
    result = run_build_bundle("--output", tmp_path / "out.tar.gz", "--source", demo_rego)
    assert result.returncode == 2
    assert "pass --revision" in result.stderr
    assert not (tmp_path / "out.tar.gz").exists()


@pytest.mark.parametrize(("kind", "alg"), [("rsa", "RS256"), ("ec", "ES256")])
def test_signed_bundle_verifies_with_its_public_key_only(
    demo_rego: Path, tmp_path: Path, kind: str, alg: str
):
    private, public = make_keypair(tmp_path / "keys", kind)
    _, stranger = make_keypair(tmp_path / "other-keys", kind)
    bundle = build_bundle(
        tmp_path / "signed.tar.gz",
        *("--source", demo_rego, "--revision", "r1"),
        *("--signing-key", private, "--signing-alg", alg),
    )
    assert ".signatures.json" in bundle_members(bundle)

    # `opa build --verification-key` runs OPA's own bundle verification.
    def verify(key: Path) -> subprocess.CompletedProcess[str]:
        return opa(
            *("build", "--bundle", bundle, "--output", tmp_path / "verified.tar.gz"),
            *("--verification-key", key, "--signing-alg", alg),
        )

    assert verify(public).returncode == 0, verify(public).stderr
    refused = verify(stranger)
    assert refused.returncode != 0
    assert "failed to verify" in (refused.stdout + refused.stderr)


def test_policy_errors_name_the_file_and_leave_no_output(demo_rego: Path, tmp_path: Path):
    (demo_rego / "vbaws" / "demo" / "broken.rego").write_text("package vbaws.demo\n\nx := [\n")
    output = tmp_path / "out" / "bundle.tar.gz"
    result = run_build_bundle("--output", output, "--source", demo_rego, "--revision", "r")
    assert result.returncode == 1
    assert "vbaws/demo/broken.rego" in result.stderr
    assert "rego_parse_error" in result.stderr
    assert not output.parent.exists()  # not even the directory made for it


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--signing-key", "no-such-key.pem"], "signing key no-such-key.pem does not exist"),
        (["--source", "no-such-dir"], "no-such-dir does not exist"),
        (["--signing-key", "."], "signing key . is not a file (a PEM private key)"),
        (["--signing-alg", "HS256"], "invalid choice"),
        (["--signing-alg", "ES256"], "--signing-alg needs --signing-key"),
        (["--revision", ""], "--revision must not be empty"),
        (["--output", "."], "--output . is a directory: name the bundle file"),
    ],
)
def test_bad_usage_exits_2_with_a_message(tmp_path: Path, args: list[str], message: str):
    result = run_build_bundle(
        "--output", tmp_path / "out.tar.gz", "--revision", "r", *args, cwd=tmp_path
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def _write_key(path: Path, kind: str) -> Path:
    """A PEM file of the given kind, each one opa build cannot sign with as asked below."""
    pkcs8, none = serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    pem = serialization.Encoding.PEM
    ec_key = ec.generate_private_key(ec.SECP256R1())
    if kind == "public":
        content = ec_key.public_key().public_bytes(
            pem, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    elif kind in ("ec", "ec-traditional"):
        traditional = serialization.PrivateFormat.TraditionalOpenSSL
        content = ec_key.private_bytes(pem, pkcs8 if kind == "ec" else traditional, none)
    elif kind == "rsa":
        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        content = rsa_key.private_bytes(pem, pkcs8, none)
    elif kind == "ed25519":
        content = ed25519.Ed25519PrivateKey.generate().private_bytes(pem, pkcs8, none)
    elif kind == "encrypted":
        encryption = serialization.BestAvailableEncryption(b"passphrase")
        content = ec_key.private_bytes(pem, pkcs8, encryption)
    elif kind == "parameters-first":  # as `openssl ecparam -genkey` writes it
        parameters = (
            b"-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
        )
        traditional = serialization.PrivateFormat.TraditionalOpenSSL
        content = parameters + ec_key.private_bytes(pem, traditional, none)
    elif kind == "openssh":
        openssh = serialization.PrivateFormat.OpenSSH
        content = ec_key.private_bytes(pem, openssh, none)
    else:
        content = b"not a key\n"
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("kind", "alg", "problem"),
    [
        ("public", "ES256", "is a public key: sign with the private key"),
        ("ec", "RS256", "is an EC key, which RS256 cannot sign with: use --signing-alg ES256"),
        ("ec-traditional", "RS256", "is an EC key, which RS256 cannot sign with"),
        ("rsa", "ES256", "is an RSA key, which ES256 cannot sign with: use --signing-alg RS256"),
        ("ed25519", "RS256", "is an Ed25519 key: RS256 signs with an RSA key, ES256 with an EC"),
        ("encrypted", "ES256", "is protected by a passphrase, which opa build cannot take"),
        ("parameters-first", "ES256", "starts with EC PARAMETERS, not the private key"),
        ("openssh", "ES256", "is in the OPENSSH PRIVATE KEY format, which opa build does not"),
        ("garbage", "RS256", "is not a PEM file"),
    ],
)
def test_a_key_that_cannot_sign_is_named_with_what_to_do(
    demo_rego: Path, tmp_path: Path, kind: str, alg: str, problem: str
):
    key = _write_key(tmp_path / "key.pem", kind)
    output = tmp_path / "out" / "bundle.tar.gz"
    result = run_build_bundle(
        *("--output", output, "--source", demo_rego, "--revision", "r"),
        *("--signing-key", key, "--signing-alg", alg),
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(f"build-bundle: error: signing key {key} {problem}")
    assert len(result.stderr.splitlines()) == 1
    assert not output.parent.exists()


@pytest.mark.parametrize("where", ["under-a-file", "name-too-long"])
def test_unwritable_output_is_a_message_and_leaves_nothing(
    demo_rego: Path, tmp_path: Path, where: str
):
    (tmp_path / "file").write_text("")
    if where == "under-a-file":
        output = tmp_path / "file" / "deeper" / "bundle.tar.gz"
    else:
        # Fails once the directories are made (the file name is too long for the system):
        # they are removed again.
        output = tmp_path / "new" / "deeper" / f"{'x' * 250}.tar.gz"
    before = sorted(tmp_path.rglob("*"))
    result = run_build_bundle("--output", output, "--source", demo_rego, "--revision", "r")
    assert result.returncode == 1
    assert f"build-bundle: error: cannot write {output}: " in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(tmp_path.rglob("*")) == before


def test_a_terminated_build_leaves_the_old_bundle_and_no_litter(demo_rego: Path, tmp_path: Path):
    # A CI job cancelled mid-build: the served bundle stays the old one, whole, and neither the
    # staging copy of the sources nor a partial output is left behind. The stand-in for a slow
    # `opa build` marks that the build has reached it, then waits to be stopped.
    started = tmp_path / "started"
    slow_opa = tmp_path / "slow-opa"
    slow_opa.write_text(f'#!/bin/sh\n: > "{started}"\nexec sleep 30\n')
    slow_opa.chmod(0o755)
    temp = tmp_path / "tmp"
    temp.mkdir()
    output = tmp_path / "out" / "bundle.tar.gz"
    output.parent.mkdir()
    output.write_bytes(b"the old bundle")
    build = subprocess.Popen(
        [sys.executable, str(BUILD_BUNDLE), "--output", str(output), "--source", str(demo_rego)]
        + ["--revision", "r"],
        env={**os.environ, "OPA_BIN": str(slow_opa), "TMPDIR": str(temp)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not started.exists() and build.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert started.exists(), build.stderr.read() if build.stderr else ""
        build.send_signal(signal.SIGTERM)
        returncode = build.wait(timeout=30)
    finally:
        build.kill()
        build.wait()
    assert list(temp.iterdir()) == []
    assert list(output.parent.iterdir()) == [output]
    assert output.read_bytes() == b"the old bundle"
    assert returncode == 128 + signal.SIGTERM


def test_defaults_build_rego_into_the_repository_root(demo_rego: Path, tmp_path: Path):
    # A checkout of its own: the script finds rego/ and writes bundle.tar.gz beside it.
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(BUILD_BUNDLE, checkout / "scripts" / "build-bundle")
    shutil.copytree(demo_rego, checkout / "rego")
    result = subprocess.run(
        [sys.executable, "scripts/build-bundle", "--revision", "r9"],
        cwd=checkout,
        env={**os.environ, "OPA_BIN": find_opa()},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    members = bundle_members(checkout / "bundle.tar.gz")
    assert json.loads(members[".manifest"])["revision"] == "r9"
    assert "vbaws/demo/demo.rego" in members
