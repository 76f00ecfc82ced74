# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The iam_compute_role role's filters: its documents (the generator compute_role_audit proves against) and the
check of its variables, each problem naming the variable."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.amplify_hosting.ssr.plugins.filter.grants import (
    FilterModule,
    compute_role_grants_policy,
    compute_role_trust_policy,
    iam_compute_role_problems,
)
from ansible_collections.amplify_hosting.ssr.plugins.module_utils import grants

ACCOUNT = "123456789012"
APPS = "arn:aws:amplify:*:123456789012:apps/*"
GOOD = {"name": "demo-dev-compute", "environment": "dev",
        "grants": [{"bucket": "site-private", "prefix": "img/", "access": "list"}],
        "managed_policies": ["AmazonS3ReadOnlyAccess"], "source_account": ACCOUNT, "source_arn": APPS,
        "path": "/ssr/", "permissions_boundary": "arn:aws:iam::123456789012:policy/boundary",
        "max_session_duration": 3600, "tags": {"team": "web"}}


def test_the_filters_are_registered_under_their_names():
    assert FilterModule().filters() == {"compute_role_trust_policy": compute_role_trust_policy,
                                        "compute_role_grants_policy": compute_role_grants_policy,
                                        "iam_compute_role_problems": iam_compute_role_problems}


# --- the documents -----------------------------------------------------------------------------------------------
def test_the_trust_policy_is_the_generators():
    assert compute_role_trust_policy() == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    assert compute_role_trust_policy(ACCOUNT, APPS) == grants.trust_policy(ACCOUNT, APPS)
    assert compute_role_trust_policy(ACCOUNT, APPS)["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT}, "ArnLike": {"aws:SourceArn": APPS}}


@pytest.mark.parametrize("args, message", [
    (("12345", ""), "source_account: must be \"\" or a 12-digit account id (got '12345')"),
    (("", "arn:aws:s3:::site-private"), "source_arn: must be \"\" or an Amplify app ARN"),
])
def test_the_trust_policy_refuses_bad_conditions(args, message):
    with pytest.raises(AnsibleFilterError) as raised:
        compute_role_trust_policy(*args)
    assert str(raised.value).startswith("compute_role_trust_policy: " + message)


def test_the_grants_policy_is_the_generators_in_the_partition_given():
    assert compute_role_grants_policy(GOOD["grants"]) == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site-private/img/*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::site-private",
         "Condition": {"StringLike": {"s3:prefix": "img/*"}}}]}
    gov = grants.grants_policy(GOOD["grants"], "aws-us-gov")
    assert compute_role_grants_policy(GOOD["grants"], "aws-us-gov") == gov
    assert compute_role_grants_policy([]) is None


@pytest.mark.parametrize("value, message", [
    ({"bucket": "site-private"}, "grants: must be a list of grants, not dict"),
    ([{"bucket": "site-private", "prefix": "img/*"}], "grants[0].prefix: 'img/*' contains '*', '?' or '$'"),
    ([{"bucket": "site-private", "access": "write"}], "grants[0].access: must be one of read, list (got 'write')"),
])
def test_the_grants_policy_refuses_bad_grants(value, message):
    with pytest.raises(AnsibleFilterError) as raised:
        compute_role_grants_policy(value)
    assert str(raised.value).startswith("compute_role_grants_policy: " + message)


# --- the variables -----------------------------------------------------------------------------------------------
def test_right_variables_have_no_problem():
    assert iam_compute_role_problems(GOOD) == []
    # The defaults of the role.
    assert iam_compute_role_problems({"name": "r", "environment": "dev", "grants": [], "managed_policies": [],
                                      "source_account": "", "source_arn": "", "path": "/",
                                      "permissions_boundary": "", "max_session_duration": 3600, "tags": {}}) == []
    # Optional variables missing: their defaults.
    assert iam_compute_role_problems({"name": "r", "environment": "dev"}) == []
    assert iam_compute_role_problems(dict(GOOD, max_session_duration="43200")) == []


@pytest.mark.parametrize("variable, value, message", [
    ("name", "bad name", "iam_compute_role_name: 'bad name' is not an IAM role name (1-64 letters, digits and"
                         " +=,.@_-)"),
    ("name", "r" * 65, "iam_compute_role_name: "),
    ("name", "", "iam_compute_role_name: '' is not an IAM role name"),
    ("environment", "", "iam_compute_role_environment: must be 1-256 characters (it is the 'environment' tag)"
                        " (got '')"),
    ("environment", "e" * 257, "iam_compute_role_environment: must be 1-256 characters"),
    ("grants", [{"bucket": "site-private", "prefix": "$x"}], "iam_compute_role_grants[0].prefix: '$x' contains"),
    ("grants", [{"bucket": "Site"}], "iam_compute_role_grants[0].bucket: 'Site' is not an S3 bucket name"),
    ("managed_policies", ["AmazonS3ReadOnlyAccess", "no such"],
     "iam_compute_role_managed_policies[1]: 'no such' is neither a managed policy ARN nor a policy name"),
    ("source_account", "1234", "iam_compute_role_source_account: must be \"\" or a 12-digit account id (got '1234')"),
    ("source_arn", "arn:aws:lambda:eu-west-1:123456789012:function:x",
     "iam_compute_role_source_arn: must be \"\" or an Amplify app ARN"),
    ("path", "ssr", "iam_compute_role_path: must be '/' or start and end with '/', at most 512 characters of"
                    " letters, digits and +=,.@_- (got 'ssr')"),
    ("path", "/ssr", "iam_compute_role_path: "),
    ("path", None, "iam_compute_role_path: "),
    ("permissions_boundary", "boundary", "iam_compute_role_permissions_boundary: 'boundary' is not a managed policy"
                                         " ARN (arn:<partition>:iam::<aws or account id>:policy/[path/]<name>), or \"\""
                                         " for none"),
    ("max_session_duration", 3599, "iam_compute_role_max_session_duration: must be 3600 to 43200 seconds (got 3599)"),
    ("max_session_duration", 43201, "iam_compute_role_max_session_duration: must be 3600 to 43200 seconds"),
    ("max_session_duration", True, "iam_compute_role_max_session_duration: must be 3600 to 43200 seconds (got True)"),
    ("max_session_duration", "1h", "iam_compute_role_max_session_duration: "),
    ("tags", {"aws:team": "x"}, "iam_compute_role_tags: 'aws:team' starts with aws:"),
])
def test_each_wrong_variable_is_named(variable, value, message):
    problems = iam_compute_role_problems(dict(GOOD, **{variable: value}))
    assert len(problems) == 1 and problems[0].startswith(message), problems


def test_every_problem_in_the_order_of_the_argument_specification():
    problems = iam_compute_role_problems({
        "name": "a b", "environment": "", "grants": [{"bucket": "site-private", "prefix": "*"}],
        "managed_policies": ["x y"], "source_account": "1", "source_arn": "x", "path": "p",
        "permissions_boundary": "b", "max_session_duration": 1, "tags": {"aws:x": "y"}})
    assert [p.split(":")[0].split("[")[0] for p in problems] == [
        "iam_compute_role_name", "iam_compute_role_environment", "iam_compute_role_grants",
        "iam_compute_role_managed_policies", "iam_compute_role_source_account", "iam_compute_role_source_arn",
        "iam_compute_role_path", "iam_compute_role_permissions_boundary", "iam_compute_role_max_session_duration",
        "iam_compute_role_tags"]


def test_the_input_must_be_the_mapping_of_the_variables():
    with pytest.raises(AnsibleFilterError, match="^iam_compute_role_problems: the input must be a mapping"):
        iam_compute_role_problems(["demo-dev-compute"])


def test_grants_outside_s3_take_the_roles_region_and_account():
    table = [{"kind": "dynamodb_table", "table": "items"}]
    policy = compute_role_grants_policy(table, "aws", "eu-west-1", "123456789012")
    assert policy["Statement"][0]["Resource"] == "arn:aws:dynamodb:eu-west-1:123456789012:table/items"
    with pytest.raises(AnsibleFilterError) as raised:
        compute_role_grants_policy(table, "aws", "eu-west-1", "")
    assert "needs a region and an account" in str(raised.value)


def test_a_grant_outside_s3_needs_iam_compute_role_region():
    variables = dict(GOOD, grants=[{"kind": "secret", "name": "app/dev/api-key"}])
    assert iam_compute_role_problems(variables) == [
        "iam_compute_role_grants[0]: needs a region: set its region, or iam_compute_role_region"]
    assert iam_compute_role_problems(dict(variables, region="eu-west-1")) == []
    assert iam_compute_role_problems(dict(GOOD, region="Europe")) == [
        "iam_compute_role_region: 'Europe' is not an AWS region (for example eu-west-1)"]
