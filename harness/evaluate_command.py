"""``evaluate``: evaluate role snapshots from a file (or standard input) through OPA.

Snapshots and batches are sent to OPA as they are. GetAccountAuthorizationDetails input (raw
``aws iam get-account-authorization-details`` output, or a file ``scan --save-snapshot`` wrote)
is read by the same code as ``scan --from-file``, so the two commands agree on every role of a
file: roles and accounts its ``VbawsScan`` extension lists as unreadable, and roles whose
managed policy documents are missing from it, are reported as not evaluated (exit code 3).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import math
import os
import secrets
import stat
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from pathlib import Path
from typing import Any

from harness import formats, inputs, scan_evaluation
from harness.aws.selection import RoleSelector
from harness.errors import ExternalError, UsageError
from harness.messages import emit
from harness.opa import (
    DEFAULT_TIMEOUT,
    SIGNING_ALGORITHMS,
    BundleVerification,
    OpaClient,
    check_bundle,
    opa_session,
    token_problem,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="evaluate role snapshots from a file",
        description=(
            'Evaluate IAM role snapshots (one snapshot, the batch form {"roles": [...]}, or '
            "get-account-authorization-details output) against the Veeam requirement sets. "
            "A file written by scan --save-snapshot gets the verdicts of scan --from-file."
        ),
    )
    parser.add_argument(
        "--input", required=True, metavar="FILE", help="input JSON file; - reads standard input"
    )
    add_output_arguments(parser)
    add_opa_arguments(parser)
    parser.add_argument(
        "--checks",
        metavar="IDS",
        type=_comma_list,
        help=(
            "comma-separated requirement sets for every role that names none of its own; "
            "replaces a batch's or saved file's top-level checks (default: those, else "
            "ec2_backup)"
        ),
    )
    parser.add_argument(
        "--appliance",
        metavar="PRINCIPAL",
        help=(
            "backup appliance principal (role ARN, account id or root ARN) for every role that "
            "names none of its own; replaces a batch's or saved file's top-level appliance"
        ),
    )
    parser.set_defaults(func=run)


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """``--format`` and ``--output``, shared by the commands that print reports."""
    parser.add_argument(
        "--format",
        choices=formats.FORMATS,
        help="output format (default: table on a terminal, json otherwise)",
    )
    parser.add_argument("--output", metavar="FILE", help="write the output to FILE, not stdout")


def add_opa_arguments(parser: argparse.ArgumentParser) -> None:
    """``--opa-url``, ``--opa-token``, ``--bundle``, ``--opa-timeout``, shared by OPA users."""
    parser.add_argument(
        "--opa-url", metavar="URL", help="use this OPA server instead of starting a private one"
    )
    parser.add_argument(
        "--opa-token",
        metavar="TOKEN",
        default=os.environ.get("OPA_TOKEN"),
        help="bearer token for --opa-url, printable ASCII (default: $OPA_TOKEN)",
    )
    parser.add_argument(
        "--bundle",
        metavar="PATH",
        type=Path,
        help="policy dir or bundle.tar.gz for the private OPA (default: $VBAWS_REGO or rego/)",
    )
    parser.add_argument(
        "--verification-key",
        metavar="PEM",
        type=Path,
        help="public key (PEM file) to verify a signed --bundle with",
    )
    parser.add_argument(
        "--signing-alg",
        choices=SIGNING_ALGORITHMS,
        help="algorithm of the bundle's signature, for --verification-key (default: RS256)",
    )
    parser.add_argument(
        "--opa-timeout",
        metavar="SECONDS",
        type=_positive_seconds,
        default=DEFAULT_TIMEOUT,
        help=f"per-request OPA timeout, a positive number (default: {DEFAULT_TIMEOUT:g})",
    )


# A socket timeout is kept in nanoseconds in a 64-bit integer: from about 9.2e9 seconds on,
# connecting fails with an OverflowError. Anything near this is "no timeout" in practice.
MAX_OPA_TIMEOUT = 1e9


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    # float() also takes "nan" and "inf"; neither is a timeout httpx can wait for.
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    if value > MAX_OPA_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"expected at most {MAX_OPA_TIMEOUT:.0f} seconds (about 30 years), got {text!r}"
        )
    return value


def _comma_list(text: str) -> list[str]:
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise argparse.ArgumentTypeError("expected one or more comma-separated ids")
    return list(dict.fromkeys(items))


def check_opa_token(args: argparse.Namespace) -> None:
    """UsageError, before any work, for a token (``--opa-token`` or ``$OPA_TOKEN``) that
    ``--opa-url`` would be sent and that no HTTP header can carry; unused without it."""
    problem = token_problem(args.opa_token) if args.opa_url and args.opa_token else None
    if problem:
        raise UsageError(f"--opa-token / OPA_TOKEN: {problem}")


def check_opa_arguments(args: argparse.Namespace) -> None:
    """UsageError, before any work, for ``add_opa_arguments`` options that cannot work
    together or name a bundle OPA would not load."""
    if args.opa_url and args.bundle:
        raise UsageError(
            "--bundle and --opa-url exclude each other: the bundle is for a private OPA"
        )
    if args.signing_alg and not args.verification_key:
        raise UsageError("--signing-alg is the algorithm of --verification-key; give the key")
    if args.verification_key and not args.bundle:
        raise UsageError("--verification-key verifies a signed --bundle file; give the bundle")
    if args.bundle:
        check_bundle(args.bundle, args.verification_key)
    check_opa_token(args)


def opa_session_from(args: argparse.Namespace) -> Callable[[], AbstractContextManager[OpaClient]]:
    """Opens the OPA the ``add_opa_arguments`` options name, when called."""
    verification = (
        BundleVerification(args.verification_key, args.signing_alg or "RS256")
        if args.verification_key
        else None
    )
    return lambda: opa_session(
        args.opa_url,
        args.opa_token,
        bundle=args.bundle,
        verification=verification,
        timeout=args.opa_timeout,
    )


def check_requested_ids(
    checks: list[str] | None, document: inputs.EvaluationInput | None
) -> Callable[[OpaClient], None]:
    """Fails on a requirement set id, from ``--checks`` or the input file, that OPA's bundle
    does not define: bad usage or bad input (exit 2), before anything is evaluated. An OPA
    that does not answer the vbaws entry points at all is an ExternalError."""

    def check(client: OpaClient) -> None:
        known = client.requirement_sets().keys()
        if not client.answers_entry_points():
            # It has the catalog, so a vbaws bundle is loaded: one from before this entry point
            # (or not the project's), which "is the bundle loaded?" would only mislead about.
            raise ExternalError(
                f"OPA at {client.url} has the vbaws requirement catalog but no result for "
                "data.vbaws.ec2_backup.report_list, which this harness evaluates roles with: "
                "its vbaws bundle is older than the harness, or not the project's; load a "
                "bundle built by scripts/build-bundle from the same version"
            )
        inputs.check_ids_known(checks or [], known)
        if document is not None:
            document.check_known(known)

    return check


def open_opa(
    stack: contextlib.ExitStack, args: argparse.Namespace, check: Callable[[OpaClient], None]
) -> OpaClient | ExternalError:
    """The OPA the options name, opened (a private one started) and checked with ``check``
    before any other work, and kept open until ``stack`` closes.

    Bad usage raises now, exit 2, before AWS is called or anything is written, even when there
    turns out to be no role to evaluate: an ``--opa-url`` that is not http(s), a ``--bundle``
    without the vbaws policies, a requested check the bundle does not know. An external
    failure (OPA cannot start, cannot be reached) is returned instead: the caller goes on and
    reports every role as not evaluated with it (exit 3).
    """
    try:
        client = stack.enter_context(opa_session_from(args)())
        check(client)
    except ExternalError as exc:
        return exc
    return client


def output_settings(args: argparse.Namespace) -> tuple[str, bool]:
    """(format, colour) from the options and where the output goes (NO_COLOR respected)."""
    if args.output is None and sys.stdout is None:
        raise UsageError("standard output is closed: give --output FILE")
    on_terminal = args.output is None and sys.stdout.isatty()
    fmt = args.format or ("table" if on_terminal else "json")
    color = on_terminal and fmt == "table" and "NO_COLOR" not in os.environ
    return fmt, color


def check_writable(path: str | None, option: str = "--output") -> None:
    """UsageError now, before any work, when ``path`` plainly cannot be written at the end.

    Nothing is created or truncated here: a run that then fails on bad input leaves no empty
    file behind, and an existing file keeps its contents until the new output replaces them.
    """
    if path is None:
        return
    if not path:
        # Path("") is the current directory: "cannot write : it is a directory" otherwise.
        raise UsageError(f"{option}: empty file name")
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{option}: cannot write {path}: it is a directory")
    if target.exists():
        if not os.access(target, os.W_OK):
            raise UsageError(f"{option}: cannot write {path}: permission denied")
        return
    parent = target.parent
    if not parent.exists():
        raise UsageError(f"{option}: cannot write {path}: directory {parent} does not exist")
    if not parent.is_dir():
        raise UsageError(f"{option}: cannot write {path}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(
            f"{option}: cannot write {path}: permission denied to create files in {parent}"
        )


def check_distinct(
    output: str | None, other: str | None, other_option: str, would_lose: str
) -> None:
    """UsageError when ``--output`` names the file ``other_option`` names (however it is
    spelled: a relative path, a symlink, a hard link): the report would replace it, and
    ``would_lose`` with it."""
    if output is None or other is None or other == "-":
        return
    out, given = Path(output), Path(other)
    same = out.resolve() == given.resolve()
    if not same and out.exists() and given.exists():
        same = out.samefile(given)
    if same:
        raise UsageError(
            f"--output {output} and {other_option} {other} are the same file: the report "
            f"would overwrite {would_lose}"
        )


_STDOUT_PIECE = 1 << 16


def write_output(text: str, output: str | None) -> None:
    """``text`` to the ``--output`` file, or to standard output; a failure either way is an
    error naming where (a reader that went away is left to the command line: BrokenPipeError)."""
    if output is None:
        # A terminal or pipe whose encoding lacks a character of a role name gets an escape.
        if sys.stdout.errors == "strict":
            sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        try:
            # In pieces: one large write to a pipe whose reader goes away mid-way returns the
            # part written without an error, and the rest would be lost without a word.
            for start in range(0, len(text), _STDOUT_PIECE):
                sys.stdout.write(text[start : start + _STDOUT_PIECE])
                sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            discard_stdout()
            raise UsageError(f"cannot write standard output: {exc.strerror or exc}") from None
        return
    try:
        replace_file(output, text)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None


# Paths whose files stand for something else: /dev/stdout is whatever standard output is (a
# file opened for appending, say), so it is written where it is, never replaced.
_SPECIAL_TREES = ("/dev/", "/proc/")


def replace_file(path: str, text: str) -> None:
    """``text`` as the whole content of the file ``path``, or OSError with the file unchanged.

    Written to a temporary file beside it, then renamed over it: a full disk or an interrupt
    part-way leaves the previous file whole and no temporary file behind. The new file keeps
    the old one's permissions (a new one gets the mode the umask gives). What is not a plain
    file (/dev/null, /dev/stdout, a FIFO) is written in place: a rename would replace the
    device or pipe itself.

    Written in place too, as before files were replaced, wherever a rename would change more
    than the content: a file another user owns, or whose group the new file would not get,
    would change hands; a file with other hard links would lose them. And where the rename
    cannot be made (a directory the runner cannot write to, a sticky one such as /tmp holding
    a writable file of another user's, a name too long for a temporary name beside it).
    """
    if not _replaceable(path):
        _write_in_place(path, text)
        return
    # The file a symlink names is replaced, not the link.
    target = os.path.realpath(path)
    try:
        old: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        old = None
    if old is not None and (old.st_uid != os.geteuid() or old.st_nlink > 1):
        _write_in_place(path, text)
        return
    try:
        fd, temp = _create_beside(target)
    except OSError as exc:
        if not _rename_impossible(exc):
            raise
        _write_in_place(path, text)
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            if old is not None:
                if os.fstat(stream.fileno()).st_gid != old.st_gid:
                    with suppress(OSError):
                        os.fchown(stream.fileno(), -1, old.st_gid)
                if os.fstat(stream.fileno()).st_gid != old.st_gid:
                    raise _InPlace
                os.fchmod(stream.fileno(), stat.S_IMODE(old.st_mode))
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(temp)
        if not isinstance(exc, _InPlace) and not (
            isinstance(exc, OSError) and _rename_impossible(exc)
        ):
            raise
        _write_in_place(path, text)


class _InPlace(Exception):
    """The file cannot be replaced without changing more than its content."""


def _rename_impossible(exc: OSError) -> bool:
    """Whether ``exc`` (from creating the temporary file or renaming it) says the directory
    forbids the rename, rather than that writing failed: then the file is written in place."""
    return isinstance(exc, PermissionError) or exc.errno == errno.ENAMETOOLONG


def _write_in_place(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(text)


def _replaceable(path: str) -> bool:
    """Whether ``path`` is a plain file, or none yet, outside /dev and /proc (symlinks
    followed: /dev/stdout is a link to /proc/self/fd/1, which links to the real file)."""
    link = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on a chain of links
        if link.startswith(_SPECIAL_TREES):
            return False
        if not os.path.islink(link):
            break
        link = os.path.normpath(os.path.join(os.path.dirname(link), os.readlink(link)))
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return True


def _create_beside(target: str) -> tuple[int, str]:
    """(descriptor, name) of a new empty file in the directory of ``target``, created as
    ``open`` creates files (mode 0666 less the umask), unlike mkstemp's 0600."""
    # A name of its own, not the target's with more around it: that could pass NAME_MAX.
    directory = os.path.dirname(target)
    while True:
        temp = os.path.join(directory, f".vbaws-{secrets.token_hex(6)}.tmp")
        with suppress(FileExistsError):
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temp


def discard_stdout() -> None:
    """Point standard output at /dev/null, so that what is still buffered for a stdout that
    failed is not written again, and fails again, as the interpreter exits."""
    with suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def evaluate(client: OpaClient, document: inputs.EvaluationInput) -> list[dict[str, Any]]:
    """Reports for every role of ``document``, in input order, as the engine's entry point
    gives them (GetAccountAuthorizationDetails input included: the ``evaluate`` command itself
    reads that shape as ``scan --from-file`` does, see ``_run_saved``).

    On an OPA failure part-way, the roles not evaluated get not-evaluated reports carrying the
    reason, and the failure is returned beside the reports so the caller can still print them.
    """
    reports, failure = evaluate_partially(client, document)
    if failure is not None:
        raise failure
    return reports


def evaluate_partially(
    client: OpaClient, document: inputs.EvaluationInput
) -> tuple[list[dict[str, Any]], ExternalError | None]:
    """(reports for every role, the OPA failure that stopped evaluation or None)."""
    reports: list[dict[str, Any]] = []
    try:
        if document.shape == "snapshot":
            reports.append(client.report(document.data))
            return reports, None
        chunks = list(document.chunks())
        for chunk, batch in zip(chunks, client.report_lists(chunks), strict=False):
            expected = len(chunk["roles"] if "roles" in chunk else chunk["RoleDetailList"])
            if len(batch) != expected:
                raise ExternalError(
                    f"OPA at {client.url} returned {len(batch)} reports for {expected} roles"
                )
            reports.extend(batch)
    except ExternalError as exc:
        return with_unevaluated(reports, document, exc), exc
    return reports, None


def with_unevaluated(
    reports: list[dict[str, Any]], document: inputs.EvaluationInput, failure: ExternalError
) -> list[dict[str, Any]]:
    """``reports`` followed by not-evaluated reports for the remaining roles of ``document``,
    each naming the checks and telling whether an appliance was given, as the role asked."""
    snapshots = [document.data] if document.shape == "snapshot" else document.data["roles"]
    records = []
    for snapshot in snapshots[len(reports) :]:
        # A role's own null means "not given" and takes the batch's value (contract section 2).
        checks = _own_or_shared(snapshot, document.data, "checks")
        appliance = _own_or_shared(snapshot, document.data, "appliance")
        records.append(
            formats.not_evaluated(
                snapshot["role"]["arn"],
                str(failure),
                checks=checks if isinstance(checks, list) else None,
                appliance=isinstance(appliance, dict) and appliance.get("principal") is not None,
            )
        )
    return reports + records


def _own_or_shared(snapshot: dict[str, Any], shared: dict[str, Any], key: str) -> Any:
    value = snapshot.get(key)
    return shared.get(key) if value is None else value


def run(args: argparse.Namespace) -> int:
    fmt, color = output_settings(args)
    formats.formatter(fmt)  # fail on an unavailable format before any work
    check_opa_arguments(args)
    if args.appliance:
        inputs.check_appliance(args.appliance)
    check_writable(args.output)
    check_distinct(args.output, args.input, "--input", "the input")
    document = inputs.load_input(args.input)
    for warning in document.warnings:
        emit("warning", warning)
    document.apply_defaults(checks=args.checks, appliance=args.appliance)
    with contextlib.ExitStack() as stack:
        opa = open_opa(stack, args, check_requested_ids(args.checks, document))
        if document.shape == "authorization_details":
            return _run_saved(args, document, opa, fmt, color)
        if isinstance(opa, ExternalError):
            # OPA could not be started or reached at all: nothing was evaluated.
            reports, failure = with_unevaluated([], document, opa), opa
        else:
            reports, failure = evaluate_partially(opa, document)
    write_output(formats.render(reports, fmt, color=color), args.output)
    if failure is not None:
        raise failure
    return formats.compliance_exit_code(reports)


def _run_saved(
    args: argparse.Namespace,
    document: inputs.EvaluationInput,
    opa: OpaClient | ExternalError,
    fmt: str,
    color: bool,
) -> int:
    """GetAccountAuthorizationDetails input: what ``scan --from-file FILE --all-roles`` does."""
    collected, settings = scan_evaluation.load_saved(document, RoleSelector(all_roles=True))
    items = scan_evaluation.in_file_order(scan_evaluation.scan_items(collected, settings), document)
    failure = scan_evaluation.evaluate_items(items, opa)
    reports = [scan_evaluation.item_report(item) for item in items]
    write_output(formats.render(reports, fmt, color=color), args.output)
    scan_evaluation.print_failures(items, failure)
    return scan_evaluation.exit_code(items, failure)
