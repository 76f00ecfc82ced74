# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An environment's credential settings, checked by STS AssumeRole's rules and amazon.aws's before any call."""

import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import credentials

ROLE = "arn:aws:iam::222222222222:role/compute-role-demo-deployer"


@pytest.mark.parametrize("settings", [
    {},
    {"aws_profile": "prod"},
    {"aws_access_key": "AKIA", "aws_secret_key": "s"},
    {"aws_profile": "tooling", "ssr_assume_role_arn": ROLE},
    {"aws_access_key": "AKIA", "aws_secret_key": "s", "ssr_assume_role_arn": ROLE, "ssr_assume_role_external_id": "ab",
     "ssr_assume_role_session_name": "ci@acme.example"},
    {"ssr_assume_role_arn": "arn:aws-cn:iam::222222222222:role/path/to/deployer"},
    {"ssr_assume_role_arn": "arn:aws-us-gov:iam::222222222222:role/deployer",
     "ssr_assume_role_external_id": "a:b/c=d,e.f@g+h_i-" + "x" * 1206},
    # Empty values are "not set" (an -e override that removes one).
    {"aws_profile": "p", "aws_access_key": "", "aws_secret_key": "", "ssr_assume_role_arn": ""},
])
def test_settings_that_are_fine(settings):
    assert credentials.problems(settings) == []


@pytest.mark.parametrize("settings, problem", [
    ({"aws_profile": "p", "aws_access_key": "AKIA"},
     "aws_profile: set together with aws_access_key/aws_secret_key; give one or the other (amazon.aws takes a "
     "profile or access keys, not both)"),
    ({"aws_profile": "  "}, "aws_profile: must name a profile of the AWS config (got '  ')"),
    ({"aws_profile": 7}, "aws_profile: must name a profile of the AWS config (got 7)"),
    ({"ssr_assume_role_arn": "arn:aws:s3:::bucket"},
     "ssr_assume_role_arn: 'arn:aws:s3:::bucket' is not an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)"),
    ({"ssr_assume_role_arn": "arn:aws:iam::222222222222:user/deployer"},
     "ssr_assume_role_arn: 'arn:aws:iam::222222222222:user/deployer' is not an IAM role ARN "
     "(arn:<partition>:iam::<account>:role/<name>)"),
    ({"ssr_assume_role_arn": "deployer"},
     "ssr_assume_role_arn: 'deployer' is not an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)"),
    ({"ssr_assume_role_arn": "arn:aws:iam::2222:role/deployer"},
     "ssr_assume_role_arn: 'arn:aws:iam::2222:role/deployer' does not name a 12-digit account"),
    ({"ssr_assume_role_arn": ROLE, "ssr_assume_role_external_id": "x"},
     "ssr_assume_role_external_id: must be 2-1224 letters, digits and _+=,.@:/- (STS AssumeRole)"),
    ({"ssr_assume_role_arn": ROLE, "ssr_assume_role_external_id": "x" * 1225},
     "ssr_assume_role_external_id: must be 2-1224 letters, digits and _+=,.@:/- (STS AssumeRole)"),
    ({"ssr_assume_role_arn": ROLE, "ssr_assume_role_external_id": "has space"},
     "ssr_assume_role_external_id: must be 2-1224 letters, digits and _+=,.@:/- (STS AssumeRole)"),
    ({"ssr_assume_role_arn": ROLE, "ssr_assume_role_session_name": "a/b"},
     "ssr_assume_role_session_name: must be 2-64 letters, digits and _+=,.@- (STS AssumeRole)"),
    ({"ssr_assume_role_arn": ROLE, "ssr_assume_role_session_name": "s" * 65},
     "ssr_assume_role_session_name: must be 2-64 letters, digits and _+=,.@- (STS AssumeRole)"),
    ({"ssr_assume_role_external_id": "abc"},
     "ssr_assume_role_external_id: is set without ssr_assume_role_arn, the role it is for"),
    ({"ssr_assume_role_session_name": "abc"},
     "ssr_assume_role_session_name: is set without ssr_assume_role_arn, the role it is for"),
])
def test_each_problem_names_its_variable(settings, problem):
    assert credentials.problems(settings) == [problem]


def test_every_problem_is_reported_at_once():
    found = credentials.problems({"aws_profile": "p", "aws_secret_key": "s", "ssr_assume_role_arn": "x",
                                  "ssr_assume_role_external_id": "y"})
    assert [p.split(":")[0] for p in found] == ["aws_profile", "ssr_assume_role_arn", "ssr_assume_role_external_id"]


@pytest.mark.parametrize("environment, name", [
    ("prod", "amplify-hosting-ssr-prod"),
    ("feature/x y", "amplify-hosting-ssr-feature-x-y"),
    ("é", "amplify-hosting-ssr--"),
    ("e" * 80, ("amplify-hosting-ssr-" + "e" * 80)[:64]),
])
def test_the_default_session_name_is_one_sts_takes(environment, name):
    assert credentials.session_name(environment) == name
    assert credentials.SESSION_NAME_RE.match(credentials.session_name(environment))


def test_environments_that_share_credentials_share_one_read_of_their_account():
    environments = [
        {"inventory_hostname": "dev"},
        {"inventory_hostname": "staging", "aws_profile": ""},  # "" is not set: the same source as dev's
        {"inventory_hostname": "qa", "aws_profile": "team"},
        {"inventory_hostname": "prod", "ssr_assume_role_arn": "arn:aws:iam::222222222222:role/deployer"},
        {"inventory_hostname": "perf", "aws_profile": "team"},
        {"inventory_hostname": "sandbox", "aws_access_key": "AKIAEXAMPLE"},
        {"inventory_hostname": "local", "aws_endpoint_url": "http://127.0.0.1:4566"},
    ]
    assert credentials.readers(environments) == {
        "dev": "dev", "staging": "dev", "qa": "qa", "prod": "", "perf": "qa", "sandbox": "sandbox", "local": "local"}


def test_a_single_environment_reads_its_own_account():
    assert credentials.readers([{"inventory_hostname": "dev", "aws_profile": "team"}]) == {"dev": "dev"}
