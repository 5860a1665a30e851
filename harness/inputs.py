"""Load and validate evaluation input files (contract section 2).

Three shapes are accepted: one role snapshot (``{"role": ...}``), the batch form
(``{"roles": [...]}``) and the raw output of ``aws iam get-account-authorization-details``
(``{"RoleDetailList": [...], ...}``). Anything else is an :class:`InputError` naming the file and,
for schema violations, the place in the document (``roles[2].role: 'arn' is a required property``).
Policy documents themselves are left to the engine, which reports invalid ones as findings.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import reprlib
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import IO, Any, Literal

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from harness import package_data
from harness.errors import InputError, UsageError

Shape = Literal["snapshot", "batch", "authorization_details"]
SHAPES: tuple[Shape, ...] = ("snapshot", "batch", "authorization_details")

SCHEMA_PATH = package_data.schema_path()
STDIN_NAME = "<stdin>"
# Batch inputs are sent to OPA this many roles at a time, so a failure part-way still leaves the
# roles evaluated so far in the output (contract section 4, exit code 3).
CHUNK_SIZE = 250
# Keys of the batch form that apply to every role lacking its own.
ROLE_DEFAULT_KEYS = ("scps", "appliance", "checks")
_MAX_MESSAGE = 300
# A value quoted in a schema message is shortened to about this many characters.
_MAX_VALUE_SHOWN = 60
_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxstring = _SHORT_REPR.maxother = _MAX_VALUE_SHOWN
_SHORT_REPR.maxlong = 40
# Deepest nesting accepted in an input file. IAM documents nest a handful of levels and a
# GetAccountAuthorizationDetails file about ten more; Python's parser and encoder give up
# (RecursionError) a little under 1,000, so a clear limit well below that is checked instead.
MAX_DEPTH = 100
# An unknown key whose name says it holds permissions is an error, not a warning: ignoring it
# could make a role look more permitted than it is.
_PERMISSION_WORDS = ("polic", "bound", "trust", "scp", "document", "permission", "statement")


@dataclass
class EvaluationInput:
    """A validated input document: ``name`` is what error messages call it."""

    name: str
    shape: Shape
    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def role_arns(self) -> list[str]:
        """The ARN of every role in the input, in input order."""
        if self.shape == "snapshot":
            return [self.data["role"]["arn"]]
        if self.shape == "batch":
            return [snapshot["role"]["arn"] for snapshot in self.data["roles"]]
        return [detail["Arn"] for detail in self.data["RoleDetailList"]]

    def chunks(self, size: int = CHUNK_SIZE) -> Iterator[dict[str, Any]]:
        """The input split into documents of at most ``size`` roles, same shape, in order.

        A GetAccountAuthorizationDetails chunk keeps only the managed policies its roles use
        (attached or as boundary), so requests stay small however many policies the account has.
        """
        if self.shape == "snapshot":
            yield self.data
            return
        key = "roles" if self.shape == "batch" else "RoleDetailList"
        roles = self.data[key]
        shared = {k: v for k, v in self.data.items() if k in ROLE_DEFAULT_KEYS}
        for start in range(0, len(roles), size):
            chunk = {**shared, key: roles[start : start + size]}
            if self.shape == "authorization_details":
                chunk["Policies"] = _policies_used(chunk[key], self.data.get("Policies", []))
            yield chunk

    def apply_defaults(self, *, checks: list[str] | None, appliance: str | None) -> None:
        """Command-line ``--checks`` / ``--appliance`` for every role that lacks its own."""
        defaults: dict[str, Any] = {}
        if checks:
            defaults["checks"] = checks
        if appliance:
            defaults["appliance"] = {"principal": appliance}
        if self.shape == "snapshot":
            for key, value in defaults.items():
                # A snapshot's own null means "not given" (docs/report.md), as a missing key.
                if self.data.get(key) is None:
                    self.data[key] = value
        else:
            # Batch and authorization-details documents carry role defaults at the top level;
            # the command line's choice replaces the file's default, never a role's own setting.
            self.data.update(defaults)

    def requested_checks(self) -> Iterator[tuple[str, list[str]]]:
        """(where, check ids) for every ``checks`` list in the document."""
        if isinstance(self.data.get("checks"), list):
            yield "checks", self.data["checks"]
        if self.shape == "batch":
            for index, snapshot in enumerate(self.data["roles"]):
                if isinstance(snapshot.get("checks"), list):
                    yield f"roles[{index}].checks", snapshot["checks"]

    def check_known(self, known: Iterable[str]) -> None:
        """InputError when the document asks for a requirement set the bundle does not have."""
        known_ids = sorted(known)
        for where, ids in self.requested_checks():
            for check_id in ids:
                if check_id not in known_ids:
                    raise InputError(
                        f"{self.name}: {where}: unknown check {check_id!r} "
                        f"(known: {', '.join(known_ids)})"
                    )


def _policies_used(details: list[dict[str, Any]], policies: list[Any]) -> list[Any]:
    """The entries of a GAAD ``Policies`` list that ``details`` attach or use as boundary."""
    used = {
        attached.get("PolicyArn")
        for detail in details
        for attached in detail.get("AttachedManagedPolicies") or []
    }
    used |= {
        (detail.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        for detail in details
    }
    return [p for p in policies if isinstance(p, dict) and p.get("Arn") in used]


def check_ids_known(checks: Iterable[str], known: Iterable[str]) -> None:
    """UsageError for a ``--checks`` id that the loaded bundle does not define."""
    known_ids = sorted(known)
    for check_id in checks:
        if check_id not in known_ids:
            raise UsageError(
                f"--checks: unknown check {check_id!r} (known: {', '.join(known_ids)})"
            )


def read_json(source: str, stdin: IO[bytes] | None = None) -> tuple[str, Any]:
    """(name, parsed JSON) of a file path, or of standard input when ``source`` is ``-``."""
    if source == "-":
        name = STDIN_NAME
        raw = _read_stdin(stdin)
    else:
        name = source
        try:
            raw = Path(source).read_bytes()
        except FileNotFoundError:
            raise InputError(f"{name}: no such file") from None
        except IsADirectoryError:
            raise InputError(f"{name}: is a directory, not a JSON file") from None
        except OSError as exc:
            raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise InputError(f"{name}: is empty, expected a JSON document")
    too_deep = f"{name}: nested more than {MAX_DEPTH} levels deep, which no IAM input needs"
    try:
        data, suspect = _loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{name}: not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except ValueError as exc:
        raise InputError(f"{name}: not valid JSON: {exc}") from None
    except RecursionError:
        raise InputError(too_deep) from None
    if _deeper_than(data, MAX_DEPTH):
        raise InputError(too_deep)
    # Walk the document only when it may hold something to reject: a JSON text (UTF-8) can
    # spell a surrogate only as a \uD800-\uDFFF escape.
    if suspect or _SURROGATE_ESCAPE.search(text):
        check_values(name, data)
    return name, data


def _read_stdin(stdin: IO[bytes] | None) -> bytes:
    """All of ``stdin`` (standard input when None), or InputError when it is closed
    (``<&-``) or cannot be read (opened for writing only)."""
    if stdin is None:
        if sys.stdin is None:
            raise InputError(f"{STDIN_NAME}: standard input is closed")
        stdin = sys.stdin.buffer
    try:
        return stdin.read()
    except OSError as exc:
        raise InputError(f"{STDIN_NAME}: cannot read: {exc.strerror or exc}") from None


class _RepeatedKeys(dict[str, Any]):
    """An object that names a key twice: JSON parsers keep one value or the other, so what the
    file says is ambiguous; in a policy, a second Condition would silently replace the first.
    Kept, with the keys it repeats, until :func:`check_values` reports where it is."""

    repeated: list[str]


# Repeated keys named in a message, at most: an object may have thousands.
_MAX_REPEATED_SHOWN = 3


def _repeated_keys(keys: list[str]) -> str:
    shown = ", ".join(_quoted(key) for key in keys[:_MAX_REPEATED_SHOWN])
    if len(keys) == 1:
        return f"the key {shown} appears more than once, and which value counts is ambiguous"
    if len(keys) > _MAX_REPEATED_SHOWN:
        shown += f" and {len(keys) - _MAX_REPEATED_SHOWN} more"
    return f"the keys {shown} appear more than once, and which values count is ambiguous"


def _quoted(key: str, limit: int = 80) -> str:
    return json.dumps(key[:limit]) + ("..." if len(key) > limit else "")


class _InexactNumber(str):
    """A number literal a float would change (1e400 is infinite, 1e-400 zero): kept as its
    text until :func:`check_values` reports where it is."""


class _LongInteger(str):
    """An integer literal with more digits than Python converts (``sys.int_max_str_digits``,
    4300 by default, a guard against quadratic-time conversion): kept as its text until
    :func:`check_values` reports where it is."""


def _loads(text: str) -> tuple[Any, bool]:
    """(``json.loads`` refusing NaN and Infinity, whether :func:`check_values` has something to
    report: a number literal kept as an :class:`_InexactNumber` or a :class:`_LongInteger`, an
    object as :class:`_RepeatedKeys`)."""
    # What check_values must find and report: inexact or long numbers, repeated keys.
    to_check: list[str] = []

    def distinct_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        marked = _RepeatedKeys(obj)
        counts = Counter(key for key, _ in pairs)
        marked.repeated = [key for key, count in counts.items() if count > 1]
        to_check.append("repeated keys")
        return marked

    def parse_float(literal: str) -> float | str:
        value = float(literal)
        # OPA is sent the float's shortest repr: it must be the number the file says.
        if math.isfinite(value) and Decimal(repr(value)) == Decimal(literal):
            return value
        to_check.append(literal)
        return _InexactNumber(literal)

    def parse_int(literal: str) -> int | str:
        try:
            return int(literal)
        except ValueError:
            to_check.append(literal)
            return _LongInteger(literal)

    data = json.loads(
        text,
        parse_constant=_reject_constant,
        parse_float=parse_float,
        parse_int=parse_int,
        object_pairs_hook=distinct_keys,
    )
    return data, bool(to_check)


def loads_exact(name: str, text: str) -> Any:
    """``json.loads`` of ``text`` (a JSON text within the file ``name``), or InputError (see
    :func:`check_values`) rather than a value the harness could not send on unchanged."""
    data, suspect = _loads(text)
    if suspect or _SURROGATE_ESCAPE.search(text):
        check_values(name, data)
    return data


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def check_values(name: str, data: Any) -> None:
    """InputError naming the file and the place of the first string (or key) holding a lone
    surrogate (``"\\ud800"`` is not a character, so it cannot be sent on as UTF-8), of the
    first number a float would change (``1e400``) or of the first object naming a key twice."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        where = format_path(path) or "top level"
        if isinstance(value, _InexactNumber):
            raise InputError(
                f"{name}: {where}: the number {value} cannot be carried exactly "
                "(beyond the range or precision of a 64-bit float)"
            )
        if isinstance(value, _LongInteger):
            raise InputError(
                f"{name}: {where}: the integer {value[:20]}... has {len(value.lstrip('-'))} "
                f"digits, more than the {sys.get_int_max_str_digits()} a number may have"
            )
        if isinstance(value, str) and _LONE_SURROGATE.search(value):
            raise InputError(f"{name}: {where}: {_lone_surrogate(value)}")
        if isinstance(value, _RepeatedKeys):
            raise InputError(f"{name}: {where}: {_repeated_keys(value.repeated)}")
        if isinstance(value, dict):
            for key in value:
                if _LONE_SURROGATE.search(key):
                    raise InputError(f"{name}: {where}: the key {_lone_surrogate(key)}")
            stack.extend((child, (*path, key)) for key, child in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((child, (*path, i)) for i, child in reversed(list(enumerate(value))))


def _lone_surrogate(text: str) -> str:
    shown = repr(text[:80]) + ("..." if len(text) > 80 else "")  # repr escapes the surrogate
    return (
        f"{shown} holds a lone surrogate (\\ud800-\\udfff without its pair), which is not a "
        "Unicode character"
    )


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects in ``value`` nest more than ``limit`` levels (no recursion)."""
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        current, depth = stack.pop()
        children = current.values() if isinstance(current, dict) else current
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def _reject_constant(constant: str) -> Any:
    # Python accepts NaN and Infinity; JSON (and OPA) do not.
    raise ValueError(f"{constant} is not a JSON value")


_SHAPE_KEYS: dict[Shape, str] = {
    "snapshot": "role",
    "batch": "roles",
    "authorization_details": "RoleDetailList",
}
_SHAPE_DESCRIPTIONS: dict[Shape, str] = {
    "snapshot": 'a role snapshot ({"role": ...})',
    "batch": 'a batch ({"roles": [...]})',
    "authorization_details": 'get-account-authorization-details output ({"RoleDetailList": [...]})',
}


def detect_shape(name: str, data: Any, shapes: Sequence[Shape] = SHAPES) -> Shape:
    """Which of ``shapes`` ``data`` has, or InputError saying which were expected."""
    described = [_SHAPE_DESCRIPTIONS[shape] for shape in shapes]
    expected = "expected " + (
        described[0] if len(described) == 1 else f"{', '.join(described[:-1])} or {described[-1]}"
    )
    if not isinstance(data, dict):
        raise InputError(f"{name}: found a JSON {_json_type(data)}; {expected}")
    present = [shape for shape in SHAPES if _SHAPE_KEYS[shape] in data]
    if len(present) > 1:
        keys = [_SHAPE_KEYS[shape] for shape in present]
        raise InputError(
            f"{name}: ambiguous input: has both {keys[0]!r} and {keys[1]!r}; {expected}"
        )
    if not present:
        keys = ", ".join(sorted(map(str, data))[:10]) or "none"
        what = "not a role snapshot" if len(shapes) > 1 else f"no {_SHAPE_KEYS[shapes[0]]!r} key"
        raise InputError(f"{name}: {what} (top-level keys: {keys}); {expected}")
    if present[0] not in shapes:
        raise InputError(f"{name}: found {_SHAPE_DESCRIPTIONS[present[0]]}; {expected}")
    return present[0]


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


@cache
def schema() -> dict[str, Any]:
    """The published JSON Schema of the evaluation input."""
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


@cache
def _validator(definition: str) -> jsonschema.protocols.Validator:
    # Validate against the one sub-schema the input claims to be, so the message is about that
    # shape instead of a "not valid under any of the given schemas" from the top-level oneOf.
    root = schema()
    wrapper = {"$schema": root["$schema"], "$defs": root["$defs"], "$ref": f"#/$defs/{definition}"}
    return jsonschema.Draft202012Validator(wrapper)


def check_appliance(principal: str, option: str = "--appliance") -> None:
    """UsageError unless ``principal`` is an appliance the engine can check a trust policy for.

    Checked against the schema's ``appliance`` definition, so a command-line option accepts
    exactly what an input file may say.
    """
    if not _validator("appliance").is_valid({"principal": principal}):
        raise UsageError(
            f"{option} expects a role ARN, an account id (12 digits) or an account root ARN "
            f"(arn:aws:iam::ACCOUNT:root), got {principal!r}"
        )


def format_path(path: Iterable[Any]) -> str:
    """A JSON path as people write it: ``roles[2].role.policies[0]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def validate(name: str, shape: Shape, data: Mapping[str, Any]) -> None:
    """InputError naming the file and the first place where ``data`` violates the schema."""
    errors = list(_validator(shape).iter_errors(data))
    if not errors:
        return
    error: ValidationError = best_match(errors)
    where = format_path(error.absolute_path) or "top level"
    message = _shortened(error)
    if len(message) > _MAX_MESSAGE:
        message = message[:_MAX_MESSAGE] + "..."
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    raise InputError(f"{name}: {where}: {message}{more if len(errors) > 1 else ''}")


def _shortened(error: ValidationError) -> str:
    """``error.message`` with the offending value, which it quotes whole, shortened: a long
    value would push the rule it breaks (``does not match '^arn:...'``) out of the message."""
    quoted = repr(error.instance)
    if len(quoted) <= _MAX_VALUE_SHOWN:
        return error.message
    return error.message.replace(quoted, _SHORT_REPR.repr(error.instance), 1)


def unknown_keys(name: str, shape: Shape, data: Any) -> list[str]:
    """Warnings for keys the snapshot format does not know, which the engine ignores.

    Producers may add fields of their own, so an unknown key is not an error, with one
    exception: a near-misspelling of a known key (``permission_boundary``) would silently drop
    what it holds and could make a role look more permitted than it is, so it is an InputError.
    GetAccountAuthorizationDetails output is AWS's own format and is not checked here.
    """
    if shape == "authorization_details":
        return []
    warnings: list[str] = []
    _check_keys(name, data, schema()["$defs"][shape], [], warnings)
    return warnings


# The lists a get-account-authorization-details paginator splits across pages, and the other
# keys its pages carry.
_PAGED_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
_PAGE_KEYS = frozenset({*_PAGED_LISTS, "IsTruncated", "Marker", "ResponseMetadata"})


def merge_pages(name: str, data: Any) -> Any:
    """A list of get-account-authorization-details pages (a paginator's answers, saved as they
    came) as the one document the AWS CLI prints; any other ``data`` as it is.

    Each page is checked on its own first, so a problem is named by page. A page with a key
    that pages do not have (the ``VbawsScan`` record of a saved scan, ``scps``...) is refused
    rather than dropped: what it says could not be placed in the merged document.
    """
    if not (
        isinstance(data, list)
        and data
        and all(isinstance(page, dict) and "RoleDetailList" in page for page in data)
    ):
        return data
    for number, page in enumerate(data, start=1):
        where = f"{name} (page {number} of {len(data)})"
        validate(where, "authorization_details", page)
        extra = sorted(set(page) - _PAGE_KEYS)
        if extra:
            raise InputError(
                f"{where}: has {', '.join(map(repr, extra))}, which get-account-authorization-"
                "details pages do not: give one document instead of a list of pages"
            )
    merged: dict[str, Any] = {
        key: [item for page in data for item in page.get(key) or []]
        for key in _PAGED_LISTS
        if any(key in page for page in data)
    }
    last = data[-1]
    merged["IsTruncated"] = last.get("IsTruncated", False)
    if "Marker" in last:
        merged["Marker"] = last["Marker"]
    return merged


def truncation_warnings(name: str, shape: Shape, data: Any) -> list[str]:
    """A warning for GetAccountAuthorizationDetails output that is one page of a longer answer.

    Not an error: what the page holds is still right, and a role whose managed policy is on a
    later page is already reported not evaluated. But roles on later pages are not in the
    file at all, so ``--all-roles`` would look complete when it is not.
    """
    if shape != "authorization_details":
        return []
    if data.get("IsTruncated") is True:
        return [
            f"{name}: IsTruncated is true: this is one page of get-account-authorization-details "
            "output, so roles and managed policies on later pages are missing; save the whole "
            "answer (the AWS CLI fetches every page unless given --no-paginate or --max-items)"
        ]
    if data.get("NextToken"):
        # What the AWS CLI prints when --max-items cut the answer short (no IsTruncated then).
        return [
            f"{name}: has a NextToken: this is get-account-authorization-details output cut "
            "short by --max-items, so roles and managed policies after it are missing; save the "
            "whole answer (without --max-items)"
        ]
    return []


def _check_keys(
    name: str, value: Any, definition: dict[str, Any], path: list[Any], out: list[str]
) -> None:
    definition = _resolve(definition)
    properties: dict[str, Any] = definition.get("properties", {})
    if isinstance(value, dict) and properties:
        where = format_path(path) or "top level"
        for key in value:
            if key in properties:
                _check_keys(name, value[key], properties[key], [*path, key], out)
                continue
            close = difflib.get_close_matches(key, properties, n=1, cutoff=0.8)
            if not close and any(word in key.lower() for word in _PERMISSION_WORDS):
                raise InputError(
                    f"{name}: {where}: unknown key {key!r}: it looks like it holds permissions, "
                    f"which the engine would not see (known keys: {', '.join(properties)})"
                )
            if close:
                raise InputError(
                    f"{name}: {where}: unknown key {key!r} (did you mean {close[0]!r}?)"
                )
            out.append(f"{name}: {where}: unknown key {key!r} is ignored")
    elif isinstance(value, list) and "items" in definition:
        for index, item in enumerate(value):
            _check_keys(name, item, definition["items"], [*path, index], out)


def _resolve(definition: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in definition:
        definition = schema()["$defs"][definition["$ref"].rsplit("/", 1)[-1]]
    return definition


def load_input(
    source: str, stdin: IO[bytes] | None = None, *, shapes: Sequence[Shape] = SHAPES
) -> EvaluationInput:
    """Read, parse, recognise and validate an input file (``-`` for standard input).

    ``shapes`` narrows what is accepted: ``scan --from-file`` takes only
    get-account-authorization-details output, validated by the same schema as here.
    """
    name, data = read_json(source, stdin)
    if "authorization_details" in shapes:
        data = merge_pages(name, data)
    shape = detect_shape(name, data, shapes)
    validate(name, shape, data)
    warnings = unknown_keys(name, shape, data) + truncation_warnings(name, shape, data)
    return EvaluationInput(name=name, shape=shape, data=data, warnings=warnings)
