"""Collect from the caller's account, or from every active account of the organization.

For ``--organization`` each member account is read through a role assumed in it
(``--assume-role-name``), a few accounts at a time (``--max-workers``). One account failing
(the role cannot be assumed, the listing is denied) is recorded for that account and the others
go on. SCPs are always read with the caller's own credentials: only the management account or a
delegated administrator can read them, and member-account roles cannot.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harness.aws.clients import (
    AWS_ERRORS,
    AwsOptions,
    CallRecorder,
    IncompleteResponseError,
    answer_field,
    describe_error,
    make_client,
    make_session,
    unrepeated,
)
from harness.aws.collect import (
    AccountCollection,
    AccountCollectionError,
    Method,
    PolicyCache,
    collect_account,
)
from harness.aws.organizations import AccountScps, OrganizationReader, ScpReadError
from harness.aws.selection import RoleSelector, account_of_arn, role_name_from_arn
from harness.errors import ExternalError, UsageError

SESSION_NAME = "vbaws-policy-scan"
# Stands for the account(s) when not even which accounts to scan could be found out (AWS
# unreachable, the credentials refused, the organization's accounts not listed): the report's
# record for them is then ``arn:aws:iam::*:role/*``.
UNKNOWN_ACCOUNT = "*"

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class CollectOptions:
    aws: AwsOptions
    selector: RoleSelector
    method: Method = "auto"
    with_scps: bool = False
    organization: bool = False
    assume_role_name: str | None = None
    max_workers: int = 4


@dataclass
class CollectedScan:
    """Everything collected, account by account, in a stable order."""

    account_ids: list[str] = field(default_factory=list)
    collections: dict[str, AccountCollection] = field(default_factory=dict)
    scps: dict[str, AccountScps] = field(default_factory=dict)
    # Account id -> why nothing could be collected there.
    account_failures: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def failed(cls, reason: str) -> CollectedScan:
        """Nothing collected, not even which accounts there are (see UNKNOWN_ACCOUNT)."""
        return cls(account_ids=[UNKNOWN_ACCOUNT], account_failures={UNKNOWN_ACCOUNT: reason})


def collect(
    options: CollectOptions, recorder: CallRecorder, progress: Progress | None = None
) -> CollectedScan:
    """Everything the options select; AWS failures are recorded in the result, never raised
    (contract section 4: the report is still written, with what could not be read in it)."""
    try:
        return _collect(options, recorder, progress)
    except ExternalError as exc:
        return CollectedScan.failed(str(exc))


def _collect(
    options: CollectOptions, recorder: CallRecorder, progress: Progress | None
) -> CollectedScan:
    if options.organization and not options.assume_role_name:
        raise UsageError(
            "--organization needs --assume-role-name NAME: the (read-only) role to assume in "
            "each member account"
        )
    session = make_session(options.aws, recorder)
    sts = make_client(session, "sts", options.aws)
    try:
        caller_arn = str(answer_field(sts.get_caller_identity(), "Arn"))
        if len(caller_arn.split(":")) < 6:
            raise IncompleteResponseError(field="ARN in its Arn")
    except AWS_ERRORS as exc:
        raise ExternalError(
            f"cannot identify the AWS caller (sts:GetCallerIdentity): {describe_error(exc)}"
        ) from exc
    caller_account = caller_arn.split(":")[4]
    partition = caller_arn.split(":")[1]
    reader = (
        OrganizationReader(make_client(session, "organizations", options.aws))
        if options.with_scps or options.organization
        else None
    )
    cache = PolicyCache()
    result = CollectedScan()
    if not options.organization:
        iam = make_client(session, "iam", options.aws)
        result.account_ids.append(caller_account)
        _collect_one(options, result, cache, reader, caller_account, lambda: iam, progress, True)
        return result

    assert reader is not None
    accounts = _active_accounts(reader, caller_account)
    result.account_ids.extend(accounts)
    caller_iam = make_client(session, "iam", options.aws)

    def iam_for(account_id: str) -> Callable[[], Any]:
        if account_id == caller_account:
            return lambda: caller_iam

        def assume() -> Any:
            role_arn = f"arn:{partition}:iam::{account_id}:role/{options.assume_role_name}"
            try:
                answer = sts.assume_role(RoleArn=role_arn, RoleSessionName=SESSION_NAME)
                credentials = answer_field(answer, "Credentials")
                for key in ("AccessKeyId", "SecretAccessKey", "SessionToken"):
                    answer_field(credentials, key)
            except AWS_ERRORS as exc:
                raise AccountCollectionError(
                    f"account {account_id}: sts:AssumeRole on {role_arn}: {describe_error(exc)}"
                ) from exc
            member = make_session(options.aws, recorder, credentials=credentials)
            return make_client(member, "iam", options.aws)

        return assume

    done = 0
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=options.max_workers)
    try:
        futures = [
            pool.submit(
                _collect_one, options, result, cache, reader, account, iam_for(account), None, False
            )
            for account in accounts
        ]
        for future in concurrent.futures.as_completed(futures):
            future.result()
            done += 1
            if progress:
                progress("accounts", done, len(accounts))
    finally:
        # On Ctrl-C, accounts not started yet are dropped instead of waited for.
        pool.shutdown(wait=True, cancel_futures=True)
    _add_missing_names(result, options.selector)
    return result


def _add_missing_names(result: CollectedScan, selector: RoleSelector) -> None:
    """A role named with ``--role`` that no account of the organization holds is reported as
    not evaluated, never silently dropped: one record each, in a collection of the unknown
    account (``arn:aws:iam::*:role/NAME``), or under the ARN given when its account is not one
    the organization scan covers. (A named ARN of a scanned account is reported by that
    account's collection, and a single-account scan reports names itself: collect_account.)
    """
    found = {key for collection in result.collections.values() for key in collection.found()}
    scanned = f"{len(result.collections)} scanned"
    if result.account_failures:
        scanned += f", {len(result.account_failures)} could not be read"
    missing = AccountCollection(UNKNOWN_ACCOUNT, method="none")
    for wanted in selector.names:
        if wanted.lower() in found:
            continue
        if not wanted.startswith("arn:"):
            missing.fail(
                {"RoleName": wanted, "Arn": f"arn:aws:iam::{UNKNOWN_ACCOUNT}:role/{wanted}"},
                f"role {wanted} not found in any account of the organization ({scanned})",
            )
        elif account_of_arn(wanted) not in result.account_ids:
            missing.fail(
                {"RoleName": role_name_from_arn(wanted), "Arn": wanted},
                f"role {wanted} is in account {account_of_arn(wanted)}, not an active account "
                "of the organization",
            )
    if missing.roles:
        result.account_ids.append(UNKNOWN_ACCOUNT)
        result.collections[UNKNOWN_ACCOUNT] = missing


def _active_accounts(reader: OrganizationReader, caller_account: str) -> list[str]:
    try:
        info = reader.organization()
        if info is None:
            raise ExternalError("--organization: the caller's account is not in an organization")
        accounts: list[str] = []
        listed: set[str] = set()
        paginator = reader.client.get_paginator("list_accounts")
        for page in unrepeated(paginator.paginate()):
            for account in answer_field(page, "Accounts"):
                listed.add(answer_field(account, "Id"))
                # "State" replaces the deprecated "Status"; either says ACTIVE for live accounts.
                state = account.get("State") or account.get("Status")
                if state is None:
                    # Not said to be anything else, it may be active: never skipped unsaid.
                    raise IncompleteResponseError(field="State")
                if state == "ACTIVE":
                    accounts.append(account["Id"])
        # Every account of the organization is listed, whatever its state, the management
        # account and the caller's own among them. A list without them is not the whole
        # organization (an emulator answering a member with an empty list, say), and scanning
        # it would report nothing wrong about the accounts left out.
        for account_id, which in (
            (info.management_account_id, "the management account"),
            (caller_account, "the caller's account"),
        ):
            if account_id not in listed:
                raise ExternalError(
                    f"--organization: organizations:ListAccounts did not list {account_id}, "
                    f"{which}: the organization's accounts are not all known"
                )
        return accounts
    except ScpReadError as exc:
        raise ExternalError(f"--organization: {exc}") from exc
    except AWS_ERRORS as exc:
        raise ExternalError(
            f"--organization: organizations:ListAccounts: {describe_error(exc)}"
        ) from exc


def _collect_one(
    options: CollectOptions,
    result: CollectedScan,
    cache: PolicyCache,
    reader: OrganizationReader | None,
    account_id: str,
    iam_factory: Callable[[], Any],
    progress: Progress | None,
    single_account: bool,
) -> None:
    """Collect one account into ``result``; failures are recorded, never raised."""

    def role_progress(done: int, total: int) -> None:
        if progress:
            progress("roles", done, total)

    try:
        iam = iam_factory()
        collection = collect_account(
            iam,
            account_id,
            options.selector,
            cache,
            method=options.method,
            report_missing_names=single_account,
            progress=role_progress,
        )
    except AccountCollectionError as exc:
        result.account_failures[account_id] = str(exc)
        return
    except AWS_ERRORS as exc:  # e.g. the endpoint went away between two calls
        result.account_failures[account_id] = f"account {account_id}: {describe_error(exc)}"
        return
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        # An answer of a shape no check above foresaw: this account is not evaluated, and the
        # other accounts' results are still reported (never a traceback that loses them all).
        result.account_failures[account_id] = (
            f"account {account_id}: an AWS answer did not have the expected shape "
            f"({type(exc).__name__}: {exc})"
        )
        return
    result.collections[account_id] = collection
    result.notes.extend(collection.notes)
    if options.with_scps and reader is not None:
        result.scps[account_id] = reader.scps_for_account(account_id)
