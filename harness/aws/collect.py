"""Collect one account's selected roles and the managed policies they use.

The result is kept in the GetAccountAuthorizationDetails shape (``RoleDetailList`` entries and
``Policies`` entries with their default version), whichever path collected it, so that snapshot
building and ``--save-snapshot`` have one format to deal with.

Two paths:

- *bulk* (default): one paginated ``GetAccountAuthorizationDetails`` for roles and local managed
  policies, plus ``GetPolicy``/``GetPolicyVersion`` once per AWS managed policy actually used
  (cached for the whole run, across accounts);
- *per role* (when the caller may not call the bulk API, or on request): ``GetRole``,
  ``ListRolePolicies``/``GetRolePolicy``, ``ListAttachedRolePolicies`` and the policy cache.

A role whose data cannot all be read is kept with an error instead of being dropped or guessed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from harness.aws.clients import (
    AWS_ERRORS,
    IncompleteResponseError,
    all_pages,
    answer_field,
    describe_error,
    error_code,
    is_access_denied,
)
from harness.aws.selection import RoleSelector, account_of_arn, role_name_from_arn
from harness.errors import ExternalError

Method = Literal["auto", "bulk", "per-role"]

# GetAccountAuthorizationDetails returns at most 1,000 items per page.
_GAAD_PAGE_SIZE = 1000


@dataclass
class AccountCollection:
    """What was collected in one account."""

    account_id: str
    method: str
    # RoleDetail dicts of the selected roles, in account order (failed roles keep what was read).
    roles: list[dict[str, Any]] = field(default_factory=list)
    # Policy ARN -> Policies entry (GetAccountAuthorizationDetails shape, default version only).
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Role ARN -> why the role could not be fully read.
    errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Lower-cased names and ARNs of roles that --role names but the other filters leave out:
    # found, so not reported missing, and each said in a note.
    excluded: set[str] = field(default_factory=set)

    def fail(self, role: dict[str, Any], reason: str) -> None:
        arn = role["Arn"]
        if arn not in self.errors:
            self.errors[arn] = reason
        if not any(r is role for r in self.roles):
            self.roles.append(role)

    def select(self, selector: RoleSelector, role: dict[str, Any]) -> bool:
        """Whether the selector keeps the role; a role it names but leaves out is noted."""
        if selector.matches(role):
            return True
        self.exclude(role, selector.exclusion(role))
        return False

    def exclude(self, role: Mapping[str, Any], reason: str | None) -> None:
        if reason is None:
            return
        arn, name = str(role.get("Arn", "")), str(role.get("RoleName", ""))
        if arn.lower() not in self.excluded:
            self.notes.append(f"role {arn} is named by --role but not scanned: {reason}")
        self.excluded.update((arn.lower(), name.lower()))

    def found(self) -> set[str]:
        """Lower-cased names and ARNs of the roles collected or noted as left out."""
        return self.excluded | {
            str(role.get(key, "")).lower() for role in self.roles for key in ("RoleName", "Arn")
        }


class PolicyFetchError(Exception):
    """A managed policy's default version could not be read."""


class PolicyCache:
    """Managed policies (default version) fetched once each per run, shared by every account.

    AWS managed policies (``arn:aws:iam::aws:policy/...``) are identical in every account, so one
    fetch serves the whole organization. Failures are not cached across accounts: a denial in one
    account says nothing about another.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._policies: dict[str, dict[str, Any]] = {}
        self._key_locks: dict[str, threading.Lock] = {}

    def seed(self, policy: dict[str, Any]) -> None:
        with self._lock:
            self._policies.setdefault(policy["Arn"], policy)

    def get(self, iam: Any, arn: str) -> dict[str, Any]:
        with self._lock:
            if arn in self._policies:
                return self._policies[arn]
            key_lock = self._key_locks.setdefault(arn, threading.Lock())
        with key_lock:
            with self._lock:
                if arn in self._policies:
                    return self._policies[arn]
            policy = fetch_policy(iam, arn)
            with self._lock:
                self._policies[arn] = policy
            return policy


def fetch_policy(iam: Any, arn: str) -> dict[str, Any]:
    """``GetPolicy`` + ``GetPolicyVersion`` of the default version, as a Policies entry."""
    try:
        policy = dict(answer_field(iam.get_policy(PolicyArn=arn), "Policy"))
    except AWS_ERRORS as exc:
        raise PolicyFetchError(f"iam:GetPolicy on {arn}: {describe_error(exc)}") from exc
    version_id = policy.get("DefaultVersionId")
    try:
        answer = iam.get_policy_version(PolicyArn=arn, VersionId=version_id)
        version = answer_field(answer, "PolicyVersion")
        answer_field(version, "Document")
    except AWS_ERRORS as exc:
        raise PolicyFetchError(
            f"iam:GetPolicyVersion on {arn} version {version_id}: {describe_error(exc)}"
        ) from exc
    policy["PolicyVersionList"] = [dict(version, IsDefaultVersion=True)]
    return policy


def referenced_policy_arns(role: dict[str, Any]) -> list[str]:
    arns = [answer_field(p, "PolicyArn") for p in role.get("AttachedManagedPolicies") or ()]
    boundary = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    if boundary:
        arns.append(boundary)
    return arns


def _resolve_policies(
    iam: Any,
    collection: AccountCollection,
    cache: PolicyCache,
    role: dict[str, Any],
) -> None:
    """Make sure every managed policy the role uses is in ``collection.policies``."""
    for arn in referenced_policy_arns(role):
        if arn in collection.policies:
            continue
        try:
            collection.policies[arn] = cache.get(iam, arn)
        except PolicyFetchError as exc:
            collection.fail(role, f"role {role['RoleName']}: {exc}")


class AccountCollectionError(ExternalError):
    """Nothing could be collected in an account (listing roles failed)."""


def collect_account(
    iam: Any,
    account_id: str,
    selector: RoleSelector,
    cache: PolicyCache,
    *,
    method: Method = "auto",
    report_missing_names: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> AccountCollection:
    """Collect the selected roles of one account by the requested path.

    ``auto`` uses the bulk API and falls back to per-role calls when the caller is denied it.
    """
    if method in ("auto", "bulk"):
        try:
            collection = collect_bulk(iam, account_id, selector, cache)
        except _BulkDenied as denied:
            if method == "bulk":
                raise AccountCollectionError(
                    f"account {account_id}: {denied.reason}"
                ) from denied.__cause__
            collection = collect_per_role(iam, account_id, selector, cache, progress=progress)
            collection.notes.insert(
                0,
                f"account {account_id}: {denied.reason}; collected role by role instead",
            )
    else:
        collection = collect_per_role(iam, account_id, selector, cache, progress=progress)
    _add_missing_names(collection, selector, account_id, report_missing_names)
    # Both paths report in the same, stable order whatever order the listing API used.
    collection.roles.sort(key=lambda role: str(role.get("Arn", "")))
    return collection


class _BulkDenied(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def collect_bulk(
    iam: Any, account_id: str, selector: RoleSelector, cache: PolicyCache
) -> AccountCollection:
    collection = AccountCollection(account_id=account_id, method="bulk")
    local: dict[str, dict[str, Any]] = {}
    paginator = iam.get_paginator("get_account_authorization_details")
    pages = paginator.paginate(
        Filter=["Role", "LocalManagedPolicy"],
        PaginationConfig={"PageSize": _GAAD_PAGE_SIZE},
    )
    try:
        for page in all_pages(pages):
            # Roles were asked for: a page without its role list does not say there are none.
            for role in answer_field(page, "RoleDetailList"):
                # A role that cannot be named cannot be reported: the account is not evaluated.
                answer_field(role, "Arn")
                answer_field(role, "RoleName")
                if collection.select(selector, role):
                    collection.roles.append(role)
            for policy in page.get("Policies") or ():
                local[answer_field(policy, "Arn")] = _default_version_only(policy)
    except AWS_ERRORS as exc:
        reason = f"iam:GetAccountAuthorizationDetails: {describe_error(exc)}"
        if is_access_denied(exc) and not collection.roles and not local:
            raise _BulkDenied(reason) from exc
        raise AccountCollectionError(f"account {account_id}: {reason}") from exc
    for role in collection.roles:
        try:
            _check_role_detail(role)
        except IncompleteResponseError as exc:
            collection.fail(
                role,
                f"role {role['RoleName']}: iam:GetAccountAuthorizationDetails: "
                f"{describe_error(exc)}",
            )
            continue
        for arn in referenced_policy_arns(role):
            if arn in local:
                collection.policies[arn] = local[arn]
        _resolve_policies(iam, collection, cache, role)
    return collection


def _check_role_detail(role: dict[str, Any]) -> None:
    """IncompleteResponseError unless the role has both policy lists (AWS gives them, empty
    when the role has none: a missing one is not "none") and each of its policies says what it
    is, and an inline one what it allows: a policy not read may deny what the role needs."""
    for inline in answer_field(role, "RolePolicyList"):
        answer_field(inline, "PolicyName")
        answer_field(inline, "PolicyDocument")
    for attached in answer_field(role, "AttachedManagedPolicies"):
        answer_field(attached, "PolicyArn")
    _check_boundary(role)


def _check_boundary(role: dict[str, Any]) -> None:
    """IncompleteResponseError for a PermissionsBoundary that does not name its policy (AWS
    names it whenever the role has one): read as no boundary, what it denies would pass."""
    boundary = role.get("PermissionsBoundary")
    if boundary is not None:
        answer_field(boundary, "PermissionsBoundaryArn")


def _default_version_only(policy: dict[str, Any]) -> dict[str, Any]:
    versions = [v for v in policy.get("PolicyVersionList") or () if v.get("IsDefaultVersion")]
    return dict(policy, PolicyVersionList=versions)


def collect_per_role(
    iam: Any,
    account_id: str,
    selector: RoleSelector,
    cache: PolicyCache,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> AccountCollection:
    collection = AccountCollection(account_id=account_id, method="per-role")
    candidates = _candidates(iam, account_id, selector, collection)
    for index, candidate in enumerate(candidates, start=1):
        _collect_one_role(iam, collection, cache, selector, candidate)
        if progress:
            progress(index, len(candidates))
    return collection


def _candidates(
    iam: Any, account_id: str, selector: RoleSelector, collection: AccountCollection
) -> list[dict[str, Any]]:
    """Roles to read one by one: named ones directly, otherwise ``ListRoles`` pre-filtered.

    ``ListRoles`` carries names, ARNs and trust policies but no tags or boundary, so tag
    filtering waits for ``GetRole``.
    """
    if selector.names_only:
        # By ARN, lower-cased: a role named twice (`--role Full --role Full`, or by name and by
        # ARN) is read and reported once, as the bulk path does.
        wanted: dict[str, dict[str, Any]] = {}
        for name in selector.names:
            if name.startswith("arn:"):
                if account_of_arn(name) != account_id:
                    continue
                wanted.setdefault(name.lower(), {"RoleName": role_name_from_arn(name), "Arn": name})
            else:
                arn = f"arn:aws:iam::{account_id}:role/{name}"
                wanted.setdefault(arn.lower(), {"RoleName": name, "Arn": arn})
        return list(wanted.values())
    listed: list[dict[str, Any]] = []
    try:
        for page in all_pages(iam.get_paginator("list_roles").paginate()):
            for role in answer_field(page, "Roles"):
                # A role that cannot be named cannot be read: the account is not evaluated.
                answer_field(role, "Arn")
                answer_field(role, "RoleName")
                if selector.matches_name(role) and selector.matches_trust(role):
                    listed.append(role)
                else:
                    collection.exclude(role, selector.exclusion(role, tags_known=False))
    except AWS_ERRORS as exc:
        raise AccountCollectionError(
            f"account {account_id}: iam:ListRoles: {describe_error(exc)}"
        ) from exc
    return listed


def _collect_one_role(
    iam: Any,
    collection: AccountCollection,
    cache: PolicyCache,
    selector: RoleSelector,
    candidate: dict[str, Any],
) -> None:
    name = candidate["RoleName"]
    try:
        role = dict(answer_field(iam.get_role(RoleName=name), "Role"))
        answer_field(role, "Arn")
        answer_field(role, "RoleName")
        _check_boundary(role)
    except AWS_ERRORS as exc:
        if error_code(exc) == "NoSuchEntity":
            # Deleted since listing, or a --role that does not exist (_add_missing_names says so).
            return
        collection.fail(dict(candidate), f"role {name}: iam:GetRole: {describe_error(exc)}")
        return
    if not collection.select(selector, role):
        return
    if any(
        str(r.get("Arn", "")).lower() == str(role.get("Arn", "")).lower() for r in collection.roles
    ):
        # Named twice in forms that differ in more than case (by name, and by ARN with a path).
        return
    detail: dict[str, Any] = {
        key: role[key]
        for key in ("Path", "RoleName", "RoleId", "Arn", "CreateDate", "AssumeRolePolicyDocument")
        if key in role
    }
    detail["Tags"] = role.get("Tags") or []
    if role.get("PermissionsBoundary"):
        detail["PermissionsBoundary"] = role["PermissionsBoundary"]
    detail["RolePolicyList"] = []
    detail["AttachedManagedPolicies"] = []
    collection.roles.append(detail)
    try:
        pages = iam.get_paginator("list_role_policies").paginate(RoleName=name)
        for page in all_pages(pages):
            for policy_name in answer_field(page, "PolicyNames"):
                try:
                    got = iam.get_role_policy(RoleName=name, PolicyName=policy_name)
                    document = answer_field(got, "PolicyDocument")
                except AWS_ERRORS as exc:
                    collection.fail(
                        detail,
                        f"role {name}: iam:GetRolePolicy {policy_name}: {describe_error(exc)}",
                    )
                    continue
                detail["RolePolicyList"].append(
                    {"PolicyName": policy_name, "PolicyDocument": document}
                )
    except AWS_ERRORS as exc:
        collection.fail(detail, f"role {name}: iam:ListRolePolicies: {describe_error(exc)}")
    try:
        pages = iam.get_paginator("list_attached_role_policies").paginate(RoleName=name)
        for page in all_pages(pages):
            for attached in answer_field(page, "AttachedPolicies"):
                answer_field(attached, "PolicyArn")
                detail["AttachedManagedPolicies"].append(attached)
    except AWS_ERRORS as exc:
        collection.fail(detail, f"role {name}: iam:ListAttachedRolePolicies: {describe_error(exc)}")
    if detail["Arn"] not in collection.errors:
        _resolve_policies(iam, collection, cache, detail)


def _add_missing_names(
    collection: AccountCollection,
    selector: RoleSelector,
    account_id: str,
    report_missing_names: bool,
) -> None:
    """A role asked for by name or ARN that is not there is reported, never silently skipped,
    whatever other filters are given (one that they leave out has a note instead)."""
    found = collection.found()
    for arn in selector.explicit_arns():
        if arn.lower() in found:
            continue
        role = {"RoleName": role_name_from_arn(arn), "Arn": arn}
        if account_of_arn(arn) == account_id:
            collection.fail(role, f"role {arn} not found in account {account_id}")
        elif report_missing_names:
            # Only one account is scanned: a role of another account cannot be read here.
            collection.fail(
                role,
                f"role {arn} is in account {account_of_arn(arn)}, not in the scanned account "
                f"{account_id}",
            )
    if not report_missing_names:
        return
    for name in selector.explicit_names():
        if name.lower() not in found:
            collection.fail(
                {"RoleName": name, "Arn": f"arn:aws:iam::{account_id}:role/{name}"},
                f"role {name} not found in account {account_id}",
            )
