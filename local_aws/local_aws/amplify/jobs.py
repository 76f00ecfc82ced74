"""How jobs move through their statuses.

A runner is told when a job starts and is asked, whenever the job is read, to bring it up to date.
`ClockJobRunner` moves a job through PENDING -> PROVISIONING -> RUNNING -> SUCCEED, one phase per
`settings.job_step_seconds` (ending FAILED instead when `settings.job_result` says so at the time the
job finishes), and a stop request through CANCELLING -> CANCELLED. Nothing runs in the
background: the status is a function of the clock, so reads are cheap and deterministic.

A runner that really builds and serves the app (local_aws/compute/runner.py, the local Amplify Hosting
compute) subclasses JobRunner: it does the work in `start` and reports progress in `advance`.
"""

from __future__ import annotations

import datetime

from ..settings import Settings

PHASES = ("PENDING", "PROVISIONING", "RUNNING")
STEPS = ("BUILD", "DEPLOY", "VERIFY")


class JobRunner:
    def start(self, app: dict, branch: dict, job: dict) -> None:
        """Called once when a job is created (under the backend lock)."""

    def advance(self, job: dict, now: datetime.datetime) -> None:
        """Bring job['status'] (and 'endTime' once terminal) up to date."""
        raise NotImplementedError

    def steps(self, job: dict) -> list[dict]:
        """The job's steps, in the Step shape."""
        raise NotImplementedError

    # What happens to a branch's running compute (the local Amplify Hosting compute overrides these).
    def branch_updated(self, app: dict, branch: dict) -> None:
        """After UpdateApp or UpdateBranch (under the backend lock)."""

    def branch_deleted(self, app: dict, branch_name: str) -> None:
        """After DeleteBranch (under the backend lock)."""

    def app_deleted(self, app: dict, branch_names: list[str]) -> None:
        """After DeleteApp (under the backend lock)."""


class ClockJobRunner(JobRunner):
    def __init__(self, settings: Settings):
        self.settings = settings

    def _elapsed_phases(self, since: datetime.datetime, now: datetime.datetime) -> int:
        step = self.settings.job_step_seconds
        if step <= 0:
            return 1 << 30
        return int((now - since).total_seconds() // step)

    def advance(self, job: dict, now: datetime.datetime) -> None:
        if job["status"] in ("SUCCEED", "FAILED", "CANCELLED"):
            return
        step = datetime.timedelta(seconds=max(self.settings.job_step_seconds, 0))
        cancelled_at = job.get("_cancel_requested")
        if cancelled_at is not None:
            if self._elapsed_phases(cancelled_at, now) >= 1:
                job["status"] = "CANCELLED"
                job["endTime"] = cancelled_at + step
            else:
                job["status"] = "CANCELLING"
            return
        phase = self._elapsed_phases(job["startTime"], now)
        if phase >= len(PHASES):
            job["status"] = self.settings.job_result
            job["endTime"] = job["startTime"] + step * len(PHASES)
        else:
            job["status"] = PHASES[phase]

    def steps(self, job: dict) -> list[dict]:
        step = datetime.timedelta(seconds=max(self.settings.job_step_seconds, 0))
        steps = []
        for index, name in enumerate(STEPS):
            start = job["startTime"] + step * index
            end = start + step
            if job["status"] == "SUCCEED":
                status = "SUCCEED"
            elif job["status"] == "FAILED":
                # The build step is the one that fails; what follows never ran.
                status = "FAILED" if index == 0 else "CANCELLED"
            elif job["status"] in ("CANCELLING", "CANCELLED"):
                status = "CANCELLED"
            else:
                status = "RUNNING" if PHASES.index(job["status"]) >= index else "PENDING"
            steps.append({"stepName": name, "startTime": start, "status": status, "endTime": end})
        return steps
