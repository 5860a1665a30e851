"""Real processes for the bundle and sidecar tests: keys, bundle builds, the bundle server, OPA.

Everything here runs the project's own commands (scripts/build-bundle, python -m harness
serve-bundle) and the real OPA binary on loopback ports; every wait is bounded.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from harness.opa import find_opa

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD_BUNDLE = REPO_ROOT / "scripts" / "build-bundle"
EXAMPLES = REPO_ROOT / "examples"
OPA_CONFIG = EXAMPLES / "opa-config.yaml"
SIDECAR_FIXTURES = REPO_ROOT / "fixtures" / "sidecar"
# Key id of examples/opa-config.yaml (keys.<id>, bundles.vbaws.signing.keyid).
KEY_ID = "vbaws-bundle"
WAIT_TIMEOUT = 30.0

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = WAIT_TIMEOUT) -> T:
    """Call ``probe`` until it returns something other than None (or False); bounded."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except httpx.TransportError as exc:
            last = exc
        else:
            if last is not None and last is not False:
                return last
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what} (last: {last!r})")


def make_keypair(directory: Path, kind: str = "rsa", name: str | None = None) -> tuple[Path, Path]:
    """A fresh private/public PEM pair in ``directory``: RSA 2048 (RS256) or EC P-256 (ES256)."""
    directory.mkdir(parents=True, exist_ok=True)
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    if kind == "rsa":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif kind == "ec":
        private = ec.generate_private_key(ec.SECP256R1())
    else:
        raise ValueError(kind)
    stem = name or kind
    private_path, public_path = directory / f"{stem}.pem", directory / f"{stem}.pub.pem"
    private_path.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public_path.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private_path, public_path


def run_build_bundle(
    *args: str | Path, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``scripts/build-bundle ARGS`` as a user runs it."""
    return subprocess.run(
        [sys.executable, str(BUILD_BUNDLE), *map(str, args)],
        cwd=cwd or REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def build_bundle(output: Path, *args: str | Path) -> Path:
    """Build a bundle (extra build-bundle arguments in ``args``); fails the test on error."""
    result = run_build_bundle("--output", output, *args)
    assert result.returncode == 0, f"build-bundle failed:\n{result.stderr}{result.stdout}"
    return output


def bundle_members(bundle: Path) -> dict[str, bytes]:
    """File name (leading / removed) → content of every file in a bundle tarball."""
    with tarfile.open(bundle, "r:gz") as tar:
        return {
            member.name.lstrip("/"): tar.extractfile(member).read()  # type: ignore[union-attr]
            for member in tar.getmembers()
            if member.isfile()
        }


def write_bundle(path: Path, members: Mapping[str, bytes]) -> Path:
    """A bundle tarball with the given files (names as OPA writes them: leading /)."""
    import io

    with tarfile.open(path, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(f"/{name}")
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


def publish(bundle: Path, served: Path) -> None:
    """Replace the served file atomically, as a deployment would (no half-written reads)."""
    partial = served.with_name(served.name + ".partial")
    shutil.copyfile(bundle, partial)
    os.replace(partial, served)


class Process:
    """A background process with its output in a file; stopped with SIGTERM, then SIGKILL."""

    def __init__(self, command: Sequence[str], log: Path, env: Mapping[str, str] | None = None):
        self.command = list(command)
        self.log_path = log
        self._log: IO[bytes] = open(log, "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            self.command,
            cwd=REPO_ROOT,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode

    def __enter__(self) -> Process:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class BundleServer(Process):
    """``python -m harness serve-bundle --port 0``; ``url`` is the bundle's URL it announces."""

    def __init__(self, bundle: Path, log: Path):
        super().__init__(
            [
                sys.executable,
                "-m",
                "harness",
                "serve-bundle",
                "--bundle",
                str(bundle),
                "--port",
                "0",
            ],
            log,
        )
        self.url = wait_for("serve-bundle to announce its URL", self._announced, timeout=20)
        self.service_url = self.url.rsplit("/", 1)[0]

    def _announced(self) -> str | None:
        if self.process.poll() is not None:
            raise AssertionError(f"serve-bundle exited: {self.output()}")
        for line in self.output().splitlines():
            if line.startswith("serving ") and " at http://" in line:
                return line.rsplit(" at ", 1)[1]
        return None


class Opa(Process):
    """``opa run --server`` on a free loopback port with the given arguments."""

    def __init__(
        self, args: Sequence[str], log: Path, env: Mapping[str, str] | None = None
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [find_opa(), "run", "--server", "--addr", f"127.0.0.1:{self.port}"]
        command += ["--skip-version-check", *args]
        super().__init__(command, log, env)
        self.http = httpx.Client(base_url=self.url, timeout=10)

    def stop(self) -> int:
        self.http.close()
        return super().stop()

    def wait_healthy(self, query: str = "bundles") -> None:
        """Until ``GET /health?<query>`` answers 200 (bundles activated)."""

        def healthy() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"OPA exited ({self.process.returncode}): {self.output()}")
            return self.http.get(f"/health?{query}").status_code == 200

        wait_for(f"OPA /health?{query}", healthy)

    def bundle_status(self, name: str = "vbaws") -> dict[str, Any]:
        """This bundle's entry of ``GET /v1/status`` (active_revision, code, message...)."""
        response = self.http.get("/v1/status")
        if response.status_code != 200:  # the status plugin has not reported yet
            return {}
        return dict(response.json()["result"].get("bundles", {}).get(name, {}))

    def query(self, path: str, input: Any, token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.post(f"/v1/data/{path}", json={"input": input}, headers=headers)

    def result(self, path: str, input: Any) -> Any:
        response = self.query(path, input)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "result" in body, f"data.{path} is undefined for this input: {body}"
        return body["result"]


def sidecar_args(public_key: Path, *, resource: str = "bundle.tar.gz") -> list[str]:
    """examples/opa-config.yaml as the README starts it, with test-sized polling intervals."""
    return [
        "--config-file",
        str(OPA_CONFIG),
        "--set-file",
        f"keys.{KEY_ID}.key={public_key}",
        "--set",
        f"bundles.vbaws.resource={resource}",
        "--set",
        "bundles.vbaws.polling.min_delay_seconds=1",
        "--set",
        "bundles.vbaws.polling.max_delay_seconds=1",
    ]


def load_fixture(name: str) -> Any:
    return json.loads((SIDECAR_FIXTURES / name).read_text())
