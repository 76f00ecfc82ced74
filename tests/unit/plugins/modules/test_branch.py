# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The branch module's compute role: checked before any write, written with the branch, retried while IAM
propagates it; no IAM read when the branch already has it."""

import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import compute_roles
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.modules import branch as branch_module
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import LAMBDA_TRUST
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import OTHER_ROLE
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import ROLE
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import Iam
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import RefusesNewRoles
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import client_error
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import iam_role
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import Module as FakeModule

APP_ID = "dabc123"


@pytest.fixture
def clock(backoff_clock):
    return backoff_clock


class Amplify(RefusesNewRoles):
    """An app and its branches; create/update refuse a compute role `refusals` times (IAM propagation)."""

    def __init__(self, platform="WEB_COMPUTE", branch=None, refusals=0):
        self.app = {"appId": APP_ID, "name": "site", "platform": platform,
                    "appArn": "arn:aws:amplify:us-east-1:123456789012:apps/%s" % APP_ID}
        self.branches = {branch["branchName"]: branch} if branch else {}
        self.refusals = refusals
        self.calls = []

    def get_app(self, appId):  # noqa: N803 - boto3 keyword
        self.calls.append("GetApp")
        return {"app": self.app}

    def get_branch(self, appId, branchName):  # noqa: N803 - boto3 keywords
        self.calls.append("GetBranch")
        if branchName not in self.branches:
            raise client_error("NotFoundException", "Branch %s not found." % branchName, "GetBranch")
        return {"branch": dict(self.branches[branchName])}

    def create_branch(self, appId, branchName, **params):  # noqa: N803 - boto3 keywords
        self.calls.append("CreateBranch")
        self.refuse_role("CreateBranch", params)
        self.branches[branchName] = dict(params, branchName=branchName, branchArn="%s/branches/%s" % (self.app["appArn"], branchName))
        return {"branch": dict(self.branches[branchName])}

    def update_branch(self, appId, branchName, **params):  # noqa: N803 - boto3 keywords
        self.calls.append("UpdateBranch")
        self.refuse_role("UpdateBranch", params)
        self.branches[branchName].update(params)
        return {"branch": dict(self.branches[branchName])}


def Module(iam, check_mode=False, **params):  # noqa: N802 - stands for the module class
    """The branch module's params (defaults as the module's), on the shared fake module."""
    defaults = dict(
        state="present", app=APP_ID, branch_name="main", description=None, stage=None, framework=None,
        enable_auto_build=None, environment_variables=None, compute_role_arn=None, wait_timeout=120,
        tags=None, purge_tags=True,
    )
    return FakeModule(iam, check_mode, **dict(defaults, **params))


def existing(compute_role_arn=None, stage="PRODUCTION"):
    branch = {"branchName": "main", "stage": stage, "branchArn": "arn:aws:amplify:us-east-1:123456789012:apps/%s/branches/main" % APP_ID}
    if compute_role_arn:
        branch["computeRoleArn"] = compute_role_arn
    return branch


def test_a_new_branch_gets_its_role_in_the_create_call_after_the_role_is_checked():
    client, iam = Amplify(), Iam(iam_role())
    result = branch_module.ensure_present(client, Module(iam, compute_role_arn=ROLE, stage="BETA"))
    assert result["changed"] and result["branch"]["compute_role_arn"] == ROLE
    assert client.calls == ["GetBranch", "GetApp", "CreateBranch"]
    assert iam.calls == ["site-compute"]
    assert client.branches["main"]["computeRoleArn"] == ROLE and client.branches["main"]["stage"] == "BETA"


@pytest.mark.parametrize(
    "role, message",
    [
        (None, "^compute_role_arn: IAM role '%s' does not exist in this account$" % ROLE),
        (iam_role(trust=LAMBDA_TRUST), "^compute_role_arn: the trust policy of IAM role %s does not let amplify.amazonaws.com" % ROLE),
        (iam_role(arn="arn:aws:iam::123456789012:role/site-compute"), r"^compute_role_arn: .* \(another path or account\)$"),
    ],
    ids=["missing", "not-trusting-amplify", "another-path"],
)
@pytest.mark.parametrize("current", [None, existing(), existing(OTHER_ROLE)], ids=["new", "no-override", "other-override"])
def test_a_bad_role_fails_naming_compute_role_arn_before_any_write(role, message, current):
    client, iam = Amplify(branch=current), Iam(*([role] if role else []))
    with pytest.raises(AmplifyError, match=message):
        branch_module.ensure_present(client, Module(iam, compute_role_arn=ROLE, stage="BETA"))
    assert not [call for call in client.calls if not call.startswith("Get")]
    assert client.branches == ({"main": current} if current else {})


def test_a_static_app_is_refused_before_iam_is_read():
    client, iam = Amplify(platform="WEB"), Iam(iam_role())
    with pytest.raises(AmplifyError, match="^compute_role_arn: compute roles are only for server-side rendered apps"):
        branch_module.ensure_present(client, Module(iam, compute_role_arn=ROLE))
    assert client.calls == ["GetBranch", "GetApp"] and iam.calls == []


def test_a_branch_that_has_the_role_costs_no_iam_read_and_no_write():
    client, iam = Amplify(branch=existing(ROLE)), Iam(iam_role())
    result = branch_module.ensure_present(client, Module(iam, compute_role_arn=ROLE, stage="PRODUCTION"))
    assert not result["changed"]
    assert client.calls == ["GetBranch"] and iam.calls == []


def test_clearing_the_override_reads_no_role():
    client, iam = Amplify(branch=existing(ROLE)), Iam()
    result = branch_module.ensure_present(client, Module(iam, compute_role_arn=""))
    assert result["changed"] and result["branch"]["compute_role_arn"] == ""
    assert client.calls == ["GetBranch", "UpdateBranch"] and iam.calls == []


def test_creating_retries_while_iam_propagates_and_writes_once(clock):
    client, iam = Amplify(refusals=3), Iam(iam_role())
    result = branch_module.ensure_present(client, Module(iam, compute_role_arn=ROLE))
    assert result["branch"]["compute_role_arn"] == ROLE
    assert client.calls.count("CreateBranch") == 4 and len(clock.pauses) == 3
    for tries, pause in enumerate(clock.pauses):
        step = min(compute_roles.PROPAGATION_MAX_DELAY, compute_roles.PROPAGATION_FIRST_DELAY * 2**tries)
        assert step / 2 <= pause <= step


def test_updating_gives_up_at_wait_timeout_naming_the_option_and_changes_nothing(clock):
    client, iam = Amplify(branch=existing(OTHER_ROLE), refusals=1000), Iam(iam_role())
    with pytest.raises(AmplifyError) as raised:
        branch_module.ensure_present(client, Module(iam, compute_role_arn=ROLE, stage="BETA", wait_timeout=10))
    message = raised.value.message
    assert message.startswith("compute_role_arn: Amplify still cannot assume IAM role %s for branch main of app %s" % (ROLE, APP_ID))
    assert "raise wait_timeout (now 10)" in message
    assert sum(clock.pauses) == pytest.approx(10)
    assert client.branches["main"] == existing(OTHER_ROLE)


def test_a_write_without_a_role_is_not_retried(clock):
    client, iam = Amplify(branch=existing(), refusals=5), Iam()
    branch_module.ensure_present(client, Module(iam, stage="BETA"))
    assert client.calls == ["GetBranch", "UpdateBranch"] and clock.pauses == []


def test_check_mode_warns_about_a_role_that_does_not_exist_yet_and_writes_nothing():
    client, iam = Amplify(), Iam()
    module = Module(iam, check_mode=True, compute_role_arn=ROLE)
    result = branch_module.ensure_present(client, module)
    assert result["changed"] and result["branch"]["compute_role_arn"] == ROLE
    assert client.calls == ["GetBranch", "GetApp"] and client.branches == {}
    assert len(module.warnings) == 1 and module.warnings[0].startswith("compute_role_arn: IAM role %s does not exist (yet)" % ROLE)


def test_check_mode_still_refuses_a_role_that_does_not_trust_amplify():
    client, iam = Amplify(branch=existing()), Iam(iam_role(trust=LAMBDA_TRUST))
    with pytest.raises(AmplifyError, match="^compute_role_arn: the trust policy"):
        branch_module.ensure_present(client, Module(iam, check_mode=True, compute_role_arn=ROLE))


def test_a_role_name_is_resolved_in_iam_and_written_as_its_arn():
    client, iam = Amplify(branch=existing()), Iam(iam_role())
    result = branch_module.ensure_present(client, Module(iam, compute_role_arn="site-compute"))
    assert result["changed"] and result["branch"]["compute_role_arn"] == ROLE
    assert result["diff"] == {"before": {"compute_role_arn": ""}, "after": {"compute_role_arn": ROLE}}
    assert client.branches["main"]["computeRoleArn"] == ROLE and iam.calls == ["site-compute"]


def test_a_role_name_the_branch_already_runs_with_costs_no_iam_read():
    client, iam = Amplify(branch=existing(ROLE)), Iam(iam_role())
    result = branch_module.ensure_present(client, Module(iam, compute_role_arn="site-compute"))
    assert not result["changed"] and result["branch"]["compute_role_arn"] == ROLE
    assert client.calls == ["GetBranch"] and iam.calls == []


def test_check_mode_plans_a_missing_role_name_in_the_apps_account_and_partition():
    client, iam = Amplify(), Iam()
    module = Module(iam, check_mode=True, compute_role_arn="not-yet")
    result = branch_module.ensure_present(client, module)
    assert result["branch"]["compute_role_arn"] == "arn:aws:iam::123456789012:role/not-yet"
    assert client.branches == {} and "does not exist (yet)" in module.warnings[0]


@pytest.mark.parametrize(
    "value, message",
    [
        ("arn:aws:iam::123456789012:user/not-a-role", "^compute_role_arn: .* is not an IAM role ARN"),
        ("has spaces", "^compute_role_arn: .* is neither an IAM role name"),
    ],
)
def test_a_malformed_role_is_refused_without_a_call(value, message):
    client, iam = Amplify(branch=existing()), Iam(iam_role())
    with pytest.raises(AmplifyError, match=message):
        branch_module.ensure_present(client, Module(iam, compute_role_arn=value))
    assert client.calls == [] and iam.calls == []
