"""The model checker can fail: doctored responses are caught, while the endpoint's own pass.

Responses are doctored on the wire: a before-send hook makes the real request, edits the answer
and hands botocore the edited one, so the checker sees exactly what a misbehaving server would send.
"""

from __future__ import annotations

import json

import botocore.session
import pytest
import requests
from botocore.awsrequest import AWSResponse
from helpers import ERROR_STATUS, UNKNOWN_APP
from model_check import ModelChecker, ModelViolation, error_problems

MODEL = botocore.session.get_session().get_service_model("amplify")


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **_):
        yield self.data


def _on_the_wire(doctor):
    """A before-send hook: send the request for real, pass the answer through `doctor(status, headers, body)`."""

    def hook(request, **_):
        real = requests.request(request.method, request.url, headers=dict(request.headers), data=request.body, timeout=10)
        status, headers, body = doctor(real.status_code, dict(real.headers), json.loads(real.content))
        payload = json.dumps(body).encode()
        headers["Content-Length"] = str(len(payload))
        return AWSResponse(request.url, status, headers, _Body(payload))

    return hook


def _edit_app(edit):
    def doctor(status, headers, body):
        edit(body["app"])
        return status, headers, body

    return doctor


def _edit_error(code=None, status=None, body=None):
    def doctor(real_status, headers, real_body):
        if code:
            headers["x-amzn-ErrorType"] = code
        return status or real_status, headers, real_body if body is None else body

    return doctor


@pytest.fixture
def doctored(make_client):
    """An Amplify client whose responses `doctor` rewrites; it reports to a checker of its own."""

    def make(doctor):
        checker = ModelChecker()
        client = make_client("amplify", model_checker=checker)
        client.meta.events.register("before-send.amplify", _on_the_wire(doctor))
        return client, checker

    return make


@pytest.mark.parametrize("edit, complaint", [
    pytest.param(lambda app: app.pop("name"), 'Missing required parameter in app: "name"', id="missing-required"),
    pytest.param(lambda app: app.update(platform="BAD"), "GetAppResult.app.platform: 'BAD' is not one of", id="bad-enum"),
    pytest.param(lambda app: app.update(enableBasicAuth="yes"), "Invalid type for parameter app.enableBasicAuth", id="wrong-type"),
    pytest.param(lambda app: app["environmentVariables"].update(N=1), "Invalid type for parameter app.environmentVariables.N", id="wrong-type-in-map"),
    pytest.param(lambda app: app.update(accessToken="secret"), 'Unknown parameter in app: "accessToken"', id="unknown-member"),
])
def test_checker_rejects_a_doctored_output(doctored, make_app, edit, complaint):
    app_id = make_app()["appId"]
    client, checker = doctored(_edit_app(edit))
    with pytest.raises(ModelViolation, match="GetApp") as info:
        client.get_app(appId=app_id)
    assert complaint in str(info.value)
    assert checker.violations == [str(info.value)]


@pytest.mark.parametrize("doctor, complaint", [
    pytest.param(_edit_error(code="ResourceNotFoundException"), "ResourceNotFoundException is not an error of GetApp", id="unmodeled-code"),
    pytest.param(_edit_error(status=400), "NotFoundException answered with status 400, the model says 404", id="wrong-status"),
    pytest.param(_edit_error(body={"message": 5}), "Invalid type for parameter message", id="bad-body"),
])
def test_checker_rejects_a_doctored_error(doctored, doctor, complaint):
    client, checker = doctored(doctor)
    with pytest.raises(ModelViolation) as info:
        client.get_app(appId=UNKNOWN_APP)
    assert complaint in str(info.value)
    assert len(checker.violations) == 1


def test_checker_passes_the_same_calls_undoctored(doctored, make_app):
    app_id = make_app()["appId"]
    client, checker = doctored(lambda status, headers, body: (status, headers, body))
    client.get_app(appId=app_id)
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_app(appId=UNKNOWN_APP)
    assert [(c.operation, c.status, c.code) for c in checker.checked] == [
        ("GetApp", 200, None), ("GetApp", 404, "NotFoundException")]
    assert checker.violations == []


@pytest.mark.parametrize("status, code, body, complaint", [
    (404, None, b'{"message": "x"}', "without an x-amzn-ErrorType header"),
    (404, "NotFoundException", b"<html>", "error body is not JSON"),
])
def test_error_problems_without_a_code_or_json(status, code, body, complaint):
    problems = error_problems(MODEL.operation_model("GetApp"), status, code, body)
    assert any(complaint in p for p in problems), problems


def test_error_statuses_used_by_the_tests_are_the_models():
    for code, status in ERROR_STATUS.items():
        assert MODEL.shape_for(code).metadata["error"]["httpStatusCode"] == status, code
