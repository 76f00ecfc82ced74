# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import datetime
import json

import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import results
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.module_utils.fakes import APP_ARN
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.module_utils.fakes import FakeClient
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.module_utils.fakes import FakeModule
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.module_utils.fakes import ROLE


def test_changed_params_ignores_none_and_reports_differences():
    current = {"name": "demo", "description": "old", "computeRoleArn": ROLE, "environmentVariables": {"A": "1"}}
    desired = {"name": "demo", "description": "new", "platform": None, "environmentVariables": {"A": "2"}}
    assert results.changed_params(desired, current) == {"description": "new", "environmentVariables": {"A": "2"}}


def test_changed_params_empty_string_clears_only_what_is_set():
    assert results.changed_params({"computeRoleArn": ""}, {"computeRoleArn": ROLE}) == {"computeRoleArn": ""}
    assert results.changed_params({"computeRoleArn": ""}, {}) == {}


def test_changed_params_ignores_trailing_whitespace_of_build_spec():
    current = {"buildSpec": "version: 1\nfrontend: {}\n"}
    assert results.changed_params({"buildSpec": "version: 1\nfrontend: {}"}, current) == {}
    assert results.changed_params({"buildSpec": "version: 1\nfrontend: {}\n\n  "}, current) == {}
    assert results.changed_params({"buildSpec": "version: 2\nfrontend: {}\n"}, current) == {"buildSpec": "version: 2\nfrontend: {}\n"}
    # Leading whitespace is content.
    assert results.changed_params({"buildSpec": "  version: 1\nfrontend: {}"}, current) == {"buildSpec": "  version: 1\nfrontend: {}"}


def test_changed_params_compares_environment_variables_as_strings():
    current = {"environmentVariables": {"RETRIES": "3", "DEBUG": "True"}}
    assert results.changed_params({"environmentVariables": {"RETRIES": 3, "DEBUG": True}}, current) == {}
    assert results.changed_params({"environmentVariables": {"RETRIES": 4, "DEBUG": True}}, current) == {
        "environmentVariables": {"RETRIES": 4, "DEBUG": True}}
    # The map replaces the app's variables: a missing or extra name is a change, {} clears them.
    assert results.changed_params({"environmentVariables": {"RETRIES": "3"}}, current) == {"environmentVariables": {"RETRIES": "3"}}
    assert results.changed_params({"environmentVariables": {}}, current) == {"environmentVariables": {}}
    assert results.changed_params({"environmentVariables": {}}, {"environmentVariables": {}}) == {}


def test_changed_params_ignores_the_order_of_auto_branch_creation_patterns():
    current = {"autoBranchCreationPatterns": ["feature/*", "release/*"]}
    assert results.changed_params({"autoBranchCreationPatterns": ["release/*", "feature/*"]}, current) == {}
    assert results.changed_params({"autoBranchCreationPatterns": ["release/*"]}, current) == {"autoBranchCreationPatterns": ["release/*"]}
    assert results.changed_params({"autoBranchCreationPatterns": ["feature/*"]}, {}) == {"autoBranchCreationPatterns": ["feature/*"]}


def test_changed_params_strips_unset_members_of_custom_rules_but_keeps_their_order():
    current = {"customRules": [{"source": "/a", "target": "/b", "status": "301", "condition": ""}, {"source": "/<*>", "target": "/index.html"}]}
    same = [{"source": "/a", "target": "/b", "status": "301", "condition": None}, {"source": "/<*>", "target": "/index.html", "status": None}]
    assert results.changed_params({"customRules": same}, current) == {}
    reordered = list(reversed(same))
    assert results.changed_params({"customRules": reordered}, current) == {"customRules": reordered}
    other_status = [dict(same[0], status="302"), same[1]]
    assert results.changed_params({"customRules": other_status}, current) == {"customRules": other_status}


def test_api_params_maps_the_options_that_are_set():
    mapping = {"name": "name", "compute_role_arn": "computeRoleArn", "enable_branch_auto_build": "enableBranchAutoBuild",
               "environment_variables": "environmentVariables", "description": "description"}
    params = {"name": "demo", "compute_role_arn": None, "enable_branch_auto_build": False, "environment_variables": {},
              "description": "", "tags": {"not": "mapped"}}
    assert results.api_params(params, mapping) == {
        "name": "demo", "enableBranchAutoBuild": False, "environmentVariables": {}, "description": ""}
    assert results.api_params({}, mapping) == {}


def test_managed_diff_names_options_and_shows_before_and_after():
    mapping = {"description": "description", "compute_role_arn": "computeRoleArn"}
    current = {"description": "old", "computeRoleArn": ROLE, "name": "demo"}
    diff = results.managed_diff(current, {"description": "new", "computeRoleArn": ""}, mapping)
    assert diff == {"before": {"description": "old", "compute_role_arn": ROLE}, "after": {"description": "new", "compute_role_arn": ""}}
    # A member the mapping does not know keeps its API name; extras (tags) are added on each side.
    diff = results.managed_diff(current, {"stage": "PRODUCTION"}, mapping, {"tags": {"a": "1"}}, {"tags": {}})
    assert diff == {"before": {"stage": None, "tags": {"a": "1"}}, "after": {"stage": "PRODUCTION", "tags": {}}}
    # Nothing there yet (creation): every before value is None.
    assert results.managed_diff(None, {"description": "new"}, mapping) == {"before": {"description": None}, "after": {"description": "new"}}
    assert results.managed_diff(current, {}, mapping) == {"before": {}, "after": {}}


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
    changed, tags_after = results.ensure_tags(client, FakeModule(check_mode), APP_ARN, current, tags, purge)
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
    changed, tags_after = results.ensure_tags(client, FakeModule(check_mode), APP_ARN, current, tags, purge)
    assert changed is False
    assert tags_after == (current or {})
    assert client.calls == []


def test_to_snake_keeps_user_keys_and_drops_secrets():
    created = datetime.datetime(2026, 11, 24, tzinfo=datetime.timezone.utc)
    result = results.to_snake({
        "appId": "d123", "defaultDomain": "d123.amplifyapp.com", "createTime": created,
        "environmentVariables": {"BUCKET_NAME": "b"}, "tags": {"managed-by": "x"},
        "basicAuthCredentials": "dXNlcjpwYXNz",
    })
    assert result == {
        "app_id": "d123", "default_domain": "d123.amplifyapp.com", "create_time": "2026-11-24T00:00:00+00:00",
        "environment_variables": {"BUCKET_NAME": "b"}, "tags": {"managed-by": "x"},
    }


def test_to_snake_drops_secrets_at_any_depth_and_keeps_nested_variable_names():
    result = results.to_snake({
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
