"""python -m harness serve-bundle: the bundle over HTTP, with ETag / If-None-Match → 304."""

from __future__ import annotations

import gzip
import hashlib
import os
import socket
import struct
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sidecar_helpers import REPO_ROOT, BundleServer, Process, publish, wait_for


def gz(content: bytes, level: int = 9) -> bytes:
    """``content`` as a gzip file: serve-bundle serves only whole ones."""
    return gzip.compress(content, compresslevel=level, mtime=0)


FIRST = gz(b"first revision bytes")
SECOND = gz(b"second revision bytes")


@pytest.fixture(scope="module")
def module_server(tmp_path_factory: pytest.TempPathFactory):
    # One server process for the module (starting Python is the slow part); each test publishes
    # the bundle content it starts from.
    directory = tmp_path_factory.mktemp("serve")
    bundle = directory / "bundle.tar.gz"
    bundle.write_bytes(b"placeholder")
    with BundleServer(bundle, directory / "serve.log") as running:
        yield running, bundle


@pytest.fixture
def served(module_server: tuple[BundleServer, Path], tmp_path: Path) -> Path:
    _, bundle = module_server
    first = tmp_path / "first.tar.gz"
    first.write_bytes(FIRST)
    publish(first, bundle)
    return bundle


@pytest.fixture
def server(module_server: tuple[BundleServer, Path], served: Path) -> BundleServer:
    return module_server[0]


def quoted_sha256(content: bytes) -> str:
    return f'"{hashlib.sha256(content).hexdigest()}"'


def test_serves_the_bundle_with_a_content_etag(server: BundleServer, served: Path):
    response = httpx.get(server.url)
    assert response.status_code == 200
    assert response.content == FIRST
    assert response.headers["ETag"] == quoted_sha256(FIRST)
    assert response.headers["Content-Type"] == "application/gzip"
    assert server.url == f"{server.service_url}/bundle.tar.gz"


def test_unchanged_bundle_answers_304_until_replaced(server: BundleServer, served: Path):
    etag = httpx.get(server.url).headers["ETag"]

    not_modified = httpx.get(server.url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["ETag"] == etag

    new = served.with_name("new.tar.gz")
    new.write_bytes(SECOND)
    publish(new, served)
    changed = httpx.get(server.url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.content == SECOND
    assert changed.headers["ETag"] == quoted_sha256(SECOND)


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ('"stale", {etag}', 304),  # a list naming the current tag
        ("W/{etag}", 304),  # weak comparison, as If-None-Match requires
        ("*", 304),
        ('"stale"', 200),
    ],
)
def test_if_none_match_forms(server: BundleServer, header: str, status: int):
    etag = httpx.get(server.url).headers["ETag"]
    response = httpx.get(server.url, headers={"If-None-Match": header.format(etag=etag)})
    assert response.status_code == status


def test_head_gives_headers_without_body(server: BundleServer):
    response = httpx.head(server.url)
    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len(FIRST))
    assert response.content == b""


def test_other_paths_and_a_vanished_bundle_are_404(server: BundleServer, served: Path):
    assert httpx.get(f"{server.service_url}/other.tar.gz").status_code == 404
    served.unlink()
    gone = httpx.get(server.url)
    assert gone.status_code == 404
    assert "does not exist" in gone.text


def test_a_bundle_that_cannot_be_read_is_a_503_not_a_dropped_connection(
    server: BundleServer, served: Path
):
    served.unlink()
    served.mkdir()  # something else in its place, which reading fails on
    try:
        response = httpx.get(server.url)
        assert response.status_code == 503
        assert f"cannot read {served}" in response.text
        assert httpx.head(server.url).status_code == 503
    finally:
        served.rmdir()
    assert "Traceback" not in server.output()


def test_a_bundle_rewritten_in_place_is_served_only_once_whole(server: BundleServer, served: Path):
    # `cp new.tar.gz bundle.tar.gz` writes into the served file: read mid-way, it holds new
    # bytes over the old, or only the first new ones. Neither may reach OPA under an ETag.
    old, new = gz(b"o" * 4096, level=0), gz(b"n" * 4096, level=0)
    staged = served.with_name("old.tar.gz")
    staged.write_bytes(old)
    publish(staged, served)
    etag = httpx.get(server.url).headers["ETag"]
    with open(served, "r+b") as stream:  # new bytes over the old, same length
        stream.write(new[: len(new) // 2])
    for headers in ({}, {"If-None-Match": etag}):
        mixed = httpx.get(server.url, headers=headers)
        assert (mixed.status_code, mixed.headers["Retry-After"]) == (503, "1")
        assert "is not a whole gzip file (being written in place?)" in mixed.text
    with open(served, "wb") as stream:  # truncated, then only the first new bytes
        stream.write(new[: len(new) // 2])
    assert httpx.get(server.url).status_code == 503
    with open(served, "ab") as stream:
        stream.write(new[len(new) // 2 :])
    whole = httpx.get(server.url, headers={"If-None-Match": etag})
    assert (whole.status_code, whole.content) == (200, new)
    assert whole.headers["ETag"] == quoted_sha256(new)


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here")
@pytest.mark.parametrize("host", ["::1", "[::1]"])
def test_an_ipv6_host_is_listened_on_and_announced_in_brackets(tmp_path: Path, host: str):
    bundle = tmp_path / "bundle.tar.gz"
    bundle.write_bytes(FIRST)
    command = [sys.executable, "-m", "harness", "serve-bundle", "--bundle", str(bundle)]
    with Process([*command, "--host", host, "--port", "0"], tmp_path / "serve.log") as server:

        def announced() -> str | None:
            assert server.process.poll() is None, server.output()
            lines = [line for line in server.output().splitlines() if " at http://" in line]
            return lines[0].rsplit(" at ", 1)[1] if lines else None

        url = wait_for("serve-bundle to announce its URL", announced, timeout=20)
        assert url.startswith("http://[::1]:") and url.endswith("/bundle.tar.gz")
        assert httpx.get(url).content == FIRST


def test_a_symlinked_bundle_is_served_under_its_name_and_followed_afresh(tmp_path: Path):
    # A release switched by re-pointing a link (bundle.tar.gz -> releases/<rev>.tar.gz) is
    # served at the URL announced, and the next request follows the link to the new release.
    releases = tmp_path / "releases"
    releases.mkdir()
    (releases / "one.tar.gz").write_bytes(gz(b"release one"))
    (releases / "two.tar.gz").write_bytes(gz(b"release two"))
    link = tmp_path / "bundle.tar.gz"
    link.symlink_to(releases / "one.tar.gz")
    with BundleServer(link, tmp_path / "serve.log") as server:
        assert server.url.endswith("/bundle.tar.gz")
        first = httpx.get(server.url)
        assert (first.status_code, first.content) == (200, gz(b"release one"))
        switched = tmp_path / "switch"
        switched.symlink_to(releases / "two.tar.gz")
        switched.replace(link)
        second = httpx.get(server.url, headers={"If-None-Match": first.headers["ETag"]})
        assert (second.status_code, second.content) == (200, gz(b"release two"))


def test_a_client_going_away_mid_download_is_one_log_line(
    module_server: tuple[BundleServer, Path], tmp_path: Path
):
    # OPA gives up on a slow download, curl is interrupted: the server logs it and serves on.
    server, served = module_server
    large = tmp_path / "large.tar.gz"
    large.write_bytes(gz(os.urandom(16 << 20), level=0))  # more than the socket buffers hold
    publish(large, served)
    host, port = server.service_url.removeprefix("http://").rsplit(":", 1)
    connection = socket.create_connection((host, int(port)), timeout=10)
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    connection.sendall(b"GET /bundle.tar.gz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert connection.recv(64).startswith(b"HTTP/1.1 200")
    # Closed with unread data: a reset, which the server's write then fails on.
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()
    wait_for("the log line", lambda: "went away mid-answer" in server.output(), timeout=10)
    assert "Traceback" not in server.output()
    assert httpx.get(server.url).status_code == 200


def test_a_request_line_is_logged_with_its_control_characters_escaped(server: BundleServer):
    """The request line is the client's text: raw, it could drive the terminal showing the log."""
    host, port = server.service_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(b"GET /\x1b[2Jforged HTTP/1.0\r\n\r\n")
        assert connection.recv(64).startswith(b"HTTP/1.1 404")
    logged = wait_for("the request in the log", lambda: "forged" in server.output())
    assert logged
    (line,) = [line for line in server.output().splitlines() if "forged" in line]
    assert "\x1b" not in line
    assert 'GET /\\x1b[2Jforged HTTP/1.0" 404' in line


def test_sigterm_stops_the_server_cleanly(tmp_path: Path):
    bundle = tmp_path / "bundle.tar.gz"
    bundle.write_bytes(gz(b"bytes"))
    server = BundleServer(bundle, tmp_path / "serve.log")
    assert httpx.get(server.url).status_code == 200
    assert server.stop() == 0
    with pytest.raises(httpx.TransportError):
        httpx.get(server.url)


def _serve_bundle(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m harness serve-bundle ARGS`` for a command that ends by itself (an error)."""
    return subprocess.run(
        [sys.executable, "-m", "harness", "serve-bundle", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_bundle_file_is_an_input_error(tmp_path: Path):
    result = _serve_bundle("--bundle", str(tmp_path / "nope.tar.gz"))
    assert result.returncode == 2
    missing = tmp_path / "nope.tar.gz"
    assert result.stderr.strip() == (
        f"error: bundle {missing} does not exist: build it with scripts/build-bundle"
    )


def test_port_in_use_is_an_external_error(served: Path, server: BundleServer):
    port = server.service_url.rsplit(":", 1)[1]
    result = _serve_bundle("--bundle", str(served), "--port", port)
    assert result.returncode == 3
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}")


@pytest.mark.parametrize(
    ("port", "problem"),
    [
        ("99999", "expected a port from 1 to 65535 (or 0 for a free one), got '99999'"),
        ("-1", "expected a port from 1 to 65535 (or 0 for a free one), got '-1'"),
        ("http", "expected a port number, got 'http'"),
    ],
)
def test_port_out_of_range_is_a_usage_error(served: Path, port: str, problem: str):
    result = _serve_bundle("--bundle", str(served), "--port", port)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"python -m harness serve-bundle: error: argument --port: {problem}"
    )
