"""Fault injection (/_local/config faults): Amplify errors for every operation, moto throttling, limits."""

from __future__ import annotations

import botocore.session
import pytest
from botocore import xform_name
from helpers import AMPLIFY_OPERATIONS, ERROR_STATUS, UNKNOWN_APP, assert_error, error_of

MODEL = botocore.session.get_session().get_service_model("amplify")
ARN = f"arn:aws:amplify:us-east-1:123456789012:apps/{UNKNOWN_APP}"

# Valid input for each operation: a fault is answered before the request reaches the backend.
CALLS = {
    "CreateApp": {"name": "x"},
    "GetApp": {"appId": UNKNOWN_APP},
    "UpdateApp": {"appId": UNKNOWN_APP},
    "DeleteApp": {"appId": UNKNOWN_APP},
    "ListApps": {},
    "CreateBranch": {"appId": UNKNOWN_APP, "branchName": "main"},
    "GetBranch": {"appId": UNKNOWN_APP, "branchName": "main"},
    "UpdateBranch": {"appId": UNKNOWN_APP, "branchName": "main"},
    "DeleteBranch": {"appId": UNKNOWN_APP, "branchName": "main"},
    "ListBranches": {"appId": UNKNOWN_APP},
    "StartJob": {"appId": UNKNOWN_APP, "branchName": "main", "jobType": "RELEASE"},
    "GetJob": {"appId": UNKNOWN_APP, "branchName": "main", "jobId": "1"},
    "ListJobs": {"appId": UNKNOWN_APP, "branchName": "main"},
    "StopJob": {"appId": UNKNOWN_APP, "branchName": "main", "jobId": "1"},
    "TagResource": {"resourceArn": ARN, "tags": {"a": "b"}},
    "UntagResource": {"resourceArn": ARN, "tagKeys": ["a"]},
    "ListTagsForResource": {"resourceArn": ARN},
}

MODELED_ERRORS = [
    pytest.param(operation, shape.name, id=f"{operation}-{shape.name}")
    for operation in AMPLIFY_OPERATIONS
    for shape in MODEL.operation_model(operation).error_shapes
]


def call(client, operation: str, **overrides):
    return getattr(client, xform_name(operation))(**{**CALLS[operation], **overrides})


def fault(control, **spec) -> None:
    control.configure(faults=[spec])


def test_every_operation_has_a_call():
    assert sorted(CALLS) == sorted(AMPLIFY_OPERATIONS)


@pytest.mark.parametrize("operation, code", MODELED_ERRORS)
def test_every_modeled_error_of_every_operation_can_be_injected(amplify, control, operation, code):
    fault(control, service="amplify", operation=operation, error=code)
    assert_error(error_of(call, amplify, operation), code, f"Injected fault: {code}")
    [logged] = control.requests()["requests"]
    assert (logged["service"], logged["operation"], logged["status"], logged["injected"]) == (
        "amplify", operation, ERROR_STATUS[code], True)


@pytest.mark.parametrize("alias, operation, code", [
    ("throttle", "CreateApp", "LimitExceededException"),
    ("500", "GetApp", "InternalFailureException"),
    ("503", "DeleteApp", "DependentServiceFailureException"),
])
def test_fault_aliases(amplify, control, alias, operation, code):
    fault(control, service="amplify", operation=operation, error=alias)
    assert_error(error_of(call, amplify, operation), code)


def test_fault_matches_only_its_operation_and_service(amplify, iam, control):
    fault(control, service="amplify", operation="CreateApp", error="UnauthorizedException")
    assert_error(error_of(amplify.create_app, name="x"), "UnauthorizedException")
    assert amplify.list_apps()["apps"] == []
    iam.list_roles()


def test_wildcard_operation(amplify, control):
    fault(control, service="amplify", operation="*", error="500")
    for operation in ("ListApps", "CreateApp", "GetApp"):
        assert_error(error_of(call, amplify, operation), "InternalFailureException")


def test_count_limits_injections(amplify, control):
    fault(control, service="amplify", operation="ListApps", error="InternalFailureException", count=2)
    for _ in range(2):
        assert_error(error_of(amplify.list_apps), "InternalFailureException")
    assert amplify.list_apps()["apps"] == []
    assert control.config()["faults"][0]["injected"] == 2
    assert [e["injected"] for e in control.requests()["requests"]] == [True, True, False]


def test_rate_zero_never_injects(amplify, control):
    fault(control, service="amplify", error="500", rate=0)
    for _ in range(5):
        amplify.list_apps()


def test_seeded_rate_is_reproducible(amplify, control):
    def pattern():
        control.reset()
        control.configure(seed=7, faults=[{"service": "amplify", "operation": "ListApps", "error": "500", "rate": 0.5}])
        outcomes = []
        for _ in range(24):
            try:
                amplify.list_apps()
                outcomes.append(True)
            except amplify.exceptions.InternalFailureException:
                outcomes.append(False)
        return outcomes

    first = pattern()
    assert 0 < first.count(False) < len(first)
    assert pattern() == first


@pytest.mark.parametrize("client_name, method, kwargs, error, code, status", [
    ("iam", "list_roles", {}, "throttle", "Throttling", 400),
    ("sts", "get_caller_identity", {}, "throttle", "Throttling", 400),
    ("s3", "list_buckets", {}, "throttle", "SlowDown", 503),
    ("logs", "describe_log_groups", {}, "throttle", "ThrottlingException", 400),
    ("iam", "get_role", {"RoleName": "r"}, "500", "InternalFailure", 500),
    ("s3", "list_buckets", {}, "503", "ServiceUnavailable", 503),
    ("logs", "describe_log_groups", {}, "AccessDeniedException", "AccessDeniedException", 400),
])
def test_faults_for_moto_services(request, control, client_name, method, kwargs, error, code, status):
    client = request.getfixturevalue(client_name)
    service = client.meta.service_model.signing_name
    fault(control, service=service, error=error, count=1)
    assert_error(error_of(getattr(client, method), **kwargs), code, status=status)
    # count=1: the next call is served by moto again.
    if method == "get_role":
        assert_error(error_of(client.get_role, **kwargs), "NoSuchEntity", status=404)
    else:
        getattr(client, method)(**kwargs)
    assert [e["injected"] for e in control.requests()["requests"]] == [True, False]


def test_fault_settings_are_validated(control):
    response = control.call("POST", "/config", json={"faults": [{"service": "amplify", "rate": 2}]})
    assert response.status_code == 400
    assert control.config()["faults"] == []
