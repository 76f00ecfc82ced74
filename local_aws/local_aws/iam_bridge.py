"""Read IAM state from moto in the same process, as Amplify reads IAM in the real service."""

from __future__ import annotations

import datetime
import json
import re
from urllib.parse import unquote

ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$")
AMPLIFY_PRINCIPAL = "amplify.amazonaws.com"


def find_role(account_id: str, arn: str):
    """The moto Role with this ARN in the account, or None."""
    from moto.iam.models import iam_backends  # imported late: moto reads its settings at import

    backend = iam_backends[account_id]["aws"]
    for role in backend.get_roles():
        if role.arn == arn:
            return role
    return None


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def trust_policy_allows(document, service: str = AMPLIFY_PRINCIPAL) -> bool:
    """True when an Allow statement lets `service` sts:AssumeRole (and no Deny takes it away)."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            try:
                document = json.loads(unquote(document))
            except ValueError:
                return False
    allowed = False
    for statement in _as_list(document.get("Statement")):
        actions = [a.lower() for a in _as_list(statement.get("Action"))]
        if not any(a in ("sts:assumerole", "sts:*", "*") for a in actions):
            continue
        principal = statement.get("Principal") or {}
        services = _as_list(principal.get("Service")) if isinstance(principal, dict) else []
        if service not in services and principal != "*":
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed


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
