"""A small reference evaluator of CloudFormation's intrinsic functions, and Hypothesis strategies
that write templates using them (tests/test_conftest_cloudformation_intrinsics.py).

The evaluator follows CloudFormation's documented semantics as docs/conftest.md spells them: an
``AWS::NoValue`` entry is dropped from the list of an ``Fn::Join`` or an ``Fn::Select`` before it
joins or picks; ``Fn::Sub`` fills in its map's variables, then parameters and pseudo parameters;
``AWS::Partition`` is ``aws``. It is independent of the Rego reading: it knows the values the
stack is deployed with (parameters, conditions, exports), which conftest never sees.

The strategies build each expression backwards from the value it must give (so that every
expression resolves to a definite value), in the short form (YAML tags, which conftest's parser
reduces to their arguments) or the long form (``Fn::Join`` ...). They keep to what
docs/conftest.md does not list as a limit: a short-form ``!ImportValue`` only where its name cannot
be taken for the value (``exp-N`` is no action, role name, effect or ARN; never in ``Roles``), an
``!Split`` delimiter of punctuation (no wildcard, but in an ``!Select`` or an ``!Join``), an
``!Join`` delimiter always quoted text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

ROLE_ID = "BackupRole"
ROLE_NAME = "VeeamBackupRole"
APPLIANCE = "arn:aws:iam::111111111111:role/VeeamBackupApplianceRole"
APPLIANCE_ACCOUNT = "111111111111"
# The action the base policy leaves out (the Allow slot may grant it) and the one the guard denies.
GAP = "ec2:CopySnapshot"
GUARDED = "kms:CreateGrant"


@dataclass(frozen=True)
class Fn:
    """An intrinsic function: ``name`` as in ``Fn::<name>`` (``Ref`` for Ref), written short
    (``!Join [...]``) or long (``{'Fn::Join': [...]}``)."""

    name: str
    args: Any
    short: bool = True


NO_VALUE = Fn("Ref", "AWS::NoValue")


class Unresolved(Exception):
    """The expression has no definite value (CloudFormation would refuse it)."""


_DROPPED = object()


@dataclass
class Context:
    """What the stack is deployed with, and the template sections the expressions need."""

    params: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    conditions: dict[str, tuple[str, str]] = field(default_factory=dict)
    mappings: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    exports: dict[str, str] = field(default_factory=dict)
    # Expression uses a value the template alone cannot give (a parameter, an import, a condition).
    deploy_time: bool = False
    # The values a branch not taken, an entry not picked, a parameter's default ... hold: the
    # other values of the place being written, so that a misreading takes one of them.
    decoys: tuple[str, ...] = ()

    def new_param(self, value: str, default: str) -> str:
        name = f"P{len(self.params)}"
        self.params[name] = value
        self.defaults[name] = default
        self.deploy_time = True
        return name

    def new_condition(self, holds: bool) -> str:
        """A condition on a parameter ``Env`` (``prod`` when deployed)."""
        self.params.setdefault("Env", "prod")
        self.defaults.setdefault("Env", "dev")
        name = f"C{len(self.conditions)}"
        self.conditions[name] = ("Env", "prod" if holds else "test")
        self.deploy_time = True
        return name

    def new_export(self, value: str) -> str:
        name = f"exp-{len(self.exports)}"
        self.exports[name] = value
        self.deploy_time = True
        return name


# ---------------------------------------------------------------------------------------------
# The reference evaluator.


def resolve(node: Any, ctx: Context) -> Any:
    """The value ``node`` gives when the stack is deployed with ``ctx``; ``_DROPPED`` for
    AWS::NoValue (its entry or property is removed)."""
    if isinstance(node, Fn):
        return _FUNCTIONS[node.name](node.args, ctx)
    if isinstance(node, list):
        return [v for v in (resolve(x, ctx) for x in node) if v is not _DROPPED]
    if isinstance(node, int) and not isinstance(node, bool):
        return _text(node)
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            v = resolve(value, ctx)
            if v is not _DROPPED:
                out[key] = v
        return out
    return node


def _text(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        # A whole number YAML read (an unquoted account id): CloudFormation passes its digits.
        return str(value)
    if not isinstance(value, str):
        raise Unresolved(f"not text: {value!r}")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise Unresolved(f"not a list: {value!r}")
    return value


def _ref(name: Any, ctx: Context) -> Any:
    name = _text(name)
    if name == "AWS::NoValue":
        return _DROPPED
    if name == "AWS::Partition":
        return "aws"
    if name == ROLE_ID:
        return ROLE_NAME
    if name in ctx.params:
        return ctx.params[name]
    raise Unresolved(f"Ref {name}")


def _join(args: Any, ctx: Context) -> str:
    delimiter, items = _list(args)
    return _text(resolve(delimiter, ctx)).join(_text(x) for x in _list(resolve(items, ctx)))


def _select(args: Any, ctx: Context) -> Any:
    index, items = _list(args)
    index = resolve(index, ctx)
    if isinstance(index, str) and re.fullmatch(r"[0-9]+", index):
        index = int(index)
    if not isinstance(index, int) or isinstance(index, bool):
        raise Unresolved(f"index {index!r}")
    picked = _list(resolve(items, ctx))
    if not 0 <= index < len(picked):
        raise Unresolved("index out of range")
    return picked[index]


def _split(args: Any, ctx: Context) -> list[str]:
    delimiter, text = _list(args)
    delimiter = _text(resolve(delimiter, ctx))
    if not delimiter:
        raise Unresolved("empty delimiter")
    return _text(resolve(text, ctx)).split(delimiter)


def _sub(args: Any, ctx: Context) -> str:
    if isinstance(args, list):
        text, variables = args
        values = {k: _text(resolve(v, ctx)) for k, v in variables.items()}
    else:
        text, values = args, {}

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        if name in values:
            return values[name]
        return _text(_ref(name, ctx))

    return re.sub(r"\$\{([^}]*)\}", fill, _text(text))


def _if(args: Any, ctx: Context) -> Any:
    name, then, otherwise = _list(args)
    param, value = ctx.conditions[name]
    return resolve(then if ctx.params[param] == value else otherwise, ctx)


def _find_in_map(args: Any, ctx: Context) -> Any:
    mapping, top, second = (resolve(x, ctx) for x in _list(args))
    try:
        return ctx.mappings[_text(mapping)][_text(top)][_text(second)]
    except KeyError as missing:
        raise Unresolved(f"no mapping entry {missing}") from None


def _import(args: Any, ctx: Context) -> str:
    return ctx.exports[_text(resolve(args, ctx))]


_FUNCTIONS = {
    "Ref": _ref,
    "Join": _join,
    "Select": _select,
    "Split": _split,
    "Sub": _sub,
    "If": _if,
    "FindInMap": _find_in_map,
    "ImportValue": _import,
}


# ---------------------------------------------------------------------------------------------
# Writing templates: YAML in flow style, short-form tags kept.


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def to_yaml(node: Any) -> str:
    if isinstance(node, Fn):
        if node.short:
            return f"!{node.name} {to_yaml(node.args)}"
        key = "Ref" if node.name == "Ref" else f"Fn::{node.name}"
        return "{" + _quote(key) + ": " + to_yaml(node.args) + "}"
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, int):
        return str(node)
    if isinstance(node, str):
        return _quote(node)
    if isinstance(node, list):
        return "[" + ", ".join(to_yaml(x) for x in node) + "]"
    if isinstance(node, dict):
        return "{" + ", ".join(f"{_quote(k)}: {to_yaml(v)}" for k, v in node.items()) + "}"
    raise TypeError(node)


def template_sections(ctx: Context) -> dict[str, Any]:
    """Parameters, Conditions and Mappings the expressions use, as the template writes them."""
    sections: dict[str, Any] = {}
    if ctx.params:
        sections["Parameters"] = {
            name: {"Type": "String", "Default": ctx.defaults[name]} for name in ctx.params
        }
    if ctx.conditions:
        sections["Conditions"] = {
            name: Fn("Equals", [Fn("Ref", param), value])
            for name, (param, value) in ctx.conditions.items()
        }
    if ctx.mappings:
        sections["Mappings"] = ctx.mappings
    return sections


def dump_json(template: dict[str, Any]) -> str:
    return json.dumps(template, indent=1, sort_keys=True)


# ---------------------------------------------------------------------------------------------
# Strategies: an expression giving a value, built backwards from the value.

DELIMITERS = (",", "|", ";", "-", ":", "/", "+", "*")
DECOY_TEXTS = ("x", "Other", "dev-role", "arn:aws:iam::222222222222:root", "s3:GetObject")


@st.composite
def text_expr(draw: st.DrawFn, value: str, ctx: Context, depth: int, where: str) -> Any:
    """An expression giving the text ``value``. ``where`` names the place (``roles``, ``action``,
    ``effect``, ``principal``, ``condition``), for the documented short-form limits."""
    kinds = ["literal"]
    if depth > 0:
        kinds += [
            "join",
            "join_split",
            "sub",
            "select",
            "select_split",
            "if",
            "find_in_map",
            "param",
            "import",
        ]
        if value == "aws":
            kinds.append("partition")
        if value == ROLE_NAME:
            kinds.append("role_ref")
    if re.fullmatch(r"[1-9][0-9]{11}", value):
        kinds.append("number")
    kind = draw(st.sampled_from(kinds))
    short = draw(st.booleans())
    deeper = depth - 1
    if kind == "literal":
        return value
    if kind == "partition":
        return Fn("Ref", "AWS::Partition", short)
    if kind == "number":
        return int(value)
    if kind == "role_ref":
        return draw(
            st.sampled_from((Fn("Ref", ROLE_ID, short), Fn("Sub", f"${{{ROLE_ID}}}", short)))
        )
    if kind == "param":
        default = draw(st.sampled_from([value, *(ctx.decoys or DECOY_TEXTS)]))
        return Fn("Ref", ctx.new_param(value, default), short)
    if kind == "import":
        # A short-form !ImportValue arrives as its name, read as a literal in Roles, Action and
        # Effect (a documented limit): only the long form there.
        short = short and where not in ("roles", "name", "action", "effect")
        return Fn("ImportValue", ctx.new_export(value), short)
    if kind == "join":
        return draw(_join_expr(value, ctx, deeper, where, short))
    if kind == "join_split":
        return draw(_join_split_expr(value, ctx, deeper, where, short))
    if kind == "sub":
        return draw(_sub_expr(value, ctx, deeper, where, short))
    if kind == "select":
        return draw(_select_expr(value, ctx, deeper, where, short))
    if kind == "select_split":
        return draw(_select_split_expr(value, ctx, deeper, where, short))
    if kind == "if":
        holds = draw(st.booleans())
        decoy = draw(
            text_expr(draw(st.sampled_from(ctx.decoys or DECOY_TEXTS)), ctx, deeper, where)
        )
        chosen = draw(text_expr(value, ctx, deeper, where))
        name = ctx.new_condition(holds)
        return Fn("If", [name, chosen, decoy] if holds else [name, decoy, chosen], short)
    # find_in_map
    return draw(_find_in_map_expr(value, ctx, deeper, where, short))


def _cuts(draw: st.DrawFn, value: str, most: int) -> list[str]:
    if len(value) < 2:
        return [value]
    points = draw(st.lists(st.integers(1, len(value) - 1), min_size=1, max_size=most, unique=True))
    points = sorted(points)
    return [value[a:b] for a, b in zip([0, *points], [*points, len(value)], strict=True)]


@st.composite
def _join_expr(draw, value, ctx, depth, where, short):
    delimiter = draw(st.sampled_from(("", *DELIMITERS)))
    if delimiter and delimiter in value:
        parts = value.split(delimiter)
    elif delimiter:
        parts = [value]
    else:
        parts = _cuts(draw, value, 2)
    items: list[Any] = [draw(text_expr(p, ctx, depth, where)) for p in parts]
    if draw(st.booleans()):
        items.insert(draw(st.integers(0, len(items))), NO_VALUE)
    return Fn("Join", [delimiter, items], short)


@st.composite
def _join_split_expr(draw, value, ctx, depth, where, short):
    """``!Join [d, !Split [s, text]]``: the parts of the text, joined again."""
    delimiter = draw(st.sampled_from(("", *DELIMITERS)))
    parts = value.split(delimiter) if delimiter else _cuts(draw, value, 2)
    usable = [d for d in DELIMITERS if not any(d in p for p in parts)]
    if not usable:
        return value
    separator = draw(st.sampled_from(usable))
    text = draw(text_expr(separator.join(parts), ctx, depth, where))
    return Fn("Join", [delimiter, Fn("Split", [separator, text], draw(st.booleans()))], short)


@st.composite
def _sub_expr(draw, value, ctx, depth, where, short):
    pieces = _cuts(draw, value, 2) if len(value) >= 2 else [value]
    text = ""
    variables: dict[str, Any] = {}
    for i, piece in enumerate(pieces):
        how = draw(st.sampled_from(("literal", "variable", "param", "partition")))
        if how == "partition" and piece != "aws":
            how = "literal"
        if how == "literal":
            text += piece.replace("${", "${!")
            if draw(st.booleans()):
                text = text.replace("arn:aws:", "arn:${AWS::Partition}:")
        elif how == "variable":
            name = f"V{i}"
            variables[name] = draw(text_expr(piece, ctx, depth, where))
            text += "${" + name + "}"
        elif how == "param":
            text += "${" + ctx.new_param(piece, piece) + "}"
        else:
            text += "${AWS::Partition}"
    if variables:
        return Fn("Sub", [text, variables], short)
    return Fn("Sub", text, short)


@st.composite
def _select_expr(draw, value, ctx, depth, where, short):
    decoys = draw(st.lists(st.sampled_from(ctx.decoys or DECOY_TEXTS), max_size=2))
    index = draw(st.integers(0, len(decoys)))
    entries: list[Any] = [draw(text_expr(d, ctx, 0, where)) for d in decoys]
    entries.insert(index, draw(text_expr(value, ctx, depth, where)))
    shown = index
    if draw(st.booleans()):
        at = draw(st.integers(0, len(entries)))
        entries.insert(at, NO_VALUE)
    written: Any = draw(st.sampled_from((shown, str(shown))))
    if depth > 0 and draw(st.booleans()):
        if draw(st.booleans()):
            written = Fn("Ref", ctx.new_param(str(shown), "0"), draw(st.booleans()))
        else:
            name = f"M{len(ctx.mappings)}"
            ctx.mappings[name] = {"prod": {"Index": shown}, "dev": {"Index": 0}}
            written = Fn("FindInMap", [name, "prod", "Index"], draw(st.booleans()))
    return Fn("Select", [written, entries], short)


@st.composite
def _select_split_expr(draw, value, ctx, depth, where, short):
    delimiter = draw(st.sampled_from([d for d in DELIMITERS if d not in value] or [","]))
    if delimiter in value:
        return value
    decoys = [d for d in ctx.decoys or DECOY_TEXTS if delimiter not in d] or ["x"]
    others = draw(st.lists(st.sampled_from(decoys), min_size=1, max_size=2))
    index = draw(st.integers(0, len(others)))
    parts = list(others)
    parts.insert(index, value)
    text = draw(text_expr(delimiter.join(parts), ctx, depth, where))
    split = Fn("Split", [delimiter, text], draw(st.booleans()))
    return Fn("Select", [draw(st.sampled_from((index, str(index)))), split], short)


@st.composite
def _find_in_map_expr(draw, value, ctx, depth, where, short):
    name = f"M{len(ctx.mappings)}"
    second = draw(st.sampled_from(("Name", "Value")))
    decoy = draw(st.sampled_from(ctx.decoys or DECOY_TEXTS))
    ctx.mappings[name] = {"prod": {second: value}, "dev": {second: decoy}}
    top: Any = "prod"
    if depth > 0 and draw(st.booleans()):
        top = Fn("Ref", ctx.new_param("prod", "dev"), draw(st.booleans()))
    return Fn("FindInMap", [name, top, second], short)


@st.composite
def list_expr(draw: st.DrawFn, values: list[str], ctx: Context, depth: int, where: str) -> Any:
    """An expression giving the list ``values`` (a value of Action, Roles, a principal ...)."""
    kinds = ["entries"]
    if depth > 0:
        kinds += ["split", "if", "find_in_map"]
    kind = draw(st.sampled_from(kinds))
    short = draw(st.booleans())
    if kind == "entries":
        return [draw(text_expr(v, ctx, depth, where)) for v in values]
    if kind == "split":
        # At a wildcard, a short-form !Split is read as a list of two (a documented limit).
        usable = [d for d in DELIMITERS if d != "*" and not any(d in v for v in values)]
        if not usable:
            return [draw(text_expr(v, ctx, depth, where)) for v in values]
        delimiter = draw(st.sampled_from(usable))
        text = draw(text_expr(delimiter.join(values), ctx, depth - 1, where))
        return Fn("Split", [delimiter, text], short)
    if kind == "if":
        holds = draw(st.booleans())
        chosen = draw(list_expr(values, ctx, depth - 1, where))
        decoy = draw(
            list_expr([draw(st.sampled_from(ctx.decoys or DECOY_TEXTS))], ctx, depth - 1, where)
        )
        name = ctx.new_condition(holds)
        return Fn("If", [name, chosen, decoy] if holds else [name, decoy, chosen], short)
    name = f"M{len(ctx.mappings)}"
    decoy = draw(st.sampled_from(ctx.decoys or DECOY_TEXTS))
    ctx.mappings[name] = {"prod": {"List": list(values)}, "dev": {"List": [decoy]}}
    return Fn("FindInMap", [name, "prod", "List"], short)


def value_expr(values: list[str], ctx: Context, depth: int, where: str) -> st.SearchStrategy:
    """One text when ``values`` holds one (either shape), else a list."""
    if len(values) == 1:
        return st.one_of(
            text_expr(values[0], ctx, depth, where), list_expr(values, ctx, depth, where)
        )
    return list_expr(values, ctx, depth, where)


# ---------------------------------------------------------------------------------------------
# Templates: one role, compliant but for what the slots give.

OTHER_APPLIANCE = "arn:aws:iam::222222222222:role/VeeamBackupApplianceRole"


def _document(effect: str, action: str) -> str:
    statement = {"Effect": effect, "Action": action, "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


# Each slot's values: some make the role compliant, some do not (conftest on the resolved
# template tells which).
SLOT_VALUES: dict[str, list[list[str]]] = {
    "trust_allow": [
        [APPLIANCE],
        [OTHER_APPLIANCE],
        [OTHER_APPLIANCE, APPLIANCE],
        ["arn:aws:iam::111111111111:root"],
        [APPLIANCE_ACCOUNT],
        ["222222222222"],
    ],
    "trust_allow_condition": [
        [APPLIANCE],
        [OTHER_APPLIANCE],
        [APPLIANCE_ACCOUNT],
        ["222222222222"],
    ],
    "trust_deny": [[APPLIANCE], [OTHER_APPLIANCE], [APPLIANCE_ACCOUNT], ["222222222222"]],
    "trust_deny_null": [["true"], ["false"]],
    "trust_deny_principal": [[APPLIANCE], [OTHER_APPLIANCE], [APPLIANCE_ACCOUNT], ["222222222222"]],
    "trust_deny_not_principal": [[APPLIANCE], [OTHER_APPLIANCE], [OTHER_APPLIANCE, APPLIANCE]],
    "allow_action": [
        [GAP],
        ["ec2:CopyImage"],
        ["ec2:Copy*"],
        ["ec2:CopyImage", GAP],
        ["EC2:copysnapshot"],
        ["ec2:CopySnapshots"],
    ],
    "allow_not_action": [["iam:CreateUser"], [GAP], ["ec2:Copy*"]],
    "allow_resource": [["*"], ["arn:aws:ec2:*:*:snapshot/*"]],
    # A second inline policy written as JSON text, granting or not the action the base leaves out.
    "allow_document": [[_document("Allow", GAP)], [_document("Allow", "ec2:CopyImage")]],
    # The guard's document as JSON text.
    "guard_document": [[_document("Deny", GUARDED)], [_document("Deny", "iam:CreateUser")]],
    "deny_action": [
        [GUARDED],
        ["kms:*"],
        ["iam:CreateUser"],
        ["iam:CreateUser", GUARDED],
        ["KMS:createGRANT"],
    ],
    "deny_effect": [["Deny"], ["Allow"]],
    "deny_resource": [["*"], ["arn:aws:s3:::veeam-bucket"]],
    "guard_roles": [[ROLE_NAME], ["OtherRole"], ["OtherRole", ROLE_NAME], ["veeambackuprole"]],
    "guard_name": [["base"], ["guard"], ["BASE"]],
    "role_name": [[ROLE_NAME], ["VeeamOtherRole"], ["VEEAMBACKUPROLE"]],
}
# A condition's operators, by the kind of value it compares.
OPERATORS = {
    "aws:PrincipalArn": (
        "StringEquals",
        "StringNotEquals",
        "StringLike",
        "StringNotLike",
        "ArnEquals",
        "ArnLike",
        "ArnNotLike",
    ),
    "aws:PrincipalAccount": ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike"),
}


def base_actions() -> list[str]:
    from strategies import CATALOG

    return [a for a in CATALOG["ec2_backup"] if a != GAP]


@dataclass
class Case:
    """A template with intrinsics (YAML text) and the same template resolved (JSON text)."""

    yaml: str
    resolved: str
    deploy_time: bool


def _decoys(ctx: Context, slot: str) -> None:
    ctx.decoys = tuple(dict.fromkeys(v for values in SLOT_VALUES[slot] for v in values))
    ctx.decoys += DECOY_TEXTS


@st.composite
def templates(draw: st.DrawFn) -> Case:
    ctx = Context()
    chosen = draw(st.sets(st.sampled_from(sorted(SLOT_VALUES)), min_size=1, max_size=3))
    depth = draw(st.integers(1, 3))
    parts: dict[str, Any] = {}
    for name in sorted(chosen):
        _decoys(ctx, name)
        values = draw(st.sampled_from(SLOT_VALUES[name]))
        if name in ("trust_allow_condition", "trust_deny"):
            account = re.fullmatch(r"[0-9*?]+", values[0])
            key = "aws:PrincipalAccount" if account else "aws:PrincipalArn"
            operator = draw(st.sampled_from(OPERATORS[key]))
            operator = draw(st.sampled_from(("", "ForAnyValue:", "ForAllValues:"))) + operator
            operator += draw(st.sampled_from(("", "IfExists")))
            parts[name] = {operator: {key: draw(value_expr(values, ctx, depth, "condition"))}}
        elif name == "trust_deny_null":
            prefix = draw(st.sampled_from(("", "ForAnyValue:")))
            value = draw(text_expr(values[0], ctx, depth, "condition"))
            parts[name] = {f"{prefix}Null": {"aws:PrincipalArn": value}}
        elif name in ("deny_effect", "guard_name", "role_name", "allow_document", "guard_document"):
            parts[name] = draw(text_expr(values[0], ctx, depth, SLOT_PLACES[name]))
        else:
            parts[name] = draw(value_expr(values, ctx, depth, SLOT_PLACES[name]))
        if name in SLOT_PLACES:
            # The strategies and the evaluator agree on the value the expression gives.
            given = resolve(parts[name], ctx)
            assert given == (values if isinstance(given, list) else values[0]), (given, values)
    if "guard_roles" not in parts:
        parts["ref_short"] = draw(st.booleans())
    kinds = ["AWS::IAM::Policy"]
    if "guard_name" not in parts:
        kinds.append("AWS::IAM::ManagedPolicy")
    if isinstance(resolve(parts.get("guard_roles", ROLE_NAME), ctx), str):
        # (RoleName names one role.)
        kinds.append("AWS::IAM::RolePolicy")
    if not parts.keys() & {"guard_roles", "role_name"}:
        kinds.append("inline")
    parts["guard_type"] = draw(st.sampled_from(kinds))
    if parts["guard_type"] == "inline" or draw(st.booleans()):
        # An inline policy of the role, or the guard's statement, chosen by an !If
        # (AWS::NoValue when it does not hold).
        parts["guard_if"] = (ctx.new_condition(draw(st.booleans())), draw(st.booleans()))
    return case(parts, ctx)


# Where each slot is, for the documented short-form limits (text_expr).
SLOT_PLACES = {
    "trust_allow": "principal",
    "trust_deny_principal": "principal",
    "trust_deny_not_principal": "principal",
    "allow_action": "action",
    "allow_not_action": "action",
    "allow_resource": "resource",
    "deny_action": "action",
    "deny_effect": "effect",
    "deny_resource": "resource",
    "guard_roles": "roles",
    "guard_name": "name",
    "allow_document": "document",
    "guard_document": "document",
    "role_name": "roles",
}


def case(parts: dict[str, Any], ctx: Context | None = None) -> Case:
    """The template whose slots hold ``parts`` (each slot's expression, or a trust condition
    block), with the sections ``ctx`` gathered, and the same template resolved."""
    ctx = ctx or Context()
    allow: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": parts.get("trust_allow", APPLIANCE)},
        "Action": "sts:AssumeRole",
    }
    if "trust_allow_condition" in parts:
        allow["Condition"] = parts["trust_allow_condition"]
    trust = [allow]
    for name in ("trust_deny", "trust_deny_null"):
        if name in parts:
            trust.append(
                {
                    "Effect": "Deny",
                    "Principal": {"AWS": "*"},
                    "Action": "sts:AssumeRole",
                    "Condition": parts[name],
                }
            )
    if "trust_deny_principal" in parts:
        principal = {"AWS": parts["trust_deny_principal"]}
        trust.append({"Effect": "Deny", "Principal": principal, "Action": "sts:AssumeRole"})
    if "trust_deny_not_principal" in parts:
        principal = {"AWS": parts["trust_deny_not_principal"]}
        trust.append({"Effect": "Deny", "NotPrincipal": principal, "Action": "sts:AssumeRole"})
    statements: list[Any] = [{"Effect": "Allow", "Action": base_actions(), "Resource": "*"}]
    if "allow_document" in parts:
        pass
    elif parts.keys() & {"allow_action", "allow_not_action", "allow_resource"}:
        gap: dict[str, Any] = {"Effect": "Allow"}
        if "allow_not_action" in parts:
            gap["NotAction"] = parts["allow_not_action"]
        else:
            gap["Action"] = parts.get("allow_action", GAP)
        gap["Resource"] = parts.get("allow_resource", "*")
        statements.append(gap)
    else:
        statements[0]["Action"] = [*base_actions(), GAP]
    resources: dict[str, Any] = {
        ROLE_ID: {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": parts.get("role_name", ROLE_NAME),
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": trust},
                "Policies": [
                    {
                        "PolicyName": "base",
                        "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                    }
                ],
                "Tags": [{"Key": "vbaws:checks", "Value": "ec2_backup"}],
            },
        }
    }
    if "allow_document" in parts:
        text = {"PolicyName": "gap", "PolicyDocument": parts["allow_document"]}
        resources[ROLE_ID]["Properties"]["Policies"].append(text)
    guard_slots = {"deny_action", "deny_effect", "deny_resource", "guard_roles", "role_name"}
    guard_slots.add("guard_document")
    guarded = bool(parts.keys() & guard_slots)
    if guarded or "guard_name" in parts:
        # Named by the role's name written out when that name is the slot, else by a Ref.
        roles: Any = [Fn("Ref", ROLE_ID, parts.get("ref_short", True))]
        if "role_name" in parts:
            roles = [ROLE_NAME]
        roles = parts.get("guard_roles", roles)
        if isinstance(resolve(roles, ctx), str):
            # Roles takes a list: an expression giving one name goes in one.
            roles = [roles]
        statement = {
            "Effect": parts.get("deny_effect", "Deny" if guarded else "Allow"),
            "Action": parts.get("deny_action", GUARDED if guarded else "s3:GetObject"),
            "Resource": parts.get("deny_resource", "*"),
        }
        document = {"Version": "2012-10-17", "Statement": [statement]}
        if "guard_document" in parts:
            document = parts["guard_document"]
        elif "guard_if" in parts and parts.get("guard_type") != "inline":
            condition, short = parts["guard_if"]
            harmless = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
            document["Statement"] = [harmless, Fn("If", [condition, statement, NO_VALUE], short)]
        name = parts.get("guard_name", "guard")
        kind = parts.get("guard_type", "AWS::IAM::Policy")
        properties: dict[str, Any] = {"PolicyName": name, "Roles": roles}
        if kind == "AWS::IAM::ManagedPolicy":
            properties = {"Roles": roles}
        elif kind == "AWS::IAM::RolePolicy":
            properties = {"PolicyName": name, "RoleName": parts.get("guard_roles", roles[0])}
        if kind == "inline":
            # An !If chooses the role's second inline policy; it names no role (Roles aside).
            condition, short = parts["guard_if"]
            entry = {"PolicyName": name, "PolicyDocument": document}
            policies = resources[ROLE_ID]["Properties"]["Policies"]
            policies.append(Fn("If", [condition, entry, NO_VALUE], short))
        else:
            properties["PolicyDocument"] = document
            resources["Guard"] = {"Type": kind, "Properties": properties}
    resolved = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resolve(resources, ctx)}
    sections = {"AWSTemplateFormatVersion": "2010-09-09", **template_sections(ctx)}
    sections["Resources"] = resources
    text = "".join(f"{key}: {to_yaml(value)}\n" for key, value in sections.items())
    return Case(text, dump_json(resolved), ctx.deploy_time)
