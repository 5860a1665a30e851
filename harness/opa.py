"""Talking to Open Policy Agent: find the binary, run a private server, query it over HTTP.

The client uses httpx directly: opa-python-client (3.0) does support input, a bearer token and a
timeout, but it is built on requests rather than httpx and takes a host and port instead of a base
URL (so an OPA behind a path prefix cannot be reached), and it surfaces raw requests exceptions.
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

import httpx

from harness import package_data
from harness.errors import ExternalError, UsageError

REPORT_LIST_PATH = "vbaws/ec2_backup/report_list"
REPORT_PATH = "vbaws/ec2_backup/report"
REQUIREMENTS_PATH = "vbaws/requirements"
# What the entry points are probed with before any work: no role, so nothing to evaluate.
EMPTY_BATCH: dict[str, Any] = {"roles": []}

# Batch requests sent to OPA at once: OPA evaluates each on one core.
BATCHES_IN_FLIGHT = max(1, min(4, os.cpu_count() or 1))
DEFAULT_TIMEOUT = 60.0
STARTUP_TIMEOUT = 30.0
# How long a private OPA gets to exit after SIGTERM before it is killed.
STOP_GRACE = 5.0
# How much of OPA's own output goes into an error message.
OUTPUT_TAIL = 2000


def rego_dir() -> Path:
    """The policy bundle to load: ``$VBAWS_REGO`` when set, else the harness's own ``rego/``
    (the repository's, or the copy inside an installed package)."""
    override = os.environ.get("VBAWS_REGO")
    return Path(override) if override else package_data.rego_path()


# What OPA verifies a signed bundle with from a PEM public key (HMAC takes a secret instead).
SIGNING_ALGORITHMS = (
    *("RS256", "RS384", "RS512"),
    *("PS256", "PS384", "PS512"),
    *("ES256", "ES384", "ES512"),
)

_BUNDLE_EXPECTED = (
    "expected the policy directory (rego/) or a bundle.tar.gz built by scripts/build-bundle"
)


def check_bundle(source: Path, verification_key: Path | None = None) -> None:
    """UsageError unless ``source`` can be what ``--bundle`` takes: a policy directory holding
    .rego files, or a gzip-compressed tar file (OPA's bundle format), signed exactly when a
    ``verification_key`` (``--verification-key``) is given to check its signature with.

    Checked before OPA starts, so a wrong path is bad usage (exit 2) naming the path, rather
    than OPA's start-up failure or a query failure against a random loopback port.
    """
    if not source.exists():
        raise UsageError(f"policy bundle {source} does not exist")
    if source.is_dir():
        if next(source.rglob("*.rego"), None) is None:
            raise UsageError(f"policy bundle {source} holds no .rego files; {_BUNDLE_EXPECTED}")
        if verification_key is not None:
            raise UsageError(
                f"--verification-key checks a signed bundle file; {source} is a directory"
            )
        return
    try:
        with tarfile.open(source, "r:gz") as archive:
            signed = any(name.lstrip("/") == ".signatures.json" for name in archive.getnames())
    except PermissionError:
        raise UsageError(f"policy bundle {source} cannot be read: permission denied") from None
    except (tarfile.TarError, OSError, EOFError):
        raise UsageError(
            f"policy bundle {source} is not a gzip-compressed tar file; {_BUNDLE_EXPECTED}"
        ) from None
    if signed and verification_key is None:
        raise UsageError(
            f"policy bundle {source} is signed: give the public key to verify it with "
            "--verification-key PEM (and --signing-alg for a key that is not RSA/RS256)"
        )
    if verification_key is not None:
        if not verification_key.is_file():
            raise UsageError(f"verification key {verification_key} is not a file")
        if not signed:
            raise UsageError(
                f"policy bundle {source} is not signed, so --verification-key cannot verify it"
            )


def redact_url(url: str) -> str:
    """``url`` with any user name and password replaced by ``***``, for messages and reports."""
    return _USERINFO.sub(r"\g<scheme>***@", url, count=1)


# Everything before the last "@" of the authority (RFC 3986 userinfo), scheme optional.
_USERINFO = re.compile(r"^(?P<scheme>(?:[A-Za-z][A-Za-z0-9+.-]*:)?//)?[^/?#]*@")


def find_opa() -> str:
    """Path of the ``opa`` binary: ``$OPA_BIN``, then ``<repo>/.tools/bin/opa`` in a checkout,
    then ``PATH``."""
    override = os.environ.get("OPA_BIN")
    if override:
        if not os.access(override, os.X_OK):
            raise ExternalError(f"OPA_BIN={override} is not an executable file")
        return override
    root = package_data.source_root()
    local = root / ".tools" / "bin" / "opa" if root is not None else None
    if local is not None and os.access(local, os.X_OK):
        return str(local)
    found = shutil.which("opa")
    if found:
        return found
    raise ExternalError(
        "cannot find the opa binary: run scripts/setup, set OPA_BIN, or pass --opa-url"
    )


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """Runs in the child before exec: have Linux SIGTERM OPA if the harness itself is killed."""
    import ctypes

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


# The signals the command line turns into an exit (KeyboardInterrupt, SystemExit).
DEFERRED_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


@contextlib.contextmanager
def signals_deferred() -> Iterator[set[signal.Signals]]:
    """Hold SIGINT and SIGTERM back from this thread for the block; they arrive when it ends.

    Popen with a ``preexec_fn`` runs Python's at-fork callbacks in the parent, and an exception
    a signal handler raises inside one is printed and dropped ("Exception ignored in ..."): a
    Ctrl-C or SIGTERM at that moment would be lost and the run would go on. Blocked, the signal
    stays pending and is handled as the block ends (``pthread_sigmask`` runs the Python handlers
    before it returns), once the child is stored where cleanup finds it. Yields the mask to
    restore in a child started in the block (:func:`child_setup`): it inherits the blocked one.
    """
    old = signal.pthread_sigmask(signal.SIG_BLOCK, DEFERRED_SIGNALS)
    try:
        yield old
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def child_setup(mask: set[signal.Signals]) -> Callable[[], None]:
    """The ``preexec_fn`` of a helper process started inside :func:`signals_deferred`."""

    def setup() -> None:
        if sys.platform == "linux":
            _die_with_parent()
        # Without this OPA would run with SIGTERM blocked, deaf to stop(). Last, so that a
        # signal let through can only reach the child just before exec.
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    return setup


# Evaluation allocates heavily but keeps little: collecting garbage only as the heap nears a
# memory limit, instead of each time it doubles, took the Veeam role's single-query p99 from
# about 6 to under 5 ms in scripts/bench-evaluate, and batches a few percent faster. The limit
# is a quarter of the machine's memory (half a cgroup v2 or v1 limit), at most 1 GiB; GOGC=400
# where memory cannot be told. A GOGC or GOMEMLIMIT set by the user wins.
_MEMORY_LIMIT_CAP = 1 << 30
_FALLBACK_GOGC = "400"
# cgroup v2, then v1 (whose "no limit" is a huge number, harmless under the cap).
_CGROUP_MEMORY_LIMITS = (
    Path("/sys/fs/cgroup/memory.max"),
    Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
)


def _opa_environment() -> dict[str, str]:
    if "GOGC" in os.environ or "GOMEMLIMIT" in os.environ:
        return dict(os.environ)
    limit = _memory_limit()
    if limit is None:
        return {"GOGC": _FALLBACK_GOGC, **os.environ}
    return {"GOGC": "off", "GOMEMLIMIT": str(limit), **os.environ}


def _memory_limit() -> int | None:
    """Bytes the private OPA's heap may grow to before it is collected (None: unknown)."""
    try:
        limits = [os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 4]
    except (AttributeError, OSError, ValueError):
        return None
    for path in _CGROUP_MEMORY_LIMITS:
        # No limit there: "max", no such file, or not Linux.
        with contextlib.suppress(OSError, ValueError):
            limits.append(int(path.read_text()) // 2)
    return min(_MEMORY_LIMIT_CAP, *limits)


@dataclass(frozen=True)
class BundleVerification:
    """The public key (PEM file) and algorithm that a signed ``--bundle`` is verified with."""

    key: Path
    algorithm: str = "RS256"


def _in_background(call: Callable[[Any], Any], argument: Any) -> Future[Any]:
    """``call(argument)`` on a daemon thread. Not a ThreadPoolExecutor: on Ctrl-C or SIGTERM
    its shutdown, and Python's exit, would wait for every request still in flight (up to
    --opa-timeout); a daemon thread is dropped, and the private OPA stopped at once."""
    future: Future[Any] = Future()

    def run() -> None:
        future.set_running_or_notify_cancel()
        try:
            future.set_result(call(argument))
        except BaseException as exc:  # handed to the caller, which re-raises it
            future.set_exception(exc)

    threading.Thread(target=run, name="vbaws-opa-batch", daemon=True).start()
    return future


class PoliciesRefused(ExternalError):
    """OPA would not start on the policies it was given: a parse or compile error in them."""

    def __init__(self, source: Path, output: str) -> None:
        super().__init__(f"OPA failed to start with {source}: {output}")
        self.output = output


# How OPA's start-up failure begins when the policies, not the machine, are at fault.
_REFUSED = re.compile(r"^error: (?:load|initialization) error: ", re.MULTILINE)


class PrivateOpa:
    """An ``opa run --server`` on a free loopback port, for the duration of a ``with`` block.

    ``source`` is a directory of policies and data (loaded as is) or a bundle file such as
    ``bundle.tar.gz`` (loaded with ``--bundle``); ``extra_args`` go to ``opa run``. The server
    is stopped on leaving the block, whatever the reason (an error, Ctrl-C, SystemExit).
    """

    def __init__(
        self,
        source: Path | None = None,
        *,
        opa_bin: str | None = None,
        startup_timeout: float = STARTUP_TIMEOUT,
        extra_args: Sequence[str] = (),
        verification: BundleVerification | None = None,
    ) -> None:
        self.extra_args = list(extra_args)
        self.verification = verification
        self.source = Path(source) if source is not None else rego_dir()
        self.opa_bin = opa_bin
        self.startup_timeout = startup_timeout
        self.url = ""
        self.process: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None

    def __enter__(self) -> PrivateOpa:
        check_bundle(self.source, self.verification.key if self.verification else None)
        opa = self.opa_bin or find_opa()
        try:
            self._start(opa)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _command(self, opa: str, port: int) -> list[str]:
        load = ["--bundle", str(self.source)] if self.source.is_file() else [str(self.source)]
        if self.verification is not None:
            load = [
                "--verification-key",
                str(self.verification.key),
                "--signing-alg",
                self.verification.algorithm,
                *load,
            ]
        return [
            opa,
            "run",
            "--server",
            "--addr",
            f"127.0.0.1:{port}",
            "--log-level",
            "error",
            "--skip-version-check",
            # Nothing to drain in a private server: stop promptly even mid-request.
            "--shutdown-grace-period",
            "1",
            *self.extra_args,
            *load,
        ]

    def _start(self, opa: str) -> None:
        # The port is free when chosen but another process may take it before OPA binds it;
        # a second attempt on a new port makes that race harmless.
        for attempt in range(3):
            port = _free_loopback_port()
            self._output = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
            try:
                with signals_deferred() as mask:
                    self.process = subprocess.Popen(
                        self._command(opa, port),
                        stdin=subprocess.DEVNULL,
                        # OPA prints start-up errors on stdout, log lines on stderr: keep both.
                        stdout=self._output,
                        stderr=subprocess.STDOUT,
                        preexec_fn=child_setup(mask),
                        env=_opa_environment(),
                    )
            except OSError as exc:
                raise ExternalError(f"cannot start OPA ({opa}): {exc.strerror or exc}") from exc
            self.url = f"http://127.0.0.1:{port}"
            if self._wait_healthy():
                return
            output = self._all_output()
            self.stop()
            if "address already in use" in output and attempt < 2:
                continue
            # Told by how OPA's account begins, which can run to pages (two errors per rule
            # of a Rego v0 bundle): its beginning names the first errors.
            if _REFUSED.search(output):
                raise PoliciesRefused(self.source, output[:OUTPUT_TAIL])
            raise ExternalError(
                f"OPA failed to start with {self.source}: "
                f"{output[-OUTPUT_TAIL:] or 'no output from OPA'}"
            )

    def _wait_healthy(self) -> bool:
        """Poll ``GET /health`` until OPA answers 200; False when the process exits first."""
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        with httpx.Client(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    return False
                try:
                    if client.get(f"{self.url}/health").status_code == 200:
                        return True
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        raise ExternalError(
            f"OPA did not become healthy within {self.startup_timeout:.0f}s at {self.url}: "
            f"{self._output_text() or 'no output from OPA'}"
        )

    def _output_text(self) -> str:
        return self._all_output()[-OUTPUT_TAIL:]

    def _all_output(self) -> str:
        if self._output is None:
            return ""
        self._output.seek(0)
        return self._output.read().decode("utf-8", errors="replace").strip()

    def stop(self) -> None:
        """Stop the server (idempotent): SIGTERM, then SIGKILL after a grace period."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._output is not None:
            self._output.close()
            self._output = None


def token_problem(token: str) -> str | None:
    """Why ``token`` cannot be sent as a bearer token, or None. HTTP header values are ASCII,
    and a control character would end the header; the token itself is never echoed."""
    for position, char in enumerate(token, start=1):
        if not " " <= char <= "~":
            kind = "a control character" if char.isascii() else "not ASCII"
            return (
                f"the OPA bearer token must be printable ASCII, but its character {position} "
                f"is {kind}"
            )
    return None


class OpaClient:
    """Queries one OPA server over its REST data API, reusing one HTTP connection."""

    def __init__(self, url: str, token: str | None = None, timeout: float = DEFAULT_TIMEOUT):
        # ``url`` may carry basic-auth credentials (http://user:password@host): httpx sends
        # them, but ``self.url`` is what messages and not-evaluated reports show, so it has none.
        self.url = redact_url(url.rstrip("/"))
        self.timeout = timeout
        problem = token_problem(token) if token else None
        if problem:
            raise UsageError(f"--opa-token / OPA_TOKEN: {problem}")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        given = redact_url(url)  # as the user wrote it: "http://", not "http:"
        try:
            parsed = httpx.URL(url.rstrip("/"))
        except (httpx.InvalidURL, ValueError) as exc:
            raise UsageError(f"OPA URL {given!r} is not a valid URL: {exc}") from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise UsageError(f"OPA URL {given!r} must look like http://HOST:PORT")
        if is_loopback(parsed.host):
            # OPA compresses large answers when asked to, which costs it about a twentieth of a
            # batch's time; on this machine's own network that buys nothing.
            headers["Accept-Encoding"] = "identity"
        self._http = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout)
        # The requirement catalog, once requirement_sets() has read it: a report claiming a
        # check met must then have every action of that set allowed.
        self._catalog: dict[str, Any] | None = None

    def __enter__(self) -> OpaClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def query(self, path: str, input: Any = None) -> Any:
        """``data.<path>`` (slash-separated) evaluated with ``input``; errors are ExternalError."""
        payload = self._post(path, input)
        if "result" not in payload:
            raise ExternalError(
                f"OPA at {self.url} has no result for data.{_dotted(path)}: "
                "is the vbaws bundle loaded there?"
            )
        return payload["result"]

    def defines(self, path: str) -> bool:
        """Whether ``data.<path>`` is defined (has a result without input) in this OPA."""
        return "result" in self._post(path, None)

    def _post(self, path: str, input: Any) -> dict[str, Any]:
        """OPA's answer object for ``data.<path>``; ExternalError when OPA gives none."""
        path = path.strip("/")
        body = {} if input is None else {"input": input}
        try:
            response = self._http.post(f"/v1/data/{path}", json=body)
        except httpx.TimeoutException as exc:
            raise ExternalError(
                f"OPA at {self.url} did not answer within {self.timeout:g}s"
            ) from exc
        except httpx.TransportError as exc:
            raise ExternalError(f"cannot reach OPA at {self.url}: {exc}") from exc
        except httpx.RequestError as exc:
            # A body that does not decode as its Content-Encoding says (a proxy that mislabels
            # or cuts a compressed answer), or any other failure to read the answer.
            raise ExternalError(f"cannot read the answer of OPA at {self.url}: {exc}") from exc
        if response.status_code in (401, 403):
            raise ExternalError(
                f"OPA at {self.url} refused the request ({response.status_code} "
                f"{response.reason_phrase}): check --opa-token / OPA_TOKEN"
            )
        if response.status_code != 200:
            raise ExternalError(
                f"OPA at {self.url} failed on data.{_dotted(path)} "
                f"(HTTP {response.status_code}): {_error_detail(response)}"
            )
        try:
            payload = response.json()
        except ValueError as exc:
            raise ExternalError(
                f"OPA at {self.url} answered with something that is not JSON"
            ) from exc
        except RecursionError:
            # Python's parser recurses per level; Go's, OPA's, takes 10,000 levels.
            raise ExternalError(
                f"OPA at {self.url} answered with JSON nested too deeply to read "
                f"(data.{_dotted(path)})"
            ) from None
        if not isinstance(payload, dict):
            raise ExternalError(f"OPA at {self.url} answered with JSON that is not an object")
        return payload

    def report_list(self, input: Any) -> list[dict[str, Any]]:
        """Reports, in input order, of a batch or a GetAccountAuthorizationDetails document."""
        result: list[dict[str, Any]] = self._query_typed(REPORT_LIST_PATH, input, list, "a list")
        asked = _asked_roles(input)
        asked = asked if len(asked) == len(result) else []
        for index, report in enumerate(result):
            role = asked[index] if asked else None
            self._check_report(REPORT_LIST_PATH, report, role, f"report {index}")
        return result

    def report_lists(
        self, batches: Iterable[Any], in_flight: int = BATCHES_IN_FLIGHT
    ) -> Iterator[list[dict[str, Any]]]:
        """``report_list`` of every batch, yielded in order, ``in_flight`` requests at a time.

        OPA evaluates each request on one core, so a batch per core keeps the server busy.
        A failure is raised in batch order: every batch before the failed one has been
        yielded, and no batch after it is.
        """
        in_flight = max(1, in_flight)
        pending: deque[Future[list[dict[str, Any]]]] = deque()
        for batch in batches:
            pending.append(_in_background(self.report_list, batch))
            if len(pending) >= in_flight:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def report(self, snapshot: Any) -> dict[str, Any]:
        """The report of one role snapshot."""
        result: dict[str, Any] = self._query_typed(REPORT_PATH, snapshot, dict, "an object")
        self._check_report(REPORT_PATH, result, _asked_role(snapshot, {}), "the report")
        return result

    def _check_report(self, path: str, report: Any, asked: AskedRole | None, which: str) -> None:
        """ExternalError when ``report`` is not a report of contract section 3 for the role
        ``asked`` describes (when known): an OPA with another bundle, or a proxy that altered
        the answer, must never make a role pass, nor stop the run with a traceback."""
        problem = report_problem(report, asked, self._catalog)
        arn = asked.arn if asked is not None else None
        if problem is None and arn is not None and report["role_arn"] != arn:
            problem = f"its role_arn {report['role_arn']!r} is not the role asked about, {arn!r}"
        if problem is not None:
            raise ExternalError(
                f"OPA at {self.url} returned a malformed answer for data.{_dotted(path)}: "
                f"{which}: {problem}"
            )

    def _query_typed(self, path: str, input: Any, kind: type, expected: str) -> Any:
        result = self.query(path, input)
        if not isinstance(result, kind):
            raise ExternalError(
                f"OPA at {self.url} returned a {type(result).__name__} for "
                f"data.{path.replace('/', '.')}, expected {expected}"
            )
        return result

    def answers_entry_points(self) -> bool:
        """Whether this OPA answers the batch entry point the harness sends roles to (an empty
        batch gets an empty list); False when it is not defined there."""
        return "result" in self._post(REPORT_LIST_PATH, EMPTY_BATCH)

    def requirement_sets(self) -> dict[str, Any]:
        """The requirement catalog loaded in this OPA (``data.vbaws.requirements``)."""
        result = self.query(REQUIREMENTS_PATH)
        if not isinstance(result, dict):
            raise ExternalError(
                f"OPA at {self.url} holds no requirement catalog at data.vbaws.requirements"
            )
        self._catalog = result
        return result


def _snapshot_arn(snapshot: Any) -> str | None:
    """The ARN a role snapshot gives its role, which its report carries as role_arn."""
    role = snapshot.get("role") if isinstance(snapshot, dict) else None
    arn = role.get("arn") if isinstance(role, dict) else None
    return arn if isinstance(arn, str) else None


@dataclass(frozen=True)
class AskedRole:
    """What the input asks about one role, as the engine reads it: a report that calls the
    role compliant must be about this role, hold every check asked for and, when an appliance
    was given, have found that it can assume the role."""

    arn: str | None
    checks: tuple[str, ...]
    appliance: bool


def _asked_role(snapshot: Any, shared: dict[str, Any]) -> AskedRole:
    """A snapshot's own ``checks``/``appliance`` (null meaning not given), else the batch's
    (``shared``), else the contract's default checks and no appliance."""
    own = snapshot if isinstance(snapshot, dict) else {}

    def setting(key: str) -> Any:
        value = own.get(key)
        return shared.get(key) if value is None else value

    checks = setting("checks")
    if checks is None:
        checks = ["ec2_backup"]
    elif not isinstance(checks, list):
        checks = [checks]
    appliance = setting("appliance")
    return AskedRole(
        arn=_snapshot_arn(snapshot),
        checks=tuple(str(c) for c in checks),
        appliance=isinstance(appliance, dict) and appliance.get("principal") not in (None, False),
    )


def _asked_roles(input: Any) -> list[AskedRole]:
    """What ``input`` asks about each role, in report order: the batch form's snapshots or,
    as the engine reads them when there is no batch, a GetAccountAuthorizationDetails
    document's RoleDetailList entries (whose role the engine names by its Arn)."""
    if not isinstance(input, dict):
        return []
    if isinstance(input.get("roles"), list):
        return [_asked_role(snapshot, input) for snapshot in input["roles"]]
    if isinstance(input.get("RoleDetailList"), list):
        return [
            replace(
                _asked_role(None, input),
                arn=detail["Arn"]
                if isinstance(detail, dict) and isinstance(detail.get("Arn"), str)
                else None,
            )
            for detail in input["RoleDetailList"]
        ]
    return []


def report_problem(
    report: Any, asked: AskedRole | None = None, catalog: dict[str, Any] | None = None
) -> str | None:
    """What keeps ``report`` from being a report of contract section 3, or None.

    Only what the verdict rests on is checked: the fields the contract names, with their
    types, and that a report claiming ``compliant`` has every action of every check allowed.
    With ``asked`` (what the input asked about the role), a compliant report must also hold
    every check asked for and, when an appliance was given, a trust check it passed; with
    ``catalog`` (the OPA's requirement sets), a compliant check must have an entry for every
    action of its set: an older or foreign bundle that leaves a check or an action out has not
    shown that the role has it.
    """
    if not isinstance(report, dict):
        return f"a JSON {type(report).__name__}, not a report object"
    for key, kind in _REPORT_FIELDS:
        if not isinstance(report.get(key), kind):
            return f"no {key} {_KIND_NAMES[kind]}"
    for check_id, check in report["checks"].items():
        if not isinstance(check, dict) or not isinstance(check.get("compliant"), bool):
            return f"check {check_id!r} has no compliant boolean"
        if not isinstance(check.get("actions"), dict):
            return f"check {check_id!r} has no actions object"
    problem = _unreadable_part(report)
    if problem is not None:
        return problem
    if report["compliant"] and not report["checks"]:
        return "compliant without any check"
    for check_id, check in report["checks"].items():
        if report["compliant"] and not check["compliant"]:
            return f"compliant, but check {check_id!r} is not"
        if check["compliant"] and any(
            not isinstance(entry, dict) or entry.get("decision") != "allowed"
            for entry in check["actions"].values()
        ):
            return f"check {check_id!r} is compliant without every action allowed"
    if report["compliant"]:
        return _compliance_unshown(report, asked, catalog)
    return None


def _unreadable_part(report: dict[str, Any]) -> str | None:
    """What of ``report`` the output formats go through or look into is in another shape
    (a list they iterate, an object they read), or None: a traceback for an answer from
    another bundle or a proxy would lose the report of every role."""
    for check_id, check in report["checks"].items():
        for key in ("missing", "denied", "conditional"):
            names = check.get(key)
            if names is not None and not (
                isinstance(names, list) and all(isinstance(n, str) for n in names)
            ):
                return f"check {check_id!r}: {key} is not a list of action names"
        for action, entry in check["actions"].items():
            if not isinstance(entry, dict):
                return f"check {check_id!r}: action {action!r} has no decision object"
            for key in ("blocked_by", "reasons"):
                if entry.get(key) is not None and not isinstance(entry[key], list):
                    return f"check {check_id!r}: action {action!r}: {key} is not a list"
    conditions = report["trust"].get("conditions")
    if conditions is not None and not isinstance(conditions, list):
        return "trust conditions is not a list"
    if not all(isinstance(finding, dict) for finding in report["findings"]):
        return "a finding is not an object"
    return None


def _compliance_unshown(
    report: dict[str, Any], asked: AskedRole | None, catalog: dict[str, Any] | None
) -> str | None:
    """What a compliant report leaves unshown of what was asked, or None."""
    if report.get("evaluated") is False:
        # The formats show such a role as not evaluated, which a pass must never be.
        return "compliant, but marked not evaluated"
    if asked is not None:
        for check_id in asked.checks:
            if check_id not in report["checks"]:
                return f"compliant, but check {check_id!r}, which was asked for, is not in it"
        trust = report["trust"]
        if asked.appliance and (
            trust.get("checked") is not True or trust.get("appliance_can_assume") is not True
        ):
            return "compliant, but an appliance was given and its trust was not found to hold"
    for check_id, check in report["checks"].items():
        requirement = (catalog or {}).get(check_id)
        required = requirement.get("actions") if isinstance(requirement, dict) else None
        for action in required if isinstance(required, list) else []:
            if action not in check["actions"]:
                return f"check {check_id!r} is compliant without an entry for {action!r}"
    return None


_REPORT_FIELDS: tuple[tuple[str, type], ...] = (
    ("role_arn", str),
    ("compliant", bool),
    ("checks", dict),
    ("trust", dict),
    ("layers", dict),
    ("findings", list),
)
_KIND_NAMES = {str: "string", bool: "boolean", dict: "object", list: "list"}


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, as in a URL) is this machine's own network."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _dotted(path: str) -> str:
    return path.strip("/").replace("/", ".")


def _error_detail(response: httpx.Response) -> str:
    """OPA's own error message (``{"code", "message", "errors": [...]}``), or an excerpt of
    the body: a server that is not OPA (a proxy, a web server) answers with a whole page."""
    try:
        body = response.json()
    except (ValueError, RecursionError):
        return _excerpt(response) or response.reason_phrase
    if isinstance(body, dict):
        parts = [str(body.get("message", ""))]
        for err in body.get("errors") or []:
            if isinstance(err, dict):
                code = f"{err['code']}: " if err.get("code") else ""
                parts.append(f"{code}{err.get('message', '')}")
        return "; ".join(p for p in parts if p) or response.reason_phrase
    return response.reason_phrase


# How much of a body that is not OPA's goes into a message (and every not-evaluated report):
# enough to tell which server answered and why, on one line.
EXCERPT_LENGTH = 200
# The start of what an HTML page holds that is no text to read: a script, a style, a comment.
_HTML_HIDDEN = re.compile(r"<(script|style)\b|<!--")
# A tag; ``[^<>]`` rather than ``[^>]`` keeps a page of unclosed ``<`` from taking quadratic time.
_HTML_TAG = re.compile(r"<[^<>]*>")


def _excerpt(response: httpx.Response) -> str:
    """The body's text on one line, tags stripped from an HTML page, cut with an ellipsis."""
    text = _page_text(response.text) if _is_html(response) else response.text
    text = " ".join(text.split())
    if len(text) > EXCERPT_LENGTH:
        text = text[: EXCERPT_LENGTH - 3].rstrip() + "..."
    return text


def _is_html(response: httpx.Response) -> bool:
    if "html" in response.headers.get("content-type", "").lower():
        return True
    return response.text.lstrip()[:15].lower().startswith(("<!doctype html", "<html"))


def _page_text(page: str) -> str:
    """What a browser would show of ``page``, roughly, in time linear in its length (the page
    comes from whatever server --opa-url names): scripts, styles, comments and tags dropped."""
    lower = page.lower()
    parts: list[str] = []
    position = 0
    while (hidden := _HTML_HIDDEN.search(lower, position)) is not None:
        parts.append(page[position : hidden.start()])
        closing = "-->" if hidden.group() == "<!--" else f"</{hidden.group(1)}"
        end = lower.find(closing, hidden.end())
        end = lower.find(">", end) if end >= 0 else -1
        if end < 0:  # never closed: the rest of the page is hidden too
            position = len(page)
            break
        position = end + 1
    parts.append(page[position:])
    return html.unescape(_HTML_TAG.sub(" ", " ".join(parts)))


@contextlib.contextmanager
def opa_session(
    opa_url: str | None,
    token: str | None = None,
    *,
    bundle: Path | None = None,
    verification: BundleVerification | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Iterator[OpaClient]:
    """An OpaClient on ``opa_url``, or on a private OPA loading ``bundle`` (a signed one
    checked with ``verification``) for the block."""
    if opa_url:
        with OpaClient(opa_url, token, timeout) as client:
            yield client
        return
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(PrivateOpa(bundle, verification=verification))
        except PoliciesRefused as exc:
            if bundle is None:
                raise  # the project's own policies: a broken installation, not the user's input
            detail = exc.output.removeprefix("error: ")
            raise UsageError(f"policy bundle {bundle} cannot be loaded: {detail}") from None
        client = stack.enter_context(OpaClient(server.url, None, timeout))
        # OPA starts happily on a directory of unrelated policies; only now can that be told.
        for path, present in (
            (REQUIREMENTS_PATH, lambda: client.defines(REQUIREMENTS_PATH)),
            (REPORT_LIST_PATH, client.answers_entry_points),
        ):
            if not present():
                raise UsageError(
                    f"policy bundle {server.source} does not hold the vbaws policies "
                    f"(no data.{_dotted(path)}); {_BUNDLE_EXPECTED}"
                )
        yield client
