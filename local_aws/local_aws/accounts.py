"""Accounts: which AWS account (and which principal) signed a request, and sts:AssumeRole across accounts.

The endpoint serves several accounts, as AWS does: the account of a request is the account of the access key that
signed it. A key is, in this order:
- a compute session's (compute_auth.ComputeSessions): the session's role's account, as the assumed-role session;
- listed in settings.access_key_accounts: the IAM user `local-aws` of that account (arn:aws:iam::<account>:user/
  local-aws), unrestricted in its account as the operator's keys are (the user is not in IAM's ListUsers);
- one moto made (IAM CreateAccessKey, STS AssumeRole): its user's or role's account (moto_patches.account_id_from);
- any other key: moto's default account 123456789012.
server.py resolves the caller of each signed request and serves moto inside `serving(caller)`, so that moto's own
account lookup and GetCallerIdentity answer the same caller (moto_patches).

sts:AssumeRole into a role of another account is allowed only when the role's trust policy allows the caller
(STS API Reference, AssumeRole; IAM User Guide, "Cross account resource access in IAM"): a statement that names
the caller's account (its id or arn:aws:iam::<account>:root), the caller's user or role ARN, or the session, whose
conditions hold (sts:ExternalId, sts:RoleSessionName, aws:PrincipalAccount, aws:PrincipalArn); refused, STS answers
AccessDenied (403) "User: <caller> is not authorized to perform: sts:AssumeRole on resource: <role ARN>", the same
whether the role does not exist or does not trust the caller. The caller's own permissions are checked only for a
compute session (compute_auth); the operator's keys are unrestricted in their account. Within one account moto's
AssumeRole is kept as it is (no trust evaluation).
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

from . import iam_bridge, iam_policy, service_model

# The IAM user a key in access_key_accounts stands for, in its account. Not the root user: only an IAM user or role
# may call AssumeRole (IAM User Guide, "Compare AWS STS credentials"), and a tooling account's key must be able to
# assume roles in the other accounts.
LISTED_USER = "local-aws"


@dataclass(frozen=True)
class Caller:
    """Who signed a request, as GetCallerIdentity answers it. role_arn: the role of an assumed-role session.
    known: the endpoint itself knows the key (access_key_accounts, a compute session), moto does not."""

    access_key: str
    account: str
    arn: str
    user_id: str
    role_arn: str = ""
    known: bool = True


_serving: contextvars.ContextVar[Caller | None] = contextvars.ContextVar("local_aws_caller", default=None)


@contextlib.contextmanager
def serving(caller: Caller | None) -> Iterator[None]:
    """While moto serves a request: the caller the endpoint resolved for it (None: moto's own lookup)."""
    token = _serving.set(caller)
    try:
        yield
    finally:
        _serving.reset(token)


def current() -> Caller | None:
    """The caller of the request moto is serving (None outside `serving`). moto reads the access key itself only
    when it has AWS's form (20 upper-case letters and digits; any other, "local-aws-access-key", it reads as
    AKIAEXAMPLE), so the caller is the request's, whatever key moto asks about."""
    return _serving.get()


def listed_caller(access_key: str, account: str) -> Caller:
    """The caller of a key in access_key_accounts: the IAM user LISTED_USER of the account, with a stable unique id
    (AIDA and 17 letters and digits, the form of an IAM user's id)."""
    digest = base64.b32encode(hashlib.sha256(f"{account}/{access_key}".encode()).digest()).decode()
    return Caller(access_key, account, f"arn:aws:iam::{account}:user/{LISTED_USER}", "AIDA" + digest[:17])


def known_caller(access_key: str | None, mapping: Mapping[str, str], sessions) -> Caller | None:
    """The caller of a key the endpoint itself knows (a compute session's, or one in access_key_accounts)."""
    if not access_key:
        return None
    session = sessions.find(access_key)
    if session is not None:
        return Caller(access_key, session.account, session.principal_arn, f"{session.role_id}:{session.session_name}",
                      session.role_arn)
    account = mapping.get(access_key)
    return listed_caller(access_key, account) if account else None


def caller_of(access_key: str | None, mapping: Mapping[str, str], sessions) -> Caller | None:
    """Who signed with `access_key`: a known caller, else what moto's state says (its IAM users' keys, its
    assumed-role sessions, moto's stand-in identity in the default account). None for an unsigned request."""
    if not access_key:
        return None
    known = known_caller(access_key, mapping, sessions)
    if known is not None:
        return known
    account, arn, user_id, role_arn = iam_bridge.principal_of(access_key)
    return Caller(access_key, account, arn, user_id, role_arn, known=False)


# -- sts:AssumeRole across accounts ---------------------------------------------------------------------
def _parameters(raw_uri: str, body: bytes) -> dict[str, str]:
    """A query-protocol request's parameters (the form body and the query string)."""
    _, query = service_model.split_raw_uri(raw_uri)
    form = {**query, **parse_qs((body or b"").decode("utf-8", "replace"), keep_blank_values=True)}
    return {key: values[0] for key, values in form.items() if values}


def assume_role_refusal(caller: Caller, raw_uri: str, body: bytes) -> str | None:
    """AccessDenied's message when `caller` may not assume the role its AssumeRole request names in another
    account; None when the role is in the caller's own account (moto's AssumeRole as it is) or trusts the caller."""
    params = _parameters(raw_uri, body)
    role_arn = params.get("RoleArn", "")
    found = iam_bridge.ROLE_ARN.match(role_arn)
    if not found or found.group(1) == caller.account:
        return None
    role = iam_bridge.find_role(found.group(1), role_arn)
    context = {"aws:PrincipalAccount": caller.account, "aws:PrincipalArn": caller.role_arn or caller.arn}
    for name, key in (("ExternalId", "sts:ExternalId"), ("RoleSessionName", "sts:RoleSessionName")):
        if name in params:
            context[key] = params[name]
    if role is not None and iam_policy.trust_allows_principal(
            role.assume_role_policy_document, caller.arn, caller.account, role_arn=caller.role_arn, context=context):
        return None
    return f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
