# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import compute_roles
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.modules import compute_role
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import NOT_ASSUMABLE
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import ROLE
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import client_error


@pytest.fixture
def clock(backoff_clock):
    return backoff_clock


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


class Module:
    def __init__(self, wait_timeout, check_mode=False):
        self.params = {"wait_timeout": wait_timeout}
        self.check_mode = check_mode


def associate(client, association, role_arn, wait_timeout):
    """What ensure_present does once the role is resolved: apply it, retried while IAM propagates it."""
    compute_role.apply(client, Module(wait_timeout), association, role_arn)


def test_associate_retries_propagation_with_growing_capped_backoff(clock):
    client = Amplify(refusals=6)
    association = compute_role.Association("dabc", app={"appId": "dabc", "computeRoleArn": ""})
    associate(client, association, ROLE, wait_timeout=120)
    assert len(client.calls) == 7
    assert association.app["computeRoleArn"] == ROLE
    assert len(clock.pauses) == 6
    for tries, pause in enumerate(clock.pauses):
        backoff = min(compute_roles.PROPAGATION_MAX_DELAY, compute_roles.PROPAGATION_FIRST_DELAY * 2**tries)
        assert backoff / 2 <= pause <= backoff


def test_associate_gives_up_at_wait_timeout_naming_role_and_time(clock):
    client = Amplify(refusals=1000)
    association = compute_role.Association("dabc", branch={"computeRoleArn": ""}, branch_name="main")
    with pytest.raises(AmplifyError) as raised:
        associate(client, association, ROLE, wait_timeout=20)
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
        associate(client, association, ROLE, wait_timeout=0)
    assert len(client.calls) == 1
    assert clock.pauses == []


def test_associate_does_not_retry_other_errors(clock):
    client = Amplify(error=client_error("BadRequestException", "1 validation error detected", "UpdateApp"))
    association = compute_role.Association("dabc", app={"appId": "dabc"})
    with pytest.raises(AmplifyError, match="^Failed to update app"):
        associate(client, association, ROLE, wait_timeout=120)
    assert len(client.calls) == 1
    assert clock.pauses == []
