"""Real error codes, statuses and messages, from the endpoint's own rules (faults: test_faults.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable

import botocore.session
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from helpers import (
    ACCESS_KEY, AMPLIFY_OPERATIONS, ERROR_STATUS, REGION, SECRET_KEY, UNKNOWN_APP, assert_error, error_of,
)
from model_check import error_problems

MODEL = botocore.session.get_session().get_service_model("amplify")
UNKNOWN_ARN = f"arn:aws:amplify:{REGION}:123456789012:apps/{UNKNOWN_APP}"


@dataclass
class Case:
    id: str
    operation: str
    code: str
    trigger: Callable[[SimpleNamespace], object]
    message: str | None = None
    settings: dict | None = None  # endpoint settings to apply first (once the world exists)

    def param(self):
        return pytest.param(self, id=self.id)


def _app(c):
    return {"appId": c.world.app_id}


def _branch(c):
    return {"appId": c.world.app_id, "branchName": c.world.branch_name}


CASES = [
    # NotFoundException: unknown app, branch or job.
    Case("get-unknown-app", "GetApp", "NotFoundException", lambda c: c.amplify.get_app(appId=UNKNOWN_APP),
         f"App {UNKNOWN_APP} not found."),
    Case("update-unknown-app", "UpdateApp", "NotFoundException", lambda c: c.amplify.update_app(appId=UNKNOWN_APP, name="x")),
    Case("delete-unknown-app", "DeleteApp", "NotFoundException", lambda c: c.amplify.delete_app(appId=UNKNOWN_APP)),
    Case("branch-of-unknown-app", "CreateBranch", "NotFoundException",
         lambda c: c.amplify.create_branch(appId=UNKNOWN_APP, branchName="main")),
    Case("get-unknown-branch", "GetBranch", "NotFoundException",
         lambda c: c.amplify.get_branch(**_app(c), branchName="nope"), "Branch nope not found."),
    Case("update-unknown-branch", "UpdateBranch", "NotFoundException",
         lambda c: c.amplify.update_branch(**_app(c), branchName="nope", description="x")),
    Case("delete-unknown-branch", "DeleteBranch", "NotFoundException",
         lambda c: c.amplify.delete_branch(**_app(c), branchName="nope")),
    Case("job-on-unknown-branch", "StartJob", "NotFoundException",
         lambda c: c.amplify.start_job(**_app(c), branchName="nope", jobType="RELEASE")),
    Case("get-unknown-job", "GetJob", "NotFoundException",
         lambda c: c.amplify.get_job(**_branch(c), jobId="999"), "Job 999 not found."),
    Case("stop-unknown-job", "StopJob", "NotFoundException", lambda c: c.amplify.stop_job(**_branch(c), jobId="999")),
    Case("retry-unknown-job", "StartJob", "NotFoundException",
         lambda c: c.amplify.start_job(**_branch(c), jobType="RETRY", jobId="999")),
    # ResourceNotFoundException: tag operations on an ARN that names nothing.
    Case("tag-unknown-arn", "TagResource", "ResourceNotFoundException",
         lambda c: c.amplify.tag_resource(resourceArn=UNKNOWN_ARN, tags={"a": "b"}), f"Resource {UNKNOWN_ARN} not found."),
    Case("untag-unknown-arn", "UntagResource", "ResourceNotFoundException",
         lambda c: c.amplify.untag_resource(resourceArn=UNKNOWN_ARN, tagKeys=["a"])),
    Case("list-tags-unknown-arn", "ListTagsForResource", "ResourceNotFoundException",
         lambda c: c.amplify.list_tags_for_resource(resourceArn=UNKNOWN_ARN)),
    # BadRequestException: input the model or the service's rules refuse.
    Case("malformed-compute-role-arn", "CreateApp", "BadRequestException",
         lambda c: c.amplify.create_app(name="x", computeRoleArn="not-an-arn"),
         "Invalid computeRoleArn: not-an-arn is not a valid IAM role ARN."),
    Case("bad-platform", "CreateApp", "BadRequestException", lambda c: c.amplify.create_app(name="x", platform="BAD"),
         "1 validation error detected: Value 'BAD' at 'platform' failed to satisfy constraint: "
         "Member must satisfy enum value set: [WEB, WEB_DYNAMIC, WEB_COMPUTE]"),
    Case("bad-platform-on-update", "UpdateApp", "BadRequestException",
         lambda c: c.amplify.update_app(**_app(c), platform="BAD")),
    Case("bad-stage", "CreateBranch", "BadRequestException",
         lambda c: c.amplify.create_branch(**_app(c), branchName="dev", stage="BAD")),
    Case("bad-stage-on-update", "UpdateBranch", "BadRequestException",
         lambda c: c.amplify.update_branch(**_branch(c), stage="BAD")),
    Case("missing-name", "CreateApp", "BadRequestException", lambda c: c.unvalidated.create_app(description="no name"),
         "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"),
    Case("missing-job-type", "StartJob", "BadRequestException", lambda c: c.unvalidated.start_job(**_branch(c))),
    Case("name-too-long", "CreateApp", "BadRequestException", lambda c: c.amplify.create_app(name="n" * 256)),
    Case("wrong-type", "UpdateBranch", "BadRequestException",
         lambda c: c.unvalidated.update_branch(**_branch(c), enableAutoBuild="yes")),
    Case("repository-without-token", "CreateApp", "BadRequestException",
         lambda c: c.amplify.create_app(name="x", repository="https://github.com/example/other")),
    Case("duplicate-branch", "CreateBranch", "BadRequestException",
         lambda c: c.amplify.create_branch(**_branch(c)), "Branch with name main already exists."),
    Case("release-without-repository", "StartJob", "BadRequestException",
         lambda c: c.amplify.start_job(appId=c.bare_branch()["appId"], branchName="main", jobType="RELEASE"),
         "A RELEASE job can only be started for an app that is connected to a repository."),
    Case("retry-without-job-id", "StartJob", "BadRequestException",
         lambda c: c.amplify.start_job(**_branch(c), jobType="RETRY"), "jobId is required when jobType is RETRY."),
    Case("stop-finished-job", "StopJob", "BadRequestException",
         lambda c: c.amplify.stop_job(**_branch(c), jobId=c.world.job_id),
         "Job 1 is already SUCCEED and cannot be stopped.", settings={"job_step_seconds": 0}),
    Case("list-apps-over-page-limit", "ListApps", "BadRequestException", lambda c: c.amplify.list_apps(maxResults=101),
         "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: "
         "Member must have value less than or equal to 100"),
    Case("list-branches-over-page-limit", "ListBranches", "BadRequestException",
         lambda c: c.amplify.list_branches(**_app(c), maxResults=51)),
    Case("list-jobs-over-page-limit", "ListJobs", "BadRequestException",
         lambda c: c.amplify.list_jobs(**_branch(c), maxResults=51)),
    Case("bad-next-token", "ListApps", "BadRequestException", lambda c: c.amplify.list_apps(nextToken="garbage"),
         "Invalid nextToken"),
    # ListBranches and ListJobs model no NotFoundException: an unknown parent is a bad request there.
    Case("branches-of-unknown-app", "ListBranches", "BadRequestException",
         lambda c: c.amplify.list_branches(appId=UNKNOWN_APP), f"App {UNKNOWN_APP} not found."),
    Case("jobs-of-unknown-branch", "ListJobs", "BadRequestException",
         lambda c: c.amplify.list_jobs(**_app(c), branchName="nope"), "Branch nope not found."),
    Case("tag-non-amplify-arn", "TagResource", "BadRequestException",
         lambda c: c.amplify.tag_resource(resourceArn="arn:aws:s3:::bucket", tags={"a": "b"})),
    Case("too-many-tags", "TagResource", "BadRequestException",
         lambda c: c.amplify.tag_resource(resourceArn=c.world.app["appArn"], tags={f"k{i}": "v" for i in range(50)}),
         "A resource can have at most 50 tags."),
    Case("bad-tag-value", "TagResource", "BadRequestException",
         lambda c: c.amplify.tag_resource(resourceArn=c.world.app["appArn"], tags={"a": "semi;colon"})),
    # LimitExceededException: the per-region app quota and the per-app branch quota.
    Case("apps-quota", "CreateApp", "LimitExceededException",
         lambda c: c.amplify.create_app(name="second"), "Apps limit of 1 reached for this region.",
         settings={"apps_per_region": 1}),
    Case("branches-quota", "CreateBranch", "LimitExceededException",
         lambda c: c.amplify.create_branch(**_app(c), branchName="dev"), "Branches limit of 1 reached for this app.",
         settings={"branches_per_app": 1}),
]


@pytest.fixture
def ctx(amplify, amplify_unvalidated, control, world, make_app, make_branch):
    def bare_branch():
        """A `main` branch on an app that has no repository."""
        app = make_app("bare")
        make_branch(app["appId"])
        return app

    return SimpleNamespace(amplify=amplify, unvalidated=amplify_unvalidated, control=control, world=world,
                           make_app=make_app, make_branch=make_branch, bare_branch=bare_branch)


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_error(case: Case, ctx):
    if case.settings:
        ctx.control.configure(**case.settings)
    with pytest.raises(ClientError) as info:
        case.trigger(ctx)
    assert info.value.operation_name == case.operation
    assert_error(info.value.response, case.code, case.message)


def test_cases_cover_every_operation_and_each_behavioural_error_code():
    assert {c.operation for c in CASES} == set(AMPLIFY_OPERATIONS)
    # Unauthorized, InternalFailure and DependentServiceFailure have no trigger but a fault: test_faults.py.
    assert {c.code for c in CASES} == set(ERROR_STATUS) - {
        "UnauthorizedException", "InternalFailureException", "DependentServiceFailureException"}


def test_an_existing_resource_needs_valid_ids(amplify, world):
    """Sanity for the cases above: the same calls succeed for what exists."""
    amplify.get_branch(appId=world.app_id, branchName=world.branch_name)
    amplify.get_job(appId=world.app_id, branchName=world.branch_name, jobId=world.job_id)
    amplify.list_tags_for_resource(resourceArn=world.app["appArn"])


# -- raw requests, without botocore's serializer -----------------------------------------------
@pytest.fixture
def signed(endpoint):
    """Send a SigV4-signed Amplify request built by hand; return (status, error code, body)."""

    def send(method: str, path: str, body: bytes) -> tuple[int, str | None, bytes]:
        request = AWSRequest(method=method, url=endpoint + path, data=body, headers={"Content-Type": "application/json"})
        SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "amplify", REGION).add_auth(request)
        response = requests.request(method, request.url, headers=dict(request.headers), data=body, timeout=10)
        return response.status_code, response.headers.get("x-amzn-ErrorType"), response.content

    return send


@pytest.mark.parametrize("body, message", [
    (json.dumps({"description": "no name"}).encode(),
     "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"),
    (b"{not json", "Request body is not valid JSON"),
    (b"[1, 2]", "Request body must be a JSON object"),
])
def test_raw_create_app_is_refused_as_the_model_says(signed, body, message):
    status, code, payload = signed("POST", "/apps", body)
    assert (status, code) == (400, "BadRequestException")
    assert json.loads(payload)["message"].startswith(message)
    assert error_problems(MODEL.operation_model("CreateApp"), status, code, payload) == []


def test_unknown_amplify_route_is_a_bad_request(signed):
    status, code, payload = signed("GET", "/nothing/here", b"")
    assert (status, code) == (400, "BadRequestException")
    assert "No Amplify operation matches GET /nothing/here" in json.loads(payload)["message"]


def test_error_of_reports_success_as_failure(amplify):
    with pytest.raises(AssertionError, match="succeeded"):
        error_of(amplify.list_apps)
