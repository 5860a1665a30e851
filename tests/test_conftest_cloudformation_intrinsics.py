"""conftest's reading of CloudFormation intrinsic functions against a reference evaluator.

Each generated template puts intrinsic functions (short form and long, nested) in the places the
rules read them: the trust's principals and condition values (Allow and Deny), an Allow's and a
Deny's ``Action``, ``NotAction`` and ``Resource``, a Deny's ``Effect``, the ``Roles`` or
``RoleName`` of a policy resource, a role's ``RoleName``, a ``PolicyName``, a policy document
written as JSON text. The reference evaluator (tests/cfn_intrinsics.py) resolves them with the
values the stack is deployed with; the resolved template, free of intrinsics, is the truth. The
property: when the resolved template fails or warns, the template with intrinsics must not pass
(no ``deny`` and no ``warn``): its reading must be the true value or unknown, never a value that
lets a non-compliant role through. (A template that resolves compliant may still fail: a value
known only at deploy time counts for nothing, docs/conftest.md.)
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from cfn_intrinsics import Case, Fn, base_actions, case, templates
from hypothesis import example, given, settings
from hypothesis import strategies as st
from iac_helpers import CONFTEST_DATA, REPO, find_conftest

BATCH = 16
# A tenth of the profile's examples, each a batch of templates checked by one conftest run: about
# 20 s on two cores under the default profile.
EXAMPLES = max(4, settings.default.max_examples // 10)

_RESOLVED_VERDICTS: dict[str, str] = {}


def verdicts(texts: list[tuple[str, str]]) -> list[str]:
    """``FAIL``, ``WARN`` or ``PASS`` for each (suffix, text), from one conftest run."""
    with tempfile.TemporaryDirectory(prefix="cfn-intrinsics-") as tmp:
        paths = []
        for i, (suffix, text) in enumerate(texts):
            path = Path(tmp) / f"t{i:03d}{suffix}"
            path.write_text(text)
            paths.append(str(path))
        command = [find_conftest(), "test", "--policy", "rego", "--data", "rego"]
        command += ["--data", str(CONFTEST_DATA / "selection.yaml")]
        command += ["--namespace", "vbaws.cloudformation", "--output", "json", "--no-color"]
        done = subprocess.run(
            [*command, *paths], cwd=REPO, capture_output=True, text=True, timeout=600
        )
        assert done.stdout, f"conftest printed nothing (exit {done.returncode}): {done.stderr}"
        results = {r["filename"]: r for r in json.loads(done.stdout)}
    out = []
    for path in paths:
        result = results[path]
        if result.get("failures"):
            out.append("FAIL")
        elif result.get("warnings"):
            out.append("WARN")
        else:
            out.append("PASS")
    return out


def check(batch: list[Case]) -> list[tuple[Case, str, str]]:
    """(case, verdict on the resolved template, verdict on the template with intrinsics)."""
    fresh = sorted({c.resolved for c in batch} - _RESOLVED_VERDICTS.keys())
    runs = [(".json", text) for text in fresh] + [(".yaml", c.yaml) for c in batch]
    found = verdicts(runs)
    _RESOLVED_VERDICTS.update(zip(fresh, found[: len(fresh)], strict=True))
    return [
        (case, _RESOLVED_VERDICTS[case.resolved], verdict)
        for case, verdict in zip(batch, found[len(fresh) :], strict=True)
    ]


def wrong_passes(batch: list[Case]) -> list[str]:
    """Templates that pass where the resolved template fails or warns."""
    base = ", ".join(f"'{a}'" for a in base_actions())
    return [
        f"resolved {truth}, read {read}:\n{case.yaml.replace(base, '<base actions>')}"
        for case, truth, read in check(batch)
        if truth != "PASS" and read == "PASS"
    ]


def _like(value: object) -> Case:
    return case({"trust_allow_condition": {"StringLike": {"aws:PrincipalArn": value}}})


# `!Join ['', !Split ['*', Role]]` arrives as ["", ["*", "Role"]]: read as "*Role" (CloudFormation
# gives "Role"), the Allow let the appliance in; the long form too.
SPLIT_IN_A_JOIN = [
    _like(Fn("Join", ["", Fn("Split", ["*", "Role"])])),
    _like(Fn("Join", ["", Fn("Split", ["*", "Role"])], short=False)),
]


# `Action: !Join ['*', [ec2:Copy, Image]]` arrives as ["*", ["ec2:Copy", "Image"]], read as the
# action "*" and one more: the Allow granted every action (Resource: every resource).
WILDCARD_JOIN = [
    case({"allow_action": Fn("Join", ["*", ["ec2:Copy", "Image"]])}),
    case({"allow_resource": Fn("Join", ["*", ["arn:aws:ec2:", ":", ":snapshot/"]])}),
]


@settings(max_examples=EXAMPLES)
@given(batch=st.lists(templates(), min_size=BATCH, max_size=BATCH))
@example(batch=SPLIT_IN_A_JOIN)
@example(batch=WILDCARD_JOIN)
def test_intrinsics_never_pass_a_template_that_resolves_non_compliant(batch: list[Case]) -> None:
    problems = wrong_passes(batch)
    assert not problems, "\n\n".join(problems)
