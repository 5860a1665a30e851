"""Command line: a thin argparse shell over the command modules.

Each command module exposes ``register(subparsers)``, which adds its subparser and sets
``func`` (``argparse.Namespace -> int``, the exit code) as a default. Errors are
:class:`~harness.errors.HarnessError`s: printed as ``error: <message>``, one line
(:mod:`harness.messages`), exit code from the class.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from harness import __version__, evaluate_command, export_command, scan_command, serve_bundle
from harness.errors import BROKEN_PIPE_EXIT_CODE, INTERRUPTED_EXIT_CODE, HarnessError
from harness.evaluate_command import discard_stdout
from harness.messages import emit

# One line per command module.
COMMAND_MODULES = [
    evaluate_command,
    scan_command,
    serve_bundle,
    export_command,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m harness",
        description="Check IAM roles against the permissions Veeam Backup for AWS documents.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def _terminate(signum: int, frame: FrameType | None) -> None:
    # SIGTERM unwinds like Ctrl-C does, so context managers stop the private OPA.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)  # exits 2 itself on bad usage
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return INTERRUPTED_EXIT_CODE
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        code: int = args.func(args)
        return code
    except HarnessError as exc:
        emit("error", str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return INTERRUPTED_EXIT_CODE
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly with the status of a process that
        # SIGPIPE ended, as Unix tools do, and no traceback at interpreter shutdown.
        discard_stdout()
        return BROKEN_PIPE_EXIT_CODE
    finally:
        signal.signal(signal.SIGTERM, previous)
