"""The local Amplify Hosting compute: clone, build, start, replace, stop, credentials and their expiry, logs.

The repository here is a tiny stand-in for a Next.js app: its build writes `node_modules/.bin/next`, a Python
HTTP server that takes `next start -p PORT -H HOST`, so the runner's mechanics are tested in seconds; the real
Next.js example runs through the whole flow in tests/playbooks/test_compute.py. Waits are bounded polls on
state (a job's status, a process's port), never fixed sleeps, and nothing asserts how long anything took.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config
from helpers import ACCESS_TOKEN, COMPUTE_ROLE_NOT_ASSUMABLE, REGION, assert_error, error_of, trust_policy, wait_until

URL = "https://github.com/example/compute-site"
BUILD_WAIT = 120.0  # seconds a release may take on a loaded machine before the test gives up
TERMINAL = ("SUCCEED", "FAILED", "CANCELLED")

# The stand-in server: / answers ok; /env shows what the runtime was given; /creds fetches the container
# credentials the way an SDK does; /say logs a line to stdout and one to stderr.
SERVER = textwrap.dedent('''\
    #!/usr/bin/env python3
    import json, os, sys, urllib.request, urllib.error
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    port = int(sys.argv[sys.argv.index("-p") + 1]); host = sys.argv[sys.argv.index("-H") + 1]
    greeting = open("greeting.txt").read().strip()
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass
        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status); self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
        def do_GET(self):
            if self.path == "/env":
                return self.answer(200, {"greeting": greeting, "pid": os.getpid(), "env": dict(os.environ)})
            if self.path == "/creds":
                request = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
                                                 headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
                try:
                    with urllib.request.urlopen(request) as response:
                        return self.answer(200, json.load(response))
                except urllib.error.HTTPError as error:
                    return self.answer(error.code, json.load(error))
            if self.path.startswith("/say/"):
                print("said " + self.path[5:], flush=True); print("warned " + self.path[5:], file=sys.stderr, flush=True)
            return self.answer(200, {"ok": True})
    print("server listening on %s:%d" % (host, port), flush=True)
    ThreadingHTTPServer((host, port), Handler).serve_forever()
''')

AMPLIFY_YML = textwrap.dedent('''\
    version: 1
    frontend:
      phases:
        preBuild:
          commands:
            - mkdir -p node_modules/.bin && cp server.py node_modules/.bin/next && chmod +x node_modules/.bin/next
        build:
          commands:
            - printenv GREETING > greeting.txt
            - mkdir -p .next
      artifacts:
        baseDirectory: .next
        files:
          - '**/*'
''')


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout.strip()


def commit(repo: Path, files: dict[str, str], message: str = "change") -> str:
    for name, text in files.items():
        (repo / name).write_text(text)
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path, control) -> Path:
    path = tmp_path / "site"
    path.mkdir()
    git(path, "init", "--quiet", "--initial-branch=main")
    commit(path, {"server.py": SERVER, "amplify.yml": AMPLIFY_YML}, "first")
    git(path, "branch", "dev")
    control.configure(repositories={URL: str(path)})
    return path


@pytest.fixture(scope="session")
def http():
    session = requests.Session()
    session.trust_env = False
    return session


class Site:
    """An app connected to the local repository, and helpers to release and reach its branches."""

    def __init__(self, endpoint, amplify, control, http, app):
        self.endpoint, self.amplify, self.control, self.http, self.app = endpoint, amplify, control, http, app
        self.app_id = app["appId"]

    def release(self, branch: str = "main", **params) -> dict:
        job = self.amplify.start_job(appId=self.app_id, branchName=branch, jobType="RELEASE", **params)["jobSummary"]
        return self.wait(branch, job["jobId"])

    def wait(self, branch: str, job_id: str) -> dict:
        def done():
            job = self.amplify.get_job(appId=self.app_id, branchName=branch, jobId=job_id)["job"]
            return job if job["summary"]["status"] in TERMINAL else None

        return wait_until(done, timeout=BUILD_WAIT, interval=0.1, what=f"job {job_id} of {branch} to end")

    def get(self, branch: str, path: str) -> requests.Response:
        port = self.endpoint.rsplit(":", 1)[-1]
        return self.http.get(f"{self.endpoint}{path}", headers={"Host": f"{branch}.{self.app_id}.localhost:{port}"}, timeout=30)

    def computes(self) -> dict[str, dict]:
        return {c["branchName"]: c for c in self.control.call("GET", "/compute").json()["computes"]}


@pytest.fixture
def site(endpoint, amplify, control, http, repo) -> Site:
    app = amplify.create_app(name="site", repository=URL, accessToken=ACCESS_TOKEN, platform="WEB_COMPUTE")["app"]
    return Site(endpoint, amplify, control, http, app)


@pytest.fixture
def role(iam):
    """A compute role (trusting Amplify) allowed to read the objects of `bucket`; returns its ARN."""

    def make(name: str, bucket: str | None = None) -> str:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy("amplify.amazonaws.com"))["Role"]["Arn"]
        if bucket:
            iam.put_role_policy(RoleName=name, PolicyName="read", PolicyDocument=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
        return arn

    return make


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def session_client(endpoint: str, service: str, credentials: dict):
    return boto3.session.Session().client(
        service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"], aws_session_token=credentials["Token"],
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))


# -- clone, build, start ---------------------------------------------------------------------------------------
def test_release_clones_the_head_builds_with_the_variables_and_serves_the_branch(site, amplify, repo, role, http):
    arn = role("site-compute")
    amplify.create_branch(appId=site.app_id, branchName="main", computeRoleArn=arn,
                          environmentVariables={"GREETING": "hello from main"})
    head = git(repo, "rev-parse", "HEAD")
    job = site.release(commitId="0" * 40)  # AWS builds the head, whatever commit was asked for
    assert job["summary"]["status"] == "SUCCEED", job
    assert job["summary"]["commitId"] == head
    assert job["summary"]["commitMessage"] == "first"
    assert [(s["stepName"], s["status"]) for s in job["steps"]] == [("BUILD", "SUCCEED"), ("DEPLOY", "SUCCEED"), ("VERIFY", "SUCCEED")]
    build_log = http.get(job["steps"][0]["logUrl"], timeout=10).text
    assert "Build spec: amplify.yml" in build_log
    assert "# Executing command: printenv GREETING > greeting.txt" in build_log
    assert f"Commit {head}" in build_log

    answer = site.get("main", "/env").json()
    assert answer["greeting"] == "hello from main"  # the branch variable reached the build
    env = answer["env"]
    assert "GREETING" not in env  # ... and not the runtime (Amplify: build-time only)
    assert env["AWS_REGION"] == REGION and env["AWS_ENDPOINT_URL"] == site.endpoint
    assert env["AWS_CONTAINER_CREDENTIALS_FULL_URI"].startswith(site.endpoint)
    assert not {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"} & set(env)
    assert site.computes()["main"]["roleArn"] == arn


def test_the_running_compute_is_reached_by_both_branch_host_names(site, amplify, role):
    amplify.create_branch(appId=site.app_id, branchName="main", computeRoleArn=role("site-compute"),
                          environmentVariables={"GREETING": "hi"})
    assert site.release()["summary"]["status"] == "SUCCEED"
    answer = site.http.get(f"{site.endpoint}/env", headers={"Host": f"main.{site.app_id}.amplifyapp.com"}, timeout=30)
    assert answer.json()["greeting"] == "hi"
    unknown = site.get("nosuchbranch", "/")
    assert unknown.status_code == 404 and "Nothing serves branch nosuchbranch" in unknown.text


# -- credentials of the compute role, enforced, refreshed ---------------------------------------------------------
def test_the_compute_reads_with_its_role_and_nothing_more_and_its_credentials_expire_and_refresh(
        site, amplify, control, role, s3, endpoint):
    for bucket in ("granted-bucket", "other-bucket"):
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="a.txt", Body=b"secret")
    amplify.create_branch(appId=site.app_id, branchName="main", computeRoleArn=role("reader", "granted-bucket"),
                          environmentVariables={"GREETING": "hi"})
    assert site.release()["summary"]["status"] == "SUCCEED"
    credentials = site.get("main", "/creds").json()
    assert credentials["AccessKeyId"].startswith("ASIA")
    compute_s3 = session_client(endpoint, "s3", credentials)
    assert compute_s3.get_object(Bucket="granted-bucket", Key="a.txt")["Body"].read() == b"secret"
    denied = error_of(compute_s3.get_object, Bucket="other-bucket", Key="a.txt")
    assert denied["Error"]["Code"] == "AccessDenied"
    assert "is not authorized to perform: s3:GetObject" in denied["Error"]["Message"]
    assert error_of(compute_s3.put_object, Bucket="granted-bucket", Key="b.txt", Body=b"x")["Error"]["Code"] == "AccessDenied"
    # The operator's keys stay unrestricted.
    assert s3.get_object(Bucket="other-bucket", Key="a.txt")["Body"].read() == b"secret"

    # Time passes on the endpoint's clock beyond the session's hour: the old keys are refused ...
    control.configure(clock_offset_seconds=3700)
    assert error_of(compute_s3.get_object, Bucket="granted-bucket", Key="a.txt")["Error"]["Code"] == "ExpiredToken"
    # ... and the container credentials endpoint hands out a new session, which works.
    fresh = site.get("main", "/creds").json()
    assert fresh["AccessKeyId"] != credentials["AccessKeyId"]
    assert session_client(endpoint, "s3", fresh).get_object(Bucket="granted-bucket", Key="a.txt")["Body"].read() == b"secret"


def test_a_branch_whose_app_and_branch_have_no_role_gets_no_credentials(site, amplify, control):
    amplify.create_branch(appId=site.app_id, branchName="main", environmentVariables={"GREETING": "hi"})
    assert site.release()["summary"]["status"] == "SUCCEED"
    env = site.get("main", "/env").json()["env"]
    assert not [name for name in env if name.startswith("AWS_CONTAINER_") or name in ("AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN")]
    assert site.computes()["main"]["roleArn"] == ""
    refused = control.call("GET", "/compute/credentials", headers={"Authorization": "not-a-token"})
    assert refused.status_code == 403


def test_a_changed_role_takes_effect_at_once_on_the_same_build(site, amplify, role):
    first, second = role("first-role"), role("second-role")
    amplify.create_branch(appId=site.app_id, branchName="main", computeRoleArn=first, environmentVariables={"GREETING": "hi"})
    assert site.release()["summary"]["status"] == "SUCCEED"
    before = site.computes()["main"]
    amplify.update_branch(appId=site.app_id, branchName="main", computeRoleArn=second)
    after = wait_until(lambda: site.computes()["main"] if site.computes()["main"]["roleArn"] == second else None,
                       timeout=BUILD_WAIT, interval=0.1, what="the compute to run with the new role")
    assert after["pid"] != before["pid"] and after["jobId"] == before["jobId"]
    assert wait_until(lambda: not listening(before["port"]), timeout=30, interval=0.05, what="the old server to stop")
    creds = site.get("main", "/creds")
    assert creds.status_code == 200 and creds.json()["AccessKeyId"].startswith("ASIA"), (creds.status_code, creds.text)
    # The app's default applies once the branch override is cleared; with neither, no credentials.
    amplify.update_branch(appId=site.app_id, branchName="main", computeRoleArn="")
    wait_until(lambda: site.computes()["main"]["roleArn"] == "", timeout=BUILD_WAIT, interval=0.1, what="no role")
    assert "AWS_CONTAINER_CREDENTIALS_FULL_URI" not in site.get("main", "/env").json()["env"]


def test_a_role_whose_trust_condition_names_another_account_is_refused_at_association(site, amplify, iam):
    def trust(account: str) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}}}]})

    other = iam.create_role(RoleName="other-account", AssumeRolePolicyDocument=trust("111122223333"))["Role"]["Arn"]
    own = iam.create_role(RoleName="own-account", AssumeRolePolicyDocument=trust("123456789012"))["Role"]["Arn"]
    assert_error(error_of(amplify.create_branch, appId=site.app_id, branchName="main", computeRoleArn=other),
                 "BadRequestException", COMPUTE_ROLE_NOT_ASSUMABLE)
    assert_error(error_of(amplify.update_app, appId=site.app_id, computeRoleArn=other),
                 "BadRequestException", COMPUTE_ROLE_NOT_ASSUMABLE)
    assert amplify.create_branch(appId=site.app_id, branchName="main", computeRoleArn=own,
                                 environmentVariables={"GREETING": "hi"})["branch"]["computeRoleArn"] == own
    # ... and a trust changed afterwards to name another account cannot be used at run time either.
    assert site.release()["summary"]["status"] == "SUCCEED"
    assert site.get("main", "/creds").status_code == 200
    iam.update_assume_role_policy(RoleName="own-account", PolicyDocument=trust("111122223333"))
    refused = site.get("main", "/creds")
    assert refused.status_code == 403 and "does not let amplify.amazonaws.com assume it" in refused.json()["message"]


# -- replace and stop ------------------------------------------------------------------------------------------
def test_a_new_release_replaces_the_server_and_delete_stops_it(site, amplify, repo, control):
    amplify.create_branch(appId=site.app_id, branchName="main", environmentVariables={"GREETING": "one"})
    amplify.create_branch(appId=site.app_id, branchName="dev", environmentVariables={"GREETING": "dev"})
    assert site.release()["summary"]["status"] == "SUCCEED"
    assert site.release("dev")["summary"]["status"] == "SUCCEED"
    first = site.computes()["main"]
    commit(repo, {"README": "second"}, "second")
    amplify.update_branch(appId=site.app_id, branchName="main", environmentVariables={"GREETING": "two"})
    job = site.release()
    assert job["summary"]["commitMessage"] == "second"
    assert site.get("main", "/env").json()["greeting"] == "two"
    second = site.computes()["main"]
    assert second["pid"] != first["pid"] and not listening(first["port"])

    amplify.delete_branch(appId=site.app_id, branchName="main")
    assert not listening(second["port"])
    assert site.get("main", "/").status_code == 404
    assert site.get("dev", "/env").json()["greeting"] == "dev"  # the other branch goes on
    dev = site.computes()["dev"]
    amplify.delete_app(appId=site.app_id)
    assert not listening(dev["port"]) and site.computes() == {}


def test_reset_stops_every_compute(site, amplify, control):
    amplify.create_branch(appId=site.app_id, branchName="main", environmentVariables={"GREETING": "x"})
    assert site.release()["summary"]["status"] == "SUCCEED"
    port = site.computes()["main"]["port"]
    control.reset()
    assert not listening(port)


# -- failures: named, and nothing left running ---------------------------------------------------------------------
def test_a_failing_build_ends_failed_with_a_readable_log_and_the_previous_server_keeps_serving(site, amplify, repo, http):
    amplify.create_branch(appId=site.app_id, branchName="main", environmentVariables={"GREETING": "ok"})
    assert site.release()["summary"]["status"] == "SUCCEED"
    serving = site.computes()["main"]
    commit(repo, {"amplify.yml": AMPLIFY_YML.replace("- mkdir -p .next", "- echo 'compile error in page.tsx' >&2; exit 3")}, "broken")
    job = site.release()
    assert job["summary"]["status"] == "FAILED"
    build = job["steps"][0]
    assert build["status"] == "FAILED" and "exited with status 3" in build["statusReason"]
    assert [s["status"] for s in job["steps"][1:]] == ["CANCELLED", "CANCELLED"]
    log = http.get(build["logUrl"], timeout=10).text
    assert "compile error in page.tsx" in log and "exited with status 3" in log
    assert site.computes()["main"]["pid"] == serving["pid"] and site.get("main", "/env").json()["greeting"] == "ok"


@pytest.mark.parametrize("case", ["not a repository", "no such branch"])
def test_a_repository_that_cannot_be_cloned_fails_naming_the_cause(site, amplify, control, tmp_path, case):
    if case == "not a repository":
        control.configure(repositories={URL: str(tmp_path / "plain-directory")})
        (tmp_path / "plain-directory").mkdir()
        expected = "which is not a Git repository"
    else:
        expected = "branch feature not found in the repository"
    amplify.create_branch(appId=site.app_id, branchName="feature")
    job = site.release("feature")
    assert job["summary"]["status"] == "FAILED"
    assert expected in job["steps"][0]["statusReason"]
    assert "feature" not in site.computes()


def test_a_port_that_cannot_be_bound_fails_the_deploy_and_the_other_branch_keeps_serving(site, amplify, control):
    amplify.create_branch(appId=site.app_id, branchName="main", environmentVariables={"GREETING": "main"})
    amplify.create_branch(appId=site.app_id, branchName="dev", environmentVariables={"GREETING": "dev"})
    assert site.release()["summary"]["status"] == "SUCCEED"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        control.configure(compute_port_min=port, compute_port_max=port)
        job = site.release("dev")
    assert job["summary"]["status"] == "FAILED"
    assert [s["status"] for s in job["steps"]] == ["SUCCEED", "FAILED", "CANCELLED"]
    assert f"no free loopback port between compute_port_min {port} and compute_port_max {port}" in job["steps"][1]["statusReason"]
    assert "dev" not in site.computes()
    assert site.get("main", "/env").json()["greeting"] == "main"


# -- logs and the build cache ------------------------------------------------------------------------------------------
def test_the_servers_output_goes_to_the_apps_compute_log_group(site, amplify, logs, control):
    control.configure(compute_logs="always")  # the stream and its lines; the service role: test_compute_logs_role.py
    amplify.create_branch(appId=site.app_id, branchName="main", environmentVariables={"GREETING": "x"})
    assert site.release()["summary"]["status"] == "SUCCEED"
    site.get("main", "/say/hello-logs")
    group = f"/aws/amplify/{site.app_id}"

    def lines():
        events = logs.filter_log_events(logGroupName=group, filterPattern='"hello-logs"')["events"]
        return events if len(events) == 2 else None

    events = wait_until(lines, timeout=30, interval=0.1, what="the log lines")
    assert sorted(e["message"] for e in events) == ["said hello-logs", "warned hello-logs"]
    stream = events[0]["logStreamName"]
    assert stream == site.computes()["main"]["logStream"]
    name, year, month, day, instance = stream.split("/")
    assert name == "main" and len(year) == 4 and len(month) == 2 and len(day) == 2 and len(instance) == 32


def test_an_identical_build_is_reused_unless_the_cache_is_off(site, amplify, control, http, repo):
    commit(repo, {"unique.txt": uuid.uuid4().hex}, "a commit no other build has had")
    amplify.create_branch(appId=site.app_id, branchName="main", environmentVariables={"GREETING": "x"})
    first = site.release()
    second = site.release()
    assert "is reused" in http.get(second["steps"][0]["logUrl"], timeout=10).text
    # The commit is new (a random file), so the first build is a real one.
    assert "is reused" not in http.get(first["steps"][0]["logUrl"], timeout=10).text
    amplify.update_branch(appId=site.app_id, branchName="main", environmentVariables={"GREETING": "changed"})
    changed = site.release()
    assert "is reused" not in http.get(changed["steps"][0]["logUrl"], timeout=10).text
    control.configure(build_cache=False)
    uncached = site.release()
    assert "is reused" not in http.get(uncached["steps"][0]["logUrl"], timeout=10).text
    assert site.get("main", "/env").json()["greeting"] == "changed"


def test_stopjob_cancels_a_running_and_a_queued_release(site, amplify, repo, tmp_path, http):
    # The build waits for a gate file the test makes: which job is where is decided by the test, not by timing.
    gate = tmp_path / "gate"
    commit(repo, {"amplify.yml": AMPLIFY_YML.replace(
        "- printenv GREETING > greeting.txt",
        '- while [ ! -e "$GATE" ]; do sleep 0.05; done\n        - printenv GREETING > greeting.txt')}, "gated")
    amplify.create_branch(appId=site.app_id, branchName="main", environmentVariables={"GREETING": "x", "GATE": str(gate)})
    running = amplify.start_job(appId=site.app_id, branchName="main", jobType="RELEASE")["jobSummary"]
    queued = amplify.start_job(appId=site.app_id, branchName="main", jobType="RELEASE")["jobSummary"]
    wait_until(lambda: amplify.get_job(appId=site.app_id, branchName="main", jobId=running["jobId"])["job"]["summary"]["status"] == "RUNNING",
               timeout=BUILD_WAIT, interval=0.05, what="the first build to run")
    amplify.stop_job(appId=site.app_id, branchName="main", jobId=queued["jobId"])
    amplify.stop_job(appId=site.app_id, branchName="main", jobId=running["jobId"])
    stopped = site.wait("main", running["jobId"])
    assert stopped["summary"]["status"] == "CANCELLED" and stopped["steps"][0]["status"] == "CANCELLED"
    assert site.wait("main", queued["jobId"])["summary"]["status"] == "CANCELLED"
    assert "main" not in site.computes()
    gate.touch()
    job = site.release()
    assert job["summary"]["status"] == "SUCCEED", job["steps"][0].get("statusReason")


def test_stopping_the_endpoint_stops_its_computes(tmp_path, repo, http):
    """`local-aws stop` ends the endpoint and, with it, every server its compute started."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    state = tmp_path / "state"
    cli = [sys.executable, "-m", "local_aws.cli"]
    subprocess.run([*cli, "start", "--port", str(port), "--state-dir", str(state)], check=True, capture_output=True, timeout=120)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        assert http.post(f"{endpoint}/_local/config", json={"repositories": {URL: str(repo)}}, timeout=10).status_code == 200
        amplify = boto3.session.Session().client("amplify", endpoint_url=endpoint, region_name=REGION,
                                                 aws_access_key_id="testing", aws_secret_access_key="testing")
        app_id = amplify.create_app(name="s", repository=URL, accessToken=ACCESS_TOKEN, platform="WEB_COMPUTE")["app"]["appId"]
        amplify.create_branch(appId=app_id, branchName="main", environmentVariables={"GREETING": "x"})
        job_id = amplify.start_job(appId=app_id, branchName="main", jobType="RELEASE")["jobSummary"]["jobId"]
        wait_until(lambda: amplify.get_job(appId=app_id, branchName="main", jobId=job_id)["job"]["summary"]["status"] in TERMINAL,
                   timeout=BUILD_WAIT, interval=0.1, what="the release")
        [compute] = http.get(f"{endpoint}/_local/compute", timeout=10).json()["computes"]
        assert listening(compute["port"])
    finally:
        subprocess.run([*cli, "stop", "--state-dir", str(state)], check=True, capture_output=True, timeout=120)
    assert not listening(port) and not listening(compute["port"])
    assert wait_until(lambda: not os.path.exists(f"/proc/{compute['pid']}") or
                      open(f"/proc/{compute['pid']}/stat").read().split()[2] == "Z", timeout=30, interval=0.05,
                      what="the compute process to end")
