# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The parts of the job module that decide without AWS: which job is reused, and how waiting paces itself."""

import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.modules import job as job_module


def params(**overrides):
    base = dict(app="site", branch_name="main", state="started", job_type="RELEASE", job_id=None, commit_id=None,
                commit_message=None, wait=False, wait_timeout=600)
    base.update(overrides)
    return base


def summary(job_id, status, commit_id="HEAD", job_type="RELEASE"):
    return {"jobId": str(job_id), "status": status, "commitId": commit_id, "jobType": job_type}


def test_newest_first_orders_by_numeric_id():
    jobs = [summary(9, "SUCCEED"), summary(10, "RUNNING"), summary(2, "FAILED")]
    assert [j["jobId"] for j in job_module.newest_first(jobs)] == ["10", "9", "2"]


@pytest.mark.parametrize(
    "jobs, reused",
    [
        ([summary(2, "SUCCEED", "abc")], "2"),
        ([summary(2, "RUNNING", "abc")], "2"),
        ([summary(2, "FAILED", "abc")], None),
        ([summary(2, "CANCELLED", "abc")], None),
        ([summary(3, "SUCCEED", "def"), summary(2, "SUCCEED", "abc")], None),  # abc is no longer deployed
        ([], None),
    ],
)
def test_release_of_a_commit_reuses_the_newest_job_of_that_commit(jobs, reused):
    found = job_module.reusable_job(params(commit_id="abc"), jobs)
    assert (found or {}).get("jobId") == reused


def test_release_without_commit_reuses_an_active_job_only():
    assert job_module.reusable_job(params(), [summary(3, "SUCCEED"), summary(2, "FAILED")]) is None
    assert job_module.reusable_job(params(), [summary(3, "CANCELLING"), summary(2, "SUCCEED")]) is None
    assert job_module.reusable_job(params(), [summary(3, "PROVISIONING"), summary(2, "SUCCEED")])["jobId"] == "3"


def test_retry_reuses_a_later_retry_that_did_not_fail():
    retry = params(job_type="RETRY", job_id="1")
    assert job_module.reusable_job(retry, [summary(2, "RUNNING", job_type="RETRY"), summary(1, "FAILED")])["jobId"] == "2"
    assert job_module.reusable_job(retry, [summary(2, "SUCCEED", job_type="RETRY"), summary(1, "FAILED")])["jobId"] == "2"
    # A retry that failed, a release, or a retry older than the job asked about: retry again.
    assert job_module.reusable_job(retry, [summary(2, "FAILED", job_type="RETRY"), summary(1, "FAILED")]) is None
    assert job_module.reusable_job(retry, [summary(2, "RUNNING"), summary(1, "FAILED")]) is None
    later = params(job_type="RETRY", job_id="3")
    assert job_module.reusable_job(later, [summary(3, "FAILED"), summary(2, "SUCCEED", job_type="RETRY")]) is None


def test_start_params():
    assert job_module.start_params(params(job_type="RETRY", job_id="4")) == {"jobType": "RETRY", "jobId": "4"}
    assert job_module.start_params(params(commit_id="abc", commit_message="m")) == {
        "jobType": "RELEASE",
        "commitId": "abc",
        "commitMessage": "m",
    }
    assert job_module.start_params(params()) == {"jobType": "RELEASE"}


@pytest.mark.parametrize(
    "overrides, option",
    [
        (dict(wait_timeout=0), "wait_timeout: "),
        (dict(state="stopped", commit_id="abc"), "commit_id: "),
        (dict(job_type="RETRY", job_id="1", commit_message="m"), "commit_message: "),
        (dict(job_id="1"), "job_id: "),
        (dict(app=""), "app: must not be empty"),
        (dict(branch_name=" "), "branch_name: must not be empty"),
        (dict(job_type="RETRY", job_id=""), "job_id: must not be empty"),
    ],
)
def test_conflicting_options_name_the_option(overrides, option):
    with pytest.raises(AmplifyError) as e:
        job_module.check_options(params(**overrides))
    assert e.value.message.startswith(option)


def fake_get_job(monkeypatch, statuses):
    reads = []

    def get_job(client, app_id, branch_name, job_id):
        status = statuses[min(len(reads), len(statuses) - 1)]
        reads.append(status)
        return {"summary": summary(job_id, status), "steps": [{"stepName": "BUILD", "status": status}]}

    monkeypatch.setattr(job_module, "get_job", get_job)
    return reads


def test_wait_backs_off_up_to_the_cap(monkeypatch, fake_clock):
    reads = fake_get_job(monkeypatch, ["PENDING"] * 12 + ["SUCCEED"])
    clock = fake_clock
    job = job_module.wait_for_job(None, "dapp", "main", "1", 600, sleep=clock.sleep, clock=clock)
    assert job["summary"]["status"] == "SUCCEED"
    assert len(reads) == 13
    assert len(clock.pauses) == 12
    assert all(0 < p <= job_module.MAX_POLL_SECONDS for p in clock.pauses)
    # The first pauses are short and the later ones reach the cap's range (jitter keeps them at half or more).
    assert clock.pauses[0] <= job_module.FIRST_POLL_SECONDS
    assert min(clock.pauses[-4:]) >= job_module.MAX_POLL_SECONDS / 2


def test_wait_returns_at_once_for_an_ended_job(monkeypatch, fake_clock):
    fake_get_job(monkeypatch, ["FAILED"])
    clock = fake_clock
    assert job_module.wait_for_job(None, "dapp", "main", "7", 600, sleep=clock.sleep, clock=clock)["summary"]["status"] == "FAILED"
    assert clock.pauses == []


def test_wait_stops_at_the_timeout_naming_job_and_status(monkeypatch, fake_clock):
    reads = fake_get_job(monkeypatch, ["RUNNING"])
    clock = fake_clock
    with pytest.raises(job_module.JobFailure) as e:
        job_module.wait_for_job(None, "dapp", "main", "7", 30, sleep=clock.sleep, clock=clock)
    assert clock.now == pytest.approx(30)
    assert "job 7 " in e.value.message and "still RUNNING" in e.value.message
    assert e.value.message.startswith("wait_timeout: ")
    assert e.value.job["status"] == "RUNNING"
    assert len(reads) < 30


def test_failed_step_is_named():
    assert job_module.failed_step([{"stepName": "BUILD", "status": "FAILED"}, {"stepName": "DEPLOY", "status": "CANCELLED"}])["stepName"] == "BUILD"
    assert job_module.failed_step([{"stepName": "BUILD", "status": "SUCCEED"}]) is None
