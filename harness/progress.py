"""A one-line progress bar on standard error, shown only when standard error is a terminal.

Logs and pipelines get nothing (no carriage returns in captured output).
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

_WIDTH = 30
# Redraw at most this often; a 2,000-role scan would otherwise spend time on the terminal.
_INTERVAL = 0.1


class Progress:
    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None) -> None:
        self._stream = stream or sys.stderr
        self.enabled = self._stream.isatty() if enabled is None else enabled
        self._lock = threading.Lock()
        self._last = 0.0
        self._shown = False

    def update(self, label: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        now = time.monotonic()
        with self._lock:
            if done < total and now - self._last < _INTERVAL:
                return
            self._last = now
            filled = _WIDTH * done // total
            bar = "#" * filled + "-" * (_WIDTH - filled)
            self._stream.write(f"\r{label:<10} [{bar}] {done}/{total}")
            self._stream.flush()
            self._shown = True

    def close(self) -> None:
        """End the progress line so later messages start on a fresh line."""
        with self._lock:
            if self._shown:
                self._stream.write("\r\033[K")
                self._stream.flush()
                self._shown = False
