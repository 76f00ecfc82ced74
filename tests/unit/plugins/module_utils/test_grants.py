# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A compute role's documents, generated from what is asked for (the trust policy, the grants' inline policy),
and the checks of what is asked for: each problem names its option and index."""

import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import grants

BUCKET = "site-private"
ACCOUNT = "123456789012"
APP_ARN = "arn:aws:amplify:eu-west-1:123456789012:apps/d1a2b3c4d5e6f7"


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
    # The GetObject statements are one, with both resources (same effect, action and condition: merged).
    assert statements == [
        {"Effect": "Allow", "Action": "s3:GetObject",
         "Resource": ["arn:aws:s3:::site-private/b/*", "arn:aws:s3:::site-public/a/*"]},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::site-private",
         "Condition": {"StringLike": {"s3:prefix": "b/*"}}},
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
    ("site-private", ["grants: must be a list of grants, not str"]),
    ({"bucket": BUCKET}, ["grants: must be a list of grants, not dict"]),
    ([BUCKET], ["grants[0]: must be a mapping (a grant), not str"]),
    ([{}], ["grants[0].bucket: must be a bucket name (got None)"]),
    ([{"bucket": BUCKET}, {"bucket": "Site_Private"}], [
        "grants[1].bucket: 'Site_Private' is not an S3 bucket name (3 to 63 lowercase letters, digits, dots and "
        "hyphens, beginning and ending with a letter or digit)"]),
    ([{"bucket": BUCKET, "access": "write"}], ["grants[0].access: must be one of read, list (got 'write')"]),
    ([{"bucket": BUCKET, "prefix": 5}], ["grants[0].prefix: must be a string (got 5)"]),
    ([{"bucket": BUCKET, "acces": "list"}], [
        "grants[0]: unknown key(s) acces (a grant of kind s3 has bucket, prefix, access)"]),
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
        " inline policies together; use fewer grants, wider prefixes or paths"]


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


# --- grants outside S3 (issue 14): exact statements, in each partition -------------------------------------------
PARTITIONS = [("aws", "eu-west-1", "amazonaws.com"), ("aws-cn", "cn-north-1", "amazonaws.com.cn"),
              ("aws-us-gov", "us-gov-west-1", "amazonaws.com")]
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize("partition, region, suffix", PARTITIONS)
def test_a_parameter_by_name_with_its_key(partition, region, suffix):
    policy = grants.grants_policy([{"kind": "ssm_parameter", "name": "/app/dev/config", "kms_key": KEY_ID}],
                                  partition, region, ACCOUNT)
    assert policy["Statement"] == [
        {"Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParameters"],
         "Resource": "arn:%s:ssm:%s:%s:parameter/app/dev/config" % (partition, region, ACCOUNT)},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:%s:kms:%s:%s:key/%s" % (partition, region, ACCOUNT, KEY_ID),
         "Condition": {"StringEquals": {"kms:ViaService": "ssm.%s.%s" % (region, suffix)}}},
    ]


def test_a_parameter_without_hierarchy_and_a_path():
    policy = grants.grants_policy([{"kind": "ssm_parameter", "name": "config"},
                                   {"kind": "ssm_parameter", "path": "/app/dev/", "region": "us-east-2", "account": "999999999999"}],
                                  "aws", "eu-west-1", ACCOUNT)
    assert policy["Statement"] == [
        {"Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParameters"],
         "Resource": ["arn:aws:ssm:eu-west-1:123456789012:parameter/config",
                      "arn:aws:ssm:us-east-2:999999999999:parameter/app/dev/*"]},
        # GetParametersByPath is authorized against the path itself.
        {"Effect": "Allow", "Action": "ssm:GetParametersByPath",
         "Resource": "arn:aws:ssm:us-east-2:999999999999:parameter/app/dev"},
    ]


@pytest.mark.parametrize("partition, region, suffix", PARTITIONS)
def test_a_secret_with_the_suffix_secrets_manager_appends(partition, region, suffix):
    key = "arn:%s:kms:%s:%s:key/%s" % (partition, region, ACCOUNT, KEY_ID)
    policy = grants.grants_policy([{"kind": "secret", "name": "app/dev/api-key", "kms_key": key}], partition, region, ACCOUNT)
    assert policy["Statement"] == [
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
         "Resource": "arn:%s:secretsmanager:%s:%s:secret:app/dev/api-key-??????" % (partition, region, ACCOUNT)},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key,
         "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.%s.%s" % (region, suffix)}}},
    ]


@pytest.mark.parametrize("partition, region, suffix", PARTITIONS)
def test_a_table_read_and_read_write(partition, region, suffix):
    table = "arn:%s:dynamodb:%s:%s:table/items" % (partition, region, ACCOUNT)
    reads = ["dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable", "dynamodb:GetItem",
             "dynamodb:Query", "dynamodb:Scan"]
    index = {"Effect": "Allow", "Action": ["dynamodb:Query", "dynamodb:Scan"], "Resource": table + "/index/*"}
    assert grants.grants_policy([{"kind": "dynamodb_table", "table": "items"}], partition, region, ACCOUNT)["Statement"] == [
        {"Effect": "Allow", "Action": reads, "Resource": table}, index]
    writes = ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    assert grants.grants_policy([{"kind": "dynamodb_table", "table": "items", "access": "read_write"}],
                                partition, region, ACCOUNT)["Statement"] == [
        {"Effect": "Allow", "Action": reads + writes, "Resource": table}, index]


def test_a_statement_of_ones_own_is_kept_and_merged_like_the_others():
    own = {"Action": "s3:GetObject", "Resource": "arn:aws:s3:::other-bucket/shared/*"}
    policy = grants.grants_policy([{"bucket": BUCKET}, {"kind": "statement", "statement": own},
                                   {"kind": "statement", "statement": dict(own, Sid="Mine", Effect="Deny")}])
    assert policy["Statement"] == [
        {"Effect": "Allow", "Action": "s3:GetObject",
         "Resource": ["arn:aws:s3:::site-private/*", "arn:aws:s3:::other-bucket/shared/*"]},
        {"Sid": "Mine", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other-bucket/shared/*"},
    ]


def test_a_grant_outside_s3_without_region_or_account_cannot_be_made():
    with pytest.raises(ValueError):
        grants.grants_policy([{"kind": "secret", "name": "x"}], "aws", "eu-west-1", None)


@pytest.mark.parametrize("grant, expected", [
    ({"kind": "queue"}, "grants[0].kind: must be one of s3, ssm_parameter, secret, dynamodb_table, statement (got 'queue')"),
    ({"kind": "ssm_parameter"}, "grants[0]: an ssm_parameter grant names either a parameter (name) or a path (path)"),
    ({"kind": "ssm_parameter", "name": "/a", "path": "/a"},
     "grants[0]: an ssm_parameter grant names either a parameter (name) or a path (path)"),
    ({"kind": "ssm_parameter", "name": ""}, "grants[0].name: must be a parameter name (got '')"),
    ({"kind": "ssm_parameter", "name": "/app/*"}, "grants[0].name: '/app/*' holds characters a parameter name cannot"),
    ({"kind": "ssm_parameter", "name": "app/x"}, "grants[0].name: 'app/x' has a hierarchy, so it must begin with /"),
    ({"kind": "ssm_parameter", "name": "/aws/reference"}, "grants[0].name: '/aws/reference' begins with aws or ssm"),
    ({"kind": "ssm_parameter", "path": "/"}, "grants[0].path: '/' must begin with / and name at least one level"),
    ({"kind": "ssm_parameter", "path": "app"}, "grants[0].path: 'app' must begin with / and name at least one level"),
    ({"kind": "ssm_parameter", "name": "/" + "/".join("l%d" % i for i in range(16))}, "has more than 15 levels"),
    ({"kind": "ssm_parameter", "name": "/a", "kms_key": "alias/aws/ssm"}, "grants[0].kms_key: 'alias/aws/ssm' is not a KMS key ARN"),
    ({"kind": "secret", "name": "db/*"}, "grants[0].name: 'db/*' is not a secret name"),
    ({"kind": "secret", "name": "db", "region": "Europe"}, "grants[0].region: 'Europe' is not an AWS region"),
    ({"kind": "secret", "name": "db", "account": "123"}, "grants[0].account: '123' is not a 12-digit account id"),
    ({"kind": "dynamodb_table", "table": "t"}, "grants[0].table: 't' is not a DynamoDB table name"),
    ({"kind": "dynamodb_table", "table": "items", "access": "write"},
     "grants[0].access: must be one of read, read_write (got 'write')"),
    ({"kind": "statement", "statement": {"Action": "s3:GetObject"}},
     "grants[0].statement.Resource: must be a string or a non-empty list of strings"),
    ({"kind": "statement", "statement": {"Action": [], "Resource": "*"}},
     "grants[0].statement.Action: must be a string or a non-empty list of strings"),
    ({"kind": "statement", "statement": {"NotAction": "s3:*", "Action": "s3:GetObject", "Resource": "*"}},
     "grants[0].statement: NotAction not allowed"),
    ({"kind": "statement", "statement": {"Action": "s3:*", "Resource": "*"}},
     "grants[0].statement: s3:* on every resource (*) is refused"),
    ({"kind": "statement", "statement": {"Action": "*", "Resource": "arn:aws:s3:::b/*"}},
     "grants[0].statement.Action: * allows every action"),
    ({"kind": "statement", "statement": {"Action": "GetObject", "Resource": "*"}},
     "grants[0].statement.Action: GetObject not of the form service:Action"),
    ({"bucket": BUCKET, "table": "items"}, "grants[0]: unknown key(s) table (a grant of kind s3 has bucket, prefix, access)"),
])
def test_bad_grants_of_each_kind_are_named(grant, expected):
    problems = grants.grant_problems([grant], "grants", region="eu-west-1")
    assert any(expected in p for p in problems), problems


def test_a_wildcard_statement_is_allowed_when_asked_for():
    grant = {"kind": "statement", "statement": {"Action": "s3:*", "Resource": "*"}, "allow_wildcard": True}
    assert grants.grant_problems([grant], "grants") == []


def test_a_grant_outside_s3_needs_a_region_named_by_the_option_given():
    assert grants.grant_problems([{"kind": "secret", "name": "db"}], "iam_compute_role_grants",
                                 region_option="iam_compute_role_region") == [
        "iam_compute_role_grants[0]: needs a region: set its region, or iam_compute_role_region"]
    assert grants.grant_problems([{"kind": "secret", "name": "db", "region": "eu-west-1"}], "grants") == []
