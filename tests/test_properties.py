"""Metamorphic properties of the engine, on generated roles, through a real OPA.

Each test transforms a generated role snapshot in a way whose effect IAM semantics fixes (nothing,
more permissive, less permissive, explicitly denied) and checks the engine's per-action decisions
before and after. Both snapshots go to OPA in one ``report_list`` request.

Decisions are ordered by permissiveness (``RANK``): allowed > conditional > implicit_deny >
explicit_deny.
"""

from __future__ import annotations

import copy
import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import strategies as S
from hypothesis import assume, given
from hypothesis import strategies as st
from oracle.engine import RANK, Engine, action_entries, decisions, engine_at

SCHEMA_PATH = S.REPO_ROOT / "schemas" / "role-snapshot.schema.json"


@pytest.fixture(scope="module")
def engine(opa_url: str) -> Iterator[Engine]:
    with engine_at(opa_url) as connected:
        yield connected


def pair(
    engine: Engine, before: S.Snapshot, after: S.Snapshot
) -> tuple[dict[str, str], dict[str, str]]:
    first, second = engine.reports([before, after])
    return decisions(first), decisions(second)


def changed(before: dict[str, str], after: dict[str, str]) -> dict[str, tuple[str, str]]:
    return {a: (before[a], after[a]) for a in before if before[a] != after.get(a)}


def less_permissive(before: dict[str, str], after: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Actions whose decision got strictly less permissive from ``before`` to ``after``."""
    return {a: (before[a], after[a]) for a in before if RANK[after[a]] < RANK[before[a]]}


# ---------------------------------------------------------------------------------------------
# The report itself
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def snapshot_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


@given(snapshots=st.lists(S.role_snapshot(), min_size=1, max_size=3))
def test_compliant_exactly_when_every_action_is_allowed(
    engine: Engine, snapshot_schema: dict[str, Any], snapshots: list[S.Snapshot]
) -> None:
    # The generators themselves must produce what the contract accepts.
    for snapshot in snapshots:
        jsonschema.validate(snapshot, snapshot_schema)
    for report in engine.reports(snapshots):
        assert set(report["checks"]) == set(S.CHECKS)
        all_allowed = True
        seen: dict[str, str] = {}
        for set_id, check in report["checks"].items():
            actions = check["actions"]
            # Every required action has an entry, spelled as in the catalog, and nothing else.
            assert sorted(actions) == sorted(S.CATALOG[set_id])
            by_decision: dict[str, list[str]] = {}
            for action, entry in actions.items():
                assert entry["decision"] in RANK
                by_decision.setdefault(entry["decision"], []).append(action)
                # An action in two checks gets one decision.
                assert seen.setdefault(action, entry["decision"]) == entry["decision"]
            assert check["compliant"] == (set(by_decision) <= {"allowed"})
            assert sorted(check["missing"]) == sorted(by_decision.get("implicit_deny", []))
            assert sorted(check["denied"]) == sorted(by_decision.get("explicit_deny", []))
            assert sorted(check["conditional"]) == sorted(by_decision.get("conditional", []))
            all_allowed = all_allowed and check["compliant"]
        # No appliance is given, so the role's compliance is exactly the checks'.
        assert report["compliant"] == all_allowed


# ---------------------------------------------------------------------------------------------
# Changes that must change nothing
# ---------------------------------------------------------------------------------------------


@given(snapshot=S.role_snapshot(), rng=st.randoms(use_true_random=False))
def test_shuffling_statements_and_policies_changes_nothing(
    engine: Engine, snapshot: S.Snapshot, rng: Any
) -> None:
    before, after = pair(engine, snapshot, S.shuffled(snapshot, rng))
    assert changed(before, after) == {}


@given(snapshot=S.role_snapshot())
def test_splitting_statements_changes_nothing(engine: Engine, snapshot: S.Snapshot) -> None:
    before, after = pair(engine, snapshot, S.split_statements(snapshot))
    assert changed(before, after) == {}


@given(snapshot=S.role_snapshot(), flips=st.lists(st.booleans(), min_size=1, max_size=7))
def test_action_case_changes_nothing(
    engine: Engine, snapshot: S.Snapshot, flips: list[bool]
) -> None:
    before, after = pair(engine, snapshot, S.recase_actions(snapshot, flips))
    assert changed(before, after) == {}


@given(snapshot=S.role_snapshot())
def test_single_values_as_one_element_lists_change_nothing(
    engine: Engine, snapshot: S.Snapshot
) -> None:
    before, after = pair(engine, snapshot, S.as_lists(snapshot))
    assert changed(before, after) == {}


@given(snapshot=S.role_snapshot(), url_encode=st.booleans())
def test_documents_as_json_strings_change_nothing(
    engine: Engine, snapshot: S.Snapshot, url_encode: bool
) -> None:
    """Contract section 2: a document may arrive as an object or as a (URL-encoded) JSON string."""
    encoded = copy.deepcopy(snapshot)

    def encode(holder: dict[str, Any]) -> None:
        text = json.dumps(holder["document"])
        holder["document"] = urllib.parse.quote(text) if url_encode else text

    for policy in encoded["role"]["policies"]:
        encode(policy)
    if "permissions_boundary" in encoded["role"]:
        encode(encoded["role"]["permissions_boundary"])
    for level in encoded.get("scps", []):
        for policy in level["policies"]:
            encode(policy)
    before, after = pair(engine, snapshot, encoded)
    assert changed(before, after) == {}


# ---------------------------------------------------------------------------------------------
# Changes with a known direction
# ---------------------------------------------------------------------------------------------


def add_statement(snapshot: S.Snapshot, stmt: dict[str, Any], draw: st.DrawFn) -> S.Snapshot:
    """A copy with ``stmt`` added in a random layer: a new inline policy, an existing identity
    policy, the boundary, or a policy of an SCP level."""
    result = copy.deepcopy(snapshot)
    docs: list[dict[str, Any]] = [p["document"] for p in result["role"]["policies"]]
    if "permissions_boundary" in result["role"]:
        docs.append(result["role"]["permissions_boundary"]["document"])
    for level in result.get("scps", []):
        docs.extend(p["document"] for p in level["policies"])
    target = draw(st.integers(-1, len(docs) - 1))
    if target < 0:
        result["role"]["policies"].append(
            {
                "name": "added",
                "type": "inline",
                "document": {"Version": "2012-10-17", "Statement": [stmt]},
            }
        )
    else:
        doc = docs[target]
        doc["Statement"] = [*S.statements_of(doc), stmt]
    return result


@st.composite
def snapshot_and_added(
    draw: st.DrawFn, effect: str, **options: Any
) -> tuple[S.Snapshot, S.Snapshot]:
    snapshot = draw(S.role_snapshot())
    stmt = draw(S.statement(effect=effect, **options))
    return snapshot, add_statement(snapshot, stmt, draw)


@given(case=snapshot_and_added("Allow"))
def test_adding_an_allow_never_makes_anything_less_permissive(
    engine: Engine, case: tuple[S.Snapshot, S.Snapshot]
) -> None:
    before, after = pair(engine, *case)
    assert less_permissive(before, after) == {}


@st.composite
def snapshot_and_deny(draw: st.DrawFn) -> tuple[S.Snapshot, S.Snapshot, str]:
    """A snapshot, a copy with an unconditional Deny covering one required action on ``"*"``
    placed in a random layer, and that action."""
    snapshot = draw(S.role_snapshot())
    action = draw(S.required_action())
    stmt: dict[str, Any] = {"Effect": "Deny"}
    if draw(st.integers(0, 4)) == 0:
        # Deny everything except actions of other services.
        others = sorted({a.split(":")[0] for a in S.ALL_ACTIONS} - {action.split(":")[0]})
        stmt["NotAction"] = [
            f"{svc}:*"
            for svc in draw(st.lists(st.sampled_from(others), min_size=1, max_size=3, unique=True))
        ]
    else:
        stmt["Action"] = draw(S.one_or_list([draw(S.action_pattern(st.just(action)))]))
    resource_kind = draw(st.sampled_from(["star", "list", "notresource"]))
    if resource_kind == "notresource":
        # NotResource with specific ARNs covers the request resource "*" (IAM-SEMANTICS.md s.2).
        stmt["NotResource"] = draw(
            st.lists(st.sampled_from(S.NARROW_RESOURCES), min_size=1, max_size=2, unique=True)
        )
    else:
        stmt["Resource"] = "*" if resource_kind == "star" else ["*"]
    return snapshot, add_statement(snapshot, stmt, draw), action


@given(case=snapshot_and_deny())
def test_an_unconditional_deny_is_an_explicit_deny(
    engine: Engine, case: tuple[S.Snapshot, S.Snapshot, str]
) -> None:
    _snapshot, denied, action = case
    report = engine.report(denied)
    assert action_entries(report)[action]["decision"] == "explicit_deny"


@given(snapshot=S.role_snapshot(boundary=False), boundary=S.boundary_document())
def test_a_boundary_can_only_remove_permissions(
    engine: Engine, snapshot: S.Snapshot, boundary: dict[str, Any]
) -> None:
    bounded = copy.deepcopy(snapshot)
    bounded["role"]["permissions_boundary"] = {
        "arn": f"arn:aws:iam::{S.ACCOUNT}:policy/Boundary",
        "document": boundary,
    }
    before, after = pair(engine, snapshot, bounded)
    assert less_permissive(after, before) == {}


@given(snapshot=S.role_snapshot(scps=False), scps=S.scp_levels())
def test_scps_can_only_remove_permissions(
    engine: Engine, snapshot: S.Snapshot, scps: list[dict[str, Any]]
) -> None:
    governed = {**copy.deepcopy(snapshot), "scps": scps}
    before, after = pair(engine, snapshot, governed)
    assert less_permissive(after, before) == {}


@given(snapshot=S.role_snapshot(scps=True), level=S.scp_levels())
def test_another_scp_level_can_only_remove_permissions(
    engine: Engine, snapshot: S.Snapshot, level: list[dict[str, Any]]
) -> None:
    deeper = copy.deepcopy(snapshot)
    extra = {**level[-1], "target": "ou-ab12-33333333"}
    deeper["scps"].insert(len(deeper["scps"]) - 1, extra)
    assume(len(deeper["scps"]) <= 5)
    before, after = pair(engine, snapshot, deeper)
    assert less_permissive(after, before) == {}


@given(snapshot=S.role_snapshot())
def test_removing_allow_conditions_never_makes_anything_less_permissive(
    engine: Engine, snapshot: S.Snapshot
) -> None:
    before, after = pair(engine, snapshot, S.without_conditions(snapshot, "Allow"))
    assert less_permissive(before, after) == {}


@given(snapshot=S.role_snapshot())
def test_removing_deny_conditions_never_makes_anything_more_permissive(
    engine: Engine, snapshot: S.Snapshot
) -> None:
    before, after = pair(engine, snapshot, S.without_conditions(snapshot, "Deny"))
    assert less_permissive(after, before) == {}


# ---------------------------------------------------------------------------------------------
# Input the engine must not skip in silence
# ---------------------------------------------------------------------------------------------

# Ways to make a valid statement one IAM refuses to store, each with the finding it must give.
_BREAKAGES: dict[str, tuple[Any, str]] = {
    "lower-case Effect": (lambda s: {**s, "Effect": s["Effect"].lower()}, "Effect must be exactly"),
    "non-string action": (
        lambda s: {**s, ("NotAction" if "NotAction" in s else "Action"): [7]},
        "value 7 is not a string",
    ),
    "null condition value": (
        lambda s: {**s, "Condition": {"StringEquals": {"aws:PrincipalArn": None}}},
        "values must be strings, numbers or Booleans",
    ),
    "Principal in an identity policy": (
        lambda s: {**s, "Principal": "*"},
        "Principal is not allowed in an identity policy",
    ),
}


@st.composite
def snapshot_and_broken(draw: st.DrawFn) -> tuple[S.Snapshot, S.Snapshot, str]:
    """A snapshot, a copy with one statement made invalid in a random layer (identity policy,
    boundary or SCP), and the words the finding about it must contain."""
    snapshot = draw(S.role_snapshot())
    breakage, expected = _BREAKAGES[draw(st.sampled_from(sorted(_BREAKAGES)))]
    stmt = breakage(draw(S.statement()))
    return snapshot, add_statement(snapshot, stmt, draw), expected


@given(case=snapshot_and_broken())
def test_an_invalid_statement_anywhere_changes_no_decision_and_is_an_error(
    engine: Engine, case: tuple[S.Snapshot, S.Snapshot, str]
) -> None:
    snapshot, broken, expected = case
    first, second = engine.reports([snapshot, broken])
    # The invalid statement takes no part in evaluation (IAM would not store it)...
    assert decisions(second) == decisions(first)
    # ...and the role is never compliant while it is there, whichever layer holds it.
    assert second["compliant"] is False
    invalid = [f["message"] for f in second["findings"] if f["id"] == "VBAWS-INVALID-POLICY"]
    assert [m for m in invalid if expected in m], invalid


_NOT_AN_OBJECT = st.one_of(
    st.booleans(), st.integers(), st.text(max_size=20), st.lists(st.integers(), max_size=2)
)


@given(
    snapshot=S.role_snapshot(boundary=False, scps=False),
    part=st.sampled_from(["permissions_boundary", "scps", "appliance"]),
    value=st.one_of(_NOT_AN_OBJECT, st.dictionaries(st.text(max_size=5), st.integers())),
)
def test_a_layer_in_the_wrong_shape_is_never_taken_as_absent(
    engine: Engine, snapshot: S.Snapshot, part: str, value: Any
) -> None:
    # Whatever the role would get without it, a boundary, an SCP list or an appliance that
    # cannot be read makes the role non-compliant with an error naming that part.
    assume(not (part == "scps" and isinstance(value, list)))
    assume(not (part == "permissions_boundary" and isinstance(value, dict)))
    assume(not (part == "appliance" and isinstance(value, dict) and "principal" in value))
    granted = copy.deepcopy(snapshot)
    granted["role"]["policies"].append(
        {"name": "all", "type": "inline", "document": S.allow_all_document()}
    )
    broken = copy.deepcopy(granted)
    (broken["role"] if part == "permissions_boundary" else broken)[part] = value
    first, second = engine.reports([granted, broken])
    assume(first["compliant"])  # an explicit Deny in the generated policies can still block
    assert second["compliant"] is False
    assert [
        f
        for f in second["findings"]
        if f["id"] == "VBAWS-INVALID-INPUT"
        and f["severity"] == "error"
        and f["message"].startswith(f"{part} must be")
    ]


@given(
    elements=st.lists(
        st.one_of(S.role_snapshot(), _NOT_AN_OBJECT, st.none(), st.just({})), min_size=1, max_size=4
    )
)
def test_every_batch_element_gets_its_report_in_place(engine: Engine, elements: list[Any]) -> None:
    # Engine.reports already holds report_list to one report per element.
    for element, report in zip(elements, engine.reports(elements), strict=True):
        if isinstance(element, dict) and element:
            assert report["role_arn"] == element["role"]["arn"]
        else:
            assert report["compliant"] is False
            assert report["findings"][0]["message"] == "the snapshot has no role object"
