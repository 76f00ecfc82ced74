# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The logs_role role's policy (module_utils/logs_role.py, filter logs_role_policy) and the check of its variables."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.amplify_hosting.ssr.plugins.filter.logs_role import logs_role_policy, logs_role_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils import logs_role

DESCRIBE = {"Effect": "Allow", "Action": ["logs:DescribeLogGroups"], "Resource": "*"}
WRITE = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]


@pytest.mark.parametrize(
    "partition, region, groups",
    [
        ("aws", "eu-west-1", "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/amplify/*"),
        ("aws", "", "arn:aws:logs:*:123456789012:log-group:/aws/amplify/*"),
        ("aws-cn", "cn-north-1", "arn:aws-cn:logs:cn-north-1:123456789012:log-group:/aws/amplify/*"),
        ("aws-us-gov", "us-gov-west-1", "arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:/aws/amplify/*"),
    ],
)
def test_the_policy_scopes_the_writes_to_the_amplify_log_groups_and_lists_on_star(partition, region, groups):
    assert logs_role.logs_policy(partition, "123456789012", region) == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": WRITE, "Resource": groups}, DESCRIBE],
    }
    assert logs_role_policy(partition, "123456789012", region) == logs_role.logs_policy(
        partition, "123456789012", region)


@pytest.mark.parametrize(
    "args, expected",
    [
        (("amazon", "123456789012", ""), "partition: 'amazon' is not an AWS partition"),
        (("aws", "1234", ""), "account: '1234' is not a 12-digit account id"),
        (("aws", "123456789012", "Europe"), "region: 'Europe' is not an AWS region"),
    ],
)
def test_the_policy_refuses_a_bad_location(args, expected):
    with pytest.raises(ValueError, match=expected):
        logs_role.logs_policy(*args)
    with pytest.raises(AnsibleFilterError, match="logs_role_policy: " + expected):
        logs_role_policy(*args)


def test_the_policy_name():
    assert logs_role.logs_policy_name("app-dev-logs") == "app-dev-logs-logs"


GOOD = {"enabled": True, "existing_arn": "", "name": "app-dev-logs", "environment": "dev", "region": "eu-west-1",
        "path": "/", "tags": {"team": "web"}}


@pytest.mark.parametrize(
    "change, expected",
    [
        ({}, []),
        ({"region": ""}, []),
        ({"enabled": False, "name": "", "environment": ""}, []),
        ({"existing_arn": "arn:aws:iam::123456789012:role/own/logs", "name": ""}, []),
        ({"existing_arn": "arn:aws-cn:iam::123456789012:role/logs", "name": "bad name"}, []),
        ({"enabled": "yes"}, ["logs_role_enabled: must be true or false"]),
        ({"existing_arn": "logs"}, ["logs_role_existing_arn: must be \"\" or an IAM role ARN"]),
        ({"existing_arn": "arn:aws:iam::123456789012:user/logs"}, ["logs_role_existing_arn"]),
        ({"name": ""}, ["logs_role_name: '' is not an IAM role name"]),
        ({"name": "a" * 65}, ["logs_role_name"]),
        ({"environment": ""}, ["logs_role_environment: must be 1-256 characters"]),
        ({"region": "Europe"}, ["logs_role_region: 'Europe' is not an AWS region"]),
        ({"path": "amplify"}, ["logs_role_path: must be '/'"]),
        ({"tags": {"aws:team": "web"}}, ["logs_role_tags"]),
        ({"name": "", "environment": ""}, ["logs_role_name", "logs_role_environment"]),
    ],
)
def test_the_problems_name_their_variable(change, expected):
    problems = logs_role_problems(dict(GOOD, **change))
    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected):
        assert problem.startswith(start), problems


def test_the_problems_filter_wants_a_mapping():
    with pytest.raises(AnsibleFilterError, match="mapping"):
        logs_role_problems(["name"])
