"""Which roles a scan looks at.

Filters combine with AND: ``--role`` values are alternatives (any of them), every ``--tag`` must
match, and ``--trusted-by`` keeps roles whose trust policy names the appliance's role or account.
``--all-roles`` alone selects every role. With no filter at all the scan refuses to run (it would
otherwise silently scan nothing or everything).

Selection and the trust check are separate: ``--trusted-by`` only chooses roles, and the appliance
principal whose trust the engine checks comes from :func:`appliance_principal`.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.aws.clients import decode_policy_document
from harness.errors import UsageError
from harness.inputs import check_appliance

_ACCOUNT_RE = re.compile(r"^\d{12}$")

SELECTION_HELP = (
    "choose which roles to scan: --role NAME|ARN (repeatable), --tag KEY=VALUE (repeatable), "
    "--trusted-by PRINCIPAL (roles whose trust policy names the backup appliance's role, or "
    "any principal of an account), or --all-roles (every role in the account)"
)


@dataclass(frozen=True)
class RoleSelector:
    names: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    trusted_by: str | None = None
    all_roles: bool = False
    # Lower-cased --role values, for matching (IAM role names are unique regardless of case).
    _wanted: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_wanted", frozenset(n.lower() for n in self.names))

    @classmethod
    def from_args(
        cls,
        roles: Iterable[str] | None,
        tags: Iterable[str] | None,
        trusted_by: str | None,
        all_roles: bool,
    ) -> RoleSelector:
        for option, values in (("--role", roles), ("--tag", tags)):
            for value in values or ():
                _check_text(option, value)
        for name in roles or ():
            if not name.strip():
                # No role is named so: the scan would look for it and report an AWS failure.
                raise UsageError(f"--role expects a role name or ARN, got {name!r}")
        parsed_tags: list[tuple[str, str]] = []
        for item in tags or ():
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise UsageError(f"--tag expects KEY=VALUE, got {item!r}")
            parsed_tags.append((key, value))
        if trusted_by is not None:
            # The principal is also the appliance whose trust the report checks: the same
            # check as --appliance.
            check_appliance(trusted_by, "--trusted-by")
        selector = cls(tuple(roles or ()), tuple(parsed_tags), trusted_by, all_roles)
        if selector.is_empty:
            raise UsageError(f"no roles selected; {SELECTION_HELP}")
        return selector

    @property
    def is_empty(self) -> bool:
        return not (self.names or self.tags or self.trusted_by or self.all_roles)

    @property
    def names_only(self) -> bool:
        """Only --role was given: the roles can be fetched by name without listing the account."""
        return bool(self.names) and not (self.tags or self.trusted_by)

    def matches_name(self, role: Mapping[str, Any]) -> bool:
        if not self.names:
            return True
        name = str(role.get("RoleName", "")).lower()
        arn = str(role.get("Arn", "")).lower()
        return name in self._wanted or arn in self._wanted

    def matches_trust(self, role: Mapping[str, Any]) -> bool:
        if self.trusted_by is None:
            return True
        document = role.get("AssumeRolePolicyDocument")
        if document is None or _decoded(document) is None:
            # Whom the role trusts is not said (an answer without it) or cannot be read: the
            # role is kept, never left out unsaid (with the appliance known, its trust check
            # fails and says why).
            return True
        return trust_names_principal(document, self.trusted_by)

    def matches_tags(self, role: Mapping[str, Any]) -> bool:
        if not self.tags:
            return True
        have = {t.get("Key"): t.get("Value") for t in role.get("Tags") or ()}
        return all(key in have and have[key] == value for key, value in self.tags)

    def matches(self, role: Mapping[str, Any]) -> bool:
        """Whether a RoleDetail (GetAccountAuthorizationDetails or GetRole shape) is selected."""
        return self.matches_name(role) and self.matches_trust(role) and self.matches_tags(role)

    def exclusion(self, role: Mapping[str, Any], *, tags_known: bool = True) -> str | None:
        """Why a role that ``--role`` names is left out by the other filters (None: it is not
        named, or not left out). ``ListRoles`` entries carry no tags (``tags_known=False``):
        their tags are judged later, on ``GetRole``."""
        if not self.names or not self.matches_name(role):
            return None
        if not self.matches_trust(role):
            return f"its trust policy does not name {self.trusted_by} (--trusted-by)"
        if tags_known and not self.matches_tags(role):
            wanted = " ".join(f"--tag {key}={value}" for key, value in self.tags)
            return f"its tags do not match {wanted}"
        return None

    def explicit_arns(self) -> list[str]:
        return [n for n in self.names if n.startswith("arn:")]

    def explicit_names(self) -> list[str]:
        return [n for n in self.names if not n.startswith("arn:")]


def role_name_from_arn(arn: str) -> str:
    """``arn:aws:iam::1:role/path/Name`` -> ``Name``."""
    return arn.rsplit("/", 1)[-1]


def account_of_arn(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def is_account_id(value: str) -> bool:
    return bool(_ACCOUNT_RE.match(value))


def appliance_principal(trusted_by: str | None, appliance: str | None) -> str | None:
    """The appliance principal of the trust check, from ``--trusted-by`` and ``--appliance``.

    An ARN given to ``--trusted-by`` names the appliance itself: the roles it selects (trust
    naming that ARN, its account id or its account root) are ones the engine's trust check also
    accepts, so it is the appliance. An account id selects the roles that trust *any* principal
    of the account, while the engine reads an account id as the account itself (its root), which
    a trust naming one role of the account does not let in: so the account id is only a
    selection, and the trust is checked only when ``--appliance`` names the appliance, which must
    then be in that account. UsageError when the two disagree.
    """
    if trusted_by is None or appliance == trusted_by:
        return appliance
    if not is_account_id(trusted_by):
        if appliance is not None:
            raise UsageError(
                "--trusted-by already names the appliance; drop --appliance or make them equal"
            )
        return trusted_by
    if appliance is not None and account_of_arn(appliance) != trusted_by:
        raise UsageError(
            f"--appliance {appliance} is not in account {trusted_by}, whose roles --trusted-by "
            "selects; the appliance could assume none of them"
        )
    return appliance


def _decoded(document: Any) -> Any:
    """A trust policy as the scan holds it: an object, or JSON text (plain or URL-encoded) that
    :func:`decode_policy_document` reads, and leaves as text when it names a key twice."""
    if not isinstance(document, str):
        return document
    for text in (document, urllib.parse.unquote(document)):
        try:
            return decode_policy_document(text)
        except ValueError:
            continue
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def trust_names_principal(trust_policy: Any, principal: str) -> bool:
    """Whether an Allow statement of the trust policy names ``principal`` or its account.

    ``principal`` is the appliance's Impersonation role ARN or its account id. A statement naming
    the account (``123456789012`` or ``arn:aws:iam::123456789012:root``) delegates to every
    principal of that account, so it counts for both forms; given an account id, any principal
    ARN in that account counts too, and given a role (or a session of one), that role under
    another path or case. ``"*"`` names nobody in particular and does not count.
    """
    account = principal if _ACCOUNT_RE.match(principal) else account_of_arn(principal)
    document = _decoded(trust_policy)
    if isinstance(document, str):
        # A key named twice: which reading IAM takes cannot be told, so a trust policy that
        # mentions the account anywhere is selected, and the engine reports the repeated key
        # rather than the role going unscanned.
        return bool(account) and account in document
    if not isinstance(document, dict):
        return False
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principals = statement.get("Principal")
        if not isinstance(principals, dict):
            continue
        for value in _as_list(principals.get("AWS")):
            if isinstance(value, str) and _names(value, principal, account):
                return True
    return False


def _names(value: str, principal: str, account: str) -> bool:
    if value in (principal, account):
        return True
    if not value.startswith("arn:"):
        return False
    parts = value.split(":")
    if len(parts) < 6 or parts[4] != account:
        return False
    # The account root delegates to the whole account; with only an account given, any ARN of
    # that account counts.
    if parts[5] == "root" or principal == account:
        return True
    # A role name is unique in its account whatever its path or case, and IAM refuses a trust
    # naming a role that does not exist: the appliance's role under another path (or named
    # in a session ARN, which has none) is the appliance, as the engine's trust check reads it.
    name = _role_name(principal)
    return (
        name is not None
        and parts[2] == "iam"
        and parts[5].startswith("role/")
        and parts[5].rsplit("/", 1)[-1].lower() == name.lower()
    )


def _role_name(arn: str) -> str | None:
    """The role name of a role ARN or of a session of a role, None for any other principal."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return None
    if parts[2] == "iam" and parts[5].startswith("role/"):
        return parts[5].rsplit("/", 1)[-1]
    session = parts[5].split("/")
    if parts[2] == "sts" and session[0] == "assumed-role" and len(session) == 3:
        return session[1]
    return None


def _check_text(option: str, value: str) -> None:
    """UsageError for an argument holding bytes that are not UTF-8 (Python keeps them as lone
    surrogates): no role is named so, and the saved scan's record of it could not be read back."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        shown = value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        raise UsageError(f'{option}: "{shown}" is not UTF-8 text') from None
