"""Collected roles -> contract section 2 role snapshots, or "not evaluated" records.

Also the ``--save-snapshot`` / ``--from-file`` format: the GetAccountAuthorizationDetails shape
(so ``aws iam get-account-authorization-details`` output can be scanned offline too) plus one
extension key, ``VbawsScan``, that keeps what that shape has no room for (per-account SCPs and
the roles that could not be read).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from harness.aws.accounts import UNKNOWN_ACCOUNT
from harness.aws.collect import AccountCollection
from harness.aws.organizations import NOTE_SERVICE_LINKED, AccountScps, is_service_linked
from harness.aws.selection import RoleSelector, account_of_arn

EXTENSION_KEY = "VbawsScan"


@dataclass(frozen=True)
class EvaluationSettings:
    checks: list[str] | None = None
    appliance: str | None = None


@dataclass
class ScanItem:
    """One selected role: a snapshot to evaluate, or the reason it cannot be evaluated."""

    role_arn: str
    snapshot: dict[str, Any] | None = None
    error: str | None = None
    # Fields added to the role's report (``scps_note``).
    extra: dict[str, Any] = field(default_factory=dict)
    # The report OPA returned (extra fields and findings merged in).
    report: dict[str, Any] | None = None
    # What the role was to be checked for: a not-evaluated report names them too.
    settings: EvaluationSettings = field(default_factory=EvaluationSettings)


def build_items(
    collection: AccountCollection,
    settings: EvaluationSettings,
    scps: AccountScps | None,
) -> list[ScanItem]:
    """One item per collected role, in collection order.

    ``scps`` is None when SCPs were not asked for (``--with-scps`` absent).
    """
    items = []
    for role in collection.roles:
        arn = role["Arn"]
        if arn in collection.errors:
            items.append(ScanItem(arn, error=collection.errors[arn], settings=settings))
            continue
        try:
            snapshot = role_snapshot(role, collection.policies)
        except _MissingPolicy as exc:
            items.append(ScanItem(arn, error=f"role {role['RoleName']}: {exc}", settings=settings))
            continue
        except (KeyError, TypeError, AttributeError) as exc:
            # Collected data of a shape no check foresaw: this role is not evaluated, the
            # others still are (never a traceback that loses every result).
            reason = f"the collected role data is incomplete ({type(exc).__name__}: {exc})"
            items.append(
                ScanItem(arn, error=f"role {role.get('RoleName')}: {reason}", settings=settings)
            )
            continue
        item = ScanItem(arn, snapshot=snapshot, settings=settings)
        if settings.checks:
            snapshot["checks"] = list(settings.checks)
        if settings.appliance:
            snapshot["appliance"] = {"principal": settings.appliance}
        _apply_scps(item, role, scps)
        items.append(item)
    return items


def _apply_scps(item: ScanItem, role: dict[str, Any], scps: AccountScps | None) -> None:
    if scps is None or item.snapshot is None:
        return
    if is_service_linked(role):
        item.extra["scps_note"] = NOTE_SERVICE_LINKED
        return
    if scps.levels is not None and not scps.unreadable:
        item.snapshot["scps"] = scps.levels
        return
    item.extra["scps_note"] = scps.note
    if scps.unreadable:
        # SCPs were asked for and could not be read: what the role may do is not known, so it
        # is not evaluated (contract section 4: never "compliant" on incomplete data). Levels
        # beside the flag (a hand-edited file) are not all there is.
        item.error = f"role {role['RoleName']}: {scps.note}"
        item.snapshot = None


class _MissingPolicy(Exception):
    pass


def role_snapshot(role: dict[str, Any], policies: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A RoleDetail (GetAccountAuthorizationDetails shape) as a contract section 2 snapshot."""
    snapshot_role: dict[str, Any] = {"arn": role["Arn"], "name": role["RoleName"]}
    if role.get("Path"):
        snapshot_role["path"] = role["Path"]
    if role.get("AssumeRolePolicyDocument") is not None:
        snapshot_role["trust_policy"] = role["AssumeRolePolicyDocument"]
    inline = [
        {"name": p["PolicyName"], "type": "inline", "document": p["PolicyDocument"]}
        for p in _policy_list(role, "RolePolicyList")
    ]
    attached = [
        {
            "name": p["PolicyArn"],
            "type": "managed",
            "document": default_document(p["PolicyArn"], policies),
        }
        for p in _policy_list(role, "AttachedManagedPolicies")
    ]
    snapshot_role["policies"] = inline + attached
    if role.get("PermissionsBoundary"):
        boundary_arn = role["PermissionsBoundary"].get("PermissionsBoundaryArn")
        # A boundary that cannot be resolved may block everything: never read as none.
        if not boundary_arn:
            raise _MissingPolicy("the role's PermissionsBoundary has no PermissionsBoundaryArn")
        snapshot_role["permissions_boundary"] = {
            "arn": boundary_arn,
            "document": default_document(boundary_arn, policies),
        }
    # IAM's list form goes as is: the engine checks it (a repeated key makes tag conditions
    # undecided), and a role listed without Tags has tags that are not known.
    if "Tags" in role:
        snapshot_role["tags"] = role["Tags"]
    return {"role": snapshot_role}


def _policy_list(role: dict[str, Any], key: str) -> list[dict[str, Any]]:
    # AWS lists both, empty when the role has none: a list not given is not known to be empty
    # (the collector fails such a role, the file schema refuses it; this is the last guard).
    if not isinstance(role.get(key), list):
        raise _MissingPolicy(f"the role's entry has no {key}: its policies are not known")
    return list(role[key])


def default_document(arn: str, policies: dict[str, dict[str, Any]]) -> Any:
    policy = policies.get(arn)
    if policy is None:
        raise _MissingPolicy(
            f"managed policy {arn} was not collected: its document is not in the Policies list"
        )
    versions = policy.get("PolicyVersionList") or []
    default = [v for v in versions if v.get("IsDefaultVersion")]
    # Which of two different default documents is the real one cannot be told (a file merged
    # from several calls, say): not guessed, as the engine does not guess for its own input.
    if any(v.get("Document") != default[0].get("Document") for v in default[1:]):
        raise _MissingPolicy(
            f"managed policy {arn} is given more than one default version, with different documents"
        )
    # Only a version flagged default counts, as in the engine's own reading of this input: a
    # lone version marked (or left) non-default is not guessed to be the one in force. The
    # live collector flags what GetPolicyVersion returns.
    chosen = default[0] if default else None
    if chosen is None or chosen.get("Document") is None:
        raise _MissingPolicy(f"managed policy {arn} has no default version document")
    return chosen["Document"]


# --- saved snapshot files ---------------------------------------------------------------------


def saved_document(
    collections: Iterable[AccountCollection],
    scps: dict[str, AccountScps],
    account_failures: dict[str, str],
) -> dict[str, Any]:
    """What ``--save-snapshot`` writes: every collected role and the policies they use."""
    roles: list[dict[str, Any]] = []
    policies: dict[str, dict[str, Any]] = {}
    not_evaluated: list[dict[str, str]] = []
    accounts: dict[str, Any] = {}
    for collection in collections:
        for role in collection.roles:
            if role["Arn"] in collection.errors:
                not_evaluated.append(
                    {"role_arn": role["Arn"], "error": collection.errors[role["Arn"]]}
                )
            else:
                roles.append(role)
        policies.update(collection.policies)
        accounts.setdefault(collection.account_id, {})["method"] = collection.method
    for account_id, account_scps in scps.items():
        accounts.setdefault(account_id, {}).update(
            {
                "scps": account_scps.levels,
                "scps_note": account_scps.note,
                "scps_unreadable": account_scps.unreadable,
            }
        )
    for account_id, reason in account_failures.items():
        accounts.setdefault(account_id, {})["error"] = reason
    document: dict[str, Any] = {
        "RoleDetailList": roles,
        "GroupDetailList": [],
        "UserDetailList": [],
        "Policies": list(policies.values()),
        EXTENSION_KEY: {
            "collected_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "accounts": accounts,
            "not_evaluated": not_evaluated,
        },
    }
    known_levels = [s.levels for s in scps.values() if s.levels is not None]
    if len(scps) == 1 and known_levels:
        # The OPA entry points read GetAccountAuthorizationDetails input without the extension;
        # top-level ``scps`` gives them the one account's SCPs. (The harness's own readers,
        # ``evaluate --input`` and ``scan --from-file``, use the extension: load_saved_document.)
        document["scps"] = known_levels[0]
    return document


@dataclass
class LoadedSnapshot:
    collections: list[AccountCollection]
    scps: dict[str, AccountScps]
    account_failures: dict[str, str]
    # The file's top-level ``checks`` / ``appliance``, for every role (contract section 2).
    settings: EvaluationSettings = field(default_factory=EvaluationSettings)


def _named_defaults_only(policy: dict[str, Any]) -> dict[str, Any]:
    """``policy`` (a ``Policies`` entry) with a version flagged IsDefaultVersion that its
    DefaultVersionId names otherwise no longer flagged: IAM names the default both ways, and
    where a hand-edited file says two things, which version is in force cannot be told. A
    version without a VersionId is not the one named either (IAM gives every version its
    id). As in the engine's own reading of this input, the entry then gives no default
    document."""
    named = policy.get("DefaultVersionId")
    versions = policy.get("PolicyVersionList") or []
    if not isinstance(named, str):
        return policy
    return dict(
        policy,
        PolicyVersionList=[
            dict(version, IsDefaultVersion=False)
            if version.get("IsDefaultVersion") and version.get("VersionId") != named
            else version
            for version in versions
        ],
    )


def load_saved_document(name: str, data: dict[str, Any], selector: RoleSelector) -> LoadedSnapshot:
    """A saved (or ``aws iam get-account-authorization-details``) document, roles selected.

    The one reader of this format in the harness: ``scan --from-file`` and ``evaluate --input``
    both come here, so a file gets the same verdicts from either. ``data`` has passed the
    schema's ``authorization_details`` definition (``inputs.load_input``), ``VbawsScan``
    included, so its shape is not checked again here. Roles are grouped by the account in their
    ARN, in file order; the ``VbawsScan`` extension adds the roles and accounts that could not
    be read (reported as not evaluated) and each account's SCPs.
    """
    policies: dict[str, dict[str, Any]] = {}
    for listed in data.get("Policies") or []:
        policy = _named_defaults_only(listed)
        known = policies.get(policy["Arn"])
        # An ARN listed twice keeps every version, so default_document sees conflicting defaults.
        policies[policy["Arn"]] = (
            policy
            if known is None
            else dict(
                known,
                PolicyVersionList=[
                    *(known.get("PolicyVersionList") or []),
                    *(policy.get("PolicyVersionList") or []),
                ],
            )
        )
    extension = data.get(EXTENSION_KEY) or {}
    collections: dict[str, AccountCollection] = {}

    def account(account_id: str) -> AccountCollection:
        if account_id not in collections:
            collections[account_id] = AccountCollection(
                account_id, method="file", policies=policies
            )
        return collections[account_id]

    for role in data["RoleDetailList"]:
        if selector.matches(role):
            account(account_of_arn(role["Arn"])).roles.append(role)
        elif (reason := selector.exclusion(role)) is not None:
            account(account_of_arn(role["Arn"])).exclude(role, reason)
    for entry in extension.get("not_evaluated") or []:
        arn = entry["role_arn"]
        role = {"Arn": arn, "RoleName": arn.rsplit("/", 1)[-1]}
        if selector.matches_name(role):
            account(account_of_arn(arn)).fail(role, entry["error"])
    _missing_from_file(name, selector, collections, account, _file_account(data))
    scps: dict[str, AccountScps] = {}
    failures: dict[str, str] = {}
    for account_id, info in (extension.get("accounts") or {}).items():
        unreadable = bool(info.get("scps_unreadable"))
        if "scps" in info or "scps_note" in info or unreadable:
            # A file trimmed of the note still says the SCPs could not be read.
            note = info.get("scps_note") or (
                f"--with-scps: the SCPs of account {account_id} could not be read"
                if unreadable
                else None
            )
            scps[account_id] = AccountScps(info.get("scps"), note, unreadable)
        if info.get("error"):
            failures[account_id] = info["error"]
    if not scps and isinstance(data.get("scps"), list):
        for account_id in collections:
            scps[account_id] = AccountScps(data["scps"])
    return LoadedSnapshot(list(collections.values()), scps, failures, _file_settings(data))


def _file_settings(data: dict[str, Any]) -> EvaluationSettings:
    checks = data.get("checks")
    appliance = data.get("appliance")
    return EvaluationSettings(
        checks=list(checks) if isinstance(checks, list) else None,
        appliance=appliance.get("principal") if isinstance(appliance, dict) else None,
    )


def _file_account(data: dict[str, Any]) -> str:
    """The one account every role and account of the file is in, else UNKNOWN_ACCOUNT.

    Collections hold only the roles the selector matched, so the file itself is asked: its
    roles, the roles and accounts its ``VbawsScan`` key says could not be read (a role missing
    from the file may be in an account whose roles were not listed).
    """
    extension = data.get(EXTENSION_KEY) or {}
    accounts = {account_of_arn(role["Arn"]) for role in data["RoleDetailList"]}
    accounts.update(account_of_arn(e["role_arn"]) for e in extension.get("not_evaluated") or [])
    accounts.update(extension.get("accounts") or {})
    return accounts.pop() if len(accounts) == 1 else UNKNOWN_ACCOUNT


def _missing_from_file(
    name: str,
    selector: RoleSelector,
    collections: dict[str, AccountCollection],
    account: Any,
    file_account: str,
) -> None:
    """A ``--role`` that the file does not hold is reported, as on a live scan: under the ARN
    given, else in the file's account when it has only one, else in the unknown account
    (``arn:aws:iam::*:role/NAME``, as a live ``--organization`` scan reports it)."""
    found = {key for c in collections.values() for key in c.found()}
    for wanted in selector.names:
        if wanted.lower() in found:
            continue
        arn = wanted if wanted.startswith("arn:") else None
        owner = account_of_arn(arn) if arn else file_account
        account(owner).fail(
            {
                "RoleName": wanted.rsplit("/", 1)[-1],
                "Arn": arn or f"arn:aws:iam::{owner}:role/{wanted}",
            },
            f"role {wanted} not found in {name}",
        )
