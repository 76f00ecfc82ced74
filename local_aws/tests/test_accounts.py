"""Several accounts on one endpoint: access keys map to accounts, each account has its own state, S3 bucket names
stay global, and sts:AssumeRole crosses accounts only where the role's trust allows it (local_aws/accounts.py)."""

from __future__ import annotations

import json
import re

import boto3
import pytest
from botocore.config import Config
from helpers import AMPLIFY_PRINCIPAL, REGION, assert_error, error_of, trust_policy

from local_aws import cli
from local_aws.settings import DEFAULT_ACCESS_KEY_ACCOUNTS

KEY_A, ACCOUNT_A = "local-aws-access-key", "123456789012"
KEY_B, ACCOUNT_B = "local-aws-access-key-222222222222", "222222222222"
LOCAL_USER_A = f"arn:aws:iam::{ACCOUNT_A}:user/local-aws"
UNMAPPED_KEY = "testing"  # the key conftest's clients sign with: in no mapping, moto's default account


@pytest.fixture
def client_for(endpoint, checker):
    """A boto3 client signed with the given credentials (no retries; Amplify clients report to the model checker)."""

    def make(service: str, key: str, secret: str = "secret", token: str | None = None, region: str = REGION):
        client = boto3.session.Session().client(
            service, endpoint_url=endpoint, region_name=region, aws_access_key_id=key,
            aws_secret_access_key=secret, aws_session_token=token,
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))
        if service == "amplify":
            checker.install(client)
        return client

    return make


def _session_clients(client_for, credentials: dict):
    def make(service: str):
        return client_for(service, credentials["AccessKeyId"], credentials["SecretAccessKey"],
                          credentials["SessionToken"])

    return make


def _trusting(principal, condition: dict | None = None) -> str:
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _denied(caller_arn: str, role_arn: str) -> str:
    return f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"


# -- which account a key is in ------------------------------------------------------------------------
def test_each_key_gets_its_own_account_and_identity(client_for, control):
    assert control.config()["access_key_accounts"] == DEFAULT_ACCESS_KEY_ACCOUNTS == {KEY_A: ACCOUNT_A,
                                                                                       KEY_B: ACCOUNT_B}
    user_ids = set()
    for key, account in ((KEY_A, ACCOUNT_A), (KEY_B, ACCOUNT_B)):
        identity = client_for("sts", key).get_caller_identity()
        # A listed key is an IAM user of its account (not its root user: root credentials cannot assume roles).
        assert (identity["Account"], identity["Arn"]) == (account, f"arn:aws:iam::{account}:user/local-aws")
        assert re.fullmatch(r"AIDA[A-Z0-9]{17}", identity["UserId"])
        assert client_for("sts", key).get_caller_identity()["UserId"] == identity["UserId"]  # stable
        user_ids.add(identity["UserId"])
    assert len(user_ids) == 2
    # A key in no mapping keeps moto's answer: its stand-in identity in the default account.
    identity = client_for("sts", UNMAPPED_KEY).get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == (ACCOUNT_A, f"arn:aws:sts::{ACCOUNT_A}:user/moto")


def test_the_mapping_is_a_setting_that_reset_restores(client_for, control):
    control.configure(access_key_accounts={"ci-key": "333333333333"})
    assert client_for("sts", "ci-key").get_caller_identity()["Account"] == "333333333333"
    # A value replaces the whole mapping: the second demo key is now unmapped, in the default account.
    assert client_for("sts", KEY_B).get_caller_identity()["Account"] == ACCOUNT_A
    control.reset()
    assert control.config()["access_key_accounts"] == DEFAULT_ACCESS_KEY_ACCOUNTS
    assert client_for("sts", KEY_B).get_caller_identity()["Account"] == ACCOUNT_B
    assert client_for("sts", "ci-key").get_caller_identity()["Account"] == ACCOUNT_A


def test_the_cli_adds_removes_and_shows_keys(endpoint, control, capsys):
    port = endpoint.rsplit(":", 1)[1]
    assert cli.main(["accounts", "--port", port, "ci-key=333333333333", f"{KEY_B}="]) == 0
    assert control.config()["access_key_accounts"] == {KEY_A: ACCOUNT_A, "ci-key": "333333333333"}
    assert "ci-key -> 333333333333" in capsys.readouterr().out
    assert cli.main(["accounts", "--port", port, "ci-key=33"]) == 2  # not a 12-digit account id
    assert cli.main(["accounts", "--port", port, "ci-key"]) == 2
    assert control.config()["access_key_accounts"] == {KEY_A: ACCOUNT_A, "ci-key": "333333333333"}
    capsys.readouterr()
    assert cli.main(["accounts", "--port", port]) == 0
    assert f"{KEY_A} -> {ACCOUNT_A}" in capsys.readouterr().out


# -- state per account --------------------------------------------------------------------------------
def test_amplify_apps_are_per_account(client_for, control):
    amplify_a, amplify_b = client_for("amplify", KEY_A), client_for("amplify", KEY_B)
    app_a = amplify_a.create_app(name="site", platform="WEB_COMPUTE")["app"]
    app_b = amplify_b.create_app(name="site", platform="WEB_COMPUTE")["app"]
    assert app_a["appArn"].split(":")[4] == ACCOUNT_A and app_b["appArn"].split(":")[4] == ACCOUNT_B
    assert [a["appId"] for a in amplify_a.list_apps()["apps"]] == [app_a["appId"]]
    assert [a["appId"] for a in amplify_b.list_apps()["apps"]] == [app_b["appId"]]
    assert_error(error_of(amplify_b.get_app, appId=app_a["appId"]), "NotFoundException")
    assert_error(error_of(amplify_b.delete_app, appId=app_a["appId"]), "NotFoundException")
    state = {(s["account"], s["region"]): [a["appId"] for a in s["apps"]] for s in control.state()["amplify"]}
    assert state == {(ACCOUNT_A, REGION): [app_a["appId"]], (ACCOUNT_B, REGION): [app_b["appId"]]}


def test_iam_roles_are_per_account(client_for):
    iam_a, iam_b = client_for("iam", KEY_A), client_for("iam", KEY_B)
    amplify_trust = trust_policy(AMPLIFY_PRINCIPAL)
    arn_a = iam_a.create_role(RoleName="deploy", AssumeRolePolicyDocument=amplify_trust)["Role"]["Arn"]
    assert_error(error_of(iam_b.get_role, RoleName="deploy"), "NoSuchEntity", status=404)
    arn_b = iam_b.create_role(RoleName="deploy", AssumeRolePolicyDocument=amplify_trust)["Role"]["Arn"]
    assert (arn_a, arn_b) == (f"arn:aws:iam::{ACCOUNT_A}:role/deploy", f"arn:aws:iam::{ACCOUNT_B}:role/deploy")
    iam_a.delete_role(RoleName="deploy")
    assert iam_b.get_role(RoleName="deploy")["Role"]["Arn"] == arn_b
    assert [r["RoleName"] for r in iam_a.list_roles()["Roles"] if r["RoleName"] == "deploy"] == []


def test_logs_parameters_secrets_and_tables_are_per_account(client_for):
    for key, account in ((KEY_A, ACCOUNT_A), (KEY_B, ACCOUNT_B)):
        client_for("logs", key).create_log_group(logGroupName="/aws/amplify/app")
        client_for("ssm", key).put_parameter(Name="/app/stage", Value=account, Type="String")
        client_for("secretsmanager", key).create_secret(Name="app/db", SecretString=account)
        client_for("dynamodb", key).create_table(
            TableName="items", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    for key, account in ((KEY_A, ACCOUNT_A), (KEY_B, ACCOUNT_B)):
        [group] = client_for("logs", key).describe_log_groups(logGroupNamePrefix="/aws/amplify/")["logGroups"]
        assert group["arn"].split(":")[4] == account
        assert client_for("ssm", key).get_parameter(Name="/app/stage")["Parameter"]["Value"] == account
        secret = client_for("secretsmanager", key).get_secret_value(SecretId="app/db")
        assert (secret["SecretString"], secret["ARN"].split(":")[4]) == (account, account)
        table = client_for("dynamodb", key).describe_table(TableName="items")["Table"]
        assert table["TableArn"].split(":")[4] == account
    client_for("dynamodb", KEY_A).delete_table(TableName="items")
    assert client_for("dynamodb", KEY_B).list_tables()["TableNames"] == ["items"]


# -- S3: one global namespace of bucket names ----------------------------------------------------------
def test_bucket_names_are_global_across_accounts(client_for):
    s3_a, s3_b = client_for("s3", KEY_A), client_for("s3", KEY_B)
    s3_a.create_bucket(Bucket="site-assets")
    # Another account's name: BucketAlreadyExists, 409, wherever it is asked.
    taken = error_of(s3_b.create_bucket, Bucket="site-assets")
    assert (taken["Error"]["Code"], taken["ResponseMetadata"]["HTTPStatusCode"]) == ("BucketAlreadyExists", 409)
    s3_b_west = client_for("s3", KEY_B, region="us-west-2")
    taken = error_of(s3_b_west.create_bucket, Bucket="site-assets",
                     CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    assert (taken["Error"]["Code"], taken["ResponseMetadata"]["HTTPStatusCode"]) == ("BucketAlreadyExists", 409)
    # The owner's own name: 200 in us-east-1 (S3's legacy behaviour there), BucketAlreadyOwnedByYou elsewhere.
    assert s3_a.create_bucket(Bucket="site-assets")["ResponseMetadata"]["HTTPStatusCode"] == 200
    s3_a_west = client_for("s3", KEY_A, region="us-west-2")
    west = {"LocationConstraint": "us-west-2"}
    s3_a_west.create_bucket(Bucket="site-assets-west", CreateBucketConfiguration=west)
    owned = error_of(s3_a_west.create_bucket, Bucket="site-assets-west", CreateBucketConfiguration=west)
    assert (owned["Error"]["Code"], owned["ResponseMetadata"]["HTTPStatusCode"]) == ("BucketAlreadyOwnedByYou", 409)
    # Each account lists its own buckets; once deleted, the name is free for any account.
    assert sorted(b["Name"] for b in s3_a.list_buckets()["Buckets"]) == ["site-assets", "site-assets-west"]
    assert s3_b.list_buckets()["Buckets"] == []
    s3_a.delete_bucket(Bucket="site-assets")
    s3_b.create_bucket(Bucket="site-assets")
    assert [b["Name"] for b in s3_b.list_buckets()["Buckets"]] == ["site-assets"]


# -- sts:AssumeRole across accounts ---------------------------------------------------------------------
@pytest.fixture
def deployer_in_b(client_for):
    """A role in account B that account A may assume with the external ID "ext-1"."""
    trust = _trusting(f"arn:aws:iam::{ACCOUNT_A}:root", {"StringEquals": {"sts:ExternalId": "ext-1"}})
    return client_for("iam", KEY_B).create_role(RoleName="deployer", AssumeRolePolicyDocument=trust)["Role"]["Arn"]


def test_a_role_of_another_account_is_assumed_when_its_trust_allows(client_for, control, deployer_in_b):
    app_b = client_for("amplify", KEY_B).create_app(name="prod", platform="WEB_COMPUTE")["app"]
    client_for("amplify", KEY_A).create_app(name="dev", platform="WEB_COMPUTE")
    credentials = client_for("sts", KEY_A).assume_role(RoleArn=deployer_in_b, RoleSessionName="ansible",
                                                       ExternalId="ext-1")["Credentials"]
    as_b = _session_clients(client_for, credentials)
    mark = control.requests()["last"]
    identity = as_b("sts").get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == (ACCOUNT_B,
                                                      f"arn:aws:sts::{ACCOUNT_B}:assumed-role/deployer/ansible")
    # The session acts in the role's account: it sees B's app, B's role, and creates in B.
    assert [a["appId"] for a in as_b("amplify").list_apps()["apps"]] == [app_b["appId"]]
    assert as_b("iam").get_role(RoleName="deployer")["Role"]["Arn"] == deployer_in_b
    as_b("s3").create_bucket(Bucket="prod-assets")
    # Every call the session made was served in B: "touched only account B".
    assert {e["account"] for e in control.requests(since=mark)["requests"]} == {ACCOUNT_B}
    assert [b["Name"] for b in client_for("s3", KEY_B).list_buckets()["Buckets"]] == ["prod-assets"]
    assert client_for("s3", KEY_A).list_buckets()["Buckets"] == []


@pytest.mark.parametrize("external_id", [None, "ext-2"], ids=["without-external-id", "wrong-external-id"])
def test_a_trust_that_asks_for_an_external_id_refuses_without_it(client_for, control, deployer_in_b, external_id):
    sts_a = client_for("sts", KEY_A)
    extra = {} if external_id is None else {"ExternalId": external_id}
    mark = control.requests()["last"]
    refused = error_of(sts_a.assume_role, RoleArn=deployer_in_b, RoleSessionName="ansible", **extra)
    assert_error(refused, "AccessDenied", _denied(LOCAL_USER_A, deployer_in_b), status=403)
    [logged] = control.requests(since=mark)["requests"]
    assert (logged["operation"], logged["status"], logged["served_status"], logged["account"]) == (
        "AssumeRole", 403, 403, ACCOUNT_A)


def test_a_role_that_does_not_trust_the_caller_or_does_not_exist_is_refused_alike(client_for):
    amplify_only = client_for("iam", KEY_B).create_role(
        RoleName="amplify-compute", AssumeRolePolicyDocument=trust_policy(AMPLIFY_PRINCIPAL))["Role"]["Arn"]
    other_account = client_for("iam", KEY_B).create_role(
        RoleName="for-333", AssumeRolePolicyDocument=_trusting("333333333333"))["Role"]["Arn"]
    missing = f"arn:aws:iam::{ACCOUNT_B}:role/missing"
    sts_a = client_for("sts", KEY_A)
    for role_arn in (amplify_only, other_account, missing):
        refused = error_of(sts_a.assume_role, RoleArn=role_arn, RoleSessionName="ansible")
        assert_error(refused, "AccessDenied", _denied(LOCAL_USER_A, role_arn), status=403)


def test_a_trust_can_name_the_account_id_a_user_or_a_role(client_for):
    iam_a, iam_b = client_for("iam", KEY_A), client_for("iam", KEY_B)
    by_id = iam_b.create_role(RoleName="by-id", AssumeRolePolicyDocument=_trusting(ACCOUNT_A))["Role"]["Arn"]
    assert client_for("sts", KEY_A).assume_role(RoleArn=by_id, RoleSessionName="session")["Credentials"]["AccessKeyId"]
    # An IAM user of account A (keys made by IAM), named by its ARN: that user may, A's other users may not.
    user = iam_a.create_user(UserName="ci")["User"]
    keys = iam_a.create_access_key(UserName="ci")["AccessKey"]
    by_user = iam_b.create_role(RoleName="by-user", AssumeRolePolicyDocument=_trusting(user["Arn"]))["Role"]["Arn"]
    sts_user = client_for("sts", keys["AccessKeyId"], keys["SecretAccessKey"])
    assert sts_user.get_caller_identity()["Arn"] == user["Arn"]
    credentials = sts_user.assume_role(RoleArn=by_user, RoleSessionName="ci")["Credentials"]
    assert _session_clients(client_for, credentials)("sts").get_caller_identity()["Account"] == ACCOUNT_B
    assert_error(error_of(client_for("sts", KEY_A).assume_role, RoleArn=by_user, RoleSessionName="session"),
                 "AccessDenied", _denied(LOCAL_USER_A, by_user), status=403)
    # The user a listed key stands for, named by its ARN: that key may, the IAM user ci may not.
    by_listed = iam_b.create_role(RoleName="by-listed-key",
                                  AssumeRolePolicyDocument=_trusting(LOCAL_USER_A))["Role"]["Arn"]
    assert client_for("sts", KEY_A).assume_role(RoleArn=by_listed, RoleSessionName="session")["Credentials"]
    assert_error(error_of(sts_user.assume_role, RoleArn=by_listed, RoleSessionName="ci"), "AccessDenied",
                 _denied(user["Arn"], by_listed), status=403)
    # A role of account A, named by its ARN: a session of that role may (role chaining).
    hop = iam_a.create_role(RoleName="hop", AssumeRolePolicyDocument=_trusting(f"arn:aws:iam::{ACCOUNT_A}:root"))
    by_role = iam_b.create_role(RoleName="by-role",
                                AssumeRolePolicyDocument=_trusting(hop["Role"]["Arn"]))["Role"]["Arn"]
    first = client_for("sts", KEY_A).assume_role(RoleArn=hop["Role"]["Arn"], RoleSessionName="hop")["Credentials"]
    second = _session_clients(client_for, first)("sts").assume_role(RoleArn=by_role, RoleSessionName="on")
    identity = _session_clients(client_for, second["Credentials"])("sts").get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT_B}:assumed-role/by-role/on"


def test_an_explicit_deny_in_the_trust_wins(client_for):
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ACCOUNT_A}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
         "Condition": {"StringEquals": {"sts:RoleSessionName": "blocked"}}}]})
    role = client_for("iam", KEY_B).create_role(RoleName="guarded", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    sts_a = client_for("sts", KEY_A)
    assert sts_a.assume_role(RoleArn=role, RoleSessionName="allowed")["Credentials"]
    assert_error(error_of(sts_a.assume_role, RoleArn=role, RoleSessionName="blocked"), "AccessDenied", status=403)


def test_assume_role_within_an_account_is_unchanged(client_for):
    # moto does not evaluate trust within an account; the endpoint keeps that (no trust for anyone here).
    role = client_for("iam", KEY_A).create_role(RoleName="local", AssumeRolePolicyDocument=trust_policy(
        AMPLIFY_PRINCIPAL))["Role"]["Arn"]
    credentials = client_for("sts", KEY_A).assume_role(RoleArn=role, RoleSessionName="session")["Credentials"]
    assert _session_clients(client_for, credentials)("sts").get_caller_identity()["Account"] == ACCOUNT_A


# -- Amplify: a compute role of the app's own account only ----------------------------------------------
def test_a_compute_role_of_another_account_is_refused(client_for):
    role_b = client_for("iam", KEY_B).create_role(
        RoleName="compute", AssumeRolePolicyDocument=trust_policy(AMPLIFY_PRINCIPAL))["Role"]["Arn"]
    amplify_a = client_for("amplify", KEY_A)
    message = (f"The compute role {role_b} belongs to account {ACCOUNT_B}; an app of account {ACCOUNT_A} can only "
               "use a role of its own account.")
    assert_error(error_of(amplify_a.create_app, name="dev", platform="WEB_COMPUTE", computeRoleArn=role_b),
                 "BadRequestException", message)
    assert amplify_a.list_apps()["apps"] == []
    app = amplify_a.create_app(name="dev", platform="WEB_COMPUTE")["app"]
    assert_error(error_of(amplify_a.update_app, appId=app["appId"], computeRoleArn=role_b), "BadRequestException",
                 message)
    assert_error(error_of(amplify_a.create_branch, appId=app["appId"], branchName="main", computeRoleArn=role_b),
                 "BadRequestException", message)
    amplify_a.create_branch(appId=app["appId"], branchName="main")
    assert_error(error_of(amplify_a.update_branch, appId=app["appId"], branchName="main", computeRoleArn=role_b),
                 "BadRequestException", message)
    assert "computeRoleArn" not in amplify_a.get_branch(appId=app["appId"], branchName="main")["branch"]
    # The same role is accepted by an app of its own account.
    app_b = client_for("amplify", KEY_B).create_app(name="prod", platform="WEB_COMPUTE", computeRoleArn=role_b)["app"]
    assert app_b["computeRoleArn"] == role_b


# -- the request log --------------------------------------------------------------------------------------
def test_the_request_log_names_each_requests_account(client_for, control):
    mark = control.requests()["last"]
    client_for("s3", KEY_A).create_bucket(Bucket="public-assets")
    client_for("amplify", KEY_B).list_apps()
    client_for("iam", KEY_B).list_roles()
    client_for("sts", UNMAPPED_KEY).get_caller_identity()
    logged = [(e["service"], e["operation"], e["account"]) for e in control.requests(since=mark)["requests"]]
    assert logged == [("s3", "CreateBucket", ACCOUNT_A), ("amplify", "ListApps", ACCOUNT_B),
                      ("iam", "ListRoles", ACCOUNT_B), ("sts", "GetCallerIdentity", ACCOUNT_A)]


def test_an_unsigned_request_has_no_account(client_for, control, endpoint):
    import requests

    s3_a = client_for("s3", KEY_A)
    s3_a.create_bucket(Bucket="public-assets")
    s3_a.put_object(Bucket="public-assets", Key="a.txt", Body=b"hello", ACL="public-read")
    mark = control.requests()["last"]
    session = requests.Session()
    session.trust_env = False
    assert session.get(f"{endpoint}/public-assets/a.txt", timeout=10).content == b"hello"
    [logged] = control.requests(since=mark)["requests"]
    assert (logged["operation"], logged["account"]) == ("GetObject", None)


def test_a_compute_session_acts_in_its_roles_account(client_for, control):
    role_b = client_for("iam", KEY_B).create_role(
        RoleName="compute", AssumeRolePolicyDocument=trust_policy(AMPLIFY_PRINCIPAL))["Role"]["Arn"]
    credentials = control._ok("POST", "/compute/sessions", json={"roleArn": role_b, "sessionName": "ssr"})
    as_compute = client_for("sts", credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["Token"])
    mark = control.requests()["last"]
    identity = as_compute.get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == (ACCOUNT_B, f"arn:aws:sts::{ACCOUNT_B}:assumed-role/compute/ssr")
    assert identity["UserId"].endswith(":ssr")
    [logged] = control.requests(since=mark)["requests"]
    assert logged["account"] == ACCOUNT_B
