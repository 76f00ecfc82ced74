"""Fault injection (/_local/config faults): Amplify errors for every operation, moto throttling, limits."""

from __future__ import annotations

import boto3
import botocore.session
import pytest
from botocore import xform_name
from botocore.config import Config
from helpers import ACCESS_KEY, AMPLIFY_OPERATIONS, ERROR_STATUS, REGION, SECRET_KEY, UNKNOWN_APP, assert_error, error_of

from local_aws import wire

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
    ("sts", "get_caller_identity", {}, "500", "InternalFailure", 500),
    ("s3", "list_buckets", {}, "500", "InternalError", 500),
    ("logs", "describe_log_groups", {}, "500", "InternalFailure", 500),
    ("iam", "list_roles", {}, "503", "ServiceUnavailable", 503),
    ("sts", "get_caller_identity", {}, "503", "ServiceUnavailable", 503),
    ("s3", "list_buckets", {}, "503", "ServiceUnavailable", 503),
    # Logs models a shape of its own for it.
    ("logs", "describe_log_groups", {}, "503", "ServiceUnavailableException", 503),
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


@pytest.mark.parametrize("service, error", [(s, e) for s in ("iam", "sts", "s3", "logs", "amplify") for e in ("throttle", "500", "503")])
def test_the_aliases_name_what_botocore_models_say(service, error):
    """throttle/500/503 answer a code each service's model (or AWS's common errors) uses, with its status."""
    status, code = wire.fault_code(service, error) if service != "amplify" else (
        ERROR_STATUS[wire.AMPLIFY_ERRORS[error]], wire.AMPLIFY_ERRORS[error])
    modeled = wire.modeled_errors(service)
    if code in modeled and modeled[code] is not None:
        assert modeled[code] == status
    if error == "throttle":
        assert status in (400, 429, 503)
    else:
        assert status == int(error)


SMALL_CALLS = {
    "iam": ("list_roles", {}),
    "sts": ("get_caller_identity", {}),
    "s3": ("list_buckets", {}),
    "logs": ("describe_log_groups", {}),
    "amplify": ("list_apps", {}),
}


def unchecked_client(endpoint, service, **retries):
    """A client without the model checker: for answers outside Amplify's model, which a front end may give."""
    return boto3.session.Session().client(
        service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        config=Config(retries=dict({"total_max_attempts": 1, "mode": "standard"}, **retries)))


@pytest.mark.parametrize("mode", ["standard", "legacy"])
@pytest.mark.parametrize("service", sorted(SMALL_CALLS))
@pytest.mark.parametrize("error", ["throttle", "500", "503"])
def test_botocore_retries_every_injected_fault(endpoint, control, mode, service, error):
    """Each fault answer is one botocore's retry policies recognise: with two attempts, the call succeeds."""
    client = unchecked_client(endpoint, service, total_max_attempts=2, mode=mode)
    method, kwargs = SMALL_CALLS[service]
    signing_name = client.meta.service_model.signing_name
    fault(control, service=signing_name, error=error, count=1)
    response = getattr(client, method)(**kwargs)
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert [(e["injected"], e["served_status"] is None) for e in control.requests()["requests"]] == [(True, True), (False, False)]


@pytest.mark.parametrize("code, status", [("TooManyRequestsException", 429), ("ThrottlingException", 400), ("AccessDeniedException", 400)])
def test_amplify_answers_unmodeled_codes_by_name(endpoint, control, code, status):
    """Codes outside Amplify's model (what a front end may answer) are answered as named, never as another code."""
    amplify = unchecked_client(endpoint, "amplify")
    fault(control, service="amplify", operation="ListApps", error=code)
    assert_error(error_of(amplify.list_apps), code, f"Injected fault: {code}", status=status)


def test_a_fault_after_serving_loses_the_response_of_a_call_that_took_effect(amplify, iam, control):
    control.configure(faults=[{"service": "amplify", "operation": "CreateApp", "error": "500", "phase": "after", "count": 1},
                              {"service": "iam", "operation": "CreateRole", "error": "503", "phase": "after", "count": 1}])
    assert_error(error_of(amplify.create_app, name="lost"), "InternalFailureException")
    assert [app["name"] for app in amplify.list_apps()["apps"]] == ["lost"]
    assert_error(error_of(iam.create_role, RoleName="lost", AssumeRolePolicyDocument="{}"), "ServiceUnavailable", status=503)
    assert iam.get_role(RoleName="lost")["Role"]["RoleName"] == "lost"
    logged = [(e["operation"], e["status"], e["injected"], e["served_status"]) for e in control.requests()["requests"]]
    assert logged == [("CreateApp", 500, True, 200), ("ListApps", 200, False, 200),
                      ("CreateRole", 503, True, 200), ("GetRole", 200, False, 200)]


def test_a_fault_before_serving_changes_nothing(amplify, control):
    fault(control, service="amplify", operation="CreateApp", error="503", count=1)
    assert_error(error_of(amplify.create_app, name="never"), "DependentServiceFailureException")
    assert amplify.list_apps()["apps"] == []
    assert control.requests()["requests"][0]["served_status"] is None


def test_seeded_faults_do_not_depend_on_how_requests_interleave(amplify, iam, control):
    """With a seed, the nth ListApps meets the same fault whatever other requests came in between."""
    def outcomes(order):
        control.reset()
        control.configure(seed=11, faults=[{"error": "500", "rate": 0.5}])
        seen = {"amplify": [], "iam": []}
        for service in order:
            try:
                amplify.list_apps() if service == "amplify" else iam.list_roles()
                seen[service].append(True)
            except (amplify.exceptions.InternalFailureException, iam.exceptions.ClientError):
                seen[service].append(False)
        return seen

    interleaved = outcomes(["amplify", "iam"] * 12)
    grouped = outcomes(["iam"] * 12 + ["amplify"] * 12)
    assert interleaved == grouped
    assert 0 < interleaved["amplify"].count(False) < 12 and 0 < interleaved["iam"].count(False) < 12


@pytest.mark.parametrize("spec", [{"phase": "during"}, {"error": ""}, {"error": 500}, {"service": None}])
def test_bad_fault_specs_are_refused(control, spec):
    response = control.call("POST", "/config", json={"faults": [spec]})
    assert response.status_code == 400, response.text
    assert control.config()["faults"] == []


def test_the_cli_sets_shows_and_clears_faults(endpoint, control, iam, capsys):
    from local_aws import cli

    port = endpoint.rsplit(":", 1)[1]
    assert cli.main(["faults", "--port", port, "--seed", "5", "--propagation-delay", "2", "iam:ListRoles:throttle:1:1"]) == 0
    assert control.config()["faults"] == [{"service": "iam", "operation": "ListRoles", "error": "throttle", "rate": 1.0,
                                           "count": 1, "phase": "before", "injected": 0}]
    assert (control.config()["seed"], control.config()["propagation_delay"]) == (5, 2.0)
    assert_error(error_of(iam.list_roles), "Throttling", status=400)
    capsys.readouterr()
    assert cli.main(["faults", "--port", port]) == 0
    assert "iam:ListRoles -> throttle (rate 1, at most 1, before serving): injected 1x" in capsys.readouterr().out
    # A bad spec or a value the endpoint refuses changes nothing.
    assert cli.main(["faults", "--port", port, "iam:ListRoles"]) == 2
    assert cli.main(["faults", "--port", port, "s3:*:500:0.5::during"]) == 2
    assert "fault phase must be one of before, after" in capsys.readouterr().err
    assert len(control.config()["faults"]) == 1
    assert cli.main(["faults", "--port", port, "--clear"]) == 0
    assert control.config()["faults"] == []
