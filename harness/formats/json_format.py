"""``--format json``: exactly ``{"reports": [...], "summary": {...}}`` (contract section 4)."""

from __future__ import annotations

import json
from typing import Any

from harness.formats import summarize


def document(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON output as data: the reports unchanged and in order, and their summary."""
    return {"reports": reports, "summary": summarize(reports)}


def render(reports: list[dict[str, Any]], *, color: bool = False) -> str:
    del color  # JSON is for machines: never coloured.
    return json.dumps(document(reports), indent=2) + "\n"
