# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import datetime
import json
from urllib.parse import quote

import botocore.exceptions
import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import amplify

ROLE = "arn:aws:iam::123456789012:role/amplify-compute-role"


def trust(effect="Allow", service="amplify.amazonaws.com", action="sts:AssumeRole"):
    return {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Principal": {"Service": service}, "Action": action}]}


def client_error(code, message="", operation="GetApp"):
    """A botocore ClientError as the Amplify client raises it."""
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": message}}, operation)


class FakeClient:
    """Just enough of an Amplify client: get_app, a list_apps paginator, tag_resource and untag_resource."""

    def __init__(self, apps, get_error=None):
        self.apps = apps
        self.get_error = get_error
        self.calls = []

    def get_app(self, appId):  # noqa: N803 - boto3 keyword
        self.calls.append(("get_app", appId))
        if self.get_error:
            raise self.get_error
        for app in self.apps:
            if app["appId"] == appId:
                return {"app": app}
        raise client_error("NotFoundException", "App %s not found." % appId)

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

    def get_branch(self, appId, branchName):  # noqa: N803 - boto3 keywords
        self.calls.append(("get_branch", appId, branchName))
        for app in self.apps:
            if app["appId"] == appId and branchName in app.get("_branches", ()):
                return {"branch": {"branchName": branchName}}
        raise client_error("NotFoundException", "Branch %s not found." % branchName, "GetBranch")

    def tag_resource(self, resourceArn, tags):  # noqa: N803 - boto3 keyword
        self.calls.append(("tag_resource", resourceArn, tags))

    def untag_resource(self, resourceArn, tagKeys):  # noqa: N803 - boto3 keyword
        self.calls.append(("untag_resource", resourceArn, sorted(tagKeys)))


class FakeModule:
    def __init__(self, check_mode):
        self.check_mode = check_mode


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


def test_changed_params_ignores_trailing_whitespace_of_build_spec():
    current = {"buildSpec": "version: 1\nfrontend: {}\n"}
    assert amplify.changed_params({"buildSpec": "version: 1\nfrontend: {}"}, current) == {}
    assert amplify.changed_params({"buildSpec": "version: 1\nfrontend: {}\n\n  "}, current) == {}
    assert amplify.changed_params({"buildSpec": "version: 2\nfrontend: {}\n"}, current) == {"buildSpec": "version: 2\nfrontend: {}\n"}
    # Leading whitespace is content.
    assert amplify.changed_params({"buildSpec": "  version: 1\nfrontend: {}"}, current) == {"buildSpec": "  version: 1\nfrontend: {}"}


def test_changed_params_compares_environment_variables_as_strings():
    current = {"environmentVariables": {"RETRIES": "3", "DEBUG": "True"}}
    assert amplify.changed_params({"environmentVariables": {"RETRIES": 3, "DEBUG": True}}, current) == {}
    assert amplify.changed_params({"environmentVariables": {"RETRIES": 4, "DEBUG": True}}, current) == {
        "environmentVariables": {"RETRIES": 4, "DEBUG": True}}
    # The map replaces the app's variables: a missing or extra name is a change, {} clears them.
    assert amplify.changed_params({"environmentVariables": {"RETRIES": "3"}}, current) == {"environmentVariables": {"RETRIES": "3"}}
    assert amplify.changed_params({"environmentVariables": {}}, current) == {"environmentVariables": {}}
    assert amplify.changed_params({"environmentVariables": {}}, {"environmentVariables": {}}) == {}


def test_changed_params_ignores_the_order_of_auto_branch_creation_patterns():
    current = {"autoBranchCreationPatterns": ["feature/*", "release/*"]}
    assert amplify.changed_params({"autoBranchCreationPatterns": ["release/*", "feature/*"]}, current) == {}
    assert amplify.changed_params({"autoBranchCreationPatterns": ["release/*"]}, current) == {"autoBranchCreationPatterns": ["release/*"]}
    assert amplify.changed_params({"autoBranchCreationPatterns": ["feature/*"]}, {}) == {"autoBranchCreationPatterns": ["feature/*"]}


def test_changed_params_strips_unset_members_of_custom_rules_but_keeps_their_order():
    current = {"customRules": [{"source": "/a", "target": "/b", "status": "301", "condition": ""}, {"source": "/<*>", "target": "/index.html"}]}
    same = [{"source": "/a", "target": "/b", "status": "301", "condition": None}, {"source": "/<*>", "target": "/index.html", "status": None}]
    assert amplify.changed_params({"customRules": same}, current) == {}
    reordered = list(reversed(same))
    assert amplify.changed_params({"customRules": reordered}, current) == {"customRules": reordered}
    other_status = [dict(same[0], status="302"), same[1]]
    assert amplify.changed_params({"customRules": other_status}, current) == {"customRules": other_status}


def test_api_params_maps_the_options_that_are_set():
    mapping = {"name": "name", "compute_role_arn": "computeRoleArn", "enable_branch_auto_build": "enableBranchAutoBuild",
               "environment_variables": "environmentVariables", "description": "description"}
    params = {"name": "demo", "compute_role_arn": None, "enable_branch_auto_build": False, "environment_variables": {},
              "description": "", "tags": {"not": "mapped"}}
    assert amplify.api_params(params, mapping) == {
        "name": "demo", "enableBranchAutoBuild": False, "environmentVariables": {}, "description": ""}
    assert amplify.api_params({}, mapping) == {}


def test_managed_diff_names_options_and_shows_before_and_after():
    mapping = {"description": "description", "compute_role_arn": "computeRoleArn"}
    current = {"description": "old", "computeRoleArn": ROLE, "name": "demo"}
    diff = amplify.managed_diff(current, {"description": "new", "computeRoleArn": ""}, mapping)
    assert diff == {"before": {"description": "old", "compute_role_arn": ROLE}, "after": {"description": "new", "compute_role_arn": ""}}
    # A member the mapping does not know keeps its API name; extras (tags) are added on each side.
    diff = amplify.managed_diff(current, {"stage": "PRODUCTION"}, mapping, {"tags": {"a": "1"}}, {"tags": {}})
    assert diff == {"before": {"stage": None, "tags": {"a": "1"}}, "after": {"stage": "PRODUCTION", "tags": {}}}
    # Nothing there yet (creation): every before value is None.
    assert amplify.managed_diff(None, {"description": "new"}, mapping) == {"before": {"description": None}, "after": {"description": "new"}}
    assert amplify.managed_diff(current, {}, mapping) == {"before": {}, "after": {}}


def test_check_role_arn_accepts_roles_and_names_the_option_otherwise():
    amplify.check_role_arn(ROLE, "compute_role_arn")
    amplify.check_role_arn(None, "compute_role_arn")
    amplify.check_role_arn("", "compute_role_arn", allow_empty=True)
    with pytest.raises(amplify.AmplifyError) as raised:
        amplify.check_role_arn("", "compute_role_arn")
    assert raised.value.message.startswith("compute_role_arn: '' is not an IAM role ARN")
    with pytest.raises(amplify.AmplifyError) as raised:
        amplify.check_role_arn("arn:aws:iam::123456789012:user/someone", "iam_service_role_arn", allow_empty=True)
    assert raised.value.message.startswith("iam_service_role_arn: 'arn:aws:iam::123456789012:user/someone' is not an IAM role ARN")
    assert raised.value.exception is None


@pytest.mark.parametrize("platform", ["WEB_COMPUTE", "WEB_DYNAMIC"])
def test_check_compute_platform_accepts_ssr_platforms(platform):
    amplify.check_compute_platform(platform)


def test_check_compute_platform_names_the_option_and_the_platform():
    with pytest.raises(amplify.AmplifyError) as raised:
        amplify.check_compute_platform("WEB")
    assert raised.value.message.startswith("compute_role_arn: compute roles are only for server-side rendered apps")
    assert raised.value.message.endswith("the platform is WEB")
    with pytest.raises(amplify.AmplifyError, match=r"^platform: .* the platform is WEB$"):
        amplify.check_compute_platform("WEB", "platform")
    with pytest.raises(amplify.AmplifyError, match=r"the platform is None$"):
        amplify.check_compute_platform(None)


APP_ARN = "arn:aws:amplify:us-east-1:123456789012:apps/dabc"


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize(
    "current, tags, purge, to_unset, to_set, after",
    [
        ({"a": "1", "b": "2"}, {"a": "1", "c": "3"}, True, ["b"], {"c": "3"}, {"a": "1", "c": "3"}),
        ({"a": "1", "b": "2"}, {"a": "1", "c": "3"}, False, [], {"c": "3"}, {"a": "1", "b": "2", "c": "3"}),
        ({"a": "1", "b": "2"}, {"a": "changed"}, False, [], {"a": "changed"}, {"a": "changed", "b": "2"}),
        ({"a": "1", "b": "2"}, {}, True, ["a", "b"], {}, {}),
        (None, {"a": "1"}, True, [], {"a": "1"}, {"a": "1"}),
    ],
)
def test_ensure_tags_sets_and_unsets_what_differs(check_mode, current, tags, purge, to_unset, to_set, after):
    client = FakeClient([])
    changed, tags_after = amplify.ensure_tags(client, FakeModule(check_mode), APP_ARN, current, tags, purge)
    assert changed is True
    assert tags_after == after
    expected = []
    if to_unset:
        expected.append(("untag_resource", APP_ARN, to_unset))
    if to_set:
        expected.append(("tag_resource", APP_ARN, to_set))
    assert client.calls == ([] if check_mode else expected)


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize(
    "current, tags, purge",
    [
        ({"a": "1", "b": "2"}, None, True),
        ({"a": "1", "b": "2"}, {"b": "2", "a": "1"}, True),
        ({"a": "1", "b": "2"}, {"a": "1"}, False),
        ({"a": "1"}, {}, False),
        (None, {}, True),
    ],
)
def test_ensure_tags_leaves_tags_that_are_as_wanted(check_mode, current, tags, purge):
    client = FakeClient([])
    changed, tags_after = amplify.ensure_tags(client, FakeModule(check_mode), APP_ARN, current, tags, purge)
    assert changed is False
    assert tags_after == (current or {})
    assert client.calls == []


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


def test_is_propagation_error():
    assert amplify.is_propagation_error(client_error(
        "BadRequestException",
        "The compute role provided cannot be assumed by Amplify. Please verify the role exists and has the correct trust relationship",
        "CreateBranch"))
    assert not amplify.is_propagation_error(client_error("BadRequestException", "1 validation error detected"))
    assert not amplify.is_propagation_error(client_error("NotFoundException", "The compute role provided cannot be assumed by Amplify"))
    assert not amplify.is_propagation_error(ValueError("no response"))


def test_get_app_reports_other_errors_as_amplify_errors():
    denied = client_error("AccessDeniedException", "not allowed")
    client = FakeClient([], get_error=denied)
    with pytest.raises(amplify.AmplifyError) as raised:
        amplify.find_app(client, app_id="dabc")
    assert raised.value.message == "Failed to get app"
    assert raised.value.exception is denied


def test_resolve_app_by_id_reads_the_app_once():
    client = FakeClient([{"appId": "d1a2b3c4d5e6f7", "name": "Demo-App"}])
    assert amplify.resolve_app(client, "d1a2b3c4d5e6f7")["name"] == "Demo-App"
    assert client.calls == [("get_app", "d1a2b3c4d5e6f7")]


def test_resolve_app_falls_back_to_the_name_when_no_app_has_that_id():
    # "demo" looks like an app id (d followed by lowercase letters) but is the name of an app.
    client = FakeClient([{"appId": "d1a2b3c4d5e6f7", "name": "demo"}])
    assert amplify.resolve_app(client, "demo")["appId"] == "d1a2b3c4d5e6f7"
    assert client.calls == [("get_app", "demo"), ("list_apps", {})]


def test_resolve_app_names_the_option_when_the_name_is_ambiguous_or_unknown():
    client = FakeClient([{"appId": "d1", "name": "Shop"}, {"appId": "d2", "name": "Shop"}])
    with pytest.raises(amplify.AmplifyError) as raised:
        amplify.resolve_app(client, "Shop", option="app")
    assert raised.value.message == "app: name 'Shop' matches 2 Amplify apps (d1, d2); give the id of the one to use as app"
    with pytest.raises(amplify.AmplifyError, match=r"^source_app: no Amplify app has the id or name 'dnothere'"):
        amplify.resolve_app(client, "dnothere", option="source_app")


def test_locate_branch_by_app_id_is_one_read():
    client = FakeClient([{"appId": "d1a2b3c4d5e6f7", "name": "shop", "_branches": ["main"]}])
    app_id, app, branch = amplify.locate_branch(client, "d1a2b3c4d5e6f7", "main")
    assert (app_id, app, branch) == ("d1a2b3c4d5e6f7", None, {"branchName": "main"})
    assert client.calls == [("get_branch", "d1a2b3c4d5e6f7", "main")]


def test_locate_branch_reads_the_app_when_the_branch_is_missing():
    client = FakeClient([{"appId": "d1a2b3c4d5e6f7", "name": "shop", "_branches": []}])
    app_id, app, branch = amplify.locate_branch(client, "d1a2b3c4d5e6f7", "main")
    assert (app_id, app["name"], branch) == ("d1a2b3c4d5e6f7", "shop", None)
    assert client.calls == [("get_branch", "d1a2b3c4d5e6f7", "main"), ("get_app", "d1a2b3c4d5e6f7")]


def test_locate_branch_takes_an_id_shaped_name_as_a_name_when_no_app_has_that_id():
    # "demo" looks like an app id but is the name of an app: GetBranch/GetApp miss, the name is listed.
    client = FakeClient([{"appId": "d1a2b3c4d5e6f7", "name": "demo", "_branches": ["main"]}])
    app_id, app, branch = amplify.locate_branch(client, "demo", "main")
    assert (app_id, app["name"], branch) == ("d1a2b3c4d5e6f7", "demo", {"branchName": "main"})
    assert client.calls == [
        ("get_branch", "demo", "main"), ("get_app", "demo"), ("list_apps", {}), ("get_branch", "d1a2b3c4d5e6f7", "main")]


def test_locate_branch_without_an_app_and_with_an_ambiguous_name():
    client = FakeClient([{"appId": "d1", "name": "Shop"}, {"appId": "d2", "name": "Shop"}])
    assert amplify.locate_branch(client, "Nothing", "main") == (None, None, None)
    with pytest.raises(amplify.AmplifyError, match=r"^app: name 'Shop' matches 2 Amplify apps \(d1, d2\)"):
        amplify.locate_branch(client, "Shop", "main")


def test_to_snake_drops_secrets_at_any_depth_and_keeps_nested_variable_names():
    result = amplify.to_snake({
        "appId": "d1",
        "basicAuthCredentials": "dXNlcjpwYXNz",
        "autoBranchCreationConfig": {
            "basicAuthCredentials": "dXNlcjpwYXNz", "enableBasicAuth": True,
            "environmentVariables": {"API_URL": "https://example.com"},
        },
    })
    assert result == {
        "app_id": "d1",
        "auto_branch_creation_config": {"enable_basic_auth": True, "environment_variables": {"API_URL": "https://example.com"}},
    }
    assert "dXNlcjpwYXNz" not in json.dumps(result)


def test_a_conditional_deny_is_left_to_iam():
    conditional = {"Effect": "Deny", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:AssumeRole",
                   "Condition": {"StringNotEquals": {"aws:SourceAccount": "123456789012"}}}
    assert amplify.trust_allows_amplify({"Statement": trust()["Statement"] + [conditional]}) is True
    unconditional = dict(conditional)
    del unconditional["Condition"]
    assert amplify.trust_allows_amplify({"Statement": trust()["Statement"] + [unconditional]}) is False


def test_is_propagation_error_does_not_depend_on_letter_case():
    assert amplify.is_propagation_error(client_error("BadRequestException", "The compute role CANNOT BE ASSUMED by Amplify", "UpdateApp"))
