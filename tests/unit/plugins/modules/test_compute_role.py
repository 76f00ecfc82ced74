# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import botocore.exceptions
import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import amplify
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.modules import compute_role

ROLE = "arn:aws:iam::123456789012:role/amplify/site-compute"
NOT_ASSUMABLE = "The compute role provided cannot be assumed by Amplify. Please verify the role exists."
AMPLIFY_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def client_error(code, message, operation):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": message}}, operation)


@pytest.fixture
def clock(monkeypatch, fake_clock):
    """time.monotonic and time.sleep of module_utils/amplify.py, pretending: sleeping moves the clock on."""
    fake = fake_clock
    monkeypatch.setattr(amplify.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(amplify.time, "sleep", fake.sleep)
    return fake


class Amplify:
    """update_app / update_branch that refuse the role `refusals` times (or with `error`), then accept it."""

    def __init__(self, refusals=0, error=None):
        self.refusals = refusals
        self.error = error
        self.calls = []

    def _update(self, operation, result_key, params):
        self.calls.append((operation, params))
        if self.error:
            raise self.error
        if self.refusals:
            self.refusals -= 1
            raise client_error("BadRequestException", NOT_ASSUMABLE, operation)
        return {result_key: dict(params, platform="WEB_COMPUTE")}

    def update_app(self, **params):
        return self._update("UpdateApp", "app", params)

    def update_branch(self, **params):
        return self._update("UpdateBranch", "branch", params)


class Iam:
    def __init__(self, role=None):
        self.role = role
        self.calls = []

    def get_role(self, RoleName, aws_retry=False):  # noqa: N803 - boto3 keyword
        self.calls.append(RoleName)
        if self.role is None or self.role["RoleName"] != RoleName:
            raise client_error("NoSuchEntity", "The role with name %s cannot be found." % RoleName, "GetRole")
        return {"Role": self.role}


def iam_role(arn=ROLE, trust=None):
    return {"RoleName": arn.rsplit("/", 1)[1], "Arn": arn, "AssumeRolePolicyDocument": trust or AMPLIFY_TRUST}


@pytest.mark.parametrize(
    "value, expected",
    [
        (ROLE, (ROLE, "site-compute")),
        ("arn:aws:iam::123456789012:role/site-compute", ("arn:aws:iam::123456789012:role/site-compute", "site-compute")),
        ("site-compute", (None, "site-compute")),
    ],
)
def test_parse_role_option(value, expected):
    assert compute_role.parse_role_option(value) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("arn:aws:iam::1234:role/site", "^role: .* is not an IAM role ARN"),
        ("arn:aws:s3:::bucket", "^role: .* is not an IAM role ARN"),
        ("has spaces", "^role: .* neither an IAM role name"),
        ("x" * 65, "^role: .* neither an IAM role name"),
    ],
)
def test_parse_role_option_rejects_without_a_call(value, message):
    with pytest.raises(AmplifyError, match=message):
        compute_role.parse_role_option(value)


def test_role_matches_by_arn_or_by_name():
    assert amplify.role_ref_matches(ROLE, ROLE)
    assert amplify.role_ref_matches("site-compute", ROLE)
    assert not amplify.role_ref_matches("other", ROLE)
    assert not amplify.role_ref_matches("arn:aws:iam::123456789012:role/site-compute", ROLE)


def test_read_role_by_name_and_by_arn():
    iam = Iam(iam_role())
    assert compute_role.read_role(iam, "site-compute")["Arn"] == ROLE
    assert compute_role.read_role(iam, ROLE)["Arn"] == ROLE
    assert iam.calls == ["site-compute", "site-compute"]


def test_a_missing_role_is_none_only_when_asked_check_mode():
    assert compute_role.read_role(Iam(iam_role()), "missing", missing_ok=True) is None
    with pytest.raises(AmplifyError, match="^role: the trust policy"):
        compute_role.read_role(Iam(iam_role(trust={"Statement": []})), ROLE, missing_ok=True)


def test_planned_role_arn_takes_the_account_and_partition_of_the_app_or_branch():
    on_app = compute_role.Association("dabc", app={"appId": "dabc", "appArn": "arn:aws-cn:amplify:cn-north-1:210987654321:apps/dabc"})
    assert compute_role.planned_role_arn("new-role", on_app) == "arn:aws-cn:iam::210987654321:role/new-role"
    on_branch = compute_role.Association(
        "dabc", branch={"branchArn": "arn:aws:amplify:us-east-1:123456789012:apps/dabc/branches/main"}, branch_name="main")
    assert compute_role.planned_role_arn("new-role", on_branch) == "arn:aws:iam::123456789012:role/new-role"
    assert compute_role.planned_role_arn(ROLE, on_branch) == ROLE


def test_read_role_fails_naming_the_option():
    with pytest.raises(AmplifyError, match="^role: IAM role 'missing' does not exist"):
        compute_role.read_role(Iam(iam_role()), "missing")
    with pytest.raises(AmplifyError, match=r"^role: .* \(another path or account\)$"):
        compute_role.read_role(Iam(iam_role()), "arn:aws:iam::123456789012:role/other/site-compute")
    lambda_trust = {
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }
    with pytest.raises(AmplifyError, match="^role: the trust policy .* does not let amplify.amazonaws.com"):
        compute_role.read_role(Iam(iam_role(trust=lambda_trust)), ROLE)


def test_associate_retries_propagation_with_growing_capped_backoff(clock):
    client = Amplify(refusals=6)
    association = compute_role.Association("dabc", app={"appId": "dabc", "computeRoleArn": ""})
    compute_role.associate_when_assumable(client, association, ROLE, wait_timeout=120)
    assert len(client.calls) == 7
    assert association.app["computeRoleArn"] == ROLE
    assert len(clock.pauses) == 6
    for tries, pause in enumerate(clock.pauses):
        backoff = min(amplify.PROPAGATION_MAX_DELAY, amplify.PROPAGATION_FIRST_DELAY * 2**tries)
        assert backoff / 2 <= pause <= backoff


def test_associate_gives_up_at_wait_timeout_naming_role_and_time(clock):
    client = Amplify(refusals=1000)
    association = compute_role.Association("dabc", branch={"computeRoleArn": ""}, branch_name="main")
    with pytest.raises(AmplifyError) as raised:
        compute_role.associate_when_assumable(client, association, ROLE, wait_timeout=20)
    message = raised.value.message
    assert message.startswith("role: Amplify still cannot assume IAM role %s for branch main of app dabc" % ROLE)
    assert "after 20 seconds" in message
    assert "raise wait_timeout (now 20)" in message
    assert sum(clock.pauses) == pytest.approx(20)
    assert all(call[0] == "UpdateBranch" for call in client.calls)
    assert association.branch == {"computeRoleArn": ""}


def test_associate_with_no_wait_tries_once(clock):
    client = Amplify(refusals=1)
    association = compute_role.Association("dabc", app={"appId": "dabc"})
    with pytest.raises(AmplifyError, match="after 0 seconds"):
        compute_role.associate_when_assumable(client, association, ROLE, wait_timeout=0)
    assert len(client.calls) == 1
    assert clock.pauses == []


def test_associate_does_not_retry_other_errors(clock):
    client = Amplify(error=client_error("BadRequestException", "1 validation error detected", "UpdateApp"))
    association = compute_role.Association("dabc", app={"appId": "dabc"})
    with pytest.raises(AmplifyError, match="^Failed to update app"):
        compute_role.associate_when_assumable(client, association, ROLE, wait_timeout=120)
    assert len(client.calls) == 1
    assert clock.pauses == []
