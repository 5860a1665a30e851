"""@cloud-copilot/iam-simulate (npm, AGPL-3.0, test-only) as a second independent IAM oracle.

A maintained simulator (IAM-SEMANTICS.md section 8) that validates documents, knows every
action's resource types, and matches ARNs segment by segment. One long-lived ``node`` process
(``iam_simulate_node/simulate.mjs``) answers one JSON line per role. It is installed by
``npm ci --prefix tests/oracle/iam_simulate_node`` (scripts/setup); the tests that use it skip when
``node`` or the package is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

PACKAGE_DIR = Path(__file__).resolve().parent / "iam_simulate_node"
SCRIPT = PACKAGE_DIR / "simulate.mjs"
INSTALLED = PACKAGE_DIR / "node_modules" / "@cloud-copilot" / "iam-simulate" / "package.json"


def unavailable_reason() -> str | None:
    """Why the oracle cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not INSTALLED.is_file():
        return f"iam-simulate is not installed: run npm ci --prefix {PACKAGE_DIR}"
    return None


class IamSimulate:
    """A running simulator process; use as a context manager."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> IamSimulate:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is not installed")
        self._process = subprocess.Popen(
            [node, str(SCRIPT)],
            cwd=PACKAGE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def _pipes(self) -> tuple[IO[str], IO[str]]:
        if self._process is None or self._process.stdin is None or self._process.stdout is None:
            raise RuntimeError("the simulator is not running")
        return self._process.stdin, self._process.stdout

    def decisions(self, snapshot: Mapping[str, Any], actions: Iterable[str]) -> dict[str, str]:
        """Decision per action: allowed / explicit_deny / implicit_deny, or ``error: ...``."""
        stdin, stdout = self._pipes()
        stdin.write(json.dumps({"snapshot": snapshot, "actions": list(actions)}) + "\n")
        stdin.flush()
        line = stdout.readline()
        if not line:
            raise RuntimeError("the iam-simulate process exited")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"iam-simulate failed: {answer['error']}")
        return dict(answer["decisions"])
