#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: job
version_added: 0.1.0
short_description: Start, retry, wait for and stop AWS Amplify Hosting build and deploy jobs
description:
  - Start a V(RELEASE) job (build and deploy the branch's latest commit, or O(commit_id)) of a branch of an
    AWS Amplify Hosting app, or V(RETRY) a job, and optionally wait until the job ends.
  - Stop a job, or the branch's active job.
  - A release is an action, not a state. To make it idempotent set O(commit_id) - no job is started when
    the branch's newest job is for that commit and did not end V(FAILED) or V(CANCELLED). Without
    O(commit_id), no job is started while a job of the branch is still V(PENDING), V(PROVISIONING) or
    V(RUNNING) (that job is returned); otherwise every run starts a new release.
  - A V(RETRY) starts a new job that retries O(job_id), unless the branch's newest job is a retry started
    after O(job_id) that did not end V(FAILED) or V(CANCELLED) (the job has been retried already; that
    retry is returned), so a second identical run starts nothing.
  - With O(wait=true) the module polls the job, with exponential backoff and jitter (at most 5 seconds
    between reads), until it ends or O(wait_timeout) passes. A job that ends V(FAILED) or V(CANCELLED)
    fails the task with the job id, its status and the step that failed; running out of time fails the
    task with the job id and the job's last status. The job keeps running in Amplify either way.
  - A V(RELEASE) needs an app connected to a Git repository (see M(amplify_hosting.ssr.app) O(amplify_hosting.ssr.app#module:repository)).
    The module checks this before starting anything and fails naming O(app).
author:
  - amplify_hosting.ssr contributors (@amplify-hosting)
options:
  app:
    description:
      - The app, by id (for example V(d1a2b3c4d5e6f7)) or by name. A name must be unique in the account and
        region; when two apps have it the module fails and lists their ids.
    type: str
    required: true
  branch_name:
    description:
      - The name of the branch of O(app) the job belongs to. The branch must exist.
    type: str
    required: true
  state:
    description:
      - V(started) starts a job (see O(job_type)) unless one that does the same is there already.
      - V(stopped) stops O(job_id), or without O(job_id) the branch's newest job that has not ended. A job
        that has ended or is being cancelled is left alone.
    type: str
    choices: [started, stopped]
    default: started
  job_type:
    description:
      - The kind of job to start with O(state=started). V(RELEASE) builds and deploys the branch; V(RETRY)
        runs O(job_id) again.
      - Manual deployments (V(MANUAL)) and webhooks are not started by this module.
    type: str
    choices: [RELEASE, RETRY]
    default: RELEASE
  job_id:
    description:
      - The id of a job of the branch, for example V(12).
      - Required with O(job_type=RETRY) (the job to retry).
      - With O(state=stopped), the job to stop; without it the branch's active job is stopped.
    type: str
  commit_id:
    description:
      - The commit to release (a full commit id). Makes the release idempotent, see the description.
      - Only with O(state=started) and O(job_type=RELEASE).
    type: str
  commit_message:
    description:
      - The commit message recorded for the release.
      - Only with O(state=started) and O(job_type=RELEASE).
    type: str
  wait:
    description:
      - Wait for the job to end. With O(state=started) the task fails unless it ends V(SUCCEED); with
        O(state=stopped) any end (normally V(CANCELLED)) is accepted.
      - Not done in check mode.
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait at most with O(wait=true). At least V(1).
    type: int
    default: 600
notes:
  - Supports C(check_mode) (nothing is started, stopped or waited for; C(changed) says whether it would
    be) and C(diff) (the job before and after).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amplify_hosting.ssr.boto3
"""

EXAMPLES = r"""
- name: Deploy a commit of the main branch and wait until it is live (a second run changes nothing)
  amplify_hosting.ssr.job:
    app: compute-role-demo
    branch_name: main
    commit_id: 5f0c1e8a9b7d4c3e2f1a0b9c8d7e6f5a4b3c2d1e
    commit_message: Read images from the bucket with the compute role
    wait: true
    wait_timeout: 1200
  register: deploy

- name: Show the job
  ansible.builtin.debug:
    msg: "job {{ deploy.job.job_id }} ended {{ deploy.job.status }}"

- name: Retry a failed job
  amplify_hosting.ssr.job:
    app: d1a2b3c4d5e6f7
    branch_name: main
    job_type: RETRY
    job_id: "12"
    wait: true

- name: Stop whatever the branch is building
  amplify_hosting.ssr.job:
    app: compute-role-demo
    branch_name: main
    state: stopped
    wait: true
"""

RETURN = r"""
app_id:
  description: The id of the app.
  returned: always
  type: str
  sample: d1a2b3c4d5e6f7
branch_name:
  description: The name of the branch.
  returned: always
  type: str
  sample: main
job:
  description:
    - The job started, found, retried or stopped, as it was last read. Empty when O(state=stopped) found
      no job to stop.
    - In check mode, when a job would be started, only what is known before starting it (RV(job.job_type)
      and the commit).
  returned: always
  type: dict
  contains:
    job_id:
      description: The id of the job.
      type: str
      sample: "3"
    job_arn:
      description: The ARN of the job.
      type: str
    job_type:
      description: The kind of job.
      type: str
      sample: RELEASE
    status:
      description:
        - The status of the job, one of V(PENDING), V(PROVISIONING), V(RUNNING), V(FAILED), V(SUCCEED),
          V(CANCELLING) or V(CANCELLED).
      type: str
      sample: SUCCEED
    commit_id:
      description: The commit the job builds.
      type: str
    commit_message:
      description: The commit message.
      type: str
    commit_time:
      description: When the commit was made.
      type: str
    start_time:
      description: When the job started.
      type: str
    end_time:
      description: When the job ended.
      type: str
      returned: when the job has ended
    steps:
      description: The steps of the job (build, deploy, verify, ...), each with its C(step_name), C(status),
        C(start_time) and C(end_time).
      type: list
      elements: dict
      returned: when the module waited for the job
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import MINIMUM_BOTOCORE
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import TERMINAL_JOB_STATUSES
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import get_branch
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import get_job
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import list_jobs
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import app_not_found
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import find_app_ref
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import planned_in_check_mode
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import start_job
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import stop_job
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import branch_name_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import check
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import name_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.results import to_snake
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import Backoff
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import client as aws_client

# A job in one of these is doing work; CANCELLING is on its way to CANCELLED.
ACTIVE_JOB_STATUSES = ("PENDING", "PROVISIONING", "RUNNING")
UNSUCCESSFUL_JOB_STATUSES = ("FAILED", "CANCELLED")
FIRST_POLL_SECONDS = 0.2
MAX_POLL_SECONDS = 5.0


class JobFailure(AmplifyError):
    """A job that ended badly or did not end in time: the task fails, returning what is known of the job."""

    def __init__(self, message, job):
        super().__init__(message)
        self.job = job
        self.result = dict(job=job)


def job_result(summary, steps=None):
    result = to_snake(summary) or {}
    if steps is not None:
        result["steps"] = [to_snake(step) for step in steps]
    return result


def newest_first(jobs):
    """Jobs by id, newest first (Amplify's ids count up; the listing order is not relied on)."""

    def key(job):
        job_id = job.get("jobId") or ""
        return (int(job_id) if job_id.isdigit() else -1, str(job.get("startTime") or ""))

    return sorted(jobs, key=key, reverse=True)


def check_options(params):
    """Fail, naming the option, on what can be told wrong without a call."""
    check(name_problems(params["app"], "app") + branch_name_problems(params["branch_name"]))
    if params.get("job_id") is not None and not params["job_id"].strip():
        raise AmplifyError("job_id: must not be empty")
    if params["wait_timeout"] < 1:
        raise AmplifyError("wait_timeout: must be at least 1 second, not %d" % params["wait_timeout"])
    if params["job_id"] is not None and params["state"] == "started" and params["job_type"] == "RELEASE":
        raise AmplifyError("job_id: only used with job_type=RETRY or state=stopped; a RELEASE starts a new job")
    for option in ("commit_id", "commit_message"):
        if params[option] is None:
            continue
        if params["state"] != "started":
            raise AmplifyError("%s: only used with state=started" % option)
        if params["job_type"] != "RELEASE":
            raise AmplifyError("%s: only used with job_type=RELEASE (a retry builds the commit of the job it retries)" % option)


def find_target(client, module):
    """The app and the branch the job is for; an AmplifyError naming app or branch_name when either is missing.
    (None, None) in check mode when an earlier task of the run may make the app (by name) or the branch."""
    params = module.params
    plan = "the %s job of branch %s" % (params["job_type"], params["branch_name"])
    app = find_app_ref(client, params["app"], "app")
    if app is None:
        if planned_in_check_mode(module, params["app"], "no Amplify app has the id or name %r" % params["app"], plan):
            return None, None
        raise app_not_found(params["app"])
    branch = get_branch(client, app["appId"], params["branch_name"])
    if branch is None:
        missing = "app %s (%s) has no branch %r" % (app["appId"], app.get("name"), params["branch_name"])
        if planned_in_check_mode(module, params["branch_name"], missing, plan, "branch_name"):
            return None, None
        raise AmplifyError("branch_name: %s" % missing)
    return app, branch


def existing_job(client, app_id, branch_name, job_id):
    job = get_job(client, app_id, branch_name, job_id)
    if job is None:
        raise AmplifyError("job_id: branch %r of app %s has no job %r" % (branch_name, app_id, job_id))
    return job["summary"]


def reusable_job(params, jobs):
    """The job that already does what is asked (so none is started), or None."""
    newest = jobs[0] if jobs else None
    if params["job_type"] == "RETRY":
        # A retry started after the job (ids grow) that did not fail: the job has been retried already.
        if (
            newest
            and newest.get("jobType") == "RETRY"
            and int(newest["jobId"]) > int(params["job_id"])
            and newest["status"] not in UNSUCCESSFUL_JOB_STATUSES
        ):
            return newest
        return None
    if params["commit_id"]:
        if newest and newest.get("commitId") == params["commit_id"] and newest["status"] not in UNSUCCESSFUL_JOB_STATUSES:
            return newest
        return None
    return next((job for job in jobs if job["status"] in ACTIVE_JOB_STATUSES), None)


def start_params(params):
    if params["job_type"] == "RETRY":
        return {"jobType": "RETRY", "jobId": params["job_id"]}
    planned = {"jobType": "RELEASE"}
    if params["commit_id"]:
        planned["commitId"] = params["commit_id"]
    if params["commit_message"]:
        planned["commitMessage"] = params["commit_message"]
    return planned


def ensure_started(client, module, app, branch):
    params = module.params
    app_id, branch_name = app["appId"], branch["branchName"]
    if params["job_type"] == "RELEASE" and not app.get("repository"):
        raise AmplifyError(
            "app: app %s (%s) is not connected to a Git repository, and a RELEASE job builds from one; connect it"
            " with amplify_hosting.ssr.app (repository and access_token)" % (app_id, app.get("name"))
        )
    if params["job_type"] == "RETRY":
        existing_job(client, app_id, branch_name, params["job_id"])
    found = reusable_job(params, newest_first(list_jobs(client, app_id, branch_name)))
    if found is not None:
        return dict(changed=False, job=found, diff={"before": job_result(found), "after": job_result(found)})
    planned = start_params(params)
    if module.check_mode:
        planned.pop("jobId", None)
        return dict(changed=True, job=planned, diff={"before": {}, "after": job_result(planned)})
    started = start_job(client, app_id, branch_name, **planned)
    return dict(changed=True, job=started, diff={"before": {}, "after": job_result(started)})


def ensure_stopped(client, module, app, branch):
    params = module.params
    app_id, branch_name = app["appId"], branch["branchName"]
    if params["job_id"]:
        job = existing_job(client, app_id, branch_name, params["job_id"])
    else:
        unfinished = [j for j in newest_first(list_jobs(client, app_id, branch_name)) if j["status"] not in TERMINAL_JOB_STATUSES]
        job = unfinished[0] if unfinished else None
    if job is None:
        return dict(changed=False, job=None, diff={"before": {}, "after": {}})
    if job["status"] not in ACTIVE_JOB_STATUSES:
        return dict(changed=False, job=job, diff={"before": job_result(job), "after": job_result(job)})
    if module.check_mode:
        after = dict(job, status="CANCELLING")
        return dict(changed=True, job=after, diff={"before": job_result(job), "after": job_result(after)})
    try:
        stopped = stop_job(client, app_id, branch_name, job["jobId"])
    except AmplifyError:
        # The job may have ended between the read and the stop: then there is nothing to stop.
        now = existing_job(client, app_id, branch_name, job["jobId"])
        if now["status"] in ACTIVE_JOB_STATUSES:
            raise
        return dict(changed=False, job=now, diff={"before": job_result(now), "after": job_result(now)})
    return dict(changed=True, job=stopped, diff={"before": job_result(job), "after": job_result(stopped)})


def failed_step(steps):
    return next((step for step in steps or [] if step.get("status") == "FAILED"), None)


def wait_for_job(client, app_id, branch_name, job_id, timeout, sleep=None, clock=None):
    """Read the job until it ends; returns GetJob's job (summary and steps). JobFailure on timeout.

    Reads are spaced by a Backoff from FIRST_POLL_SECONDS up to MAX_POLL_SECONDS, never past the deadline.
    """
    backoff = Backoff(timeout, FIRST_POLL_SECONDS, MAX_POLL_SECONDS, sleep=sleep, clock=clock)
    while True:
        job = get_job(client, app_id, branch_name, job_id)
        if job is None:
            raise AmplifyError("job %s of branch %r of app %s disappeared while waiting for it" % (job_id, branch_name, app_id))
        if job["summary"]["status"] in TERMINAL_JOB_STATUSES:
            return job
        if not backoff.pause():
            raise JobFailure(
                "wait_timeout: job %s of branch %r of app %s is still %s after %d seconds"
                % (job_id, branch_name, app_id, job["summary"]["status"], timeout),
                job_result(job["summary"], job.get("steps")),
            )


def waited(client, module, app_id, branch_name, result):
    job = wait_for_job(client, app_id, branch_name, result["job"]["jobId"], module.params["wait_timeout"])
    summary, steps = job["summary"], job.get("steps") or []
    result["job"] = job_result(summary, steps)
    if module.params["state"] == "started" and summary["status"] in UNSUCCESSFUL_JOB_STATUSES:
        step = failed_step(steps)
        raise JobFailure(
            "job %s of branch %r of app %s ended %s%s"
            % (
                summary["jobId"],
                branch_name,
                app_id,
                summary["status"],
                " (step %s failed)" % step["stepName"] if step else "",
            ),
            result["job"],
        )
    return result


def run(client, module):
    params = module.params
    check_options(params)
    app, branch = find_target(client, module)
    if branch is None:
        # Check mode, for an app or branch still to be made: a release would start; nothing would stop.
        planned = start_params(params) if params["state"] == "started" else None
        if planned:
            planned.pop("jobId", None)
        return dict(changed=bool(planned), app_id="", branch_name=params["branch_name"],
                    job=job_result(planned) if planned else {},
                    diff={"before": {}, "after": job_result(planned) if planned else {}})
    app_id, branch_name = app["appId"], branch["branchName"]
    if params["state"] == "started":
        result = ensure_started(client, module, app, branch)
    else:
        result = ensure_stopped(client, module, app, branch)
    result.update(app_id=app_id, branch_name=branch_name)
    if params["wait"] and result["job"] and not module.check_mode:
        try:
            return waited(client, module, app_id, branch_name, result)
        except JobFailure as e:
            e.result = dict(result, job=e.job)
            raise
    result["job"] = job_result(result["job"]) if result["job"] else {}
    return result


def main():
    argument_spec = dict(
        app=dict(type="str", required=True),
        branch_name=dict(type="str", required=True),
        state=dict(type="str", default="started", choices=["started", "stopped"]),
        job_type=dict(type="str", default="RELEASE", choices=["RELEASE", "RETRY"]),
        job_id=dict(type="str"),
        commit_id=dict(type="str"),
        commit_message=dict(type="str"),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=600),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        required_if=[("job_type", "RETRY", ["job_id"])],
        supports_check_mode=True,
    )
    module.require_botocore_at_least(MINIMUM_BOTOCORE)
    client = aws_client(module, "amplify")

    try:
        result = run(client, module)
    except JobFailure as e:
        module.fail_json(msg=e.message, **e.result)
    except AmplifyError as e:
        module.fail_json_aws_error(e)

    module.exit_json(**result)


if __name__ == "__main__":
    main()
