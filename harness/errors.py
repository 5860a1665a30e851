"""The harness's one error hierarchy.

Every failure a user can act on is a :class:`HarnessError`; its ``exit_code`` is the process exit
status (contract section 4), so exit codes are chosen here and nowhere else. The command line prints
``error: <message>`` and exits; it never shows a traceback for these.
"""

from __future__ import annotations


class HarnessError(Exception):
    """Base class: a failure with a message a person can act on."""

    exit_code: int = 2


class UsageError(HarnessError):
    """Bad command-line usage (unknown format, conflicting options, unknown check id)."""

    exit_code = 2


class InputError(HarnessError):
    """An input file that cannot be used; the message names the file and what is wrong."""

    exit_code = 2


class ExternalError(HarnessError):
    """Something outside the harness failed: OPA or AWS unreachable, access denied, a timeout."""

    exit_code = 3


# Exit status for an interrupted run (128 + SIGINT), the shell convention.
INTERRUPTED_EXIT_CODE = 130
# Exit status when the reader of standard output went away (128 + SIGPIPE), as for a process
# that SIGPIPE ended.
BROKEN_PIPE_EXIT_CODE = 141
