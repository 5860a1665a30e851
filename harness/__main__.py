"""``python -m harness``."""

import contextlib
import os
import sys
from typing import NoReturn

from harness.errors import INTERRUPTED_EXIT_CODE


def _exit(code: int) -> NoReturn:
    if code == INTERRUPTED_EXIT_CODE:
        # Once a KeyboardInterrupt has escaped an eval of source text (collections.namedtuple
        # evaluates generated code while modules import), CPython ends a `python -m` run by
        # SIGINT, whatever code it is given. The run has cleaned up by now: leave with 130.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)
    raise SystemExit(code)


try:
    from harness.cli import main
except KeyboardInterrupt:
    # Ctrl-C while the command modules still import (a fraction of a second): the same quiet
    # exit as an interrupt later on, not a traceback.
    print("interrupted", file=sys.stderr)
    _exit(INTERRUPTED_EXIT_CODE)

_exit(main())
