"""The real-world corpus: every AWS managed policy, one role each, through the engine.

moto ships the current AWS managed policies (about 1,580), so this runs on any fresh machine;
../shared/data/aws-managed-policies/ (an older snapshot, 1,388) is used when present.

Besides "no OPA error, every action has a valid decision", each decision is compared with a
deliberately simple, independent reading of the document (below) wherever that reading is
certain: no Deny mentions the action, and the action is either granted by an unconditional
Allow on "*", not mentioned by any Allow at all, or only by unconditional Allows on narrower
resources. Anything subtler (conditions, denies) is left to the Rego unit tests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from conftest import REGO, REPO

from harness.opa import OpaClient

SHARED_CORPUS = REPO.parent / "shared" / "data" / "aws-managed-policies"
CATALOG = json.loads((REGO / "vbaws" / "requirements" / "data.json").read_text())
EC2_BACKUP: list[str] = CATALOG["ec2_backup"]["actions"]
DECISIONS = {"allowed", "explicit_deny", "implicit_deny", "conditional"}
ALLOWED_ERROR_FINDINGS = {"VBAWS-MISSING", "VBAWS-DENIED"}
BATCH = 200


# --- an independent, minimal reading of IAM policy documents ------------------------------


@cache
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """An IAM wildcard pattern (``*`` any run of characters, ``?`` one) as a regex."""
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(f"^{body}$", (re.IGNORECASE if ignore_case else 0) | re.DOTALL)


@cache
def _split(
    patterns: tuple[str, ...], ignore_case: bool
) -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    """(literal patterns, compiled wildcard patterns) of one Action/Resource list."""
    fold = str.lower if ignore_case else str
    literal = frozenset(fold(p) for p in patterns if "*" not in p and "?" not in p)
    wild = tuple(_glob(p, ignore_case) for p in patterns if "*" in p or "?" in p)
    return literal, wild


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _matches(patterns: Any, text: str, *, ignore_case: bool) -> bool:
    literal, wild = _split(tuple(_as_list(patterns)), ignore_case)
    key = text.lower() if ignore_case else text
    return key in literal or any(w.match(text) for w in wild)


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return _as_list(document.get("Statement", []))


def invalid(document: Any) -> str | None:
    """Why the document is not a valid identity policy (IAM-SEMANTICS decision 3), or None."""
    if not isinstance(document, dict) or "Statement" not in document:
        return "no Statement"
    for st in _statements(document):
        if not isinstance(st, dict):
            return "statement is not an object"
        if st.get("Effect") not in ("Allow", "Deny"):
            return f"Effect {st.get('Effect')!r}"
        if ("Action" in st) == ("NotAction" in st):
            return "exactly one of Action/NotAction required"
        if ("Resource" in st) == ("NotResource" in st):
            return "exactly one of Resource/NotResource required"
        actions = _as_list(st.get("Action", st.get("NotAction")))
        if not all(isinstance(a, str) for a in actions):
            return "non-string action"
        if "*:*" in actions:
            return '"*:*"'
    return None


def _covers_action(st: dict[str, Any], action: str) -> bool:
    if "Action" in st:
        return _matches(st["Action"], action, ignore_case=True)
    return not _matches(st["NotAction"], action, ignore_case=True)


CATALOG_SERVICES = {a.split(":")[0] for s in CATALOG.values() for a in s["actions"]}


def _may_name_catalog_resources(arn: str) -> bool:
    # A wildcard in the partition or the service, or a service of the catalog.
    parts = arn.split(":")
    head = parts[1:3]
    return any("*" in p or "?" in p for p in head) or (
        len(parts) > 2 and parts[2] in CATALOG_SERVICES
    )


def _covers_every_resource(st: dict[str, Any]) -> bool:
    # Literal reading: the request's resource is the string "*". An Allow's NotResource that
    # may exclude resources the catalog actions act on does not grant them on every resource.
    if "Resource" in st:
        return _matches(st["Resource"], "*", ignore_case=False)
    excluded = _as_list(st["NotResource"])
    if st["Effect"] == "Allow" and any(_may_name_catalog_resources(r) for r in excluded):
        return False
    return not _matches(excluded, "*", ignore_case=False)


def certain_decision(document: dict[str, Any], action: str) -> str | None:
    """The decision for ``action`` of a role with only this identity policy, when certain."""
    applicable = [st for st in _statements(document) if _covers_action(st, action)]
    if any(st["Effect"] == "Deny" for st in applicable):
        return None
    allows = [st for st in applicable if st["Effect"] == "Allow"]
    if not allows:
        return "implicit_deny"
    if any("Condition" not in st and _covers_every_resource(st) for st in allows):
        return "allowed"
    if all("Condition" not in st for st in allows):
        return "conditional"  # resource-scoped grants only
    return None


def test_independent_reading_on_known_cases() -> None:
    # The reader itself, on the cases of IAM-SEMANTICS section 7 it claims to decide.
    def doc(**st: Any) -> dict[str, Any]:
        return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **st}]}

    assert certain_decision(doc(NotAction="iam:*", Resource="*"), "ec2:CreateTags") == "allowed"
    assert certain_decision(doc(NotAction="iam:*", Resource="*"), "iam:GetRole") == "implicit_deny"
    assert certain_decision(doc(Action="EC2:createTAGS", Resource="*"), "ec2:CreateTags") == (
        "allowed"
    )
    assert certain_decision(
        doc(Action="ec2:DescribeInstance*", Resource="*"), "ec2:DescribeImages"
    ) == ("implicit_deny")
    assert certain_decision(doc(Action="ec2:*Snapshot*", Resource="*"), "ec2:CopySnapshot") == (
        "allowed"
    )
    assert certain_decision(doc(Action="s3:*", Resource="*"), "s3-object-lambda:Get") == (
        "implicit_deny"
    )
    assert certain_decision(
        doc(Action="ec2:*", Resource="arn:aws:ec2:*:*:*"), "ec2:CreateTags"
    ) == ("conditional")
    assert certain_decision(
        doc(Action="ec2:*", NotResource="arn:aws:s3:::x"), "ec2:CreateTags"
    ) == ("allowed")
    assert certain_decision(doc(Action="ec2:*", NotResource="*"), "ec2:CreateTags") == (
        "conditional"
    )
    assert certain_decision(
        doc(Action="ec2:*", NotResource="arn:aws:ec2:*:*:volume/*"), "ec2:CreateSnapshot"
    ) == ("conditional")
    assert certain_decision(doc(Action="*", NotResource="arn:*"), "kms:CreateGrant") == (
        "conditional"
    )
    assert certain_decision(doc(Action="ec2:*", Resource="*", Condition={}), "ec2:A") is None
    assert invalid(doc(Action="*:*", Resource="*")) == '"*:*"'
    assert invalid(doc(Action="a:b")) == "exactly one of Resource/NotResource required"
    assert invalid({"Statement": [{"Effect": "allow", "Action": "a:b", "Resource": "*"}]}) == (
        "Effect 'allow'"
    )


# --- the corpus through the engine --------------------------------------------------------


def moto_corpus() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return {name: p["Document"] for name, p in json.loads(aws_managed_policies_data).items()}


def shared_corpus() -> dict[str, Any]:
    files = sorted(SHARED_CORPUS.glob("*.json"))
    return {f.stem: json.loads(f.read_text())["PolicyVersion"]["Document"] for f in files}


def snapshots(corpus: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for index, (name, document) in enumerate(corpus.items()):
        yield {
            "role": {
                "arn": f"arn:aws:iam::123456789012:role/corpus/{index}",
                "name": f"corpus-{index}",
                "policies": [
                    {
                        "name": f"arn:aws:iam::aws:policy/{name}",
                        "type": "managed",
                        "document": document,
                    }
                ],
            }
        }


def check_corpus(opa_url: str, corpus: dict[str, Any], label: str) -> None:
    roles = list(snapshots(corpus))
    reports: list[dict[str, Any]] = []
    with OpaClient(opa_url, timeout=600) as client:
        for start in range(0, len(roles), BATCH):
            reports.extend(client.report_list({"roles": roles[start : start + BATCH]}))
    assert [r["role_arn"] for r in reports] == [s["role"]["arn"] for s in roles]

    problems: list[str] = []
    compared = 0
    for (name, document), report in zip(corpus.items(), reports, strict=True):
        check = report["checks"]["ec2_backup"]
        actions = check["actions"]
        if sorted(actions) != sorted(EC2_BACKUP):
            problems.append(f"{name}: actions are not the 61 required ones")
            continue
        decided = {a: e["decision"] for a, e in actions.items()}
        if not set(decided.values()) <= DECISIONS:
            problems.append(f"{name}: unknown decision in {set(decided.values())}")
        by_kind = {
            "missing": sorted(a for a, d in decided.items() if d == "implicit_deny"),
            "denied": sorted(a for a, d in decided.items() if d == "explicit_deny"),
            "conditional": sorted(a for a, d in decided.items() if d == "conditional"),
        }
        for key, expected_list in by_kind.items():
            if sorted(check[key]) != expected_list:
                problems.append(f"{name}: {key} list disagrees with the decisions")
        all_allowed = set(decided.values()) == {"allowed"}
        if report["compliant"] is not all_allowed or check["compliant"] is not all_allowed:
            problems.append(f"{name}: compliant flag disagrees with the decisions")
        errors = {f["id"] for f in report["findings"] if f["severity"] == "error"}
        why_invalid = invalid(document)
        if why_invalid:
            if report["compliant"] or errors <= ALLOWED_ERROR_FINDINGS:
                problems.append(f"{name}: invalid ({why_invalid}) but no error finding")
            continue
        if not errors <= ALLOWED_ERROR_FINDINGS:
            problems.append(f"{name}: unexpected error findings {errors - ALLOWED_ERROR_FINDINGS}")
        for action in EC2_BACKUP:
            certain = certain_decision(document, action)
            if certain is None:
                continue
            compared += 1
            if decided[action] != certain:
                problems.append(f"{name}: {action} is {decided[action]}, expected {certain}")
            elif certain == "implicit_deny" and actions[action].get("blocked_by") != ["identity"]:
                problems.append(f"{name}: {action} blocked_by {actions[action].get('blocked_by')}")
    invalid_count = sum(1 for d in corpus.values() if invalid(d))
    print(
        f"\n{label}: {len(reports)} policies evaluated, {invalid_count} invalid, "
        f"{sum(r['compliant'] for r in reports)} compliant, "
        f"{compared} decisions compared with the independent reading"
    )
    assert problems == [], "\n".join(problems[:50])


def test_every_moto_managed_policy_evaluates(opa_url: str) -> None:
    corpus = moto_corpus()
    assert len(corpus) > 1500
    check_corpus(opa_url, corpus, "moto AWS managed policies")


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="../shared/data is not on this machine")
def test_every_shared_snapshot_policy_evaluates(opa_url: str) -> None:
    corpus = shared_corpus()
    assert len(corpus) > 1300
    check_corpus(opa_url, corpus, "shared AWS managed policies snapshot")
