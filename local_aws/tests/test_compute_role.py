"""computeRoleArn: checked against IAM (moto) as Amplify checks it; cleared with ""; per branch."""

from __future__ import annotations


import pytest
from helpers import AMPLIFY_PRINCIPAL, COMPUTE_ROLE_NOT_ASSUMABLE, assert_error, error_of, trust_policy

# Compute roles are for the SSR platform (test_static_apps_refuse_a_compute_role: not for WEB).
SSR = "WEB_COMPUTE"

# Where a compute role can be set. Each returns (the write's answer, the resource as Get* reads it).
TARGETS = {
    "create-app": lambda c, arn: _and_get_app(c, c.amplify.create_app(name="site", platform=SSR, computeRoleArn=arn)["app"]),
    "update-app": lambda c, arn: _and_get_app(c, c.amplify.update_app(appId=c.app_id, computeRoleArn=arn)["app"]),
    "create-branch": lambda c, arn: _and_get_branch(
        c, c.amplify.create_branch(appId=c.app_id, branchName="dev", computeRoleArn=arn)["branch"]),
    "update-branch": lambda c, arn: _and_get_branch(
        c, c.amplify.update_branch(appId=c.app_id, branchName="main", computeRoleArn=arn)["branch"]),
}


def _and_get_app(c, app):
    return app, c.amplify.get_app(appId=app["appId"])["app"]


def _and_get_branch(c, branch):
    return branch, c.amplify.get_branch(appId=c.app_id, branchName=branch["branchName"])["branch"]


class Ctx:
    def __init__(self, amplify, make_app, make_branch):
        self.amplify = amplify
        self.app_id = make_app("existing", platform=SSR)["appId"]
        make_branch(self.app_id, "main")

    def snapshot(self):
        """Every app and branch as Get*/List* report them."""
        apps = self.amplify.list_apps()["apps"]
        return apps, [self.amplify.list_branches(appId=a["appId"])["branches"] for a in apps]


@pytest.fixture
def ctx(amplify, make_app, make_branch):
    return Ctx(amplify, make_app, make_branch)


@pytest.fixture(params=sorted(TARGETS))
def target(request):
    return TARGETS[request.param]


@pytest.mark.parametrize("path", ["/", "/service-role/"])
def test_role_trusting_amplify_is_accepted(ctx, target, iam, path):
    arn = iam.create_role(RoleName="compute", Path=path, AssumeRolePolicyDocument=trust_policy(AMPLIFY_PRINCIPAL))["Role"]["Arn"]
    written, read = target(ctx, arn)
    assert written["computeRoleArn"] == read["computeRoleArn"] == arn


def test_role_trusting_several_services_including_amplify_is_accepted(ctx, target, make_role):
    arn = make_role("compute", "lambda.amazonaws.com", AMPLIFY_PRINCIPAL)
    assert target(ctx, arn)[1]["computeRoleArn"] == arn


@pytest.fixture(params=["missing-role", "trusts-lambda-only", "amplify-denied", "no-assume-role"])
def unassumable_role(request, make_role, sts):
    account = sts.get_caller_identity()["Account"]
    if request.param == "missing-role":
        return f"arn:aws:iam::{account}:role/does-not-exist"
    if request.param == "trusts-lambda-only":
        return make_role("lambda-only", "lambda.amazonaws.com")
    if request.param == "amplify-denied":
        return make_role("denied", policy=trust_policy(AMPLIFY_PRINCIPAL, effect="Deny"))
    return make_role("tag-only", policy=trust_policy(AMPLIFY_PRINCIPAL, action="sts:TagSession"))


def test_role_amplify_cannot_assume_is_refused_and_nothing_changes(ctx, target, unassumable_role):
    before = ctx.snapshot()
    assert_error(error_of(target, ctx, unassumable_role), "BadRequestException", COMPUTE_ROLE_NOT_ASSUMABLE)
    assert ctx.snapshot() == before


def test_empty_string_clears_the_role_on_app_and_branch(amplify, make_app, make_branch, make_role):
    arn = make_role()
    app = make_app(platform=SSR, computeRoleArn=arn)
    make_branch(app["appId"], "main", computeRoleArn=arn)
    assert amplify.update_app(appId=app["appId"], computeRoleArn="")["app"].get("computeRoleArn") is None
    assert amplify.update_branch(appId=app["appId"], branchName="main", computeRoleArn="")["branch"].get("computeRoleArn") is None
    assert "computeRoleArn" not in amplify.get_app(appId=app["appId"])["app"]
    assert "computeRoleArn" not in amplify.get_branch(appId=app["appId"], branchName="main")["branch"]
    assert "computeRoleArn" not in amplify.list_apps()["apps"][0]


def test_branch_role_overrides_and_is_stored_apart_from_the_app_role(amplify, make_app, make_branch, make_role, control):
    app_role, branch_role = make_role("app-role"), make_role("branch-role")
    app_id = make_app(platform=SSR, computeRoleArn=app_role)["appId"]
    make_branch(app_id, "main", computeRoleArn=branch_role)
    make_branch(app_id, "dev")
    assert amplify.get_app(appId=app_id)["app"]["computeRoleArn"] == app_role
    assert amplify.get_branch(appId=app_id, branchName="main")["branch"]["computeRoleArn"] == branch_role
    assert "computeRoleArn" not in amplify.get_branch(appId=app_id, branchName="dev")["branch"]
    # Clearing the branch's role leaves the app's, and the other way round.
    amplify.update_branch(appId=app_id, branchName="main", computeRoleArn="")
    assert amplify.get_app(appId=app_id)["app"]["computeRoleArn"] == app_role
    amplify.update_branch(appId=app_id, branchName="main", computeRoleArn=branch_role)
    amplify.update_app(appId=app_id, computeRoleArn="")
    assert amplify.get_branch(appId=app_id, branchName="main")["branch"]["computeRoleArn"] == branch_role
    [app] = control.state()["amplify"][0]["apps"]
    assert (app["computeRoleArn"], [b["computeRoleArn"] for b in app["branches"]]) == ("", [branch_role, ""])


def test_updating_other_members_keeps_the_role(amplify, make_app, make_role):
    arn = make_role()
    app_id = make_app(platform=SSR, computeRoleArn=arn)["appId"]
    assert amplify.update_app(appId=app_id, description="x")["app"]["computeRoleArn"] == arn


def test_a_new_role_is_refused_while_younger_than_the_propagation_delay(amplify, control, make_role):
    # The time-based mode (demo, bench). No race: the delay is far longer than the test, then lifted.
    control.configure(propagation_delay=3600)
    arn = make_role()
    assert_error(error_of(amplify.create_app, name="site", platform=SSR, computeRoleArn=arn), "BadRequestException", COMPUTE_ROLE_NOT_ASSUMABLE)
    assert amplify.list_apps()["apps"] == []
    control.configure(propagation_delay=0)
    assert amplify.create_app(name="site", platform=SSR, computeRoleArn=arn)["app"]["computeRoleArn"] == arn


def test_a_new_role_is_refused_the_first_n_times_then_stays_accepted(amplify, control, make_role, make_app):
    # The count-based mode (tests): deterministic whatever the machine's load.
    accepted_before = make_role("accepted-before")
    app_id = make_app(platform=SSR, computeRoleArn=accepted_before)["appId"]
    control.configure(propagation_refusals=2)
    fresh = make_role("fresh")
    for _ in range(2):
        assert_error(error_of(amplify.update_app, appId=app_id, computeRoleArn=fresh), "BadRequestException", COMPUTE_ROLE_NOT_ASSUMABLE)
    assert amplify.get_app(appId=app_id)["app"]["computeRoleArn"] == accepted_before
    assert amplify.update_app(appId=app_id, computeRoleArn=fresh)["app"]["computeRoleArn"] == fresh
    # Accepted once, accepted for good; and a role Amplify accepted before the setting is not refused.
    assert amplify.update_app(appId=app_id, computeRoleArn=fresh)["app"]["computeRoleArn"] == fresh
    assert amplify.update_app(appId=app_id, computeRoleArn=accepted_before)["app"]["computeRoleArn"] == accepted_before


COMPUTE_ROLE_PLATFORM_WEB = (
    "A compute role can only be set for apps with platform WEB_COMPUTE or WEB_DYNAMIC; the app's platform is WEB."
)


@pytest.fixture
def static_ctx(amplify, make_app, make_branch):
    """A static (WEB) app with a branch, as Ctx is for an SSR app."""
    ctx = Ctx.__new__(Ctx)
    ctx.amplify = amplify
    ctx.app_id = make_app("static", platform="WEB")["appId"]
    make_branch(ctx.app_id, "main")
    return ctx


# Where a compute role can be asked for on a static app (CreateApp without platform makes a WEB app).
STATIC_TARGETS = {
    "create-app": lambda c, arn: c.amplify.create_app(name="static-too", computeRoleArn=arn),
    "create-app-web": lambda c, arn: c.amplify.create_app(name="static-too", platform="WEB", computeRoleArn=arn),
    "update-app": lambda c, arn: c.amplify.update_app(appId=c.app_id, computeRoleArn=arn),
    "create-branch": lambda c, arn: c.amplify.create_branch(appId=c.app_id, branchName="dev", computeRoleArn=arn),
    "update-branch": lambda c, arn: c.amplify.update_branch(appId=c.app_id, branchName="main", computeRoleArn=arn),
}


@pytest.mark.parametrize("where", sorted(STATIC_TARGETS))
def test_static_apps_refuse_a_compute_role_and_nothing_changes(static_ctx, make_role, where):
    # As Amplify does: a compute role is for SSR compute, which a WEB (static) app does not have.
    arn = make_role()
    before = static_ctx.snapshot()
    assert_error(error_of(STATIC_TARGETS[where], static_ctx, arn), "BadRequestException", COMPUTE_ROLE_PLATFORM_WEB)
    assert static_ctx.snapshot() == before


def test_a_static_app_may_clear_what_it_does_not_have_and_a_malformed_arn_is_named_first(static_ctx, amplify):
    assert "computeRoleArn" not in amplify.update_app(appId=static_ctx.app_id, computeRoleArn="")["app"]
    assert "computeRoleArn" not in amplify.update_branch(appId=static_ctx.app_id, branchName="main", computeRoleArn="")["branch"]
    assert_error(error_of(amplify.create_branch, appId=static_ctx.app_id, branchName="x", computeRoleArn="not-an-arn"),
                 "BadRequestException", "Invalid computeRoleArn: not-an-arn is not a valid IAM role ARN.")


def test_an_ssr_app_with_a_role_cannot_become_static_keeping_it(amplify, make_app, make_role):
    arn = make_role()
    app_id = make_app("ssr", platform="WEB_DYNAMIC", computeRoleArn=arn)["appId"]
    assert_error(error_of(amplify.update_app, appId=app_id, platform="WEB"), "BadRequestException", COMPUTE_ROLE_PLATFORM_WEB)
    assert amplify.get_app(appId=app_id)["app"]["platform"] == "WEB_DYNAMIC"
    # Clearing the role in the same call makes the change possible.
    changed = amplify.update_app(appId=app_id, platform="WEB", computeRoleArn="")["app"]
    assert changed["platform"] == "WEB" and "computeRoleArn" not in changed
