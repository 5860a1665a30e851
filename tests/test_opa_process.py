"""The private OPA's life cycle and the OPA client's failure messages, with real OPA processes.

These use tiny policy directories in tmp_path, not the project's bundle, so they test process
management and HTTP handling on their own.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import io
import json
import re
import signal
import socket
import subprocess
import sys
import tarfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import FIXTURES, REPO, UNEVALUATED_CHECK, harness_env
from sidecar_helpers import build_bundle, bundle_members, make_keypair

from harness.cli import main
from harness.errors import ExternalError, UsageError
from harness.opa import (
    OpaClient,
    PrivateOpa,
    child_setup,
    find_opa,
    is_loopback,
    redact_url,
    report_problem,
    signals_deferred,
)

SNAPSHOT_ARN = "arn:aws:iam::123456789012:role/R"
SNAPSHOT = {"role": {"arn": SNAPSHOT_ARN, "policies": []}}
# The same role as a GetAccountAuthorizationDetails RoleDetailList entry.
DETAIL = {"RoleName": "R", "Arn": SNAPSHOT_ARN, "RolePolicyList": [], "AttachedManagedPolicies": []}

# Reports with the fields of contract section 3 the client checks every answer for.
STUB_REPORT_REGO = """
_stub(arn, compliant) := {
	"role_arn": arn,
	"compliant": compliant,
	"checks": {"ec2_backup": {
		"compliant": compliant,
		"actions": {"ec2:CreateSnapshot": {"decision": _decision[compliant]}},
		"missing": [],
		"denied": [],
		"conditional": [],
	}},
	"trust": {"checked": false, "appliance_can_assume": null, "conditions": []},
	"layers": {"identity": true, "boundary": false, "scps": false},
	"findings": [],
	"stub": true,
}

_decision := {true: "allowed", false: "implicit_deny"}
"""

STUB_POLICY = (
    """package vbaws.ec2_backup

report := _stub(input.role.arn, false)

report_list := [_stub(r.role.arn, true) | some r in input.roles]

broken := x if {
	some x in [1, 2]
}
"""
    + STUB_REPORT_REGO
)

GAAD = FIXTURES / "evaluate" / "authorization-details.json"


def policy_dir(tmp_path: Path, rego: str = STUB_POLICY, name: str = "policies") -> Path:
    """A minimal bundle directory: one policy file and a one-set requirement catalog."""
    root = tmp_path / name
    (root / "vbaws" / "requirements").mkdir(parents=True)
    (root / "vbaws" / "requirements" / "data.json").write_text(
        json.dumps({"ec2_backup": {"actions": ["ec2:CreateSnapshot"]}})
    )
    (root / "vbaws" / "stub.rego").write_text(rego)
    return root


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def refuses_connections(url: str) -> bool:
    try:
        httpx.get(f"{url}/health", timeout=2)
    except httpx.ConnectError:
        return True
    return False


@pytest.fixture
def silent_server() -> Iterator[socket.socket]:
    """A loopback socket that accepts connections and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock


# --- PrivateOpa ---------------------------------------------------------------------------


def test_private_opa_serves_the_directory_and_stops(tmp_path: Path) -> None:
    with PrivateOpa(policy_dir(tmp_path)) as server:
        pid = server.process.pid
        assert server.url.startswith("http://127.0.0.1:")
        with OpaClient(server.url) as client:
            report = client.report(SNAPSHOT)
            assert (report["role_arn"], report["compliant"], report["stub"]) == (
                "arn:aws:iam::123456789012:role/R",
                False,
                True,
            )
            assert client.requirement_sets() == {"ec2_backup": {"actions": ["ec2:CreateSnapshot"]}}
    assert wait_gone(pid)
    assert refuses_connections(server.url)


def _environment_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(entry.decode().split("=", 1) for entry in raw if b"=" in entry)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")
def test_private_opa_collects_garbage_near_a_memory_limit_unless_told_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policies = policy_dir(tmp_path)
    monkeypatch.delenv("GOGC", raising=False)
    monkeypatch.delenv("GOMEMLIMIT", raising=False)
    with PrivateOpa(policies) as server:
        environment = _environment_of(server.process.pid)
    assert environment["GOGC"] == "off"
    assert 0 < int(environment["GOMEMLIMIT"]) <= 1 << 30

    monkeypatch.setenv("GOGC", "200")
    with PrivateOpa(policies) as server:
        environment = _environment_of(server.process.pid)
    assert environment["GOGC"] == "200"
    assert "GOMEMLIMIT" not in environment


def test_memory_limit_follows_a_container_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness import opa

    v2, v1 = tmp_path / "memory.max", tmp_path / "memory.limit_in_bytes"
    monkeypatch.setattr(opa, "_CGROUP_MEMORY_LIMITS", (v2, v1))
    v2.write_text("max\n")
    v1.write_text("9223372036854771712\n")  # v1's "no limit"
    unlimited = opa._memory_limit()
    assert unlimited is not None and 0 < unlimited <= 1 << 30
    v1.write_text(f"{256 << 20}\n")  # a v1 container of 256 MiB: half of it at most
    assert opa._memory_limit() == min(unlimited, 128 << 20)
    v2.write_text(f"{128 << 20}\n")
    assert opa._memory_limit() == min(unlimited, 64 << 20)


def test_private_opa_loads_a_bundle_file(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.tar.gz"
    source = policy_dir(tmp_path)
    subprocess.run(
        [find_opa(), "build", "--output", str(bundle), str(source)],
        check=True,
        capture_output=True,
    )
    with PrivateOpa(bundle) as server, OpaClient(server.url) as client:
        reports = client.report_list({"roles": [SNAPSHOT, SNAPSHOT]})
        assert [(r["role_arn"], r["compliant"], r["stub"]) for r in reports] == [
            ("arn:aws:iam::123456789012:role/R", True, True)
        ] * 2


# Fails (HTTP 500, conflicting values) on any role whose ARN ends in "/boom".
BOOM_POLICY = (
    "package vbaws.ec2_backup\n\n"
    "report_list := [_report(s) | some s in input.roles]\n\n"
    "_report(s) := _stub(s.role.arn, true) if {\n"
    '\tnot endswith(s.role.arn, "/boom")\n'
    "}\n\n"
    "_report(s) := x if {\n"
    '\tendswith(s.role.arn, "/boom")\n'
    "\tsome x in [1, 2]\n"
    "}\n" + STUB_REPORT_REGO
)


def _batch(*names: str) -> dict:
    return {"roles": [{"role": {"arn": f"arn:aws:iam::1:role/{n}"}} for n in names]}


def test_concurrent_batches_come_back_in_order(tmp_path: Path) -> None:
    batches = [_batch(*(f"b{i}-r{j}" for j in range(i % 4 + 1))) for i in range(9)]
    with (
        PrivateOpa(policy_dir(tmp_path, rego=BOOM_POLICY)) as server,
        OpaClient(server.url) as client,
    ):
        results = list(client.report_lists(batches, in_flight=3))
    assert [[r["role_arn"] for r in reports] for reports in results] == [
        [role["role"]["arn"] for role in batch["roles"]] for batch in batches
    ]


def test_concurrent_batches_stop_at_the_first_failure_in_order(tmp_path: Path) -> None:
    # Batch 2 fails; batch 3 may well have been answered already, but is not yielded.
    batches = [_batch("a"), _batch("b"), _batch("boom"), _batch("c")]
    yielded = []
    with (
        PrivateOpa(policy_dir(tmp_path, rego=BOOM_POLICY)) as server,
        OpaClient(server.url) as client,
        pytest.raises(ExternalError, match=r"report_list \(HTTP 500\)"),
    ):
        for reports in client.report_lists(batches, in_flight=4):
            yielded.append([r["role_arn"] for r in reports])
    assert yielded == [["arn:aws:iam::1:role/a"], ["arn:aws:iam::1:role/b"]]


def test_private_opa_stops_when_the_block_raises(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), PrivateOpa(policy_dir(tmp_path)) as server:
        pid = server.process.pid
        raise RuntimeError("boom")
    assert wait_gone(pid)


def test_failing_start_reports_opa_stderr(tmp_path: Path) -> None:
    source = policy_dir(tmp_path, rego="package vbaws.ec2_backup\n\nreport := {\n")
    with pytest.raises(ExternalError) as info, PrivateOpa(source):
        pass
    message = str(info.value)
    assert message.startswith(f"OPA failed to start with {source}: ")
    assert "rego_parse_error" in message
    assert "stub.rego" in message
    assert info.value.exit_code == 3


def test_missing_source_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"), PrivateOpa(tmp_path / "nope"):
        pass


EXPECTED_BUNDLE = (
    "expected the policy directory (rego/) or a bundle.tar.gz built by scripts/build-bundle"
)


def test_source_that_is_not_a_bundle_is_a_usage_error(tmp_path: Path) -> None:
    not_tar = tmp_path / "snapshot.json"
    not_tar.write_text(json.dumps(SNAPSHOT))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UsageError) as file_info, PrivateOpa(not_tar):
        pass
    with pytest.raises(UsageError) as dir_info, PrivateOpa(empty):
        pass
    assert str(file_info.value) == (
        f"policy bundle {not_tar} is not a gzip-compressed tar file; {EXPECTED_BUNDLE}"
    )
    assert str(dir_info.value) == f"policy bundle {empty} holds no .rego files; {EXPECTED_BUNDLE}"


def test_opa_bin_that_is_not_executable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPA_BIN", str(tmp_path / "no-opa"))
    with pytest.raises(ExternalError, match=r"OPA_BIN=.*no-opa is not an executable file"):
        find_opa()


# --- OpaClient failures -------------------------------------------------------------------


def test_unreachable_url() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with OpaClient(f"http://127.0.0.1:{port}") as client, pytest.raises(ExternalError) as info:
        client.report(SNAPSHOT)
    assert str(info.value).startswith(f"cannot reach OPA at http://127.0.0.1:{port}: ")


@pytest.mark.parametrize("url", ["localhost:8181", "ftp://opa.example", "http://"])
def test_url_that_is_not_http_is_a_usage_error(url: str) -> None:
    with pytest.raises(UsageError, match="must look like http://HOST:PORT"):
        OpaClient(url)


def test_timeout(silent_server: socket.socket) -> None:
    url = f"http://127.0.0.1:{silent_server.getsockname()[1]}"
    with OpaClient(url, timeout=0.3) as client, pytest.raises(ExternalError) as info:
        client.report(SNAPSHOT)
    assert str(info.value) == f"OPA at {url} did not answer within 0.3s"


def test_undefined_result_and_evaluation_error(tmp_path: Path) -> None:
    with PrivateOpa(policy_dir(tmp_path)) as server, OpaClient(server.url) as client:
        with pytest.raises(ExternalError) as undefined:
            client.query("vbaws/nothing/here", {})
        with pytest.raises(ExternalError) as failed:
            client.query("vbaws/ec2_backup/broken", {})
    assert str(undefined.value) == (
        f"OPA at {server.url} has no result for data.vbaws.nothing.here: "
        "is the vbaws bundle loaded there?"
    )
    assert str(failed.value).startswith(
        f"OPA at {server.url} failed on data.vbaws.ec2_backup.broken (HTTP 500): "
    )
    assert (
        "eval_conflict_error: rule data.vbaws.ec2_backup.broken produced conflicting values"
        in str(failed.value)
    )


def test_an_older_bundle_without_the_batch_entry_point_is_named_as_such(
    run_harness, tmp_path: Path
) -> None:
    # A sidecar still on a bundle from before report_list: the catalog answers, so "is the
    # vbaws bundle loaded there?" would send the user looking in the wrong place.
    older = policy_dir(
        tmp_path,
        rego="package vbaws.ec2_backup\n\nreport := _stub(input.role.arn, true)\n"
        + STUB_REPORT_REGO,
    )
    path = str(FIXTURES / "evaluate" / "veeam-ec2-backup.json")
    with PrivateOpa(older) as server:
        result = run_harness("evaluate", "--input", path, "--opa-url", server.url)
    assert result.returncode == 3, result.stderr
    assert json.loads(result.stdout)["summary"]["not_evaluated"] == 1
    assert result.stderr == (
        f"error: OPA at {server.url} has the vbaws requirement catalog but no result for "
        "data.vbaws.ec2_backup.report_list, which this harness evaluates roles with: its vbaws "
        "bundle is older than the harness, or not the project's; load a bundle built by "
        "scripts/build-bundle from the same version\n"
    )


def test_an_answer_nested_too_deeply_to_read_is_an_external_failure(
    run_harness, tmp_path: Path
) -> None:
    # OPA (Go) writes JSON thousands of levels deep; Python's parser stops at about a thousand
    # with a RecursionError, which must not end the run with a traceback (and exit 1).
    rego = policy_dir(
        tmp_path,
        rego="package vbaws.ec2_backup\n\n"
        "report_list := json.unmarshal(data.vbaws.deep.text) if count(input.roles) > 0\n"
        "else := []\n",
    )
    (rego / "vbaws" / "deep").mkdir()
    depth = 5000
    (rego / "vbaws" / "deep" / "data.json").write_text(
        json.dumps({"text": "[" * depth + "]" * depth})
    )
    input_path = tmp_path / "batch.json"
    input_path.write_text(json.dumps({"roles": [SNAPSHOT]}))
    with PrivateOpa(rego) as server:
        result = run_harness(
            "evaluate", "--input", str(input_path), "--opa-url", server.url, "--format", "json"
        )
    assert result.returncode == 3, result.stderr
    assert result.stderr == (
        f"error: OPA at {server.url} answered with JSON nested too deeply to read "
        "(data.vbaws.ec2_backup.report_list)\n"
    )
    assert json.loads(result.stdout)["summary"]["not_evaluated"] == 1


@pytest.mark.parametrize("fmt", ["table", "junit"])
def test_an_extra_field_nested_deeply_is_shown_not_a_traceback(
    run_harness, tmp_path: Path, fmt: str
) -> None:
    # Extra fields are welcome in a report (contract section 3), at any depth the JSON parser
    # reads; the formats that escape every string must not recurse a frame pair per level.
    rego = policy_dir(
        tmp_path,
        rego="package vbaws.ec2_backup\n\n"
        "report_list := [object.union(_stub(r.role.arn, false), "
        '{"findings": [{"id": "X", "severity": "info", "message": "deep", '
        '"extra": json.unmarshal(data.vbaws.deep.text)}]}) | some r in input.roles]\n'
        + STUB_REPORT_REGO,
    )
    (rego / "vbaws" / "deep").mkdir()
    depth = 600
    (rego / "vbaws" / "deep" / "data.json").write_text(
        json.dumps({"text": "[" * depth + "]" * depth})
    )
    input_path = tmp_path / "batch.json"
    input_path.write_text(json.dumps({"roles": [SNAPSHOT]}))
    result = run_harness(
        "evaluate", "--input", str(input_path), "--format", fmt, env={"VBAWS_REGO": str(rego)}
    )
    assert (result.returncode, result.stderr) == (1, "")
    if fmt == "table":
        assert result.stdout.startswith(f"NOT COMPLIANT  {SNAPSHOT_ARN}\n")
    else:
        (suite,) = ET.fromstring(result.stdout)
        assert suite.get("name") == SNAPSHOT_ARN


def test_an_answer_that_does_not_decode_is_an_external_failure(
    page_server: Callable[..., str],
) -> None:
    # A proxy in front of OPA that labels a plain body gzip: httpx fails to decode it, which
    # must be a message (exit 3), not a traceback (exit 1).
    url = page_server('{"result": []}', "application/json", status=200, encoding="gzip")
    with OpaClient(url) as client, pytest.raises(ExternalError) as info:
        client.report_list({"roles": [SNAPSHOT]})
    assert str(info.value).startswith(f"cannot read the answer of OPA at {url}: ")


# A web server's error page, as a proxy or a server that is not OPA answers at --opa-url.
ERROR_PAGE = """<!DOCTYPE html>
<html>
<head><title>502 Bad Gateway</title>
<style>body { font-family: sans-serif; }</style></head>
<body>
  <!-- upstream: opa:8181 -->
  <h1>502   Bad Gateway</h1>
  <p>The proxy &amp; its upstream could not agree.</p>
</body>
</html>
"""
PAGE_TEXT = "502 Bad Gateway 502 Bad Gateway The proxy & its upstream could not agree."


@pytest.fixture
def page_server() -> Iterator[Callable[..., str]]:
    """``page_server(body, content_type, status=502, encoding=None)``: the URL of a loopback
    HTTP server answering every request with that status and body (labelled with that
    Content-Encoding, if any)."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(body: str, content_type: str, status: int = 502, encoding: str | None = None) -> str:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                payload = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if encoding:
                    self.send_header("Content-Encoding", encoding)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("body", "content_type", "detail"),
    [
        (ERROR_PAGE, "text/html", PAGE_TEXT),
        # Told by its start when the server does not say it is HTML.
        (ERROR_PAGE, "text/plain", PAGE_TEXT),
        # Text that is not HTML keeps its angle brackets.
        ("no  <route>\n  here\n", "text/plain", "no <route> here"),
        ("x" * 300, "text/plain", "x" * 197 + "..."),
        ("", "text/plain", "Bad Gateway"),
        # An unclosed script hides the rest of the page; reading it must not take minutes.
        ("<html><p>Down</p><script" * 50_000, "text/html", "Down"),
    ],
    ids=["html", "html-unlabelled", "text", "long", "empty", "unclosed"],
)
def test_a_server_that_is_not_opa_is_quoted_short_on_one_line(
    page_server: Callable[[str, str], str], body: str, content_type: str, detail: str
) -> None:
    url = page_server(body, content_type)
    with OpaClient(url) as client, pytest.raises(ExternalError) as info:
        client.report(SNAPSHOT)
    assert str(info.value) == (
        f"OPA at {url} failed on data.vbaws.ec2_backup.report (HTTP 502): {detail}"
    )


def test_a_server_that_is_not_opa_leaves_short_reports(
    run_harness, page_server: Callable[[str, str], str], tmp_path: Path
) -> None:
    url = page_server(ERROR_PAGE + "<p>filler</p>\n" * 100, "text/html")
    input_path = tmp_path / "two.json"
    input_path.write_text(json.dumps({"roles": [SNAPSHOT, SNAPSHOT]}))
    result = run_harness("evaluate", "--input", str(input_path), "--opa-url", url)
    assert result.returncode == 3
    detail = f"{PAGE_TEXT} filler filler"
    message = f"OPA at {url} failed on data.vbaws.requirements (HTTP 502): {detail}"
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {message}") and line.endswith("...")
    assert len(line) <= len(f"error: {message}") + 200
    for report in json.loads(result.stdout)["reports"]:
        assert report["error"] == line.removeprefix("error: ")


def token_policy_dir(tmp_path: Path) -> Path:
    """The stub bundle plus a system.authz policy: /health is open, the rest needs "s3cret"."""
    source = policy_dir(tmp_path)
    (source / "authz.rego").write_text(
        "package system.authz\n\n"
        "default allow := false\n\n"
        'allow if input.path == ["health"]\n\n'
        'allow if input.identity == "s3cret"\n'
    )
    return source


def test_bearer_token(tmp_path: Path) -> None:
    source = token_policy_dir(tmp_path)
    auth = ["--authentication=token", "--authorization=basic"]
    with PrivateOpa(source, extra_args=auth) as server:
        with OpaClient(server.url, token="s3cret") as good:
            assert good.report(SNAPSHOT)["stub"] is True
        with OpaClient(server.url, token="wrong") as bad, pytest.raises(ExternalError) as info:
            bad.report(SNAPSHOT)
    assert str(info.value) == (
        f"OPA at {server.url} refused the request (401 Unauthorized): check --opa-token / OPA_TOKEN"
    )


# --- the command line: the private OPA never outlives the harness -------------------------


# Execs the command line it is given with SIGINT at its default action, as a terminal starts it.
# A signal a process ignores stays ignored in its children, and Python turns only a SIGINT at
# its default into KeyboardInterrupt: under a pytest started as a background job of a shell
# without job control (`scripts/test &`, `(pytest ...) &`), which ignores SIGINT, the harness
# would never hear the test's Ctrl-C and would run on to the silent server's 60 s.
WITH_DEFAULT_SIGINT = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
)


def start_harness(input_path: Path, rego: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            *(sys.executable, "-c", WITH_DEFAULT_SIGINT),
            *("-m", "harness", "evaluate", "--input", str(input_path)),
        ],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=harness_env({"VBAWS_REGO": str(rego)}),
    )


def accept_opa_request(server: socket.socket) -> socket.socket:
    """The connection on which OPA's ``http.send`` asks ``GET /``: another test's probe of a
    port it believes closed may land here first, and must not be taken for it."""
    server.settimeout(60)
    while True:
        connection, _ = server.accept()
        connection.settimeout(10)
        with contextlib.suppress(OSError):
            if connection.recv(6) == b"GET / ":
                return connection
        connection.close()


@pytest.mark.parametrize("shape", ["one-role", "batch"])
@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_run_leaves_no_opa_behind(
    tmp_path: Path, silent_server: socket.socket, signum: int, exit_code: int, shape: str
) -> None:
    # The rules call a server that never answers (for 60 s), so the run is certainly
    # mid-query once that server sees OPA's request; it must stop at once all the same, also
    # with batch requests in flight on other threads.
    port = silent_server.getsockname()[1]
    hang = f'http.send({{"method": "GET", "url": "http://127.0.0.1:{port}/", "timeout": "60s"}})'
    rego = policy_dir(
        tmp_path,
        rego="package vbaws.ec2_backup\n\n"
        # An empty batch is what the harness checks the entry point with before any work.
        f"report_list := [] if count(input.roles) == 0\n\n"
        f"report_list := [{hang}] if count(input.roles) > 0\n\n"
        f"report := {hang}\n",
    )
    input_path = tmp_path / "input.json"
    input_path.write_text(json.dumps(SNAPSHOT if shape == "one-role" else {"roles": [SNAPSHOT]}))
    harness = start_harness(input_path, rego)
    try:
        connection = accept_opa_request(silent_server)
        opa_pids = children(harness.pid)
        assert len(opa_pids) == 1
        harness.send_signal(signum)
        _, stderr = harness.communicate(timeout=20)
        connection.close()
    finally:
        if harness.poll() is None:
            harness.kill()
    assert harness.returncode == exit_code
    assert "Traceback" not in stderr
    assert wait_gone(opa_pids[0])


# Runs the command line with a signal sent to itself at the exact moment the private OPA is
# forked: from Python's at-fork callback in the parent, where a raising signal handler's
# exception would be printed and dropped. Deterministic, unlike a signal sent from outside.
SIGNAL_AT_FORK = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
sent = []
def send():
    if not sent:
        sent.append(True)
        os.kill(os.getpid(), int(sys.argv[1]))
os.register_at_fork(after_in_parent=send)
from harness.cli import main
raise SystemExit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize(
    ("signum", "exit_code", "stderr"),
    [(signal.SIGINT, 130, "interrupted\n"), (signal.SIGTERM, 143, "")],
)
def test_signal_while_opa_is_forked_stops_the_run(
    tmp_path: Path, signum: int, exit_code: int, stderr: str
) -> None:
    input_path = tmp_path / "one.json"
    input_path.write_text(json.dumps(SNAPSHOT))
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            SIGNAL_AT_FORK,
            str(int(signum)),
            "evaluate",
            "--input",
            str(input_path),
        ],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=harness_env({"VBAWS_REGO": str(policy_dir(tmp_path))}),
        timeout=60,
    )
    # Not "Exception ignored in: <function _releaseLock ...>" and a finished run (exit 0 here).
    assert (result.returncode, result.stderr, result.stdout) == (exit_code, stderr, "")


def test_signals_deferred_holds_signals_back_and_not_from_the_child() -> None:
    received: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: received.append(signum))
    try:
        with signals_deferred() as mask:
            # To this thread: under pytest-xdist other threads of the process, which do not
            # block it, could take a signal sent to the whole process.
            signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
            assert received == []
            child = subprocess.run(
                ["grep", "^SigBlk:", "/proc/self/status"],
                preexec_fn=child_setup(mask),
                capture_output=True,
                text=True,
                check=True,
            )
        assert received == [signal.SIGTERM]  # handled as the block ended
    finally:
        signal.signal(signal.SIGTERM, previous)
    # A child started in the block gets the mask from before it: OPA must hear stop()'s SIGTERM.
    blocked = int(child.stdout.split()[1], 16)
    assert blocked & (1 << (signal.SIGTERM - 1)) == 0
    assert blocked & (1 << (signal.SIGINT - 1)) == 0


# Ctrl-C while the command modules import, at its worst: inside the eval of generated source
# that collections.namedtuple runs at import. Once a KeyboardInterrupt has escaped such an
# eval, CPython ends a `python -m` run by SIGINT, whatever exit code it is asked for.
INTERRUPT_IN_IMPORT = """
import builtins

real_import = builtins.__import__


def interrupted_import(name, *args, **kwargs):
    if name == "harness.cli":
        builtins.__import__ = real_import
        eval("(_ for _ in ()).throw(interrupt)", {"interrupt": KeyboardInterrupt()})
    return real_import(name, *args, **kwargs)


builtins.__import__ = interrupted_import
"""


def test_ctrl_c_while_modules_import_exits_130_quietly(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(INTERRUPT_IN_IMPORT)
    result = subprocess.run(
        [sys.executable, "-m", "harness", "evaluate", "--input", "-"],
        cwd=REPO,
        input=json.dumps(SNAPSHOT),
        capture_output=True,
        text=True,
        env=harness_env({"PYTHONPATH": str(tmp_path)}),
        timeout=60,
    )
    assert (result.returncode, result.stdout, result.stderr) == (130, "", "interrupted\n")


def test_opa_that_cannot_start_is_exit_3_with_its_message(run_harness, tmp_path: Path) -> None:
    rego = policy_dir(tmp_path, rego="package vbaws.ec2_backup\n\nreport := {\n")
    input_path = tmp_path / "one.json"
    input_path.write_text(json.dumps(SNAPSHOT))
    result = run_harness(
        "evaluate", "--input", str(input_path), "--format", "json", env={"VBAWS_REGO": str(rego)}
    )
    assert result.returncode == 3
    assert result.stderr.startswith(f"error: OPA failed to start with {rego}: ")
    assert "rego_parse_error" in result.stderr
    assert "Traceback" not in result.stderr
    # Whatever could not be evaluated is still reported, as not evaluated.
    output = json.loads(result.stdout)
    assert output["summary"] == {"roles": 1, "compliant": 0, "not_compliant": 0, "not_evaluated": 1}
    assert output["reports"][0]["evaluated"] is False


def test_unreachable_opa_url_is_exit_3(run_harness, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    input_path = tmp_path / "two.json"
    input_path.write_text(json.dumps({"roles": [SNAPSHOT, SNAPSHOT]}))
    result = run_harness("evaluate", "--input", str(input_path), "--opa-url", url)
    assert result.returncode == 3
    assert result.stderr.startswith(f"error: cannot reach OPA at {url}: ")
    output = json.loads(result.stdout)
    assert [r["evaluated"] for r in output["reports"]] == [False, False]
    assert output["reports"][0]["error"].startswith(f"cannot reach OPA at {url}")


def test_not_evaluated_reports_have_every_contract_field(run_harness, tmp_path: Path) -> None:
    """Contract section 4: each report exactly as in section 3, a role OPA could not evaluate
    included; its fields claim no decision, and every format counts it as not evaluated."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    other = "arn:aws:iam::123456789012:role/Other"
    batch = {
        "appliance": {"principal": "arn:aws:iam::111111111111:role/Impersonation"},
        "roles": [
            SNAPSHOT,
            {
                "role": {"arn": other, "policies": []},
                "checks": ["ec2_backup", "worker_production"],
            },
        ],
    }
    input_path = tmp_path / "two.json"
    input_path.write_text(json.dumps(batch))

    def run(fmt: str) -> subprocess.CompletedProcess[str]:
        result = run_harness(
            "evaluate", "--input", str(input_path), "--opa-url", url, "--format", fmt
        )
        assert result.returncode == 3, result.stderr
        return result

    output = json.loads(run("json").stdout)
    reason = output["reports"][0]["error"]
    assert reason.startswith(f"cannot reach OPA at {url}: ")
    unknown = UNEVALUATED_CHECK
    finding = {
        "id": "VBAWS-NOT-EVALUATED",
        "severity": "error",
        "message": f"not evaluated: {reason}",
        "actions": [],
    }
    assert output["reports"] == [
        {
            "role_arn": SNAPSHOT_ARN,
            "compliant": False,
            "checks": {"ec2_backup": unknown},
            "trust": {"checked": True, "appliance_can_assume": False, "conditions": []},
            "layers": {"identity": False, "boundary": False, "scps": False},
            "findings": [finding],
            "evaluated": False,
            "error": reason,
        },
        {
            "role_arn": other,
            "compliant": False,
            "checks": {"ec2_backup": unknown, "worker_production": unknown},
            "trust": {"checked": True, "appliance_can_assume": False, "conditions": []},
            "layers": {"identity": False, "boundary": False, "scps": False},
            "findings": [finding],
            "evaluated": False,
            "error": reason,
        },
    ]
    assert output["summary"] == {"roles": 2, "compliant": 0, "not_compliant": 0, "not_evaluated": 2}

    table = run("table").stdout
    assert table.count("NOT EVALUATED  ") == 2
    assert table.endswith("2 roles: 0 compliant, 0 not compliant, 2 not evaluated\n")
    results = json.loads(run("sarif").stdout)["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("VBAWS-NOT-EVALUATED", "error")] * 2
    junit = ET.fromstring(run("junit").stdout)
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors")) == ("2", "0", "2")


@pytest.mark.parametrize(
    ("args", "file_checks", "message"),
    [
        (["--checks", "bogus"], None, "error: --checks: unknown check 'bogus' (known: "),
        ([], ["bogus"], "error: {file}: checks: unknown check 'bogus' (known: "),
        (
            ["--opa-url", "ftp://x"],
            None,
            "error: OPA URL 'ftp://x' must look like http://HOST:PORT",
        ),
    ],
    ids=["--checks", "file-checks", "--opa-url"],
)
def test_bad_usage_without_roles_is_still_exit_2(
    run_harness,
    opa_url: str,
    tmp_path: Path,
    args: list[str],
    file_checks: list[str] | None,
    message: str,
) -> None:
    """No role to evaluate is no reason to skip the checks: OPA is asked about the checks
    (and the URL checked) before anything else, and nothing is reported."""
    document: dict[str, Any] = {"RoleDetailList": []}
    if file_checks:
        document["checks"] = file_checks
    path = tmp_path / "empty.json"
    path.write_text(json.dumps(document))
    opa = [] if "--opa-url" in args else ["--opa-url", opa_url]
    result = run_harness("evaluate", "--input", str(path), *opa, *args, "--format", "json")
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr.startswith(message.format(file=path)), result.stderr


def test_missing_bundle_is_exit_2(run_harness, tmp_path: Path) -> None:
    input_path = tmp_path / "one.json"
    input_path.write_text(json.dumps(SNAPSHOT))
    result = run_harness(
        "evaluate", "--input", str(input_path), "--bundle", str(tmp_path / "nope.tar.gz")
    )
    assert (result.returncode, result.stderr) == (
        2,
        f"error: policy bundle {tmp_path / 'nope.tar.gz'} does not exist\n",
    )


@pytest.mark.parametrize("roles", ["one-role", "no-role"])
@pytest.mark.parametrize("command", ["evaluate", "scan"])
@pytest.mark.parametrize(
    "kind", ["file", "empty-dir", "other-policies", "other-policies.tar.gz", "catalog-only"]
)
def test_bad_bundle_is_exit_2_naming_it(
    run_harness, tmp_path: Path, command: str, kind: str, roles: str
) -> None:
    """Checked before any work, also when there is no role to evaluate."""
    snapshot = tmp_path / "one.json"
    # (A batch of no role is refused by the schema; an empty RoleDetailList is not.)
    snapshot.write_text(json.dumps(SNAPSHOT if roles == "one-role" else {"RoleDetailList": []}))
    saved = tmp_path / "saved.json"
    details = [DETAIL] if roles == "one-role" else []
    saved.write_text(json.dumps({"RoleDetailList": details}))
    bundle = tmp_path / kind
    if kind == "file":
        bundle.write_text("{}")
        problem = "is not a gzip-compressed tar file"
    elif kind == "empty-dir":
        bundle.mkdir()
        problem = "holds no .rego files"
    elif kind == "other-policies":
        bundle.mkdir()
        (bundle / "other.rego").write_text("package other\n\nx := 1\n")
        problem = "does not hold the vbaws policies (no data.vbaws.requirements)"
    elif kind == "other-policies.tar.gz":
        # A valid bundle file of unrelated policies.
        (tmp_path / "other.rego").write_text("package foo\n\nx := 1\n")
        with tarfile.open(bundle, "w:gz") as archive:
            archive.add(tmp_path / "other.rego", arcname="other.rego")
        problem = "does not hold the vbaws policies (no data.vbaws.requirements)"
    else:
        # The catalog, but not the entry point the harness sends roles to.
        bundle = policy_dir(tmp_path, rego="package vbaws.other\n\nx := 1\n")
        problem = "does not hold the vbaws policies (no data.vbaws.ec2_backup.report_list)"
    args = (
        ["evaluate", "--input", str(snapshot)]
        if command == "evaluate"
        else ["scan", "--from-file", str(saved), "--all-roles"]
    )
    result = run_harness(*args, "--bundle", str(bundle), "--format", "json")
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        f"error: policy bundle {bundle} {problem}; {EXPECTED_BUNDLE}\n",
    )


@pytest.mark.parametrize("command", ["evaluate", "scan"])
@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("parse", "rego_parse_error"),
        ("compile", "rego_unsafe_var_error"),
        ("parse.tar.gz", "rego_parse_error"),
    ],
)
def test_bundle_opa_cannot_load_is_exit_2_with_opa_s_reason(
    run_harness, tmp_path: Path, command: str, kind: str, error: str
) -> None:
    """Policies with a syntax or compile error are the user's bad input, not an outage."""
    snapshot = tmp_path / "one.json"
    snapshot.write_text(json.dumps(SNAPSHOT))
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps({"RoleDetailList": [DETAIL]}))
    body = "report := {\n" if kind.startswith("parse") else "report := x\n"
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "broken.rego").write_text(f"package vbaws.ec2_backup\n\n{body}")
    bundle = policies
    if kind.endswith(".tar.gz"):
        bundle = tmp_path / kind
        with tarfile.open(bundle, "w:gz") as archive:
            archive.add(policies / "broken.rego", arcname="broken.rego")
    args = (
        ["evaluate", "--input", str(snapshot)]
        if command == "evaluate"
        else ["scan", "--from-file", str(saved), "--all-roles"]
    )
    result = run_harness(*args, "--bundle", str(bundle), "--format", "json")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(f"error: policy bundle {bundle} cannot be loaded: ")
    assert re.search(rf"broken\.rego:\d+: {error}", result.stderr), result.stderr


@pytest.fixture(scope="module")
def signed_bundle(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The project's bundle signed (RS256) with a fresh key; its public key and a stranger's;
    and the same bundle with its data changed after signing."""
    directory = tmp_path_factory.mktemp("signed")
    private, public = make_keypair(directory / "keys")
    _, stranger = make_keypair(directory / "keys", name="stranger")
    bundle = build_bundle(directory / "signed.tar.gz", "--signing-key", private, "--revision", "r")
    members = bundle_members(bundle)
    data = json.loads(members["data.json"])
    data["vbaws"]["requirements"]["ec2_backup"]["actions"] = ["ec2:DescribeInstances"]
    members["data.json"] = json.dumps(data).encode()
    tampered = directory / "tampered.tar.gz"
    with tarfile.open(tampered, "w:gz") as archive:
        for name, content in members.items():
            entry = tarfile.TarInfo(f"/{name}")
            entry.size = len(content)
            archive.addfile(entry, io.BytesIO(content))
    return {"bundle": bundle, "public": public, "stranger": stranger, "tampered": tampered}


@pytest.mark.parametrize("command", ["evaluate", "scan"])
def test_signed_bundle_is_verified_with_its_public_key(
    run_harness, tmp_path: Path, signed_bundle: dict[str, Path], command: str
) -> None:
    snapshot = tmp_path / "one.json"
    snapshot.write_text(json.dumps(SNAPSHOT))
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps({"RoleDetailList": [DETAIL]}))
    args = (
        ["evaluate", "--input", str(snapshot)]
        if command == "evaluate"
        else ["scan", "--from-file", str(saved), "--all-roles"]
    )
    bundle, public = signed_bundle["bundle"], str(signed_bundle["public"])
    plain = run_harness(*args, "--format", "json")
    verified = run_harness(
        *args, "--bundle", str(bundle), "--verification-key", public, "--format", "json"
    )
    assert (verified.returncode, verified.stdout) == (plain.returncode, plain.stdout), (
        verified.stderr
    )
    assert json.loads(verified.stdout)["reports"][0]["role_arn"] == SNAPSHOT_ARN

    unverified = run_harness(*args, "--bundle", str(bundle), "--format", "json")
    assert (unverified.returncode, unverified.stdout, unverified.stderr) == (
        2,
        "",
        f"error: policy bundle {bundle} is signed: give the public key to verify it with "
        "--verification-key PEM (and --signing-alg for a key that is not RSA/RS256)\n",
    )
    for wrong in (
        ["--bundle", str(bundle), "--verification-key", str(signed_bundle["stranger"])],
        ["--bundle", str(bundle), "--verification-key", public, "--signing-alg", "ES256"],
        ["--bundle", str(signed_bundle["tampered"]), "--verification-key", public],
    ):
        refused = run_harness(*args, *wrong, "--format", "json")
        assert (refused.returncode, refused.stdout) == (2, ""), refused.stderr
        assert refused.stderr.startswith(f"error: policy bundle {wrong[1]} cannot be loaded: ")
        assert "verif" in refused.stderr or "digest" in refused.stderr, refused.stderr


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            ["--signing-alg", "ES256"],
            "--signing-alg is the algorithm of --verification-key; give the key",
        ),
        (
            ["--verification-key", "{public}"],
            "--verification-key verifies a signed --bundle file; give the bundle",
        ),
        (
            ["--bundle", "{rego}", "--verification-key", "{public}"],
            "--verification-key checks a signed bundle file; {rego} is a directory",
        ),
        (
            ["--bundle", "{bundle}", "--verification-key", "{missing}"],
            "verification key {missing} is not a file",
        ),
        (
            ["--bundle", "{unsigned}", "--verification-key", "{public}"],
            "policy bundle {unsigned} is not signed, so --verification-key cannot verify it",
        ),
    ],
    ids=["alg-without-key", "key-without-bundle", "key-for-a-directory", "no-key-file", "unsigned"],
)
def test_verification_options_that_cannot_work_are_exit_2(
    run_harness, tmp_path: Path, signed_bundle: dict[str, Path], given: list[str], message: str
) -> None:
    snapshot = tmp_path / "one.json"
    snapshot.write_text(json.dumps(SNAPSHOT))
    unsigned = tmp_path / "unsigned.tar.gz"
    with tarfile.open(unsigned, "w:gz") as archive:
        archive.add(policy_dir(tmp_path), arcname=".")
    names = {
        "public": str(signed_bundle["public"]),
        "bundle": str(signed_bundle["bundle"]),
        "rego": str(policy_dir(tmp_path, name="rego")),
        "missing": str(tmp_path / "nope.pem"),
        "unsigned": str(unsigned),
    }
    args = [arg.format(**names) for arg in given]
    result = run_harness("evaluate", "--input", str(snapshot), *args, "--format", "json")
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        f"error: {message.format(**names)}\n",
    )


def test_bundle_with_many_errors_is_still_exit_2(run_harness, tmp_path: Path) -> None:
    """OPA's account of a broken bundle can run to pages (a Rego v0 bundle: two errors per
    rule); it is told by how it begins, which a tail of the output no longer holds."""
    snapshot = tmp_path / "one.json"
    snapshot.write_text(json.dumps(SNAPSHOT))
    policies = tmp_path / "policies"
    policies.mkdir()
    rules = "".join(f'deny{i}[msg] {{\n\tinput.x == {i}\n\tmsg := "m"\n}}\n\n' for i in range(30))
    (policies / "broken.rego").write_text(f"package vbaws.ec2_backup\n\n{rules}")
    result = run_harness("evaluate", "--input", str(snapshot), "--bundle", str(policies))
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    expected = f"error: policy bundle {policies} cannot be loaded: load error: "
    assert result.stderr.startswith(expected), result.stderr
    assert re.search(r"broken\.rego:3: rego_parse_error", result.stderr), result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["evaluate", "--input", str(FIXTURES / "evaluate" / "veeam-ec2-backup.json")],
        ["scan", "--from-file", str(GAAD), "--all-roles"],
    ],
    ids=["evaluate", "scan"],
)
@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "-inf", "1e400"])
def test_opa_timeout_must_be_a_positive_finite_number(
    capsys: pytest.CaptureFixture[str], command: list[str], value: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main([*command, f"--opa-timeout={value}"])
    assert info.value.code == 2
    assert (
        f"argument --opa-timeout: expected a positive number of seconds, got {value!r}"
        in capsys.readouterr().err
    )


def test_opa_url_credentials_are_never_shown(run_harness, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    input_path = tmp_path / "one.json"
    input_path.write_text(json.dumps(SNAPSHOT))
    url = f"http://admin:s3cret@127.0.0.1:{port}"
    result = run_harness("evaluate", "--input", str(input_path), "--opa-url", url)
    assert result.returncode == 3
    assert "s3cret" not in result.stdout + result.stderr
    shown = f"http://***@127.0.0.1:{port}"
    assert result.stderr.startswith(f"error: cannot reach OPA at {shown}: ")
    (report,) = json.loads(result.stdout)["reports"]
    assert report["error"].startswith(f"cannot reach OPA at {shown}: ")


def test_opa_url_credentials_are_still_sent(silent_server: socket.socket) -> None:
    url = f"http://admin:s3cret@127.0.0.1:{silent_server.getsockname()[1]}"
    with OpaClient(url, timeout=0.3) as client, pytest.raises(ExternalError) as info:
        client.report(SNAPSHOT)
    assert "s3cret" not in str(info.value)
    connection, _ = silent_server.accept()
    with connection:
        request = connection.recv(65536).decode()
    assert f"Authorization: Basic {base64.b64encode(b'admin:s3cret').decode()}" in request


def test_answers_over_loopback_are_asked_for_uncompressed(silent_server: socket.socket) -> None:
    port = silent_server.getsockname()[1]
    for host in ("127.0.0.1", "localhost"):
        with (
            OpaClient(f"http://{host}:{port}", timeout=0.3) as client,
            pytest.raises(ExternalError),
        ):
            client.report(SNAPSHOT)
        connection, _ = silent_server.accept()
        with connection:
            request = connection.recv(65536).decode().lower()
        assert "accept-encoding: identity\r\n" in request


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("10.0.0.1", False),
        ("opa", False),
        ("opa.example", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://admin:s3cret@opa:8181/v1", "http://***@opa:8181/v1"),
        ("https://token@opa.example", "https://***@opa.example"),
        ("http://a:p@ss@opa:8181", "http://***@opa:8181"),
        ("admin:s3cret@opa:8181", "***@opa:8181"),
        ("http://opa:8181/path@x?q=a@b", "http://opa:8181/path@x?q=a@b"),
        ("http://opa:8181", "http://opa:8181"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_invalid_opa_url_message_hides_credentials() -> None:
    with pytest.raises(UsageError) as info:
        OpaClient("ftp://admin:s3cret@opa")
    assert str(info.value) == "OPA URL 'ftp://***@opa' must look like http://HOST:PORT"


def test_no_opa_binary_is_exit_3(run_harness, tmp_path: Path) -> None:
    input_path = tmp_path / "one.json"
    input_path.write_text(json.dumps(SNAPSHOT))
    result = run_harness(
        "evaluate", "--input", str(input_path), env={"OPA_BIN": str(tmp_path / "missing-opa")}
    )
    assert result.returncode == 3
    assert result.stderr == f"error: OPA_BIN={tmp_path / 'missing-opa'} is not an executable file\n"


def test_failure_part_way_keeps_what_was_evaluated(run_harness, tmp_path: Path) -> None:
    # The stub fails on any role named "boom"; the harness sends 250 roles per query, so the
    # first query succeeds and the second, holding only "boom", fails.
    rego = policy_dir(tmp_path, rego=BOOM_POLICY)
    roles = [
        {"role": {"arn": f"arn:aws:iam::123456789012:role/r{i}", "policies": []}}
        for i in range(250)
    ]
    roles.append({"role": {"arn": "arn:aws:iam::123456789012:role/boom", "policies": []}})
    input_path = tmp_path / "many.json"
    input_path.write_text(json.dumps({"roles": roles}))
    result = run_harness(
        "evaluate", "--input", str(input_path), "--format", "json", env={"VBAWS_REGO": str(rego)}
    )
    assert result.returncode == 3
    assert "failed on data.vbaws.ec2_backup.report_list (HTTP 500)" in result.stderr
    output = json.loads(result.stdout)
    assert output["summary"] == {
        "roles": 251,
        "compliant": 250,
        "not_compliant": 0,
        "not_evaluated": 1,
    }
    assert [(r["role_arn"], r["compliant"], r["stub"]) for r in output["reports"][:250]] == [
        (f"arn:aws:iam::123456789012:role/r{i}", True, True) for i in range(250)
    ]
    last = output["reports"][250]
    assert (last["role_arn"], last["evaluated"], last["compliant"]) == (
        "arn:aws:iam::123456789012:role/boom",
        False,
        False,
    )
    assert "conflict" in last["error"]


def test_cli_token_from_environment(run_harness, tmp_path: Path) -> None:
    source = token_policy_dir(tmp_path)
    input_path = tmp_path / "one.json"
    input_path.write_text(json.dumps(SNAPSHOT))
    auth = ["--authentication=token", "--authorization=basic"]
    with PrivateOpa(source, extra_args=auth) as server:
        args = ("evaluate", "--input", str(input_path), "--opa-url", server.url)
        good = run_harness(*args, env={"OPA_TOKEN": "s3cret"})
        bad = run_harness(*args, env={"OPA_TOKEN": "wrong"})
        flag = run_harness(*args, "--opa-token", "s3cret", env={"OPA_TOKEN": "wrong"})
    # The stub's report is never compliant: exit 1 once OPA answers.
    assert (good.returncode, good.stderr) == (1, "")
    assert json.loads(good.stdout)["reports"][0]["stub"] is True
    assert bad.returncode == 3
    assert bad.stderr == (
        f"error: OPA at {server.url} refused the request (401 Unauthorized): "
        "check --opa-token / OPA_TOKEN\n"
    )
    assert flag.returncode == 1


@pytest.mark.parametrize("value", ["1e10", "86400000000"])
def test_opa_timeout_too_long_for_a_socket_is_a_usage_error(
    run_harness, value: str, opa_url: str
) -> None:
    # Meant as "no timeout": a socket cannot wait that long, and connecting to OPA raised an
    # OverflowError (a traceback, exit 1). 1e9 seconds, about 30 years, still works.
    path = str(FIXTURES / "evaluate" / "veeam-ec2-backup.json")
    result = run_harness("evaluate", "--input", path, "--opa-url", opa_url, "--opa-timeout", value)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.endswith(
        "error: argument --opa-timeout: expected at most 1000000000 seconds (about 30 years), "
        f"got {value!r}\n"
    )
    longest = run_harness("evaluate", "--input", path, "--opa-url", opa_url, "--opa-timeout", "1e9")
    assert (longest.returncode, longest.stderr) == (0, "")


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("tökenü", "its character 2 is not ASCII"),
        ("€", "its character 1 is not ASCII"),
        ("s3cret\n", "its character 7 is a control character"),
    ],
)
@pytest.mark.parametrize("given", ["flag", "environment"])
@pytest.mark.parametrize("command", ["evaluate", "scan"])
def test_token_no_header_can_carry_is_a_usage_error(
    run_harness, command: str, given: str, token: str, problem: str
) -> None:
    # Checked before anything is read or evaluated (an OPA that is not there is never asked),
    # and the token is not shown.
    args = (
        ["evaluate", "--input", str(FIXTURES / "evaluate" / "veeam-ec2-backup.json")]
        if command == "evaluate"
        else ["scan", "--from-file", str(FIXTURES / "evaluate" / "authorization-details.json")]
        + ["--all-roles"]
    )
    args += ["--opa-url", "http://127.0.0.1:1", "--format", "json"]
    if given == "flag":
        result = run_harness(*args, "--opa-token", token)
    else:
        result = run_harness(*args, env={"OPA_TOKEN": token})
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        "error: --opa-token / OPA_TOKEN: the OPA bearer token must be printable ASCII, "
        f"but {problem}\n",
    )


def test_token_is_not_checked_when_no_opa_url_would_be_sent_it(run_harness) -> None:
    path = str(FIXTURES / "evaluate" / "veeam-ec2-backup.json")
    result = run_harness("evaluate", "--input", path, "--format", "json", env={"OPA_TOKEN": "€"})
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize("url", ["http://", "https:///v1", "localhost:8181"])
def test_bad_opa_url_is_echoed_as_given(run_harness, url: str) -> None:
    path = str(FIXTURES / "evaluate" / "veeam-ec2-backup.json")
    result = run_harness("evaluate", "--input", path, "--opa-url", url)
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        f"error: OPA URL {url!r} must look like http://HOST:PORT\n",
    )


# Answers that are not reports of contract section 3, from an OPA with some other bundle under
# vbaws (an old one, a stub, a proxy rewriting answers): each report_list element is one of them.
MALFORMED_REPORTS = {
    "not-an-object": "1",
    "compliant-alone": '{"role_arn": r.role.arn, "compliant": true}',
    "compliant-without-checks": "object.union(object.remove(_stub(r.role.arn, true), "
    '["checks"]), {"checks": {}})',
    "another-role": '_stub("arn:aws:iam::123456789012:role/Other", true)',
    "check-not-compliant": 'object.union(_stub(r.role.arn, true), {"checks": {"ec2_backup": '
    '{"compliant": false}}})',
    "action-not-allowed": 'object.union(_stub(r.role.arn, true), {"checks": {"ec2_backup": '
    '{"compliant": true, "actions": {"ec2:CreateSnapshot": {"decision": "conditional"}}}}})',
    "compliant-not-evaluated": 'object.union(_stub(r.role.arn, true), {"evaluated": false})',
    # Not compliant, but in shapes the output formats cannot go through.
    "missing-not-a-list": 'object.union(_stub(r.role.arn, false), {"checks": {"ec2_backup": '
    '{"missing": 5}}})',
    "missing-not-names": 'object.union(_stub(r.role.arn, false), {"checks": {"ec2_backup": '
    '{"denied": [["ec2:CreateSnapshot"]]}}})',
    "decision-not-an-object": 'object.union(_stub(r.role.arn, false), {"checks": {"ec2_backup": '
    '{"actions": {"ec2:CreateSnapshot": "implicit_deny"}}}})',
    "blocked-by-not-a-list": 'object.union(_stub(r.role.arn, false), {"checks": {"ec2_backup": '
    '{"actions": {"ec2:CreateSnapshot": {"blocked_by": 7}}}}})',
    "conditions-not-a-list": 'object.union(_stub(r.role.arn, false), {"trust": {"conditions": 3}})',
    "finding-not-an-object": 'object.union(_stub(r.role.arn, false), {"findings": [1]})',
    # Every entry there is allowed, but the catalog's ec2:CreateSnapshot has none.
    "action-left-out": '{"role_arn": r.role.arn, "compliant": true, "checks": {"ec2_backup": '
    '{"compliant": true, "actions": {"ec2:DescribeInstances": {"decision": "allowed"}}}}, '
    '"trust": {}, "layers": {}, "findings": []}',
}


@pytest.mark.parametrize("report", MALFORMED_REPORTS.values(), ids=MALFORMED_REPORTS.keys())
def test_a_malformed_report_is_an_external_failure_never_a_pass(
    run_harness, tmp_path: Path, report: str
) -> None:
    rego = policy_dir(
        tmp_path,
        rego=f"package vbaws.ec2_backup\n\nreport_list := [{report} | some r in input.roles]\n"
        + STUB_REPORT_REGO,
    )
    input_path = tmp_path / "batch.json"
    input_path.write_text(json.dumps({"roles": [SNAPSHOT]}))
    result = run_harness(
        "evaluate", "--input", str(input_path), "--format", "json", env={"VBAWS_REGO": str(rego)}
    )
    assert result.returncode == 3, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: OPA at http://127.0.0.1:"), line
    assert "returned a malformed answer for data.vbaws.ec2_backup.report_list: report 0: " in line
    output = json.loads(result.stdout)
    assert output["summary"] == {"roles": 1, "compliant": 0, "not_compliant": 0, "not_evaluated": 1}
    assert output["reports"][0]["evaluated"] is False


@pytest.mark.parametrize("fmt", ["table", "junit", "sarif"])
def test_a_report_the_formats_cannot_read_is_reported_not_a_traceback(
    run_harness, tmp_path: Path, fmt: str
) -> None:
    report = MALFORMED_REPORTS["missing-not-a-list"]
    rego = policy_dir(
        tmp_path,
        rego=f"package vbaws.ec2_backup\n\nreport_list := [{report} | some r in input.roles]\n"
        + STUB_REPORT_REGO,
    )
    input_path = tmp_path / "batch.json"
    input_path.write_text(json.dumps({"roles": [SNAPSHOT]}))
    result = run_harness(
        "evaluate", "--input", str(input_path), "--format", fmt, env={"VBAWS_REGO": str(rego)}
    )
    assert result.returncode == 3, result.stderr
    assert "report 0: check 'ec2_backup': missing is not a list of action names" in result.stderr
    assert SNAPSHOT_ARN in result.stdout


# Inputs asking for more than the stub's compliant report shows: a second requirement set, or a
# trust check of the appliance (the stub's trust is not checked).
ASKING_MORE = {
    "batch-checks": {"roles": [SNAPSHOT], "checks": ["ec2_backup", "worker_production"]},
    "role-checks": {"roles": [dict(SNAPSHOT, checks=["worker_production", "ec2_backup"])]},
    "batch-appliance": {"roles": [SNAPSHOT], "appliance": {"principal": "111111111111"}},
    "role-appliance": {"roles": [dict(SNAPSHOT, appliance={"principal": "111111111111"})]},
    "snapshot-checks": dict(SNAPSHOT, checks=["ec2_backup", "worker_production"]),
    "snapshot-appliance": dict(SNAPSHOT, appliance={"principal": "111111111111"}),
}


@pytest.mark.parametrize("asked", ASKING_MORE.values(), ids=ASKING_MORE.keys())
def test_a_compliant_report_leaving_out_what_was_asked_is_never_a_pass(
    run_harness, tmp_path: Path, asked: dict[str, Any]
) -> None:
    # An OPA with an older or foreign bundle under vbaws may ignore a role's checks or its
    # appliance and call it compliant on the default set alone: that shows nothing about the
    # requirement set or the trust that was asked for.
    rego = policy_dir(
        tmp_path,
        rego="package vbaws.ec2_backup\n\nreport := _stub(input.role.arn, true)\n\n"
        "report_list := [_stub(r.role.arn, true) | some r in input.roles]\n" + STUB_REPORT_REGO,
    )
    catalog = {"ec2_backup": {"actions": ["ec2:CreateSnapshot"]}}
    catalog["worker_production"] = {"actions": ["ec2:DescribeInstances"]}
    (rego / "vbaws" / "requirements" / "data.json").write_text(json.dumps(catalog))
    input_path = tmp_path / "input.json"
    input_path.write_text(json.dumps(asked))
    result = run_harness(
        "evaluate", "--input", str(input_path), "--format", "json", env={"VBAWS_REGO": str(rego)}
    )
    assert result.returncode == 3, result.stderr
    assert "returned a malformed answer for data.vbaws.ec2_backup.report" in result.stderr
    assert re.search(r"compliant, but (check 'worker_production'|an appliance)", result.stderr)
    output = json.loads(result.stdout)
    assert output["summary"] == {"roles": 1, "compliant": 0, "not_compliant": 0, "not_evaluated": 1}


def test_a_report_of_another_role_for_an_authorization_details_input_is_refused(
    run_harness, tmp_path: Path
) -> None:
    # The engine names each RoleDetailList entry's report by its Arn, as a batch's by the
    # snapshot's role.arn: a report of another role in that place is not this role's verdict.
    stub = '_stub("arn:aws:iam::123456789012:role/Other", true)'
    rego = policy_dir(
        tmp_path,
        rego="package vbaws.ec2_backup\n\n"
        + f"report_list := [{stub} | some r in input.RoleDetailList]\n"
        + STUB_REPORT_REGO,
    )
    with PrivateOpa(rego) as server, OpaClient(server.url) as client:
        with pytest.raises(ExternalError, match="report 0: its role_arn .* is not the role asked"):
            client.report_list({"RoleDetailList": [DETAIL], "Policies": []})
        # An entry without an Arn is named otherwise by the engine: nothing to compare.
        assert client.report_list({"RoleDetailList": [dict(DETAIL, Arn=None)]})[0]["compliant"]


def test_a_requirement_set_without_actions_is_met_by_every_role() -> None:
    # A catalog may hold a set with no action (adding a set is a data change only): a report
    # compliant with it claims no action, which is no inconsistency.
    report = {
        "role_arn": SNAPSHOT_ARN,
        "compliant": True,
        "checks": {"empty": {"compliant": True, "actions": {}}},
        "trust": {},
        "layers": {},
        "findings": [],
    }
    assert report_problem(report) is None
    assert report_problem(dict(report, compliant=False)) is None


def test_a_well_formed_stub_report_passes_the_client_check(tmp_path: Path) -> None:
    # The check above rejects what is wrong, not every stub: the stubs here are well formed.
    with PrivateOpa(policy_dir(tmp_path)) as server, OpaClient(server.url) as client:
        assert client.report_list({"roles": [SNAPSHOT]})[0]["compliant"] is True
        assert client.report(SNAPSHOT)["compliant"] is False
