"""Service control policies on an account's path (root -> OUs -> account).

SCPs are read with the Organizations API, which answers only in the management account or a
delegated administrator. When they were asked for and cannot be read, the account's roles are
reported as not evaluated, with the reason, rather than evaluated as if there were none
(contract section 4: never "compliant" on incomplete data).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from harness.aws.clients import (
    AWS_ERRORS,
    answer_field,
    decode_policy_document,
    describe_error,
    error_code,
    unrepeated,
)

SCP = "SERVICE_CONTROL_POLICY"

NOTE_MANAGEMENT = "SCPs do not apply to the organization's management account"
NOTE_SERVICE_LINKED = "SCPs do not apply to service-linked roles (path /aws-service-role/)"
NOTE_NO_ORGANIZATION = "the account is not in an organization: no SCPs apply"
NOTE_NOT_ENABLED = "the SCP policy type is not enabled in the organization: no SCPs apply"
_SCP_IN_FORCE = frozenset({"ENABLED", "PENDING_DISABLE", "PENDING_ENABLE"})


@dataclass(frozen=True)
class OrganizationInfo:
    organization_id: str
    management_account_id: str


@dataclass(frozen=True)
class AccountScps:
    """The SCP levels of one account, or why there are none in the snapshot.

    ``levels`` is None when SCPs are not applied; ``unreadable`` tells "could not be read" (the
    account's roles are then not evaluated) from "do not apply" (a plain note).
    """

    levels: list[dict[str, Any]] | None
    note: str | None = None
    unreadable: bool = False


class OrganizationReader:
    """Reads SCPs with one Organizations client, caching what several accounts share."""

    def __init__(self, organizations: Any) -> None:
        self.client = organizations
        # One reader serves every account of an organization scan. SCP reading is held under this
        # (reentrant) lock as a whole, so shared levels (root, OUs) are read exactly once; it is
        # a handful of calls next to the accounts' IAM collection, which stays concurrent.
        self._lock = threading.RLock()
        self._info: OrganizationInfo | None = None
        self._info_error: str | None = None
        self._scp_enabled: bool | None = None
        self._targets: dict[str, list[dict[str, Any]]] = {}
        self._documents: dict[str, Any] = {}
        self._parents: dict[str, str] = {}

    def organization(self) -> OrganizationInfo | None:
        """The organization, or None when the account is not in one.

        Raises ``ScpReadError`` when the call itself fails.
        """
        with self._lock:
            if self._info is not None:
                return self._info
            if self._info_error == "none":
                return None
        try:
            org = answer_field(self.client.describe_organization(), "Organization")
            info = OrganizationInfo(answer_field(org, "Id"), answer_field(org, "MasterAccountId"))
        except AWS_ERRORS as exc:
            if error_code(exc) == "AWSOrganizationsNotInUseException":
                with self._lock:
                    self._info_error = "none"
                return None
            raise ScpReadError(
                f"organizations:DescribeOrganization: {describe_error(exc)}"
            ) from exc
        with self._lock:
            self._info = info
        return info

    def scps_for_account(self, account_id: str) -> AccountScps:
        with self._lock:
            return self._scps_for_account(account_id)

    def _scps_for_account(self, account_id: str) -> AccountScps:
        try:
            info = self.organization()
            if info is None:
                return AccountScps(None, NOTE_NO_ORGANIZATION)
            if info.management_account_id == account_id:
                return AccountScps(None, NOTE_MANAGEMENT)
            if not self._scps_enabled():
                return AccountScps(None, NOTE_NOT_ENABLED)
            path = self._path_to_root(account_id)
            levels = [
                {"target": target, "policies": self._policies_for_target(target)} for target in path
            ]
        except ScpReadError as exc:
            return AccountScps(
                None,
                f"--with-scps: the SCPs of account {account_id} could not be read ({exc})",
                unreadable=True,
            )
        return AccountScps(levels)

    def _scps_enabled(self) -> bool:
        with self._lock:
            if self._scp_enabled is not None:
                return self._scp_enabled
        try:
            roots = [
                root
                for page in unrepeated(self.client.get_paginator("list_roots").paginate())
                for root in answer_field(page, "Roots")
            ]
            # An organization has a root, and a root lists its policy types (empty when none is
            # enabled): without them, whether SCPs apply is not known, never "they do not".
            if not roots:
                raise ScpReadError("organizations:ListRoots: no root returned")
            # Each type says what it is and whether it is enabled: one that does not may be
            # the SCP type, enabled.
            types = [
                (answer_field(t, "Type"), answer_field(t, "Status"))
                for root in roots
                for t in answer_field(root, "PolicyTypes")
            ]
        except AWS_ERRORS as exc:
            raise ScpReadError(f"organizations:ListRoots: {describe_error(exc)}") from exc
        # A type being disabled is still enforced, and one being enabled is about to be: SCPs
        # can only take permissions away, so reading them in either case is the safe answer.
        enabled = any(kind == SCP and status in _SCP_IN_FORCE for kind, status in types)
        with self._lock:
            self._scp_enabled = enabled
        return enabled

    def _path_to_root(self, account_id: str) -> list[str]:
        """Targets from the root down to the account (the order the snapshot wants)."""
        path = [account_id]
        child = account_id
        # OUs nest at most five deep; the bound only guards against a looping endpoint.
        for _ in range(10):
            parent_id, parent_type = self._parent(child)
            path.append(parent_id)
            if parent_type == "ROOT":
                return list(reversed(path))
            child = parent_id
        raise ScpReadError(f"organizations:ListParents: no root above {account_id}")

    def _parent(self, child: str) -> tuple[str, str]:
        with self._lock:
            if child in self._parents:
                parent = self._parents[child]
                return parent, "ROOT" if parent.startswith("r-") else "ORGANIZATIONAL_UNIT"
        try:
            # Organizations' List* calls may answer a page with nothing on it and a NextToken:
            # only the pages together say whether there is a parent.
            parents = [
                parent
                for page in unrepeated(
                    self.client.get_paginator("list_parents").paginate(ChildId=child)
                )
                for parent in answer_field(page, "Parents")
            ]
            if not parents:
                raise ScpReadError(f"organizations:ListParents on {child}: no parent returned")
            parent_id = answer_field(parents[0], "Id")
            parent_type = answer_field(parents[0], "Type")
        except AWS_ERRORS as exc:
            raise ScpReadError(
                f"organizations:ListParents on {child}: {describe_error(exc)}"
            ) from exc
        with self._lock:
            self._parents[child] = parent_id
        return parent_id, parent_type

    def _policies_for_target(self, target: str) -> list[dict[str, Any]]:
        with self._lock:
            if target in self._targets:
                return self._targets[target]
        summaries: list[dict[str, Any]] = []
        try:
            paginator = self.client.get_paginator("list_policies_for_target")
            for page in unrepeated(paginator.paginate(TargetId=target, Filter=SCP)):
                for summary in answer_field(page, "Policies"):
                    # An SCP that cannot be named cannot be read, and it may deny anything.
                    policy_id = answer_field(summary, "Id")
                    # Only SCPs were asked for. Another type in the answer (an endpoint that
                    # ignored the filter: the RCPFullAWSAccess on every target, say) would be
                    # taken for an SCP that allows at this level, so the answer is not used.
                    kind = summary.get("Type", SCP)
                    if kind != SCP:
                        raise ScpReadError(
                            f"organizations:ListPoliciesForTarget on {target}: the answer to "
                            f"the {SCP} filter lists {policy_id}, a {kind}"
                        )
                    summaries.append(summary)
        except AWS_ERRORS as exc:
            raise ScpReadError(
                f"organizations:ListPoliciesForTarget on {target}: {describe_error(exc)}"
            ) from exc
        policies = [
            {"name": s.get("Name") or s["Id"], "document": self._document(s["Id"])}
            for s in summaries
        ]
        with self._lock:
            self._targets[target] = policies
        return policies

    def _document(self, policy_id: str) -> Any:
        with self._lock:
            if policy_id in self._documents:
                return self._documents[policy_id]
        try:
            policy = answer_field(self.client.describe_policy(PolicyId=policy_id), "Policy")
            content = answer_field(policy, "Content")
        except AWS_ERRORS as exc:
            raise ScpReadError(
                f"organizations:DescribePolicy on {policy_id}: {describe_error(exc)}"
            ) from exc
        # Organizations returns the document as a plain JSON string, not decoded by botocore; one
        # that names a key twice stays text, for the engine to report (decode_policy_document).
        try:
            document = decode_policy_document(content) if isinstance(content, str) else content
        except ValueError as exc:
            raise ScpReadError(f"SCP {policy_id}: content is not JSON") from exc
        with self._lock:
            self._documents[policy_id] = document
        return document


class ScpReadError(Exception):
    """An Organizations call needed for the SCPs failed."""


def is_service_linked(role: dict[str, Any]) -> bool:
    """Whether SCPs leave the role alone: its path is /aws-service-role/ (IAM keeps that path
    for service-linked roles). Told by the ARN, which carries the path, as the engine tells it:
    a ``Path`` that disagrees with the ARN (a saved file edited, or made by another tool) must
    not take the SCPs away, nor let the role be evaluated when they could not be read."""
    # The resource part of the ARN, after its fifth colon, starts with the path: a path may
    # hold ":role/aws-service-role/" itself (IAM allows any character from ! to DEL in it).
    parts = str(role.get("Arn", "")).split(":", 5)
    return len(parts) == 6 and parts[5].startswith("role/aws-service-role/")
