# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The last mile: site.yml's releases run on the local Amplify Hosting compute, and the app reads the private
object with the compute role this collection made, and with nothing more.

The endpoint clones the example app from a local Git repository (hack/make_demo_repo.py) for the inventory's
repository URL, builds it with `npm ci` and `next build` (amplify.yml), and serves each branch at
http://<branch>.<appId>.localhost:<port> with credentials of the branch's compute role. Builds are cached by
commit, build spec and variables (LOCAL_AWS_BUILD_CACHE), so the three environments are built once per run.
Waits are bounded polls on state; nothing asserts a duration.
"""

import hashlib
import json
import socket
import subprocess
import sys
import time

import pytest
import requests

from conftest import APP_NAME, ENVIRONMENTS, ROOT

SITE, VERIFY, TEARDOWN = "playbooks/site.yml", "playbooks/verify.yml", "playbooks/teardown.yml"
REPOSITORY_URL = "https://github.com/example/nextjs-compute-role-demo"  # inventories/local's ssr_repository
IMAGE = (ROOT / "playbooks" / "files" / "amplify-logo.png").read_bytes()
SCREENSHOTS = ROOT / "tests" / "output" / "browser"


def role_name(environment):
    return "%s-%s-compute" % (APP_NAME, environment)


def bucket(environment):
    return "%s-%s-private" % (APP_NAME, environment)


@pytest.fixture()
def compute_account(empty_account, monkeypatch):
    """An empty account whose endpoint clones the example app for the inventory's repository URL."""
    repo = ROOT / ".tmp" / "repos" / "nextjs-compute-role-demo"
    head = subprocess.run(["python3", str(ROOT / "hack" / "make_demo_repo.py"), str(ROOT / "examples" / "nextjs-compute-role-demo"),
                           str(repo)], check=True, capture_output=True, text=True).stdout.strip()
    empty_account.control.configure(repositories={REPOSITORY_URL: str(repo)})
    monkeypatch.setenv("SSR_COMMIT_ID", head)
    empty_account.head = head
    yield empty_account
    empty_account.reset()  # stops every compute


class Branches:
    """Each environment's branch URL, read through the endpoint (Host routing) as a browser would."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.http = requests.Session()
        self.http.trust_env = False
        self.app_id = endpoint.apps()[0]["appId"]
        self.port = endpoint.url.rsplit(":", 1)[-1]

    def url(self, environment):
        return "http://%s.%s.localhost:%s" % (ENVIRONMENTS[environment], self.app_id, self.port)

    def get(self, environment, path="/api/image"):
        host = "%s.%s.localhost:%s" % (ENVIRONMENTS[environment], self.app_id, self.port)
        return self.http.get(self.endpoint.url + path, headers={"Host": host}, timeout=60)

    def computes(self):
        return {c["branchName"]: c for c in self.endpoint.control.computes()}

    def log_messages(self, pattern):
        logs = self.endpoint.logs
        try:
            pages = logs.get_paginator("filter_log_events").paginate(
                logGroupName="/aws/amplify/%s" % self.app_id, **({"filterPattern": pattern} if pattern else {}))
            events = [event for page in pages for event in page["events"]]
        except logs.exceptions.ResourceNotFoundException:
            return []
        return [(event["logStreamName"], event["message"]) for event in events]

    def wait_for_log(self, pattern, tries=600):
        """The compute's output reaches CloudWatch Logs asynchronously: look again, a bounded number of times."""
        for dummy in range(tries):
            found = self.log_messages(pattern)
            if found:
                return found
            time.sleep(0.1)
        return []


def secret_value(environment):
    """The demo inventory's secret for an environment (inventories/local, SSR_DEMO_API_KEY not set)."""
    return "local-demo-api-key-for-%s" % environment


def resources(environment):
    """The demo inventory's parameter, secret and table of an environment (inventories/local/group_vars/all.yml)."""
    return {"CONFIG_PARAMETER": "/%s/%s/greeting" % (APP_NAME, environment),
            "SECRET_ID": "%s/%s/api-key" % (APP_NAME, environment),
            "ITEMS_TABLE": "%s-%s-items" % (APP_NAME, environment)}


def release(endpoint, app_id, branch):
    job = endpoint.amplify.start_job(appId=app_id, branchName=branch, jobType="RELEASE")["jobSummary"]
    for dummy in range(1200):
        status = endpoint.amplify.get_job(appId=app_id, branchName=branch, jobId=job["jobId"])["job"]["summary"]["status"]
        if status in ("SUCCEED", "FAILED", "CANCELLED"):
            return status
        time.sleep(0.1)
    return status


def listening(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_each_environment_serves_its_own_image_through_its_own_role_and_nothing_more(compute_account, playbook):
    endpoint = compute_account
    first = playbook(SITE)
    assert first.returncode == 0, first
    branches = Branches(endpoint)
    app = endpoint.amplify.get_app(appId=branches.app_id)["app"]
    computes = branches.computes()
    assert sorted(computes) == sorted(ENVIRONMENTS.values())

    for environment, branch in ENVIRONMENTS.items():
        # The release built the repository's head, and the branch runs with its environment's own role.
        jobs = endpoint.amplify.list_jobs(appId=branches.app_id, branchName=branch)["jobSummaries"]
        assert [(job["commitId"], job["status"]) for job in jobs] == [(endpoint.head, "SUCCEED")]
        assert computes[branch]["roleArn"].endswith(":role/" + role_name(environment))
        answer = branches.get(environment)
        assert answer.status_code == 200, answer.text
        assert answer.content == IMAGE and answer.headers["Content-Type"] == "image/png"
        # The route's line, in the app's compute log group, in the branch's stream.
        lines = branches.wait_for_log('"s3://%s/amplify-logo.png: 200"' % bucket(environment))
        assert lines and all(stream.startswith(branch + "/") for stream, dummy in lines), lines
    assert app["computeRoleArn"].endswith(":role/" + role_name("dev"))

    # Each role reads its own bucket only: staging's compute cannot read prod's object.
    staging_only = endpoint.iam.get_role_policy(RoleName=role_name("staging"), PolicyName=endpoint.iam.list_role_policies(
        RoleName=role_name("staging"))["PolicyNames"][0])["PolicyDocument"]
    assert bucket("prod") not in json.dumps(staging_only)

    # verify.yml GETs every branch's /api/image through its URL and finds the request in the compute log.
    verified = playbook(VERIFY, "-e", "ssr_verify_require_app_url=true")
    assert verified.returncode == 0, verified
    assert "0 failed, 0 skipped" in verified.output and "failed" not in verified.output.split("PLAY RECAP")[-1].replace("failed=0", ""), verified

    # The run-time resources, each through its environment's own role: the parameter's value, the secret read
    # (a short hash of it, never the value), the table's item.
    for environment in ENVIRONMENTS:
        config = branches.get(environment, "/api/config")
        assert config.status_code == 200, config.text
        assert config.json() == {"name": resources(environment)["CONFIG_PARAMETER"], "type": "String", "version": 1,
                                 "value": "Hello from %s" % environment}
        secret = branches.get(environment, "/api/secret")
        assert secret.status_code == 200, secret.text
        assert secret.json() == {"read": True, "sha256_prefix": hashlib.sha256(
            secret_value(environment).encode()).hexdigest()[:8]}
        assert secret_value(environment) not in secret.text
        item = branches.get(environment, "/api/item")
        assert item.status_code == 200, item.text
        assert item.json() == {"table": resources(environment)["ITEMS_TABLE"],
                               "item": {"id": "1", "title": "The first item of %s" % environment}}
        assert branches.wait_for_log('"[api/secret] secret:%s: 200, read"' % resources(environment)["SECRET_ID"])
    # The secret's value is in no compute log line (every line of the app's log group, every stream).
    assert [m for dummy, m in branches.log_messages("") if "local-demo-api-key" in m] == []
    assert branches.log_messages("")  # (the lines are there to be searched)

    # A second site.yml writes nothing, and starts no release; at -vvv it prints no secret value.
    mark = endpoint.mark()
    second = playbook(SITE, "-vvv")
    assert second.returncode == 0, second
    assert endpoint.writes_since(mark) == []
    assert not [e for e in ENVIRONMENTS if secret_value(e) in second.output], "a secret value was printed at -vvv"
    assert branches.computes()["staging"]["pid"] == computes["staging"]["pid"]

    # The grant removed from staging's role: the route answers 500, AccessDenied is in the compute log, and
    # verify fails naming the route. IAM is evaluated on every request: no release is needed.
    policies = endpoint.iam.list_role_policies(RoleName=role_name("staging"))["PolicyNames"]
    for name in policies:
        endpoint.iam.delete_role_policy(RoleName=role_name("staging"), PolicyName=name)
    denied = branches.get("staging")
    assert denied.status_code == 500 and denied.json()["code"] == "AccessDenied", denied.text
    assert branches.wait_for_log('"GetObject s3://%s/amplify-logo.png failed: AccessDenied"' % bucket("staging"))
    assert branches.get("prod").status_code == 200  # the other environments are untouched
    broken = playbook(VERIFY, "-e", "ssr_verify_require_app_url=true")
    assert broken.returncode != 0 and broken.recap["staging"]["failed"] == 1 and broken.recap["prod"]["failed"] == 0, broken
    assert "/api/image" in broken.output and "answered 500" in broken.output and "AccessDenied" in broken.output, broken

    # site.yml puts the grant back; the page works again.
    assert playbook(SITE).returncode == 0
    assert branches.get("staging").status_code == 200

    # dev's branch pointed at prod's parameter, secret and table (its variables), and released: dev's role may read
    # none of them - each route answers AccessDenied, while dev's own image still reads.
    dev = endpoint.amplify.get_branch(appId=branches.app_id, branchName="dev")["branch"]
    endpoint.amplify.update_branch(appId=branches.app_id, branchName="dev",
                                   environmentVariables=dict(dev["environmentVariables"], **resources("prod")))
    assert release(endpoint, branches.app_id, "dev") == "SUCCEED"
    assert branches.computes()["dev"]["roleArn"].endswith(":role/" + role_name("dev"))
    for route in ("/api/config", "/api/secret", "/api/item"):
        denied = branches.get("dev", route)
        assert denied.status_code == 500 and denied.json()["code"] in ("AccessDenied", "AccessDeniedException"), (route, denied.text)
        assert secret_value("prod") not in denied.text
    assert branches.get("dev").status_code == 200
    assert branches.get("prod", "/api/config").json()["value"] == "Hello from prod"  # prod's own role still reads it

    # dev's branch pointed at a role without S3 access, and released: AccessDenied.
    endpoint.iam.create_role(RoleName="no-s3-access", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    no_s3 = endpoint.iam.get_role(RoleName="no-s3-access")["Role"]["Arn"]
    endpoint.amplify.update_branch(appId=branches.app_id, branchName="dev", computeRoleArn=no_s3)
    assert release(endpoint, branches.app_id, "dev") == "SUCCEED"
    assert branches.computes()["dev"]["roleArn"] == no_s3
    denied = branches.get("dev")
    assert denied.status_code == 500 and denied.json()["code"] == "AccessDenied", denied.text

    # Teardown stops the computes, and nothing is left listening.
    ports = [c["port"] for c in branches.computes().values()]
    torn = playbook(TEARDOWN, "-e", "ssr_teardown_confirm=%s" % APP_NAME)
    assert torn.returncode == 0, torn
    assert branches.computes() == {}
    assert not [port for port in ports if listening(port)]


def test_the_page_in_a_real_browser_shows_each_environments_private_image(compute_account, playbook):
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    import browser  # noqa: E402 - tests/browser/browser.py (make browser-deps installs Chromium and its driver)

    endpoint = compute_account
    assert playbook(SITE).returncode == 0
    branches = Branches(endpoint)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with browser.chromium() as driver:
        for environment in ENVIRONMENTS:
            shot = SCREENSHOTS / ("%s.png" % environment)
            result = browser.reveal_image(driver, branches.url(environment) + "/", str(shot))
            assert result["alert_text"] is None, result
            assert result["natural_width"] > 0 and result["natural_height"] > 0, result
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
