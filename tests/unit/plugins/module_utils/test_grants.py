# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A compute role's documents, generated from what is asked for (the trust policy, the grants' inline policy),
and the checks of what is asked for: each problem names its option and index."""

import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import grants

BUCKET = "site-private"
ACCOUNT = "123456789012"
APP_ARN = "arn:aws:amplify:eu-west-1:123456789012:apps/d1a2b3c4d5e6f7"


def get(bucket, prefix):
    return {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/%s*" % (bucket, prefix)}


# --- the trust policy ----------------------------------------------------------------------------------------
def test_the_trust_policy_lets_amplify_assume_the_role_and_nothing_else():
    assert grants.trust_policy() == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    assert grants.trust_conditions() == {}


def test_the_trust_conditions_are_the_global_keys_asked_for():
    assert grants.trust_policy(ACCOUNT, APP_ARN)["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:AssumeRole",
         "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}, "ArnLike": {"aws:SourceArn": APP_ARN}}}]
    assert grants.trust_conditions(ACCOUNT) == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    assert grants.trust_conditions(source_arn=APP_ARN) == {"ArnLike": {"aws:SourceArn": APP_ARN}}


# --- the grants' policy ----------------------------------------------------------------------------------------
def test_read_is_get_object_under_the_prefix():
    assert grants.grants_policy([{"bucket": BUCKET, "prefix": "img/", "access": "read"}]) == {
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site-private/img/*"}]}
    # No prefix, no access: the whole bucket, read.
    assert grants.grants_policy([{"bucket": BUCKET}])["Statement"] == [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site-private/*"}]


def test_list_adds_list_bucket_limited_to_the_prefix():
    assert grants.grants_policy([{"bucket": BUCKET, "prefix": "img/", "access": "list"}])["Statement"] == [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site-private/img/*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::site-private",
         "Condition": {"StringLike": {"s3:prefix": "img/*"}}},
    ]


def test_list_without_prefix_lists_the_whole_bucket_without_condition():
    assert grants.grants_policy([{"bucket": BUCKET, "prefix": "", "access": "list"}])["Statement"] == [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site-private/*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::site-private"},
    ]


def test_each_statement_once_in_the_order_given():
    statements = grants.grants_policy([
        {"bucket": BUCKET, "prefix": "b/", "access": "list"},
        {"bucket": BUCKET, "prefix": "b/"},  # its GetObject is the list grant's: once
        {"bucket": "site-public", "prefix": "a/"},
        {"bucket": "site-public", "prefix": "a/"},
    ])["Statement"]
    assert statements == [
        get(BUCKET, "b/"),
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::site-private",
         "Condition": {"StringLike": {"s3:prefix": "b/*"}}},
        get("site-public", "a/"),
    ]


def test_the_partition_is_in_each_resource():
    policy = grants.grants_policy([{"bucket": BUCKET, "prefix": "x/", "access": "list"}], "aws-cn")
    assert [s["Resource"] for s in policy["Statement"]] == [
        "arn:aws-cn:s3:::site-private/x/*", "arn:aws-cn:s3:::site-private"]


@pytest.mark.parametrize("value", [[], None])
def test_no_grants_no_policy(value):
    assert grants.grants_policy(value) is None


def test_the_policy_name_and_size():
    assert grants.grants_policy_name("demo-dev-compute") == "demo-dev-compute-grants"
    # IAM counts no whitespace outside strings, and non-ASCII characters as one each.
    assert grants.policy_size({"Statement": [{"Sid": "a b", "Resource": "é"}]}) == len(
        '{"Statement":[{"Sid":"a b","Resource":"é"}]}')


# --- the checks ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [
    [],
    [{"bucket": BUCKET}],
    [{"bucket": BUCKET, "prefix": "img/", "access": "read"}, {"bucket": "site-public", "prefix": "", "access": "list"}],
    [{"bucket": BUCKET, "prefix": None, "access": None}],  # as an unset option arrives: the defaults
])
def test_good_grants(value):
    assert grants.grant_problems(value, "grants") == []


@pytest.mark.parametrize("value, expected", [
    ("site-private", ["grants: must be a list of grants ({bucket, prefix, access}), not str"]),
    ({"bucket": BUCKET}, ["grants: must be a list of grants ({bucket, prefix, access}), not dict"]),
    ([BUCKET], ["grants[0]: must be a mapping {bucket, prefix, access}, not str"]),
    ([{}], ["grants[0].bucket: must be a bucket name (got None)"]),
    ([{"bucket": BUCKET}, {"bucket": "Site_Private"}], [
        "grants[1].bucket: 'Site_Private' is not an S3 bucket name (3 to 63 lowercase letters, digits, dots and "
        "hyphens, beginning and ending with a letter or digit)"]),
    ([{"bucket": BUCKET, "access": "write"}], ["grants[0].access: must be one of read, list (got 'write')"]),
    ([{"bucket": BUCKET, "prefix": 5}], ["grants[0].prefix: must be a string (got 5)"]),
    ([{"bucket": BUCKET, "acces": "list"}], [
        "grants[0]: unknown key(s) acces (a grant has bucket, prefix and access)"]),
])
def test_bad_grants_name_the_option_and_index(value, expected):
    assert grants.grant_problems(value, "grants") == expected


@pytest.mark.parametrize("prefix", ["img/*", "*", "img/?", "${aws:username}/", "a*b/"])
def test_a_wildcard_or_variable_in_a_prefix_would_widen_the_grant(prefix):
    assert grants.grant_problems([{"bucket": BUCKET}, {"bucket": BUCKET, "prefix": prefix}], "grants") == [
        "grants[1].prefix: %r contains '*', '?' or '$', which would widen the grant (a prefix is taken literally; give"
        " the characters before any wildcard)" % prefix]


def test_every_problem_of_every_grant_is_named():
    problems = grants.grant_problems([{"bucket": "B", "prefix": "x*", "access": "all", "extra": 1}, 7], "vars.grants")
    assert [p.split(":")[0] for p in problems] == ["vars.grants[0]", "vars.grants[0].bucket", "vars.grants[0].prefix",
                                                   "vars.grants[0].access", "vars.grants[1]"]


def sized(size):
    """Read grants whose inline policy has exactly `size` characters (the last prefix padded)."""
    value = [{"bucket": BUCKET, "prefix": "p%03d/" % i} for i in range(110)]
    short = grants.policy_size(grants.grants_policy(value))
    assert short < size
    value[-1]["prefix"] += "x" * (size - short)
    assert grants.policy_size(grants.grants_policy(value)) == size
    return value


def test_the_inline_policy_may_have_10240_characters_and_not_one_more():
    assert grants.ROLE_POLICY_SIZE_MAX == 10240
    assert grants.grant_problems(sized(10240), "grants") == []
    assert grants.grant_problems(sized(10241), "iam_compute_role_grants") == [
        "iam_compute_role_grants: the generated inline policy has 10241 characters, IAM allows 10240 for a role's"
        " inline policies together; use fewer grants or wider prefixes"]


@pytest.mark.parametrize("value", [
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    "arn:aws:iam::123456789012:policy/boundary",
    "arn:aws:iam::123456789012:policy/team/ssr/boundary",
    "arn:aws-cn:iam::123456789012:policy/boundary",
])
def test_managed_policy_arns(value):
    assert grants.policy_arn_problems(value, "permissions_boundary") == []


@pytest.mark.parametrize("value", [
    "arn:aws:iam::123456789012:role/boundary",
    "arn:aws:iam:us-east-1:123456789012:policy/boundary",
    "arn:aws:iam::12345:policy/boundary",
    "arn:aws:s3:::site-private",
    "boundary",
    "",
    None,
])
def test_not_managed_policy_arns(value):
    assert grants.policy_arn_problems(value, "permissions_boundary") == [
        "permissions_boundary: %r is not a managed policy ARN (arn:<partition>:iam::<aws or account id>:policy/"
        "[path/]<name>)" % (value,)]


def test_an_empty_boundary_is_none_where_allowed_and_the_message_says_so():
    assert grants.policy_arn_problems("", "permissions_boundary", allow_empty=True) == []
    assert grants.policy_arn_problems("boundary", "permissions_boundary", allow_empty=True) == [
        "permissions_boundary: 'boundary' is not a managed policy ARN (arn:<partition>:iam::<aws or account id>:"
        "policy/[path/]<name>), or \"\" for none"]


def test_managed_policies_are_arns_or_names_each_named_by_index():
    assert grants.managed_policy_problems(
        ["AmazonS3ReadOnlyAccess", "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess", "team+ssr=read,all@x_y.z-1"],
        "managed_policies") == []
    assert grants.managed_policy_problems(
        ["ok", "not a name", "arn:aws:iam::aws:role/x", "", 5, "p" * 129], "managed_policies") == [
        "managed_policies[1]: 'not a name' is neither a managed policy ARN nor a policy name (1-128 letters, digits"
        " and +=,.@_-)",
        "managed_policies[2]: 'arn:aws:iam::aws:role/x' is not a managed policy ARN (arn:<partition>:iam::<aws or"
        " account id>:policy/[path/]<name>)",
        "managed_policies[3]: '' is neither a managed policy ARN nor a policy name (1-128 letters, digits and"
        " +=,.@_-)",
        "managed_policies[4]: 5 is neither a managed policy ARN nor a policy name (1-128 letters, digits and"
        " +=,.@_-)",
        "managed_policies[5]: %r is neither a managed policy ARN nor a policy name (1-128 letters, digits and"
        " +=,.@_-)" % ("p" * 129),
    ]
    assert grants.managed_policy_problems("AmazonS3ReadOnlyAccess", "managed_policies") == [
        "managed_policies: must be a list of managed policy ARNs or names, not str"]


@pytest.mark.parametrize("account, arn", [
    ("", ""),
    (ACCOUNT, ""),
    ("", APP_ARN),
    (ACCOUNT, "arn:aws:amplify:*:123456789012:apps/*"),
    ("", "arn:aws:amplify:eu-west-1:*:apps/d1a2b3c4d5e6f7"),
    ("", "arn:aws-cn:amplify:cn-north-1:123456789012:apps/d1a2b3c4d5e6f7/branches/main"),
])
def test_good_trust_conditions_wildcards_allowed(account, arn):
    assert grants.trust_condition_problems(account, arn, "source_account", "source_arn") == []


@pytest.mark.parametrize("arn", [
    "arn:aws:s3:::site-private",
    "arn:aws:lambda:eu-west-1:123456789012:function:ssr",
    "arn:aws:amplify:eu-west-1:123456789012:apps/",
    "arn:aws:amplify:eu-west-1:123456789012:webhooks/x",
    "arn:aws:amplify:eu-west-1:123456789012",
    "xarn:aws:amplify:eu-west-1:123456789012:apps/d1",
    "d1a2b3c4d5e6f7",
    5,
])
def test_a_source_arn_must_be_an_amplify_app(arn):
    assert grants.trust_condition_problems("", arn, "source_account", "source_arn") == [
        "source_arn: must be \"\" or an Amplify app ARN such as arn:aws:amplify:eu-west-1:123456789012:apps/"
        "d1a2b3c4d5e6f7 (wildcards allowed) (got %r)" % (arn,)]


@pytest.mark.parametrize("account", ["12345", "12345678901a", "1234567890123", 123456789012, "*"])
def test_a_source_account_is_twelve_digits(account):
    assert grants.trust_condition_problems(account, "", "iam_compute_role_source_account", "x") == [
        "iam_compute_role_source_account: must be \"\" or a 12-digit account id (got %r)" % (account,)]


def test_both_trust_conditions_are_judged_in_one_go():
    problems = grants.trust_condition_problems("1", "arn:aws:s3:::b", "a", "b")
    assert [p.split(":")[0] for p in problems] == ["a", "b"]
