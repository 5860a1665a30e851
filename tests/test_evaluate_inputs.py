"""Loading and validating evaluation input: every bad input is exit 2 with a message naming the
file and the problem; good inputs are recognised and defaults applied as the contract says."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import FIXTURES, REPO, harness_env

from harness import inputs, scan_evaluation
from harness.aws.snapshot import ScanItem
from harness.cli import main
from harness.errors import InputError, UsageError
from harness.inputs import MAX_DEPTH

ARN = "arn:aws:iam::123456789012:role/R"
DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}

GAAD = FIXTURES / "evaluate" / "authorization-details.json"


def snapshot(name: str = "R", **extra: Any) -> dict[str, Any]:
    return {
        "role": {
            "arn": f"arn:aws:iam::123456789012:role/{name}",
            "policies": [{"name": "p", "type": "inline", "document": DOC}],
        },
        **extra,
    }


def write(tmp_path: Path, content: str | bytes, name: str = "input.json") -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def load_error(source: str) -> str:
    with pytest.raises(InputError) as info:
        inputs.load_input(source)
    assert info.value.exit_code == 2
    return str(info.value)


# --- files that are not JSON ---------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nope.json")
    assert load_error(path) == f"{path}: no such file"


def test_directory(tmp_path: Path) -> None:
    assert load_error(str(tmp_path)) == f"{tmp_path}: is a directory, not a JSON file"


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "  \n")
    assert load_error(path) == f"{path}: is empty, expected a JSON document"


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, '{\n  "role": {\n    "arn": ,\n  }\n}\n')
    assert load_error(path) == f"{path}: not valid JSON: line 3 column 12: Expecting value"


def test_not_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, b'{"role": "\xff"}')
    assert load_error(path) == f"{path}: not UTF-8 text (byte 10)"


def test_nan_is_not_json(tmp_path: Path) -> None:
    path = write(tmp_path, '{"role": NaN}')
    assert load_error(path) == f"{path}: not valid JSON: NaN is not a JSON value"


def test_a_repeated_key_is_bad_input(tmp_path: Path) -> None:
    # A second Condition would silently replace the first, so a Deny could change unseen.
    statement = (
        '{"Effect": "Deny", "Action": "kms:*", "Resource": "*", '
        '"Condition": {"Bool": {"aws:SecureTransport": "false"}}, "Condition": {}}'
    )
    path = write(
        tmp_path,
        f'{{"role": {{"arn": "{ARN}", "policies": [{{"name": "p", "document": '
        f'{{"Statement": [{statement}]}}}}]}}}}',
    )
    assert load_error(path) == (
        f'{path}: role.policies[0].document.Statement[0]: the key "Condition" appears more than '
        "once, and which value counts is ambiguous"
    )


def test_a_repeated_key_message_names_only_the_repeated_keys(tmp_path: Path) -> None:
    # Every key of the object would make a line of hundreds of kilobytes.
    pairs = [f'"k{i}": {i}' for i in range(50000)] + ['"k7": 0', '"k1": 0', '"k3": 0', '"k9": 0']
    path = write(tmp_path, f'{{"roles": [], "x": [{{{", ".join(pairs)}}}]}}')
    assert load_error(path) == (
        f'{path}: x[0]: the keys "k1", "k3", "k7" and 1 more appear more than once, and which '
        "values count is ambiguous"
    )


def nested_condition(depth: int) -> str:
    """A snapshot whose policy condition makes the document ``depth`` levels deep in all."""
    inner = '{"a":' * (depth - 7) + "1" + "}" * (depth - 7)
    document = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", '
        f'"Resource": "*", "Condition": {inner}}}]}}'
    )
    return f'{{"role": {{"arn": "{ARN}", "policies": [{{"name": "p", "document": {document}}}]}}}}'


@pytest.mark.parametrize(
    "content",
    [
        "[" * 5000 + "]" * 5000,  # beyond what Python's parser can nest: RecursionError there
        nested_condition(975),  # parsed, but too deep to be sent to OPA (RecursionError there)
        nested_condition(MAX_DEPTH + 1),
    ],
    ids=["5000", "975", "limit+1"],
)
def test_deep_nesting_is_bad_input(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, content)
    assert load_error(path) == (
        f"{path}: nested more than {MAX_DEPTH} levels deep, which no IAM input needs"
    )


def test_nesting_up_to_the_limit_is_accepted(tmp_path: Path) -> None:
    assert inputs.load_input(write(tmp_path, nested_condition(MAX_DEPTH))).shape == "snapshot"


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf" + json.dumps(snapshot()).encode())
    assert inputs.load_input(path).shape == "snapshot"


def test_stdin_is_named_stdin() -> None:
    with pytest.raises(InputError, match=r"^<stdin>: not valid JSON: line 1 column 1"):
        inputs.load_input("-", stdin=io.BytesIO(b"role: x"))


# --- JSON that is not one of the three shapes ---------------------------------------------


@pytest.mark.parametrize(
    ("content", "found"),
    [("[1, 2]", "array"), ('"x"', "string"), ("3", "number"), ("null", "null")],
)
def test_not_an_object(tmp_path: Path, content: str, found: str) -> None:
    path = write(tmp_path, content)
    message = load_error(path)
    assert message.startswith(f"{path}: found a JSON {found}; expected a role snapshot")


def test_unknown_object(tmp_path: Path) -> None:
    path = write(tmp_path, '{"Version": "2012-10-17", "Statement": []}')
    message = load_error(path)
    assert message.startswith(f"{path}: not a role snapshot (top-level keys: Statement, Version)")


def test_ambiguous_object(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({**snapshot(), "roles": []}))
    assert load_error(path).startswith(f"{path}: ambiguous input: has both 'role' and 'roles'")


# --- schema violations name the place -----------------------------------------------------


def test_batch_role_without_arn(tmp_path: Path) -> None:
    bad = snapshot("C")
    del bad["role"]["arn"]
    path = write(tmp_path, json.dumps({"roles": [snapshot("A"), snapshot("B"), bad]}))
    assert load_error(path) == f"{path}: roles[2].role: 'arn' is a required property"


def test_misspelled_boundary_key_is_rejected(tmp_path: Path) -> None:
    bad = snapshot()
    bad["role"]["permission_boundary"] = {"arn": "x", "document": DOC}
    path = write(tmp_path, json.dumps(bad))
    assert load_error(path) == (
        f"{path}: role: unknown key 'permission_boundary' (did you mean 'permissions_boundary'?)"
    )


def test_unknown_key_that_looks_like_permissions_is_rejected(tmp_path: Path) -> None:
    bad = snapshot()
    bad["role"]["boundary"] = {"arn": "x", "document": DOC}
    path = write(tmp_path, json.dumps(bad))
    assert load_error(path).startswith(
        f"{path}: role: unknown key 'boundary': it looks like it holds permissions"
    )


def test_other_unknown_keys_are_ignored_with_a_warning(tmp_path: Path) -> None:
    extra = snapshot()
    extra["source"] = "inventory"
    extra["role"]["description"] = "made by hand"
    extra["role"]["policies"][0]["version"] = "v3"
    path = write(tmp_path, json.dumps(extra))
    assert sorted(inputs.load_input(str(path)).warnings) == [
        f"{path}: role.policies[0]: unknown key 'version' is ignored",
        f"{path}: role: unknown key 'description' is ignored",
        f"{path}: top level: unknown key 'source' is ignored",
    ]


def test_role_without_policies_and_tags_as_a_list(tmp_path: Path) -> None:
    role = snapshot()
    del role["role"]["policies"]
    role["role"]["tags"] = [{"Key": "team", "Value": "backup"}]
    path = write(tmp_path, json.dumps(role))
    assert inputs.load_input(str(path)).warnings == []


def test_document_of_wrong_type(tmp_path: Path) -> None:
    bad = snapshot()
    bad["role"]["policies"][0]["document"] = 42
    path = write(tmp_path, json.dumps(bad))
    assert load_error(path) == (
        f"{path}: role.policies[0].document: 42 is not of type 'object', 'string'"
    )


def test_not_a_role_arn(tmp_path: Path) -> None:
    bad = snapshot()
    bad["role"]["arn"] = "arn:aws:iam::123456789012:user/alice"
    path = write(tmp_path, json.dumps(bad))
    assert load_error(path).startswith(
        f"{path}: role.arn: 'arn:aws:iam::123456789012:user/alice' does not match"
    )


def test_a_long_value_is_shortened_so_the_rule_it_breaks_is_still_said(tmp_path: Path) -> None:
    bad = snapshot()
    bad["role"]["arn"] = "arn:aws:iam::12345:role/" + "L" * 400
    path = write(tmp_path, json.dumps(bad))
    assert load_error(path) == (
        f"{path}: role.arn: 'arn:aws:iam::12345:role/LLL...{'L' * 28}' does not match "
        "'^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$'"
    )


def test_empty_checks(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps(snapshot(checks=[])))
    assert load_error(path) == f"{path}: checks: [] should be non-empty"


def test_empty_batch(tmp_path: Path) -> None:
    path = write(tmp_path, '{"roles": []}')
    assert load_error(path) == f"{path}: roles: [] should be non-empty"


def test_scp_level_without_target(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps(snapshot(scps=[{"policies": []}])))
    assert load_error(path) == f"{path}: scps[0]: 'target' is a required property"


def test_authorization_details_role_without_arn(tmp_path: Path) -> None:
    role = {"RoleName": "x", "RolePolicyList": [], "AttachedManagedPolicies": []}
    path = write(tmp_path, json.dumps({"RoleDetailList": [role]}))
    assert load_error(path) == f"{path}: RoleDetailList[0]: 'Arn' is a required property"


@pytest.mark.parametrize("key", ["RolePolicyList", "AttachedManagedPolicies"])
def test_authorization_details_role_without_a_policy_list(tmp_path: Path, key: str) -> None:
    """AWS always lists both, empty or not: a role without one (a hand-trimmed file) would be
    read as having no such policies, and an inline Deny could hide that way."""
    role = {"Arn": ARN, "RoleName": "R", "RolePolicyList": [], "AttachedManagedPolicies": []}
    del role[key]
    path = write(tmp_path, json.dumps({"RoleDetailList": [role]}))
    assert load_error(path) == f"{path}: RoleDetailList[0]: '{key}' is a required property"


def test_several_problems_are_counted(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({"roles": [{"role": {}}, {"role": {}}]}))
    message = load_error(path)
    assert message.startswith(f"{path}: roles[")
    assert message.endswith("(and 1 more problem)")


# --- good inputs --------------------------------------------------------------------------


def test_shapes_are_recognised(tmp_path: Path) -> None:
    single = inputs.load_input(write(tmp_path, json.dumps(snapshot()), "a.json"))
    batch = inputs.load_input(write(tmp_path, json.dumps({"roles": [snapshot()]}), "b.json"))
    role = {"Arn": ARN, "RoleName": "R", "RolePolicyList": [], "AttachedManagedPolicies": []}
    gaad = {"RoleDetailList": [role], "Policies": []}
    details = inputs.load_input(write(tmp_path, json.dumps(gaad), "c.json"))
    assert (single.shape, batch.shape, details.shape) == (
        "snapshot",
        "batch",
        "authorization_details",
    )
    assert single.role_arns() == batch.role_arns() == details.role_arns() == [ARN]


def test_documents_may_be_strings(tmp_path: Path) -> None:
    good = snapshot()
    good["role"]["policies"][0]["document"] = "%7B%22Version%22%3A%222012-10-17%22%7D"
    assert inputs.load_input(write(tmp_path, json.dumps(good))).data == good


def test_every_fixture_is_valid_against_the_published_schema() -> None:
    fixtures = sorted((Path(__file__).parent.parent / "fixtures" / "evaluate").glob("*.json"))
    assert fixtures, "fixtures/evaluate is empty: run scripts/make-fixtures"
    validator = jsonschema.Draft202012Validator(inputs.schema())
    jsonschema.Draft202012Validator.check_schema(inputs.schema())
    for path in fixtures:
        errors = list(validator.iter_errors(json.loads(path.read_text())))
        assert errors == [], path


def test_defaults_fill_a_snapshot_but_never_override_it() -> None:
    own = inputs.EvaluationInput("x", "snapshot", snapshot(checks=["worker_production"]))
    own.apply_defaults(checks=["ec2_backup"], appliance="111111111111")
    assert own.data["checks"] == ["worker_production"]
    assert own.data["appliance"] == {"principal": "111111111111"}


def test_defaults_fill_a_snapshot_s_own_null() -> None:
    # null is "not given" (docs/report.md), for the command line's defaults too.
    own = inputs.EvaluationInput("x", "snapshot", snapshot(checks=None, appliance=None))
    own.apply_defaults(checks=["worker_production"], appliance="111111111111")
    assert own.data["checks"] == ["worker_production"]
    assert own.data["appliance"] == {"principal": "111111111111"}


def test_null_optional_keys_mean_not_given(run_harness, tmp_path: Path) -> None:
    # docs/report.md: permissions_boundary, scps, appliance and tags are optional, and null
    # means the same as leaving the key out (checks too: the default). A producer that writes
    # its empty fields as null gets an evaluation, not a bad-input exit.
    role = json.loads((FIXTURES / "evaluate" / "veeam-ec2-backup.json").read_text())
    role["role"].update(permissions_boundary=None, tags=None)
    role.update(scps=None, appliance=None, checks=None)
    path = write(tmp_path, json.dumps(role))
    result = run_harness("evaluate", "--input", path, "--format", "json")
    assert result.returncode == 0, result.stderr
    (report,) = json.loads(result.stdout)["reports"]
    assert (report["compliant"], list(report["checks"]), report["trust"]["checked"]) == (
        True,
        ["ec2_backup"],
        False,
    )
    assert report["layers"] == {"identity": True, "boundary": False, "scps": False}

    # A batch element's null takes the batch's value, here an SCP level that allows nothing,
    # and the command line fills a null as it fills a missing key.
    deny_all = {"target": "r-root", "policies": []}
    batch = {"roles": [dict(role, role=dict(role["role"], name="B"))], "scps": [deny_all]}
    path = write(tmp_path, json.dumps(batch), name="batch.json")
    appliance = "arn:aws:iam::222222222222:role/Other"
    result = run_harness("evaluate", "--input", path, "--appliance", appliance)
    assert result.returncode == 1, result.stderr
    (report,) = json.loads(result.stdout)["reports"]
    assert report["layers"]["scps"] is True
    assert report["checks"]["ec2_backup"]["compliant"] is False
    assert report["trust"] == {"checked": True, "appliance_can_assume": False, "conditions": []}


def test_a_policy_s_error_is_read_not_ignored(run_harness, tmp_path: Path) -> None:
    # The engine counts a policy entry that says why it could not be read as unreadable: the
    # harness must not tell the user that the key is ignored.
    role = snapshot(
        scps=[{"target": "r-1", "policies": [{"name": "F", "document": DOC, "error": "denied"}]}]
    )
    role["role"]["policies"][0]["error"] = "GetPolicyVersion: AccessDenied"
    role["role"]["permissions_boundary"] = {"arn": "B", "document": DOC, "error": "denied too"}
    path = write(tmp_path, json.dumps(role))
    assert inputs.load_input(path).warnings == []
    result = run_harness("evaluate", "--input", path, "--format", "json")
    assert (result.returncode, result.stderr) == (1, "")
    (report,) = json.loads(result.stdout)["reports"]
    assert [f["message"] for f in report["findings"] if f["id"] == "VBAWS-INVALID-POLICY"] == [
        'inline policy "p": GetPolicyVersion: AccessDenied',
        'permissions boundary "B": denied too',
        'service control policy "F" at r-1: denied',
    ]


def test_defaults_replace_a_batch_default_but_not_a_role_setting() -> None:
    data = {"roles": [snapshot("A", checks=["worker_production"]), snapshot("B")]}
    data["checks"] = ["worker_production"]
    batch = inputs.EvaluationInput("x", "batch", data)
    batch.apply_defaults(checks=["ec2_backup"], appliance=None)
    assert batch.data["checks"] == ["ec2_backup"]
    assert batch.data["roles"][0]["checks"] == ["worker_production"]
    assert "checks" not in batch.data["roles"][1]
    assert "appliance" not in batch.data


def test_batch_chunks_keep_order_and_shared_settings() -> None:
    roles = [snapshot(f"R{i}") for i in range(5)]
    batch = inputs.EvaluationInput("x", "batch", {"roles": roles, "checks": ["ec2_backup"]})
    chunks = list(batch.chunks(size=2))
    assert [len(c["roles"]) for c in chunks] == [2, 2, 1]
    assert [r for c in chunks for r in c["roles"]] == roles
    assert all(c["checks"] == ["ec2_backup"] for c in chunks)


def test_unknown_check_in_file_names_file_and_place() -> None:
    data = {"roles": [snapshot("A"), snapshot("B", checks=["ec2_backup", "ec2_restore"])]}
    batch = inputs.EvaluationInput("batch.json", "batch", data)
    with pytest.raises(InputError) as info:
        batch.check_known(["ec2_backup", "worker_production"])
    assert str(info.value) == (
        "batch.json: roles[1].checks: unknown check 'ec2_restore' "
        "(known: ec2_backup, worker_production)"
    )


def test_unknown_check_on_command_line() -> None:
    with pytest.raises(UsageError, match=r"^--checks: unknown check 'nope' \(known: ec2_backup\)"):
        inputs.check_ids_known(["ec2_backup", "nope"], ["ec2_backup"])


# --- through the command line: exit 2, message on stderr, no traceback --------------------


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not valid JSON: line 1 column 2"),
        ('{"hello": 1}', "not a role snapshot (top-level keys: hello)"),
        ('{"roles": [{"role": {"policies": []}}]}', "roles[0].role: 'arn' is a required property"),
    ],
)
def test_cli_bad_input_exits_2(run_harness, tmp_path: Path, content: str, problem: str) -> None:
    path = write(tmp_path, content, "bad.json")
    result = run_harness("evaluate", "--input", path, "--format", "json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {path}: {problem}")
    assert "Traceback" not in result.stderr


def _gaad_role(**overrides: Any) -> dict[str, Any]:
    role = json.loads(GAAD.read_text())["RoleDetailList"][1]
    return {"RoleDetailList": [{**role, **overrides}], "Policies": []}


CONDITIONAL_DOC = {
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "NUMBER"}},
        }
    ]
}
WHERE_NUMBER = "Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge"


def _with_number(document: Any, number: str) -> str:
    return json.dumps(document).replace('"NUMBER"', number)


@pytest.mark.parametrize(
    ("command", "content", "problem"),
    [
        (
            "evaluate",
            json.dumps(snapshot()).replace(json.dumps(DOC), '"\\ud800"'),
            "role.policies[0].document: '\\ud800' holds a lone surrogate",
        ),
        (
            "evaluate",
            json.dumps({"roles": [snapshot(tags={"a\udfffb": "v"})]}),
            "roles[0].tags: the key 'a\\udfffb' holds a lone surrogate",
        ),
        (
            "scan",
            json.dumps(_gaad_role(RoleName="X\ud800Y")),
            "RoleDetailList[0].RoleName: 'X\\ud800Y' holds a lone surrogate",
        ),
        (
            "evaluate",
            json.dumps(snapshot()).replace(json.dumps(DOC), _with_number(CONDITIONAL_DOC, "1e400")),
            "role.policies[0].document." + WHERE_NUMBER + ": the number 1e400 cannot be carried",
        ),
        (
            "scan",
            _with_number(
                _gaad_role(RolePolicyList=[{"PolicyName": "p", "PolicyDocument": CONDITIONAL_DOC}]),
                "-1e400",
            ),
            "RoleDetailList[0].RolePolicyList[0].PolicyDocument."
            + WHERE_NUMBER
            + ": the number -1e400 cannot be carried",
        ),
        (
            "evaluate",
            _with_number({"roles": [snapshot()], "x": "NUMBER"}, "1e-400"),
            "x: the number 1e-400 cannot be carried exactly",
        ),
        (
            "evaluate",
            _with_number({"roles": [snapshot()], "x": ["NUMBER"]}, "-" + "9" * 5000),
            "x[0]: the integer -9999999999999999999... has 5000 digits, more than the 4300 a "
            "number may have",
        ),
    ],
    ids=[
        "surrogate-document",
        "surrogate-key",
        "surrogate-role-name",
        "infinite-condition",
        "infinite-condition-gaad",
        "zero-underflow",
        "long-integer",
    ],
)
def test_cli_values_that_cannot_be_sent_on_are_bad_input(
    run_harness, tmp_path: Path, command: str, content: str, problem: str
) -> None:
    """JSON can spell a lone surrogate (not a character: no UTF-8 request can carry it) and
    numbers beyond a float; each is bad input naming the file and the place, not a traceback."""
    path = write(tmp_path, content, "bad.json")
    option = "--input" if command == "evaluate" else "--from-file"
    args = [command, option, path, "--format", "json"]
    result = run_harness(*args, *(["--all-roles"] if command == "scan" else []))
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr.startswith(f"error: {path}: {problem}"), result.stderr
    assert "Traceback" not in result.stderr


def test_numbers_and_characters_json_carries_are_read_unchanged(tmp_path: Path) -> None:
    text = '{"roles": [], "n": [0.1, 2.5e-5, -0.0, 1E2, 123456789012345678901234567890],'
    text += ' "s": "\\ud83d\\ude00 \\u00e9"}'
    _, data = inputs.read_json(write(tmp_path, text))
    assert data == {
        "roles": [],
        "n": [0.1, 2.5e-5, -0.0, 100.0, 123456789012345678901234567890],
        "s": "\U0001f600 \u00e9",
    }


def test_cli_missing_file_exits_2(run_harness, tmp_path: Path) -> None:
    result = run_harness("evaluate", "--input", "fixtures/evaluate/missing.json")
    assert (result.returncode, result.stderr) == (
        2,
        "error: fixtures/evaluate/missing.json: no such file\n",
    )


def test_cli_bad_stdin_exits_2(run_harness) -> None:
    result = run_harness("evaluate", "--input", "-", input="[]")
    assert result.returncode == 2
    assert result.stderr.startswith("error: <stdin>: found a JSON array")


@pytest.mark.parametrize(
    ("redirect", "problem"),
    [("<&-", "standard input is closed"), ("0>/dev/null", "cannot read: Bad file descriptor")],
    ids=["closed", "write-only"],
)
@pytest.mark.parametrize(
    "command",
    [["evaluate", "--input", "-"], ["scan", "--from-file", "-", "--all-roles"]],
    ids=["evaluate", "scan"],
)
def test_cli_stdin_that_cannot_be_read_exits_2(
    command: list[str], redirect: str, problem: str
) -> None:
    harness = [sys.executable, "-m", "harness", *command]
    shell = ["sh", "-c", f'exec "$@" {redirect}', "sh", *harness]
    result = subprocess.run(shell, capture_output=True, text=True, cwd=REPO, env=harness_env())
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        f"error: <stdin>: {problem}\n",
    )


def test_cli_deeply_nested_input_exits_2(run_harness, tmp_path: Path) -> None:
    path = write(tmp_path, "[" * 1000 + "]" * 1000, "deep.json")
    result = run_harness("evaluate", "--input", path)
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        f"error: {path}: nested more than {MAX_DEPTH} levels deep, which no IAM input needs\n",
    )


# Input text that must not reach a terminal raw: a screen clear, a line break that could
# forge a line of its own, a right-to-left override; and how messages show it.
CONTROL = "\x1b[2J\nX\u202e"
CONTROL_SHOWN = "\\x1b[2J\\x0aX\\u202e"


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("in.json", {CONTROL: 1}, f"not a role snapshot (top-level keys: {CONTROL_SHOWN});"),
        ("in.json", {"role": {"arn": ARN, "tags": {CONTROL: 1}}}, f"role.tags.{CONTROL_SHOWN}: 1"),
        (f"{CONTROL}.json", {}, "not a role snapshot (top-level keys: none);"),
    ],
    ids=["top-level-key", "path", "file-name"],
)
def test_input_text_in_an_error_is_one_line_with_escapes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, content: Any, problem: str
) -> None:
    path = write(tmp_path, json.dumps(content), name)
    assert main(["evaluate", "--input", path]) == 2
    stderr = capsys.readouterr().err
    shown = path.replace(CONTROL, CONTROL_SHOWN)
    assert stderr.startswith(f"error: {shown}: {problem}"), stderr
    assert stderr.count("\n") == 1 and not {"\x1b", "\u202e"} & set(stderr)


def test_roles_not_evaluated_are_named_one_line_each_with_escapes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    item = ScanItem(f"{ARN}{CONTROL}", error=f"policy {CONTROL} is missing")
    scan_evaluation.print_failures([item], None)
    assert capsys.readouterr().err == (
        f"error: {ARN}{CONTROL_SHOWN}: not evaluated: policy {CONTROL_SHOWN} is missing\n"
    )


def bad_principal(option: str, value: str) -> str:
    return (
        f"error: {option} expects a role ARN, an account id (12 digits) or an account root ARN "
        f"(arn:aws:iam::ACCOUNT:root), got {value!r}\n"
    )


@pytest.mark.parametrize(
    "command",
    [
        ["evaluate", "--input", str(FIXTURES / "evaluate" / "veeam-ec2-backup.json")],
        ["scan", "--from-file", str(GAAD), "--all-roles"],
    ],
    ids=["evaluate", "scan"],
)
@pytest.mark.parametrize("value", ["garbage", "arn:aws:s3:::bucket/key", "12345678901"])
def test_bad_appliance_is_usage_error_in_both_commands(
    capsys: pytest.CaptureFixture[str], command: list[str], value: str
) -> None:
    assert main([*command, "--appliance", value]) == 2
    assert capsys.readouterr() == ("", bad_principal("--appliance", value))


def test_trusted_by_is_checked_as_the_appliance_it_becomes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    value = "arn:aws:s3:::bucket/key"
    assert main(["scan", "--from-file", str(GAAD), "--trusted-by", value]) == 2
    assert capsys.readouterr() == ("", bad_principal("--trusted-by", value))


def test_cli_unknown_format_is_usage_error(run_harness) -> None:
    path = "fixtures/evaluate/veeam-ec2-backup.json"
    result = run_harness("evaluate", "--input", path, "--format", "yaml")
    assert result.returncode == 2
    assert "invalid choice: 'yaml'" in result.stderr


def test_authorization_details_chunks_carry_only_the_policies_they_use() -> None:
    def policy(arn: str) -> dict[str, Any]:
        return {"Arn": arn, "PolicyVersionList": [{"Document": DOC, "IsDefaultVersion": True}]}

    def detail(name: str, attached: list[str], boundary: str | None = None) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "Arn": f"arn:aws:iam::123456789012:role/{name}",
            "RoleName": name,
            "AttachedManagedPolicies": [{"PolicyArn": arn} for arn in attached],
        }
        if boundary:
            entry["PermissionsBoundary"] = {"PermissionsBoundaryArn": boundary}
        return entry

    data = {
        "RoleDetailList": [detail("A", ["p1"]), detail("B", ["p2"], "p3"), detail("C", [])],
        "Policies": [policy("p1"), policy("p2"), policy("p3"), policy("unused")],
        "UserDetailList": [{"UserName": "u"}],
        "appliance": {"principal": "111111111111"},
    }
    chunks = list(inputs.EvaluationInput("x", "authorization_details", data).chunks(size=2))
    assert chunks == [
        {
            "RoleDetailList": data["RoleDetailList"][:2],
            "Policies": data["Policies"][:3],
            "appliance": {"principal": "111111111111"},
        },
        {
            "RoleDetailList": data["RoleDetailList"][2:],
            "Policies": [],
            "appliance": {"principal": "111111111111"},
        },
    ]
