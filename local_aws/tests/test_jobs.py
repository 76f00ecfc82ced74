"""Jobs move through their statuses over time; StopJob cancels; StartJob's rules."""

from __future__ import annotations

import datetime

import pytest
from helpers import assert_error, error_of, wait_until

from local_aws.amplify import models

TERMINAL = ("SUCCEED", "FAILED", "CANCELLED")


class Clock:
    """The endpoint's clock, moved only by the test (the endpoint runs in this process): a job's status is a
    function of it, so each status is seen however slowly the machine runs the test."""

    def __init__(self, monkeypatch):
        self.now = models._now()  # pylint: disable=protected-access
        monkeypatch.setattr(models, "_now", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def branch(amplify, make_repo_app, make_branch):
    app_id = make_repo_app()["appId"]
    make_branch(app_id, "main")
    return {"appId": app_id, "branchName": "main"}


def watch(amplify, branch, job_id, until, timeout=5.0):
    """Poll GetJob until `until(status)`; return the distinct statuses seen, in order."""
    seen = []

    def probe():
        status = amplify.get_job(**branch, jobId=job_id)["job"]["summary"]["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        return until(status)

    wait_until(probe, timeout=timeout, interval=0.01, what=f"job {job_id} ({seen})")
    return seen


def test_release_job_runs_to_success(amplify, control, branch, clock):
    control.configure(job_step_seconds=10)
    job = amplify.start_job(**branch, jobType="RELEASE")["jobSummary"]
    assert job["status"] == "PENDING" and "endTime" not in job

    def status():
        return amplify.get_job(**branch, jobId=job["jobId"])["job"]["summary"]["status"]

    seen = [status()]
    for _ in range(3):
        clock.advance(9.9)
        seen.append(status())  # a phase lasts the whole step...
        clock.advance(0.1)
        seen.append(status())  # ... and ends with it
    assert seen == ["PENDING", "PENDING", "PROVISIONING", "PROVISIONING", "RUNNING", "RUNNING", "SUCCEED"]
    done = amplify.get_job(**branch, jobId=job["jobId"])["job"]
    assert done["summary"]["endTime"] > done["summary"]["startTime"]
    assert [(s["stepName"], s["status"]) for s in done["steps"]] == [
        ("BUILD", "SUCCEED"), ("DEPLOY", "SUCCEED"), ("VERIFY", "SUCCEED")]
    assert all(s["endTime"] > s["startTime"] for s in done["steps"])
    assert amplify.list_jobs(**branch)["jobSummaries"][0]["status"] == "SUCCEED"


def test_get_job_reports_steps_while_running(amplify, control, branch):
    control.configure(job_step_seconds=30)
    job_id = amplify.start_job(**branch, jobType="RELEASE")["jobSummary"]["jobId"]
    steps = amplify.get_job(**branch, jobId=job_id)["job"]["steps"]
    assert [(s["stepName"], s["status"]) for s in steps] == [("BUILD", "RUNNING"), ("DEPLOY", "PENDING"), ("VERIFY", "PENDING")]


def test_stop_job_cancels_a_running_job(amplify, control, branch, clock):
    control.configure(job_step_seconds=10)
    job_id = amplify.start_job(**branch, jobType="RELEASE")["jobSummary"]["jobId"]

    def status():
        return amplify.get_job(**branch, jobId=job_id)["job"]["summary"]["status"]

    clock.advance(25)
    assert status() == "RUNNING"
    stopped = amplify.stop_job(**branch, jobId=job_id)["jobSummary"]
    assert stopped["status"] == "CANCELLING"
    clock.advance(9.9)
    assert status() == "CANCELLING"  # not SUCCEED, though the job would have ended by now
    clock.advance(0.1)
    assert status() == "CANCELLED"
    job = amplify.get_job(**branch, jobId=job_id)["job"]
    assert "endTime" in job["summary"]
    assert {s["status"] for s in job["steps"]} == {"CANCELLED"}
    assert_error(error_of(amplify.stop_job, **branch, jobId=job_id), "BadRequestException",
                 f"Job {job_id} is already CANCELLED and cannot be stopped.")


def test_stop_job_on_a_finished_job_is_a_bad_request(amplify, control, branch):
    control.configure(job_step_seconds=0)
    job_id = amplify.start_job(**branch, jobType="RELEASE")["jobSummary"]["jobId"]
    assert amplify.get_job(**branch, jobId=job_id)["job"]["summary"]["status"] == "SUCCEED"
    assert_error(error_of(amplify.stop_job, **branch, jobId=job_id), "BadRequestException",
                 f"Job {job_id} is already SUCCEED and cannot be stopped.")


def test_release_needs_a_repository(amplify, make_app, make_branch):
    app_id = make_app("no-repo")["appId"]
    make_branch(app_id, "main")
    assert_error(error_of(amplify.start_job, appId=app_id, branchName="main", jobType="RELEASE"), "BadRequestException",
                 "A RELEASE job can only be started for an app that is connected to a repository.")
    assert amplify.list_jobs(appId=app_id, branchName="main")["jobSummaries"] == []


def test_retry_needs_a_job_id_and_retries_that_job(amplify, control, branch):
    control.configure(job_step_seconds=0)
    assert_error(error_of(amplify.start_job, **branch, jobType="RETRY"), "BadRequestException",
                 "jobId is required when jobType is RETRY.")
    first = amplify.start_job(**branch, jobType="RELEASE")["jobSummary"]["jobId"]
    retry = amplify.start_job(**branch, jobType="RETRY", jobId=first)["jobSummary"]
    assert (retry["jobId"], retry["jobType"]) == ("2", "RETRY")


def test_manual_jobs_are_not_supported(amplify, branch):
    assert_error(error_of(amplify.start_job, **branch, jobType="MANUAL"), "BadRequestException")


def test_branch_counts_its_jobs(amplify, branch):
    for expected in ("1", "2"):
        job_id = amplify.start_job(**branch, jobType="RELEASE")["jobSummary"]["jobId"]
        got = amplify.get_branch(**branch)["branch"]
        assert (got["activeJobId"], got["totalNumberOfJobs"]) == (job_id, expected)


def test_job_result_setting_makes_a_job_fail_in_its_build_step(amplify, control, branch):
    control.configure(job_step_seconds=0.05, job_result="FAILED")
    job = amplify.start_job(**branch, jobType="RELEASE")["jobSummary"]
    seen = watch(amplify, branch, job["jobId"], lambda status: status in TERMINAL)
    assert seen[-1] == "FAILED" and "SUCCEED" not in seen
    done = amplify.get_job(**branch, jobId=job["jobId"])["job"]
    assert "endTime" in done["summary"]
    assert [(s["stepName"], s["status"]) for s in done["steps"]] == [
        ("BUILD", "FAILED"), ("DEPLOY", "CANCELLED"), ("VERIFY", "CANCELLED")]
