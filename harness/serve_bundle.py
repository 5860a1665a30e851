"""`serve-bundle`: serve bundle.tar.gz over HTTP to OPA sidecars, as a bundle service.

OPA's bundle plugin polls its service and sends back the ETag of the bundle it holds in
``If-None-Match``; answering ``304 Not Modified`` while the bundle is unchanged spares it a download
and a re-activation on every poll. The ETag is the SHA-256 of the file's bytes, read afresh on each
request, so replacing the file (scripts/build-bundle renames the new bundle over the old one) is
picked up by the next poll without restarting the server. A file that is not whole gzip data
(rewritten in place and read half-way) is answered 503, never served under an ETag.

This is a small development and CI server (no TLS, no authentication); production sidecars should
pull from an object store, an OCI registry or any HTTPS server that sends ETags.
"""

from __future__ import annotations

import argparse
import hashlib
import signal
import socket
import sys
import threading
import zlib
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any

from harness import package_data
from harness.errors import ExternalError, InputError
from harness.messages import printable

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8282
CONTENT_TYPE = "application/gzip"


def bundle_etag(content: bytes) -> str:
    """The strong entity tag of a bundle: its SHA-256, quoted as HTTP requires."""
    return f'"{hashlib.sha256(content).hexdigest()}"'


def is_whole_gzip(content: bytes) -> bool:
    """Whether ``content`` is complete gzip data, every member's CRC and length checked.

    A bundle rewritten in place (``cp new.tar.gz bundle.tar.gz``, a download into the file)
    can be read half-written, or as new bytes over the old; neither passes this check, with
    a chance of 2**-32 for a mix to keep the checksum. The output is thrown away as it comes.
    """
    rest = content
    if not rest:
        return False
    while rest:
        stream = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        pending = rest
        try:
            while pending and not stream.eof:
                stream.decompress(pending, 1 << 20)
                pending = stream.unconsumed_tail
        except zlib.error:
            return False
        if not stream.eof:
            return False
        rest = stream.unused_data
    return True


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, RFC 9110 13.1.2)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True

    def opaque(tag: str) -> str:
        tag = tag.strip()
        return tag[2:] if tag.startswith("W/") else tag

    return any(opaque(tag) == opaque(etag) for tag in if_none_match.split(","))


def make_handler(bundle: Path) -> type[BaseHTTPRequestHandler]:
    """A request handler class serving ``bundle`` at ``/<its file name>``."""
    url_path = f"/{bundle.name}"
    # The ETag of the content last found whole: checking it again on every poll of every OPA
    # would decompress the bundle each time.
    whole = {"etag": ""}
    whole_lock = threading.Lock()

    class BundleHandler(BaseHTTPRequestHandler):
        server_version = "vbaws-serve-bundle"
        # Keep-alive: OPA polls over one connection; every response has a length or no body.
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches on)
            self._serve(send_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._serve(send_body=False)

        def _serve(self, *, send_body: bool) -> None:
            # OPA may add a query string (e.g. long polling); only the path selects the file.
            if self.path.split("?", 1)[0] != url_path:
                self._plain(HTTPStatus.NOT_FOUND, f"no such bundle; this server has {url_path}\n")
                return
            try:
                content = bundle.read_bytes()
            except FileNotFoundError:
                self._plain(HTTPStatus.NOT_FOUND, f"{bundle} does not exist (yet)\n")
                return
            except OSError as exc:
                # Made unreadable, or a directory put in its place: an answer, not a dropped
                # connection and a traceback.
                reason = exc.strerror or str(exc)
                self._plain(HTTPStatus.SERVICE_UNAVAILABLE, f"cannot read {bundle}: {reason}\n")
                return
            etag = bundle_etag(content)
            with whole_lock:
                known_whole = whole["etag"] == etag
            if not known_whole and not is_whole_gzip(content):
                # OPA retries later, and keeps the revision it has meanwhile.
                self._plain(
                    HTTPStatus.SERVICE_UNAVAILABLE,
                    f"{bundle} is not a whole gzip file (being written in place?): "
                    "publish bundles by renaming them over it, as scripts/build-bundle does\n",
                    retry_after=1,
                )
                return
            with whole_lock:
                whole["etag"] = etag
            if etag_matches(self.headers.get("If-None-Match"), etag):
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Content-Length", str(len(content)))
            self.send_header("ETag", etag)
            # Caches in between must revalidate, or OPA could be handed a stale bundle.
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            if send_body:
                self.wfile.write(content)

        def _plain(self, status: HTTPStatus, text: str, retry_after: int | None = None) -> None:
            body = text.encode()
            self.send_response(status)
            if retry_after is not None:
                self.send_header("Retry-After", str(retry_after))
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (base signature)
            # The request line is the client's text: its control characters are shown as
            # escapes, so a request cannot forge log lines or drive a terminal.
            line = printable(f"{self.address_string()} {format % args}")
            sys.stderr.write(f"serve-bundle: {line}\n")

    return BundleHandler


class BundleServer(ThreadingHTTPServer):
    """The HTTP server, with one line rather than a traceback for a client that goes away."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError | TimeoutError):
            super().handle_error(request, client_address)
            return
        # OPA gives up on a slow download (its own timeout), curl is interrupted: the
        # client's doing, nothing wrong with this server.
        host = client_address[0] if isinstance(client_address, tuple) else client_address
        sys.stderr.write(f"serve-bundle: {host} went away mid-answer: {error}\n")


class BundleServer6(BundleServer):
    """The same on an IPv6 address (``--host ::1``, ``--host ::``)."""

    address_family = socket.AF_INET6


def make_server(bundle: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> BundleServer:
    """A bound (not yet serving) HTTP server for ``bundle``; port 0 picks a free port."""
    if not bundle.exists():
        raise InputError(f"bundle {bundle} does not exist: build it with scripts/build-bundle")
    if not bundle.is_file():
        raise InputError(f"bundle {bundle} is not a file")
    try:
        # absolute(), not resolve(): a bundle.tar.gz that is a symlink is followed afresh on
        # each request (a release switched by re-pointing the link is served), and it is
        # served under its own name, the one announced.
        # An IPv6 literal (bare, or in brackets as in a URL) needs an IPv6 socket.
        address = host.removeprefix("[").removesuffix("]")
        server_class = BundleServer6 if ":" in address else BundleServer
        server = server_class((address, port), make_handler(bundle.absolute()))
    except OSError as exc:
        raise ExternalError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return server


def serve(
    bundle: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve ``bundle`` until interrupted; ``announce`` receives the bundle's URL once listening."""
    server = make_server(bundle, host, port)
    bound_host, bound_port = server.server_address[:2]
    url_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    announce(f"serving {bundle} at http://{url_host}:{bound_port}/{bundle.name}")

    def stop(signum: int, frame: FrameType | None) -> None:
        # SIGTERM (a container or CI stopping the service) is a normal way to end: exit 0.
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()


def default_bundle() -> Path:
    """Where scripts/build-bundle writes by default; an installed harness has no repository."""
    root = package_data.source_root()
    return (root if root is not None else Path()) / "bundle.tar.gz"


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"expected a port from 1 to 65535 (or 0 for a free one), got {text!r}"
        )
    return port


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``serve-bundle`` subcommand."""
    parser = subparsers.add_parser(
        "serve-bundle",
        help="serve bundle.tar.gz over HTTP (with ETags) for OPA's bundle plugin",
        description=(
            "Serve the policy bundle over HTTP at /<file name>, with ETag / If-None-Match "
            "support so polling OPA servers get 304 Not Modified until the file changes. "
            "The file is re-read on each request: rebuild it in place to publish a new revision."
        ),
    )
    parser.add_argument(
        "--bundle",
        type=Path,
        default=default_bundle(),
        help=(
            "bundle file to serve (default: bundle.tar.gz in the repository root, or in the "
            "current directory for an installed harness)"
        ),
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default: {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"port to listen on, 1-65535; 0 picks a free one (default: {DEFAULT_PORT})",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``serve-bundle`` with parsed arguments; returns the exit status."""
    serve(args.bundle, args.host, args.port, announce=lambda line: print(line, flush=True))
    return 0
