"""Constants and small helpers shared by the test modules."""

from __future__ import annotations

import json
import time

from botocore.exceptions import ClientError

REGION = "us-east-1"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"
AMPLIFY_PRINCIPAL = "amplify.amazonaws.com"
REPOSITORY = "https://github.com/example/site"
ACCESS_TOKEN = "ghp_local-aws-test-token-0123456789"
UNKNOWN_APP = "dunknown0000000"
COMPUTE_ROLE_NOT_ASSUMABLE = (
    "The compute role provided cannot be assumed by Amplify. "
    "Please verify the role exists and has the correct trust relationship"
)

# The operations the endpoint serves, as the issue lists them (not read from the emulator).
AMPLIFY_OPERATIONS = (
    "CreateApp", "GetApp", "UpdateApp", "DeleteApp", "ListApps",
    "CreateBranch", "GetBranch", "UpdateBranch", "DeleteBranch", "ListBranches",
    "StartJob", "GetJob", "ListJobs", "StopJob",
    "TagResource", "UntagResource", "ListTagsForResource",
)

# The statuses real Amplify answers with (the model checker also compares them with the model).
ERROR_STATUS = {
    "BadRequestException": 400,
    "UnauthorizedException": 401,
    "NotFoundException": 404,
    "ResourceNotFoundException": 404,
    "LimitExceededException": 429,
    "InternalFailureException": 500,
    "DependentServiceFailureException": 503,
}


def trust_policy(*services: str, effect: str = "Allow", action="sts:AssumeRole") -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": effect, "Principal": {"Service": list(services)}, "Action": action}],
    })


def wait_until(probe, timeout: float = 5.0, interval: float = 0.01, what: str = "condition"):
    """Call `probe` until it returns something truthy; return that. Fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def error_of(call, *args, **kwargs) -> dict:
    """Run a call that must fail with a ClientError; return botocore's parsed error response."""
    try:
        call(*args, **kwargs)
    except ClientError as exc:
        return exc.response
    raise AssertionError(f"{getattr(call, '__name__', call)} succeeded; an error was expected")


def assert_error(response: dict, code: str, message: str | None = None, status: int | None = None) -> None:
    """The error has this code, the status real Amplify uses for it (or `status`), and this message."""
    assert response["Error"]["Code"] == code, response["Error"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == (status or ERROR_STATUS[code])
    if message is not None:
        assert response["Error"]["Message"] == message
