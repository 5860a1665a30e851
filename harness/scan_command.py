"""``scan``: collect IAM roles from AWS (or a saved file), evaluate them through OPA, report.

Collect -> build snapshots -> evaluate in batches -> render; everything after collecting is
:mod:`harness.scan_evaluation`, which ``evaluate --input`` shares for saved files. Roles that
could not be read, and roles OPA could not evaluate, are reported as not evaluated with the
reason; the exit code is then 3, after everything else has been reported (contract section 4).
"""

from __future__ import annotations

import argparse
import contextlib
import json
from typing import Any

from harness import formats, inputs
from harness.aws.accounts import CollectedScan, CollectOptions, collect
from harness.aws.clients import AwsOptions, CallRecorder, check_configuration
from harness.aws.selection import (
    SELECTION_HELP,
    RoleSelector,
    appliance_principal,
    is_account_id,
)
from harness.aws.snapshot import EvaluationSettings, saved_document
from harness.errors import UsageError
from harness.evaluate_command import (
    add_opa_arguments,
    add_output_arguments,
    check_distinct,
    check_opa_arguments,
    check_requested_ids,
    check_writable,
    open_opa,
    output_settings,
    replace_file,
    write_output,
)
from harness.messages import emit
from harness.progress import Progress
from harness.scan_evaluation import (
    evaluate_items,
    exit_code,
    in_file_order,
    item_report,
    load_saved,
    print_failures,
    read_saved,
    scan_items,
)

# The live-scan options default to None, so that one given with --from-file (where it would do
# nothing) can be told from one left alone; the defaults themselves are the dataclasses'.
DEFAULTS = CollectOptions(AwsOptions(), RoleSelector(all_roles=True))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="collect IAM roles from AWS (or a saved file) and report",
        description=(
            "Collect IAM roles read-only from an AWS account (or every account of an "
            "organization) with boto3, evaluate them against the Veeam requirement sets through "
            "OPA, and report. " + SELECTION_HELP[0].upper() + SELECTION_HELP[1:] + "."
        ),
    )
    select = parser.add_argument_group("role selection (at least one)")
    select.add_argument(
        "--role", action="append", metavar="NAME|ARN", help="a role to scan (repeatable)"
    )
    select.add_argument(
        "--tag",
        action="append",
        metavar="KEY=VALUE",
        help="only roles with this tag (repeatable: every tag must match)",
    )
    select.add_argument(
        "--trusted-by",
        metavar="PRINCIPAL",
        help=(
            "only roles whose trust policy names this principal. The appliance's Impersonation "
            "role ARN (or an account root ARN) selects the roles that name it or delegate to its "
            "account, and also checks that it can assume them. An account id selects the roles "
            "that trust any principal of that account and checks trust only with --appliance"
        ),
    )
    select.add_argument("--all-roles", action="store_true", help="every role of the account(s)")

    evaluation = parser.add_argument_group("evaluation")
    evaluation.add_argument(
        "--checks",
        metavar="IDS",
        type=_comma_list,
        help=(
            "comma-separated requirement sets; with --from-file, replaces the file's top-level "
            "checks (default: those, else ec2_backup)"
        ),
    )
    evaluation.add_argument(
        "--appliance",
        metavar="PRINCIPAL",
        help=(
            "backup appliance principal for the trust check: role ARN, or account id or root ARN "
            "for the account itself (with --trusted-by ACCOUNT: a principal of that account); "
            "with --from-file, replaces the file's top-level appliance"
        ),
    )

    aws = parser.add_argument_group(
        "AWS", "for a live scan; refused with --from-file, which reads no account"
    )
    aws.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    aws.add_argument("--region", help="AWS region (IAM is global; used for the STS endpoint)")
    aws.add_argument("--endpoint-url", metavar="URL", help="AWS-compatible endpoint to use")
    aws.add_argument(
        "--collection",
        choices=("auto", "bulk", "per-role"),
        help=(
            "auto (default): GetAccountAuthorizationDetails, falling back to per-role calls when "
            "it is denied; bulk: only the bulk call; per-role: only per-role calls"
        ),
    )
    aws.add_argument(
        "--max-attempts",
        type=_positive_int,
        metavar="N",
        help=(
            "attempts per AWS call, with adaptive retry on throttling "
            f"(default: {DEFAULTS.aws.max_attempts})"
        ),
    )
    aws.add_argument(
        "--with-scps",
        action="store_true",
        help=(
            "also read the SCPs on the account's path (management account or delegated admin); "
            "roles whose SCPs cannot be read are not evaluated (exit 3)"
        ),
    )
    aws.add_argument(
        "--organization",
        action="store_true",
        help="scan every active account of the organization (needs --assume-role-name)",
    )
    aws.add_argument(
        "--assume-role-name",
        metavar="NAME",
        help="role assumed in each member account for --organization",
    )
    aws.add_argument(
        "--max-workers",
        type=_positive_int,
        metavar="N",
        help=(
            "accounts collected at the same time with --organization "
            f"(default: {DEFAULTS.max_workers})"
        ),
    )

    files = parser.add_argument_group("snapshot files")
    files.add_argument(
        "--save-snapshot",
        metavar="FILE",
        help="write what was collected (GetAccountAuthorizationDetails shape) to FILE",
    )
    files.add_argument(
        "--from-file",
        metavar="FILE",
        help=(
            "evaluate a saved snapshot (or get-account-authorization-details output) offline; "
            "the AWS options above and --save-snapshot are then usage errors"
        ),
    )
    add_output_arguments(parser)
    add_opa_arguments(parser)
    parser.set_defaults(func=run)


def _comma_list(text: str) -> list[str]:
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise argparse.ArgumentTypeError("expected one or more comma-separated ids")
    return list(dict.fromkeys(items))


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _check_usage(args: argparse.Namespace) -> None:
    # Before any AWS call, not when OPA starts after the collection.
    check_opa_arguments(args)
    if args.appliance:
        inputs.check_appliance(args.appliance)
    if args.from_file:
        live_only = [
            flag
            for flag, given in (
                ("--organization", args.organization),
                ("--with-scps", args.with_scps),
                ("--save-snapshot", args.save_snapshot),
                ("--profile", args.profile),
                ("--region", args.region),
                ("--endpoint-url", args.endpoint_url),
                ("--collection", args.collection),
                ("--max-attempts", args.max_attempts),
                ("--assume-role-name", args.assume_role_name),
                ("--max-workers", args.max_workers),
            )
            if given is not None and given is not False
        ]
        if live_only:
            # An error, not a warning: a warning scrolls past in CI, and whoever asked for
            # --region or --collection would believe the snapshot was read that way.
            verb = "has" if len(live_only) == 1 else "have"
            raise UsageError(
                f"{', '.join(live_only)} {verb} no effect with --from-file: a saved file is "
                "evaluated offline, without AWS"
            )
    elif args.assume_role_name and not args.organization:
        raise UsageError("--assume-role-name is only used with --organization")


def run(args: argparse.Namespace) -> int:
    fmt, color = output_settings(args)
    formats.formatter(fmt)  # fail on an unavailable format before any AWS call
    _check_usage(args)
    check_writable(args.output)
    check_writable(args.save_snapshot, "--save-snapshot")
    _check_distinct_files(args.output, args.save_snapshot, args.from_file)
    # Made now, so that an endpoint URL or region AWS would refuse is bad usage found before
    # any work.
    aws_options = None if args.from_file else _aws_options(args)
    selector = RoleSelector.from_args(args.role, args.tag, args.trusted_by, args.all_roles)
    appliance = appliance_principal(args.trusted_by, args.appliance)
    if args.trusted_by and is_account_id(args.trusted_by) and appliance is None:
        emit(
            "note",
            f"--trusted-by {args.trusted_by} selects roles that trust any principal of "
            "that account; the trust policy is not checked (name the appliance's role ARN with "
            "--appliance to check it)",
        )
    document = read_saved(args.from_file) if args.from_file else None
    if document is not None:
        for warning in document.warnings:
            emit("warning", warning)
        # The file's own checks / appliance apply unless the command line names others,
        # exactly as for ``evaluate --input`` on the same file.
        document.apply_defaults(checks=args.checks, appliance=appliance)
    with contextlib.ExitStack() as stack:
        # OPA first: a bad URL or bundle or an unknown check is bad usage, found before AWS is
        # called or a snapshot saved, and the private OPA is ready when the roles are.
        opa = open_opa(stack, args, check_requested_ids(args.checks, document))
        progress = Progress()
        try:
            if document is not None:
                collected, settings = load_saved(document, selector)
            else:
                assert aws_options is not None
                collected = _collect_live(args, aws_options, selector, progress)
                settings = EvaluationSettings(checks=args.checks, appliance=appliance)
        finally:
            progress.close()
        for note in collected.notes:
            emit("note", note)
        if args.save_snapshot:
            _save(collected, args.save_snapshot)
        items = scan_items(collected, settings)
        if document is not None:
            items = in_file_order(items, document)
        if not items:
            emit("note", "no role matched the selection")
        failure = evaluate_items(items, opa, progress)
    reports = [item_report(item) for item in items]
    write_output(formats.render(reports, fmt, color=color), args.output)
    print_failures(items, failure)
    return exit_code(items, failure)


def _check_distinct_files(output: str | None, snapshot: str | None, from_file: str | None) -> None:
    """UsageError when the report would overwrite the snapshot just saved, or the saved scan
    it was read from."""
    check_distinct(output, snapshot, "--save-snapshot", "the snapshot")
    check_distinct(output, from_file, "--from-file", "the saved scan")


def _aws_options(args: argparse.Namespace) -> AwsOptions:
    options = AwsOptions(
        profile=args.profile,
        region=args.region,
        endpoint_url=args.endpoint_url,
        max_attempts=args.max_attempts or DEFAULTS.aws.max_attempts,
    )
    check_configuration(options)
    return options


def _collect_live(
    args: argparse.Namespace, aws: AwsOptions, selector: RoleSelector, progress: Progress
) -> CollectedScan:
    options = CollectOptions(
        aws=aws,
        selector=selector,
        method=args.collection or DEFAULTS.method,
        with_scps=args.with_scps,
        organization=args.organization,
        assume_role_name=args.assume_role_name,
        max_workers=args.max_workers or DEFAULTS.max_workers,
    )
    return collect(options, CallRecorder.from_environment(), progress.update)


def _save(collected: CollectedScan, path: str) -> None:
    document = saved_document(
        [collected.collections[a] for a in collected.account_ids if a in collected.collections],
        collected.scps,
        collected.account_failures,
    )
    try:
        replace_file(path, json.dumps(document, indent=1, default=_json_default) + "\n")
    except OSError as exc:
        raise UsageError(f"--save-snapshot: cannot write {path}: {exc.strerror or exc}") from None


def _json_default(value: Any) -> Any:
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    raise TypeError(f"cannot save a {type(value).__name__} as JSON")
