"""pytest plugin: a real moto server on a loopback port, and helpers to run ``scan`` against it.

Registered from tests/conftest.py (``pytest_plugins``). The server runs as its own process
(``python -m moto.server``), the harness as another (``python -m harness scan``), talking over
HTTP exactly as they would to AWS. Every scan run records the AWS operations it makes
(``VBAWS_RECORD_CALLS``) and :func:`assert_read_only` checks them against
docs/scanner-policy.json, so every end-to-end test is also a read-only proof.
"""

from __future__ import annotations

import fnmatch
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

REPO = Path(__file__).resolve().parent.parent
SCANNER_POLICY = REPO / "docs" / "scanner-policy.json"
REQUIREMENTS = REPO / "rego" / "vbaws" / "requirements" / "data.json"

DEFAULT_ACCOUNT = "123456789012"
# The backup appliance's role, in another account, as the scan tests name it.
APPLIANCE = "arn:aws:iam::111111111111:role/Impersonation"


def role_arn(name: str, account: str = DEFAULT_ACCOUNT) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


# Dummy credentials: moto accepts any key while IAM enforcement is off.
DUMMY_KEY = "testing"
DUMMY_SECRET = "testing"
# Operations that need no permission at all (AWS answers them for any valid credentials).
ALWAYS_ALLOWED = {"sts:GetCallerIdentity"}
READ_ONLY_PREFIXES = ("Get", "List", "Describe")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MotoServer:
    url: str
    process: subprocess.Popen[bytes]

    def post(self, path: str, body: bytes = b"") -> bytes:
        request = urllib.request.Request(
            # Not form-encoded: moto reads the raw body (the reset-auth count).
            self.url + path,
            data=body,
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            data: bytes = response.read()
            return data

    def reset(self) -> None:
        """Forget every account, role and organization; switch IAM enforcement off."""
        self.set_auth(enforced=False)
        self.post("/moto-api/reset")

    def set_auth(self, *, enforced: bool) -> None:
        # moto checks callers' IAM permissions once its request count reaches this number.
        self.post("/moto-api/reset-auth", b"0" if enforced else b"inf")

    def client(self, service: str, credentials: dict[str, str] | None = None) -> Any:
        creds = credentials or {"AccessKeyId": DUMMY_KEY, "SecretAccessKey": DUMMY_SECRET}
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds.get("SessionToken"),
        )

    def assume(self, account_id: str, role: str = "OrganizationAccountAccessRole") -> Any:
        """Credentials of a role in ``account_id``: moto switches account with them."""
        sts = self.client("sts")
        got = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/{role}", RoleSessionName="fixture"
        )
        return got["Credentials"]


def _start_moto(*, managed_policies: bool = True) -> MotoServer:
    port = _free_port()
    # moto knows the AWS managed policies only when asked; loading them costs seconds per account.
    env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true" if managed_policies else "false")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/moto-api/", timeout=1):
                return MotoServer(url, process)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("moto server did not start within 30s")


@pytest.fixture(scope="module")
def moto_server(request: pytest.FixtureRequest) -> Iterator[MotoServer]:
    """One moto server per test module: modules set up their own accounts without interfering.

    A module sets ``MOTO_MANAGED_POLICIES = False`` when it needs no AWS managed policy.
    """
    server = _start_moto(managed_policies=getattr(request.module, "MOTO_MANAGED_POLICIES", True))
    try:
        yield server
    finally:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()


def requirement_actions(check: str = "ec2_backup") -> list[str]:
    data = json.loads(REQUIREMENTS.read_text(encoding="utf-8"))
    actions: list[str] = data[check]["actions"]
    return actions


def allow_document(actions: list[str], resource: str = "*") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}],
        }
    )


def trust_document(principal: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
            ],
        }
    )


# --- running the scanner --------------------------------------------------------------------


@dataclass
class ScanResult:
    returncode: int
    stdout: str
    stderr: str
    calls: list[str]

    def json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.stdout)
        return parsed

    def reports(self) -> dict[str, dict[str, Any]]:
        return {r["role_arn"]: r for r in self.json()["reports"]}

    def unlisted_error(self) -> str:
        """The reason of a scan that could not list its roles at all: exit 3 and one record
        that stands for every role, not evaluated (never an empty report)."""
        assert self.returncode == 3, self.stderr
        (record,) = self.json()["reports"]
        assert record["role_arn"] == "arn:aws:iam::*:role/*" and record["evaluated"] is False
        return str(record["error"])


def scan_env(
    server: MotoServer, credentials: dict[str, str] | None = None, **extra: str
) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k not in ("OPA_TOKEN", "VBAWS_REGO", "OPA_BIN")
    }
    creds = credentials or {"AccessKeyId": DUMMY_KEY, "SecretAccessKey": DUMMY_SECRET}
    env.update(
        AWS_ACCESS_KEY_ID=creds["AccessKeyId"],
        AWS_SECRET_ACCESS_KEY=creds["SecretAccessKey"],
        AWS_DEFAULT_REGION="us-east-1",
        # Never pick up the machine's own AWS configuration.
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        NO_COLOR="1",
    )
    if creds.get("SessionToken"):
        env["AWS_SESSION_TOKEN"] = creds["SessionToken"]
    env.update(extra)
    return env


def load_policy_actions() -> list[str]:
    policy = json.loads(SCANNER_POLICY.read_text(encoding="utf-8"))
    actions: list[str] = []
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow", "the scanner policy only grants"
        value = statement["Action"]
        actions.extend([value] if isinstance(value, str) else value)
    return actions


def assert_read_only(calls: list[str]) -> None:
    """Every recorded operation is read-only and granted by docs/scanner-policy.json."""
    granted = load_policy_actions()
    for call in calls:
        service, _, operation = call.partition(":")
        assert service and operation, call
        read_only = operation.startswith(READ_ONLY_PREFIXES) or call == "sts:AssumeRole"
        assert read_only, f"{call} is not a read-only API"
        if call in ALWAYS_ALLOWED:
            continue
        assert any(fnmatch.fnmatchcase(call.lower(), g.lower()) for g in granted), (
            f"{call} is not granted by {SCANNER_POLICY.name}"
        )


ScanRunner = Callable[..., ScanResult]


@pytest.fixture
def run_scan(moto_server: MotoServer, tmp_path: Path, opa_url: str) -> ScanRunner:
    """``run_scan(*args, credentials=None, endpoint=True, opa=True)``: run the real scanner.

    ``endpoint`` is True for the module's moto server, a URL for another endpoint, or False.

    Uses the session's OPA unless ``opa=False`` (then the scan starts its private OPA) and checks
    the recorded AWS calls with :func:`assert_read_only` before returning.
    """
    counter = iter(range(1_000_000))

    def run(
        *args: str,
        credentials: dict[str, str] | None = None,
        endpoint: bool | str = True,
        opa: bool = True,
        env: dict[str, str] | None = None,
    ) -> ScanResult:
        record = tmp_path / f"calls-{next(counter)}.txt"
        command = [sys.executable, "-m", "harness", "scan", *args]
        if endpoint:
            url = endpoint if isinstance(endpoint, str) else moto_server.url
            command += ["--endpoint-url", url]
        if opa and "--opa-url" not in args:
            command += ["--opa-url", opa_url]
        full_env = scan_env(moto_server, credentials, VBAWS_RECORD_CALLS=str(record))
        full_env.update(env or {})
        done = subprocess.run(
            command,
            cwd=REPO,
            capture_output=True,
            text=True,
            env=full_env,
            stdin=subprocess.DEVNULL,
            timeout=300,
        )
        assert "Traceback" not in done.stderr, done.stderr
        calls = record.read_text(encoding="utf-8").split() if record.exists() else []
        assert_read_only(calls)
        return ScanResult(done.returncode, done.stdout, done.stderr, calls)

    return run


# --- a proxy that injects AWS errors ----------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """Answer ``action`` (when the request body contains ``when``) with an error.

    ``action`` is a query-API action (IAM, STS) or a JSON-API operation (Organizations, named
    by the request's ``X-Amz-Target``); the error is in that API's own format. With ``answer``,
    the reply is instead HTTP 200 with that body: a malformed answer (a proxy's HTML page, say).
    With ``rewrite``, the request goes to moto and its answer's body is passed through
    ``rewrite`` on the way back: an answer that is well-formed but wrong in one detail.
    """

    action: str
    code: str = "Throttling"
    message: str = "Rate exceeded"
    when: str = ""
    answer: bytes | None = None
    rewrite: Callable[[bytes], bytes] | None = None

    def body(self) -> bytes:
        return (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{self.code}</Code>"
            f"<Message>{self.message}</Message></Error><RequestId>fault</RequestId>"
            "</ErrorResponse>"
        ).encode()

    def json_body(self) -> bytes:
        return json.dumps({"__type": self.code, "message": self.message}).encode()


# A request's action and headers -> a Fault to answer it with, or headers to add (FaultProxy).
Route = Callable[[str, Any], Fault | dict[str, str] | None]


class FaultProxy:
    """Forwards requests to moto, except those matching a :class:`Fault`, which fail.

    Real AWS answers an overloaded API with HTTP 400 ``Throttling`` (botocore retries it until
    its attempts run out) and a forbidden one with 403 ``AccessDenied``.

    ``route``, when given, sees each request first (its action and headers): a :class:`Fault`
    it returns answers the request, a dict it returns is added to the headers sent to moto.
    """

    def __init__(self, target: str, faults: list[Fault], route: Route | None = None) -> None:
        import http.server
        import threading

        self.target = target
        self.faults = faults
        self.route = route
        self.failed: list[str] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                text = urllib.parse.unquote_plus(body.decode("utf-8", "replace"))
                params = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
                target = self.headers.get("X-Amz-Target", "")
                action = (params.get("Action") or [""])[0] or target.rpartition(".")[2]
                rewrite: Callable[[bytes], bytes] = bytes
                routed = proxy.route(action, self.headers) if proxy.route else None
                extra = routed if isinstance(routed, dict) else {}
                faults = [routed, *proxy.faults] if isinstance(routed, Fault) else proxy.faults
                for fault in faults:
                    if fault.action == action and fault.when in text:
                        proxy.failed.append(action)
                        if fault.rewrite is not None:
                            rewrite = fault.rewrite
                            break
                        if fault.answer is not None:
                            self._reply(200, {"Content-Type": "text/xml"}, fault.answer)
                            return
                        if target:
                            # JSON APIs answer every client error with 400.
                            json_type = {"Content-Type": "application/x-amz-json-1.1"}
                            self._reply(400, json_type, fault.json_body())
                            return
                        status = 403 if fault.code == "AccessDenied" else 400
                        self._reply(status, {"Content-Type": "text/xml"}, fault.body())
                        return
                request = urllib.request.Request(proxy.target + self.path, data=body, method="POST")
                for key, value in self.headers.items():
                    if key.lower() not in ("content-length", "connection"):
                        request.add_header(key, value)
                for key, value in extra.items():
                    request.add_header(key, value)
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        answer = rewrite(response.read())
                        self._reply(response.status, dict(response.headers), answer)
                except urllib.error.HTTPError as error:
                    self._reply(error.code, dict(error.headers), error.read())

            def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
