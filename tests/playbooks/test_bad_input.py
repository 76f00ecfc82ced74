# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bad input, across the modules, the roles and the playbooks: each case must fail, name the option (module
option or role variable) in its failure message, and leave the account as it was.

Every case runs against the same small account (`world`): an SSR app with a branch running with a compute
role, a static (WEB) app, two apps sharing one name, a role that trusts Amplify, one that trusts Lambda only,
and a bucket with an object. The endpoint's state (IAM roles with their trust, tags and policies; S3 buckets
with their objects and tags; Amplify apps and branches as GetApp/GetBranch return them) is read before and
after: it must be the same. The request log since the run started must show no write that took effect, and,
per case, no call at all (input checked before any call), reads only, or writes the endpoint refused.

The ad-hoc playbooks are in bad_input/: module.yml calls one module with bad_args, role.yml includes one role
with its variables as extra vars. The teardown cases run playbooks/teardown.yml itself.
"""

import json
from dataclasses import dataclass

import pytest
from conftest import APP_NAME

MODULE = "tests/playbooks/bad_input/module.yml"
ROLE = "tests/playbooks/bad_input/role.yml"
INVENTORY = "tests/playbooks/bad_input/inventory.yml"
TEARDOWN = "playbooks/teardown.yml"
SITE = "playbooks/site.yml"

SSR_APP, STATIC_APP, TWIN_APPS = "bad-input-ssr", "bad-input-static", "bad-input-twice"
GOOD_ROLE, LAMBDA_ROLE = "bad-input-compute", "bad-input-lambda-only"
BUCKET = "bad-input-private"
UNKNOWN_APP_ID = "d0000000000000"


def trust(service):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


class World:
    """What the cases run against; their values (ids, ARNs) are filled into each case's input."""

    def __init__(self, endpoint):
        iam, s3, amplify = endpoint.iam, endpoint.s3, endpoint.amplify
        self.good_role_arn = iam.create_role(RoleName=GOOD_ROLE, AssumeRolePolicyDocument=trust("amplify.amazonaws.com"),
                                             Tags=[{"Key": "managed-by", "Value": "amplify_hosting.ssr"}])["Role"]["Arn"]
        self.lambda_role_arn = iam.create_role(RoleName=LAMBDA_ROLE, AssumeRolePolicyDocument=trust("lambda.amazonaws.com"))["Role"]["Arn"]
        iam.put_role_policy(RoleName=GOOD_ROLE, PolicyName="%s-grants" % GOOD_ROLE, PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % BUCKET}]}))
        s3.create_bucket(Bucket=BUCKET)
        s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": [{"Key": "environment", "Value": "dev"}]})
        s3.put_object(Bucket=BUCKET, Key="amplify-logo.png", Body=b"\x89PNG not really")
        self.ssr_id = amplify.create_app(name=SSR_APP, platform="WEB_COMPUTE", computeRoleArn=self.good_role_arn,
                                         tags={"managed-by": "amplify_hosting.ssr", "environment": "dev"})["app"]["appId"]
        amplify.create_branch(appId=self.ssr_id, branchName="dev", stage="DEVELOPMENT", computeRoleArn=self.good_role_arn,
                              tags={"managed-by": "amplify_hosting.ssr", "environment": "dev"})
        self.static_id = amplify.create_app(name=STATIC_APP, platform="WEB")["app"]["appId"]
        self.twin_ids = sorted(amplify.create_app(name=TWIN_APPS, platform="WEB_COMPUTE")["app"]["appId"] for _copy in range(2))

    def fill(self, value):
        """`value` with the world's placeholders ({ssr_id}, {good_role_arn}, ...) replaced, at any depth."""
        if isinstance(value, str):
            return value.format(**vars(self))
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        if isinstance(value, dict):
            return dict((k, self.fill(v)) for k, v in value.items())
        return value


def account_state(endpoint):
    """Everything the collection could make or change, as the endpoint reports it."""
    iam, s3, amplify = endpoint.iam, endpoint.s3, endpoint.amplify
    roles = {}
    for role in iam.list_roles()["Roles"]:
        name = role["RoleName"]
        roles[name] = {
            "arn": role["Arn"],
            "trust": iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"],
            "tags": iam.list_role_tags(RoleName=name)["Tags"],
            "inline": {p: iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
                       for p in iam.list_role_policies(RoleName=name)["PolicyNames"]},
            "attached": iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"],
        }
    buckets = {}
    for bucket in s3.list_buckets()["Buckets"]:
        name = bucket["Name"]
        buckets[name] = {
            "objects": [(o["Key"], o["ETag"], o["Size"]) for o in s3.list_objects_v2(Bucket=name).get("Contents", [])],
            "tags": endpoint.bucket_tags(name),
        }
    apps = {}
    for app in amplify.list_apps(maxResults=100)["apps"]:
        branches = amplify.list_branches(appId=app["appId"], maxResults=50)["branches"]
        apps[app["appId"]] = {
            "app": amplify.get_app(appId=app["appId"])["app"],
            "branches": {b["branchName"]: amplify.get_branch(appId=app["appId"], branchName=b["branchName"])["branch"]
                         for b in branches},
            "jobs": {b["branchName"]: amplify.list_jobs(appId=app["appId"], branchName=b["branchName"])["jobSummaries"]
                     for b in branches},
        }
    return {"iam": roles, "s3": buckets, "amplify": apps}


def failure_messages(output):
    """The `msg` of every `fatal:` result the run printed (JSON results), in order."""
    decoder, messages, start = json.JSONDecoder(), [], 0
    while True:
        at = output.find("FAILED! => ", start)
        if at < 0:
            return messages
        if output.rfind("fatal: [", 0, at) > output.rfind("\n", 0, at):
            result, _end = decoder.raw_decode(output, at + len("FAILED! => "))
            messages.append(result.get("msg", ""))
        start = at + 1


@dataclass
class Case:
    """One bad input: how to run it and what the failure must name.

    calls: "none" (refused before any request), "reads" (read, then refused before any write), or "refused"
    (writes were tried and every one was refused by the endpoint). Never a write that took effect.
    """

    id: str
    playbook: str
    extra_vars: dict
    expect: list
    calls: str = "reads"
    inventory: str = INVENTORY
    secret: str = ""  # a secret value among the inputs: the output must not show it

    def args(self, world):
        return [self.playbook] + (["-e", json.dumps(world.fill(self.extra_vars))] if self.extra_vars else [])


def module(bad_module, expect, calls="reads", **args):
    return MODULE, {"bad_module": bad_module, "bad_args": args}, expect, calls


def role(bad_role, expect, calls="none", **variables):
    return ROLE, dict(variables, bad_role=bad_role), expect, calls


def case(case_id, spec):
    return Case(case_id, *spec)


def but(base, **changes):
    """The variables `base` with `changes` over them."""
    merged = dict(base)
    merged.update(changes)
    return merged


AMPLIFY_APP = {"amplify_app_name": SSR_APP, "amplify_app_environment": "dev", "amplify_app_app_id": "{ssr_id}"}
PRIVATE_BUCKET = {"private_bucket_name": "bad-input-new-bucket", "private_bucket_environment": "dev"}
IAM_COMPUTE_ROLE = {"iam_compute_role_name": "bad-input-new-role", "iam_compute_role_environment": "dev"}

CASES = [
    # -- malformed compute role ARNs: refused before any call -----------------------------------------------
    case("compute_role: malformed role ARN", module(
        "compute_role", ["role:", "is not an IAM role ARN"], "none", app="{ssr_id}", branch="dev",
        role="arn:aws:iam::12345:role/x")),
    case("branch: malformed compute_role_arn", module(
        "branch", ["compute_role_arn:", "is not an IAM role ARN"], "none", app="{ssr_id}", branch_name="feature",
        compute_role_arn="arn:aws:iam::123456789012:user/not-a-role")),
    case("app: malformed compute_role_arn", module(
        "app", ["compute_role_arn:", "is not an IAM role ARN"], "none", name="bad-input-new-app",
        compute_role_arn="arn:aws:iam::123456789012:role/")),
    # -- a role Amplify cannot assume (its trust policy is for Lambda) --------------------------------------
    case("compute_role: role without Amplify trust", module(
        "compute_role", ["role:", "does not let amplify.amazonaws.com assume it"], app="{ssr_id}", branch="dev",
        role=LAMBDA_ROLE)),
    case("branch: compute_role_arn without Amplify trust", module(
        "branch", ["compute_role_arn:", "does not let amplify.amazonaws.com assume it"], app="{ssr_id}",
        branch_name="feature", stage="BETA", compute_role_arn="{lambda_role_arn}")),
    # Was a half-made branch: the branch was created, then its compute_role task failed.
    case("amplify_app: branch compute_role override without Amplify trust", role(
        "amplify_app", ["amplify_app_branches", "branch feature", "compute_role:", "does not let amplify.amazonaws.com"],
        "reads", amplify_app_branches=[{"name": "feature", "stage": "BETA", "compute_role": LAMBDA_ROLE}], **AMPLIFY_APP)),
    case("amplify_app: existing branch given a role that does not exist", role(
        "amplify_app", ["amplify_app_branches", "branch dev", "compute_role:", "does not exist"], "reads",
        amplify_app_branches=[{"name": "dev", "stage": "BETA", "compute_role": "bad-input-no-such-role"}], **AMPLIFY_APP)),
    # -- apps that are not there, or not one --------------------------------------------------------------
    case("compute_role: unknown app id", module(
        "compute_role", ["app:", UNKNOWN_APP_ID], app=UNKNOWN_APP_ID, role=GOOD_ROLE)),
    case("amplify_app: unknown amplify_app_app_id", role(
        "amplify_app", ["amplify_app_app_id", UNKNOWN_APP_ID], "reads",
        **but(AMPLIFY_APP, amplify_app_app_id=UNKNOWN_APP_ID, amplify_app_branches=[{"name": "dev"}]))),
    case("amplify_app: malformed amplify_app_app_id", role(
        "amplify_app", ["amplify_app_app_id", "not an Amplify app id"], "none",
        **but(AMPLIFY_APP, amplify_app_app_id="D-not-an-id", amplify_app_branches=[{"name": "dev"}]))),
    case("app_info: malformed app_id", module("app_info", ["app_id", "is not an Amplify app id"], "none", app_id="D-not-an-id")),
    case("compute_role: app name two apps carry", module(
        "compute_role", ["app:", "{twin_ids[0]}", "{twin_ids[1]}"], app=TWIN_APPS, role=GOOD_ROLE)),
    case("amplify_app: amplify_app_name two apps carry", role(
        "amplify_app", ["amplify_app_name", "2 apps are named %s" % TWIN_APPS], "reads", amplify_app_name=TWIN_APPS,
        amplify_app_environment="dev", amplify_app_branches=[{"name": "dev"}])),
    # -- a compute role on a static (WEB) app: our modules refuse before Amplify would --------------------------
    case("compute_role: role on a static app", module(
        "compute_role", ["role:", "platform is WEB"], app="{static_id}", role=GOOD_ROLE)),
    case("branch: compute_role_arn on a static app", module(
        "branch", ["compute_role_arn:", "platform is WEB"], app="{static_id}", branch_name="main",
        compute_role_arn="{good_role_arn}")),
    case("app: compute_role_arn with platform WEB", module(
        "app", ["compute_role_arn:", "platform is WEB"], "none", name="bad-input-new-app", platform="WEB",
        compute_role_arn="{good_role_arn}")),
    # -- branches that are not there ------------------------------------------------------------------------
    case("compute_role: unknown branch", module(
        "compute_role", ["branch:", "'nope'"], app="{ssr_id}", branch="nope", role=GOOD_ROLE)),
    case("job: unknown branch_name", module("job", ["branch_name:", "'nope'"], app="{ssr_id}", branch_name="nope")),
    case("job: empty branch_name", module("job", ["branch_name", "must not be empty"], "none", app="{ssr_id}", branch_name=" ")),
    case("branch_info: branch of an unknown app", module(
        "branch_info", ["app:", "bad-input-no-such-app"], app="bad-input-no-such-app", branch_name="dev")),
    case("branch_info: empty branch_name", module("branch_info", ["branch_name", "must not be empty"], "none",
                                                  app="{ssr_id}", branch_name="")),
    # -- wrong types, caught by argument specs ------------------------------------------------------------
    case("amplify_app: amplify_app_branches as a string", role(
        "amplify_app", ["amplify_app_branches"], **but(AMPLIFY_APP, amplify_app_branches="dev"))),
    case("private_bucket: private_bucket_versioning maybe", role(
        "private_bucket", ["private_bucket_versioning"], private_bucket_versioning="maybe", **PRIVATE_BUCKET)),
    case("amplify_app: amplify_app_wait_timeout abc", role(
        "amplify_app", ["amplify_app_wait_timeout"], **but(AMPLIFY_APP, amplify_app_wait_timeout="abc"))),
    case("branch: wait_timeout abc", module(
        "branch", ["wait_timeout"], "none", app="{ssr_id}", branch_name="dev", compute_role_arn=GOOD_ROLE,
        wait_timeout="abc")),
    # -- out of range, or not one of the choices -------------------------------------------------------------
    case("compute_role: negative wait_timeout", module(
        "compute_role", ["wait_timeout", "-5"], "none", app="{ssr_id}", role=GOOD_ROLE, wait_timeout=-5)),
    case("branch: negative wait_timeout", module(
        "branch", ["wait_timeout", "-1"], "none", app="{ssr_id}", branch_name="dev", wait_timeout=-1)),
    case("job: negative wait_timeout", module(
        "job", ["wait_timeout", "-1"], "none", app="{ssr_id}", branch_name="dev", wait=True, wait_timeout=-1)),
    case("amplify_app: negative amplify_app_wait_timeout", role(
        "amplify_app", ["amplify_app_wait_timeout", "-5"], **but(AMPLIFY_APP, amplify_app_wait_timeout=-5))),
    case("branch: invalid stage", module(
        "branch", ["stage", "STAGING"], "none", app="{ssr_id}", branch_name="feature", stage="STAGING")),
    case("amplify_app: invalid branch stage", role(
        "amplify_app", ["amplify_app_branches", "stage", "STAGING"],
        **but(AMPLIFY_APP, amplify_app_branches=[{"name": "feature", "stage": "STAGING"}]))),
    # -- bucket, upload and IAM role inputs ---------------------------------------------------------------------
    case("private_bucket: invalid bucket name", role(
        "private_bucket", ["private_bucket_name", "Bad_Bucket..name"], private_bucket_name="Bad_Bucket..name",
        private_bucket_environment="dev")),
    case("private_bucket: KMS encryption without key id", role(
        "private_bucket", ["private_bucket_kms_key_id", "aws:kms"], private_bucket_encryption="aws:kms", **PRIVATE_BUCKET)),
    case("bucket_upload: missing source file", role(
        "bucket_upload", ["bucket_upload_sources[0].src", "/nonexistent/bad-input/amplify-logo.png"], "reads",
        bucket_upload_bucket=BUCKET, bucket_upload_environment="dev",
        bucket_upload_sources=[{"src": "/nonexistent/bad-input/amplify-logo.png"}])),
    case("iam_compute_role: invalid role name", role(
        "iam_compute_role", ["iam_compute_role_name", "bad name!"],
        **but(IAM_COMPUTE_ROLE, iam_compute_role_name="bad name!"))),
    case("iam_compute_role: grants on an invalid bucket", role(
        "iam_compute_role", ["iam_compute_role_grants", "Bad_Bucket"],
        iam_compute_role_grants=[{"bucket": "Bad_Bucket", "access": "read"}], **IAM_COMPUTE_ROLE)),
    case("iam_compute_role: grants with an access that does not exist", role(
        "iam_compute_role", ["iam_compute_role_grants", "access", "write"],
        iam_compute_role_grants=[{"bucket": BUCKET, "access": "write"}], **IAM_COMPUTE_ROLE)),
    # -- inputs nobody could mean, and AWS's limits: refused before any call, naming the option (issue 18) ------
    case("branch: branch_name with a space", module(
        "branch", ["branch_name:", "is not a Git branch name", "no spaces"], "none", app="{ssr_id}", branch_name="my feature")),
    case("branch: branch_name of 300 characters", module(
        "branch", ["branch_name:", "300 characters long (at most 255)"], "none", app="{ssr_id}", branch_name="b" * 300)),
    case("branch_info: branch_name of 300 characters", module(
        "branch_info", ["branch_name:", "300 characters long"], "none", app="{ssr_id}", branch_name="b" * 300)),
    case("job: branch_name with ..", module(
        "job", ["branch_name:", "is not a Git branch name", "no .."], "none", app="{ssr_id}", branch_name="a..b")),
    case("compute_role: branch with a colon", module(
        "compute_role", ["branch:", "is not a Git branch name"], "none", app="{ssr_id}", branch="a:b", role=GOOD_ROLE)),
    case("branch: environment variable name with a space", module(
        "branch", ["environment_variables:", "'MY VAR' is not an environment variable name"], "none", app="{ssr_id}",
        branch_name="dev", environment_variables={"MY VAR": "x"})),
    case("app: environment variable value that is a map", module(
        "app", ["environment_variables.CONFIG: must be a string (got dict"], "none", app_id="{ssr_id}",
        environment_variables={"CONFIG": {"nested": "map"}})),
    case("app: environment variable with the AWS prefix", module(
        "app", ["environment_variables:", "AWS_SECRET starts with AWS"], "none", app_id="{ssr_id}",
        environment_variables={"AWS_SECRET": "x"})),
    case("app: name with surrounding spaces", module(
        "app", ["name:", "surrounding whitespace"], "none", name=" %s " % SSR_APP)),
    case("app: repository that is not a URL", module(
        "app", ["repository:", "is not an https:// URL"], "none", app_id="{ssr_id}", repository="github.com/example/demo")),
    case("app: tag key with aws:", module(
        "app", ["tags:", "'aws:owner' starts with aws:"], "none", app_id="{ssr_id}", tags={"aws:owner": "me"})),
    case("branch: tag key with aws:", module(
        "branch", ["tags:", "'aws:owner' starts with aws:"], "none", app="{ssr_id}", branch_name="dev",
        tags={"aws:owner": "me"})),
    Case("app: secret value longer than Amplify takes", MODULE,
         {"bad_module": "app", "bad_args": {"app_id": "{ssr_id}", "secret_environment_variables": {"API_KEY": "s3cr3t-bad-input-10" + "k" * 5500}}},
         ["secret_environment_variables.API_KEY: the value is 5519 characters long (Amplify takes at most 5500)"], "none",
         INVENTORY, "s3cr3t-bad-input-10"),
    # -- the roles, by the same rules (filter input_problems): refused before any write (issue 18) ---------------
    # Was half made: CreateBucket, PutPublicAccessBlock and PutBucketPolicy, then a raw InvalidTag.
    case("private_bucket: a tag key with aws:", role(
        "private_bucket", ["private_bucket_tags:", "'aws:owner' starts with aws:"], private_bucket_tags={"aws:owner": "me"},
        **PRIVATE_BUCKET)),
    case("iam_compute_role: a tag key with aws:", role(
        "iam_compute_role", ["iam_compute_role_tags:", "'aws:owner' starts with aws:"],
        iam_compute_role_tags={"aws:owner": "me"}, **IAM_COMPUTE_ROLE)),
    case("amplify_app: a branch name with a space", role(
        "amplify_app", ["amplify_app_branches[0].name:", "is not a Git branch name"],
        **but(AMPLIFY_APP, amplify_app_branches=[{"name": "my feature"}]))),
    case("amplify_app: a branch variable that is a map", role(
        "amplify_app", ["amplify_app_branches[0].environment_variables.CONFIG: must be a string"],
        **but(AMPLIFY_APP, amplify_app_branches=[{"name": "dev", "environment_variables": {"CONFIG": {"a": 1}}}]))),
    case("amplify_app: an app name with surrounding spaces", role(
        "amplify_app", ["amplify_app_name:", "surrounding whitespace"],
        **but(AMPLIFY_APP, amplify_app_app_id="", amplify_app_name=" %s" % SSR_APP, amplify_app_branches=[{"name": "dev"}]))),
    case("amplify_app: a repository that is not a URL", role(
        "amplify_app", ["amplify_app_repository:", "is not an https:// URL"],
        **but(AMPLIFY_APP, amplify_app_repository="github.com/example/demo", amplify_app_access_token="t",
              amplify_app_branches=[{"name": "dev"}]))),
    # Was half made: CreateApp, then the default compute role's check failed, leaving an app with no role.
    case("amplify_app: a new app with a default compute role that does not exist", role(
        "amplify_app", ["amplify_app_compute_role:", "does not exist", "The app was not created or changed"], "reads",
        **but(AMPLIFY_APP, amplify_app_app_id="", amplify_app_name="bad-input-new-app",
              amplify_app_compute_role="bad-input-no-such-role", amplify_app_branches=[{"name": "dev"}]))),
    case("amplify_app: a new app with a default compute role only Lambda may assume", role(
        "amplify_app", ["amplify_app_compute_role:", "does not let amplify.amazonaws.com assume it", "The app was not created or changed"],
        "reads", **but(AMPLIFY_APP, amplify_app_app_id="", amplify_app_name="bad-input-new-app",
                       amplify_app_compute_role=LAMBDA_ROLE, amplify_app_branches=[{"name": "dev"}]))),
    # -- conflicting options -------------------------------------------------------------------------------
    case("job: job_id with a RELEASE", module(
        "job", ["job_id:", "RELEASE"], "none", app="{ssr_id}", branch_name="dev", job_type="RELEASE", job_id="1")),
    case("app_info: app_id and name together", module(
        "app_info", ["app_id", "name", "mutually exclusive"], "none", app_id="{ssr_id}", name=SSR_APP)),
    case("s3_upload: kms_key_id with AES256", module(
        "s3_upload", ["kms_key_id"], "none", bucket=BUCKET, src="/etc/hostname", encryption="AES256",
        kms_key_id="alias/bad-input")),
    # -- site.yml itself: an environment's input a role of its second play would refuse stops the run before
    # the first play makes anything (it used to make the app, the IAM role, the bucket and the upload first) --
    Case("site.yml with an invalid ssr_stage", SITE, {"ssr_stage": "STAGING"},
         ["ssr_stage 'STAGING' is not one of", "Nothing was made"], "none", "inventories/local"),
    Case("site.yml with ssr_wait_timeout abc", SITE, {"ssr_wait_timeout": "abc"},
         ["ssr_wait_timeout", "'abc'"], "none", "inventories/local"),
    Case("site.yml with a missing upload", SITE, {"ssr_uploads": [{"src": "/nonexistent/bad-input/logo.png", "prefix": ""}]},
         ["ssr_uploads", "/nonexistent/bad-input/logo.png"], "none", "inventories/local"),
    # -- site.yml's secrets: checked before anything is made, and no value of theirs ever shown ---------------
    Case("site.yml with a name both plain and secret", SITE,
         {"ssr_environment_variables": {"API_KEY": "plain"}, "ssr_secret_environment_variables": {"API_KEY": "s3cr3t-bad-input-1"}},
         ["ssr_secret_environment_variables: API_KEY also in ssr_environment_variables", "Nothing was made"], "none",
         "inventories/local", "s3cr3t-bad-input-1"),
    Case("site.yml with a secret name the tag cannot record", SITE,
         {"ssr_secret_environment_variables": {"BAD NAME!": "s3cr3t-bad-input-2"}},
         ["ssr_secret_environment_variables", "BAD NAME!", "cannot be recorded"], "none", "inventories/local",
         "s3cr3t-bad-input-2"),
    Case("site.yml with secret names longer than the tag", SITE,
         {"ssr_secret_environment_variables": dict(("SECRET_%02d_%s" % (i, "X" * 20), "s3cr3t-bad-input-3") for i in range(12))},
         ["ssr_secret_environment_variables", "256 characters"], "none", "inventories/local", "s3cr3t-bad-input-3"),
    Case("site.yml with ssr_secret_environment_variables not a mapping", SITE,
         {"ssr_secret_environment_variables": "s3cr3t-bad-input-4"},
         ["ssr_secret_environment_variables must be a mapping"], "none", "inventories/local", "s3cr3t-bad-input-4"),
    Case("site.yml with a ':' in the ssr_basic_auth username", SITE,
         {"ssr_basic_auth": {"username": "ops:team", "password": "s3cr3t-bad-input-5"}},
         ["ssr_basic_auth", "must not contain ':'"], "none", "inventories/local", "s3cr3t-bad-input-5"),
    Case("site.yml with ssr_basic_auth without a password", SITE, {"ssr_basic_auth": {"username": "ops"}},
         ["ssr_basic_auth", "username and password must both be given"], "none", "inventories/local"),
    Case("site.yml with ssr_app_basic_auth not a mapping", SITE, {"ssr_app_basic_auth": "ops:s3cr3t-bad-input-7"},
         ["ssr_app_basic_auth must be a mapping"], "none", "inventories/local", "s3cr3t-bad-input-7"),
    Case("site.yml with ssr_app_basic_auth too long", SITE,
         {"ssr_app_basic_auth": {"username": "ops", "password": "s3cr3t-bad-input-8" + "p" * 1600}},
         ["ssr_app_basic_auth", "too long"], "none", "inventories/local", "s3cr3t-bad-input-8"),
    Case("site.yml with ssr_app_basic_auth of other keys", SITE,
         {"ssr_app_basic_auth": {"username": "ops", "password": "s3cr3t-bad-input-9", "realm": "x"}},
         ["ssr_app_basic_auth takes only username and password", "realm"], "none", "inventories/local",
         "s3cr3t-bad-input-9"),
    # -- site.yml's run-time resources (SSM parameters, secrets, DynamoDB tables) and the compute role's grants
    # for them: checked by AWS's rules before the first play makes anything -----------------------------------
    Case("site.yml with an empty parameter name", SITE, {"ssr_parameters": [{"name": "", "value": "x"}]},
         ["ssr_parameters[0].name", "must be a parameter name", "Nothing was made"], "none", "inventories/local"),
    Case("site.yml with a parameter path not beginning with /", SITE,
         {"ssr_parameters": [{"name": "compute-role-demo/dev/greeting", "value": "x"}]},
         ["ssr_parameters[0].name", "must begin with /"], "none", "inventories/local"),
    Case("site.yml with a wildcard in a parameter name", SITE, {"ssr_parameters": [{"name": "/compute-role-demo/*", "value": "x"}]},
         ["ssr_parameters[0].name", "no wildcard"], "none", "inventories/local"),
    Case("site.yml with a SecureString key on a String parameter", SITE,
         {"ssr_parameters": [{"name": "/compute-role-demo/dev/x", "value": "x", "kms_key": "1234abcd-12ab-34cd-56ef-1234567890ab"}]},
         ["ssr_parameters[0].kms_key", "SecureString"], "none", "inventories/local"),
    Case("site.yml with a secret name holding a wildcard", SITE,
         {"ssr_secrets": [{"name": "compute-role-demo/*", "value": "s3cr3t-bad-input-10"}]},
         ["ssr_secrets[0].name", "is not a secret name"], "none", "inventories/local", "s3cr3t-bad-input-10"),
    Case("site.yml with an empty secret value", SITE, {"ssr_secrets": [{"name": "compute-role-demo/dev/empty", "value": ""}]},
         ["ssr_secrets[0].value", "non-empty string"], "none", "inventories/local"),
    Case("site.yml with an unknown key in a table", SITE, {"ssr_tables": [{"name": "compute-role-demo-dev-items", "kind": "queue"}]},
         ["ssr_tables[0]", "unknown key(s) kind"], "none", "inventories/local"),
    Case("site.yml with an item without the partition key", SITE,
         {"ssr_tables": [{"name": "compute-role-demo-dev-items", "items": [{"title": "no id"}]}]},
         ["ssr_tables[0].items[0]", "has no id"], "none", "inventories/local"),
    Case("site.yml with a table declared twice", SITE,
         {"ssr_tables": [{"name": "compute-role-demo-dev-items"}, {"name": "compute-role-demo-dev-items"}]},
         ["ssr_tables[1].name", "declared twice"], "none", "inventories/local"),
    # 30 tables of 200-character names: the generated grants are beyond IAM's 10,240 characters.
    Case("site.yml with grants beyond IAM's inline policy size", SITE,
         {"ssr_tables": [{"name": "t%02d-%s" % (i, "x" * 196)} for i in range(30)]},
         ["iam_compute_role_grants", "10240", "Nothing was made"], "none", "inventories/local"),
    case("iam_compute_role: an unknown grant kind", role(
        "iam_compute_role", ["value of kind must be one of", "sqs_queue", "iam_compute_role_grants"],
        **but(IAM_COMPUTE_ROLE, iam_compute_role_grants=[{"kind": "sqs_queue", "name": "jobs"}]))),
    # -- the real teardown playbook, without its confirmation ------------------------------------------------
    Case("teardown.yml without ssr_teardown_confirm", TEARDOWN, {},
         ["ssr_teardown_confirm=%s" % APP_NAME, "Nothing was deleted"], "none", "inventories/local"),
    Case("teardown.yml with the wrong ssr_teardown_confirm", TEARDOWN, {"ssr_teardown_confirm": "%s-typo" % APP_NAME},
         ["ssr_teardown_confirm=%s" % APP_NAME, "Nothing was deleted"], "none", "inventories/local"),
]


@pytest.fixture()
def world(empty_account):
    return World(empty_account)


def test_the_matrix_is_wide_enough():
    assert len(CASES) >= 20 and len({c.id for c in CASES}) == len(CASES)
    kinds = {c.playbook for c in CASES}
    assert kinds == {MODULE, ROLE, TEARDOWN, SITE}


@pytest.mark.parametrize("bad", CASES, ids=[c.id for c in CASES])
def test_bad_input_fails_naming_the_option_and_changes_nothing(world, empty_account, playbook, bad):
    endpoint = empty_account
    args = bad.args(world)
    expect = world.fill(bad.expect)
    before = account_state(endpoint)
    mark = endpoint.mark()

    result = playbook(*args, inventory=bad.inventory)

    assert result.returncode != 0, result
    messages = failure_messages(result.output)
    assert messages, result
    # The last failure is the one the run stopped on; it names the option and what is wrong with it.
    assert [word for word in expect if word not in messages[-1]] == [], (messages[-1], result)
    if bad.secret:
        assert bad.secret not in result.output, "a secret value was printed"

    requests = endpoint.requests_since(mark)
    writes = [r for r in requests if r["kind"] != "read"]
    assert endpoint.control.applied_writes(mark) == [], writes
    if bad.calls == "none":
        assert requests == [], requests
    elif bad.calls == "reads":
        assert writes == [], writes
    else:
        assert writes and all(w["status"] >= 400 for w in writes), writes
    assert account_state(endpoint) == before
