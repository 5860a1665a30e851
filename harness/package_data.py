"""Where the files the harness reads besides its own code are: the policy directory (``rego/``)
a private OPA loads, and the JSON Schema of the input (``schemas/``).

In a checkout they are the repository's own ``rego/`` and ``schemas/``. A built package (a wheel,
``pip install`` from git) has no repository beside it, so pyproject.toml puts copies of both
inside the package at build time, as ``harness/rego/`` and ``harness/schemas/``; those are used
when they are there. The repository keeps one copy of each file.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def data_path(name: str) -> Path:
    """``harness/<name>`` of an installed package, else ``<repository>/<name>``."""
    installed = PACKAGE_DIR / name
    return installed if installed.exists() else PACKAGE_DIR.parent / name


def source_root() -> Path | None:
    """The repository the harness runs from, or None when it is an installed package."""
    root = PACKAGE_DIR.parent
    is_checkout = (root / "pyproject.toml").is_file() and (root / "rego").is_dir()
    return root if is_checkout else None


def rego_path() -> Path:
    """The policy directory shipped with the harness (the engine and the requirement data)."""
    return data_path("rego")


def schema_path() -> Path:
    """The JSON Schema of role snapshots, their batch form and GetAccountAuthorizationDetails."""
    return data_path("schemas") / "role-snapshot.schema.json"
