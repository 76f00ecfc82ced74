# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The app module's compute_role_arn takes the one compute-role path (compute_roles) the branch and compute_role
modules take: parsed once, the role checked (exists, trusts Amplify) before any write, CreateApp included, and the
write retried while IAM propagates the role."""

import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.modules import app as app_module
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import LAMBDA_TRUST
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import OTHER_ROLE
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import ROLE
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import Iam
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import Module
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import RefusesNewRoles
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import client_error
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import iam_role
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.module_utils.fakes import list_apps_paginator

APP_ID = "dabc123"
APP_ARN = "arn:aws:amplify:us-east-1:123456789012:apps/%s" % APP_ID


@pytest.fixture
def clock(backoff_clock):
    return backoff_clock


class Amplify(RefusesNewRoles):
    """Apps by id; CreateApp and UpdateApp refuse a compute role `refusals` times (IAM propagation)."""

    def __init__(self, app=None, refusals=0):
        self.apps = {app["appId"]: app} if app else {}
        self.refusals = refusals
        self.calls = []

    def get_paginator(self, operation):
        assert operation == "list_apps"
        return list_apps_paginator(self._list_apps)

    def _list_apps(self):
        self.calls.append("ListApps")
        return [dict(app) for app in self.apps.values()]

    def get_app(self, appId):  # noqa: N803 - boto3 keyword
        self.calls.append("GetApp")
        if appId not in self.apps:
            raise client_error("NotFoundException", "App %s not found." % appId, "GetApp")
        return {"app": dict(self.apps[appId])}

    def create_app(self, **params):
        self.calls.append("CreateApp")
        self.refuse_role("CreateApp", params)
        app = dict(params, appId=APP_ID, appArn=APP_ARN)
        self.apps[APP_ID] = app
        return {"app": dict(app)}

    def update_app(self, appId, **params):  # noqa: N803 - boto3 keyword
        self.calls.append("UpdateApp")
        self.refuse_role("UpdateApp", params)
        self.apps[appId].update(params)
        return {"app": dict(self.apps[appId])}


def module(iam, check_mode=False, **params):
    defaults = dict(state="present", app_id=None, name="site", wait_timeout=120, purge_tags=True)
    return Module(iam, check_mode, **dict(defaults, **params))


def existing(compute_role_arn=None):
    app = {"appId": APP_ID, "appArn": APP_ARN, "name": "site", "platform": "WEB_COMPUTE"}
    if compute_role_arn:
        app["computeRoleArn"] = compute_role_arn
    return app


@pytest.mark.parametrize("value", [ROLE, "site-compute"])
def test_a_new_app_gets_the_checked_role_in_its_create_call(value):
    client, iam = Amplify(), Iam(iam_role())
    result = app_module.ensure_present(client, module(iam, compute_role_arn=value))
    assert client.calls == ["ListApps", "CreateApp"] and iam.calls == ["site-compute"]
    assert client.apps[APP_ID]["computeRoleArn"] == ROLE and result["app"]["compute_role_arn"] == ROLE


@pytest.mark.parametrize("role, message", [
    (None, "^compute_role_arn: IAM role 'site-compute' does not exist in this account$"),
    (iam_role(trust=LAMBDA_TRUST), "^compute_role_arn: the trust policy of IAM role .* does not let amplify.amazonaws.com"),
    (iam_role(arn="arn:aws:iam::123456789012:role/site-compute"), r"^compute_role_arn: .* \(another path or account\)$"),
])
def test_a_role_that_cannot_be_used_fails_before_create_app_leaving_no_app(role, message):
    client, iam = Amplify(), Iam(*([role] if role else []))
    with pytest.raises(AmplifyError, match=message):
        app_module.ensure_present(client, module(iam, compute_role_arn=ROLE if role else "site-compute"))
    assert client.calls == ["ListApps"] and client.apps == {}


def test_a_role_in_another_partition_says_so():
    iam = Iam(iam_role())
    with pytest.raises(AmplifyError, match="^compute_role_arn: .* is a role in partition aws-cn, and these credentials are in partition aws"):
        app_module.ensure_present(Amplify(), module(iam, compute_role_arn="arn:aws-cn:iam::123456789012:role/amplify/site-compute"))


@pytest.mark.parametrize("value", ["arn:aws:iam::123456789012:user/someone", "has spaces", "x" * 65])
def test_a_malformed_role_fails_without_a_call(value):
    client, iam = Amplify(), Iam(iam_role())
    with pytest.raises(AmplifyError, match="^compute_role_arn: "):
        app_module.ensure_present(client, module(iam, compute_role_arn=value))
    assert client.calls == [] and iam.calls == []


def test_create_app_is_retried_while_iam_propagates_the_role_and_makes_one_app(clock):
    client = Amplify(refusals=3)
    app_module.ensure_present(client, module(Iam(iam_role()), compute_role_arn=ROLE))
    assert client.calls == ["ListApps"] + ["CreateApp"] * 4 and len(client.apps) == 1 and len(clock.pauses) == 3


def test_an_update_gives_up_at_wait_timeout_naming_the_option_and_changes_nothing(clock):
    client = Amplify(existing(OTHER_ROLE), refusals=1000)
    with pytest.raises(AmplifyError) as raised:
        app_module.ensure_present(client, module(Iam(iam_role()), app_id=APP_ID, name=None, compute_role_arn=ROLE, wait_timeout=20))
    assert raised.value.message.startswith("compute_role_arn: Amplify still cannot assume IAM role %s for app %s" % (ROLE, APP_ID))
    assert client.apps[APP_ID]["computeRoleArn"] == OTHER_ROLE and sum(clock.pauses) == pytest.approx(20)


def test_the_same_role_by_name_costs_no_iam_read_and_no_write():
    client, iam = Amplify(existing(ROLE)), Iam(iam_role())
    result = app_module.ensure_present(client, module(iam, app_id=APP_ID, name=None, compute_role_arn="site-compute"))
    assert result["changed"] is False and iam.calls == [] and client.calls == ["GetApp"]


def test_check_mode_plans_a_role_not_made_yet_with_a_warning_and_writes_nothing():
    client, iam = Amplify(existing()), Iam()
    mod = module(iam, check_mode=True, app_id=APP_ID, name=None, compute_role_arn="new-compute")
    result = app_module.ensure_present(client, mod)
    assert result["changed"] is True and result["app"]["compute_role_arn"] == "arn:aws:iam::123456789012:role/new-compute"
    assert client.calls == ["GetApp"] and "does not exist (yet)" in mod.warnings[0]


def test_clearing_the_role_reads_no_role_and_is_not_retried(clock):
    client, iam = Amplify(existing(ROLE), refusals=5), Iam()
    result = app_module.ensure_present(client, module(iam, app_id=APP_ID, name=None, compute_role_arn=""))
    assert result["changed"] is True and iam.calls == [] and client.calls == ["GetApp", "UpdateApp"]
    assert result["diff"] == {"before": {"compute_role_arn": ROLE}, "after": {"compute_role_arn": ""}}
