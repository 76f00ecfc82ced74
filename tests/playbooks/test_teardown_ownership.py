# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""teardown.yml keeps what is not ours: a bucket holding an object the collection did not upload refuses its
environment (which keeps its branch, bucket, IAM role, SSM parameter, secret and DynamoDB table), the others are torn
down, and the app (with its CloudWatch Logs role) stays while the refused environment's branch is in it;
teardown_force_empty_bucket deletes every object and lists it. The parameters, secrets and tables go only when tagged
for the environment (look-alikes stay), secrets with a recovery window (7 days by default, 0 for at once).

Run with the endpoint (make playbook-tests); each test starts from an empty account and reads the endpoint back.
"""

import json

import boto3
import pytest

from conftest import APP_NAME, ENVIRONMENTS

SITE = "playbooks/site.yml"
TEARDOWN = "playbooks/teardown.yml"
CONFIRM = "ssr_teardown_confirm=%s" % APP_NAME
BY_HAND = "notes/by-hand.txt"
# The app's CloudWatch Logs service role site.yml makes (site_logs_role_name: <app>-<region>-logs).
LOGS_ROLE = "%s-us-east-1-logs" % APP_NAME
DAY = 24 * 3600


def bucket(environment):
    return "%s-%s-private" % (APP_NAME, environment)


def role(environment):
    return "%s-%s-compute" % (APP_NAME, environment)


# What the demo inventory declares per environment (inventories/local/group_vars/all.yml).
def parameter(environment, leaf="greeting"):
    return "/%s/%s/%s" % (APP_NAME, environment, leaf)


def secret(environment, leaf="api-key"):
    return "%s/%s/%s" % (APP_NAME, environment, leaf)


def table(environment, leaf="items"):
    return "%s-%s-%s" % (APP_NAME, environment, leaf)


class RunTime:
    """SSM, Secrets Manager and DynamoDB on the endpoint (conftest's Endpoint has no clients for them)."""

    def __init__(self, endpoint):
        session = boto3.session.Session(region_name="us-east-1")
        self.ssm = session.client("ssm", endpoint_url=endpoint.url)
        self.secretsmanager = session.client("secretsmanager", endpoint_url=endpoint.url)
        self.dynamodb = session.client("dynamodb", endpoint_url=endpoint.url)

    def parameters(self):
        return sorted(p["Name"] for p in self.ssm.describe_parameters(MaxResults=50)["Parameters"])

    def secrets(self):
        """Every secret, also those scheduled for deletion: {name: the date it is deleted, or None}."""
        listed = self.secretsmanager.list_secrets(IncludePlannedDeletion=True, MaxResults=100)["SecretList"]
        return {s["Name"]: s.get("DeletedDate") for s in listed}

    def live_secrets(self):
        return sorted(name for name, deleted in self.secrets().items() if deleted is None)

    def tables(self):
        return sorted(self.dynamodb.list_tables()["TableNames"])


def refusal(environment):
    return ("teardown_bucket: bucket %s holds 1 object(s) (1 version(s)) without the tags "
            "managed-by=amplify_hosting.ssr environment=%s, which this collection did not upload: %s. "
            % (bucket(environment), environment, BY_HAND))


def deleted_listing(environment, count, keys):
    """What a forced run prints for the bucket: how many versions and delete markers it deleted, and the keys."""
    return ("teardown deleted from bucket %s %d object version(s) and delete marker(s) (every object, "
            "teardown_force_empty_bucket) of the keys: %s" % (bucket(environment), count, ", ".join(keys)))


def assert_kept(endpoint, environment):
    """The refused environment: its branch (with its compute role), its IAM role, its bucket and both objects, its
    parameter, secret and table; the app's CloudWatch Logs role stays with the app."""
    apps = endpoint.apps()
    assert len(apps) == 1, apps
    branches = endpoint.branches(apps[0]["appId"])
    assert sorted(branches) == [ENVIRONMENTS[environment]], branches
    assert branches[ENVIRONMENTS[environment]]["computeRoleArn"].endswith(":role/%s" % role(environment))
    assert endpoint.role_names() == sorted([role(environment), LOGS_ROLE])
    assert endpoint.bucket_names() == [bucket(environment)]
    assert endpoint.object_keys(bucket(environment)) == ["amplify-logo.png", BY_HAND]
    assert endpoint.s3.get_object(Bucket=bucket(environment), Key=BY_HAND)["Body"].read() == b"keep me"
    run_time = RunTime(endpoint)
    assert run_time.parameters() == [parameter(environment)]
    # The other environments' secrets are scheduled for deletion (still listed), the refused one's is not.
    assert run_time.live_secrets() == [secret(environment)]
    assert sorted(run_time.secrets()) == sorted(secret(e) for e in ENVIRONMENTS)
    assert run_time.tables() == [table(environment)]


def assert_all_gone(endpoint):
    assert endpoint.apps() == [] and endpoint.bucket_names() == [] and endpoint.role_names() == []
    run_time = RunTime(endpoint)
    assert run_time.parameters() == [] and run_time.tables() == [] and run_time.live_secrets() == []


def logs_role_kept():
    """What play 3 prints when it keeps the app, and so its CloudWatch Logs role."""
    return ("teardown kept IAM role %s (the CloudWatch Logs role of the app %s): the app is kept"
            % (LOGS_ROLE, APP_NAME))


@pytest.fixture()
def hand_made_object(empty_account, playbook):
    """Every environment converged, then an object put by hand (no tags) into one environment's bucket."""

    def make(environment):
        converged = playbook(SITE)
        assert converged.returncode == 0, converged
        empty_account.s3.put_object(Bucket=bucket(environment), Key=BY_HAND, Body=b"keep me")
        assert empty_account.s3.get_object_tagging(Bucket=bucket(environment), Key=BY_HAND)["TagSet"] == []
        return empty_account

    return make


def test_a_hand_made_object_refuses_its_environment_only_and_force_then_deletes_and_lists_it(
        hand_made_object, playbook):
    endpoint = hand_made_object("staging")
    app_id = endpoint.apps()[0]["appId"]

    # --check: staging is refused as it would be, the others plan their teardown; nothing is written.
    mark = endpoint.mark()
    checked = playbook(TEARDOWN, "-e", CONFIRM, "--check")
    assert checked.returncode != 0, checked
    assert checked.recap["staging"]["failed"] == 1, checked
    assert checked.recap["dev"]["failed"] == 0 and checked.recap["prod"]["failed"] == 0, checked
    assert refusal("staging") in checked.output, checked
    assert endpoint.writes_since(mark) == []
    assert sorted(endpoint.branches(app_id)) == sorted(ENVIRONMENTS.values())

    # The default: staging is refused before anything of it is deleted; dev and prod are torn down.
    refused = playbook(TEARDOWN, "-e", CONFIRM)
    assert refused.returncode != 0, refused
    assert refused.recap["staging"]["failed"] == 1, refused
    assert refused.recap["dev"]["failed"] == 0 and refused.recap["prod"]["failed"] == 0, refused
    assert all("teardown_bucket: bucket %s" % bucket(other) not in refused.output for other in ("dev", "prod"))
    assert refusal("staging") in refused.output, refused
    assert "Nothing was deleted; this environment's branch, bucket and IAM role are kept." in refused.output
    # The last play (run by dev, staging having failed) keeps the app: staging's branch is left in it.
    assert "teardown kept app %s (%s): it still holds the branches staging" % (app_id, APP_NAME) in refused.output
    assert logs_role_kept() in refused.output, refused
    assert_kept(endpoint, "staging")

    # The documented override with false, no and 0 (as -e gives them: strings) is the same refusal, never a
    # Jinja type error; so is the inventory variable.
    for override in ("teardown_force_empty_bucket=false", "teardown_force_empty_bucket=no",
                     "ssr_teardown_force_empty_bucket=0"):
        mark = endpoint.mark()
        again = playbook(TEARDOWN, "-e", CONFIRM, "-e", override)
        assert again.returncode != 0 and again.recap["staging"]["failed"] == 1, again
        assert refusal("staging") in again.output, again
        assert "Conditionals must have a boolean result" not in again.output, again
        assert endpoint.writes_since(mark) == [], override
    assert_kept(endpoint, "staging")

    # Check mode with force: what it would delete, the hand-made object included; still nothing written.
    mark = endpoint.mark()
    would = playbook(TEARDOWN, "-e", CONFIRM, "-e", "teardown_force_empty_bucket=true", "--check")
    assert would.returncode == 0, would
    assert ("teardown would delete from bucket %s 2 object version(s)" % bucket("staging")) in would.output, would
    assert endpoint.writes_since(mark) == []
    assert_kept(endpoint, "staging")

    # Force: every object goes, the run lists them, and nothing is left (the app too: no branch is left).
    forced = playbook(TEARDOWN, "-e", CONFIRM, "-e", "teardown_force_empty_bucket=true")
    assert forced.returncode == 0, forced
    assert deleted_listing("staging", 2, ["amplify-logo.png", BY_HAND]) in forced.output, forced
    assert_all_gone(endpoint)


def test_the_environment_that_manages_the_app_refused_keeps_its_branch_and_the_app(hand_made_object, playbook):
    # dev is the first host, the one play 3 picks to delete the app; refused, it leaves that play, and the
    # next environment (staging) finds dev's branch left and keeps the app.
    endpoint = hand_made_object("dev")
    app_id = endpoint.apps()[0]["appId"]
    refused = playbook(TEARDOWN, "-e", CONFIRM)
    assert refused.returncode != 0 and refused.recap["dev"]["failed"] == 1, refused
    assert refused.recap["staging"]["failed"] == 0 and refused.recap["prod"]["failed"] == 0, refused
    assert refusal("dev") in refused.output, refused
    assert "teardown kept app %s (%s): it still holds the branches dev" % (app_id, APP_NAME) in refused.output
    assert logs_role_kept() in refused.output, refused
    assert_kept(endpoint, "dev")
    # The app's default compute role is dev's own: kept with dev's role.
    assert endpoint.amplify.get_app(appId=app_id)["app"]["computeRoleArn"].endswith(":role/%s" % role("dev"))

    # Removing the hand-made object is enough: the next run without force tears dev down (the collection's
    # own object goes with the bucket), then the app.
    endpoint.s3.delete_object(Bucket=bucket("dev"), Key=BY_HAND)
    retried = playbook(TEARDOWN, "-e", CONFIRM, "--limit", "dev")
    assert retried.returncode == 0, retried
    assert ("teardown deleted from bucket %s 1 object version(s) and delete marker(s) (the objects this collection "
            "uploaded) of the keys: amplify-logo.png" % bucket("dev")) in retried.output, retried
    assert_all_gone(endpoint)


def test_force_from_the_inventory_variable_empties_a_versioned_bucket_of_every_version(empty_account, playbook):
    endpoint = empty_account
    converged = playbook(SITE, "--limit", "prod")
    assert converged.returncode == 0, converged
    # Versions and a delete marker (versioning turned on by hand), of our object and of one put by hand.
    endpoint.s3.put_bucket_versioning(Bucket=bucket("prod"), VersioningConfiguration={"Status": "Enabled"})
    for body in (b"one", b"two"):
        endpoint.s3.put_object(Bucket=bucket("prod"), Key=BY_HAND, Body=body)
    endpoint.s3.delete_object(Bucket=bucket("prod"), Key=BY_HAND)

    refused = playbook(TEARDOWN, "-e", CONFIRM, "--limit", "prod")
    assert refused.returncode != 0, refused
    assert ("bucket %s holds 1 object(s) (2 version(s)) without the tags" % bucket("prod")) in refused.output, refused

    forced = playbook(TEARDOWN, "-e", CONFIRM, "--limit", "prod", "-e", "ssr_teardown_force_empty_bucket=yes")
    assert forced.returncode == 0, forced
    # amplify-logo.png (its null version), the two versions and the delete marker of the hand-made object.
    assert deleted_listing("prod", 4, ["amplify-logo.png", BY_HAND]) in forced.output, forced
    assert_all_gone(endpoint)


# --- SSM parameters, secrets and DynamoDB tables, and the app's CloudWatch Logs role -----------------------------
LOOK_ALIKE = "by-hand"
# Every environment is asked (through -e, for every host) to delete the demo's parameters, secrets and tables of all
# three environments and the look-alikes: each deletes only its own; the others' and the look-alikes stay.
ASKED = json.dumps({
    "ssr_parameters": [{"name": parameter(e)} for e in ENVIRONMENTS] + [{"name": parameter("dev", LOOK_ALIKE)}],
    "ssr_secrets": [{"name": secret(e)} for e in ENVIRONMENTS] + [{"name": secret("dev", LOOK_ALIKE)}],
    "ssr_tables": [{"name": table(e)} for e in ENVIRONMENTS] + [{"name": table("dev", LOOK_ALIKE)}],
})


def make_look_alikes(run_time):
    """Named as the demo names dev's, none carrying both ownership tags of dev: a parameter without tags, a secret
    without managed-by, a table of the collection's for another environment."""
    run_time.ssm.put_parameter(Name=parameter("dev", LOOK_ALIKE), Value="mine", Type="String")
    run_time.secretsmanager.create_secret(Name=secret("dev", LOOK_ALIKE), SecretString="mine",
                                          Tags=[{"Key": "environment", "Value": "dev"}])
    run_time.dynamodb.create_table(TableName=table("dev", LOOK_ALIKE), BillingMode="PAY_PER_REQUEST",
                                   AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                   KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                   Tags=[{"Key": "managed-by", "Value": "amplify_hosting.ssr"},
                                         {"Key": "environment", "Value": "qa"}])


def skipped(environment, what, name):
    return ("teardown SKIPPED %s %s: not tagged managed-by=amplify_hosting.ssr environment=%s (its tags: "
            % (what, name, environment))


def test_parameters_secrets_and_tables_go_only_when_ours_and_the_logs_role_only_when_ours(empty_account, playbook):
    endpoint, run_time = empty_account, RunTime(empty_account)
    converged = playbook(SITE, "-e", "ssr_release=false")
    assert converged.returncode == 0, converged
    ours = {"parameters": [parameter(e) for e in ENVIRONMENTS], "secrets": [secret(e) for e in ENVIRONMENTS],
            "tables": [table(e) for e in ENVIRONMENTS]}
    assert run_time.parameters() == sorted(ours["parameters"]) and run_time.tables() == sorted(ours["tables"])
    assert run_time.live_secrets() == sorted(ours["secrets"])
    assert endpoint.role_tags(LOGS_ROLE)["managed-by"] == "amplify_hosting.ssr"
    make_look_alikes(run_time)
    # The logs role made someone else's: without managed-by it is not the collection's to delete.
    endpoint.iam.untag_role(RoleName=LOGS_ROLE, TagKeys=["managed-by"])
    look_alikes = {"parameters": [parameter("dev", LOOK_ALIKE)], "secrets": [secret("dev", LOOK_ALIKE)],
                   "tables": [table("dev", LOOK_ALIKE)]}

    # A recovery window Secrets Manager does not take fails, naming the variable given, before any write.
    for given, variable in (("ssr_teardown_secret_recovery_days=5", "ssr_teardown_secret_recovery_days"),
                            ("ssr_teardown_secret_recovery_days=31", "ssr_teardown_secret_recovery_days"),
                            ("teardown_secret_recovery_days=seven", "teardown_secret_recovery_days")):
        mark = endpoint.mark()
        bad = playbook(TEARDOWN, "-e", CONFIRM, "-e", ASKED, "-e", given)
        assert bad.returncode != 0 and all(bad.recap[e]["failed"] == 1 for e in ENVIRONMENTS), bad
        assert ("%s must be 0 (delete the secrets at once, without recovery) or 7 to 30" % variable) in bad.output, bad
        assert endpoint.writes_since(mark) == [], given

    # --check --diff: the plan names what would go, the look-alikes are reported; nothing is written.
    mark = endpoint.mark()
    checked = playbook(TEARDOWN, "-e", CONFIRM, "-e", ASKED, "--check", "--diff")
    assert checked.returncode == 0, checked
    assert endpoint.writes_since(mark) == []
    for environment in ENVIRONMENTS:
        assert "delete SSM parameter %s" % parameter(environment) in checked.output, checked
        assert ("delete secret %s after a recovery window of 7 days" % secret(environment)) in checked.output, checked
        assert "delete DynamoDB table %s with its items" % table(environment) in checked.output, checked
    assert run_time.parameters() == sorted(ours["parameters"] + look_alikes["parameters"])
    assert run_time.live_secrets() == sorted(ours["secrets"] + look_alikes["secrets"])
    assert run_time.tables() == sorted(ours["tables"] + look_alikes["tables"])

    # The teardown: each environment deletes its own, after its IAM role; the look-alikes, the other environments'
    # (as each environment sees them) and the logs role that is no longer the collection's are reported and left.
    mark = endpoint.mark()
    torn = playbook(TEARDOWN, "-e", CONFIRM, "-e", ASKED)
    assert torn.returncode == 0, torn
    assert skipped("dev", "SSM parameter", parameter("dev", LOOK_ALIKE)) + "{})" in torn.output, torn
    assert skipped("dev", "secret", secret("dev", LOOK_ALIKE)) in torn.output, torn
    assert skipped("staging", "DynamoDB table", table("dev", LOOK_ALIKE)) in torn.output, torn
    assert skipped("prod", "SSM parameter", parameter("dev")) in torn.output, torn
    assert ("teardown SKIPPED IAM role %s (the app's CloudWatch Logs role): not tagged managed-by=amplify_hosting.ssr"
            % LOGS_ROLE) in torn.output, torn
    assert endpoint.apps() == [] and endpoint.bucket_names() == []
    assert endpoint.role_names() == [LOGS_ROLE]
    assert run_time.parameters() == look_alikes["parameters"] and run_time.tables() == look_alikes["tables"]
    assert run_time.live_secrets() == look_alikes["secrets"]
    # Ours are scheduled for deletion 7 days after the DeleteSecret call (restorable until then).
    deletes = [r for r in endpoint.requests_since(mark) if r["operation"] == "DeleteSecret"]
    assert len(deletes) == 3
    scheduled = run_time.secrets()
    for name in ours["secrets"]:
        assert scheduled[name] is not None, scheduled
        assert abs(scheduled[name].timestamp() - 7 * DAY - deletes[0]["time"]) < 60, (scheduled, deletes)
    # In order: each environment's IAM role before its parameter, secret and table.
    operations = [r["operation"] for r in endpoint.requests_since(mark)]
    assert operations.index("DeleteRole") < operations.index("DeleteParameter") < operations.index("DeleteSecret")
    assert operations.index("DeleteSecret") < operations.index("DeleteTable")

    # Again: the secrets already scheduled for deletion are left as they are, and nothing is written.
    mark = endpoint.mark()
    again = playbook(TEARDOWN, "-e", CONFIRM, "-e", ASKED)
    assert again.returncode == 0, again
    assert endpoint.writes_since(mark) == []
    assert ("teardown SKIPPED secret %s: already scheduled for deletion" % secret("prod")) in again.output, again
    assert run_time.secrets() == scheduled

    # 0 (as -e gives it, a string): deleted at once, without recovery, the scheduled ones too; the look-alike stays.
    # The logs role, tagged as the collection's again but given as a role of one's own (ssr_logs_role_arn), is
    # not touched although the app is gone.
    endpoint.iam.tag_role(RoleName=LOGS_ROLE, Tags=[{"Key": "managed-by", "Value": "amplify_hosting.ssr"}])
    logs_role_arn = endpoint.iam.get_role(RoleName=LOGS_ROLE)["Role"]["Arn"]
    mark = endpoint.mark()
    forced = playbook(TEARDOWN, "-e", CONFIRM, "-e", ASKED, "-e", "ssr_teardown_secret_recovery_days=0",
                      "-e", "ssr_logs_role_arn=%s" % logs_role_arn)
    assert forced.returncode == 0, forced
    assert ("delete secret %s at once, without recovery (teardown_secret_recovery_days=0; it was scheduled for "
            "deletion)" % secret("staging")) in forced.output, forced
    assert ("teardown leaves the app's CloudWatch Logs role %s alone (ssr_logs_role_arn: a role of your own)"
            % logs_role_arn) in forced.output, forced
    assert sorted(endpoint.writes_since(mark)) == [("secretsmanager", "DeleteSecret")] * 3
    assert run_time.secrets() == {secret("dev", LOOK_ALIKE): None}
    assert endpoint.role_names() == [LOGS_ROLE]
