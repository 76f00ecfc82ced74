# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import json
from urllib.parse import quote

import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import amplify
from ansible_collections.amplify_hosting.ssr.plugins.module_utils import compute_roles
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.compute_role_fakes import ROLE as SITE_ROLE, Iam, iam_role
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.module_utils.fakes import ROLE
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.module_utils.fakes import client_error
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.module_utils.fakes import trust


@pytest.mark.parametrize(
    "document, expected",
    [
        (trust(), True),
        (json.dumps(trust()), True),
        (quote(json.dumps(trust())), True),
        (trust(service=["lambda.amazonaws.com", "amplify.amazonaws.com"]), True),
        (trust(action=["sts:TagSession", "sts:AssumeRole"]), True),
        (trust(service="lambda.amazonaws.com"), False),
        (trust(action="sts:AssumeRoleWithWebIdentity"), False),
        ({"Statement": trust()["Statement"] + trust(effect="Deny")["Statement"]}, False),
        ("not json", False),
        ({}, False),
    ],
)
def test_trust_allows_amplify(document, expected):
    assert compute_roles.trust_allows_amplify(document) is expected


@pytest.mark.parametrize(
    "arn, expected",
    [
        (ROLE, ("aws", "123456789012", "/", "amplify-compute-role")),
        ("arn:aws:iam::123456789012:role/service/ssr/dev-role", ("aws", "123456789012", "/service/ssr/", "dev-role")),
        ("arn:aws-cn:iam::123456789012:role/r", ("aws-cn", "123456789012", "/", "r")),
        ("arn:aws-us-gov:iam::123456789012:role/r", ("aws-us-gov", "123456789012", "/", "r")),
        ("arn:aws:iam::123456789012:role/" + "n" * 65, None),
        ("arn:aws:iam::123456789012:role//r", None),
        ("arn:aws:iam:us-east-1:123456789012:role/r", None),
        ("xarn:aws:iam::123456789012:role/r", None),
        ("arn:aws:sts::123456789012:role/r", None),
        ("arn:aws:iam::12345:role/short-account", None),
        ("arn:aws:iam::123456789012:user/not-a-role", None),
        ("amplify-compute-role", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_role_arn(arn, expected):
    assert compute_roles.parse_role_arn(arn) == expected


def test_check_role_arn_accepts_roles_and_names_the_option_otherwise():
    compute_roles.check_role_arn(ROLE, "compute_role_arn")
    compute_roles.check_role_arn(None, "compute_role_arn")
    compute_roles.check_role_arn("", "compute_role_arn", allow_empty=True)
    with pytest.raises(amplify.AmplifyError) as raised:
        compute_roles.check_role_arn("", "compute_role_arn")
    assert raised.value.message.startswith("compute_role_arn: '' is not an IAM role ARN")
    with pytest.raises(amplify.AmplifyError) as raised:
        compute_roles.check_role_arn("arn:aws:iam::123456789012:user/someone", "iam_service_role_arn", allow_empty=True)
    assert raised.value.message.startswith("iam_service_role_arn: 'arn:aws:iam::123456789012:user/someone' is not an IAM role ARN")
    assert raised.value.exception is None


@pytest.mark.parametrize("platform", ["WEB_COMPUTE", "WEB_DYNAMIC"])
def test_check_compute_platform_accepts_ssr_platforms(platform):
    compute_roles.check_compute_platform(platform)


def test_check_compute_platform_names_the_option_and_the_platform():
    with pytest.raises(amplify.AmplifyError) as raised:
        compute_roles.check_compute_platform("WEB")
    assert raised.value.message.startswith("compute_role_arn: compute roles are only for server-side rendered apps")
    assert raised.value.message.endswith("the platform is WEB")
    with pytest.raises(amplify.AmplifyError, match=r"^platform: .* the platform is WEB$"):
        compute_roles.check_compute_platform("WEB", "platform")
    with pytest.raises(amplify.AmplifyError, match=r"the platform is None$"):
        compute_roles.check_compute_platform(None)


def test_effective_compute_role_prefers_branch_override():
    app = {"computeRoleArn": ROLE}
    override = "arn:aws:iam::123456789012:role/dev"
    assert compute_roles.effective_compute_role(app, {"computeRoleArn": override}) == override
    assert compute_roles.effective_compute_role(app, {"branchName": "main"}) == ROLE
    assert compute_roles.effective_compute_role({}, {}) == ""


def test_is_propagation_error():
    assert compute_roles.is_propagation_error(client_error(
        "BadRequestException",
        "The compute role provided cannot be assumed by Amplify. Please verify the role exists and has the correct trust relationship",
        "CreateBranch"))
    assert not compute_roles.is_propagation_error(client_error("BadRequestException", "1 validation error detected"))
    assert not compute_roles.is_propagation_error(client_error("NotFoundException", "The compute role provided cannot be assumed by Amplify"))
    assert not compute_roles.is_propagation_error(ValueError("no response"))


def test_a_conditional_deny_is_left_to_iam():
    conditional = {"Effect": "Deny", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:AssumeRole",
                   "Condition": {"StringNotEquals": {"aws:SourceAccount": "123456789012"}}}
    assert compute_roles.trust_allows_amplify({"Statement": trust()["Statement"] + [conditional]}) is True
    unconditional = dict(conditional)
    del unconditional["Condition"]
    assert compute_roles.trust_allows_amplify({"Statement": trust()["Statement"] + [unconditional]}) is False


def test_is_propagation_error_does_not_depend_on_letter_case():
    assert compute_roles.is_propagation_error(client_error("BadRequestException", "The compute role CANNOT BE ASSUMED by Amplify", "UpdateApp"))


# -- ComputeRoleRef: the one path of the role, compute_role_arn options ------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (SITE_ROLE, (SITE_ROLE, "site-compute")),
        ("arn:aws:iam::123456789012:role/site-compute", ("arn:aws:iam::123456789012:role/site-compute", "site-compute")),
        ("site-compute", (None, "site-compute")),
    ],
)
def test_parse_role_option(value, expected):
    ref = compute_roles.ComputeRoleRef(value, "role")
    assert (ref.arn, ref.name) == expected


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
    with pytest.raises(amplify.AmplifyError, match=message):
        compute_roles.ComputeRoleRef(value, "role")


def test_role_matches_by_arn_or_by_name():
    assert compute_roles.ComputeRoleRef(SITE_ROLE, "role").matches(SITE_ROLE)
    assert compute_roles.ComputeRoleRef("site-compute", "role").matches(SITE_ROLE)
    assert not compute_roles.ComputeRoleRef("other", "role").matches(SITE_ROLE)
    assert not compute_roles.ComputeRoleRef("arn:aws:iam::123456789012:role/site-compute", "role").matches(SITE_ROLE)


def test_read_role_by_name_and_by_arn():
    iam = Iam(iam_role())
    assert compute_roles.ComputeRoleRef("site-compute", "role").read(iam)["Arn"] == SITE_ROLE
    assert compute_roles.ComputeRoleRef(SITE_ROLE, "role").read(iam)["Arn"] == SITE_ROLE
    assert iam.calls == ["site-compute", "site-compute"]


def test_a_missing_role_is_none_only_when_asked_check_mode():
    assert compute_roles.ComputeRoleRef("missing", "role").read(Iam(iam_role()), missing_ok=True) is None
    with pytest.raises(amplify.AmplifyError, match="^role: the trust policy"):
        compute_roles.ComputeRoleRef(SITE_ROLE, "role").read(Iam(iam_role(trust={"Statement": []})), missing_ok=True)


def test_planned_arn_takes_the_account_and_partition_of_the_app_or_branch():
    app_arn = "arn:aws-cn:amplify:cn-north-1:210987654321:apps/dabc"
    assert compute_roles.ComputeRoleRef("new-role", "role").planned_arn(app_arn) == "arn:aws-cn:iam::210987654321:role/new-role"
    branch_arn = "arn:aws:amplify:us-east-1:123456789012:apps/dabc/branches/main"
    assert compute_roles.ComputeRoleRef("new-role", "role").planned_arn(branch_arn) == "arn:aws:iam::123456789012:role/new-role"
    assert compute_roles.ComputeRoleRef(SITE_ROLE, "role").planned_arn(branch_arn) == SITE_ROLE
    # An app not made yet: the name as given.
    assert compute_roles.ComputeRoleRef("new-role", "compute_role_arn").planned_arn(None) == "new-role"


def test_read_role_fails_naming_the_option():
    with pytest.raises(amplify.AmplifyError, match="^role: IAM role 'missing' does not exist"):
        compute_roles.ComputeRoleRef("missing", "role").read(Iam(iam_role()))
    with pytest.raises(amplify.AmplifyError, match=r"^role: .* \(another path or account\)$"):
        compute_roles.ComputeRoleRef("arn:aws:iam::123456789012:role/other/site-compute", "role").read(Iam(iam_role()))
    lambda_trust = {
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }
    with pytest.raises(amplify.AmplifyError, match="^role: the trust policy .* does not let amplify.amazonaws.com"):
        compute_roles.ComputeRoleRef(SITE_ROLE, "role").read(Iam(iam_role(trust=lambda_trust)))


class _Module:
    check_mode = False

    def warn(self, message):
        raise AssertionError("no warning expected: %s" % message)


def test_a_role_of_another_account_is_refused_before_iam_is_read():
    iam = Iam(iam_role())
    foreign = "arn:aws:iam::222222222222:role/site-compute"
    app_arn = "arn:aws:amplify:us-east-1:123456789012:apps/dabc"
    with pytest.raises(amplify.AmplifyError, match=(
            r"^compute_role_arn: IAM role arn:aws:iam::222222222222:role/site-compute is in account 222222222222, and "
            r"the app dabc in account 123456789012: Amplify takes only a role of the app's own account$")):
        compute_roles.ComputeRoleRef(foreign, "compute_role_arn").resolve(_Module(), iam, app_arn + "/branches/main")
    assert iam.calls == []
    # Same account, or named by name (always this account's), or an app not made yet: read as before.
    assert compute_roles.ComputeRoleRef(SITE_ROLE, "role").account_problem(app_arn) is None
    assert compute_roles.ComputeRoleRef("site-compute", "role").account_problem(app_arn) is None
    assert compute_roles.ComputeRoleRef(foreign, "role").account_problem(None) is None
    assert compute_roles.ComputeRoleRef(SITE_ROLE, "role").resolve(_Module(), iam, app_arn) == SITE_ROLE
