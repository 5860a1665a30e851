"""Messages on standard error (``error: ...``, ``warning: ...``, ``note: ...``), one line each.

They quote input text: role names, keys, JSON paths, values. Its control characters and
bidirectional overrides are shown as escapes, as the table format shows them, so a message
can neither forge a line of its own nor drive the terminal (``\\x1b[2J`` clears a screen).
"""

from __future__ import annotations

import sys

from harness.formats import NOT_PRINTABLE, escaped


def printable(text: str) -> str:
    """``text`` with what must not reach a terminal raw written as a visible escape."""
    shown: str = escaped(text, NOT_PRINTABLE)
    return shown


def emit(kind: str, message: str) -> None:
    """``kind: message`` on standard error, as one line."""
    print(f"{kind}: {printable(message)}", file=sys.stderr)
