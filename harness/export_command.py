"""``export-managed-policies``: managed policy documents as conftest data.

From a live account (boto3; ``--profile``, ``--region``, ``--endpoint-url``) or from a saved
``aws iam get-account-authorization-details`` file (``--from-file``). The output is the data
document the Terraform and CloudFormation checks read (see harness/managed_policies.py and
docs/conftest.md)::

    conftest test --policy rego --data rego --data managed-policies.json \\
        --namespace vbaws.terraform plan.json
"""

from __future__ import annotations

import argparse
from typing import Any

from harness import inputs, managed_policies
from harness.aws.clients import (
    AWS_ERRORS,
    AwsOptions,
    CallRecorder,
    all_pages,
    answer_field,
    describe_error,
    error_code,
    make_client,
    make_session,
)
from harness.errors import ExternalError, InputError, UsageError
from harness.evaluate_command import check_writable, write_output


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "export-managed-policies",
        help="write managed policy documents as conftest data",
        description=(
            "Write the default version of managed policies as the conftest data document "
            "(data.vbaws_managed_policies) the Terraform and CloudFormation checks read for "
            "policies a plan or template names only by ARN. Reads a live account read-only "
            "(get-account-authorization-details; get-policy and get-policy-version for "
            "--policy-arn) or a saved get-account-authorization-details file."
        ),
    )
    parser.add_argument(
        "--from-file",
        metavar="FILE",
        help="saved `aws iam get-account-authorization-details` output instead of a live account",
    )
    parser.add_argument(
        "--policy-arn",
        action="append",
        default=[],
        metavar="ARN",
        help="export only this policy (repeatable); any AWS managed policy works live",
    )
    parser.add_argument(
        "--scope",
        choices=managed_policies.SCOPES,
        default="all",
        help="AWS managed policies, the account's own (local), or all (default)",
    )
    parser.add_argument("--output", metavar="FILE", help="write to FILE, not stdout")
    parser.add_argument("--profile", help="AWS profile (live account)")
    parser.add_argument("--region", help="AWS region (live account)")
    parser.add_argument("--endpoint-url", metavar="URL", help="AWS endpoint (e.g. an emulator)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    live_options = [args.profile, args.region, args.endpoint_url]
    if args.from_file and any(live_options):
        raise UsageError(
            "--profile, --region and --endpoint-url read a live account, not --from-file"
        )
    check_writable(args.output)
    if args.from_file:
        policies = from_file(args.from_file)
        source = args.from_file
    else:
        options = AwsOptions(
            profile=args.profile, region=args.region, endpoint_url=args.endpoint_url
        )
        policies = from_account(options, args.policy_arn, args.scope)
        source = "the account"
    chosen = managed_policies.select(policies, args.scope, args.policy_arn, source)
    write_output(managed_policies.render(chosen), args.output)
    return 0


def from_file(name: str) -> dict[str, dict[str, Any]]:
    # The reader evaluate and scan use: the same messages for a missing, empty, non-UTF-8,
    # invalid or absurdly nested file.
    name, data = inputs.read_json(name)
    # One document, or a list of its pages (as a paginator dump holds them).
    pages = data if isinstance(data, list) else [data]
    if not pages or not all(isinstance(p, dict) and "Policies" in p for p in pages):
        raise InputError(
            f"{name}: expected get-account-authorization-details output "
            '({"Policies": [...], ...}, or a list of such pages)'
        )
    return managed_policies.from_authorization_details(pages, name)


def from_account(
    options: AwsOptions, arns: list[str], scope: managed_policies.Scope
) -> dict[str, dict[str, Any]]:
    session = make_session(options, CallRecorder.from_environment())
    iam = make_client(session, "iam", options)
    try:
        if arns:
            return {arn: _one_policy(iam, arn) for arn in dict.fromkeys(arns)}
        filters = {
            "all": ["LocalManagedPolicy", "AWSManagedPolicy"],
            "aws": ["AWSManagedPolicy"],
            "local": ["LocalManagedPolicy"],
        }[scope]
        pages = iam.get_paginator("get_account_authorization_details").paginate(Filter=filters)
        return managed_policies.from_authorization_details(all_pages(pages), "the account")
    except AWS_ERRORS as exc:
        raise ExternalError(f"cannot read managed policies: {describe_error(exc)}") from None


def _one_policy(iam: Any, arn: str) -> dict[str, Any]:
    try:
        # A partial answer (an emulator or proxy that got it wrong) is a failure of the
        # endpoint, as in scan, not a KeyError traceback.
        policy = answer_field(iam.get_policy(PolicyArn=arn), "Policy")
        version_id = answer_field(policy, "DefaultVersionId")
        version = answer_field(
            iam.get_policy_version(PolicyArn=arn, VersionId=version_id), "PolicyVersion"
        )
        document = answer_field(version, "Document")
    except AWS_ERRORS as exc:
        if error_code(exc) == "NoSuchEntity":
            raise InputError(f"the account: no managed policy {arn}") from None
        raise ExternalError(f"cannot read policy {arn}: {describe_error(exc)}") from None
    return managed_policies.entry(
        str(policy.get("PolicyName") or arn), version_id, document, f"policy {arn}"
    )
