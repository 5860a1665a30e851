"""Shared pytest fixtures: a real OPA with the project's bundle, and the harness as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import hypothesis_profiles  # noqa: F401  (registers and loads the Hypothesis profiles)
import pytest

from harness.opa import PrivateOpa

REPO = Path(__file__).resolve().parent.parent
REGO = REPO / "rego"
FIXTURES = REPO / "fixtures"

# What a not-evaluated report says of each requested check (contract section 3's fields, and
# nothing that claims a decision), as the format and command-line tests expect it.
UNEVALUATED_CHECK = {
    "compliant": False,
    "evaluated": False,
    "actions": {},
    "missing": [],
    "denied": [],
    "conditional": [],
}
# Its trust part when no appliance principal was given: nothing to check, so null, as in an
# evaluated report (with one given, ``appliance_can_assume`` is false: not established).
UNEVALUATED_TRUST = {"checked": False, "appliance_can_assume": None, "conditions": []}

# The moto server fixtures of the scan tests (tests/moto_server.py), and the engine-vs-oracle
# agreement counts in the terminal summary (tests/oracle/agreement_report.py).
pytest_plugins = ["moto_server", "oracle.agreement_report"]

RunHarness = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture(scope="session")
def opa_url() -> Iterator[str]:
    """URL of one real OPA for the whole session, serving the repository's rego/ directory."""
    with PrivateOpa(REGO) as server:
        yield server.url


def harness_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a harness subprocess runs with: no colour, no inherited OPA settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPA_TOKEN", "VBAWS_REGO", "OPA_BIN")}
    env["NO_COLOR"] = "1"
    env.update(extra or {})
    return env


@pytest.fixture
def run_harness() -> RunHarness:
    """``run_harness(*args, input=None, env=None, timeout=600)``: ``python -m harness ...`` run
    from the repository root; returns the CompletedProcess (text stdout/stderr)."""

    def run(
        *args: str,
        input: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 600,
    ) -> subprocess.CompletedProcess[str]:
        stdin = {"input": input} if input is not None else {"stdin": subprocess.DEVNULL}
        return subprocess.run(
            [sys.executable, "-m", "harness", *args],
            cwd=REPO,
            **stdin,
            capture_output=True,
            text=True,
            env=harness_env(env),
            timeout=timeout,
        )

    return run
