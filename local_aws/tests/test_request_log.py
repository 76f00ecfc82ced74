"""The request log (/_local/requests): every Amplify and moto call, named and classified."""

from __future__ import annotations

import json
from contextlib import suppress
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable

import pytest
import requests
from botocore.exceptions import ClientError
from helpers import REGION, UNKNOWN_APP, trust_policy

BUCKET = "log-bucket"


@dataclass
class Logged:
    id: str
    call: Callable[[SimpleNamespace], object]
    service: str
    operation: str
    kind: str
    status: int = 200
    setup: Callable[[SimpleNamespace], object] | None = None


def _bucket(c):
    c.s3.create_bucket(Bucket=BUCKET)
    c.s3.put_object(Bucket=BUCKET, Key="a.txt", Body=b"hello")


def _role(c):
    c.iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust_policy("amplify.amazonaws.com"))


def _log_group(c):
    c.logs.create_log_group(logGroupName="g")


def _app(c):
    c.app = c.amplify.create_app(name="x")["app"]


def _upload(c):
    _bucket(c)
    c.upload = {"Bucket": BUCKET, "Key": "big.bin",
                "UploadId": c.s3.create_multipart_upload(Bucket=BUCKET, Key="big.bin")["UploadId"]}


PERMISSIONS = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})


CASES = [
    Logged("amplify-create-app", lambda c: c.amplify.create_app(name="x"), "amplify", "CreateApp", "write"),
    Logged("amplify-list-apps", lambda c: c.amplify.list_apps(), "amplify", "ListApps", "read"),
    Logged("amplify-get-missing-app", lambda c: c.amplify.get_app(appId=UNKNOWN_APP), "amplify", "GetApp", "read", 404),
    Logged("amplify-update-app", lambda c: c.amplify.update_app(appId=c.app["appId"], name="y"), "amplify", "UpdateApp", "write",
           setup=_app),
    Logged("amplify-delete-app", lambda c: c.amplify.delete_app(appId=c.app["appId"]), "amplify", "DeleteApp", "write",
           setup=_app),
    Logged("amplify-tag", lambda c: c.amplify.tag_resource(resourceArn=c.app["appArn"], tags={"a": "b"}),
           "amplify", "TagResource", "write", setup=_app),
    Logged("amplify-list-tags", lambda c: c.amplify.list_tags_for_resource(resourceArn=c.app["appArn"]),
           "amplify", "ListTagsForResource", "read", setup=_app),
    Logged("amplify-bad-request", lambda c: c.amplify.create_app(name="x", platform="BAD"), "amplify", "CreateApp", "write", 400),
    Logged("iam-create-role", _role, "iam", "CreateRole", "write"),
    Logged("iam-get-role", lambda c: c.iam.get_role(RoleName="r"), "iam", "GetRole", "read", setup=_role),
    Logged("iam-list-roles", lambda c: c.iam.list_roles(), "iam", "ListRoles", "read"),
    Logged("iam-put-role-policy", lambda c: c.iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=PERMISSIONS),
           "iam", "PutRolePolicy", "write", setup=_role),
    Logged("iam-delete-role", lambda c: c.iam.delete_role(RoleName="r"), "iam", "DeleteRole", "write", setup=_role),
    Logged("iam-missing-role", lambda c: c.iam.get_role(RoleName="missing"), "iam", "GetRole", "read", 404),
    Logged("sts-caller-identity", lambda c: c.sts.get_caller_identity(), "sts", "GetCallerIdentity", "read"),
    Logged("s3-create-bucket", lambda c: c.s3.create_bucket(Bucket=BUCKET), "s3", "CreateBucket", "write"),
    Logged("s3-put-object", lambda c: c.s3.put_object(Bucket=BUCKET, Key="b.txt", Body=b"x"), "s3", "PutObject", "write",
           setup=_bucket),
    Logged("s3-get-object", lambda c: c.s3.get_object(Bucket=BUCKET, Key="a.txt")["Body"].read(), "s3", "GetObject", "read",
           setup=_bucket),
    Logged("s3-head-object", lambda c: c.s3.head_object(Bucket=BUCKET, Key="a.txt"), "s3", "HeadObject", "read", setup=_bucket),
    Logged("s3-copy-object", lambda c: c.s3.copy_object(Bucket=BUCKET, Key="c.txt", CopySource=f"{BUCKET}/a.txt"),
           "s3", "CopyObject", "write", setup=_bucket),
    Logged("s3-list-objects", lambda c: c.s3.list_objects_v2(Bucket=BUCKET), "s3", "ListObjectsV2", "read", setup=_bucket),
    Logged("s3-delete-object", lambda c: c.s3.delete_object(Bucket=BUCKET, Key="a.txt"), "s3", "DeleteObject", "write", 204,
           setup=_bucket),
    # Same method and path as PutObject, GetObject and DeleteObject: told apart by the required uploadId.
    Logged("s3-upload-part", lambda c: c.s3.upload_part(**c.upload, PartNumber=1, Body=b"x"), "s3", "UploadPart", "write",
           setup=_upload),
    Logged("s3-list-parts", lambda c: c.s3.list_parts(**c.upload), "s3", "ListParts", "read", setup=_upload),
    Logged("s3-abort-upload", lambda c: c.s3.abort_multipart_upload(**c.upload), "s3", "AbortMultipartUpload", "write", 204,
           setup=_upload),
    Logged("s3-missing-object", lambda c: c.s3.get_object(Bucket=BUCKET, Key="nope"), "s3", "GetObject", "read", 404,
           setup=_bucket),
    Logged("logs-create-group", _log_group, "logs", "CreateLogGroup", "write"),
    Logged("logs-describe-groups", lambda c: c.logs.describe_log_groups(), "logs", "DescribeLogGroups", "read"),
    Logged("logs-put-retention", lambda c: c.logs.put_retention_policy(logGroupName="g", retentionInDays=7),
           "logs", "PutRetentionPolicy", "write", setup=_log_group),
]


@pytest.fixture
def clients(amplify, iam, s3, sts, logs):
    return SimpleNamespace(amplify=amplify, iam=iam, s3=s3, sts=sts, logs=logs)


def new_entries(control, action) -> list[dict]:
    since = control.requests()["last"]
    action()
    return control.requests(since=since)["requests"]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_each_call_is_logged(case: Logged, clients, control):
    if case.setup:
        case.setup(clients)

    def act():
        with suppress(ClientError):
            case.call(clients)

    entries = new_entries(control, act)
    assert [(e["service"], e["operation"], e["kind"], e["status"], e["region"], e["injected"]) for e in entries] == [
        (case.service, case.operation, case.kind, case.status, REGION, False)]


def test_reads_and_writes_are_classified_by_name():
    reads = {c.operation for c in CASES if c.kind == "read"}
    writes = {c.operation for c in CASES if c.kind == "write"}
    assert all(op.startswith(("Get", "List", "Describe", "Head")) for op in reads)
    assert all(not op.startswith(("Get", "List", "Describe", "Head")) for op in writes)
    assert {"CreateApp", "UpdateApp", "DeleteApp", "PutObject", "PutRolePolicy", "CreateRole", "DeleteRole"} <= writes


def test_since_returns_only_newer_entries(amplify, control):
    for name in ("a", "b", "c"):
        amplify.create_app(name=name)
    everything = control.requests()
    seqs = [e["seq"] for e in everything["requests"]]
    assert seqs == sorted(seqs) and len(seqs) == 3 and everything["last"] == seqs[-1]
    newer = control.requests(since=seqs[0])["requests"]
    assert [e["seq"] for e in newer] == seqs[1:]
    assert control.requests(since=seqs[-1])["requests"] == []


def test_delete_empties_the_log_and_numbering_goes_on(amplify, control):
    amplify.list_apps()
    last = control.requests()["last"]
    assert control.clear_requests() == {"last": last}
    assert control.requests()["requests"] == []
    amplify.list_apps()
    [entry] = control.requests()["requests"]
    assert entry["seq"] == last + 1


def test_control_calls_are_not_logged(control):
    control.state()
    control.config()
    control.requests()
    assert control.requests()["requests"] == []


@pytest.mark.parametrize("acl, status, body", [("public-read", 200, b"hello"), ("private", 403, None)])
def test_anonymous_object_get_is_logged_as_s3(endpoint, s3, control, acl, status, body):
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="a.txt", Body=b"hello", ACL=acl)

    def fetch():
        response = requests.get(f"{endpoint}/{BUCKET}/a.txt", timeout=10)
        assert response.status_code == status
        if body is not None:
            assert response.content == body

    entries = new_entries(control, fetch)
    assert [(e["service"], e["operation"], e["kind"], e["status"]) for e in entries] == [("s3", "GetObject", "read", status)]
