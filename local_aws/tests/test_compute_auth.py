"""compute_auth: compute sessions, and requests signed with them authorized by the role's policies in moto.

Resources are made through the endpoint with the operator's keys; authorize() then reads them from moto in
this process, as the endpoint does. Time comes from a fake clock: no test waits.
"""

from __future__ import annotations

import datetime
import json
import threading
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from botocore.awsrequest import HeadersDict
from botocore.parsers import create_parser
from helpers import AMPLIFY_PRINCIPAL, REGION, trust_policy

from local_aws import service_model, wire
from local_aws.compute_auth import ComputeSessions, Session, authorize, evaluate_request, requested_access
from local_aws.iam_policy import RESOURCE_DENY

ACCOUNT = "123456789012"
ROLE = "compute-role"
SESSION_NAME = "branch-main"
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE}/{SESSION_NAME}"
ASSETS, OTHER = "site-assets", "other-bucket"
START = datetime.datetime(2025, 6, 1, 12, 0, tzinfo=datetime.timezone.utc)
HOST = "127.0.0.1:4566"


class FakeClock:
    def __init__(self):
        self.now = START

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


READ_ASSETS = document({"Sid": "ReadAssets", "Effect": "Allow", "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{ASSETS}/*"})


def private_bucket_policy(bucket: str, *more: dict) -> str:
    """What the private_bucket role puts on its buckets: deny every request not made over TLS."""
    return document({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                     "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, *more)


@dataclass
class Compute:
    iam: object
    s3: object
    clock: FakeClock
    sessions: ComputeSessions
    role_arn: str
    session: Session

    def s3_request(self, method: str, bucket: str, key: str = "", query: str = "", headers: dict | None = None,
                   body: bytes = b"", virtual: bool = False, session: Session | None = None):
        """authorize() for an S3 request, path-style or virtual-hosted-style, named as the endpoint names it."""
        if virtual:
            host, path = f"{bucket}.localhost:4566", "/" + quote(key)
        else:
            host, path = HOST, f"/{bucket}/{quote(key)}" if key else f"/{bucket}"
        raw_uri = path + (f"?{query}" if query else "")
        all_headers = {"Host": host, **(headers or {})}
        operation = wire.operation_of("s3", method, raw_uri, all_headers, body)
        return authorize(session or self.session, "s3", operation, method, raw_uri, all_headers, body, REGION,
                         self.clock())

    def json_request(self, service: str, operation: str, params: dict, session: Session | None = None):
        prefix = service_model.load(service).metadata["targetPrefix"]
        headers = {"Host": HOST, "X-Amz-Target": f"{prefix}.{operation}",
                   "Content-Type": "application/x-amz-json-1.1"}
        return authorize(session or self.session, service, operation, "POST", "/", headers,
                         json.dumps(params).encode(), REGION, self.clock())

    def query_request(self, service: str, action: str, params: dict | None = None, session: Session | None = None):
        form = "&".join(f"{k}={quote(v, safe='')}" for k, v in {"Action": action, "Version": "2011-06-15",
                                                                 **(params or {})}.items())
        headers = {"Host": HOST, "Content-Type": "application/x-www-form-urlencoded"}
        return authorize(session or self.session, service, action, "POST", "/", headers, form.encode(), REGION,
                         self.clock())


@pytest.fixture
def compute(iam, s3) -> Compute:
    """A compute role that may read the site-assets bucket's objects, two private buckets, and a session."""
    role_arn = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=trust_policy(AMPLIFY_PRINCIPAL))["Role"]["Arn"]
    iam.put_role_policy(RoleName=ROLE, PolicyName="read-assets", PolicyDocument=READ_ASSETS)
    for bucket in (ASSETS, OTHER):
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_policy(Bucket=bucket, Policy=private_bucket_policy(bucket))
    clock = FakeClock()
    sessions = ComputeSessions(clock=clock)
    return Compute(iam, s3, clock, sessions, role_arn, sessions.issue(role_arn, SESSION_NAME))


def parsed_error(service: str, operation: str, response) -> dict:
    """The error as botocore (so every AWS SDK client) reads it off the wire."""
    status, headers, body = response
    model = service_model.load(service)
    parser = create_parser(model.metadata["protocol"])
    parsed = parser.parse({"status_code": status, "headers": HeadersDict(headers), "body": body},
                          model.operation_model(operation).output_shape)
    return parsed["Error"]


def denied_message(action: str, resource: str, reason: str, s3: bool = True) -> str:
    target = f'"{resource}"' if s3 else resource
    return f"User: {SESSION_ARN} is not authorized to perform: {action} on resource: {target} {reason}"


# -- sessions ---------------------------------------------------------------------------------------------
def test_a_session_carries_credentials_in_the_container_credentials_format(compute):
    session = compute.session
    credentials = session.as_container_credentials()
    assert set(credentials) == {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
    assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
    assert credentials["AccessKeyId"][4:].isalnum() and credentials["AccessKeyId"].isupper()
    assert len(credentials["SecretAccessKey"]) == 40
    assert len(credentials["Token"]) > 300
    assert credentials["Expiration"] == "2025-06-01T13:00:00Z"
    assert session.principal_arn == SESSION_ARN
    assert (session.role_arn, session.account, session.session_name) == (compute.role_arn, ACCOUNT, SESSION_NAME)
    assert session.role_id == compute.iam.get_role(RoleName=ROLE)["Role"]["RoleId"]
    assert "SecretAccessKey" not in repr(session) and session.secret_access_key not in repr(session)


def test_sessions_are_found_revoked_and_expire_by_the_clock(compute):
    sessions, session = compute.sessions, compute.session
    assert sessions.find(session.access_key_id) is session
    assert sessions.find("ASIAUNKNOWN000000000") is None
    assert not sessions.is_expired(session)
    compute.clock.advance(3599)
    assert not sessions.is_expired(session)
    compute.clock.advance(1)
    assert sessions.is_expired(session) and sessions.now() == START + datetime.timedelta(hours=1)
    assert sessions.revoke(session.access_key_id) and not sessions.revoke(session.access_key_id)
    assert sessions.find(session.access_key_id) is None
    other = sessions.issue(compute.role_arn, "another")
    sessions.clear()
    assert sessions.find(other.access_key_id) is None


def test_sessions_issued_from_many_threads_are_all_distinct(compute):
    issued: list[Session] = []
    lock = threading.Lock()

    def issue():
        for _ in range(20):
            session = compute.sessions.issue(compute.role_arn, "parallel", role_id="AROAEXAMPLE")
            with lock:
                issued.append(session)

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({s.access_key_id for s in issued}) == len(issued) == 80
    assert all(compute.sessions.find(s.access_key_id) is s for s in issued)


@pytest.mark.parametrize("arn, name, duration, error", [
    ("arn:aws:iam::123456789012:user/someone", "s1", 3600, "not a role ARN"),
    ("arn:aws:iam::123456789012:role/compute-role", "x", 3600, "session name"),
    ("arn:aws:iam::123456789012:role/compute-role", "has space", 3600, "session name"),
    ("arn:aws:iam::123456789012:role/compute-role", "s1", 899, "duration_seconds"),
    ("arn:aws:iam::123456789012:role/compute-role", "s1", 7200, "exceeds the MaxSessionDuration"),
    ("arn:aws:iam::123456789012:role/absent", "s1", 3600, "no role"),
])
def test_issue_refuses_what_assume_role_would(compute, arn, name, duration, error):
    with pytest.raises(ValueError, match=error):
        compute.sessions.issue(arn, name, duration_seconds=duration)


def test_a_role_path_stays_out_of_the_session_arn(iam):
    arn = iam.create_role(RoleName="pathed", Path="/service/", AssumeRolePolicyDocument=trust_policy(AMPLIFY_PRINCIPAL),
                          MaxSessionDuration=7200)["Role"]["Arn"]
    session = ComputeSessions(clock=FakeClock()).issue(arn, "s1", duration_seconds=7200, tags={"branch": "main"})
    assert session.principal_arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/pathed/s1"
    assert session.as_container_credentials()["Expiration"] == "2025-06-01T14:00:00Z"


# -- S3 ----------------------------------------------------------------------------------------------------
def test_get_object_in_the_allowed_bucket_is_allowed_despite_the_tls_only_policy(compute):
    assert compute.s3_request("GET", ASSETS, "index.html") is None
    assert compute.s3_request("HEAD", ASSETS, "_next/static/app.js") is None
    assert compute.s3_request("GET", ASSETS, "index.html", virtual=True) is None


def test_get_object_in_another_bucket_is_denied_with_aws_message(compute):
    status, headers, body = response = compute.s3_request("GET", OTHER, "index.html")
    message = denied_message("s3:GetObject", f"arn:aws:s3:::{OTHER}/index.html",
                             "because no identity-based policy allows the s3:GetObject action")
    assert status == 403
    assert headers["Content-Type"] == "application/xml"
    assert f"<Error><Code>AccessDenied</Code><Message>{message}</Message><RequestId>" in body.decode()
    assert b"<HostId>" in body
    error = parsed_error("s3", "GetObject", response)
    assert (error["Code"], error["Message"]) == ("AccessDenied", message)


def test_a_virtual_hosted_request_is_authorized_against_the_bucket_its_host_names(compute):
    # The endpoint names the operation from the path alone ("/index.html" routes as ListObjects of a bucket
    # "index.html"); the bucket and the operation are taken from the Host.
    response = compute.s3_request("GET", OTHER, "dir/index.html", virtual=True)
    assert parsed_error("s3", "GetObject", response)["Message"] == denied_message(
        "s3:GetObject", f"arn:aws:s3:::{OTHER}/dir/index.html",
        "because no identity-based policy allows the s3:GetObject action")


def test_a_refused_head_has_no_body(compute):
    status, headers, body = compute.s3_request("HEAD", OTHER, "index.html")
    assert (status, body) == (403, b"")
    assert headers["x-amz-request-id"]


def test_other_actions_on_the_allowed_bucket_are_denied(compute):
    put = compute.s3_request("PUT", ASSETS, "index.html", body=b"x")
    assert parsed_error("s3", "PutObject", put)["Message"] == denied_message(
        "s3:PutObject", f"arn:aws:s3:::{ASSETS}/index.html",
        "because no identity-based policy allows the s3:PutObject action")
    listing = compute.s3_request("GET", ASSETS, query="list-type=2&prefix=public%2F")
    assert parsed_error("s3", "ListObjectsV2", listing)["Message"] == denied_message(
        "s3:ListBucket", f"arn:aws:s3:::{ASSETS}", "because no identity-based policy allows the s3:ListBucket action")


def test_removing_the_inline_policy_denies(compute):
    compute.iam.delete_role_policy(RoleName=ROLE, PolicyName="read-assets")
    response = compute.s3_request("GET", ASSETS, "index.html")
    assert parsed_error("s3", "GetObject", response)["Message"] == denied_message(
        "s3:GetObject", f"arn:aws:s3:::{ASSETS}/index.html",
        "because no identity-based policy allows the s3:GetObject action")


def test_an_explicit_deny_in_the_bucket_policy_denies(compute):
    secret = {"Sid": "NoDrafts", "Effect": "Deny", "Principal": {"AWS": compute.role_arn}, "Action": "s3:GetObject",
              "Resource": f"arn:aws:s3:::{ASSETS}/drafts/*"}
    compute.s3.put_bucket_policy(Bucket=ASSETS, Policy=private_bucket_policy(ASSETS, secret))
    assert compute.s3_request("GET", ASSETS, "index.html") is None
    response = compute.s3_request("GET", ASSETS, "drafts/next.html")
    assert parsed_error("s3", "GetObject", response)["Message"] == denied_message(
        "s3:GetObject", f"arn:aws:s3:::{ASSETS}/drafts/next.html", RESOURCE_DENY)
    refused = evaluate_request(compute.session, "s3", "GetObject", "GET", f"/{ASSETS}/drafts/next.html",
                               {"Host": HOST}, b"", REGION, compute.clock())
    assert refused is not None and refused[1].matched[0].sid == "NoDrafts"


def test_a_bucket_policy_naming_the_role_grants_without_an_identity_policy(compute):
    compute.iam.delete_role_policy(RoleName=ROLE, PolicyName="read-assets")
    grant = {"Effect": "Allow", "Principal": {"AWS": compute.role_arn}, "Action": "s3:GetObject",
             "Resource": f"arn:aws:s3:::{OTHER}/*"}
    compute.s3.put_bucket_policy(Bucket=OTHER, Policy=private_bucket_policy(OTHER, grant))
    assert compute.s3_request("GET", OTHER, "index.html") is None


def test_an_attached_managed_policy_allows_by_its_default_version(compute):
    compute.iam.delete_role_policy(RoleName=ROLE, PolicyName="read-assets")
    arn = compute.iam.create_policy(PolicyName="read-assets", PolicyDocument=READ_ASSETS)["Policy"]["Arn"]
    compute.iam.attach_role_policy(RoleName=ROLE, PolicyArn=arn)
    assert compute.s3_request("GET", ASSETS, "index.html") is None
    # A newer version that is not the default changes nothing; once it is the default, it decides.
    nothing = document({"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": "*"})
    version = compute.iam.create_policy_version(PolicyArn=arn, PolicyDocument=nothing, SetAsDefault=False)
    assert compute.s3_request("GET", ASSETS, "index.html") is None
    compute.iam.set_default_policy_version(PolicyArn=arn, VersionId=version["PolicyVersion"]["VersionId"])
    assert compute.s3_request("GET", ASSETS, "index.html")[0] == 403


def test_a_boundary_that_excludes_s3_denies(compute):
    boundary = compute.iam.create_policy(PolicyName="ssm-only", PolicyDocument=document(
        {"Effect": "Allow", "Action": ["ssm:*", "logs:*"], "Resource": "*"}))["Policy"]["Arn"]
    compute.iam.put_role_permissions_boundary(RoleName=ROLE, PermissionsBoundary=boundary)
    response = compute.s3_request("GET", ASSETS, "index.html")
    assert parsed_error("s3", "GetObject", response)["Message"] == denied_message(
        "s3:GetObject", f"arn:aws:s3:::{ASSETS}/index.html",
        "because no permissions boundary allows the s3:GetObject action")
    compute.iam.delete_role_permissions_boundary(RoleName=ROLE)
    assert compute.s3_request("GET", ASSETS, "index.html") is None


def test_an_expired_session_is_refused_with_expired_token(compute):
    compute.clock.advance(3600)
    status, _, body = response = compute.s3_request("GET", ASSETS, "index.html")
    assert status == 400
    error = parsed_error("s3", "GetObject", response)
    assert (error["Code"], error["Message"]) == ("ExpiredToken", "The provided token has expired.")
    assert f"<Token-0>{compute.session.session_token}</Token-0>".encode() in body
    ssm = compute.json_request("ssm", "GetParameter", {"Name": "/app/db"})
    assert ssm[0] == 400
    assert parsed_error("ssm", "GetParameter", ssm) == {
        "Code": "ExpiredTokenException", "Message": "The security token included in the request is expired"}
    caller = compute.query_request("sts", "GetCallerIdentity")
    assert caller[0] == 400 and parsed_error("sts", "GetCallerIdentity", caller)["Code"] == "ExpiredToken"


def test_a_deleted_role_can_do_nothing_even_when_created_again(compute):
    compute.iam.delete_role_policy(RoleName=ROLE, PolicyName="read-assets")
    compute.iam.delete_role(RoleName=ROLE)
    message = denied_message("s3:GetObject", f"arn:aws:s3:::{ASSETS}/index.html",
                             "because no identity-based policy allows the s3:GetObject action")
    assert parsed_error("s3", "GetObject", compute.s3_request("GET", ASSETS, "index.html"))["Message"] == message
    # The same name again is another role (another role id): the old session gains nothing from it.
    compute.iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=trust_policy(AMPLIFY_PRINCIPAL))
    compute.iam.put_role_policy(RoleName=ROLE, PolicyName="read-assets", PolicyDocument=READ_ASSETS)
    assert compute.s3_request("GET", ASSETS, "index.html")[0] == 403
    fresh = compute.sessions.issue(compute.role_arn, SESSION_NAME)
    assert compute.s3_request("GET", ASSETS, "index.html", session=fresh) is None


def test_get_caller_identity_is_always_allowed(compute):
    assert compute.query_request("sts", "GetCallerIdentity") is None
    compute.iam.put_role_policy(RoleName=ROLE, PolicyName="deny-all", PolicyDocument=document(
        {"Effect": "Deny", "Action": "*", "Resource": "*"}))
    assert compute.query_request("sts", "GetCallerIdentity") is None
    assert compute.s3_request("GET", ASSETS, "index.html")[0] == 403


def test_a_copy_needs_to_read_its_source(compute):
    compute.iam.put_role_policy(RoleName=ROLE, PolicyName="write-assets", PolicyDocument=document(
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{ASSETS}/*"}))
    copy = {"x-amz-copy-source": f"/{ASSETS}/index.html"}
    assert compute.s3_request("PUT", ASSETS, "copy.html", headers=copy) is None
    from_other = compute.s3_request("PUT", ASSETS, "copy.html", headers={"x-amz-copy-source": f"{OTHER}/a%20b.html"})
    assert parsed_error("s3", "CopyObject", from_other)["Message"] == denied_message(
        "s3:GetObject", f"arn:aws:s3:::{OTHER}/a b.html",
        "because no identity-based policy allows the s3:GetObject action")


# -- other services ---------------------------------------------------------------------------------------
def test_json_services_answer_access_denied_exception(compute):
    compute.iam.put_role_policy(RoleName=ROLE, PolicyName="read-config", PolicyDocument=document(
        {"Effect": "Allow", "Action": "ssm:GetParameter*",
         "Resource": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/*"}))
    assert compute.json_request("ssm", "GetParameter", {"Name": "/app/db", "WithDecryption": True}) is None
    assert compute.json_request("ssm", "GetParameters", {"Names": ["/app/a", "app/b"]}) is None
    status, headers, body = response = compute.json_request("ssm", "GetParameter", {"Name": "/other/db"})
    assert status == 400 and headers["Content-Type"] == "application/x-amz-json-1.1"
    assert json.loads(body)["__type"] == "AccessDeniedException"
    assert parsed_error("ssm", "GetParameter", response) == {
        "Code": "AccessDeniedException",
        "Message": denied_message("ssm:GetParameter", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/other/db",
                                  "because no identity-based policy allows the ssm:GetParameter action", s3=False),
    }


def test_a_secret_named_by_its_name_is_authorized_by_its_arn(compute, make_client):
    secrets = make_client("secretsmanager")
    arn = secrets.create_secret(Name="app/token", SecretString="s3cr3t")["ARN"]
    assert arn.startswith(f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app/token-")
    compute.iam.put_role_policy(RoleName=ROLE, PolicyName="read-token", PolicyDocument=document(
        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
         "Resource": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app/token-??????"}))
    assert compute.json_request("secretsmanager", "GetSecretValue", {"SecretId": "app/token"}) is None
    assert compute.json_request("secretsmanager", "GetSecretValue", {"SecretId": arn}) is None
    response = compute.json_request("secretsmanager", "GetSecretValue", {"SecretId": "app/other"})
    assert parsed_error("secretsmanager", "GetSecretValue", response)["Message"] == denied_message(
        "secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app/other",
        "because no identity-based policy allows the secretsmanager:GetSecretValue action", s3=False)


def test_query_services_answer_access_denied(compute):
    target = f"arn:aws:iam::{ACCOUNT}:role/admin"
    status, _, body = response = compute.query_request("sts", "AssumeRole",
                                                              {"RoleArn": target, "RoleSessionName": "x"})
    assert status == 403 and body.startswith(b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">')
    assert parsed_error("sts", "AssumeRole", response) == {
        "Type": "Sender", "Code": "AccessDenied",
        "Message": denied_message("sts:AssumeRole", target,
                                  "because no identity-based policy allows the sts:AssumeRole action", s3=False),
    }


@pytest.mark.parametrize("service, operation, method, uri, headers, body, actions", [
    ("s3", "GetObject", "GET", "/b/k?versionId=v1", {}, b"",
     [("s3:GetObjectVersion", ["arn:aws:s3:::b/k"])]),
    ("s3", "ListObjectsV2", "GET", "/b?list-type=2&prefix=p%2F", {}, b"", [("s3:ListBucket", ["arn:aws:s3:::b"])]),
    ("s3", "HeadBucket", "HEAD", "/b", {}, b"", [("s3:ListBucket", ["arn:aws:s3:::b"])]),
    ("s3", "ListBuckets", "GET", "/", {}, b"", [("s3:ListAllMyBuckets", ["*"])]),
    ("s3", "DeleteBucketTagging", "DELETE", "/b?tagging", {}, b"", [("s3:PutBucketTagging", ["arn:aws:s3:::b"])]),
    ("s3", "GetObjectTagging", "GET", "/b/k?tagging", {}, b"", [("s3:GetObjectTagging", ["arn:aws:s3:::b/k"])]),
    ("s3", "PutObjectLegalHold", "PUT", "/b/k?legal-hold", {}, b"", [("s3:PutObjectLegalHold", ["arn:aws:s3:::b/k"])]),
    ("s3", "DeleteObjects", "POST", "/b?delete", {},
     b"<Delete><Object><Key>a</Key></Object><Object><Key>c/d</Key></Object></Delete>",
     [("s3:DeleteObject", ["arn:aws:s3:::b/a", "arn:aws:s3:::b/c/d"])]),
    ("s3", "GetObject", "GET", "/b/k", {}, b"", [("s3:GetObject", ["arn:aws-cn:s3:::b/k"])]),
    ("dynamodb", "Query", "POST", "/", {}, b'{"TableName": "t", "IndexName": "i"}',
     [("dynamodb:Query", [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t/index/i"])]),
    ("dynamodb", "BatchGetItem", "POST", "/", {}, b'{"RequestItems": {"t1": {}, "t2": {}}}',
     [("dynamodb:BatchGetItem", [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t1",
                                 f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t2"])]),
    ("logs", "PutLogEvents", "POST", "/", {}, b'{"logGroupName": "/app", "logStreamName": "s"}',
     [("logs:PutLogEvents", [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/app:log-stream:s"])]),
    ("logs", "DescribeLogStreams", "POST", "/", {}, b'{"logGroupName": "/app"}',
     [("logs:DescribeLogStreams", [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/app"])]),
    ("ssm", "GetParametersByPath", "POST", "/", {}, b'{"Path": "/app/"}',
     [("ssm:GetParametersByPath", [f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/"])]),
    ("ssm", "DescribeParameters", "POST", "/", {}, b"{}", [("ssm:DescribeParameters", ["*"])]),
    ("lambda", "Invoke", "POST", "/2015-03-31/functions/f/invocations", {}, b"", [("lambda:Invoke", ["*"])]),
])
def test_requested_access(service, operation, method, uri, headers, body, actions):
    region = "cn-north-1" if "aws-cn" in str(actions) else REGION
    checks = requested_access(service, operation, method, uri, {"Host": HOST, **headers}, body, region, ACCOUNT)
    assert [(c.action, c.resources) for c in checks] == actions


def test_list_bucket_carries_the_prefix_context_key(compute):
    compute.iam.put_role_policy(RoleName=ROLE, PolicyName="list-public", PolicyDocument=document(
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{ASSETS}",
         "Condition": {"StringLike": {"s3:prefix": "public/*"}}}))
    assert compute.s3_request("GET", ASSETS, query="list-type=2&prefix=public%2Fimg%2F") is None
    assert compute.s3_request("GET", ASSETS, query="list-type=2&prefix=private%2F")[0] == 403
    assert compute.s3_request("GET", ASSETS, query="list-type=2")[0] == 403  # no prefix: the key is absent


# -- the collection's grants, through the endpoint --------------------------------------------------------
# The policies here are generated by the collection's own policy builder (plugins/module_utils/grants.py), as
# the iam_compute_role role writes them; each environment's compute role reads its own parameter, secret and
# table, signed with its session's keys through the endpoint, as the compute's SDK would.
ENVIRONMENTS = ("dev", "prod")


@pytest.fixture(scope="session")
def grants_builder(tmp_path_factory):
    """plugins/module_utils/grants.py, imported as ansible_collections.amplify_hosting.ssr (a link to the repository
    in a directory of this run's own; amazon.aws comes from the venv's ansible package)."""
    import importlib
    import sys
    from pathlib import Path

    root = tmp_path_factory.mktemp("collections")
    (root / "ansible_collections" / "amplify_hosting").mkdir(parents=True)
    (root / "ansible_collections" / "amplify_hosting" / "ssr").symlink_to(Path(__file__).resolve().parents[2])
    sys.path.append(str(root))
    return importlib.import_module("ansible_collections.amplify_hosting.ssr.plugins.module_utils.grants")


@dataclass
class Environment:
    name: str
    parameter: str
    secret: str
    secret_arn: str
    table: str
    role_arn: str
    session: Session


@pytest.fixture
def environments(iam, make_client, endpoint_app, grants_builder) -> dict[str, Environment]:
    """dev and prod: each a parameter, a secret, a table (with an index) and a compute role whose inline policy
    is the collection's grants policy for them; a session of each role, issued by the endpoint."""
    ssm, secrets, dynamodb = make_client("ssm"), make_client("secretsmanager"), make_client("dynamodb")
    made = {}
    for name in ENVIRONMENTS:
        parameter, secret, table = f"/demo/{name}/config", f"demo/{name}/api-token", f"demo-items-{name}"
        ssm.put_parameter(Name=parameter, Value=f'{{"greeting": "hello {name}"}}', Type="String")
        ssm.put_parameter(Name=f"/demo/{name}/other", Value="other", Type="String")
        secret_arn = secrets.create_secret(Name=secret, SecretString=f"token-of-{name}")["ARN"]
        dynamodb.create_table(
            TableName=table, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                  {"AttributeName": "kind", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[{"IndexName": "by-kind", "Projection": {"ProjectionType": "ALL"},
                                     "KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"}]}])
        dynamodb.put_item(TableName=table, Item={"id": {"S": "1"}, "kind": {"S": "demo"}, "env": {"S": name}})
        role = f"compute-{name}"
        trust = trust_policy(AMPLIFY_PRINCIPAL)
        role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        policy = grants_builder.grants_policy([{"kind": "ssm_parameter", "name": parameter},
                                               {"kind": "secret", "name": secret},
                                               {"kind": "dynamodb_table", "table": table}], "aws", REGION, ACCOUNT)
        iam.put_role_policy(RoleName=role, PolicyName=grants_builder.grants_policy_name(role),
                            PolicyDocument=json.dumps(policy))
        session = endpoint_app.sessions.issue(role_arn, f"amplify-compute-{name}")
        made[name] = Environment(name, parameter, secret, secret_arn, table, role_arn, session)
    return made


@pytest.fixture
def session_client(endpoint):
    """A boto3 client signed with a compute session's credentials (what the compute's SDK holds)."""
    import boto3
    from botocore.config import Config

    def make(service: str, session: Session):
        return boto3.session.Session().client(
            service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id=session.access_key_id,
            aws_secret_access_key=session.secret_access_key, aws_session_token=session.session_token,
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))

    return make


def refused(call, **params) -> dict:
    """The error a refused call answers, as botocore reads it (code, message, HTTP status)."""
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as raised:
        call(**params)
    error = raised.value.response["Error"]
    return {"Code": error["Code"], "Message": error["Message"],
            "Status": raised.value.response["ResponseMetadata"]["HTTPStatusCode"]}


def session_denied(environment: Environment, action: str, resource: str) -> str:
    return (f"User: arn:aws:sts::{ACCOUNT}:assumed-role/compute-{environment.name}/amplify-compute-{environment.name}"
            f" is not authorized to perform: {action} on resource: {resource}"
            f" because no identity-based policy allows the {action} action")


def test_a_granted_parameter_is_read_and_another_environments_refused(environments, session_client):
    dev, prod = environments["dev"], environments["prod"]
    ssm = session_client("ssm", dev.session)
    assert ssm.get_parameter(Name=dev.parameter)["Parameter"]["Value"] == '{"greeting": "hello dev"}'
    assert [p["Name"] for p in ssm.get_parameters(Names=[dev.parameter])["Parameters"]] == [dev.parameter]
    arn = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/demo/prod/config"
    assert refused(ssm.get_parameter, Name=prod.parameter) == {
        "Code": "AccessDeniedException", "Status": 400,
        "Message": session_denied(dev, "ssm:GetParameter", arn)}
    # GetParameters needs every parameter it names.
    assert refused(ssm.get_parameters, Names=[dev.parameter, prod.parameter])["Message"] == session_denied(
        dev, "ssm:GetParameters", arn)
    # A parameter beside the granted one is not granted.
    assert refused(ssm.get_parameter, Name="/demo/dev/other")["Code"] == "AccessDeniedException"
    # The prod role reads its own.
    prod_ssm = session_client("ssm", prod.session)
    assert prod_ssm.get_parameter(Name=prod.parameter)["Parameter"]["Value"] == '{"greeting": "hello prod"}'


def test_get_parameters_by_path_is_authorized_against_the_path_asked_for(environments, session_client, iam,
                                                                         grants_builder):
    dev = environments["dev"]
    ssm = session_client("ssm", dev.session)
    path_arn = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/demo/dev"
    # Only the parameter's ARN is granted: its path is not.
    assert refused(ssm.get_parameters_by_path, Path="/demo/dev") == {
        "Code": "AccessDeniedException", "Status": 400,
        "Message": session_denied(dev, "ssm:GetParametersByPath", path_arn)}
    # A path grant: the path, and every parameter under it.
    policy = grants_builder.grants_policy([{"kind": "ssm_parameter", "path": "/demo/dev"}], "aws", REGION, ACCOUNT)
    iam.put_role_policy(RoleName="compute-dev", PolicyName="compute-dev-grants", PolicyDocument=json.dumps(policy))
    found = ssm.get_parameters_by_path(Path="/demo/dev")["Parameters"]
    assert sorted(p["Name"] for p in found) == ["/demo/dev/config", "/demo/dev/other"]
    assert ssm.get_parameter(Name="/demo/dev/other")["Parameter"]["Value"] == "other"
    # Not an ancestor path, not another environment's.
    assert refused(ssm.get_parameters_by_path, Path="/demo")["Message"] == session_denied(
        dev, "ssm:GetParametersByPath", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/demo")
    assert refused(ssm.get_parameters_by_path, Path="/demo/prod")["Code"] == "AccessDeniedException"


def test_a_granted_secret_is_read_through_its_suffix_and_another_environments_refused(environments, session_client,
                                                                                       make_client):
    dev, prod = environments["dev"], environments["prod"]
    secrets = session_client("secretsmanager", dev.session)
    # Secrets Manager's ARN ends in -<six characters>: the grant's -?????? matches exactly that.
    assert dev.secret_arn.startswith(f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{dev.secret}-")
    assert len(dev.secret_arn) == len(f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{dev.secret}-") + 6
    assert secrets.get_secret_value(SecretId=dev.secret)["SecretString"] == "token-of-dev"
    assert secrets.get_secret_value(SecretId=dev.secret_arn)["SecretString"] == "token-of-dev"
    assert secrets.describe_secret(SecretId=dev.secret)["ARN"] == dev.secret_arn
    assert refused(secrets.get_secret_value, SecretId=prod.secret) == {
        "Code": "AccessDeniedException", "Status": 400,
        "Message": session_denied(dev, "secretsmanager:GetSecretValue", prod.secret_arn)}
    assert refused(secrets.describe_secret, SecretId=prod.secret_arn)["Code"] == "AccessDeniedException"
    # A secret whose name only begins with the granted one has a longer ARN: -?????? does not match it.
    longer = make_client("secretsmanager").create_secret(Name=f"{dev.secret}-backup", SecretString="x")["ARN"]
    assert refused(secrets.get_secret_value, SecretId=f"{dev.secret}-backup")["Message"] == session_denied(
        dev, "secretsmanager:GetSecretValue", longer)
    # Nothing but reading: the grant has no PutSecretValue.
    assert refused(secrets.put_secret_value, SecretId=dev.secret, SecretString="y")["Code"] == "AccessDeniedException"


def test_a_granted_table_is_read_with_its_indexes_and_another_environments_refused(environments, session_client):
    dev, prod = environments["dev"], environments["prod"]
    dynamodb = session_client("dynamodb", dev.session)
    item = dynamodb.get_item(TableName=dev.table, Key={"id": {"S": "1"}})["Item"]
    assert item == {"id": {"S": "1"}, "kind": {"S": "demo"}, "env": {"S": "dev"}}
    by_kind = dynamodb.query(TableName=dev.table, IndexName="by-kind", KeyConditionExpression="kind = :k",
                             ExpressionAttributeValues={":k": {"S": "demo"}})
    assert [i["id"]["S"] for i in by_kind["Items"]] == ["1"]
    assert dynamodb.scan(TableName=dev.table)["Count"] == 1
    table_arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{prod.table}"
    assert refused(dynamodb.get_item, TableName=prod.table, Key={"id": {"S": "1"}}) == {
        "Code": "AccessDeniedException", "Status": 400,
        "Message": session_denied(dev, "dynamodb:GetItem", table_arn)}
    assert refused(dynamodb.query, TableName=prod.table, IndexName="by-kind", KeyConditionExpression="kind = :k",
                   ExpressionAttributeValues={":k": {"S": "demo"}})["Message"] == session_denied(
        dev, "dynamodb:Query", f"{table_arn}/index/by-kind")
    # read: no writes.
    assert refused(dynamodb.put_item, TableName=dev.table, Item={"id": {"S": "2"}})["Code"] == "AccessDeniedException"


def test_without_grants_a_role_reads_nothing(environments, session_client, iam):
    dev = environments["dev"]
    iam.delete_role_policy(RoleName="compute-dev", PolicyName="compute-dev-grants")
    assert refused(session_client("ssm", dev.session).get_parameter, Name=dev.parameter)["Code"] == (
        "AccessDeniedException")
    assert refused(session_client("secretsmanager", dev.session).get_secret_value,
                   SecretId=dev.secret)["Code"] == "AccessDeniedException"
    assert refused(session_client("dynamodb", dev.session).get_item, TableName=dev.table,
                   Key={"id": {"S": "1"}})["Code"] == "AccessDeniedException"


def test_the_control_api_hands_out_a_session_enforced_as_a_computes(environments, control, endpoint, iam):
    """POST /_local/compute/sessions: what a compute gets, for a server run outside the local compute."""
    import boto3

    dev = environments["dev"]
    response = control.call("POST", "/compute/sessions", json={"roleArn": dev.role_arn, "sessionName": "outside"})
    assert response.status_code == 200, response.text
    credentials = response.json()
    assert sorted(credentials) == ["AccessKeyId", "Expiration", "SecretAccessKey", "Token"]
    ssm = boto3.session.Session().client(
        "ssm", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"], aws_session_token=credentials["Token"])
    assert ssm.get_parameter(Name=dev.parameter)["Parameter"]["Name"] == dev.parameter
    assert refused(ssm.get_parameter, Name=environments["prod"].parameter)["Code"] == "AccessDeniedException"
    unknown = f"arn:aws:iam::{ACCOUNT}:role/no-such-role"
    assert control.call("POST", "/compute/sessions", json={"roleArn": unknown}).status_code == 400
    assert control.call("POST", "/compute/sessions", json=["not", "an", "object"]).status_code == 400


def test_a_customer_managed_key_needs_the_grants_kms_decrypt_through_the_service(environments, session_client,
                                                                                  make_client, iam, grants_builder):
    """SecureString parameters and secrets under a customer managed key: kms:Decrypt on the key, only via the
    service (the grant's kms_key); the AWS managed keys need nothing of the caller's."""
    dev = environments["dev"]
    key_arn = make_client("kms").create_key(Description="dev config")["KeyMetadata"]["Arn"]
    operator_ssm, operator_secrets = make_client("ssm"), make_client("secretsmanager")
    operator_ssm.put_parameter(Name="/demo/dev/secure", Value="s3cure", Type="SecureString", KeyId=key_arn)
    operator_ssm.put_parameter(Name="/demo/dev/default-key", Value="plain", Type="SecureString")
    secret_arn = operator_secrets.create_secret(Name="demo/dev/keyed", SecretString="k3yed", KmsKeyId=key_arn)["ARN"]
    base = [{"kind": "ssm_parameter", "name": "/demo/dev/secure"},
            {"kind": "ssm_parameter", "name": "/demo/dev/default-key"}, {"kind": "secret", "name": "demo/dev/keyed"}]

    def grant(grants):
        iam.put_role_policy(RoleName="compute-dev", PolicyName="compute-dev-grants", PolicyDocument=json.dumps(
            grants_builder.grants_policy(grants, "aws", REGION, ACCOUNT)))

    ssm, secrets = session_client("ssm", dev.session), session_client("secretsmanager", dev.session)
    grant(base)
    assert ssm.get_parameter(Name="/demo/dev/default-key", WithDecryption=True)["Parameter"]["Value"] == "plain"
    assert ssm.get_parameter(Name="/demo/dev/secure")["Parameter"]["Value"] != "s3cure"  # not decrypted: no KMS
    assert refused(ssm.get_parameter, Name="/demo/dev/secure", WithDecryption=True) == {
        "Code": "AccessDeniedException", "Status": 400, "Message": session_denied(dev, "kms:Decrypt", key_arn)}
    assert refused(ssm.get_parameters_by_path, Path="/demo/dev", WithDecryption=True)["Code"] == (
        "AccessDeniedException")  # the path is not granted either
    assert refused(secrets.get_secret_value, SecretId="demo/dev/keyed")["Message"] == session_denied(
        dev, "kms:Decrypt", key_arn)
    assert secrets.describe_secret(SecretId="demo/dev/keyed")["ARN"] == secret_arn  # no decryption
    grant([dict(g, kms_key=key_arn) if g["name"] != "/demo/dev/default-key" else g for g in base])
    assert ssm.get_parameter(Name="/demo/dev/secure", WithDecryption=True)["Parameter"]["Value"] == "s3cure"
    assert secrets.get_secret_value(SecretId="demo/dev/keyed")["SecretString"] == "k3yed"
    # Nothing on KMS itself: the grant's kms:Decrypt holds only through the services (kms:ViaService).
    kms = session_client("kms", dev.session)
    assert refused(kms.describe_key, KeyId=key_arn)["Code"] == "AccessDeniedException"
