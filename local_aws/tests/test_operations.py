"""Every Amplify operation works through boto3 (and each answer passes the session's model checker)."""

from __future__ import annotations

import pytest
from helpers import AMPLIFY_OPERATIONS, error_of

from local_aws.amplify import responses

CHECKS = {}


def checks(operation: str):
    def register(function):
        CHECKS[operation] = function
        return function

    return register


@checks("CreateApp")
def _create_app(amplify, world, control):
    app = amplify.create_app(name="second", description="d", platform="WEB_COMPUTE", environmentVariables={"A": "1"})["app"]
    assert (app["name"], app["description"], app["platform"], app["environmentVariables"]) == ("second", "d", "WEB_COMPUTE", {"A": "1"})
    assert app["appId"] != world.app_id
    assert app["createTime"] == app["updateTime"]


@checks("GetApp")
def _get_app(amplify, world, control):
    assert amplify.get_app(appId=world.app_id)["app"] == world.app


@checks("UpdateApp")
def _update_app(amplify, world, control):
    updated = amplify.update_app(appId=world.app_id, name="renamed", description="new", enableBranchAutoBuild=True)["app"]
    assert (updated["name"], updated["description"], updated["enableBranchAutoBuild"]) == ("renamed", "new", True)
    assert updated["updateTime"] > world.app["updateTime"]
    assert updated["repository"] == world.app["repository"]
    assert amplify.get_app(appId=world.app_id)["app"] == updated


@checks("DeleteApp")
def _delete_app(amplify, world, control):
    assert amplify.delete_app(appId=world.app_id)["app"]["appId"] == world.app_id
    assert error_of(amplify.get_app, appId=world.app_id)["Error"]["Code"] == "NotFoundException"
    assert amplify.list_apps()["apps"] == []


@checks("ListApps")
def _list_apps(amplify, world, control):
    listing = amplify.list_apps()
    assert [a["appId"] for a in listing["apps"]] == [world.app_id]
    assert "nextToken" not in listing


@checks("CreateBranch")
def _create_branch(amplify, world, control):
    branch = amplify.create_branch(appId=world.app_id, branchName="feature/login", stage="DEVELOPMENT",
                                   description="d", enableAutoBuild=False)["branch"]
    assert (branch["branchName"], branch["stage"], branch["description"], branch["enableAutoBuild"]) == (
        "feature/login", "DEVELOPMENT", "d", False)
    assert amplify.get_branch(appId=world.app_id, branchName="feature/login")["branch"] == branch


@checks("GetBranch")
def _get_branch(amplify, world, control):
    branch = amplify.get_branch(appId=world.app_id, branchName=world.branch_name)["branch"]
    assert {k: v for k, v in branch.items() if k not in ("activeJobId", "totalNumberOfJobs")} == {
        k: v for k, v in world.branch.items() if k not in ("activeJobId", "totalNumberOfJobs")}
    assert (branch["activeJobId"], branch["totalNumberOfJobs"]) == (world.job_id, "1")


@checks("UpdateBranch")
def _update_branch(amplify, world, control):
    updated = amplify.update_branch(appId=world.app_id, branchName=world.branch_name, stage="BETA",
                                    environmentVariables={"MODE": "beta"})["branch"]
    assert (updated["stage"], updated["environmentVariables"]) == ("BETA", {"MODE": "beta"})
    assert amplify.get_branch(appId=world.app_id, branchName=world.branch_name)["branch"]["stage"] == "BETA"


@checks("DeleteBranch")
def _delete_branch(amplify, world, control):
    assert amplify.delete_branch(appId=world.app_id, branchName=world.branch_name)["branch"]["branchName"] == world.branch_name
    assert error_of(amplify.get_branch, appId=world.app_id, branchName=world.branch_name)["Error"]["Code"] == "NotFoundException"


@checks("ListBranches")
def _list_branches(amplify, world, control):
    amplify.create_branch(appId=world.app_id, branchName="dev")
    names = [b["branchName"] for b in amplify.list_branches(appId=world.app_id)["branches"]]
    assert names == ["main", "dev"]


@checks("StartJob")
def _start_job(amplify, world, control):
    job = amplify.start_job(appId=world.app_id, branchName=world.branch_name, jobType="RELEASE",
                            commitId="abc123", commitMessage="ship it")["jobSummary"]
    assert (job["jobId"], job["jobType"], job["status"], job["commitId"], job["commitMessage"]) == (
        "2", "RELEASE", "PENDING", "abc123", "ship it")
    assert job["jobArn"] == f"{world.branch['branchArn']}/jobs/0000000002"


@checks("GetJob")
def _get_job(amplify, world, control):
    job = amplify.get_job(appId=world.app_id, branchName=world.branch_name, jobId=world.job_id)["job"]
    assert job["summary"]["jobId"] == world.job_id
    assert [s["stepName"] for s in job["steps"]] == ["BUILD", "DEPLOY", "VERIFY"]


@checks("ListJobs")
def _list_jobs(amplify, world, control):
    amplify.start_job(appId=world.app_id, branchName=world.branch_name, jobType="RETRY", jobId=world.job_id)
    jobs = amplify.list_jobs(appId=world.app_id, branchName=world.branch_name)["jobSummaries"]
    assert [(j["jobId"], j["jobType"]) for j in jobs] == [("2", "RETRY"), ("1", "RELEASE")]


@checks("StopJob")
def _stop_job(amplify, world, control):
    control.configure(job_step_seconds=60)  # the world's job is surely still running
    stopped = amplify.stop_job(appId=world.app_id, branchName=world.branch_name, jobId=world.job_id)["jobSummary"]
    assert (stopped["jobId"], stopped["status"]) == (world.job_id, "CANCELLING")


@checks("TagResource")
def _tag_resource(amplify, world, control):
    amplify.tag_resource(resourceArn=world.app["appArn"], tags={"cost-center": "42"})
    assert amplify.get_app(appId=world.app_id)["app"]["tags"] == {"team": "web", "cost-center": "42"}


@checks("UntagResource")
def _untag_resource(amplify, world, control):
    amplify.untag_resource(resourceArn=world.branch["branchArn"], tagKeys=["env"])
    assert amplify.list_tags_for_resource(resourceArn=world.branch["branchArn"])["tags"] == {}


@checks("ListTagsForResource")
def _list_tags(amplify, world, control):
    assert amplify.list_tags_for_resource(resourceArn=world.app["appArn"])["tags"] == {"team": "web"}
    assert amplify.list_tags_for_resource(resourceArn=world.branch["branchArn"])["tags"] == {"env": "prod"}


def test_every_operation_has_a_check_and_the_endpoint_serves_exactly_those():
    assert sorted(CHECKS) == sorted(AMPLIFY_OPERATIONS) == sorted(responses.OPERATIONS)


@pytest.mark.parametrize("operation", AMPLIFY_OPERATIONS)
def test_operation_works_through_boto3(operation, amplify, world, control, checker):
    first = len(checker.checked)
    CHECKS[operation](amplify, world, control)
    # The call went through the model checker and succeeded there.
    assert any(c.operation == operation and c.status == 200 for c in checker.checked[first:])
