"""Where the endpoint corrects moto so that it answers as the real service does: one function per patch.

apply() installs every patch once (server.py calls it on import). Each function says what moto does wrong
and why it matters to a client; local_aws/tests/test_moto_fixes.py shows each correction from the outside.
moto is imported inside the functions: by then server.py has set MOTO_IAM_LOAD_MANAGED_POLICIES.
"""

from __future__ import annotations

from . import accounts

_applied = False


def apply() -> None:
    """Install every patch (a second call does nothing)."""
    global _applied
    if _applied:
        return
    use_lazy_account_lookup()
    answer_the_callers_own_identity()
    keep_role_fields_an_update_leaves_out()
    skip_statements_whose_condition_is_not_met()
    forget_a_deleted_buckets_tags()
    page_object_versions_as_s3_does()
    describe_tables_with_their_id()
    _applied = True


def account_id_from(access_key: str) -> str:
    """The account an access key belongs to: the caller the endpoint resolved for the request being served
    (accounts.py: access_key_accounts, compute sessions), else moto's get_account_id_from without its side effect.

    Only IAM backends that already exist can hold a key. moto's function looks in every partition
    of every known account and so builds the missing ones, each loading all AWS managed policies:
    about 0.5 s on the first request after IAM was used, and again after every reset.
    """
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam.models import iam_backends

    caller = accounts.current()
    if caller is not None:
        return caller.account

    for account_id, account in list(iam_backends.items()):
        for backend in list(dict.values(account)):
            if access_key in backend.access_keys:
                return account_id
    return DEFAULT_ACCOUNT_ID


def use_lazy_account_lookup() -> None:
    """Make moto's own requests find their account the same way (moto imports it at call time)."""
    import moto.iam.models

    moto.iam.models.get_account_id_from = account_id_from


def answer_the_callers_own_identity() -> None:
    """GetCallerIdentity answers the caller the endpoint resolved for the request (accounts.py).

    moto knows only the keys it made (IAM users' keys, its AssumeRole sessions); for any other key it answers a
    stand-in, arn:aws:sts::<account>:user/moto. A key in access_key_accounts is the IAM user local-aws of its
    account (arn:aws:iam::<account>:user/local-aws, UserId AIDA...), and a compute session is its assumed-role
    session (arn:aws:sts::<account>:assumed-role/<role>/<session>, UserId <role id>:<session>).
    """
    from moto.sts.models import STSBackend

    get_caller_identity = STSBackend.get_caller_identity

    def answer_the_caller(self, access_key_id: str, region: str):
        caller = accounts.current()
        if caller is not None and caller.known:
            return caller.user_id, caller.arn, caller.account
        return get_caller_identity(self, access_key_id, region)

    STSBackend.get_caller_identity = answer_the_caller


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


def describe_tables_with_their_id() -> None:
    """A DynamoDB table's description carries its TableId, as DynamoDB's does.

    botocore's model has TableId (a UUID, "Unique identifier for the table for which the backup was created") in
    TableDescription, and DynamoDB returns it from CreateTable, DescribeTable, UpdateTable and DeleteTable; moto 5.2.5
    leaves it out, and community.aws.dynamodb_table fails reading it (KeyError 'table_id'). One id per table, kept
    for the table's life.
    """
    import uuid

    from moto.dynamodb.models.table import Table

    describe = Table.describe

    def describe_with_id(self, base_key: str = "TableDescription"):
        results = describe(self, base_key)
        if not hasattr(self, "_local_aws_table_id"):
            self._local_aws_table_id = str(uuid.uuid4())
        results[base_key]["TableId"] = self._local_aws_table_id
        return results

    Table.describe = describe_with_id


# ListObjectVersions returns at most this many entries (versions, delete markers and common prefixes) a page.
S3_MAX_KEYS = 1000


class _ListedVersion:
    """A version or delete marker as one listing shows it: whether it is the latest is the listing's to say."""

    def __init__(self, version, is_latest: bool):
        self._version = version
        self.is_latest = is_latest

    def __getattr__(self, name):
        return getattr(self._version, name)


def object_version_entries(keys, prefix: str = "", delimiter: str | None = None, key_marker: str | None = None,
                           version_id_marker: str | None = None) -> list:
    """Every entry a version listing holds after the markers, in S3's order: keys in ascending (UTF-8 binary)
    order, each key's versions and delete markers newest first; a common prefix in place of its keys.

    ``keys`` maps each key to its versions, oldest first (moto's _VersionedKeyStore.iterlists()). An entry is
    ``(name, version, is_latest)``, with version None for a common prefix. The markers are exclusive, as S3
    resumes: ``key_marker`` alone starts after that key (all its versions); with ``version_id_marker``, after
    that version of that key (a version not among the key's starts after the key). A common prefix equal to
    ``key_marker`` was the previous page's last entry.
    """
    entries = []
    listed_prefixes = set()
    for name, versions in sorted(keys, key=lambda item: item[0]):
        if not name.startswith(prefix) or (key_marker is not None and name < key_marker):
            continue
        newest_first = [(version, index == 0) for index, version in enumerate(reversed(versions))]
        if key_marker is not None and name == key_marker:
            ids = [version.version_id for version, _latest in newest_first]
            after = ids.index(version_id_marker) + 1 if version_id_marker in ids else len(ids)
            newest_first = newest_first[after:]
        if not newest_first:
            continue
        rest = name[len(prefix):]
        if delimiter and delimiter in rest:
            common = prefix + rest[:rest.index(delimiter) + len(delimiter)]
            if common != key_marker and common not in listed_prefixes:
                listed_prefixes.add(common)
                entries.append((common, None, False))
            continue
        entries.extend((name, version, latest) for version, latest in newest_first)
    return entries


def page_object_versions_as_s3_does() -> None:
    """ListObjectVersions pages as S3 does: at most 1000 entries a page, resuming right after the markers.

    What S3 documents (botocore's S3 model, data/s3/2006-03-01/service-2.json, ListObjectVersionsRequest and
    ListObjectVersionsOutput; the API reference, https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html):
    MaxKeys "returns up to 1,000 key names ... will never contain more", a common prefix counts as one; when more
    entries match, IsTruncated is true and NextKeyMarker/NextVersionIdMarker are given back as key-marker and
    version-id-marker to list the rest. (The reference calls them "the first key/version not returned"; S3 in
    fact returns the page's last entry, and resumes *after* the markers, as moto, boto3's paginator and the AWS
    CLI assume: the output's KeyMarker "marks the last key returned".) version-id-marker needs key-marker.

    moto 5.2 pages, but: (1) MaxKeys above 1000 returns that many; (2) key-marker without version-id-marker
    skips the keys before it and then exactly one version more, so the marker key's other versions are listed
    again, and when the marker key is gone (deleted between pages) the next key's newest version is never
    listed; (3) a version-id-marker that is not one of the marker key's versions gives an empty, untruncated
    page, ending the listing early; (4) versions are ordered by LastModified, so two written in the same
    millisecond list oldest first and the wrong one IsLatest; (5) each page deep-copies every version of the
    bucket. local_aws/tests/test_object_version_pages.py shows each correction.
    """
    from moto.s3.exceptions import InvalidArgumentError
    from moto.s3.models import FakeDeleteMarker, S3Backend

    def list_object_versions(self, bucket_name, delimiter=None, key_marker=None, max_keys=S3_MAX_KEYS, prefix="",
                             version_id_marker=None):
        if version_id_marker and not key_marker:
            raise InvalidArgumentError("A version-id marker cannot be specified without a key marker.",
                                       "version-id-marker", version_id_marker)
        bucket = self.get_bucket(bucket_name)
        limit = S3_MAX_KEYS if max_keys is None else max(0, min(int(max_keys), S3_MAX_KEYS))
        entries = object_version_entries(bucket.keys.iterlists(), prefix or "", delimiter, key_marker or None,
                                         version_id_marker or None)
        page = entries[:limit]
        versions, markers, common_prefixes = [], [], []
        for name, version, latest in page:
            if version is None:
                common_prefixes.append(name)
            elif isinstance(version, FakeDeleteMarker):
                markers.append(_ListedVersion(version, latest))
            else:
                versions.append(_ListedVersion(version, latest))
        next_key_marker = next_version_id_marker = None
        if len(entries) > len(page) and page:
            next_key_marker, last, _latest = page[-1]
            next_version_id_marker = None if last is None else last.version_id
        return versions, common_prefixes, markers, next_key_marker, next_version_id_marker

    S3Backend.list_object_versions = list_object_versions
