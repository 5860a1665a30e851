"""boto3 sessions and clients for the scanner.

Every client comes from here so that all of them share the same behaviour: the standard credential
chain (``--profile``, environment, instance role ...), an optional ``--endpoint-url`` for
AWS-compatible endpoints (a local emulator in the tests), botocore's *adaptive* retry mode so
throttling slows the scan down instead of failing it, and the call recorder below.
"""

from __future__ import annotations

import json
import os
import re
import threading
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.exceptions
import botocore.handlers
import botocore.session
from botocore.config import Config
from botocore.parsers import ResponseParserFactory
from botocore.utils import (
    is_valid_endpoint_url,
    is_valid_ipv6_endpoint_url,
    validate_region_name,
)

from harness.errors import ExternalError, UsageError

# IAM and Organizations are global services; STS needs some region to build its endpoint.
DEFAULT_REGION = "us-east-1"

# Environment variable naming a file to which every AWS operation is appended as
# "service:Operation" (used by the tests that prove the scanner only calls read-only APIs).
RECORD_CALLS_ENV = "VBAWS_RECORD_CALLS"

# Error codes AWS services use for "the caller may not do this".
ACCESS_DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",
        "UnauthorizedAccess",
    }
)

# Access key ids look like this; they must never reach output even when an endpoint echoes one.
_ACCESS_KEY_RE = re.compile(r"\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b")


@dataclass(frozen=True)
class AwsOptions:
    """Where and how to talk to AWS (command-line flags)."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    # Total attempts per call, the first one included; adaptive mode also rate-limits the client.
    max_attempts: int = 10

    def __post_init__(self) -> None:
        # Checked when the options are made, before any AWS call: botocore would refuse the URL
        # only when the first client is created, as if AWS had failed (exit 3).
        if self.endpoint_url is not None and not valid_endpoint_url(self.endpoint_url):
            raise UsageError(
                f"--endpoint-url {self.endpoint_url!r} is not an endpoint URL: expected "
                "http(s)://HOST[:PORT], e.g. http://localhost:5000"
            )
        # The same: botocore checks the name only when it builds the first client.
        try:
            validate_region_name(self.region)
        except botocore.exceptions.InvalidRegionError:
            raise UsageError(
                f"--region {self.region!r} is not a region name: expected e.g. us-east-1"
            ) from None


def valid_endpoint_url(url: str) -> bool:
    """Whether botocore takes ``url`` as an endpoint, and it is HTTP(S)."""
    if urllib.parse.urlsplit(url).scheme.lower() not in ("http", "https"):
        return False
    return bool(is_valid_endpoint_url(url) or is_valid_ipv6_endpoint_url(url))


class CallRecorder:
    """Counts every AWS operation made through the sessions it is attached to.

    botocore emits ``before-call`` once per API operation (retries of the same call are not new
    operations), which is the number the bulk-versus-per-role comparison is about.
    """

    def __init__(self, record_path: str | None = None) -> None:
        self.counts: Counter[str] = Counter()
        self._record_path = record_path
        self._lock = threading.Lock()

    @classmethod
    def from_environment(cls) -> CallRecorder:
        return cls(os.environ.get(RECORD_CALLS_ENV) or None)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def attach(self, session: boto3.Session) -> None:
        session.events.register("before-call", self._on_call)

    def _on_call(self, model: Any, **_: Any) -> None:
        name = f"{model.service_model.signing_name}:{model.name}"
        with self._lock:
            self.counts[name] += 1
            if self._record_path:
                with open(self._record_path, "a", encoding="utf-8") as out:
                    out.write(name + "\n")


def make_session(
    options: AwsOptions,
    recorder: CallRecorder,
    *,
    credentials: dict[str, str] | None = None,
) -> boto3.Session:
    """A session from the standard chain, or from explicit (assumed-role) credentials."""
    region = options.region or None
    try:
        if credentials is not None:
            session = boto3.Session(
                botocore_session=_checked_botocore_session(),
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials.get("SessionToken"),
                region_name=region,
            )
        else:
            session = boto3.Session(
                botocore_session=_checked_botocore_session(),
                profile_name=options.profile,
                region_name=region,
            )
    except botocore.exceptions.ProfileNotFound as exc:
        # The profile may come from AWS_PROFILE rather than --profile: botocore names it.
        profile = exc.kwargs.get("profile") or options.profile
        source = "--profile" if options.profile else "AWS_PROFILE"
        raise UsageError(f"AWS profile not found: {profile} (from {source})") from exc
    if region is None:
        _check_configured_region(session.region_name, options.profile)
    recorder.attach(session)
    return session


def check_configuration(options: AwsOptions) -> None:
    """The profile and region the standard chain resolves, checked before any work: botocore
    refuses a bad one only when the first client is made, as if AWS had failed (exit 3)."""
    make_session(options, CallRecorder())


def _check_configured_region(region: str | None, profile: str | None) -> None:
    """A region from AWS_DEFAULT_REGION or a profile's config must be one botocore takes."""
    try:
        validate_region_name(region)
    except botocore.exceptions.InvalidRegionError:
        if os.environ.get("AWS_DEFAULT_REGION") == region:
            source = "AWS_DEFAULT_REGION"
        else:
            source = (
                f"the config of AWS profile {profile or os.environ.get('AWS_PROFILE') or 'default'}"
            )
        raise UsageError(
            f"AWS region {region!r} (from {source}) is not a region name: expected e.g. "
            "us-east-1 (--region overrides it)"
        ) from None


def _checked_botocore_session() -> botocore.session.Session:
    """A botocore session whose clients raise :class:`MalformedResponseError` for an answer
    that is not a valid AWS response, instead of whatever their parser happened to raise."""
    session = botocore.session.get_session()
    session.register_component("response_parser_factory", _CheckedParserFactory())
    session.unregister("after-call.iam", botocore.handlers.json_decode_policies)
    session.register("after-call.iam", _decode_iam_policies)
    return session


def decode_policy_document(text: str) -> Any:
    """A policy document given as JSON text, as an object; the text itself when it names a key
    twice in one object, or ValueError when it is not JSON.

    ``json.loads`` keeps the last of two values of a key, so a second ``Action`` or
    ``Condition`` would silently replace the first. The engine reads a document given as JSON
    text and gives it an ``error`` finding for a repeated key, so such a document is left as text.
    """
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except _RepeatedKeyError:
        return text


class _RepeatedKeyError(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _RepeatedKeyError
    return result


def _decode_iam_policies(parsed: Any, model: Any, **_: Any) -> None:
    """botocore's ``json_decode_policies`` (IAM returns documents as URL-encoded JSON), but a
    document that names a key twice stays (URL-decoded) text: see decode_policy_document."""
    if model.output_shape is not None:
        _decode_documents(parsed, model.output_shape)


def _decode_documents(parsed: Any, shape: Any) -> None:
    # The walk of botocore.handlers._decode_policy_types: IAM marks every document string with
    # the policyDocumentType shape.
    if shape.type_name == "structure" and isinstance(parsed, dict):
        for name, member in shape.members.items():
            if name not in parsed:
                continue
            if member.type_name == "string" and member.name == "policyDocumentType":
                parsed[name] = _decode_quoted(parsed[name])
            else:
                _decode_documents(parsed[name], member)
    elif shape.type_name == "list" and isinstance(parsed, list):
        for item in parsed:
            _decode_documents(item, shape.member)


def _decode_quoted(value: Any) -> Any:
    try:
        return decode_policy_document(urllib.parse.unquote(value))
    except (ValueError, TypeError):
        # As botocore does: the value as it came, for the engine to report as no document.
        return value


class MalformedResponseError(botocore.exceptions.BotoCoreError):
    """The endpoint answered, but not with a valid AWS response (an HTML page from a proxy, a
    truncated body ...). A BotoCoreError, so every ``except AWS_ERRORS`` treats it as the AWS
    failure it is; never a ClientError, so no handler can read an error code into it."""

    fmt = "the endpoint's answer (HTTP {status}) was not a valid AWS response"


class IncompleteResponseError(botocore.exceptions.BotoCoreError):
    """A well-formed answer without a field every AWS answer to the call has (an emulator or
    proxy that got it wrong): the same kind of AWS failure as a malformed answer."""

    fmt = "the endpoint's answer has no {field}, which every AWS answer to this call has"


class TruncatedAnswerError(IncompleteResponseError):
    """A page that says more follow (``IsTruncated``) but gives no ``Marker`` to read them with.
    botocore's paginator takes it as the last page; the pages after it are not read, so what was
    listed is not all there is."""

    fmt = "the endpoint's answer says IsTruncated but has no Marker to read the rest of the list"


class RepeatedTokenError(IncompleteResponseError):
    """A page whose Marker (NextToken) an earlier page gave: the pages would go round for ever
    (botocore stops only on the same one twice in a row), and the scan never report."""

    fmt = "the endpoint's answer gives a {token} it gave before: the list would never end"


def unrepeated(
    pages: Iterable[Any],
    token: str = "NextToken",
    goes_on: Callable[[dict[str, Any]], bool] = lambda page: True,
) -> Iterator[Any]:
    """The pages of a paginator, or :class:`RepeatedTokenError` after one whose ``token`` an
    earlier page gave, counting only pages that ``goes_on`` says are read on from."""
    seen: set[Any] = set()
    for page in pages:
        yield page
        value = page.get(token) if isinstance(page, dict) else None
        if value and goes_on(page):
            if value in seen:
                raise RepeatedTokenError(token=token)
            seen.add(value)


def all_pages(pages: Iterable[Any]) -> Iterator[Any]:
    """The pages of an IAM paginator, or :class:`TruncatedAnswerError` after a page that says
    more follow without the Marker to ask for them (never a short list taken as the whole).
    A page with a Marker but no IsTruncated, which botocore alone reads to go on, is
    :class:`IncompleteResponseError` too: whether more follow is not said; and so is a Marker
    given before (:class:`RepeatedTokenError`)."""
    # Only a page that says more follow is read on from: a Marker on the last page (which AWS
    # does not give) changes nothing.
    for page in unrepeated(pages, "Marker", goes_on=lambda page: bool(page.get("IsTruncated"))):
        yield page
        if not isinstance(page, dict):
            continue
        marker = page.get("Marker")
        if page.get("IsTruncated") and not marker:
            raise TruncatedAnswerError()
        if marker and "IsTruncated" not in page:
            raise IncompleteResponseError(field="IsTruncated")


def answer_field(answer: Any, name: str) -> Any:
    """``answer[name]`` of a boto3 call's answer, or :class:`IncompleteResponseError`."""
    if not isinstance(answer, dict) or name not in answer:
        raise IncompleteResponseError(field=name)
    return answer[name]


class _CheckedParserFactory(ResponseParserFactory):
    def create_parser(self, protocol_name: str) -> Any:
        return _CheckedParser(super().create_parser(protocol_name), protocol_name)


class _CheckedParser:
    """botocore's response parser for one protocol, with its failures made recognisable.

    On a body that is not the expected XML botocore raises a bare KeyError (the missing result
    wrapper, e.g. 'GetCallerIdentityResult') or a ResponseParserError, neither of them an error
    botocore callers expect; on a JSON-protocol body that is not JSON it returns the text as a
    "message" and no data at all. Only the parsing of one response runs here, so anything it
    raises is about that response.
    """

    def __init__(self, parser: Any, protocol: str) -> None:
        self._parser = parser
        self._protocol = protocol

    def parse(self, response: dict[str, Any], shape: Any) -> Any:
        status = response.get("status_code")
        if self._protocol == "json" and isinstance(status, int) and status < 300:
            self._check_json(response.get("body"), status)
        try:
            return self._parser.parse(response, shape)
        except Exception as exc:
            raise MalformedResponseError(status=status) from exc

    @staticmethod
    def _check_json(body: Any, status: int) -> None:
        if not body or not body.strip():
            return  # botocore reads an empty body as an empty answer, as AWS means it
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise MalformedResponseError(status=status)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parser, name)


def make_client(session: boto3.Session, service: str, options: AwsOptions) -> Any:
    """A client with adaptive retries and the optional endpoint override."""
    config = Config(
        retries={"mode": "adaptive", "total_max_attempts": options.max_attempts},
        user_agent_extra="vbaws-policy-scan",
    )
    try:
        return session.client(
            service,
            region_name=session.region_name or DEFAULT_REGION,
            endpoint_url=options.endpoint_url,
            config=config,
        )
    except (ValueError, botocore.exceptions.BotoCoreError) as exc:
        raise ExternalError(f"cannot create the AWS {service} client: {redact(str(exc))}") from exc


def error_code(exc: BaseException) -> str | None:
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "") or None
    return None


def is_access_denied(exc: BaseException) -> bool:
    return error_code(exc) in ACCESS_DENIED_CODES


def describe_error(exc: BaseException) -> str:
    """A one-line reason for an AWS failure, with nothing secret in it."""
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code") or "error"
        message = error.get("Message") or ""
        text = f"{code}: {message}" if message else str(code)
    elif isinstance(exc, MalformedResponseError | IncompleteResponseError):
        text = str(exc)
    elif isinstance(exc, botocore.exceptions.NoCredentialsError):
        text = "no AWS credentials found (use --profile or the standard AWS environment variables)"
    elif isinstance(exc, botocore.exceptions.EndpointConnectionError | ConnectionError):
        text = f"endpoint unreachable: {exc}"
    elif isinstance(
        exc, botocore.exceptions.ConnectTimeoutError | botocore.exceptions.ReadTimeoutError
    ):
        text = f"timed out: {exc}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return redact(text)


def redact(text: str) -> str:
    return _ACCESS_KEY_RE.sub("<redacted>", text)


# Exceptions a boto3 call can raise for reasons outside the harness.
AWS_ERRORS: tuple[type[BaseException], ...] = (
    botocore.exceptions.BotoCoreError,
    botocore.exceptions.ClientError,
    ConnectionError,
)
