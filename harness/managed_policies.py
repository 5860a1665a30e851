"""Managed policy documents as conftest data (docs/conftest.md).

A Terraform plan or a CloudFormation template often names a managed policy only by ARN (every
AWS managed policy, and customer managed policies created elsewhere). The conftest checks read
those documents from the data document written here:

    {"vbaws_managed_policies": {"<policy ARN>": {"name", "version_id", "document"}}}

Only the default version of each policy is kept: it is the one IAM evaluates.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from harness.errors import InputError
from harness.inputs import loads_exact

DATA_KEY = "vbaws_managed_policies"

Scope = Literal["all", "aws", "local"]
SCOPES: tuple[Scope, ...] = ("all", "aws", "local")


def is_aws_managed(arn: str) -> bool:
    """arn:<partition>:iam::aws:policy/... is an AWS managed policy."""
    parts = arn.split(":", 5)
    return len(parts) == 6 and parts[4] == "aws"


def in_scope(arn: str, scope: Scope) -> bool:
    if scope == "aws":
        return is_aws_managed(arn)
    if scope == "local":
        return not is_aws_managed(arn)
    return True


def parse_document(document: Any, where: str) -> dict[str, Any]:
    """A policy document as an object: IAM's API returns URL-encoded JSON, boto3 and the AWS CLI
    an object already."""
    if isinstance(document, dict):
        return document
    if isinstance(document, str):
        for text in (document, urllib.parse.unquote(document)):
            try:
                # Exact, as input files are read: the document is written out again as JSON.
                parsed = loads_exact(where, text)
            except ValueError:
                continue
            if isinstance(parsed, dict):
                return parsed
    raise InputError(f"{where}: the policy document is not a JSON object")


def entry(name: str, version_id: str, document: Any, where: str) -> dict[str, Any]:
    return {"name": name, "version_id": version_id, "document": parse_document(document, where)}


def from_authorization_details(
    pages: Iterable[Mapping[str, Any]], source: str
) -> dict[str, dict[str, Any]]:
    """ARN -> entry for every managed policy in get-account-authorization-details output
    (one document or its pages), taking each policy's default version."""
    policies: dict[str, dict[str, Any]] = {}
    for page_number, page in enumerate(pages):
        listed = page.get("Policies")
        if listed is None:
            continue
        if not isinstance(listed, list):
            raise InputError(f"{source}: Policies must be a list (page {page_number})")
        for index, policy in enumerate(listed):
            where = f"{source}: Policies[{index}]"
            if not isinstance(policy, dict) or not isinstance(policy.get("Arn"), str):
                raise InputError(f"{where}: expected an object with an Arn")
            arn = policy["Arn"]
            default = _default_version(policy, f"{source}: policy {arn}")
            policies[arn] = entry(
                str(policy.get("PolicyName") or arn.rsplit("/", 1)[-1]),
                str(default.get("VersionId") or policy.get("DefaultVersionId") or ""),
                default.get("Document"),
                f"{source}: policy {arn}",
            )
    return policies


def _default_version(policy: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    versions = policy.get("PolicyVersionList")
    if not isinstance(versions, list):
        raise InputError(f"{where}: PolicyVersionList is missing")
    defaults = [v for v in versions if isinstance(v, dict) and v.get("IsDefaultVersion") is True]
    if len(defaults) != 1:
        raise InputError(f"{where}: expected exactly one version with IsDefaultVersion true")
    # IAM names the default version both ways; a file where they disagree was edited, and
    # which document is in force cannot be told (the engine reads such a policy as unknown).
    named = policy.get("DefaultVersionId")
    flagged = defaults[0].get("VersionId")
    if named is not None and named != flagged:
        raise InputError(
            f"{where}: DefaultVersionId is {named!r} but IsDefaultVersion flags {flagged!r}"
        )
    return defaults[0]


def select(
    policies: Mapping[str, dict[str, Any]],
    scope: Scope,
    arns: Iterable[str] = (),
    source: str = "the account",
) -> dict[str, dict[str, Any]]:
    """The policies in scope; when ARNs are named, exactly those (each must be there)."""
    wanted = list(dict.fromkeys(arns))
    missing = [arn for arn in wanted if arn not in policies]
    if missing:
        raise InputError(f"{source}: no managed policy {', '.join(missing)}")
    chosen = wanted or list(policies)
    return {arn: policies[arn] for arn in sorted(chosen) if in_scope(arn, scope)}


def conftest_data(policies: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    return {DATA_KEY: dict(sorted(policies.items()))}


def render(policies: Mapping[str, dict[str, Any]]) -> str:
    return json.dumps(conftest_data(policies), indent=2, sort_keys=True) + "\n"
