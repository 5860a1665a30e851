"""The whole-document statement check against the statement-by-statement one, through a real OPA.

The engine validates a document's statements with one regex over the document's JSON text
(``_well_formed_document``) and checks statement by statement only when that regex refuses.
The regex may refuse a valid statement (it then costs time) but must never accept one that
the statement-by-statement check (``_well_formed``) refuses: an invalid statement would be
evaluated instead of reported. Generated statements start valid and are then bent, one part
at a time, into every shape JSON allows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import strategies as S
from hypothesis import given
from hypothesis import strategies as st

# For each statement: what the whole-document regex says of it alone, what it says of it
# among plain statements, and what the statement-by-statement check says.
QUERY = """
results := [[alone, among, valid] |
    some s in input.statements
    alone := regex.match(data.vbaws.iam.policy._well_formed_document, json.marshal([s]))
    among := regex.match(
        data.vbaws.iam.policy._well_formed_document,
        json.marshal(array.concat(input.plain, [s])),
    )
    valid := count([1 | data.vbaws.iam.policy._well_formed(s, "identity")]) > 0
]
"""

# Characters that JSON escapes, that the regex reads as structure, or that IAM reads as
# wildcards or separators.
AWKWARD = '"\\\n\t<>&{}[],:*?$ \u2028é\x00'

KEYS = ["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"]

OPERATORS = [
    "StringEquals", "StringNotEqualsIgnoreCaseIfExists", "ForAnyValue:StringLike",
    "ForAllValues:ArnNotLikeIfExists", "NumericLessThanEquals", "DateGreaterThan", "Bool",
    "BinaryEquals", "IpAddress", "NotIpAddressIfExists", "Null", "NullIfExists", "stringequals",
    "ForAllValues:", "StringEqualsIfExistsIgnoreCase", "IfExists", "",
]  # fmt: skip

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=AWKWARD + "abc", max_size=4),
)  # fmt: skip
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=2)
    ),
    max_leaves=6,
)  # fmt: skip


@st.composite
def awkward_string(draw: st.DrawFn, base: str) -> str:
    """``base`` with a few awkward characters put in, or replaced by them."""
    text = base
    for _ in range(draw(st.integers(1, 2))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(AWKWARD)) + text[at:]
    return draw(st.sampled_from([text, text.upper(), "", " "]))


@st.composite
def bent(draw: st.DrawFn, value: Any) -> Any:
    """``value`` (a part of a valid statement) bent out of shape, or left as it is."""
    if isinstance(value, str):
        return draw(awkward_string(value) | st.just([value]) | json_values)
    if isinstance(value, list):
        choice = draw(st.integers(0, 4))
        if choice == 0:
            return []
        if choice == 1:
            return [value]  # nested list
        if choice == 2:
            return [*value, draw(json_values)]
        if choice == 3 and value:
            return [draw(bent(value[0])), *value[1:]]
        return draw(json_values)
    if isinstance(value, dict):  # a Condition
        choice = draw(st.integers(0, 3))
        if choice == 0:
            return {}
        if choice == 1:
            operator = draw(st.sampled_from(OPERATORS))
            return {**value, operator: draw(st.dictionaries(
                st.text(alphabet=AWKWARD + "aws:k", max_size=6), json_values, max_size=2,
            ))}  # fmt: skip
        if choice == 2:
            return {key: draw(json_values) for key in value}
        return draw(json_values)
    return draw(json_values)


@st.composite
def odd_statement(draw: st.DrawFn) -> Any:
    statement = draw(S.statement())
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.integers(0, 3))
        keys = sorted(statement)
        if kind == 0:
            key = draw(st.sampled_from(keys))
            statement[key] = draw(bent(statement[key]))
        elif kind == 1:
            del statement[draw(st.sampled_from(keys))]
        elif kind == 2:
            key = draw(st.sampled_from([*KEYS, "Principal", "effect", "Resources", "Id"]))
            statement[key] = draw(json_values)
        else:
            key = draw(st.sampled_from(keys))
            statement[key.lower() if draw(st.booleans()) else key.upper()] = statement.pop(key)
    return statement if draw(st.integers(0, 30)) else draw(json_values)


@pytest.fixture(scope="module")
def client(opa_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=opa_url, timeout=60) as connected:
        yield connected


def checked(client: httpx.Client, statements: list[Any], plain: list[Any]) -> list[list[bool]]:
    response = client.post(
        "/v1/query", json={"query": QUERY, "input": {"statements": statements, "plain": plain}}
    )
    response.raise_for_status()
    (result,) = response.json()["result"]
    results: list[list[bool]] = result["results"]
    return results


@given(
    statements=st.lists(odd_statement(), min_size=1, max_size=20),
    plain=st.lists(S.statement(), max_size=3),
)
def test_the_whole_document_check_accepts_only_valid_statements(
    client: httpx.Client, statements: list[Any], plain: list[Any]
) -> None:
    for statement, (alone, among, valid) in zip(
        statements, checked(client, statements, plain), strict=True
    ):
        assert valid or not (alone or among), statement
        assert alone == among, statement


@given(st.lists(S.statement(), min_size=1, max_size=6))
def test_generated_valid_statements_mostly_take_the_whole_document_check(
    client: httpx.Client, statements: list[dict[str, Any]]
) -> None:
    results = checked(client, statements, [])
    assert all(valid for _, _, valid in results)
    # The generator's statements are spelled as the managed policies spell theirs: the
    # regex must take them all, or the corpus would be checked statement by statement.
    assert all(alone for alone, _, _ in results), statements
