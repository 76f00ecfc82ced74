# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import datetime
import json
from urllib.parse import quote

import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import amplify

ROLE = "arn:aws:iam::123456789012:role/amplify-compute-role"


def trust(effect="Allow", service="amplify.amazonaws.com", action="sts:AssumeRole"):
    return {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Principal": {"Service": service}, "Action": action}]}


class FakeNotFound(Exception):
    pass


class FakeClient:
    """Just enough of an Amplify client for find_app: get_app and a list_apps paginator."""

    class exceptions:  # noqa: N801 - mirrors boto3's attribute
        NotFoundException = FakeNotFound

    def __init__(self, apps):
        self.apps = apps
        self.calls = []

    def get_app(self, appId):  # noqa: N803 - boto3 keyword
        self.calls.append(("get_app", appId))
        for app in self.apps:
            if app["appId"] == appId:
                return {"app": app}
        raise FakeNotFound(appId)

    def get_paginator(self, operation):
        client = self

        class Pages:
            def __init__(self, **params):
                self.params = params

            def build_full_result(self):
                client.calls.append((operation, self.params))
                return {"apps": list(client.apps)}

        class Paginator:
            def paginate(self, **params):
                return Pages(**params)

        return Paginator()


@pytest.mark.parametrize(
    "document, expected",
    [
        (trust(), True),
        (json.dumps(trust()), True),
        (quote(json.dumps(trust())), True),
        (trust(service=["lambda.amazonaws.com", "amplify.amazonaws.com"]), True),
        (trust(action=["sts:TagSession", "sts:AssumeRole"]), True),
        (trust(service="lambda.amazonaws.com"), False),
        (trust(action="sts:AssumeRoleWithWebIdentity"), False),
        ({"Statement": trust()["Statement"] + trust(effect="Deny")["Statement"]}, False),
        ("not json", False),
        ({}, False),
    ],
)
def test_trust_allows_amplify(document, expected):
    assert amplify.trust_allows_amplify(document) is expected


@pytest.mark.parametrize(
    "arn, expected",
    [
        (ROLE, ("123456789012", "/", "amplify-compute-role")),
        ("arn:aws:iam::123456789012:role/service/ssr/dev-role", ("123456789012", "/service/ssr/", "dev-role")),
        ("arn:aws-cn:iam::123456789012:role/r", ("123456789012", "/", "r")),
        ("arn:aws:iam::12345:role/short-account", None),
        ("arn:aws:iam::123456789012:user/not-a-role", None),
        ("amplify-compute-role", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_role_arn(arn, expected):
    assert amplify.parse_role_arn(arn) == expected


def test_changed_params_ignores_none_and_reports_differences():
    current = {"name": "demo", "description": "old", "computeRoleArn": ROLE, "environmentVariables": {"A": "1"}}
    desired = {"name": "demo", "description": "new", "platform": None, "environmentVariables": {"A": "2"}}
    assert amplify.changed_params(desired, current) == {"description": "new", "environmentVariables": {"A": "2"}}


def test_changed_params_empty_string_clears_only_what_is_set():
    assert amplify.changed_params({"computeRoleArn": ""}, {"computeRoleArn": ROLE}) == {"computeRoleArn": ""}
    assert amplify.changed_params({"computeRoleArn": ""}, {}) == {}


def test_effective_compute_role_prefers_branch_override():
    app = {"computeRoleArn": ROLE}
    override = "arn:aws:iam::123456789012:role/dev"
    assert amplify.effective_compute_role(app, {"computeRoleArn": override}) == override
    assert amplify.effective_compute_role(app, {"branchName": "main"}) == ROLE
    assert amplify.effective_compute_role({}, {}) == ""


def test_to_snake_keeps_user_keys_and_drops_secrets():
    created = datetime.datetime(2026, 11, 24, tzinfo=datetime.timezone.utc)
    result = amplify.to_snake({
        "appId": "d123", "defaultDomain": "d123.amplifyapp.com", "createTime": created,
        "environmentVariables": {"BUCKET_NAME": "b"}, "tags": {"managed-by": "x"},
        "basicAuthCredentials": "dXNlcjpwYXNz",
    })
    assert result == {
        "app_id": "d123", "default_domain": "d123.amplifyapp.com", "create_time": "2026-11-24T00:00:00+00:00",
        "environment_variables": {"BUCKET_NAME": "b"}, "tags": {"managed-by": "x"},
    }


def test_find_app_by_id_reads_once_and_misses_cleanly():
    client = FakeClient([{"appId": "dabc", "name": "demo"}])
    assert amplify.find_app(client, app_id="dabc")["name"] == "demo"
    assert amplify.find_app(client, app_id="dzzz") is None
    assert client.calls == [("get_app", "dabc"), ("get_app", "dzzz")]


def test_find_app_rejects_malformed_id_without_a_call():
    client = FakeClient([])
    with pytest.raises(amplify.AmplifyError, match="not an Amplify app id"):
        amplify.find_app(client, app_id="My-App")
    assert client.calls == []


def test_find_app_by_name_is_unique_or_fails_listing_ids():
    client = FakeClient([{"appId": "d1", "name": "demo"}, {"appId": "d2", "name": "other"}, {"appId": "d3", "name": "demo"}])
    with pytest.raises(amplify.AmplifyError, match=r"matches 2 Amplify apps \(d1, d3\)"):
        amplify.find_app(client, name="demo")
    assert amplify.find_app(client, name="other")["appId"] == "d2"
    assert amplify.find_app(client, name="missing") is None


class FakeClientError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.response = {"Error": {"Code": code, "Message": message}}


def test_is_propagation_error():
    assert amplify.is_propagation_error(FakeClientError(
        "BadRequestException",
        "The compute role provided cannot be assumed by Amplify. Please verify the role exists and has the correct trust relationship"))
    assert not amplify.is_propagation_error(FakeClientError("BadRequestException", "1 validation error detected"))
    assert not amplify.is_propagation_error(FakeClientError("NotFoundException", "The compute role provided cannot be assumed by Amplify"))
