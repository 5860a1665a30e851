"""Collected roles -> reports through OPA: what ``scan`` does once roles are collected.

``evaluate --input`` on GetAccountAuthorizationDetails input (``aws iam
get-account-authorization-details`` output, or a file ``scan --save-snapshot`` wrote) comes here
too, so a file gets the same verdicts from both commands: the ``VbawsScan`` extension (roles and
accounts that could not be read, per-account SCPs) and managed policies missing from the file
are interpreted once, by :func:`harness.aws.snapshot.load_saved_document`.

Roles that could not be read, and roles OPA could not evaluate, are reported as not evaluated
with the reason; the exit code is then 3, after everything else has been reported (contract
section 4).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from harness import formats, inputs
from harness.aws.accounts import CollectedScan
from harness.aws.selection import RoleSelector
from harness.aws.snapshot import (
    EvaluationSettings,
    ScanItem,
    build_items,
    load_saved_document,
)
from harness.errors import ExternalError
from harness.messages import emit
from harness.opa import OpaClient
from harness.progress import Progress

# Roles per OPA request (contract batch form).
BATCH_SIZE = 200
EXIT_NOT_EVALUATED = ExternalError.exit_code
# Not-evaluated roles named one per line on standard error, at most (the report has them all).
_MAX_ERROR_LINES = 20


def read_saved(source: str) -> inputs.EvaluationInput:
    """A ``--from-file`` document, read and checked as ``evaluate --input`` reads it, narrowed
    to the one shape a saved scan has."""
    return inputs.load_input(source, shapes=("authorization_details",))


def load_saved(
    document: inputs.EvaluationInput, selector: RoleSelector
) -> tuple[CollectedScan, EvaluationSettings]:
    """The selected roles of a saved document, as a scan would have collected them, and the
    document's own ``checks`` / ``appliance`` (command-line values are applied to it first:
    :meth:`~harness.inputs.EvaluationInput.apply_defaults`)."""
    loaded = load_saved_document(document.name, document.data, selector)
    collections = {c.account_id: c for c in loaded.collections}
    collected = CollectedScan(
        account_ids=list(collections)
        + [a for a in loaded.account_failures if a not in collections],
        collections=collections,
        scps=loaded.scps,
        account_failures=loaded.account_failures,
        notes=[note for c in loaded.collections for note in c.notes],
    )
    return collected, loaded.settings


def scan_items(collected: CollectedScan, settings: EvaluationSettings) -> list[ScanItem]:
    """Items in account order; an account that failed as a whole gets one record."""
    items: list[ScanItem] = []
    for account_id in collected.account_ids:
        if account_id in collected.account_failures:
            # No role is known there; the record stands for all of them.
            items.append(
                ScanItem(
                    f"arn:aws:iam::{account_id}:role/*",
                    error=collected.account_failures[account_id],
                    settings=settings,
                )
            )
            continue
        collection = collected.collections.get(account_id)
        if collection is not None:
            items.extend(build_items(collection, settings, collected.scps.get(account_id)))
    return items


def evaluate_items(
    items: list[ScanItem],
    opa: OpaClient | ExternalError,
    progress: Progress | None = None,
) -> ExternalError | None:
    """Fill ``item.report`` through OPA; an OPA failure marks the rest as not evaluated.

    ``opa`` was opened and checked before the roles were collected
    (:func:`harness.evaluate_command.open_opa`), or is the failure that kept it from opening:
    then every role is not evaluated, for that reason, and it is returned.
    """
    pending = [item for item in items if item.snapshot is not None]
    done = 0
    try:
        if isinstance(opa, ExternalError):
            raise opa
        batches = [pending[i : i + BATCH_SIZE] for i in range(0, len(pending), BATCH_SIZE)]
        snapshots = ({"roles": [item.snapshot for item in batch]} for batch in batches)
        for batch, reports in zip(batches, opa.report_lists(snapshots), strict=False):
            _fill_reports(opa, batch, reports)
            done += len(batch)
            if progress is not None:
                progress.update("evaluating", done, len(pending))
    except ExternalError as exc:
        for item in pending[done:]:
            item.error = f"not evaluated by OPA: {exc}"
            item.snapshot = None
        return exc
    finally:
        if progress is not None:
            progress.close()
    return None


def _fill_reports(client: OpaClient, batch: list[ScanItem], reports: list[dict[str, Any]]) -> None:
    if len(reports) != len(batch):
        raise ExternalError(
            f"OPA at {client.url} returned {len(reports)} reports for {len(batch)} roles"
        )
    for item, report in zip(batch, reports, strict=True):
        item.report = {**report, **item.extra}


def in_file_order(items: list[ScanItem], document: inputs.EvaluationInput) -> list[ScanItem]:
    """``items`` in the order of the file's RoleDetailList (contract section 4: reports in
    input order), rather than grouped by account; records for roles and accounts the file
    lists only as unreadable follow, in the order they came."""
    arns = document.role_arns()
    # An ARN the file lists twice (pages merged by hand) keeps both places, in turn.
    positions: dict[str, deque[int]] = {}
    for index, arn in enumerate(arns):
        positions.setdefault(arn, deque()).append(index)
    keys = []
    for item in items:
        places = positions.get(item.role_arn)
        keys.append(places.popleft() if places else len(arns))
    return [item for _, item in sorted(zip(keys, items, strict=True), key=lambda pair: pair[0])]


def item_report(item: ScanItem) -> dict[str, Any]:
    if item.error is not None:
        record = formats.not_evaluated(
            item.role_arn,
            item.error,
            checks=item.settings.checks,
            appliance=item.settings.appliance is not None,
        )
        if "scps_note" in item.extra:
            record["scps_note"] = item.extra["scps_note"]
        return record
    assert item.report is not None, "every item is evaluated or has an error"
    return item.report


def print_failures(items: list[ScanItem], failure: ExternalError | None) -> None:
    """The roles not evaluated, on standard error (after the report is written)."""
    if failure is not None:
        emit("error", str(failure))
        return  # every remaining role failed for this one reason
    failed = [item for item in items if item.error is not None]
    for item in failed[:_MAX_ERROR_LINES]:
        emit("error", f"{item.role_arn}: not evaluated: {item.error}")
    if len(failed) > _MAX_ERROR_LINES:
        emit(
            "error",
            f"... and {len(failed) - _MAX_ERROR_LINES} more roles not evaluated (see the report)",
        )


def exit_code(items: list[ScanItem], failure: ExternalError | None) -> int:
    """3 when a role could not be read or evaluated, else 0 (all compliant) or 1."""
    if failure is not None or any(item.error is not None for item in items):
        return EXIT_NOT_EVALUATED
    return formats.compliance_exit_code([item_report(item) for item in items])
