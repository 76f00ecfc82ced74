"""Where the endpoint corrects moto so that it answers as the real service does: one function per patch.

apply() installs every patch once (server.py calls it on import). Each function says what moto does wrong
and why it matters to a client; local_aws/tests/test_moto_fixes.py shows each correction from the outside.
moto is imported inside the functions: by then server.py has set MOTO_IAM_LOAD_MANAGED_POLICIES.
"""

from __future__ import annotations

_applied = False


def apply() -> None:
    """Install every patch (a second call does nothing)."""
    global _applied
    if _applied:
        return
    use_lazy_account_lookup()
    keep_role_fields_an_update_leaves_out()
    skip_statements_whose_condition_is_not_met()
    forget_a_deleted_buckets_tags()
    _applied = True


def account_id_from(access_key: str) -> str:
    """The account an access key belongs to: moto's get_account_id_from without its side effect.

    Only IAM backends that already exist can hold a key. moto's function looks in every partition
    of every known account and so builds the missing ones, each loading all AWS managed policies:
    about 0.5 s on the first request after IAM was used, and again after every reset.
    """
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam.models import iam_backends

    for account_id, account in list(iam_backends.items()):
        for backend in list(dict.values(account)):
            if access_key in backend.access_keys:
                return account_id
    return DEFAULT_ACCOUNT_ID


def use_lazy_account_lookup() -> None:
    """Make moto's own requests find their account the same way (moto imports it at call time)."""
    import moto.iam.models

    moto.iam.models.get_account_id_from = account_id_from


def keep_role_fields_an_update_leaves_out() -> None:
    """IAM UpdateRole changes only the members it is given; moto resets the others.

    moto sets Description to None and MaxSessionDuration to 3600 whenever a request leaves one out, so a
    client that updates them in separate calls (amazon.aws.iam_role does) would undo its own changes.
    """
    from moto.core.responses import EmptyResult
    from moto.iam.responses import IamResponse

    def update_role(self):
        role_name = self._get_param("RoleName")
        role = self.backend.get_role(role_name)
        description = self._get_param("Description")
        duration = self._get_param("MaxSessionDuration")
        self.backend.update_role(
            role_name,
            role.description if description is None else description,
            role.max_session_duration if duration is None else duration,
        )
        return EmptyResult()

    IamResponse.update_role = update_role


def conditions_on_absent_keys_met(conditions: dict, context: dict | None) -> bool:
    """Whether a statement's conditions can hold when their keys are absent from the request context.

    IAM: a condition on a key the request does not carry is not met, unless its operator ends in IfExists,
    is a negated one (StringNotEquals, ArnNotLike, NotIpAddress, ...: an absent key matches), or is Null with
    true ("the key is absent"). Keys the context has are left to moto.
    """
    context = context or {}
    for operator, entries in conditions.items():
        base = operator.split(":")[-1]
        for key, expected in entries.items():
            if key in context or base.endswith("IfExists") or "Not" in base:
                continue
            values = expected if isinstance(expected, list) else [expected]
            if operator == "Null" and all(str(value).lower() == "true" for value in values):
                continue
            return False
    return True


def skip_statements_whose_condition_is_not_met() -> None:
    """A policy statement whose Condition is not met does not apply, whether it allows or denies.

    moto evaluates only StringEquals and takes every other operator as met, and it gives bucket policies
    no request context: so a conditional Deny in a bucket policy (the usual "deny without TLS": Deny s3:*
    when Bool aws:SecureTransport is false) refused every request, signed or not. Here a condition on a key
    the request context lacks is not met, as in IAM, and such a statement does not apply. aws:SecureTransport
    is never in the context: this endpoint speaks plain HTTP on loopback and does not enforce TLS-only
    policies (real S3 does; the endpoint is a test double, not a security boundary).
    """
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    evaluate = IAMPolicyStatement.is_action_permitted

    def is_action_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
        conditions = self._statement.get("Condition")
        if conditions and not conditions_on_absent_keys_met(conditions, incoming_condition_values):
            return PermissionResult.NEUTRAL
        return evaluate(self, action, resource, principal, incoming_condition_values)

    IAMPolicyStatement.is_action_permitted = is_action_permitted


def forget_a_deleted_buckets_tags() -> None:
    """A deleted bucket's tags go with it.

    moto keeps tags by ARN and leaves them behind on DeleteBucket, so a bucket created again under the same
    name started with the old bucket's tags: a tag check could then pass although nothing tagged the new one.
    """
    from moto.s3.models import S3Backend

    delete_bucket = S3Backend.delete_bucket

    def delete_bucket_and_its_tags(self, bucket_name):
        deleted = delete_bucket(self, bucket_name)
        if deleted is not None:
            self.tagger.delete_all_tags_for_resource(deleted.arn)
        return deleted

    S3Backend.delete_bucket = delete_bucket_and_its_tags
