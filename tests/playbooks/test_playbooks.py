# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""site.yml, verify.yml, teardown.yml and the inclusion example, run for real against the local endpoint.

Each test starts from an empty account and reads the result back from the endpoint: its state, and its
request log for "no write call" claims.
"""

import json
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import APP_NAME, ENVIRONMENTS, OWNERSHIP, ROOT

SITE = "playbooks/site.yml"
VERIFY = "playbooks/verify.yml"
TEARDOWN = "playbooks/teardown.yml"
CONFIRM = "ssr_teardown_confirm=%s" % APP_NAME


def role_arn(environment):
    return "arn:aws:iam::123456789012:role/%s-%s-compute" % (APP_NAME, environment)


def assert_converged(endpoint, environments=None):
    """What site.yml must have made for these environments (all when None), and nothing for the others."""
    environments = list(ENVIRONMENTS) if environments is None else environments
    apps = endpoint.apps()
    assert len(apps) == 1, apps
    app = apps[0]
    assert app["platform"] == "WEB_COMPUTE" and app["tags"]["managed-by"] == "amplify_hosting.ssr"
    branches = endpoint.branches(app["appId"])
    assert sorted(branches) == sorted(ENVIRONMENTS[env] for env in environments)
    for environment in environments:
        role, bucket = "%s-%s-compute" % (APP_NAME, environment), "%s-%s-private" % (APP_NAME, environment)
        assert endpoint.role_tags(role) == dict(OWNERSHIP, environment=environment)
        assert endpoint.bucket_tags(bucket) == dict(OWNERSHIP, environment=environment)
        assert endpoint.object_keys(bucket) == ["amplify-logo.png"]
        block = endpoint.s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values()) and len(block) == 4, block
        branch = branches[ENVIRONMENTS[environment]]
        assert branch["computeRoleArn"] == role_arn(environment)
        assert branch["tags"] == dict(OWNERSHIP, environment=environment)
        # The route's object, and the run-time resources the demo inventory declares (inventories/local).
        assert branch["environmentVariables"] == {
            "BUCKET_NAME": bucket, "OBJECT_KEY": "amplify-logo.png",
            "CONFIG_PARAMETER": "/%s/%s/greeting" % (APP_NAME, environment),
            "SECRET_ID": "%s/%s/api-key" % (APP_NAME, environment),
            "ITEMS_TABLE": "%s-%s-items" % (APP_NAME, environment), "ITEM_ID": "1"}
        ssm, secrets, dynamodb = (endpoint.client(name) for name in ("ssm", "secretsmanager", "dynamodb"))
        tags = dict(OWNERSHIP, environment=environment)
        parameter = "/%s/%s/greeting" % (APP_NAME, environment)
        assert ssm.get_parameter(Name=parameter)["Parameter"]["Value"] == "Hello from %s" % environment
        assert {t["Key"]: t["Value"] for t in ssm.list_tags_for_resource(
            ResourceType="Parameter", ResourceId=parameter)["TagList"]} == tags
        secret = secrets.describe_secret(SecretId="%s/%s/api-key" % (APP_NAME, environment))
        assert {t["Key"]: t["Value"] for t in secret["Tags"]} == tags and "DeletedDate" not in secret
        table = dynamodb.describe_table(TableName="%s-%s-items" % (APP_NAME, environment))["Table"]
        assert {t["Key"]: t["Value"] for t in dynamodb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]} == tags
        assert dynamodb.get_item(TableName=table["TableName"], Key={"id": {"S": "1"}})["Item"] == {
            "id": {"S": "1"}, "title": {"S": "The first item of %s" % environment}}
    # The app's CloudWatch Logs service role, made by the environment that manages the app.
    logs_role = "%s-us-east-1-logs" % APP_NAME
    assert app["iamServiceRoleArn"] == "arn:aws:iam::123456789012:role/" + logs_role
    assert endpoint.role_tags(logs_role)["managed-by"] == "amplify_hosting.ssr"
    others = sorted(set(ENVIRONMENTS) - set(environments))
    for environment in others:
        assert "%s-%s-compute" % (APP_NAME, environment) not in endpoint.role_names()
        assert "%s-%s-private" % (APP_NAME, environment) not in endpoint.bucket_names()
    return app


def test_site_converges_all_environments_and_a_second_run_writes_nothing(empty_account, playbook):
    endpoint = empty_account
    first = playbook(SITE)
    assert first.returncode == 0, first
    assert sorted(first.recap) == sorted(ENVIRONMENTS) and all(first.changed(host) > 0 for host in ENVIRONMENTS), first
    app = assert_converged(endpoint)
    # App settings > IAM roles: the app's default is dev's role (ssr_app_default_role_environment).
    assert app["computeRoleArn"] == role_arn("dev")
    # A release per branch, at the inventory's commit, succeeded.
    for branch in ENVIRONMENTS.values():
        jobs = endpoint.amplify.list_jobs(appId=app["appId"], branchName=branch)["jobSummaries"]
        assert [(job["commitId"], job["status"]) for job in jobs] == [("local-demo-commit", "SUCCEED")]

    mark = endpoint.mark()
    second = playbook(SITE)
    assert second.returncode == 0, second
    assert {host: second.changed(host) for host in ENVIRONMENTS} == {"dev": 0, "staging": 0, "prod": 0}, second
    assert endpoint.writes_since(mark) == []
    assert len(endpoint.requests_since(mark)) > 0  # it did read: the log is not just empty
    assert_converged(endpoint)


def test_verify_passes_on_a_converged_account_and_names_what_is_wrong(empty_account, playbook):
    endpoint = empty_account
    assert playbook(SITE).returncode == 0
    mark = endpoint.mark()
    verified = playbook(VERIFY)
    assert verified.returncode == 0, verified
    assert endpoint.writes_since(mark) == []
    app_id = endpoint.apps()[0]["appId"]
    port = int(endpoint.url.rsplit(":", 1)[1])
    for environment, branch in ENVIRONMENTS.items():
        # The per-environment summary make demo shows. The inventory's ssr_branch_url_template gives each branch
        # its URL on the endpoint; the app's repository is not one the endpoint builds (test_compute.py does
        # that), so nothing serves the branch: the route's two checks are skipped, and the summary says why.
        url = "http://%s.%s.localhost:%d" % (branch, app_id, port)
        assert "environment:   %s" % environment in verified.output
        assert "runs with:     %s" % role_arn(environment) in verified.output
        assert "URL:           %s" % url in verified.output
        assert ("skipped:       branch %s: GET %s/api/image: skipped, the branch does not answer: nothing serves it at "
                "%s.%s.localhost (127.0.0.1:%d answered 404: Nothing serves branch %s of app %s on this endpoint"
                % (branch, url, branch, app_id, port, branch, app_id)) in verified.output, verified
        assert ("skipped:       branch %s: compute log check skipped: nothing served its GET of /api/image" % branch) in verified.output
    assert verified.output.count("checks:        7 passed, 0 failed, 2 skipped") == 3, verified

    # Without the template, the branch's Amplify URL (https://<branch>.<default domain>), which does not
    # resolve here: skipped too, saying so.
    amplify_urls = playbook(VERIFY, "--limit", "dev", "-e", "ssr_branch_url_template=")
    assert amplify_urls.returncode == 0, amplify_urls
    assert "URL:           https://dev.%s.amplifyapp.com" % app_id in amplify_urls.output, amplify_urls
    assert ("skipped:       branch dev: GET https://dev.%s.amplifyapp.com/api/image: skipped, the branch does not answer: its "
            "host name dev.%s.amplifyapp.com does not resolve" % (app_id, app_id)) in amplify_urls.output, amplify_urls

    # As against real AWS (inventories/example): a branch URL that does not answer fails the run.
    strict = playbook(VERIFY, "-e", "ssr_verify_require_app_url=true", "-e", "ssr_verify_app_url_timeout=1")
    assert strict.returncode != 0 and all(strict.recap[env]["failed"] == 1 for env in ENVIRONMENTS), strict
    assert strict.output.count("checks:        7 passed, 1 failed, 1 skipped") == 3, strict
    assert "the branch does not answer" in strict.output and "verify_require_app_url is true" in strict.output

    # Lockdown broken on staging's bucket, and prod's branch made to run with dev's role.
    endpoint.s3.put_public_access_block(Bucket="%s-staging-private" % APP_NAME, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": True})
    endpoint.amplify.update_branch(appId=app_id, branchName="main", computeRoleArn=role_arn("dev"))
    broken = playbook(VERIFY)
    assert broken.returncode != 0, broken
    assert broken.recap["dev"]["failed"] == 0 and broken.recap["staging"]["failed"] == 1 and broken.recap["prod"]["failed"] == 1
    assert "bucket %s-staging-private: Block Public Access flag(s) off: BlockPublicPolicy" % APP_NAME in broken.output
    assert "runs with %s (its own override), expected %s" % (role_arn("dev"), role_arn("prod")) in broken.output


@pytest.fixture()
def branch_server(tmp_path, empty_account):
    """The verify scenario's stand-in for branches served on loopback (extensions/molecule/verify/files; the
    endpoint's compute builds the real app in minutes, test_compute.py): answers
    http://<display name>.<app id>.localhost:<port>/api/image with the demo image and logs the route's line to
    CloudWatch Logs a second later. Yields its port; stopped afterwards."""
    port_file = tmp_path / "port"
    process = subprocess.Popen([
        sys.executable, str(ROOT / "extensions/molecule/verify/files/branch_server.py"),
        "--port-file", str(port_file), "--image", str(ROOT / "playbooks/files/amplify-logo.png"),
        "--location", "s3://%s-dev-private/amplify-logo.png" % APP_NAME, "--branch-name", "feature-demo=feature/demo",
        "--endpoint-url", empty_account.url, "--lifetime", "300",
    ])
    try:
        for dummy in range(100):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        yield int(port_file.read_text().strip())
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_verify_fetches_the_branch_url_template_and_finds_the_route_line_in_the_compute_log(empty_account, playbook, branch_server):
    endpoint = empty_account
    port = branch_server
    # A branch name with '/': its display name (feature-demo) goes in the URL, its name in the log streams.
    assert playbook(SITE, "--limit", "dev", "-e", "ssr_branch=feature/demo").returncode == 0
    app_id = endpoint.apps()[0]["appId"]
    mark = endpoint.mark()
    template = "ssr_branch_url_template=http://{branch}.{app_id}.localhost:%d" % port
    verified = playbook(VERIFY, "--limit", "dev", "-e", "ssr_branch=feature/demo", "-e", template)
    assert verified.returncode == 0, verified
    assert "URL:           http://feature-demo.%s.localhost:%d" % (app_id, port) in verified.output, verified
    assert "checks:        9 passed, 0 failed, 0 skipped" in verified.output, verified
    assert ("branch feature/demo: GET http://feature-demo.%s.localhost:%d/api/image: compute log: the route logged "
            "\\\"[api/image] s3://%s-dev-private/amplify-logo.png: 200, " % (app_id, port, APP_NAME)) in verified.output, verified
    # The .localhost host reached 127.0.0.1 as the Host header; verify itself wrote nothing (the stand-in's
    # log lines are the only writes).
    seen = json.loads(urllib.request.urlopen("http://127.0.0.1:%d/_seen" % port).read())
    assert ["feature-demo.%s.localhost:%d" % (app_id, port), "/api/image"] in seen
    assert [w for w in endpoint.writes_since(mark) if w[1] not in ("CreateLogGroup", "CreateLogStream", "PutLogEvents")] == []

    # A template that is not a URL is refused before any call, naming the variable.
    bad = playbook(VERIFY, "--limit", "dev", "-e", "ssr_branch_url_template={branch}.example.com")
    assert bad.returncode != 0 and "ssr_branch_url_template must be an http:// or https:// URL" in bad.output, bad


def test_check_mode_on_an_empty_account_reports_changes_and_writes_nothing(empty_account, playbook):
    endpoint = empty_account
    mark = endpoint.mark()
    checked = playbook(SITE, "--check", "--diff")
    assert checked.returncode == 0, checked
    assert all(checked.changed(host) > 0 for host in ENVIRONMENTS), checked
    assert "Check mode: the app %s would be created first" % APP_NAME in checked.output
    # The run-time resources' plan: one diff per resource to make, the secret's value never in it.
    for env in ENVIRONMENTS:
        for header in ("SSM parameter /%s/%s/greeting" % (APP_NAME, env), "secret %s/%s/api-key" % (APP_NAME, env),
                       "DynamoDB table %s-%s-items" % (APP_NAME, env)):
            assert "--- before: %s (absent)\n+++ after: %s\n" % (header, header) in checked.output, (header, checked)
        assert "local-demo-api-key-for-%s" % env not in checked.output
    assert checked.output.count("+value: (not shown)\n") == len(ENVIRONMENTS), checked
    assert endpoint.writes_since(mark) == []
    assert endpoint.role_names() == [] and endpoint.bucket_names() == [] and endpoint.apps() == []


def test_check_mode_after_one_environment_reports_the_others_and_writes_nothing(empty_account, playbook):
    endpoint = empty_account
    assert playbook(SITE, "--limit", "staging").returncode == 0
    mark = endpoint.mark()
    checked = playbook(SITE, "--check")
    assert checked.returncode == 0, checked
    # dev and prod would be made (their compute roles do not exist yet: check mode warns, and goes on).
    assert checked.changed("dev") > 0 and checked.changed("prod") > 0 and checked.changed("staging") == 0, checked
    assert "does not exist (yet)" in checked.output
    assert endpoint.writes_since(mark) == []
    assert_converged(endpoint, environments=["staging"])


def test_an_app_that_cannot_be_made_stops_every_environment_before_anything_is_made(empty_account, playbook):
    endpoint = empty_account
    # Two apps carry the app's name: the app step fails, naming it; no environment goes on without its app.
    for copy in ("first", "second"):
        endpoint.amplify.create_app(name=APP_NAME, platform="WEB_COMPUTE", description=copy)
    mark = endpoint.mark()
    failed = playbook(SITE)
    assert failed.returncode != 0, failed
    assert "amplify_app_name: 2 apps are named %s" % APP_NAME in failed.output
    assert endpoint.writes_since(mark) == []
    assert endpoint.role_names() == [] and endpoint.bucket_names() == []


def test_limit_converges_one_environment_and_leaves_the_others_untouched(empty_account, playbook):
    endpoint = empty_account
    staging_only = playbook(SITE, "--limit", "staging")
    assert staging_only.returncode == 0, staging_only
    assert sorted(staging_only.recap) == ["staging"]
    app = assert_converged(endpoint, environments=["staging"])
    # The app's default compute role belongs to dev, which was not in the play: left unset.
    assert not app.get("computeRoleArn")

    assert playbook(SITE).returncode == 0
    app = assert_converged(endpoint)
    before = {env: endpoint.snapshot(env, ENVIRONMENTS[env], app["appId"]) for env in ("dev", "prod")}
    app_before = endpoint.amplify.get_app(appId=app["appId"])["app"]

    # A change given to every host (-e), applied with --limit staging: only staging's branch takes it.
    mark = endpoint.mark()
    changed = playbook(SITE, "--limit", "staging", "-e", json.dumps({"ssr_environment_variables": {"FEATURE": "on"}}))
    assert changed.returncode == 0, changed
    assert endpoint.writes_since(mark) == [("amplify", "UpdateBranch")]
    assert sorted(changed.recap) == ["staging"] and changed.changed("staging") > 0
    staging = endpoint.amplify.get_branch(appId=app["appId"], branchName="staging")["branch"]
    assert staging["environmentVariables"]["FEATURE"] == "on"
    assert {env: endpoint.snapshot(env, ENVIRONMENTS[env], app["appId"]) for env in ("dev", "prod")} == before
    assert endpoint.amplify.get_app(appId=app["appId"])["app"] == app_before


def test_teardown_refuses_without_confirmation_and_deletes_nothing(empty_account, playbook):
    endpoint = empty_account
    assert playbook(SITE, "--limit", "dev").returncode == 0
    mark = endpoint.mark()
    for args in ([], ["-e", "ssr_teardown_confirm=yes"]):
        refused = playbook(TEARDOWN, *args)
        assert refused.returncode != 0, refused
        assert "To confirm, run it again with -e ssr_teardown_confirm=%s. Nothing was deleted." % APP_NAME in refused.output
    assert endpoint.requests_since(mark) == []
    assert_converged(endpoint, environments=["dev"])


def test_teardown_deletes_what_is_tagged_twice_over_and_keeps_untagged_look_alikes(empty_account, playbook):
    endpoint = empty_account
    assert playbook(SITE, "--limit", "dev,staging").returncode == 0
    assert_converged(endpoint, environments=["dev", "staging"])
    # prod was never provisioned; someone else's untagged bucket and role carry prod's names.
    look_alike_bucket, look_alike_role = "%s-prod-private" % APP_NAME, "%s-prod-compute" % APP_NAME
    endpoint.s3.create_bucket(Bucket=look_alike_bucket)
    endpoint.s3.put_object(Bucket=look_alike_bucket, Key="not-ours.txt", Body=b"keep me")
    endpoint.iam.create_role(RoleName=look_alike_role, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))

    first = playbook(TEARDOWN, "-e", CONFIRM)
    assert first.returncode == 0, first
    assert first.changed("dev") > 0 and first.changed("staging") > 0 and first.changed("prod") == 0, first
    assert "teardown SKIPPED bucket %s" % look_alike_bucket in first.output
    assert "teardown SKIPPED IAM role %s" % look_alike_role in first.output

    mark = endpoint.mark()
    second = playbook(TEARDOWN, "-e", CONFIRM)
    assert second.returncode == 0, second
    assert {host: second.changed(host) for host in ENVIRONMENTS} == {"dev": 0, "staging": 0, "prod": 0}, second
    assert endpoint.writes_since(mark) == []

    # Nothing tagged is left; the look-alikes are intact.
    assert endpoint.apps() == []
    assert endpoint.bucket_names() == [look_alike_bucket]
    assert endpoint.bucket_tags(look_alike_bucket) == {}
    assert endpoint.object_keys(look_alike_bucket) == ["not-ours.txt"]
    assert endpoint.role_names() == [look_alike_role]
    assert endpoint.role_tags(look_alike_role) == {}


def test_teardown_of_one_environment_keeps_the_shared_app_for_the_others(empty_account, playbook):
    endpoint = empty_account
    assert playbook(SITE).returncode == 0
    app_id = endpoint.apps()[0]["appId"]
    checked = playbook(TEARDOWN, "-e", CONFIRM, "--limit", "prod", "--check")
    assert checked.returncode == 0 and checked.changed("prod") > 0, checked
    assert_converged(endpoint)

    gone = playbook(TEARDOWN, "-e", CONFIRM, "--limit", "prod")
    assert gone.returncode == 0, gone
    assert "teardown kept app %s" % app_id in gone.output
    assert_converged(endpoint, environments=["dev", "staging"])
    # dev's role, the app's default, is still the app's default.
    assert endpoint.amplify.get_app(appId=app_id)["app"]["computeRoleArn"] == role_arn("dev")


def test_teardown_of_the_environment_that_created_the_app_keeps_another_environments_default(empty_account, playbook):
    endpoint = empty_account
    # staging creates (and tags) the app; then dev's role becomes the app's default.
    assert playbook(SITE, "--limit", "staging").returncode == 0
    assert playbook(SITE).returncode == 0
    app = endpoint.apps()[0]
    assert app["tags"]["environment"] == "staging" and app["computeRoleArn"] == role_arn("dev")

    gone = playbook(TEARDOWN, "-e", CONFIRM, "--limit", "staging")
    assert gone.returncode == 0, gone
    assert endpoint.amplify.get_app(appId=app["appId"])["app"]["computeRoleArn"] == role_arn("dev")
    assert_converged(endpoint, environments=["dev", "prod"])


def test_the_inclusion_example_imports_site_and_reuses_a_role(empty_account, playbook):
    endpoint = empty_account
    included = playbook("playbooks/examples/existing_ops.yml")
    assert included.returncode == 0, included
    assert_converged(endpoint)
    for environment in ENVIRONMENTS:
        assert "%s: 5 checks passed; objects amplify-logo.png" % environment in included.output


def test_the_example_inventory_parses_and_keeps_no_secret_in_plain_text(playbook):
    import subprocess

    from conftest import ROOT

    listed = subprocess.run(["ansible-inventory", "-i", "inventories/example", "--list"], cwd=str(ROOT),
                            capture_output=True, text=True, check=False)
    assert listed.returncode == 0, listed.stderr
    inventory = json.loads(listed.stdout)
    assert sorted(inventory["environments"]["hosts"]) == ["dev", "prod", "staging"]
    hostvars = inventory["_meta"]["hostvars"]
    assert [hostvars[host]["ssr_branch"] for host in ("dev", "staging", "prod")] == ["dev", "staging", "main"]
    assert len({hostvars[host]["ssr_bucket"] for host in hostvars}) == 3
    assert all("aws_endpoint_url" not in hostvars[host] for host in hostvars)  # real AWS endpoints
    token = hostvars["prod"]["ssr_access_token"]
    assert token.startswith("{{") and "vault_amplify_github_token" in token and "lookup('ansible.builtin.env'" in token
    for path in ("playbooks/site.yml", "playbooks/verify.yml", "playbooks/teardown.yml"):
        checked = playbook(path, "--syntax-check", inventory="inventories/example")
        assert checked.returncode == 0, checked


def test_teardown_clears_the_app_default_when_it_names_the_role_it_deletes(empty_account, playbook):
    endpoint = empty_account
    # The app's default is prod's role; the app itself was created (and tagged) by dev, the first host.
    assert playbook(SITE, "-e", "ssr_app_default_role_environment=prod").returncode == 0
    app = endpoint.apps()[0]
    assert app["computeRoleArn"] == role_arn("prod") and app["tags"]["environment"] == "dev"

    gone = playbook(TEARDOWN, "-e", CONFIRM, "--limit", "prod")
    assert gone.returncode == 0, gone
    assert "%s-prod-compute" % APP_NAME not in endpoint.role_names()
    # The app no longer names the deleted role; dev and staging still run with their own.
    assert not endpoint.amplify.get_app(appId=app["appId"])["app"].get("computeRoleArn")
    assert_converged(endpoint, environments=["dev", "staging"])
