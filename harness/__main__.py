"""``python -m harness``."""

import sys

from harness.errors import INTERRUPTED_EXIT_CODE

try:
    from harness.cli import main
except KeyboardInterrupt:
    # Ctrl-C while the command modules still import (a fraction of a second): the same quiet
    # exit as an interrupt later on, not a traceback.
    print("interrupted", file=sys.stderr)
    raise SystemExit(INTERRUPTED_EXIT_CODE) from None

raise SystemExit(main())
