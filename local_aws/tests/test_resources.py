"""Identifiers, ARNs and domains as Amplify makes them; tags; secrets never leave the endpoint."""

from __future__ import annotations

import json
import re

import pytest
from helpers import ACCESS_TOKEN, REGION, assert_error, error_of


def test_app_identifiers(amplify, sts, make_app):
    account = sts.get_caller_identity()["Account"]
    app = make_app()
    assert re.fullmatch(r"d[a-z0-9]+", app["appId"])
    assert app["defaultDomain"] == f"{app['appId']}.amplifyapp.com"
    assert app["appArn"] == f"arn:aws:amplify:{REGION}:{account}:apps/{app['appId']}"


def test_app_ids_are_unique(make_app):
    ids = [make_app(f"app-{i}")["appId"] for i in range(20)]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("name, arn_suffix", [("main", "main"), ("feature/login", "feature%2Flogin")])
def test_branch_arn_extends_the_app_arn(amplify, make_app, make_branch, name, arn_suffix):
    app = make_app()
    branch = make_branch(app["appId"], name)
    assert branch["branchArn"] == f"{app['appArn']}/branches/{arn_suffix}"
    assert amplify.get_branch(appId=app["appId"], branchName=name)["branch"]["branchArn"] == branch["branchArn"]


def test_each_region_is_its_own_endpoint(amplify, make_client, make_app):
    west = make_client("amplify", region="eu-west-1")
    app = west.create_app(name="west")["app"]
    assert app["appArn"].startswith("arn:aws:amplify:eu-west-1:")
    make_app("east")
    assert [a["name"] for a in west.list_apps()["apps"]] == ["west"]
    assert [a["name"] for a in amplify.list_apps()["apps"]] == ["east"]
    assert_error(error_of(amplify.get_app, appId=app["appId"]), "NotFoundException")


@pytest.fixture(params=["app", "branch"])
def tagged(request, make_app, make_branch):
    """(ARN, how the resource is read back) for a resource created with one tag."""
    app = make_app(tags={"team": "web"}) if request.param == "app" else make_app()
    if request.param == "app":
        return app["appArn"], lambda amplify: amplify.get_app(appId=app["appId"])["app"]
    branch = make_branch(app["appId"], "main", tags={"team": "web"})
    return branch["branchArn"], lambda amplify: amplify.get_branch(appId=app["appId"], branchName="main")["branch"]


def test_tags_round_trip(amplify, tagged):
    arn, read = tagged
    assert read(amplify)["tags"] == {"team": "web"}
    amplify.tag_resource(resourceArn=arn, tags={"cost-center": "42", "owner": "café équipe"})
    expected = {"team": "web", "cost-center": "42", "owner": "café équipe"}
    assert amplify.list_tags_for_resource(resourceArn=arn)["tags"] == expected
    assert read(amplify)["tags"] == expected
    amplify.untag_resource(resourceArn=arn, tagKeys=["team", "not-there"])
    assert amplify.list_tags_for_resource(resourceArn=arn)["tags"] == {"cost-center": "42", "owner": "café équipe"}
    amplify.tag_resource(resourceArn=arn, tags={"owner": "ops"})
    assert amplify.list_tags_for_resource(resourceArn=arn)["tags"]["owner"] == "ops"


def test_tags_of_a_deleted_app_are_gone(amplify, make_app):
    app = make_app(tags={"a": "b"})
    amplify.delete_app(appId=app["appId"])
    assert_error(error_of(amplify.list_tags_for_resource, resourceArn=app["appArn"]), "ResourceNotFoundException")


def test_access_token_never_leaves_the_endpoint(amplify, make_repo_app, checker, control):
    first = len(checker.checked)
    app = make_repo_app()
    amplify.get_app(appId=app["appId"])
    amplify.list_apps()
    new_token = "ghp_rotated-token-9876543210"
    amplify.update_app(appId=app["appId"], accessToken=new_token, description="rotated")
    amplify.create_branch(appId=app["appId"], branchName="main")
    amplify.get_branch(appId=app["appId"], branchName="main")
    bodies = [c.body for c in checker.checked[first:]]
    assert len(bodies) == 6 and all(bodies)
    control_outputs = [json.dumps(control.state()), json.dumps(control.requests()), json.dumps(control.config())]
    for text in [b.decode() for b in bodies] + control_outputs:
        assert ACCESS_TOKEN not in text and new_token not in text
        assert "accessToken" not in text
    # The token was taken: the app is connected, and RELEASE jobs can start.
    assert amplify.get_app(appId=app["appId"])["app"]["repositoryCloneMethod"] == "TOKEN"
    amplify.start_job(appId=app["appId"], branchName="main", jobType="RELEASE")


def test_state_reports_what_exists(amplify, world, control):
    [backend] = control.state()["amplify"]
    assert (backend["account"], backend["region"]) == (world.app["appArn"].split(":")[4], REGION)
    [app] = backend["apps"]
    assert (app["appId"], app["name"], app["tags"]) == (world.app_id, "site", {"team": "web"})
    assert app["branches"] == [{"branchName": "main", "computeRoleArn": "", "stage": "PRODUCTION", "tags": {"env": "prod"}, "jobs": 1}]


def test_aws_managed_policies_can_be_attached_to_a_compute_role(iam, make_role):
    """The endpoint loads moto's AWS managed policies (MOTO_IAM_LOAD_MANAGED_POLICIES)."""
    make_role("compute")
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    iam.attach_role_policy(RoleName="compute", PolicyArn=arn)
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="compute")["AttachedPolicies"]] == [arn]
