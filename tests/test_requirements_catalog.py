"""The requirement catalog must match Veeam's page action for action.

The page lives in ../shared/seed/ beside the repository on the project's machines; a user's
clone does not have it, so the comparison is skipped there.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CATALOG = REPO / "rego" / "vbaws" / "requirements" / "data.json"
SOURCE = REPO.parent / "shared" / "seed" / "role_permissions_backup_ec2.md"


def _source_sets() -> tuple[dict[str, str], list[list[str]]]:
    text = SOURCE.read_text(encoding="utf-8")
    front = dict(re.findall(r'^(\w+): "(.*)"$', text.split("---")[1], flags=re.MULTILINE))
    blocks = re.findall(r'"Action": \[(.*?)\]', text, flags=re.DOTALL)
    return front, [re.findall(r'"([^"]+)"', block) for block in blocks]


@pytest.fixture(scope="module")
def catalog() -> dict:
    return json.loads(CATALOG.read_text(encoding="utf-8"))


@pytest.mark.skipif(not SOURCE.exists(), reason="../shared/seed is not beside this clone")
def test_catalog_matches_the_source_page_action_for_action(catalog: dict) -> None:
    front, (ec2_backup, worker_production) = _source_sets()
    assert catalog["ec2_backup"]["actions"] == ec2_backup
    assert catalog["worker_production"]["actions"] == worker_production
    month, day, year = front["last_updated"].split("/")
    for requirement in catalog.values():
        source = requirement["source"]
        assert source["url"] == front["source_url"]
        assert source["product_version"] == front["product_version"]
        assert source["page_date"] == f"{year}-{int(month):02d}-{int(day):02d}"


def test_catalog_shape(catalog: dict) -> None:
    assert len(catalog["ec2_backup"]["actions"]) == 61
    assert len(catalog["worker_production"]["actions"]) == 17
    for requirement in catalog.values():
        actions = requirement["actions"]
        assert len(set(actions)) == len(actions), "an action is listed twice"
        assert all(re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", a) for a in actions)
    assert not set(catalog["ec2_backup"]["actions"]) & set(catalog["worker_production"]["actions"])
