# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""site.yml against an endpoint that throttles, fails, loses responses, is slow to propagate roles, or is left
half-way by a killed run: it converges anyway, makes nothing twice, and a rerun writes nothing.

The endpoint's fault injection (POST /_local/config: faults, seed, propagation_delay) marks every request a fault
answered (injected) and says what the backend answered (served_status, None when the request never reached it),
so "writes that took effect" can be counted whatever the client was told.
"""

import collections
import os
import signal
import subprocess
import time

from conftest import APP_NAME, ENVIRONMENTS, ROOT, TOKEN
from test_playbooks import assert_converged, role_arn

SITE = "playbooks/site.yml"
COMMIT = "local-demo-commit"
# The compute roles and the app's CloudWatch Logs service role.
ROLES = sorted(["%s-%s-compute" % (APP_NAME, env) for env in ENVIRONMENTS] + ["%s-us-east-1-logs" % APP_NAME])
BUCKETS = sorted("%s-%s-private" % (APP_NAME, env) for env in ENVIRONMENTS)
# 30% of all calls throttled and 5% answered 5xx (half 500, half 503), whatever the service: the faults are tried
# in order, so each later rate is scaled to what the earlier ones leave. The seed makes the run reproducible: with
# it the endpoint decides per request (its content and how many identical requests came before), not per arrival.
SEED = 7
FAULTS = [
    {"error": "500", "rate": 0.025},
    {"error": "503", "rate": 0.025 / 0.975},
    {"error": "throttle", "rate": 0.30 / 0.95},
]


def applied(endpoint, mark):
    """{(service, operation): how many took effect} of the writes since `mark`."""
    return collections.Counter(endpoint.control.applied_writes(mark))


def assert_made_once_each(endpoint):
    """Exactly what site.yml makes for the three environments, nothing twice (read back from the endpoint)."""
    app = assert_converged(endpoint)
    assert endpoint.role_names() == ROLES
    assert endpoint.bucket_names() == BUCKETS
    [account] = endpoint.control.state()["amplify"]
    assert [a["name"] for a in account["apps"]] == [APP_NAME]
    for branch in ENVIRONMENTS.values():
        jobs = endpoint.amplify.list_jobs(appId=app["appId"], branchName=branch)["jobSummaries"]
        assert [(job["commitId"], job["status"]) for job in jobs] == [(COMMIT, "SUCCEED")], (branch, jobs)
    return app


def test_site_converges_through_throttling_and_5xx_and_a_rerun_writes_nothing(empty_account, playbook):
    endpoint = empty_account
    endpoint.control.configure(seed=SEED, faults=FAULTS)

    first = playbook(SITE)
    assert first.returncode == 0, first
    assert all(first.recap[env]["failed"] == 0 and first.changed(env) > 0 for env in ENVIRONMENTS), first
    assert_made_once_each(endpoint)
    made = applied(endpoint, 0)
    # (Four roles: the three compute roles and the app's logs role; one parameter, secret and table per environment.)
    assert {op: made[op] for op in [("amplify", "CreateApp"), ("amplify", "CreateBranch"), ("amplify", "StartJob"),
                                    ("iam", "CreateRole"), ("s3", "CreateBucket"), ("s3", "PutObject"),
                                    ("ssm", "PutParameter"), ("secretsmanager", "CreateSecret"),
                                    ("dynamodb", "CreateTable")]} == {
        ("amplify", "CreateApp"): 1, ("amplify", "CreateBranch"): 3, ("amplify", "StartJob"): 3,
        ("iam", "CreateRole"): 4, ("s3", "CreateBucket"): 3, ("s3", "PutObject"): 3,
        ("ssm", "PutParameter"): 3, ("secretsmanager", "CreateSecret"): 3, ("dynamodb", "CreateTable"): 3}

    # The faults were there: every service the run calls met some, throttling and both 5xx among them.
    requests = endpoint.control.requests(0)
    injected = [r for r in requests if r["injected"]]
    by_service = collections.Counter(r["service"] for r in injected)
    assert {"iam", "s3", "amplify"} <= {service for service, count in by_service.items() if count > 0}, by_service
    assert 0.2 < len(injected) / len(requests) < 0.5, (len(injected), len(requests))
    statuses = collections.Counter((r["service"], r["status"]) for r in injected)
    assert statuses[("iam", 400)] and statuses[("s3", 503)] and statuses[("amplify", 429)], statuses
    assert any(r["status"] == 500 for r in injected) and any(r["status"] == 503 and r["service"] != "s3" for r in injected)
    assert all(r["served_status"] is None for r in injected)  # answered instead of being served

    # Faults still on: nothing to do, and nothing done.
    mark = endpoint.mark()
    second = playbook(SITE)
    assert second.returncode == 0, second
    assert {env: second.changed(env) for env in ENVIRONMENTS} == {"dev": 0, "staging": 0, "prod": 0}, second
    assert endpoint.control.applied_writes(mark) == []
    assert len(endpoint.control.injected(mark)) > 0
    assert_made_once_each(endpoint)


def test_creates_whose_response_is_lost_are_not_made_twice(empty_account, playbook):
    """CreateApp, CreateBranch and StartJob served, then answered 500/503 (the response lost): nothing twice."""
    endpoint = empty_account
    endpoint.control.configure(faults=[
        {"service": "amplify", "operation": "CreateApp", "error": "500", "phase": "after", "count": 1},
        {"service": "amplify", "operation": "CreateBranch", "error": "503", "phase": "after", "count": 2},
        {"service": "amplify", "operation": "StartJob", "error": "500", "phase": "after", "count": 2},
    ])
    run = playbook(SITE)
    assert run.returncode == 0, run
    assert [f["injected"] for f in endpoint.control.configure()["faults"]] == [1, 2, 2]
    assert_made_once_each(endpoint)
    made = applied(endpoint, 0)
    assert (made[("amplify", "CreateApp")], made[("amplify", "CreateBranch")], made[("amplify", "StartJob")]) == (1, 3, 3)


def association_writes(endpoint, mark):
    return [r for r in endpoint.requests_since(mark) if r["service"] == "amplify" and r["kind"] == "write"]


def test_a_compute_role_is_associated_once_iam_has_propagated_it_or_not_at_all(empty_account, playbook):
    endpoint = empty_account
    # Amplify cannot assume a new role for its first 3 association checks (counted, not timed: no race with the
    # machine's load): the new role's associations wait for it.
    endpoint.control.configure(propagation_refusals=3)
    mark = endpoint.mark()
    dev = playbook(SITE, "--limit", "dev")
    assert dev.returncode == 0, dev
    app = assert_converged(endpoint, environments=["dev"])
    assert app["computeRoleArn"] == role_arn("dev")
    writes = association_writes(endpoint, mark)
    refused = [r for r in writes if r["status"] == 400]
    assert len(refused) == 3, writes  # Amplify refused the role at first ...
    accepted = [r for r in writes if r["operation"] == refused[0]["operation"] and r["status"] < 400 and r["seq"] > refused[-1]["seq"]]
    assert accepted, writes  # ... and took it once propagated

    # Longer than wait_timeout: the run fails naming wait_timeout, and staging's association is not set.
    endpoint.control.configure(propagation_refusals=1000000)
    mark = endpoint.mark()
    staging = playbook(SITE, "--limit", "staging", "-e", "ssr_wait_timeout=5")
    assert staging.returncode != 0 and staging.recap["staging"]["failed"] == 1, staging
    # The run's last word on staging says why and which timeout to raise.
    fatal = [line for line in staging.output.splitlines() if line.startswith("fatal: [staging]")]
    assert fatal and "Amplify still cannot assume IAM role %s" % role_arn("staging") in fatal[-1], staging
    assert "wait_timeout (now 5)" in fatal[-1], staging
    branches = endpoint.branches(app["appId"])
    assert not branches.get("staging", {}).get("computeRoleArn"), branches
    # Every association was refused, and the branch is created with its role in the CreateBranch call itself:
    # no Amplify write took effect (no branch without its role, no release) and staging's branch does not exist.
    assert [w for w in endpoint.control.applied_writes(mark) if w[0] == "amplify"] == []
    assert "staging" not in branches, branches
    refused = association_writes(endpoint, mark)
    assert refused and {(r["operation"], r["status"]) for r in refused} == {("CreateBranch", 400)}, refused
    # Nothing of dev's changed, and the app keeps dev's role as its default.
    assert endpoint.amplify.get_app(appId=app["appId"])["app"]["computeRoleArn"] == role_arn("dev")
    assert branches["dev"]["computeRoleArn"] == role_arn("dev")


def test_a_run_killed_after_the_app_was_created_is_finished_by_the_next(empty_account, playbook):
    endpoint = empty_account
    env = dict(os.environ, AMPLIFY_GITHUB_TOKEN=TOKEN, ANSIBLE_NOCOLOR="1", ANSIBLE_DEPRECATION_WARNINGS="0")
    with open(os.devnull, "wb") as devnull:
        process = subprocess.Popen(["ansible-playbook", "-i", "inventories/local", SITE], cwd=str(ROOT), env=env,
                                   stdout=devnull, stderr=devnull, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not any((r["operation"], r["status"]) == ("CreateApp", 200) for r in endpoint.requests_since(0)):
            assert process.poll() is None, "site.yml ended before creating the app"
            assert time.monotonic() < deadline, "no CreateApp within 120 s"
            time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    # Every process of the run is gone, and the endpoint has answered what was in flight.
    deadline = time.monotonic() + 30
    while True:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "processes of the killed run are left"
        time.sleep(0.1)
    killed_at = endpoint.mark()
    operations = [(r["service"], r["operation"]) for r in endpoint.requests_since(0)]
    assert ("amplify", "CreateApp") in operations and ("amplify", "CreateBranch") not in operations, operations
    assert len(endpoint.apps()) == 1 and endpoint.branches(endpoint.apps()[0]["appId"]) == {}

    second = playbook(SITE)
    assert second.returncode == 0, second
    assert_made_once_each(endpoint)
    made = applied(endpoint, killed_at)
    assert (made[("amplify", "CreateApp")], made[("amplify", "CreateBranch")]) == (0, 3), made

    mark = endpoint.mark()
    third = playbook(SITE)
    assert third.returncode == 0, third
    assert {env: third.changed(env) for env in ENVIRONMENTS} == {"dev": 0, "staging": 0, "prod": 0}, third
    assert endpoint.control.applied_writes(mark) == []
