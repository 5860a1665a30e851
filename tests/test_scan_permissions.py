"""The scanner's documented permissions: read-only, and documented where they are granted."""

from __future__ import annotations

import re

from moto_server import ALWAYS_ALLOWED, REPO, SCANNER_POLICY, assert_read_only, load_policy_actions

DOC = REPO / "docs" / "scanner-permissions.md"


def test_policy_grants_only_read_only_actions() -> None:
    actions = load_policy_actions()
    assert actions, "the policy grants something"
    assert_read_only(actions)  # each is Get*/List*/Describe* or sts:AssumeRole
    assert not any("*" in action for action in actions), "no wildcard actions"


def test_document_lists_exactly_the_policy_actions() -> None:
    documented = set(re.findall(r"`((?:iam|sts|organizations):[A-Za-z]+)`", DOC.read_text()))
    assert documented == set(load_policy_actions()) | ALWAYS_ALLOWED


def test_read_only_check_rejects_writes_and_ungranted_reads() -> None:
    for call in ("iam:CreateRole", "iam:PutRolePolicy", "organizations:AttachPolicy"):
        try:
            assert_read_only([call])
        except AssertionError:
            continue
        raise AssertionError(f"{call} passed the read-only check")
    try:
        assert_read_only(["ec2:DescribeInstances"])  # read-only, but not in the policy
    except AssertionError as exc:
        assert SCANNER_POLICY.name in str(exc)
    else:
        raise AssertionError("an ungranted call passed")
