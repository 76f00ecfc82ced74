# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Environments in two AWS accounts in one run (issue 19): inventories/local-accounts puts dev and staging in the
tooling account 123456789012 (the endpoint's key local-aws-access-key) and prod in 222222222222, reached by
assuming a role there that playbooks/examples/cross_account_role.yml makes with that account's own key.

What is asserted is read from the endpoint, per account (its request log records each request's account)."""

import json

import boto3
import pytest

from conftest import APP_NAME, OWNERSHIP

SITE, VERIFY, TEARDOWN = "playbooks/site.yml", "playbooks/verify.yml", "playbooks/teardown.yml"
INVENTORY = "inventories/local-accounts"
ROLE_PLAYBOOK = "playbooks/examples/cross_account_role.yml"
TOOLING, PROD_ACCOUNT = "123456789012", "222222222222"
PROD_KEY = "local-aws-access-key-222222222222"  # the endpoint's key of 222222222222 (docs/local-endpoint.md)
DEPLOYER = "arn:aws:iam::%s:role/%s-deployer" % (PROD_ACCOUNT, APP_NAME)
CONFIRM = "ssr_teardown_confirm=%s" % APP_NAME
MODULE = "tests/playbooks/bad_input/module.yml"


class Account:
    """boto3 clients of one account of the endpoint (the account is the access key's)."""

    def __init__(self, endpoint, access_key):
        session = boto3.session.Session(aws_access_key_id=access_key, aws_secret_access_key="local-aws-secret-key",
                                        region_name="us-east-1")
        self.iam, self.s3, self.amplify, self.sts = (session.client(name, endpoint_url=endpoint.url)
                                                     for name in ("iam", "s3", "amplify", "sts"))

    def apps(self):
        return [app for app in self.amplify.list_apps(maxResults=100)["apps"] if app["name"] == APP_NAME]

    def branches(self, app_id):
        return {b["branchName"]: b for b in self.amplify.list_branches(appId=app_id, maxResults=50)["branches"]}

    def roles(self):
        return sorted(role["RoleName"] for role in self.iam.list_roles()["Roles"])

    def owned_buckets(self):
        """The buckets this account owns (ListBuckets lists only the caller's own, though names are global)."""
        return sorted(b["Name"] for b in self.s3.list_buckets()["Buckets"])

    def state(self):
        apps = self.apps()
        return {"apps": [(a["appId"], sorted(self.branches(a["appId"]))) for a in apps], "roles": self.roles(),
                "buckets": self.owned_buckets()}


@pytest.fixture()
def two_accounts(empty_account, playbook, monkeypatch):
    """An empty endpoint, with the deployer role made in 222222222222 by that account's own key."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", PROD_KEY)
    made = playbook(ROLE_PLAYBOOK, inventory=INVENTORY)
    monkeypatch.undo()
    assert made.returncode == 0, made
    return empty_account


def accounts_of(requests):
    return sorted({request["account"] for request in requests})


def test_one_run_converges_environments_in_two_accounts(two_accounts, playbook):
    endpoint = two_accounts
    tooling, prod = Account(endpoint, "local-aws-access-key"), Account(endpoint, PROD_KEY)
    assert prod.roles() == ["%s-deployer" % APP_NAME]
    mark = endpoint.mark()
    first = playbook(SITE, inventory=INVENTORY)
    assert first.returncode == 0, first

    # One app per account, each environment's role and bucket in its own account.
    (tooling_app,), (prod_app,) = tooling.apps(), prod.apps()
    assert sorted(tooling.branches(tooling_app["appId"])) == ["dev", "staging"]
    assert sorted(prod.branches(prod_app["appId"])) == ["main"]
    assert prod_app["appArn"].split(":")[4] == PROD_ACCOUNT and tooling_app["appArn"].split(":")[4] == TOOLING
    for account, app, environments in ((tooling, tooling_app, {"dev": "dev", "staging": "staging"}),
                                       (prod, prod_app, {"prod": "main"})):
        number = app["appArn"].split(":")[4]
        branches = account.branches(app["appId"])
        for environment, branch in environments.items():
            role = "%s-%s-compute" % (APP_NAME, environment)
            assert branches[branch]["computeRoleArn"] == "arn:aws:iam::%s:role/%s" % (number, role)
            assert account.iam.get_role(RoleName=role)["Role"]["Arn"].split(":")[4] == number
            tags = {t["Key"]: t["Value"] for t in account.s3.get_bucket_tagging(
                Bucket="%s-%s-private" % (APP_NAME, environment))["TagSet"]}
            assert tags == dict(OWNERSHIP, environment=environment)
        # Each account's app writes its logs through a logs role of its own account.
        assert app["iamServiceRoleArn"] == "arn:aws:iam::%s:role/%s-us-east-1-logs" % (number, APP_NAME)
    assert tooling.roles() == sorted(["%s-dev-compute" % APP_NAME, "%s-staging-compute" % APP_NAME,
                                      "%s-us-east-1-logs" % APP_NAME])
    assert prod.roles() == sorted(["%s-deployer" % APP_NAME, "%s-prod-compute" % APP_NAME,
                                   "%s-us-east-1-logs" % APP_NAME])
    # Bucket names are global: each account owns its environments' buckets, none collides.
    assert tooling.owned_buckets() == ["%s-dev-private" % APP_NAME, "%s-staging-private" % APP_NAME]
    assert prod.owned_buckets() == ["%s-prod-private" % APP_NAME]
    # prod's writes were all made in 222222222222 (through the role's session), dev's and staging's in the tooling
    # account; the tooling account's only call about prod is the AssumeRole.
    writes = [r for r in endpoint.requests_since(mark) if r["kind"] == "write"]
    assert accounts_of(writes) == [TOOLING, PROD_ACCOUNT]
    assert "AssumeRole" in [r["operation"] for r in endpoint.requests_since(mark) if r["account"] == TOOLING]

    # A second run writes nothing, in either account.
    mark = endpoint.mark()
    second = playbook(SITE, inventory=INVENTORY)
    assert second.returncode == 0, second
    assert endpoint.writes_since(mark) == []
    assert {host: second.changed(host) for host in ("dev", "staging", "prod")} == {"dev": 0, "staging": 0, "prod": 0}

    # --limit prod touches prod's account only: a drift there is repaired, every call but the AssumeRole is made in
    # 222222222222, and the tooling account is as it was.
    prod.s3.delete_object(Bucket="%s-prod-private" % APP_NAME, Key="amplify-logo.png")
    before = tooling.state()
    mark = endpoint.mark()
    limited = playbook(SITE, "--limit", "prod", inventory=INVENTORY)
    assert limited.returncode == 0, limited
    requests = endpoint.requests_since(mark)
    assert [(r["operation"], r["account"]) for r in requests if r["account"] != PROD_ACCOUNT] == [("AssumeRole", TOOLING)]
    assert ("s3", "PutObject") in [(r["service"], r["operation"]) for r in requests if r["kind"] == "write"]
    assert tooling.state() == before

    # verify.yml reports each environment with its account, and passes.
    mark = endpoint.mark()
    verified = playbook(VERIFY, inventory=INVENTORY)
    assert verified.returncode == 0, verified
    assert endpoint.writes_since(mark) == []
    for environment, number in (("dev", TOOLING), ("staging", TOOLING), ("prod", PROD_ACCOUNT)):
        assert "account:       %s (%s)" % (number, environment) in verified.output, verified
    assert "runs with:     arn:aws:iam::%s:role/%s-prod-compute" % (PROD_ACCOUNT, APP_NAME) in verified.output

    # A compute role of another account is refused before any write, naming the option (Amplify takes only a role
    # of the app's own account: iam:PassRole does not pass a role to another account); the endpoint refuses it too.
    dev_app = tooling_app["appId"]
    foreign = "arn:aws:iam::%s:role/%s-prod-compute" % (PROD_ACCOUNT, APP_NAME)
    mark = endpoint.mark()
    for module, args in (("branch", {"app": dev_app, "branch_name": "dev", "compute_role_arn": foreign}),
                         ("app", {"app_id": dev_app, "compute_role_arn": foreign})):
        refused = playbook(MODULE, "-e", json.dumps({"bad_module": module, "bad_args": args}),
                           inventory="tests/playbooks/bad_input/inventory.yml")
        assert refused.returncode != 0, refused
        assert ("compute_role_arn: IAM role %s is in account %s, and the app %s in account %s: Amplify takes only a "
                "role of the app's own account" % (foreign, PROD_ACCOUNT, dev_app, TOOLING)) in refused.output, refused
    assert endpoint.writes_since(mark) == []
    with pytest.raises(tooling.amplify.exceptions.BadRequestException):
        tooling.amplify.update_branch(appId=dev_app, branchName="dev", computeRoleArn=foreign)

    # Teardown of prod empties prod's account of what the collection made, and leaves the tooling account as it was.
    before = tooling.state()
    mark = endpoint.mark()
    gone = playbook(TEARDOWN, "-e", CONFIRM, "--limit", "prod", inventory=INVENTORY)
    assert gone.returncode == 0, gone
    assert accounts_of([r for r in endpoint.requests_since(mark) if r["kind"] == "write"]) == [PROD_ACCOUNT]
    assert prod.apps() == [] and prod.owned_buckets() == []
    assert prod.roles() == ["%s-deployer" % APP_NAME]  # not the collection's: kept
    assert tooling.state() == before


@pytest.mark.parametrize("extra, expect", [
    # A role whose trust does not allow the tooling account, and prod's role with the wrong external ID.
    ({"ssr_assume_role_arn": "arn:aws:iam::%s:role/nobody" % PROD_ACCOUNT},
     "ssr_assume_role_arn: dev cannot assume arn:aws:iam::%s:role/nobody with its credentials" % PROD_ACCOUNT),
    ({"ssr_assume_role_arn": DEPLOYER, "ssr_assume_role_external_id": "not-the-one"},
     "ssr_assume_role_arn: dev cannot assume %s with its credentials" % DEPLOYER),
    # Settings that are wrong on their face: no call at all.
    ({"ssr_assume_role_arn": "arn:aws:s3:::%s-deployer" % APP_NAME}, "ssr_assume_role_arn: 'arn:aws:s3:::"),
    ({"ssr_assume_role_arn": DEPLOYER, "ssr_assume_role_external_id": "x"}, "ssr_assume_role_external_id: must be"),
    ({"aws_profile": "tooling"}, "aws_profile: set together with aws_access_key/aws_secret_key"),
])
def test_credentials_that_cannot_be_used_fail_before_any_write_naming_the_variable(empty_account, playbook, extra, expect):
    endpoint = empty_account
    if extra.get("ssr_assume_role_arn") == DEPLOYER:
        # The deployer, trusting the tooling account with the demo's external ID only.
        Account(endpoint, PROD_KEY).iam.create_role(
            RoleName="%s-deployer" % APP_NAME, AssumeRolePolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::%s:root" % TOOLING},
                    "Condition": {"StringEquals": {"sts:ExternalId": "compute-role-demo-tooling"}}}]}))
    mark = endpoint.mark()
    failed = playbook(SITE, "-e", json.dumps(extra), inventory=INVENTORY)
    assert failed.returncode != 0, failed
    assert expect in failed.output, failed
    assert endpoint.writes_since(mark) == []
    if "external_id: must" in expect or "arn:aws:s3" in expect or "together" in expect:
        assert endpoint.requests_since(mark) == [], "no call for settings wrong on their face"
    assert Account(endpoint, "local-aws-access-key").state() == {"apps": [], "roles": [], "buckets": []}


def test_a_missing_profile_stops_site_verify_and_teardown_naming_it(empty_account, playbook):
    endpoint = empty_account
    missing = {"aws_profile": "nowhere", "aws_access_key": "", "aws_secret_key": "", "ssr_teardown_confirm": APP_NAME}
    for path in (SITE, VERIFY, TEARDOWN):
        mark = endpoint.mark()
        failed = playbook(path, "--limit", "dev", "-e", json.dumps(missing), inventory=INVENTORY)
        assert failed.returncode != 0, failed
        assert "aws_profile: the profile nowhere of dev cannot be used" in failed.output, (path, failed)
        assert endpoint.writes_since(mark) == [], path


def test_an_environment_named_by_profile_runs_in_that_profiles_account(empty_account, playbook, tmp_path, monkeypatch):
    # A profile of the AWS config (botocore's shared credentials file), as a team keeps one per account.
    credentials = tmp_path / "credentials"
    credentials.write_text("[local-prod]\naws_access_key_id = %s\naws_secret_access_key = local-aws-secret-key\n" % PROD_KEY)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    # amazon.aws takes AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from the environment as access keys, and refuses them
    # together with a profile: a controller whose environments use profiles has none set (docs/accounts.md).
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    endpoint = empty_account
    mark = endpoint.mark()
    settings = {"aws_profile": "local-prod", "aws_access_key": "", "aws_secret_key": ""}
    ran = playbook(SITE, "--limit", "prod", "-e", json.dumps(settings), inventory="inventories/local")
    assert ran.returncode == 0, ran
    assert accounts_of(endpoint.requests_since(mark)) == [PROD_ACCOUNT]
    (app,) = Account(endpoint, PROD_KEY).apps()
    assert Account(endpoint, PROD_KEY).branches(app["appId"])["main"]["computeRoleArn"] == (
        "arn:aws:iam::%s:role/%s-prod-compute" % (PROD_ACCOUNT, APP_NAME))
    assert Account(endpoint, "local-aws-access-key").state() == {"apps": [], "roles": [], "buckets": []}
