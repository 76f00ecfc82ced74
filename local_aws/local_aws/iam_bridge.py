"""Read IAM state from moto in the same process, as Amplify reads IAM in the real service."""

from __future__ import annotations

import datetime
import re

ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$")
AMPLIFY_PRINCIPAL = "amplify.amazonaws.com"


def find_role(account_id: str, arn: str):
    """The moto Role with this ARN in the account (and the ARN's partition), or None.

    Never creates a backend: creating an IAM backend loads every AWS managed policy (about 0.5 s).
    """
    from moto.iam.models import iam_backends  # imported late: moto reads its settings at import

    per_account = dict.get(iam_backends, account_id)
    backend = dict.get(per_account, arn.split(":")[1]) if per_account is not None and arn.count(":") >= 5 else None
    if backend is None:
        return None
    for role in list(backend.roles.values()):
        if role.arn == arn:
            return role
    return None


def principal_of(access_key: str) -> tuple[str, str, str, str]:
    """(account, ARN, user id, role ARN or "") of a key moto made, as moto's GetCallerIdentity answers it: an IAM
    user's key, or an assumed-role session's (moto's AssumeRole); any other key is moto's stand-in identity in its
    default account. Never creates a backend."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    for account_id, per_account in list(dict.items(iam_backends)):
        for partition, backend in list(dict.items(per_account)):
            key = backend.access_keys.get(access_key)
            if key is None:
                continue
            if key.role_arn:
                sts = dict.get(dict.get(sts_backends, account_id) or {}, partition)
                for session in list(sts.assumed_roles) if sts is not None else []:
                    if session.access_key_id == access_key:
                        return account_id, session.arn, session.user_id, key.role_arn
            user = backend.get_user_from_access_key_id(access_key)
            if user is not None:
                return account_id, user.arn, user.id, ""
    return DEFAULT_ACCOUNT_ID, f"arn:aws:sts::{DEFAULT_ACCOUNT_ID}:user/moto", "AKIAIOSFODNN7EXAMPLE", ""


def role_age_seconds(role, now: datetime.datetime | None = None) -> float:
    created = role.create_date
    if created.tzinfo is None:
        created = created.replace(tzinfo=datetime.timezone.utc)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return (now - created).total_seconds()


def amplify_may_assume(role, account_id: str, app_arn: str) -> bool:
    """Whether Amplify, assuming the role for the app `app_arn`, passes the role's trust policy.

    Amplify presents itself as the service principal amplify.amazonaws.com with the app's account and ARN as
    aws:SourceAccount and aws:SourceArn, so a trust condition naming another account or app refuses it.
    """
    from .iam_policy import trust_allows

    context = {"aws:SourceAccount": account_id, "aws:SourceArn": app_arn}
    return trust_allows(role.assume_role_policy_document, AMPLIFY_PRINCIPAL, context=context)
