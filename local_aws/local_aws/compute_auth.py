"""The temporary credentials of a branch's compute role, and the IAM authorization of requests signed with them.

The local Amplify Hosting compute runs a branch's server with credentials of the branch's compute role, as the
real service does (it assumes the role and hands the server an assumed-role session). Requests signed with those
credentials are authorized here as AWS IAM would: the role's inline and managed policies, its permissions
boundary and the resource's own policy (a bucket policy, a secret's policy) are read from moto in this process
and evaluated by iam_policy.evaluate. A refusal is answered in the service's own protocol and words. Requests
signed with the operator's own keys never come here.

- ComputeSessions mints and keeps the sessions (thread-safe; time from an injectable clock).
- authorize() answers None (allowed) or the error response (status, headers, payload).
- evaluate_request() is the same decision with its details, for tests and debugging.
- requested_access() maps a request to the IAM actions and resource ARNs it needs.
"""

from __future__ import annotations

import base64
import datetime
import json
import re
import secrets
import string
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, quote, unquote
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from . import iam_bridge, service_model, wire
from .iam_policy import AuthzRequest, Decision, evaluate, no_identity_allow

ROLE_ARN = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})$")
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
# AssumeRole's DurationSeconds: 15 minutes to 12 hours (and at most the role's MaxSessionDuration).
MIN_DURATION, MAX_DURATION = 900, 43200
_KEY_ALPHABET = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"

Response = tuple[int, dict[str, str], bytes]


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _iso(moment: datetime.datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second (the format of the container credentials' Expiration)."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def partition_of(region: str) -> str:
    """The ARN partition of a region."""
    for prefix, partition in (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-isob-", "aws-iso-b"),
                              ("us-iso-", "aws-iso"), ("eu-isoe-", "aws-iso-e"), ("us-isof-", "aws-iso-f")):
        if region.startswith(prefix):
            return partition
    return "aws"


# -- sessions -------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Session:
    """An assumed-role session of a compute role: its credentials, who it is, and until when it is valid.

    Immutable; compared and hashed by identity (each issue() is a distinct session)."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    role_arn: str
    role_id: str
    account: str
    partition: str
    session_name: str
    issued: datetime.datetime
    expiration: datetime.datetime
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def role_name(self) -> str:
        return self.role_arn.rsplit("/", 1)[-1]

    @property
    def principal_arn(self) -> str:
        """The session's ARN: what GetCallerIdentity answers and AccessDenied messages name (no role path)."""
        return f"arn:{self.partition}:sts::{self.account}:assumed-role/{self.role_name}/{self.session_name}"

    def as_container_credentials(self) -> dict[str, str]:
        """The JSON the AWS SDKs read from a container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI)."""
        return {
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "Token": self.session_token,
            "Expiration": _iso(self.expiration),
        }


class ComputeSessions:
    """The compute sessions this endpoint issued, by access key id. Thread-safe.

    clock: a callable answering the current time as an aware UTC datetime (tests pass a fake one); authorize()
    takes `now` from the caller, who should read the same clock (ComputeSessions.now()).
    """

    def __init__(self, clock: Callable[[], datetime.datetime] | None = None):
        self.clock = clock or _utcnow
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def issue(self, role_arn: str, session_name: str, duration_seconds: int = 3600,
              tags: Mapping[str, str] | None = None, role_id: str | None = None) -> Session:
        """Mint credentials of `role_arn` for `duration_seconds`, as STS AssumeRole would.

        The role must exist in moto (its unique id is recorded: a role deleted and created again under the same
        name is another role, and the old sessions lose their permissions) unless role_id is given. Raises
        ValueError for a malformed role ARN or session name, a duration outside 900..43200 seconds or above the
        role's MaxSessionDuration, or a role that does not exist.
        """
        found = ROLE_ARN.match(role_arn or "")
        if not found:
            raise ValueError(f"not a role ARN: {role_arn!r}")
        if not SESSION_NAME.match(session_name or ""):
            raise ValueError(f"session name must be 2 to 64 characters of [\\w+=,.@-]: {session_name!r}")
        if not isinstance(duration_seconds, int) or not MIN_DURATION <= duration_seconds <= MAX_DURATION:
            raise ValueError(f"duration_seconds must be {MIN_DURATION} to {MAX_DURATION}, not {duration_seconds!r}")
        partition, account = found.group(1), found.group(2)
        if role_id is None:
            role = iam_bridge.find_role(account, role_arn)
            if role is None:
                raise ValueError(f"no role {role_arn} in account {account}")
            if duration_seconds > int(role.max_session_duration or 3600):
                raise ValueError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
            role_id = role.id
        issued = self.clock()
        with self._lock:
            access_key_id = _new_access_key_id()
            while access_key_id in self._sessions:
                access_key_id = _new_access_key_id()
            session = Session(
                access_key_id=access_key_id,
                secret_access_key="".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40)),
                session_token=base64.b64encode(secrets.token_bytes(312)).decode("ascii"),
                role_arn=role_arn,
                role_id=role_id,
                account=account,
                partition=partition,
                session_name=session_name,
                issued=issued,
                expiration=issued + datetime.timedelta(seconds=duration_seconds),
                tags=dict(tags or {}),
            )
            self._sessions[access_key_id] = session
        return session

    def find(self, access_key_id: str) -> Session | None:
        """The session of this access key id (expired or not), or None."""
        with self._lock:
            return self._sessions.get(access_key_id)

    def revoke(self, access_key_id: str) -> bool:
        """Forget a session: requests signed with it are no longer ours. True when there was one."""
        with self._lock:
            return self._sessions.pop(access_key_id, None) is not None

    def clear(self) -> None:
        """Forget every session (the endpoint's reset)."""
        with self._lock:
            self._sessions.clear()

    def now(self) -> datetime.datetime:
        """The current time by this registry's clock."""
        return self.clock()

    def is_expired(self, session: Session) -> bool:
        return self.clock() >= session.expiration


def _new_access_key_id() -> str:
    return "ASIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))


# -- moto, read in-process (imported late: moto reads its settings at import) -----------------------------
def _backend(backends, account: str, region: str):
    """moto's backend for (account, region or partition) if it exists; never creates one (creating an IAM backend
    loads every AWS managed policy)."""
    per_account = dict.get(backends, account)
    return dict.get(per_account, region) if per_account is not None else None


def _default_document(policy) -> str | None:
    for version in list(policy.versions):
        if version.is_default:
            return version.document
    return None


def role_policies(role) -> tuple[list[tuple[str, Any]], Any]:
    """(identity-based policies as (label, document) pairs, permissions boundary document or None) of a role.

    A boundary naming a policy that no longer exists allows nothing (an empty document).
    """
    identity: list[tuple[str, Any]] = [(f"inline policy {name}", document)
                                       for name, document in list(role.policies.items())]
    for arn, policy in list(role.managed_policies.items()):
        document = _default_document(policy)
        if document is not None:
            identity.append((f"managed policy {arn}", document))
    boundary = None
    if role.permissions_boundary_arn:
        from moto.iam.models import iam_backends

        backend = _backend(iam_backends, role.account_id, role.partition)
        policy = backend.managed_policies.get(role.permissions_boundary_arn) if backend is not None else None
        boundary = (_default_document(policy) if policy is not None else None) or {}
    return identity, boundary


def _bucket(name: str):
    """(moto bucket, owning account) of a bucket name, or (None, None)."""
    from moto.s3.models import s3_backends

    located = s3_backends.bucket_accounts.get(name)
    if not located:
        return None, None
    partition, account = located
    backend = _backend(s3_backends, account, partition)
    bucket = backend.buckets.get(name) if backend is not None else None
    return (bucket, account) if bucket is not None else (None, None)


def _secret(account: str, region: str, secret_id: str):
    from moto.secretsmanager.models import secretsmanager_backends

    backend = _backend(secretsmanager_backends, account, region)
    return backend.secrets.get(secret_id) if backend is not None else None


# -- what a request asks for ----------------------------------------------------------------------------
@dataclass
class Check:
    """One authorization a request needs: an IAM action on resources, with its own context keys and the
    resource-based policy (and its owner's account) that applies."""

    action: str
    resources: list[str]
    context: dict[str, str | list[str]] = field(default_factory=dict)
    resource_policy: Any = None
    resource_account: str | None = None


# IAM action prefixes that differ from the SigV4 signing name.
_IAM_PREFIX = {"monitoring": "cloudwatch", "email": "ses"}


def requested_access(service: str, operation: str, method: str, raw_uri: str, headers: Mapping[str, str],
                     body: bytes, region: str, account: str) -> list[Check]:
    """The authorizations a request needs, in order. Services other than the ones mapped here need
    <signing name>:<Operation> on "*"."""
    if service == "s3":
        return _s3_checks(operation, method, raw_uri, headers, body, region)
    partition = partition_of(region)
    action = f"{_IAM_PREFIX.get(service, service)}:{operation}"
    params = _parameters(service, raw_uri, body)
    if service == "ssm":
        return ([Check(action, _ssm_resources(params, partition, region, account))]
                + _ssm_kms_checks(operation, params, partition, region, account))
    if service == "secretsmanager":
        return _secrets_checks(action, operation, params, partition, region, account)
    if service == "dynamodb":
        return [Check(action, _dynamodb_resources(params, partition, region, account))]
    if service == "logs":
        return [Check(action, _logs_resources(params, partition, region, account))]
    if service == "sts" and operation == "AssumeRole" and isinstance(params.get("RoleArn"), str):
        return [Check(action, [params["RoleArn"]])]
    return [Check(action, ["*"])]


def _parameters(service: str, raw_uri: str, body: bytes) -> dict:
    """The request's parameters: the JSON body of json/rest-json services, the form (and query) of query ones."""
    protocol = wire.protocol(service)
    text = (body or b"").decode("utf-8", "replace")
    if protocol in ("json", "rest-json"):
        try:
            value = json.loads(text or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}
    _, query = service_model.split_raw_uri(raw_uri)
    form = {**query, **parse_qs(text, keep_blank_values=True)}
    return {key: values[0] for key, values in form.items() if values}


def _strings(*values) -> list[str]:
    out = []
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item:
                out.append(item)
    return out


def _ssm_resources(params: dict, partition: str, region: str, account: str) -> list[str]:
    """Parameter ARNs of Name, Names and Path (the parameter/ prefix with the name's leading slash dropped;
    a version or label selector, name:3, is not part of it)."""
    arns = []
    for name in _strings(params.get("Name"), params.get("Names"), params.get("Path")):
        if name.startswith("arn:"):
            arns.append(name)
            continue
        name = name.split(":", 1)[0]
        arns.append(f"arn:{partition}:ssm:{region}:{account}:parameter/{name.lstrip('/')}")
    return arns or ["*"]


def _secrets_checks(action: str, operation: str, params: dict, partition: str, region: str,
                    account: str) -> list[Check]:
    """A secret's ARN (with its random six-character suffix, from moto) and its resource policy. A name that
    names no secret is authorized against arn:...:secret:<name>, without a suffix."""
    ids = _strings(params.get("SecretId"), params.get("SecretIdList"))
    if operation == "CreateSecret":
        ids = _strings(params.get("Name"))
    if not ids:
        return [Check(action, ["*"])]
    checks = []
    for secret_id in ids:
        secret = _secret(account, region, secret_id)
        if secret is not None:
            checks.append(Check(action, [secret.arn], resource_policy=getattr(secret, "policy", None)))
            if operation in _SECRET_DECRYPTING:
                checks += _kms_decrypt_checks(getattr(secret, "kms_key_id", None), "secretsmanager",
                                              {"SecretARN": secret.arn}, partition, region, account)
        elif secret_id.startswith("arn:"):
            checks.append(Check(action, [secret_id]))
        else:
            checks.append(Check(action, [f"arn:{partition}:secretsmanager:{region}:{account}:secret:{secret_id}"]))
    return checks


# -- KMS, called by Parameter Store and Secrets Manager on the caller's behalf ---------------------------------
# A SecureString parameter read WithDecryption, or a secret's value, under a customer managed key needs the
# caller's kms:Decrypt on that key, through the service (kms:ViaService <service>.<region>.<DNS suffix>; "How
# AWS Systems Manager Parameter Store uses AWS KMS", "Secret encryption and decryption in AWS Secrets Manager").
# The AWS managed keys (alias/aws/ssm, alias/aws/secretsmanager) need no permission of the caller's.
_SSM_DECRYPTING = ("GetParameter", "GetParameters", "GetParametersByPath")
_SECRET_DECRYPTING = ("GetSecretValue", "BatchGetSecretValue")
_AWS_MANAGED_KEYS = ("alias/aws/ssm", "alias/aws/secretsmanager")


def _dns_suffix(partition: str) -> str:
    """The DNS suffix of a partition's endpoints, from botocore's endpoints.json."""
    import botocore.session

    for entry in botocore.session.get_session().get_data("endpoints").get("partitions", []):
        if entry.get("partition") == partition:
            return entry.get("dnsSuffix") or "amazonaws.com"
    return "amazonaws.com"


def _kms_decrypt_checks(key_id: str | None, service: str, encryption_context: dict[str, str], partition: str,
                        region: str, account: str) -> list[Check]:
    """kms:Decrypt on the key (resolved through moto: an alias to its key), under the key policy, when the key is
    a customer managed one."""
    if not key_id or key_id in _AWS_MANAGED_KEYS or key_id.endswith(tuple(":" + k for k in _AWS_MANAGED_KEYS)):
        return []
    from moto.kms.models import kms_backends

    key_region, key_account = region, account
    if key_id.startswith("arn:"):
        parts = key_id.split(":", 5)
        key_region, key_account = parts[3], parts[4]
    backend = _backend(kms_backends, key_account, key_region)
    key = None
    if backend is not None:
        try:
            key = backend.keys.get(backend.any_id_to_key_id(key_id))
        except (KeyError, AttributeError):
            key = None
    if key is not None:
        arn = key.arn
    elif key_id.startswith("arn:"):
        arn = key_id
    else:
        resource = key_id if key_id.startswith("alias/") else f"key/{key_id}"
        arn = f"arn:{partition}:kms:{key_region}:{key_account}:{resource}"
    context = {"kms:ViaService": f"{service}.{region}.{_dns_suffix(partition)}", "kms:CallerAccount": account}
    context.update({f"kms:EncryptionContext:{k}": v for k, v in encryption_context.items()})
    return [Check("kms:Decrypt", [arn], context, getattr(key, "policy", None), key_account)]


def _ssm_kms_checks(operation: str, params: dict, partition: str, region: str, account: str) -> list[Check]:
    """The decryptions a read WithDecryption makes: of each SecureString parameter it reads (GetParametersByPath:
    the ones under the path)."""
    if operation not in _SSM_DECRYPTING or params.get("WithDecryption") is not True:
        return []
    from moto.ssm.models import ssm_backends

    backend = _backend(ssm_backends, account, region)
    if backend is None:
        return []
    stored = backend._parameters
    if operation == "GetParametersByPath":
        path = params.get("Path")
        if not isinstance(path, str) or not path:
            return []
        names = list(stored.get_keys_beginning_with(path.rstrip("/") + "/", params.get("Recursive") is True))
    else:
        names = []
        for name in _strings(params.get("Name"), params.get("Names")):
            if name.startswith("arn:") and ":parameter" in name:
                name = name.split(":parameter", 1)[1]
            names.append(stored.normalize_name(name.split(":", 1)[0]))
    checks = []
    for name in dict.fromkeys(names):
        versions = dict.get(stored, name) or []
        parameter = versions[-1] if versions else None
        if parameter is None or parameter.parameter_type != "SecureString":
            continue
        arn = f"arn:{partition}:ssm:{region}:{account}:parameter/{name.lstrip('/')}"
        checks += _kms_decrypt_checks(parameter.keyid, "ssm", {"PARAMETER_ARN": arn}, partition, region, account)
    return checks


def _dynamodb_resources(params: dict, partition: str, region: str, account: str) -> list[str]:
    """Table ARNs of TableName (with IndexName: the index's ARN), of RequestItems' and of TransactItems' tables."""

    def arn(table: str, index: str | None = None) -> str:
        base = table if table.startswith("arn:") else f"arn:{partition}:dynamodb:{region}:{account}:table/{table}"
        return f"{base}/index/{index}" if index else base

    arns = []
    if isinstance(params.get("TableName"), str):
        index = params.get("IndexName") if isinstance(params.get("IndexName"), str) else None
        arns.append(arn(params["TableName"], index))
    if isinstance(params.get("RequestItems"), dict):
        arns += [arn(table) for table in params["RequestItems"] if isinstance(table, str)]
    for item in params.get("TransactItems") or []:
        if isinstance(item, dict):
            for operation in item.values():
                if isinstance(operation, dict) and isinstance(operation.get("TableName"), str):
                    arns.append(arn(operation["TableName"]))
    return list(dict.fromkeys(arns)) or ["*"]


def _logs_resources(params: dict, partition: str, region: str, account: str) -> list[str]:
    """The log group's ARN (log-group:<name>), or the log stream's when the request names one."""
    group = params.get("logGroupName") or params.get("logGroupIdentifier")
    if not isinstance(group, str) or not group:
        return ["*"]
    if group.startswith("arn:"):
        base = group.removesuffix(":*")
    else:
        base = f"arn:{partition}:logs:{region}:{account}:log-group:{group}"
    stream = params.get("logStreamName")
    return [f"{base}:log-stream:{stream}" if isinstance(stream, str) and stream else base]


# -- S3 -------------------------------------------------------------------------------------------------
# Operations on a bucket and the permission each needs (Amazon S3 User Guide, "Specifying permissions in a
# policy": the permission keywords and the operations they cover).
_S3_BUCKET_ACTIONS = {
    "ListObjects": "s3:ListBucket", "ListObjectsV2": "s3:ListBucket", "HeadBucket": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions", "ListMultipartUploads": "s3:ListBucketMultipartUploads",
    "CreateBucket": "s3:CreateBucket", "DeleteBucket": "s3:DeleteBucket",
    "GetBucketLocation": "s3:GetBucketLocation",
    "GetBucketPolicy": "s3:GetBucketPolicy", "PutBucketPolicy": "s3:PutBucketPolicy",
    "DeleteBucketPolicy": "s3:DeleteBucketPolicy", "GetBucketPolicyStatus": "s3:GetBucketPolicyStatus",
    "GetBucketAcl": "s3:GetBucketAcl", "PutBucketAcl": "s3:PutBucketAcl",
    "GetBucketCors": "s3:GetBucketCORS", "PutBucketCors": "s3:PutBucketCORS", "DeleteBucketCors": "s3:PutBucketCORS",
    "GetBucketTagging": "s3:GetBucketTagging", "PutBucketTagging": "s3:PutBucketTagging",
    "DeleteBucketTagging": "s3:PutBucketTagging",
    "GetBucketVersioning": "s3:GetBucketVersioning", "PutBucketVersioning": "s3:PutBucketVersioning",
    "GetBucketWebsite": "s3:GetBucketWebsite", "PutBucketWebsite": "s3:PutBucketWebsite",
    "DeleteBucketWebsite": "s3:DeleteBucketWebsite",
    "GetBucketEncryption": "s3:GetEncryptionConfiguration", "PutBucketEncryption": "s3:PutEncryptionConfiguration",
    "DeleteBucketEncryption": "s3:PutEncryptionConfiguration",
    "GetBucketLifecycle": "s3:GetLifecycleConfiguration",
    "GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "PutBucketLifecycle": "s3:PutLifecycleConfiguration",
    "PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
    "DeleteBucketLifecycle": "s3:PutLifecycleConfiguration",
    "GetBucketLogging": "s3:GetBucketLogging", "PutBucketLogging": "s3:PutBucketLogging",
    "GetBucketNotification": "s3:GetBucketNotification",
    "GetBucketNotificationConfiguration": "s3:GetBucketNotification",
    "PutBucketNotification": "s3:PutBucketNotification",
    "PutBucketNotificationConfiguration": "s3:PutBucketNotification",
    "GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock", "PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "DeletePublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "GetBucketReplication": "s3:GetReplicationConfiguration", "PutBucketReplication": "s3:PutReplicationConfiguration",
    "DeleteBucketReplication": "s3:PutReplicationConfiguration",
    "GetBucketRequestPayment": "s3:GetBucketRequestPayment", "PutBucketRequestPayment": "s3:PutBucketRequestPayment",
    "GetBucketAccelerateConfiguration": "s3:GetAccelerateConfiguration",
    "PutBucketAccelerateConfiguration": "s3:PutAccelerateConfiguration",
    "GetBucketOwnershipControls": "s3:GetBucketOwnershipControls",
    "PutBucketOwnershipControls": "s3:PutBucketOwnershipControls",
    "DeleteBucketOwnershipControls": "s3:PutBucketOwnershipControls",
    "GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "PutObjectLockConfiguration": "s3:PutBucketObjectLockConfiguration",
    "GetBucketAnalyticsConfiguration": "s3:GetAnalyticsConfiguration",
    "ListBucketAnalyticsConfigurations": "s3:GetAnalyticsConfiguration",
    "PutBucketAnalyticsConfiguration": "s3:PutAnalyticsConfiguration",
    "DeleteBucketAnalyticsConfiguration": "s3:PutAnalyticsConfiguration",
    "GetBucketInventoryConfiguration": "s3:GetInventoryConfiguration",
    "ListBucketInventoryConfigurations": "s3:GetInventoryConfiguration",
    "PutBucketInventoryConfiguration": "s3:PutInventoryConfiguration",
    "DeleteBucketInventoryConfiguration": "s3:PutInventoryConfiguration",
    "GetBucketMetricsConfiguration": "s3:GetMetricsConfiguration",
    "ListBucketMetricsConfigurations": "s3:GetMetricsConfiguration",
    "PutBucketMetricsConfiguration": "s3:PutMetricsConfiguration",
    "DeleteBucketMetricsConfiguration": "s3:PutMetricsConfiguration",
}
# Operations on an object. GetObjectAttributes needs both permissions.
_S3_OBJECT_ACTIONS = {
    "GetObject": ("s3:GetObject",), "HeadObject": ("s3:GetObject",), "SelectObjectContent": ("s3:GetObject",),
    "GetObjectAttributes": ("s3:GetObject", "s3:GetObjectAttributes"),
    "PutObject": ("s3:PutObject",), "CreateMultipartUpload": ("s3:PutObject",), "UploadPart": ("s3:PutObject",),
    "CompleteMultipartUpload": ("s3:PutObject",),
    "AbortMultipartUpload": ("s3:AbortMultipartUpload",), "ListParts": ("s3:ListMultipartUploadParts",),
    "DeleteObject": ("s3:DeleteObject",),
    "GetObjectAcl": ("s3:GetObjectAcl",), "PutObjectAcl": ("s3:PutObjectAcl",),
    "GetObjectTagging": ("s3:GetObjectTagging",), "PutObjectTagging": ("s3:PutObjectTagging",),
    "DeleteObjectTagging": ("s3:DeleteObjectTagging",),
    "GetObjectTorrent": ("s3:GetObjectTorrent",), "RestoreObject": ("s3:RestoreObject",),
}
# With ?versionId=, the version-specific permission.
_S3_VERSION_ACTIONS = {
    "s3:GetObject": "s3:GetObjectVersion", "s3:DeleteObject": "s3:DeleteObjectVersion",
    "s3:GetObjectAcl": "s3:GetObjectVersionAcl", "s3:PutObjectAcl": "s3:PutObjectVersionAcl",
    "s3:GetObjectTagging": "s3:GetObjectVersionTagging", "s3:PutObjectTagging": "s3:PutObjectVersionTagging",
    "s3:DeleteObjectTagging": "s3:DeleteObjectVersionTagging", "s3:GetObjectTorrent": "s3:GetObjectVersionTorrent",
    "s3:GetObjectAttributes": "s3:GetObjectVersionAttributes",
}
_S3_LIST_OPERATIONS = ("ListObjects", "ListObjectsV2", "ListObjectVersions")
# Request headers S3 offers as condition keys of the same name (s3:x-amz-acl...).
_S3_HEADER_KEYS = (
    "x-amz-acl", "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-storage-class", "x-amz-metadata-directive", "x-amz-grant-read", "x-amz-grant-write",
    "x-amz-grant-read-acp", "x-amz-grant-write-acp", "x-amz-grant-full-control",
    "x-amz-website-redirect-location", "x-amz-content-sha256", "x-amz-object-lock-mode",
    "x-amz-object-lock-retain-until-date", "x-amz-object-lock-legal-hold",
)
_UNROUTED_S3 = {"GET": "GetObject", "HEAD": "HeadObject", "PUT": "PutObject", "DELETE": "DeleteObject"}


def _header(headers: Mapping[str, str], name: str) -> str | None:
    name = name.lower()
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def virtual_host_bucket(host: str | None) -> str | None:
    """The bucket a virtual-hosted-style Host names (bucket.s3.amazonaws.com, bucket.localhost:4566), decided as
    moto decides it, so that the bucket authorized is the bucket moto serves. None for path-style hosts."""
    if not host:
        return None
    from moto.s3.responses import S3Response
    from moto.s3.utils import bucket_name_from_url

    request = SimpleNamespace(headers={"host": host}, url=f"http://{host}/")
    if not S3Response.subdomain_based_buckets(request):
        return None
    return bucket_name_from_url(f"http://{host}/") or None


def _s3_checks(operation: str, method: str, raw_uri: str, headers: Mapping[str, str], body: bytes,
               region: str) -> list[Check]:
    partition = partition_of(region)
    path, _, query_text = raw_uri.partition("?")
    query = parse_qs(query_text, keep_blank_values=True)
    bucket = virtual_host_bucket(_header(headers, "Host"))
    if bucket is not None:
        key = unquote(path[1:]) if path.startswith("/") else unquote(path)
        # wire.operation_of routes the path alone, as if it were path-style: route "/bucket/key" instead.
        path_style = f"/{quote(bucket)}{path if path.startswith('/') else '/' + path}"
        operation = wire.operation_of("s3", method, path_style + (f"?{query_text}" if query_text else ""), headers,
                                      body)
    else:
        bucket, _, key = path.lstrip("/").partition("/")
        bucket, key = unquote(bucket), unquote(key)
    if " " in operation:  # not a route botocore's model knows: judge by method
        operation = _UNROUTED_S3.get(method, operation) if key else "ListObjects"

    context = _s3_context(operation, headers, query)
    if not bucket:
        action = "s3:ListAllMyBuckets" if operation == "ListBuckets" else f"s3:{operation}"
        return [Check(action, ["*"], context)]
    bucket_arn = f"arn:{partition}:s3:::{bucket}"
    moto_bucket, owner = _bucket(bucket)
    policy = getattr(moto_bucket, "policy", None)

    def check(action: str, resources: list[str]) -> Check:
        return Check(action, resources, context, policy, owner)

    if operation == "DeleteObjects":
        keys = _delete_objects_keys(body)
        return [check("s3:DeleteObject", [f"{bucket_arn}/{k}" for k in keys] or [f"{bucket_arn}/*"])]
    if operation in ("CopyObject", "UploadPartCopy"):
        return _copy_source_checks(_header(headers, "x-amz-copy-source") or "", partition, context) + [
            check("s3:PutObject", [f"{bucket_arn}/{key}"])]
    if operation in _S3_BUCKET_ACTIONS:
        return [check(_S3_BUCKET_ACTIONS[operation], [bucket_arn])]
    if operation in _S3_OBJECT_ACTIONS:
        versioned = "versionId" in query
        return [check(_S3_VERSION_ACTIONS.get(a, a) if versioned else a, [f"{bucket_arn}/{key}"])
                for a in _S3_OBJECT_ACTIONS[operation]]
    # Any other operation: s3:<Operation>, on the object when the request names one, else on the bucket.
    return [check(f"s3:{operation}", [f"{bucket_arn}/{key}" if key else bucket_arn])]


def _s3_context(operation: str, headers: Mapping[str, str], query: dict[str, list[str]]) -> dict[str, Any]:
    context: dict[str, Any] = {
        "s3:authType": "REST-QUERY-STRING" if "X-Amz-Signature" in query else "REST-HEADER",
        "s3:signatureversion": "AWS4-HMAC-SHA256",
    }
    for name in _S3_HEADER_KEYS:
        value = _header(headers, name)
        if value is not None:
            context[f"s3:{name}"] = value
    source = _header(headers, "x-amz-copy-source")
    if source is not None:
        context["s3:x-amz-copy-source"] = unquote(source.split("?", 1)[0]).lstrip("/")
    if "versionId" in query:
        context["s3:VersionId"] = query["versionId"][0]
    if operation in _S3_LIST_OPERATIONS:
        # s3:prefix and s3:delimiter exist when the request gives them; s3:max-keys always (1000 by default).
        for parameter in ("prefix", "delimiter"):
            if parameter in query:
                context[f"s3:{parameter}"] = query[parameter][0]
        context["s3:max-keys"] = query.get("max-keys", ["1000"])[0]
    return context


def _copy_source_checks(source: str, partition: str, context: dict) -> list[Check]:
    """A copy reads its source: s3:GetObject (s3:GetObjectVersion for a ?versionId=) on the source object,
    under the source bucket's policy."""
    path, _, query = source.partition("?")
    bucket, _, key = unquote(path).lstrip("/").partition("/")
    if not bucket or not key:
        return []
    moto_bucket, owner = _bucket(bucket)
    action = "s3:GetObjectVersion" if "versionId=" in query else "s3:GetObject"
    return [Check(action, [f"arn:{partition}:s3:::{bucket}/{key}"], context, getattr(moto_bucket, "policy", None),
                  owner)]


def _delete_objects_keys(body: bytes) -> list[str]:
    """The keys of a DeleteObjects request body (<Delete><Object><Key>...)."""
    try:
        root = ElementTree.fromstring(body or b"")
    except ElementTree.ParseError:
        return []
    return [element.text or "" for element in root.iter() if element.tag.rsplit("}", 1)[-1] == "Key"]


# -- the decision ---------------------------------------------------------------------------------------
def request_context(session: Session, role, region: str, now: datetime.datetime,
                    headers: Mapping[str, str]) -> dict[str, Any]:
    """The global condition keys AWS sets for a request of an assumed-role session (aws:username is absent for
    role sessions; aws:PrincipalTag/<key> from the role's tags and the session tags)."""
    context: dict[str, Any] = {
        "aws:PrincipalArn": session.role_arn,
        "aws:PrincipalAccount": session.account,
        "aws:PrincipalType": "AssumedRole",
        "aws:userid": f"{session.role_id}:{session.session_name}",
        # The compute would reach AWS over TLS; this endpoint is plain HTTP on loopback. The request is judged as
        # AWS would judge the compute's, so a bucket policy denying when aws:SecureTransport is false (the
        # project's private buckets carry one) does not refuse it.
        "aws:SecureTransport": "true",
        "aws:RequestedRegion": region,
        "aws:CurrentTime": _iso(now),
        "aws:EpochTime": str(int(now.timestamp())),
        "aws:TokenIssueTime": _iso(session.issued),
        "aws:SourceIp": "127.0.0.1",
        "aws:ViaAWSService": "false",
        "aws:PrincipalIsAWSService": "false",
    }
    agent = _header(headers, "User-Agent")
    if agent:
        context["aws:UserAgent"] = agent
    tags = {t.get("Key"): t.get("Value") for t in (getattr(role, "tags", None) or []) if isinstance(t, dict)}
    tags.update(session.tags)
    for key, value in tags.items():
        if key:
            context[f"aws:PrincipalTag/{key}"] = value
    return context


def evaluate_request(session: Session, service: str, operation: str, method: str, raw_uri: str,
                     headers: Mapping[str, str], body: bytes, region: str,
                     now: datetime.datetime) -> tuple[Check, Decision] | None:
    """None when every authorization the request needs is granted; else the first refused one and why.

    Expiry is not looked at here (authorize answers ExpiredToken first). sts:GetCallerIdentity needs no
    permission (STS API Reference: even an explicit Deny does not stop it). A role deleted since the session was
    issued (or deleted and created again: another role id) has no policies left: everything is refused.
    """
    if service == "sts" and operation == "GetCallerIdentity":
        return None
    checks = requested_access(service, operation, method, raw_uri, headers, body, region, session.account)
    role = iam_bridge.find_role(session.account, session.role_arn)
    if role is None or role.id != session.role_id:
        first = checks[0]
        return first, Decision(False, no_identity_allow(first.action), first.resources[0])
    identity, boundary = role_policies(role)
    base = request_context(session, role, region, now, headers)
    for check in checks:
        request = AuthzRequest(check.action, check.resources, session.principal_arn, session.account,
                               {**base, **check.context}, role_arn=session.role_arn)
        decision = evaluate(request, identity, boundary, check.resource_policy,
                            resource_account=check.resource_account)
        if not decision.allowed:
            return check, decision
    return None


def authorize(session: Session, service: str, operation: str, method: str, raw_uri: str,
              headers: Mapping[str, str], body: bytes, region: str, now: datetime.datetime) -> Response | None:
    """None when the session may make this request; else the error AWS would answer, in the service's protocol:
    ExpiredToken once the session expired, AccessDenied (with AWS's enhanced message) when IAM refuses."""
    protocol = "rest-xml" if service == "s3" else wire.protocol(service)
    if now >= session.expiration:
        return expired_response(service, protocol, method, session)
    refused = evaluate_request(session, service, operation, method, raw_uri, headers, body, region, now)
    if refused is None:
        return None
    check, decision = refused
    return access_denied_response(service, protocol, method, session, check.action, decision.resource or "*",
                                  decision.reason)


# -- error responses ------------------------------------------------------------------------------------
def access_denied_message(session: Session, service: str, action: str, resource: str, reason: str) -> str:
    """AWS's enhanced AccessDenied message. S3 quotes the resource; an action on no particular resource ("*")
    names none."""
    target = ""
    if resource != "*":
        target = f' on resource: "{resource}"' if service == "s3" else f" on resource: {resource}"
    return f"User: {session.principal_arn} is not authorized to perform: {action}{target} {reason}"


# (status, code) of a refusal and of an expired session, in each wire protocol's own shape.
_DENIED = {"rest-xml": (403, "AccessDenied"), "json": (400, "AccessDeniedException"),
           "rest-json": (403, "AccessDeniedException"), "ec2": (403, "UnauthorizedOperation"), "query": (403, "AccessDenied")}
_EXPIRED = {"rest-xml": (400, "ExpiredToken"), "json": (400, "ExpiredTokenException"),
            "rest-json": (403, "ExpiredTokenException"), "ec2": (400, "ExpiredToken"), "query": (400, "ExpiredToken")}


def _error(service: str, protocol: str, method: str, table: dict, message: str, extra: str = "") -> Response:
    status, code = table.get(protocol, table["query"])
    if protocol == "rest-xml":
        return _xml_error(status, code, message, method, extra)
    if protocol in ("json", "rest-json"):
        return _json_error(service, status, code, message, method)
    if protocol == "ec2":
        return _ec2_error(status, code, message, method)
    return _query_error(service, status, code, message, method)


def access_denied(service: str, method: str, message: str) -> Response:
    """AccessDenied with `message`, in the service's protocol (STS: 403 AccessDenied, a query-protocol error)."""
    return _error(service, "rest-xml" if service == "s3" else wire.protocol(service), method, _DENIED, message)


def access_denied_response(service: str, protocol: str, method: str, session: Session, action: str,
                           resource: str, reason: str) -> Response:
    return _error(service, protocol, method, _DENIED, access_denied_message(session, service, action, resource, reason))


def expired_response(service: str, protocol: str, method: str, session: Session) -> Response:
    if protocol == "rest-xml":  # S3 words it its own way and echoes the token back
        return _error(service, protocol, method, _EXPIRED, "The provided token has expired.",
                      f"<Token-0>{escape(session.session_token)}</Token-0>")
    return _error(service, protocol, method, _EXPIRED, "The security token included in the request is expired")


def _body(method: str, text: str) -> bytes:
    """HEAD responses carry no body (the client reads the status and headers only)."""
    return b"" if method == "HEAD" else text.encode("utf-8")


def _xml_error(status: int, code: str, message: str, method: str, extra: str = "") -> Response:
    request_id = "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))
    host_id = base64.b64encode(secrets.token_bytes(57)).decode("ascii")
    text = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{escape(message)}</Message>'
            f"{extra}<RequestId>{request_id}</RequestId><HostId>{host_id}</HostId></Error>")
    headers = {"Content-Type": "application/xml", "x-amz-request-id": request_id, "x-amz-id-2": host_id}
    return status, headers, _body(method, text)


def _json_error(service: str, status: int, code: str, message: str, method: str) -> Response:
    try:
        version = service_model.load(service).metadata.get("jsonVersion", "1.1")
    except Exception:  # noqa: BLE001 - a service botocore does not know
        version = "1.1"
    content_type = f"application/x-amz-json-{version}" if wire.protocol(service) == "json" else "application/json"
    headers = {"Content-Type": content_type, "x-amzn-RequestId": str(uuid.uuid4()), "x-amzn-ErrorType": code}
    return status, headers, _body(method, json.dumps({"__type": code, "Message": message}))


def _query_error(service: str, status: int, code: str, message: str, method: str) -> Response:
    try:
        namespace = service_model.load(service).metadata.get("xmlNamespace")
    except Exception:  # noqa: BLE001 - a service botocore does not know
        namespace = None
    request_id = str(uuid.uuid4())
    opening = f'<ErrorResponse xmlns="{namespace}">' if namespace else "<ErrorResponse>"
    text = (f"{opening}<Error><Type>Sender</Type><Code>{code}</Code><Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>")
    return status, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, _body(method, text)


def _ec2_error(status: int, code: str, message: str, method: str) -> Response:
    request_id = str(uuid.uuid4())
    text = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
            f"<Message>{escape(message)}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>")
    return status, {"Content-Type": "text/xml"}, _body(method, text)
