"""Unit tests, no server: the model-driven validator and router, the trust-policy reader, settings."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import pytest
from botocore.serialize import create_serializer

from local_aws import iam_bridge, iam_policy, service_model, wire
from local_aws.amplify.exceptions import BY_CODE
from local_aws.amplify.models import AmplifyBackend
from local_aws.amplify.responses import AmplifyResponses, error_response
from local_aws.settings import Settings

AMPLIFY = service_model.load("amplify")
S3 = service_model.load("s3")


def shape(name):
    return AMPLIFY.shape_for(name)


# -- service_model.validate ------------------------------------------------------------------------
@pytest.mark.parametrize("shape_name, value, problems", [
    ("CreateAppRequest", {"name": "site"}, []),
    ("CreateAppRequest", {"name": "site", "platform": "WEB_COMPUTE", "environmentVariables": {"A": "1"}, "tags": {"k": "café"}}, []),
    ("CreateAppRequest", {}, ["Value null at 'name' failed to satisfy constraint: Member must not be null"]),
    ("CreateAppRequest", {"name": "site", "platform": "BAD"},
     ["Value 'BAD' at 'platform' failed to satisfy constraint: Member must satisfy enum value set: [WEB, WEB_DYNAMIC, WEB_COMPUTE]"]),
    ("CreateAppRequest", {"name": ""}, [
        "Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?s).+"]),
    ("CreateAppRequest", {"name": 5}, ["Value '5' at 'name' failed to satisfy constraint: Member must be a string"]),
    ("CreateAppRequest", {"name": "s", "enableBasicAuth": "yes"},
     ["Value 'yes' at 'enableBasicAuth' failed to satisfy constraint: Member must be a boolean"]),
    ("CreateAppRequest", {"name": "s", "surprise": 1}, ["Unknown member 'surprise'"]),
    ("CreateAppRequest", {"name": "s", "environmentVariables": {"A": 1}},
     ["Value '1' at 'environmentVariables.A' failed to satisfy constraint: Member must be a string"]),
    ("CreateAppRequest", {"name": "s", "accessToken": ""}, [  # sensitive: the value is not repeated
        "Value *** at 'accessToken' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value *** at 'accessToken' failed to satisfy constraint: Member must satisfy regular expression pattern: (?s).+"]),
    ("CreateAppRequest", {"name": "s", "customRules": [{"source": "/a"}]},
     ["Value null at 'customRules.1.target' failed to satisfy constraint: Member must not be null"]),
    ("ListAppsRequest", {"maxResults": 101},
     ["Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"]),
    ("ListAppsRequest", {"maxResults": True}, ["Value 'true' at 'maxResults' failed to satisfy constraint: Member must be an integer"]),
    ("TagResourceRequest", {"resourceArn": "arn:aws:s3:::b", "tags": {"k": "v;"}}, [
        "Value 'arn:aws:s3:::b' at 'resourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:aws:amplify:.*",
        "Value 'v;' at 'tags.k' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$",
    ]),
])
def test_validate(shape_name, value, problems):
    assert service_model.validate(value, shape(shape_name)) == problems


def test_validation_error_wording():
    error = service_model.ValidationError(["a", "b"])
    assert str(error) == "2 validation errors detected: a; b"
    assert str(service_model.ValidationError(["a"])) == "1 validation error detected: a"


def test_validate_accepts_the_outputs_the_backend_builds():
    app = {"appId": "d1", "appArn": "arn", "name": "n", "description": "", "repository": "", "platform": "WEB",
           "createTime": 0, "updateTime": 0.5, "environmentVariables": {}, "defaultDomain": "d1.amplifyapp.com",
           "enableBranchAutoBuild": False, "enableBasicAuth": False}
    assert service_model.validate({"app": app}, shape("GetAppResult"), sensitive_mask=False) == []
    del app["defaultDomain"]
    assert service_model.validate({"app": app}, shape("GetAppResult")) == [
        "Value null at 'app.defaultDomain' failed to satisfy constraint: Member must not be null"]


# -- service_model.Router --------------------------------------------------------------------------
AMPLIFY_ROUTER = service_model.Router(AMPLIFY)
S3_ROUTER = service_model.Router(S3)


@pytest.mark.parametrize("method, uri, headers, operation, labels", [
    ("GET", "/apps", {}, "ListApps", {}),
    ("POST", "/apps", {}, "CreateApp", {}),
    ("GET", "/apps/d1", {}, "GetApp", {"appId": "d1"}),
    ("GET", "/apps/d1/branches/feature%2Fx", {}, "GetBranch", {"appId": "d1", "branchName": "feature/x"}),
    ("DELETE", "/apps/d1/branches/main/jobs/7/stop", {}, "StopJob", {"appId": "d1", "branchName": "main", "jobId": "7"}),
    ("GET", "/tags/" + quote("arn:aws:amplify:us-east-1:1:apps/d1", safe=""), {}, "ListTagsForResource",
     {"resourceArn": "arn:aws:amplify:us-east-1:1:apps/d1"}),
    ("PUT", "/bucket/dir/key.txt", {}, "PutObject", {"Bucket": "bucket", "Key": "dir/key.txt"}),
    ("PUT", "/bucket/key", {"x-amz-copy-source": "b/k"}, "CopyObject", {"Bucket": "bucket", "Key": "key"}),
    ("PUT", "/bucket/key?partNumber=1&uploadId=u", {}, "UploadPart", {"Bucket": "bucket", "Key": "key"}),
    ("DELETE", "/bucket/key", {}, "DeleteObject", {"Bucket": "bucket", "Key": "key"}),
    ("DELETE", "/bucket/key?uploadId=u", {}, "AbortMultipartUpload", {"Bucket": "bucket", "Key": "key"}),
    ("GET", "/bucket/key", {}, "GetObject", {"Bucket": "bucket", "Key": "key"}),
    ("GET", "/bucket?acl", {}, "GetBucketAcl", {"Bucket": "bucket"}),
    ("GET", "/bucket?lifecycle", {}, "GetBucketLifecycleConfiguration", {"Bucket": "bucket"}),
    ("GET", "/bucket?list-type=2", {}, "ListObjectsV2", {"Bucket": "bucket"}),
    ("GET", "/bucket/", {}, "ListObjects", {"Bucket": "bucket"}),
    ("PUT", "/bucket", {}, "CreateBucket", {"Bucket": "bucket"}),
])
def test_router_matches(method, uri, headers, operation, labels):
    router = AMPLIFY_ROUTER if not uri.startswith("/bucket") else S3_ROUTER
    path, query = service_model.split_raw_uri(uri)
    found = router.match(method, path, query, headers)
    assert (found.operation, found.labels) == (operation, labels)


@pytest.mark.parametrize("method, uri", [("PATCH", "/apps"), ("GET", "/nothing"), ("GET", "/apps/d1/extra/x")])
def test_router_refuses_what_amplify_does_not_serve(method, uri):
    path, query = service_model.split_raw_uri(uri)
    assert AMPLIFY_ROUTER.match(method, path, query) is None


def _minimal(shape):
    """The smallest input a shape accepts: required members only."""
    kind = shape.type_name
    if kind == "structure":
        return {name: _minimal(shape.members[name]) for name in shape.required_members}
    return {"list": lambda: [_minimal(shape.member)], "map": dict, "integer": lambda: 1, "long": lambda: 1,
            "boolean": lambda: True, "timestamp": lambda: 0, "blob": lambda: b"x", "double": lambda: 1.0,
            "float": lambda: 1.0}.get(kind, lambda: shape.enum[0] if shape.enum else "x")()


@pytest.mark.parametrize("model", [AMPLIFY, S3], ids=["amplify", "s3"])
def test_every_request_botocore_serializes_routes_back_to_its_operation(model):
    """Property: for each operation, botocore's own request is routed to that operation, or to one
    with the very same HTTP binding (S3 keeps deprecated twins such as GetBucketLifecycle)."""
    router = service_model.Router(model)
    serializer = create_serializer(model.metadata["protocol"], include_validation=False)
    for name in model.operation_names:
        operation = model.operation_model(name)
        request = serializer.serialize_to_request(_minimal(operation.input_shape) if operation.input_shape else {}, operation)
        query = urlencode(request["query_string"], doseq=True) if isinstance(request["query_string"], dict) else request["query_string"]
        raw = request["url_path"] + (("&" if "?" in request["url_path"] else "?") + query if query else "")
        path, parsed_query = service_model.split_raw_uri(raw)
        found = router.match(request["method"], path, parsed_query, request["headers"])
        assert found is not None, (name, raw)
        if found.operation != name:
            twin = model.operation_model(found.operation)
            assert twin.http == operation.http and (operation.deprecated or name == "ListDirectoryBuckets"), (name, found.operation)


# -- iam_policy.trust_allows (what decides a compute role's trust), without conditions ---------------------------------------------------------------
def _policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _statement(effect="Allow", service="amplify.amazonaws.com", action="sts:AssumeRole", principal=None):
    return {"Effect": effect, "Principal": principal if principal is not None else {"Service": service}, "Action": action}


@pytest.mark.parametrize("document, allowed", [
    pytest.param(_policy(_statement()), True, id="allow"),
    pytest.param(_policy(_statement(service="lambda.amazonaws.com")), False, id="other-service"),
    pytest.param(_policy(_statement(service=["lambda.amazonaws.com", "amplify.amazonaws.com"])), True, id="service-list"),
    pytest.param(_policy(_statement(action=["sts:TagSession", "sts:AssumeRole"])), True, id="action-list"),
    pytest.param(_policy(_statement(action="sts:*")), True, id="action-wildcard"),
    pytest.param(_policy(_statement(action="STS:ASSUMEROLE")), True, id="action-case"),
    pytest.param(_policy(_statement(action="sts:AssumeRoleWithWebIdentity")), False, id="other-action"),
    pytest.param(_policy(_statement(), _statement(effect="Deny")), False, id="deny-overrides"),
    pytest.param(_policy(_statement(effect="Deny"), _statement()), False, id="deny-first"),
    pytest.param(_policy(_statement(effect="Deny", service="lambda.amazonaws.com"), _statement()), True, id="deny-other"),
    pytest.param(_policy(_statement(principal="*")), True, id="any-principal"),
    pytest.param(_policy(_statement(principal={"AWS": "arn:aws:iam::123456789012:root"})), False, id="aws-principal"),
    pytest.param({"Statement": _statement()}, True, id="single-statement"),
    pytest.param(_policy(), False, id="no-statement"),
    pytest.param(json.dumps(_policy(_statement())), True, id="json"),
    pytest.param(quote(json.dumps(_policy(_statement()))), True, id="url-encoded"),
    pytest.param(quote(json.dumps(_policy(_statement(effect="Deny")))), False, id="url-encoded-deny"),
    pytest.param("not a policy", False, id="garbage"),
])
def test_trust_policy_allows(document, allowed):
    assert iam_policy.trust_allows(document, "amplify.amazonaws.com") is allowed


@pytest.mark.parametrize("arn, valid", [
    ("arn:aws:iam::123456789012:role/compute", True),
    ("arn:aws:iam::123456789012:role/service-role/compute", True),
    ("arn:aws-cn:iam::123456789012:role/compute", True),
    ("arn:aws:iam::123456789012:user/compute", False),
    ("arn:aws:iam::12345:role/compute", False),
    ("not-an-arn", False),
])
def test_role_arn_pattern(arn, valid):
    assert bool(iam_bridge.ROLE_ARN.match(arn)) is valid


# -- wire, settings --------------------------------------------------------------------------------
@pytest.mark.parametrize("operation, read", [
    ("GetApp", True), ("ListApps", True), ("DescribeLogGroups", True), ("HeadObject", True), ("GetCallerIdentity", True),
    ("CreateApp", False), ("UpdateApp", False), ("DeleteApp", False), ("PutObject", False), ("TagResource", False),
    # DynamoDB's reads: a scan, a query and a batch read write nothing; a batch write does.
    ("Scan", True), ("Query", True), ("BatchGetItem", True), ("BatchWriteItem", False), ("PutItem", False),
])
def test_is_read(operation, read):
    assert wire.is_read(operation) is read


@pytest.mark.parametrize("service, method, uri, headers, body, operation", [
    ("logs", "POST", "/", {"X-Amz-Target": "Logs_20140328.CreateLogGroup"}, b"{}", "CreateLogGroup"),
    ("iam", "POST", "/", {"Content-Type": "application/x-www-form-urlencoded"}, b"Action=GetRole&RoleName=r", "GetRole"),
    ("sts", "GET", "/?Action=GetCallerIdentity", {}, b"", "GetCallerIdentity"),
    ("s3", "PUT", "/b/k", {}, b"x", "PutObject"),
])
def test_operation_of(service, method, uri, headers, body, operation):
    assert wire.operation_of(service, method, uri, headers, body) == operation


def test_settings_update_refuses_unknown_names_and_bad_rates():
    settings = Settings()
    with pytest.raises(ValueError, match="unknown settings: nope"):
        settings.update({"nope": 1})
    with pytest.raises(ValueError, match="between 0 and 1"):
        settings.update({"faults": [{"rate": 1.5}]})
    settings.update({"faults": [{"service": "s3", "injected": 9}], "apps_per_region": 3})
    assert (settings.faults[0].service, settings.faults[0].injected, settings.apps_per_region) == ("s3", 0, 3)


# -- amplify.responses -----------------------------------------------------------------------------
class _CrashingBackend:
    def list_apps(self, *_):
        raise RuntimeError("boom")


def test_a_crash_is_answered_as_amplify_internal_failure(capsys):
    operation, status, headers, body = AmplifyResponses(Settings()).dispatch(_CrashingBackend(), "GET", "/apps", {}, b"")
    assert (operation, status, headers["x-amzn-ErrorType"]) == ("ListApps", 500, "InternalFailureException")
    assert json.loads(body) == {"message": "Internal error: RuntimeError('boom')"}
    assert "RuntimeError: boom" in capsys.readouterr().err


@pytest.mark.parametrize("strict, code, status", [(True, "BadRequestException", 400), (False, "NotFoundException", 404)])
def test_errors_an_operation_does_not_model_are_mapped_when_strict(strict, code, status):
    settings = Settings(strict_responses=strict)
    backend = AmplifyBackend("123456789012", "us-east-1", settings)
    _, got_status, headers, body = AmplifyResponses(settings).dispatch(backend, "GET", "/apps/dnope/branches", {}, b"")
    assert (got_status, headers["x-amzn-ErrorType"], json.loads(body)["message"]) == (status, code, "App dnope not found.")


def test_error_bodies_carry_every_member_the_error_shape_requires():
    for cls in BY_CODE.values():
        _, _, body = error_response(cls("m"))
        shape = AMPLIFY.shape_for(cls.code)
        assert set(shape.required_members) <= set(json.loads(body)), cls.code
        assert service_model.validate(json.loads(body), shape) == []
