# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import amplify
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.module_utils.fakes import FakeClient
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.module_utils.fakes import client_error


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
