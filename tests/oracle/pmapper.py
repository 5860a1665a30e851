"""PMapper (nccgroup/PMapper, PyPI ``principalmapper``) as an independent IAM oracle.

PMapper's local policy simulation answers "may this principal call action A on resource R" from the
principal's policies, permissions boundary and SCP levels. We ask it about the request resource
``"*"`` for each required action, which is the question our engine answers (IAM-SEMANTICS.md, top).

What we use, and why this adapter is more than one call:
- ``local_check_authorization_full`` gives allowed / not allowed over identity policies, the
  boundary and every SCP level (it checks all Denys first, then requires an Allow per layer).
- It cannot tell an explicit from an implicit deny, so the adapter asks PMapper's own statement
  matcher (``policy_has_matching_statement``) whether any Deny in any layer matches, and which
  layers lack a matching Allow: that gives the engine's three unconditional decisions and its
  ``blocked_by`` layers, still decided entirely by PMapper's code.

PMapper 1.1.5 (the last release, 2022) imports ``collections.Mapping``, removed in Python 3.10; the
shim below restores the aliases before the import. Known PMapper limitations are in docs/testing.md.
"""

from __future__ import annotations

import collections
import collections.abc
import functools
import json
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any, Literal

# Python >= 3.10 moved these to collections.abc; PMapper still imports them from collections.
for _name in ("Mapping", "MutableMapping", "Sequence", "Iterable"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

from principalmapper.common import Node, Policy  # noqa: E402
from principalmapper.querying import local_policy_simulation  # noqa: E402
from principalmapper.querying.local_policy_simulation import (  # noqa: E402
    policy_has_matching_statement,
)
from principalmapper.querying.query_interface import (  # noqa: E402
    _check_if_service_linked_role,
    _infer_condition_keys,
    local_check_authorization_full,
)
from principalmapper.util.case_insensitive_dict import CaseInsensitiveDict  # noqa: E402

# PMapper compiles each wildcard pattern to a regex behind an LRU cache of 2,048 entries; the
# large AWS managed policies hold more patterns than that, and asking about 78 actions in turn
# then recompiles every pattern each time. A larger cache around the same function changes
# nothing but speed.
local_policy_simulation._compose_pattern = functools.lru_cache(maxsize=1 << 16)(
    local_policy_simulation._compose_pattern.__wrapped__
)

Decision = Literal["allowed", "explicit_deny", "implicit_deny"]

# The request resource for every required action: the engine's question is "on every resource".
REQUEST_RESOURCE = "*"
_ROLE_ID = "AROAORACLEEXAMPLE0001"


def parse_document(document: Any) -> dict[str, Any]:
    """A policy document as a dict: objects as they are, JSON strings (URL-encoded too) parsed."""
    if isinstance(document, dict):
        return document
    if isinstance(document, str):
        text = document.strip()
        if not text.startswith("{"):
            text = urllib.parse.unquote(text)
        parsed = json.loads(text)
        if isinstance(parsed, dict):
            return parsed
    raise ValueError(f"not a policy document: {document!r:.80}")


class PmapperOracle:
    """PMapper's verdicts for one role snapshot (contract section 2 shape)."""

    def __init__(self, snapshot: Mapping[str, Any]) -> None:
        role = snapshot["role"]
        self._arn: str = role["arn"]
        self._identity = [
            Policy(self._policy_arn(p), p["name"], parse_document(p["document"]))
            for p in role.get("policies", [])
        ]
        boundary = role.get("permissions_boundary")
        self._boundary = (
            Policy(boundary["arn"], "boundary", parse_document(boundary["document"]))
            if boundary
            else None
        )
        scps = snapshot.get("scps")
        self._scp_levels: list[tuple[str, list[Policy]]] | None = (
            None
            if scps is None
            else [
                (
                    level["target"],
                    [
                        Policy(
                            f"arn:aws:organizations::scp/{p['name']}",
                            p["name"],
                            parse_document(p["document"]),
                        )
                        for p in level["policies"]
                    ],
                )
                for level in scps
            ]
        )
        trust = role.get("trust_policy") or {"Version": "2012-10-17", "Statement": []}
        self._node = Node(
            self._arn,
            _ROLE_ID,
            self._identity,
            [],
            parse_document(trust),
            None,
            0,
            False,
            False,
            self._boundary,
            False,
            dict(role.get("tags") or {}),
        )
        # The same inferred context PMapper builds inside local_check_authorization_full.
        self._context = _infer_condition_keys(self._node, CaseInsensitiveDict())
        # PMapper ignores SCPs for roles it takes for service-linked ones (by name).
        self._scps_apply = not _check_if_service_linked_role(self._node)

    def _policy_arn(self, policy: Mapping[str, Any]) -> str:
        name = str(policy["name"])
        if name.startswith("arn:"):
            return name
        # PMapper tracks inline policies by the principal's ARN.
        return (
            self._arn
            if policy.get("type", "inline") == "inline"
            else f"arn:aws:iam::aws:policy/{name}"
        )

    def _matches(self, policy: Policy, effect: str, action: str) -> bool:
        return policy_has_matching_statement(
            policy, effect, action, REQUEST_RESOURCE, self._context
        )

    def _levels(self) -> list[tuple[str, list[Policy]]]:
        return (self._scp_levels or []) if self._scps_apply else []

    def _all_policies(self) -> list[Policy]:
        policies = list(self._identity)
        if self._boundary is not None:
            policies.append(self._boundary)
        for _target, level in self._levels():
            policies.extend(level)
        return policies

    def allowed(self, action: str) -> bool:
        """PMapper's own end-to-end verdict."""
        groups = None if self._scp_levels is None else [lvl for _t, lvl in self._scp_levels]
        return bool(
            local_check_authorization_full(
                self._node, action, REQUEST_RESOURCE, {}, service_control_policy_groups=groups
            )
        )

    def explicitly_denied(self, action: str) -> bool:
        return any(self._matches(p, "Deny", action) for p in self._all_policies())

    def deny_layers(self, action: str) -> list[str]:
        """Layers with a matching Deny, named as the engine names them."""
        layers = []
        if any(self._matches(p, "Deny", action) for p in self._identity):
            layers.append("identity")
        if self._boundary is not None and self._matches(self._boundary, "Deny", action):
            layers.append("boundary")
        for target, level in self._levels():
            if any(self._matches(p, "Deny", action) for p in level):
                layers.append(f"scp:{target}")
        return layers

    def blocked_by(self, action: str) -> list[str]:
        """Layers with no matching Allow, named as the engine names them (contract section 3)."""
        layers = []
        if not any(self._matches(p, "Allow", action) for p in self._identity):
            layers.append("identity")
        if self._boundary is not None and not self._matches(self._boundary, "Allow", action):
            layers.append("boundary")
        for target, level in self._levels():
            if not any(self._matches(p, "Allow", action) for p in level):
                layers.append(f"scp:{target}")
        return layers

    def decision(self, action: str) -> Decision:
        """PMapper's own verdict first; its statement matcher only tells which kind of deny."""
        if not self.allowed(action):
            return "explicit_deny" if self.explicitly_denied(action) else "implicit_deny"
        if self.blocked_by(action):  # would be a bug in this adapter
            raise AssertionError(f"PMapper allowed {action} with a layer lacking an Allow")
        return "allowed"

    def decisions(self, actions: Iterable[str]) -> dict[str, Decision]:
        return {action: self.decision(action) for action in actions}


def oracle_decisions(snapshot: Mapping[str, Any], actions: Iterable[str]) -> dict[str, Decision]:
    """PMapper's decision for each action, for one role snapshot."""
    return PmapperOracle(snapshot).decisions(actions)
