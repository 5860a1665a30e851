"""Hypothesis strategies for IAM policy documents and role snapshots (contract section 2).

Everything generated here is a *valid* IAM document: exactly ``Allow``/``Deny``, one of
Action/NotAction, one of Resource/NotResource, real action names. Invalid shapes are the engine's
findings tests' business, not the metamorphic properties'.

Action patterns are built from real action names (the requirement catalog plus a few others) so
that random documents hit the required actions often enough to matter: exact names, mixed case,
globs in prefix / infix / suffix position, ``?`` for single characters, service-wide ``svc:*`` and
``*``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

REPO_ROOT = Path(__file__).resolve().parent.parent
CATALOG_PATH = REPO_ROOT / "rego" / "vbaws" / "requirements" / "data.json"

CHECKS = ("ec2_backup", "worker_production")
ACCOUNT = "123456789012"

Document = dict[str, Any]
Snapshot = dict[str, Any]


def load_catalog() -> dict[str, list[str]]:
    """Requirement set id -> required actions, as the bundle ships them."""
    data = json.loads(CATALOG_PATH.read_text())
    return {set_id: list(spec["actions"]) for set_id, spec in data.items()}


CATALOG = load_catalog()
REQUIRED_ACTIONS: tuple[str, ...] = tuple(
    dict.fromkeys(a for set_id in CHECKS for a in CATALOG[set_id])
)
# Real actions outside the catalog: near misses of required ones (same service, similar names) and
# other services, so that globs and NotAction lists are not only ever about required actions.
OTHER_ACTIONS: tuple[str, ...] = (
    "ec2:DescribeInstanceStatus",
    "ec2:DescribeImageAttribute",
    "ec2:CreateImage",
    "ec2:DeleteVolume",
    "ec2:RunScheduledInstances",
    "ebs:StartSnapshot",
    "ebs:GetSnapshotBlock",
    "kms:Decrypt",
    "kms:ListAliases",
    "iam:CreateUser",
    "iam:ListRoles",
    "iam:PassRole",
    "s3:GetObject",
    "s3:ListAllMyBuckets",
    "sts:AssumeRole",
    "sqs:ReceiveMessage",
    "ssm:GetParameters",
    "events:ListRules",
    "cloudwatch:PutMetricData",
    "s3-object-lambda:GetObject",
)
ALL_ACTIONS: tuple[str, ...] = REQUIRED_ACTIONS + OTHER_ACTIONS

NARROW_RESOURCES: tuple[str, ...] = (
    "arn:aws:ec2:*:*:volume/*",
    "arn:aws:ec2:*:*:snapshot/*",
    "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0",
    "arn:aws:ec2:*:*:*",
    "arn:aws:*:*:*:*",
    "arn:*",
    "arn:aws:s3:::veeam-backup-bucket/*",
    "arn:aws:kms:*:123456789012:key/*",
    "arn:aws:iam::123456789012:role/VeeamWorker",
    "arn:aws:sqs:eu-west-1:123456789012:veeam-queue",
)

# (operator, key, values): the common operators over keys the engine must treat as unknown, plus
# principal keys a role snapshot can decide.
CONDITIONS: tuple[tuple[str, str, list[str]], ...] = (
    ("StringEquals", "aws:RequestedRegion", ["us-east-1", "eu-west-1"]),
    ("StringNotEquals", "aws:RequestedRegion", ["us-east-1"]),
    ("StringLike", "ec2:ResourceTag/Owner", ["veeam*"]),
    ("StringEqualsIgnoreCase", "aws:PrincipalTag/team", ["Backup"]),
    ("ArnLike", "aws:PrincipalArn", ["arn:aws:iam::123456789012:role/*"]),
    ("ArnNotLike", "aws:SourceArn", ["arn:aws:iam::123456789012:role/Other*"]),
    ("Bool", "aws:MultiFactorAuthPresent", ["true"]),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", ["false"]),
    ("Bool", "aws:SecureTransport", ["true"]),
    ("NumericLessThan", "aws:MultiFactorAuthAge", ["3600"]),
    ("IpAddress", "aws:SourceIp", ["203.0.113.0/24"]),
    ("NotIpAddress", "aws:SourceIp", ["198.51.100.0/24"]),
    ("DateGreaterThan", "aws:CurrentTime", ["2020-01-01T00:00:00Z"]),
    ("Null", "aws:TokenIssueTime", ["false"]),
    ("ForAnyValue:StringEquals", "aws:TagKeys", ["Owner"]),
    ("ForAllValues:StringLike", "aws:TagKeys", ["veeam*"]),
    ("StringEquals", "aws:PrincipalAccount", ["123456789012"]),
)


# Keys both the engine and PMapper know for a role (IAM-SEMANTICS.md s.4 and s.8), with values
# that match some generated roles and not others. Role tags are always given with these, so a
# missing aws:PrincipalTag/<key> is known to be absent.
ROLE_NAME_CHOICES = ("VeeamEc2Backup", "VeeamWorker", "Backup01", "vbaws-role", "R")
TAG_CHOICES: tuple[dict[str, str], ...] = (
    {},
    {"team": "backup"},
    {"team": "Backup", "env": "prod"},
    {"env": "dev"},
)
_ARN_VALUES = [
    f"arn:aws:iam::{ACCOUNT}:role/VeeamEc2Backup",
    f"arn:aws:iam::{ACCOUNT}:role/Veeam*",
    f"arn:aws:iam::{ACCOUNT}:role/?",
    "arn:aws:iam::*:role/*Worker",
    "arn:aws:iam::999999999999:role/*",
]
_STRING_OPS = ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringLike"]
_ARN_OPS = ["ArnLike", "ArnEquals", "ArnNotLike", "ArnNotEquals"]
KNOWN_KEYS: dict[str, tuple[list[str], list[str]]] = {
    # key: (operators, values)
    "aws:PrincipalArn": ([*_STRING_OPS, "StringNotLike", *_ARN_OPS], _ARN_VALUES),
    "aws:PrincipalAccount": (
        [*_STRING_OPS, "StringNotLike"],
        [ACCOUNT, "999999999999", "1234*"],
    ),
    # No StringNotLike on tags: PMapper gets it wrong on a missing key (IAM-SEMANTICS.md 7.14).
    "aws:PrincipalTag/team": (
        [*_STRING_OPS, "StringNotEqualsIgnoreCase", "ForAnyValue:StringEquals"],
        ["backup", "Backup", "b*"],
    ),
    "aws:PrincipalTag/env": ([*_STRING_OPS, "ForAllValues:StringLike"], ["prod", "d*"]),
}


@st.composite
def known_condition_block(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    """A Condition over keys known for a role only: the engine can decide it, and so can PMapper."""
    block: dict[str, dict[str, Any]] = {}
    for key in draw(
        st.lists(st.sampled_from(sorted(KNOWN_KEYS)), min_size=1, max_size=2, unique=True)
    ):
        operators, values = KNOWN_KEYS[key]
        if draw(st.integers(0, 5)) == 0:
            operator, chosen = "Null", [draw(st.sampled_from(["true", "false"]))]
        else:
            operator = draw(st.sampled_from(operators))
            if draw(st.integers(0, 3)) == 0 and ":" not in operator:
                operator += "IfExists"
            chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True))
        block.setdefault(operator, {})[key] = draw(one_or_list(chosen))
    return block


# ---------------------------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------------------------


def _mixed_case(text: str, flips: list[bool]) -> str:
    return "".join(ch.swapcase() if flips[i % len(flips)] else ch for i, ch in enumerate(text))


@st.composite
def mixed_case(draw: st.DrawFn, text: str) -> str:
    """``text`` with a random subset of its letters' case flipped (action names ignore case)."""
    flips = draw(st.lists(st.booleans(), min_size=1, max_size=8))
    return _mixed_case(text, flips)


@st.composite
def action_pattern(draw: st.DrawFn, base: st.SearchStrategy[str] | None = None) -> str:
    """An Action/NotAction value derived from a real action name."""
    action = draw(base if base is not None else st.sampled_from(ALL_ACTIONS))
    service, name = action.split(":", 1)
    kind = draw(
        st.sampled_from(
            ["exact", "exact", "prefix", "suffix", "infix", "qmark", "service", "star", "case"]
        )
    )
    if kind == "prefix":
        cut = draw(st.integers(1, len(name)))
        pattern = f"{service}:{name[:cut]}*"
    elif kind == "suffix":
        cut = draw(st.integers(0, len(name) - 1))
        pattern = f"{service}:*{name[cut:]}"
    elif kind == "infix":
        start = draw(st.integers(1, len(name) - 1))
        end = draw(st.integers(start, len(name) - 1))
        pattern = (
            f"{service}:{name[:start]}*{name[end:]}"
            if draw(st.booleans())
            else (f"{service}:*{name[start : end + 1]}*")
        )
    elif kind == "qmark":
        chars = list(name)
        for index in draw(st.sets(st.integers(0, len(name) - 1), min_size=1, max_size=3)):
            chars[index] = "?"
        pattern = f"{service}:{''.join(chars)}"
    elif kind == "service":
        pattern = f"{service}:*"
    elif kind == "star":
        pattern = "*"
    else:
        pattern = action
    if kind == "case" or draw(st.integers(0, 4)) == 0:
        pattern = draw(mixed_case(pattern))
    return pattern


def required_action() -> st.SearchStrategy[str]:
    return st.sampled_from(REQUIRED_ACTIONS)


def one_or_list(values: list[Any]) -> st.SearchStrategy[Any]:
    """A single value as itself or as a one-element list; several values as a list."""
    if len(values) == 1:
        return st.sampled_from([values[0], [values[0]]])
    return st.just(values)


# ---------------------------------------------------------------------------------------------
# Statements and documents
# ---------------------------------------------------------------------------------------------


# Sids do not affect evaluation; a few shapes are enough (they need not be unique: the engine
# must not care, and the properties that split statements drop them).
SIDS = st.sampled_from(["AllowBackup", "DenyKms", "Stmt1", "s0"])


@st.composite
def condition_block(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    chosen = draw(
        st.lists(st.integers(0, len(CONDITIONS) - 1), min_size=1, max_size=2, unique=True)
    )
    block: dict[str, dict[str, Any]] = {}
    for operator, key, values in (CONDITIONS[i] for i in chosen):
        block.setdefault(operator, {})[key] = draw(one_or_list(values))
    return block


@st.composite
def statement(
    draw: st.DrawFn,
    *,
    effect: str | None = None,
    resource_star: bool = False,
    conditions: bool | str = True,
    not_action: bool = True,
    actions: st.SearchStrategy[str] | None = None,
) -> dict[str, Any]:
    """One valid identity-policy statement.

    ``resource_star`` keeps to ``Resource: "*"`` (or ``["*"]``); ``conditions=False`` never adds a
    Condition: together they give the subset on which the engine and the oracle must agree exactly.
    ``conditions="known"`` adds Conditions over keys known for a role only.
    """
    stmt: dict[str, Any] = {}
    if draw(st.integers(0, 3)) == 0:
        stmt["Sid"] = draw(SIDS)
    stmt["Effect"] = effect or draw(st.sampled_from(["Allow", "Allow", "Deny"]))
    key = "NotAction" if not_action and draw(st.integers(0, 5)) == 0 else "Action"
    patterns = draw(st.lists(action_pattern(actions), min_size=1, max_size=4))
    stmt[key] = draw(one_or_list(patterns))
    if resource_star:
        stmt["Resource"] = draw(one_or_list(["*"]))
    else:
        kind = draw(
            st.sampled_from(["star", "star", "narrow", "mixed", "notresource", "notresource_star"])
        )
        if kind == "star":
            stmt["Resource"] = draw(one_or_list(["*"]))
        elif kind == "narrow":
            arns = draw(
                st.lists(st.sampled_from(NARROW_RESOURCES), min_size=1, max_size=3, unique=True)
            )
            stmt["Resource"] = draw(one_or_list(arns))
        elif kind == "mixed":
            arns = draw(
                st.lists(st.sampled_from(NARROW_RESOURCES), min_size=1, max_size=2, unique=True)
            )
            stmt["Resource"] = [*arns, "*"]
        elif kind == "notresource":
            # Covers the request resource "*" (IAM-SEMANTICS.md s.2).
            arns = draw(
                st.lists(st.sampled_from(NARROW_RESOURCES), min_size=1, max_size=2, unique=True)
            )
            stmt["NotResource"] = draw(one_or_list(arns))
        else:
            # Covers nothing.
            arns = draw(st.lists(st.sampled_from(NARROW_RESOURCES), max_size=1))
            stmt["NotResource"] = draw(one_or_list([*arns, "*"]))
    if conditions == "known" and draw(st.booleans()):
        stmt["Condition"] = draw(known_condition_block())
    elif conditions is True and draw(st.integers(0, 3)) == 0:
        stmt["Condition"] = draw(condition_block())
    return stmt


@st.composite
def policy_document(
    draw: st.DrawFn,
    *,
    min_statements: int = 1,
    max_statements: int = 3,
    **statement_options: Any,
) -> Document:
    stmts = draw(
        st.lists(statement(**statement_options), min_size=min_statements, max_size=max_statements)
    )
    doc: Document = {"Version": "2012-10-17"}
    doc["Statement"] = stmts[0] if len(stmts) == 1 and draw(st.booleans()) else stmts
    return doc


def allow_all_document() -> Document:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }


@st.composite
def boundary_document(draw: st.DrawFn, **statement_options: Any) -> Document:
    """A boundary: usually broad (so that it does not block everything), sometimes narrow, rarely
    empty (``"Statement": []`` grants nothing, so it blocks everything)."""
    if draw(st.integers(0, 15)) == 0:
        return {"Version": "2012-10-17", "Statement": []}
    doc = draw(policy_document(max_statements=3, **statement_options))
    if draw(st.booleans()):
        stmts = statements_of(doc)
        doc["Statement"] = [{"Effect": "Allow", "Action": "*", "Resource": "*"}, *stmts]
    return doc


TRUST_POLICY: Document = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
SCP_TARGETS = ("r-ab12", "ou-ab12-11111111", "ou-ab12-22222222", ACCOUNT)


@st.composite
def scp_levels(draw: st.DrawFn, **statement_options: Any) -> list[dict[str, Any]]:
    """1 to 3 SCP levels, root first, account last; usually with FullAWSAccess somewhere."""
    count = draw(st.integers(1, 3))
    # root, then OUs, then the account: 1 level = account only, 3 = root, one OU, account.
    targets = [*SCP_TARGETS[: count - 1], ACCOUNT]
    levels = []
    for index, target in enumerate(targets):
        policies = []
        if draw(st.integers(0, 3)) > 0:
            policies.append({"name": "FullAWSAccess", "document": allow_all_document()})
        for extra in range(draw(st.integers(0 if policies else 1, 2))):
            policies.append(
                {
                    "name": f"scp-{index}-{extra}",
                    "document": draw(policy_document(max_statements=3, **statement_options)),
                }
            )
        if draw(st.integers(0, 20)) == 0:
            # AWS keeps at least one SCP on every node, but an input may list none: nothing is
            # allowed at that level.
            policies = []
        levels.append({"target": target, "policies": policies})
    return levels


# Never "AWSServiceRoleFor...": PMapper exempts such roles from SCPs by name (IAM-SEMANTICS 7.24).
ROLE_NAMES = st.sampled_from(ROLE_NAME_CHOICES)


@st.composite
def role_snapshot(
    draw: st.DrawFn,
    *,
    max_policies: int = 3,
    boundary: bool | None = None,
    scps: bool | None = None,
    tags: bool | None = None,
    **statement_options: Any,
) -> Snapshot:
    """A role snapshot with 1..max_policies inline/managed policies, maybe a boundary and SCPs.

    ``boundary``/``scps``/``tags``: True forces one, False forbids it, None lets Hypothesis choose.
    """
    name = draw(ROLE_NAMES)
    arn = f"arn:aws:iam::{ACCOUNT}:role/{name}"
    policies = []
    for index in range(draw(st.integers(1, max_policies))):
        doc = draw(policy_document(**statement_options))
        if draw(st.booleans()):
            policies.append({"name": f"inline-{index}", "type": "inline", "document": doc})
        else:
            policies.append(
                {
                    "name": f"arn:aws:iam::{ACCOUNT}:policy/managed-{index}",
                    "type": "managed",
                    "document": doc,
                }
            )
    role: dict[str, Any] = {
        "arn": arn,
        "name": name,
        "trust_policy": TRUST_POLICY,
        "policies": policies,
    }
    if tags if tags is not None else draw(st.booleans()):
        role["tags"] = dict(draw(st.sampled_from(TAG_CHOICES)))
    if boundary if boundary is not None else draw(st.integers(0, 3)) == 0:
        role["permissions_boundary"] = {
            "arn": f"arn:aws:iam::{ACCOUNT}:policy/Boundary",
            "document": draw(boundary_document(**statement_options)),
        }
    snapshot: Snapshot = {"role": role, "checks": list(CHECKS)}
    if scps if scps is not None else draw(st.integers(0, 3)) == 0:
        snapshot["scps"] = draw(scp_levels(**statement_options))
    return snapshot


def exact_snapshots(**options: Any) -> st.SearchStrategy[Snapshot]:
    """The subset where engine and oracle must agree exactly: no Condition, only Resource "*"."""
    return role_snapshot(resource_star=True, conditions=False, **options)


def known_condition_snapshots(**options: Any) -> st.SearchStrategy[Snapshot]:
    """Resource "*" only, Conditions only over keys known for the role, role tags always given:
    both the engine and PMapper can decide every statement."""
    return role_snapshot(resource_star=True, conditions="known", tags=True, **options)


# ---------------------------------------------------------------------------------------------
# Transformations used by the metamorphic properties (pure: they return modified deep copies)
# ---------------------------------------------------------------------------------------------


def statements_of(doc: Document) -> list[dict[str, Any]]:
    stmts = doc.get("Statement", [])
    return list(stmts) if isinstance(stmts, list) else [stmts]


def all_documents(snapshot: Snapshot) -> list[Document]:
    """Every policy document in the snapshot (identity, boundary, SCPs), for in-place rewriting."""
    role = snapshot["role"]
    docs = [p["document"] for p in role["policies"]]
    if "permissions_boundary" in role:
        docs.append(role["permissions_boundary"]["document"])
    for level in snapshot.get("scps", []):
        docs.extend(p["document"] for p in level["policies"])
    return docs


def map_statements(
    snapshot: Snapshot, fn: Callable[[dict[str, Any]], list[dict[str, Any]]]
) -> Snapshot:
    """A copy with every statement of every document replaced by ``fn(statement)``."""
    result = copy.deepcopy(snapshot)
    for doc in all_documents(result):
        doc["Statement"] = [new for stmt in statements_of(doc) for new in fn(stmt)]
    return result


def as_lists(snapshot: Snapshot) -> Snapshot:
    """Every single Action, NotAction, Resource and NotResource value as a one-element list (and
    every single Statement object as a list, which ``map_statements`` always writes)."""

    def listify(stmt: dict[str, Any]) -> list[dict[str, Any]]:
        new = dict(stmt)
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if key in new and isinstance(new[key], str):
                new[key] = [new[key]]
        return [new]

    return map_statements(snapshot, listify)


def split_statements(snapshot: Snapshot) -> Snapshot:
    """Each statement with several Action or Resource values as several statements with one value
    each: the same grants and denies. NotAction/NotResource lists are intersections: kept whole."""

    def split(stmt: dict[str, Any]) -> list[dict[str, Any]]:
        parts = [stmt]
        if isinstance(stmt.get("Action"), list) and len(stmt["Action"]) > 1:
            parts = [{**stmt, "Action": action} for action in stmt["Action"]]
        resources = stmt.get("Resource")
        # A Resource list is a union for both effects (a statement applies when any entry matches).
        if isinstance(resources, list) and len(resources) > 1:
            parts = [{**part, "Resource": resource} for part in parts for resource in resources]
        # Sids must stay unique within a policy; they do not affect evaluation.
        if len(parts) > 1:
            parts = [{k: v for k, v in p.items() if k != "Sid"} for p in parts]
        return parts

    return map_statements(snapshot, split)


def recase_actions(snapshot: Snapshot, flips: list[bool]) -> Snapshot:
    """Every Action/NotAction pattern with the case of some letters flipped."""

    def recase(stmt: dict[str, Any]) -> list[dict[str, Any]]:
        new = dict(stmt)
        for key in ("Action", "NotAction"):
            if key in new:
                value = new[key]
                new[key] = (
                    _mixed_case(value, flips)
                    if isinstance(value, str)
                    else [_mixed_case(v, flips) for v in value]
                )
        return [new]

    return map_statements(snapshot, recase)


def shuffled(snapshot: Snapshot, rng: Any) -> Snapshot:
    """Statements within each document, policies of the role and of each SCP level, shuffled.
    SCP levels keep their order: it is the organization's hierarchy, not a list."""
    result = copy.deepcopy(snapshot)
    for doc in all_documents(result):
        stmts = statements_of(doc)
        rng.shuffle(stmts)
        doc["Statement"] = stmts
    rng.shuffle(result["role"]["policies"])
    for level in result.get("scps", []):
        rng.shuffle(level["policies"])
    return result


def without_conditions(snapshot: Snapshot, effect: str = "Allow") -> Snapshot:
    """Every Condition removed from statements with the given effect."""

    def strip(stmt: dict[str, Any]) -> list[dict[str, Any]]:
        if stmt["Effect"] != effect:
            return [stmt]
        return [{k: v for k, v in stmt.items() if k != "Condition"}]

    return map_statements(snapshot, strip)


def without_conditional_denies(snapshot: Snapshot) -> Snapshot:
    """Every Deny statement that has a Condition removed."""

    def drop(stmt: dict[str, Any]) -> list[dict[str, Any]]:
        return [] if stmt.get("Effect") == "Deny" and "Condition" in stmt else [stmt]

    return map_statements(snapshot, drop)


def inline_role(
    *statements: dict[str, Any], name: str = "VeeamEc2Backup", **role_extra: Any
) -> Snapshot:
    """A hand-written snapshot of one role with one inline policy of ``statements`` (and any
    other role fields given); no ``checks``, so the default set is requested."""
    return {
        "role": {
            "arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
            "name": name,
            "policies": [
                {
                    "name": "inline",
                    "type": "inline",
                    "document": {"Version": "2012-10-17", "Statement": list(statements)},
                }
            ],
            **role_extra,
        }
    }


def snapshot_of(
    *statements: dict[str, Any],
    boundary: list[dict[str, Any]] | None = None,
    scps: list[tuple[str, list[dict[str, Any]]]] | None = None,
) -> Snapshot:
    """A small hand-written snapshot (for ``@example``): one inline policy with ``statements``,
    optionally a boundary's statements and SCP levels as (target, statements) pairs."""

    def doc(stmts: list[dict[str, Any]]) -> Document:
        return {"Version": "2012-10-17", "Statement": list(stmts)}

    role: dict[str, Any] = inline_role(*statements)["role"]
    if boundary is not None:
        role["permissions_boundary"] = {
            "arn": f"arn:aws:iam::{ACCOUNT}:policy/Boundary",
            "document": doc(boundary),
        }
    snapshot: Snapshot = {"role": role, "checks": list(CHECKS)}
    if scps is not None:
        snapshot["scps"] = [
            {"target": target, "policies": [{"name": f"scp-{target}", "document": doc(stmts)}]}
            for target, stmts in scps
        ]
    return snapshot
