"""Role selection and trust-policy matching (pure functions, no AWS)."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest

from harness.aws.selection import RoleSelector, appliance_principal, trust_names_principal
from harness.errors import UsageError

APPLIANCE = "arn:aws:iam::111111111111:role/Impersonation"


def trust(principal: object, effect: str = "Allow") -> dict[str, object]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": effect, "Principal": principal, "Action": "sts:AssumeRole"}],
    }


@pytest.mark.parametrize(
    ("principal", "given", "expected"),
    [
        ({"AWS": APPLIANCE}, APPLIANCE, True),
        ({"AWS": [APPLIANCE, "arn:aws:iam::999999999999:root"]}, APPLIANCE, True),
        ({"AWS": "111111111111"}, APPLIANCE, True),  # the account delegates to its roles
        ({"AWS": "arn:aws:iam::111111111111:root"}, APPLIANCE, True),
        ({"AWS": "arn:aws:iam::111111111111:role/Other"}, APPLIANCE, False),
        ({"AWS": "arn:aws:iam::111111111111:role/Other"}, "111111111111", True),
        ({"AWS": "arn:aws:iam::222222222222:root"}, "111111111111", False),
        ({"AWS": "*"}, APPLIANCE, False),
        ("*", APPLIANCE, False),
        ({"Service": "ec2.amazonaws.com"}, APPLIANCE, False),
        # A role name is unique in its account whatever its path or case: the appliance's role.
        ({"AWS": "arn:aws:iam::111111111111:role/ops/Impersonation"}, APPLIANCE, True),
        ({"AWS": "arn:aws:iam::111111111111:role/IMPERSONATION"}, APPLIANCE, True),
        ({"AWS": APPLIANCE}, "arn:aws:iam::111111111111:role/ops/Impersonation", True),
        ({"AWS": APPLIANCE}, "arn:aws:sts::111111111111:assumed-role/Impersonation/i-0abc", True),
        ({"AWS": "arn:aws:iam::222222222222:role/Impersonation"}, APPLIANCE, False),
        ({"AWS": "arn:aws:iam::111111111111:user/Impersonation"}, APPLIANCE, False),
        ({"AWS": "arn:aws:iam::111111111111:role/Impersonation2"}, APPLIANCE, False),
    ],
)
def test_trust_names_principal(principal: object, given: str, expected: bool) -> None:
    assert trust_names_principal(trust(principal), given) is expected


def test_deny_statements_do_not_count() -> None:
    assert trust_names_principal(trust({"AWS": APPLIANCE}, "Deny"), APPLIANCE) is False


def test_trust_policy_as_url_encoded_string() -> None:
    encoded = urllib.parse.quote(json.dumps(trust({"AWS": APPLIANCE})))
    assert trust_names_principal(encoded, APPLIANCE) is True
    assert trust_names_principal("not json", APPLIANCE) is False


def test_trust_policy_naming_a_key_twice_is_selected_when_it_mentions_the_account() -> None:
    # The scan keeps such a document as text (decode_policy_document): read with its last
    # "Principal" only, the role would not be selected and would go unscanned, while the
    # engine would have reported the repeated key.
    statement = (
        '{"Effect": "Allow", "Principal": {"AWS": "%s"}, '
        '"Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"}'
    )
    named = '{"Version": "2012-10-17", "Statement": [%s]}' % (statement % APPLIANCE)
    other = named.replace("111111111111", "333333333333")
    assert trust_names_principal(named, APPLIANCE) is True
    assert trust_names_principal(named, "111111111111") is True
    assert trust_names_principal(urllib.parse.quote(named), APPLIANCE) is True
    assert trust_names_principal(other, APPLIANCE) is False


def test_selection_needs_a_choice() -> None:
    with pytest.raises(UsageError, match="--all-roles"):
        RoleSelector.from_args(None, None, None, False)


@pytest.mark.parametrize("tag", ["novalue", "=value"])
def test_bad_tag(tag: str) -> None:
    with pytest.raises(UsageError, match="KEY=VALUE"):
        RoleSelector.from_args(None, [tag], None, False)


@pytest.mark.parametrize("role", ["", " "])
def test_empty_role_name(role: str) -> None:
    with pytest.raises(UsageError, match="--role expects a role name or ARN"):
        RoleSelector.from_args(["A", role], None, None, False)


def test_empty_role_name_is_bad_usage_of_scan(run_harness: Any) -> None:
    result = run_harness("scan", "--role=", "--opa-url", "http://127.0.0.1:1")
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        "error: --role expects a role name or ARN, got ''\n",
    )


@pytest.mark.parametrize("args", [(["Caf\udce9"], None), (None, ["team=b\udce9"])])
def test_arguments_that_are_not_utf8_are_bad_usage(args: tuple[Any, Any]) -> None:
    # What Python makes of `--role $'Caf\xe9'`: a saved scan recording it could not be read back.
    roles, tags = args
    with pytest.raises(UsageError, match="is not UTF-8 text"):
        RoleSelector.from_args(roles, tags, None, False)


def test_bad_trusted_by() -> None:
    with pytest.raises(UsageError, match="--trusted-by"):
        RoleSelector.from_args(None, None, "Impersonation", False)


def test_filters_combine() -> None:
    selector = RoleSelector.from_args(["A", "arn:aws:iam::1:role/x/B"], ["k=v", "e="], None, False)
    role = {"RoleName": "A", "Arn": "arn:aws:iam::1:role/A", "Tags": [{"Key": "k", "Value": "v"}]}
    assert not selector.matches(role)  # tag e= missing
    role["Tags"].append({"Key": "e", "Value": ""})
    assert selector.matches(role)
    other = dict(role, RoleName="B", Arn="arn:aws:iam::1:role/x/B")
    assert selector.matches(other)
    assert not selector.matches(dict(role, RoleName="C", Arn="arn:aws:iam::1:role/C"))


@pytest.mark.parametrize(
    ("document", "kept"),
    [
        (None, True),  # an answer without it: whom the role trusts is not said
        ("not json", True),  # cannot be read, so cannot say the appliance is not let in
        ("%7B%22Statement%22%3A%5B%5D%7D", False),  # read: it lets no one in
        (trust("arn:aws:iam::222222222222:role/Other"), False),
    ],
)
def test_trusted_by_keeps_a_role_whose_trust_cannot_be_read(document: Any, kept: bool) -> None:
    selector = RoleSelector.from_args(None, None, APPLIANCE, False)
    role = {"RoleName": "A", "Arn": "arn:aws:iam::1:role/A"}
    if document is not None:
        role["AssumeRolePolicyDocument"] = document
    assert selector.matches(role) is kept


ROOT = "arn:aws:iam::111111111111:root"


@pytest.mark.parametrize(
    ("trusted_by", "appliance", "expected"),
    [
        (None, None, None),
        (None, APPLIANCE, APPLIANCE),
        (APPLIANCE, None, APPLIANCE),  # the role ARN names the appliance itself
        (APPLIANCE, APPLIANCE, APPLIANCE),
        (ROOT, None, ROOT),  # the account root: what the engine accepts, what the selector keeps
        ("111111111111", None, None),  # any principal of the account: a selection only
        ("111111111111", APPLIANCE, APPLIANCE),
        ("111111111111", ROOT, ROOT),
        ("111111111111", "111111111111", "111111111111"),
    ],
)
def test_appliance_principal(
    trusted_by: str | None, appliance: str | None, expected: str | None
) -> None:
    assert appliance_principal(trusted_by, appliance) == expected


@pytest.mark.parametrize(
    ("trusted_by", "appliance", "message"),
    [
        (APPLIANCE, "arn:aws:iam::111111111111:role/Other", "--trusted-by already names"),
        ("222222222222", APPLIANCE, "is not in account 222222222222"),
        ("222222222222", "111111111111", "is not in account 222222222222"),
    ],
)
def test_appliance_principal_conflicts(trusted_by: str, appliance: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        appliance_principal(trusted_by, appliance)


@pytest.mark.parametrize(
    "value", ["arn:aws:s3:::bucket/key", "arn:aws:iam::1:role/x", "arn:x:y:z:w:v"]
)
def test_trusted_by_must_be_a_principal_the_engine_accepts(value: str) -> None:
    with pytest.raises(UsageError, match="--trusted-by"):
        RoleSelector.from_args(None, None, value, False)
