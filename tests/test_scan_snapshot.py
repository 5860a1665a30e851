"""Collected data -> role snapshots, saved files and back (pure functions, no AWS)."""

from __future__ import annotations

import io
import json
from typing import Any

import jsonschema
import pytest

from harness import inputs
from harness.aws.collect import AccountCollection
from harness.aws.organizations import NOTE_MANAGEMENT, NOTE_SERVICE_LINKED, AccountScps
from harness.aws.selection import RoleSelector
from harness.aws.snapshot import (
    EvaluationSettings,
    build_items,
    load_saved_document,
    role_snapshot,
    saved_document,
)
from harness.progress import Progress

ALLOW = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
LEVELS = [{"target": "r-abcd", "policies": [{"name": "FullAWSAccess", "document": ALLOW}]}]


def detail(name: str, path: str = "/", **extra: Any) -> dict[str, Any]:
    return {
        "RoleName": name,
        "Arn": f"arn:aws:iam::123456789012:role{path}{name}",
        "Path": path,
        "AssumeRolePolicyDocument": ALLOW,
        "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": ALLOW}],
        "AttachedManagedPolicies": [{"PolicyName": "M", "PolicyArn": "arn:aws:iam::aws:policy/M"}],
        "Tags": [{"Key": "team", "Value": "backup"}],
        **extra,
    }


def policy(arn: str, versions: list[tuple[str, bool, Any]]) -> dict[str, Any]:
    return {
        "Arn": arn,
        "PolicyVersionList": [
            {"VersionId": v, "IsDefaultVersion": default, "Document": doc}
            for v, default, doc in versions
        ],
    }


POLICIES = {
    "arn:aws:iam::aws:policy/M": policy(
        "arn:aws:iam::aws:policy/M", [("v1", False, {"old": True}), ("v2", True, ALLOW)]
    ),
    "arn:aws:iam::123456789012:policy/B": policy(
        "arn:aws:iam::123456789012:policy/B", [("v1", True, ALLOW)]
    ),
}


def snapshot_validator() -> jsonschema.Draft202012Validator:
    root = inputs.schema()
    return jsonschema.Draft202012Validator(
        {"$schema": root["$schema"], "$defs": root["$defs"], "$ref": "#/$defs/snapshot"}
    )


def test_role_snapshot_uses_default_versions_and_validates() -> None:
    role = detail(
        "R",
        PermissionsBoundary={
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/B",
        },
    )
    snapshot = role_snapshot(role, POLICIES)
    assert snapshot == {
        "role": {
            "arn": "arn:aws:iam::123456789012:role/R",
            "name": "R",
            "path": "/",
            "trust_policy": ALLOW,
            "policies": [
                {"name": "inline", "type": "inline", "document": ALLOW},
                {"name": "arn:aws:iam::aws:policy/M", "type": "managed", "document": ALLOW},
            ],
            "permissions_boundary": {
                "arn": "arn:aws:iam::123456789012:policy/B",
                "document": ALLOW,
            },
            "tags": [{"Key": "team", "Value": "backup"}],
        }
    }
    snapshot_validator().validate(snapshot)


def test_what_a_role_detail_does_not_say_is_not_taken_as_none() -> None:
    # Tags not listed are not known (a Deny on aws:PrincipalTag then stays undecided).
    untagged = detail("R")
    del untagged["Tags"]
    assert "tags" not in role_snapshot(untagged, POLICIES)["role"]
    # A boundary that cannot be resolved makes the role not evaluated, never boundary-free.
    no_arn = detail(
        "R", PermissionsBoundary={"PermissionsBoundaryType": "PermissionsBoundaryPolicy"}
    )
    (item,) = build_items(
        AccountCollection("123456789012", "bulk", roles=[no_arn], policies=POLICIES),
        EvaluationSettings(),
        None,
    )
    assert item.snapshot is None
    assert item.error == "role R: the role's PermissionsBoundary has no PermissionsBoundaryArn"


def test_one_odd_role_is_not_evaluated_and_the_others_still_are() -> None:
    """Collected data of a shape nothing checked for (an inline policy without its name) costs
    that role alone, never a traceback that loses every result."""
    odd = detail("Odd", RolePolicyList=[{"PolicyDocument": ALLOW}])
    items = build_items(
        AccountCollection("123456789012", "bulk", roles=[odd, detail("R")], policies=POLICIES),
        EvaluationSettings(),
        None,
    )
    assert [(item.snapshot is None, item.error) for item in items] == [
        (True, "role Odd: the collected role data is incomplete (KeyError: 'PolicyName')"),
        (False, None),
    ]


def test_items_scps_per_role_kind() -> None:
    collection = AccountCollection("123456789012", "bulk", policies=POLICIES)
    collection.roles = [
        detail("Plain"),
        detail("AWSServiceRoleForX", path="/aws-service-role/x.amazonaws.com/"),
        detail("Broken"),
    ]
    collection.errors[collection.roles[2]["Arn"]] = "role Broken: iam:GetRolePolicy: AccessDenied"
    settings = EvaluationSettings(checks=["ec2_backup"], appliance="111111111111")
    plain, linked, broken = build_items(collection, settings, AccountScps(LEVELS))
    assert plain.snapshot is not None and plain.snapshot["scps"] == LEVELS
    assert plain.snapshot["checks"] == ["ec2_backup"]
    assert plain.snapshot["appliance"] == {"principal": "111111111111"}
    assert linked.snapshot is not None and "scps" not in linked.snapshot
    assert linked.extra == {"scps_note": NOTE_SERVICE_LINKED}
    assert (
        broken.snapshot is None and broken.error == "role Broken: iam:GetRolePolicy: AccessDenied"
    )
    for item in (plain, linked):
        snapshot_validator().validate(item.snapshot)

    (managed,) = build_items(
        AccountCollection("1", "bulk", roles=[detail("P")], policies=POLICIES),
        EvaluationSettings(),
        AccountScps(None, NOTE_MANAGEMENT),
    )
    assert managed.snapshot is not None and "scps" not in managed.snapshot
    assert managed.extra == {"scps_note": NOTE_MANAGEMENT}

    (unread,) = build_items(
        AccountCollection("1", "bulk", roles=[detail("P")], policies=POLICIES),
        EvaluationSettings(),
        AccountScps(None, "could not be read", unreadable=True),
    )
    assert unread.snapshot is None and unread.error == "role P: could not be read"
    assert unread.extra == {"scps_note": "could not be read"}


def test_policy_without_default_version_is_not_guessed() -> None:
    policies = {
        "arn:aws:iam::aws:policy/M": policy(
            "arn:aws:iam::aws:policy/M", [("v1", False, ALLOW), ("v2", False, ALLOW)]
        )
    }
    collection = AccountCollection("1", "file", roles=[detail("R")], policies=policies)
    (item,) = build_items(collection, EvaluationSettings(), None)
    assert item.snapshot is None
    assert (
        item.error
        == "role R: managed policy arn:aws:iam::aws:policy/M has no default version document"
    )


@pytest.mark.parametrize("named", ["v1", "v2"])
def test_default_version_is_taken_only_where_default_version_id_agrees(named: str) -> None:
    # v1, flagged default, allows everything; DefaultVersionId v2 says the one in force allows
    # nothing. A file saying both cannot be read one way: the role is not evaluated.
    entry = policy("arn:aws:iam::aws:policy/M", [("v1", True, ALLOW), ("v2", False, {})])
    data = {"RoleDetailList": [detail("R")], "Policies": [dict(entry, DefaultVersionId=named)]}
    loaded = load_saved_document("f.json", data, RoleSelector(all_roles=True))
    (item,) = build_items(loaded.collections[0], EvaluationSettings(), None)
    if named == "v1":
        assert item.error is None and item.snapshot is not None
        return
    assert item.snapshot is None
    assert item.error == (
        "role R: managed policy arn:aws:iam::aws:policy/M has no default version document"
    )


def test_default_version_without_a_version_id_is_not_taken_where_one_is_named() -> None:
    # IAM gives every version its VersionId: a flagged version without one, beside a
    # DefaultVersionId, is not passed on the flag alone (as the engine reads the same file).
    entry = policy("arn:aws:iam::aws:policy/M", [("v1", True, ALLOW), ("v2", False, {})])
    versions = [
        {k: v for k, v in version.items() if k != "VersionId"}
        if version["IsDefaultVersion"]
        else version
        for version in entry["PolicyVersionList"]
    ]
    data = {
        "RoleDetailList": [detail("R")],
        "Policies": [dict(entry, DefaultVersionId="v2", PolicyVersionList=versions)],
    }
    loaded = load_saved_document("f.json", data, RoleSelector(all_roles=True))
    (item,) = build_items(loaded.collections[0], EvaluationSettings(), None)
    assert item.snapshot is None
    assert item.error == (
        "role R: managed policy arn:aws:iam::aws:policy/M has no default version document"
    )


@pytest.mark.parametrize("same", [True, False])
def test_policy_listed_twice_is_used_only_when_both_say_the_same(same: bool) -> None:
    # Pages of get-account-authorization-details merged by hand can list a policy twice.
    other = ALLOW if same else {"Version": "2012-10-17", "Statement": []}
    data = {
        "RoleDetailList": [detail("R")],
        "Policies": [
            policy("arn:aws:iam::aws:policy/M", [("v2", True, ALLOW)]),
            policy("arn:aws:iam::aws:policy/M", [("v2", True, other)]),
        ],
    }
    loaded = load_saved_document("f.json", data, RoleSelector(all_roles=True))
    (item,) = build_items(loaded.collections[0], EvaluationSettings(), None)
    if same:
        assert item.error is None and item.snapshot is not None
    else:
        assert item.snapshot is None
        assert item.error == (
            "role R: managed policy arn:aws:iam::aws:policy/M is given more than one default "
            "version, with different documents"
        )


def test_saved_document_round_trip() -> None:
    collection = AccountCollection("123456789012", "bulk", policies=POLICIES)
    collection.roles = [detail("Good"), detail("Bad")]
    collection.errors[collection.roles[1]["Arn"]] = "denied"
    saved = saved_document(
        [collection], {"123456789012": AccountScps(LEVELS)}, {"222222222222": "x"}
    )
    assert [r["RoleName"] for r in saved["RoleDetailList"]] == ["Good"]
    assert saved["scps"] == LEVELS  # plain evaluators see the one account's SCPs
    written = json.loads(json.dumps(saved))
    # What --save-snapshot writes passes the schema --from-file reads it with.
    inputs.validate("f.json", "authorization_details", written)
    loaded = load_saved_document("f.json", written, RoleSelector(all_roles=True))
    (again,) = loaded.collections
    assert [r["RoleName"] for r in again.roles] == ["Good", "Bad"]
    assert again.errors == {"arn:aws:iam::123456789012:role/Bad": "denied"}
    assert loaded.scps["123456789012"].levels == LEVELS
    assert loaded.account_failures == {"222222222222": "x"}


def test_progress_only_draws_when_enabled() -> None:
    quiet = io.StringIO()
    Progress(quiet, enabled=False).update("roles", 1, 2)
    assert quiet.getvalue() == ""
    shown = io.StringIO()
    progress = Progress(shown, enabled=True)
    progress.update("roles", 2, 2)
    assert "roles" in shown.getvalue() and "2/2" in shown.getvalue()
    progress.close()
    assert shown.getvalue().endswith("\r\033[K")
