# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run the collection's playbooks against the local AWS endpoint and read back what they did.

`make playbook-tests` starts the endpoint and exports AWS_ENDPOINT_URL, dummy credentials and ANSIBLE_CONFIG.
Every test starts from an empty account (POST /_local/reset), so the endpoint must be this suite's alone.
"""

import os
import re
import subprocess
from pathlib import Path

import boto3
import botocore.config
import pytest
from local_aws.control import Control

ROOT = Path(__file__).resolve().parents[2]
APP_NAME = "compute-role-demo"
ENVIRONMENTS = {"dev": "dev", "staging": "staging", "prod": "main"}  # environment (host) -> branch
OWNERSHIP = {"managed-by": "amplify_hosting.ssr"}
# The access token the playbooks are given (through AMPLIFY_GITHUB_TOKEN); it must never be printed.
TOKEN = "ghp_playbook-tests-secret-token-0123456789"
RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)", re.M)


class Result:
    """What one ansible-playbook run printed, and its PLAY RECAP per host."""

    def __init__(self, args, returncode, output):
        self.args = args
        self.returncode = returncode
        self.output = output
        self.recap = {
            host: {"ok": int(ok), "changed": int(changed), "unreachable": int(unreachable), "failed": int(failed)}
            for host, ok, changed, unreachable, failed, _skipped in RECAP.findall(output)
        }

    def changed(self, host):
        return self.recap[host]["changed"]

    def __repr__(self):
        return "ansible-playbook %s -> rc %s\n%s" % (" ".join(self.args), self.returncode, self.output[-6000:])


class Endpoint:
    """The local endpoint's control API and boto3 clients for it."""

    def __init__(self, url):
        self.url = url.rstrip("/")
        self.control = Control(self.url)
        session = boto3.session.Session(region_name=os.environ.get("AWS_REGION", "us-east-1"))
        self.iam = session.client("iam", endpoint_url=self.url)
        self.s3 = session.client("s3", endpoint_url=self.url)
        self.amplify = session.client("amplify", endpoint_url=self.url)
        self.logs = session.client("logs", endpoint_url=self.url)
        self.session = session

    def client(self, service):
        """A client that outlasts the endpoint's fault injection (test_faults.py keeps its faults while it reads)."""
        config = botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 10})
        return self.session.client(service, endpoint_url=self.url, config=config)

    def reset(self):
        self.control.reset()

    def mark(self):
        """The sequence number of the last request logged so far."""
        return self.control.mark()

    def requests_since(self, mark):
        return self.control.requests(mark)

    def writes_since(self, mark):
        return self.control.writes(mark)

    # --- state, read back ----------------------------------------------------------------------------
    def role_names(self):
        return sorted(role["RoleName"] for role in self.iam.list_roles()["Roles"])

    def role_tags(self, name):
        return {tag["Key"]: tag["Value"] for tag in self.iam.list_role_tags(RoleName=name)["Tags"]}

    def bucket_names(self):
        return sorted(bucket["Name"] for bucket in self.s3.list_buckets()["Buckets"])

    def bucket_tags(self, name):
        try:
            tag_set = self.s3.get_bucket_tagging(Bucket=name)["TagSet"]
        except self.s3.exceptions.ClientError:
            return {}
        return {tag["Key"]: tag["Value"] for tag in tag_set}

    def object_keys(self, bucket):
        return sorted(obj["Key"] for obj in self.s3.list_objects_v2(Bucket=bucket).get("Contents", []))

    def apps(self, name=APP_NAME):
        return [app for app in self.amplify.list_apps(maxResults=100)["apps"] if app["name"] == name]

    def branches(self, app_id):
        return {branch["branchName"]: branch for branch in self.amplify.list_branches(appId=app_id, maxResults=50)["branches"]}

    def snapshot(self, environment, branch, app_id):
        """Everything site.yml manages for one environment, as the endpoint reports it."""
        role = "%s-%s-compute" % (APP_NAME, environment)
        bucket = "%s-%s-private" % (APP_NAME, environment)
        return {
            "role": self.iam.get_role(RoleName=role)["Role"],
            "role_policies": {
                name: self.iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
                for name in self.iam.list_role_policies(RoleName=role)["PolicyNames"]
            },
            "bucket_tags": self.bucket_tags(bucket),
            "bucket_policy": self.s3.get_bucket_policy(Bucket=bucket)["Policy"],
            "objects": [(obj["Key"], obj["ETag"], obj["LastModified"]) for obj in self.s3.list_objects_v2(Bucket=bucket).get("Contents", [])],
            "branch": self.amplify.get_branch(appId=app_id, branchName=branch)["branch"],
        }


@pytest.fixture(scope="session")
def endpoint():
    url = os.environ.get("AWS_ENDPOINT_URL")
    if not url or not url.startswith("http://127.0.0.1:"):
        pytest.fail("AWS_ENDPOINT_URL must name the local endpoint (run the suite with `make playbook-tests`)")
    return Endpoint(url)


@pytest.fixture()
def empty_account(endpoint):
    endpoint.reset()
    return endpoint


@pytest.fixture(scope="session")
def playbook():
    """Run a playbook of the collection with the local inventory (or another) and return its Result."""

    def run(path, *args, inventory="inventories/local"):
        # JSON results: messages stay on one line (the YAML format folds long strings).
        env = dict(os.environ, AMPLIFY_GITHUB_TOKEN=TOKEN, ANSIBLE_NOCOLOR="1", ANSIBLE_DEPRECATION_WARNINGS="0",
                   ANSIBLE_CALLBACK_RESULT_FORMAT="json")
        command = ["ansible-playbook", "-i", inventory, path] + list(args)
        completed = subprocess.run(command, cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=1200, check=False)
        result = Result(command[1:], completed.returncode, completed.stdout + completed.stderr)
        assert TOKEN not in result.output, "the access token was printed by %r" % result
        return result

    return run
