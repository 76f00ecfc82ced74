"""Where the endpoint corrects moto so that it answers as the real service does."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from helpers import trust_policy


def test_update_role_keeps_the_members_a_request_leaves_out(iam):
    iam.create_role(RoleName="kept-fields", AssumeRolePolicyDocument=trust_policy("amplify.amazonaws.com"),
                    Description="first", MaxSessionDuration=7200)
    iam.update_role(RoleName="kept-fields", Description="second")
    role = iam.get_role(RoleName="kept-fields")["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("second", 7200)
    iam.update_role(RoleName="kept-fields", MaxSessionDuration=10800)
    role = iam.get_role(RoleName="kept-fields")["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("second", 10800)


def _bucket_with_policy(s3, name, statements):
    s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))


def _deny(name, condition=None, action="s3:*"):
    statement = {"Effect": "Deny", "Principal": "*", "Action": action,
                 "Resource": ["arn:aws:s3:::%s" % name, "arn:aws:s3:::%s/*" % name]}
    if condition:
        statement["Condition"] = condition
    return statement


def test_a_deny_whose_condition_is_not_met_does_not_apply(s3):
    # The private_bucket role's policy: deny when aws:SecureTransport is false. The key is not in moto's
    # request context, so the condition is not met and the statement does not apply (moto denied everything).
    _bucket_with_policy(s3, "tls-only-policy", [_deny("tls-only-policy", {"Bool": {"aws:SecureTransport": "false"}})])
    s3.put_object(Bucket="tls-only-policy", Key="k", Body=b"data")
    assert s3.get_object(Bucket="tls-only-policy", Key="k")["Body"].read() == b"data"


@pytest.mark.parametrize("bucket, condition", [
    ("deny-always", None),
    # Null: true matches an absent key.
    ("deny-met-condition", {"Null": {"aws:SecureTransport": "true"}}),
    # A negated operator on a key the request lacks matches in IAM.
    ("deny-negated", {"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}),
])
def test_a_deny_that_applies_still_denies(s3, bucket, condition):
    _bucket_with_policy(s3, bucket, [_deny(bucket, condition, action="s3:PutObject")])
    with pytest.raises(ClientError) as error:
        s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_a_bucket_created_again_does_not_inherit_the_deleted_buckets_tags(s3):
    s3.create_bucket(Bucket="tags-reborn")
    s3.put_bucket_tagging(Bucket="tags-reborn", Tagging={"TagSet": [{"Key": "managed-by", "Value": "amplify_hosting.ssr"}]})
    s3.delete_bucket(Bucket="tags-reborn")
    s3.create_bucket(Bucket="tags-reborn")
    with pytest.raises(ClientError) as error:
        s3.get_bucket_tagging(Bucket="tags-reborn")
    assert error.value.response["Error"]["Code"] == "NoSuchTagSet"


def test_a_table_is_described_with_its_id_for_its_whole_life(make_client):
    dynamodb = make_client("dynamodb")
    created = dynamodb.create_table(TableName="items", BillingMode="PAY_PER_REQUEST",
                                    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])["TableDescription"]
    described = dynamodb.describe_table(TableName="items")["Table"]
    assert described["TableId"] == created["TableId"]
    assert len(described["TableId"]) == 36 and described["TableId"].count("-") == 4
    other = dynamodb.create_table(TableName="others", BillingMode="PAY_PER_REQUEST",
                                  AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                  KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])["TableDescription"]
    assert other["TableId"] != created["TableId"]
    assert dynamodb.delete_table(TableName="items")["TableDescription"]["TableId"] == created["TableId"]


def test_get_caller_identity_answers_a_listed_key_as_an_iam_user_of_its_account(make_client, control):
    # moto answers any key it did not make with a stand-in, arn:aws:sts::<account>:user/moto.
    control.configure(access_key_accounts={"testing": "444444444444"})
    identity = make_client("sts").get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == ("444444444444", "arn:aws:iam::444444444444:user/local-aws")
    assert identity["UserId"].startswith("AIDA") and len(identity["UserId"]) == 21
