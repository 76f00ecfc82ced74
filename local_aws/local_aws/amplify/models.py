"""Amplify Hosting state and rules (moto's "models" half). No HTTP here: see responses.py.

Resources are plain dicts keyed by the API's own member names, so what is stored is what GetApp /
GetBranch return. Which request members become resource attributes is read from botocore's model
(the members the App / Branch output shapes declare); write-only members such as access tokens are
kept apart and never returned, as the real service does.
"""

from __future__ import annotations

import base64
import datetime
import json
import random
import string
import threading
from dataclasses import dataclass, field
from urllib.parse import quote

from .. import iam_bridge, service_model
from ..settings import Settings
from .exceptions import (
    COMPUTE_ROLE_NOT_ASSUMABLE,
    BadRequestException,
    LimitExceededException,
    NotFoundException,
    ResourceNotFoundException,
)
from .jobs import ClockJobRunner, JobRunner

SECRET_MEMBERS = ("accessToken", "oauthToken")
# The platforms with server-side rendering compute: the only ones a compute role can be set for.
SSR_PLATFORMS = ("WEB_COMPUTE", "WEB_DYNAMIC")
# This endpoint's wording (the service's exact message is not documented); the code is the service's.
COMPUTE_ROLE_PLATFORM = (
    "A compute role can only be set for apps with platform WEB_COMPUTE or WEB_DYNAMIC; the app's platform is {platform}."
)
# This endpoint's wording, as above. A role is passed to a service with iam:PassRole, which passes a role only to a
# service in the role's own account (IAM User Guide, "Grant a user permissions to pass a role to an AWS service").
COMPUTE_ROLE_OTHER_ACCOUNT = (
    "The compute role {arn} belongs to account {role_account}; an app of account {account} can only use a role of its "
    "own account."
)
TERMINAL_JOB_STATUSES = ("SUCCEED", "FAILED", "CANCELLED")


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _output_members(shape_name: str) -> frozenset[str]:
    return frozenset(service_model.load("amplify").shape_for(shape_name).members)


def _page(items: list, max_results: int | None, next_token: str | None, limit: int) -> tuple[list, str | None]:
    """Slice a listing the way Amplify pages it: opaque nextToken, at most `limit` per page."""
    size = limit if not max_results else min(max_results, limit)
    start = 0
    if next_token:
        try:
            start = json.loads(base64.urlsafe_b64decode(next_token.encode()))["offset"]
        except (ValueError, KeyError, TypeError) as exc:
            raise BadRequestException("Invalid nextToken") from exc
    page = items[start:start + size]
    end = start + size
    token = base64.urlsafe_b64encode(json.dumps({"offset": end}).encode()).decode() if end < len(items) else None
    return page, token


@dataclass
class StoredBranch:
    attrs: dict
    jobs: dict[str, dict] = field(default_factory=dict)
    next_job_id: int = 1


@dataclass
class StoredApp:
    attrs: dict
    secrets: dict
    branches: dict[str, StoredBranch] = field(default_factory=dict)


class AmplifyBackend:
    """One account + region of Amplify Hosting."""

    def __init__(self, account_id: str, region: str, settings: Settings, job_runner: JobRunner | None = None):
        self.account_id = account_id
        self.region = region
        self.settings = settings
        self.job_runner = job_runner or ClockJobRunner(settings)
        self.apps: dict[str, StoredApp] = {}
        self.lock = threading.RLock()
        # settings.propagation_refusals: refusals so far per role (ARN and creation time: a role made again under
        # the same name is a new role), and the roles accepted once (propagated for good).
        self._refused: dict[tuple[str, str], int] = {}
        self._accepted: set[tuple[str, str]] = set()
        self._random = random.Random(settings.seed)

    # -- helpers -------------------------------------------------------------------------------
    def _new_app_id(self) -> str:
        alphabet = string.ascii_lowercase + string.digits
        while True:
            app_id = "d" + "".join(self._random.choice(alphabet) for _ in range(13))
            if app_id not in self.apps:
                return app_id

    def _app(self, app_id: str) -> StoredApp:
        app = self.apps.get(app_id)
        if app is None:
            raise NotFoundException(f"App {app_id} not found.")
        return app

    def _branch(self, app_id: str, branch_name: str) -> StoredBranch:
        branch = self._app(app_id).branches.get(branch_name)
        if branch is None:
            raise NotFoundException(f"Branch {branch_name} not found.")
        return branch

    def check_compute_role(self, arn: str | None, platform: str = SSR_PLATFORMS[0], app_arn: str = "") -> None:
        """Reject a compute role Amplify could not assume for the app `app_arn`, one of another account than the
        app's, or one for an app whose `platform` has no SSR compute (WEB: static hosting). `None` or "" means no
        role (clears it).

        The trust policy is evaluated with what Amplify presents when it assumes the role: the service
        principal amplify.amazonaws.com, aws:SourceAccount (the app's account) and aws:SourceArn (the app's
        ARN); a condition naming another account or app refuses the role here, as on association."""
        if not arn:
            return
        if not iam_bridge.ROLE_ARN.match(arn):
            raise BadRequestException(f"Invalid computeRoleArn: {arn} is not a valid IAM role ARN.")
        if platform not in SSR_PLATFORMS:
            raise BadRequestException(COMPUTE_ROLE_PLATFORM.format(platform=platform))
        role_account = iam_bridge.ROLE_ARN.match(arn).group(1)
        if role_account != self.account_id:
            raise BadRequestException(COMPUTE_ROLE_OTHER_ACCOUNT.format(arn=arn, role_account=role_account,
                                                                         account=self.account_id))
        role = iam_bridge.find_role(self.account_id, arn)
        if role is None or not iam_bridge.amplify_may_assume(role, self.account_id, app_arn):
            raise BadRequestException(COMPUTE_ROLE_NOT_ASSUMABLE)
        if self.settings.propagation_delay and iam_bridge.role_age_seconds(role) < self.settings.propagation_delay:
            raise BadRequestException(COMPUTE_ROLE_NOT_ASSUMABLE)
        key = (arn, str(role.create_date))
        if key not in self._accepted and self._refused.get(key, 0) < self.settings.propagation_refusals:
            self._refused[key] = self._refused.get(key, 0) + 1
            raise BadRequestException(COMPUTE_ROLE_NOT_ASSUMABLE)
        self._accepted.add(key)

    @staticmethod
    def _apply(attrs: dict, params: dict, allowed: frozenset[str]) -> None:
        for name, value in params.items():
            if name not in allowed or name in ("appId", "branchName"):
                continue
            if name == "computeRoleArn" and value == "":
                attrs.pop(name, None)
            else:
                attrs[name] = value

    def _check_repository(self, params: dict, secrets: dict) -> None:
        repository = params.get("repository")
        if repository and repository.startswith("https://") and not (params.get("accessToken") or params.get("oauthToken") or secrets):
            raise BadRequestException("An accessToken or oauthToken is required to connect repository " + repository)

    # -- apps ----------------------------------------------------------------------------------
    def create_app(self, params: dict) -> dict:
        with self.lock:
            if len(self.apps) >= self.settings.apps_per_region:
                raise LimitExceededException(f"Apps limit of {self.settings.apps_per_region} reached for this region.")
            self._check_repository(params, {})
            app_id = self._new_app_id()
            app_arn = f"arn:aws:amplify:{self.region}:{self.account_id}:apps/{app_id}"
            self.check_compute_role(params.get("computeRoleArn"), params.get("platform") or "WEB", app_arn)
            now = _now()
            attrs = {
                "appId": app_id,
                "appArn": app_arn,
                "description": "",
                "repository": "",
                "platform": "WEB",
                "environmentVariables": {},
                "defaultDomain": f"{app_id}.amplifyapp.com",
                "enableBranchAutoBuild": False,
                "enableBasicAuth": False,
                "createTime": now,
                "updateTime": now,
            }
            self._apply(attrs, params, _output_members("App"))
            if attrs["repository"]:
                attrs.setdefault("repositoryCloneMethod", "TOKEN")
            secrets = {k: params[k] for k in SECRET_MEMBERS if params.get(k)}
            self.apps[app_id] = StoredApp(attrs=attrs, secrets=secrets)
            return dict(attrs)

    def get_app(self, app_id: str) -> dict:
        with self.lock:
            return dict(self._app(app_id).attrs)

    def update_app(self, params: dict) -> dict:
        with self.lock:
            app = self._app(params["appId"])
            self._check_repository(params, app.secrets)
            platform = params.get("platform") or app.attrs["platform"]
            self.check_compute_role(params.get("computeRoleArn"), platform, app.attrs["appArn"])
            if "computeRoleArn" not in params and platform not in SSR_PLATFORMS and app.attrs.get("computeRoleArn"):
                # A platform change that would leave a static app with the compute role it had.
                raise BadRequestException(COMPUTE_ROLE_PLATFORM.format(platform=platform))
            self._apply(app.attrs, params, _output_members("App"))
            app.secrets.update({k: params[k] for k in SECRET_MEMBERS if params.get(k)})
            app.attrs["updateTime"] = _now()
            for branch in app.branches.values():
                self.job_runner.branch_updated(app.attrs, branch.attrs)
            return dict(app.attrs)

    def delete_app(self, app_id: str) -> dict:
        with self.lock:
            app = self._app(app_id)
            del self.apps[app_id]
            self.job_runner.app_deleted(app.attrs, list(app.branches))
            return dict(app.attrs)

    def list_apps(self, max_results: int | None, next_token: str | None) -> tuple[list, str | None]:
        with self.lock:
            apps = [dict(a.attrs) for a in self.apps.values()]
        return _page(apps, max_results, next_token, 100)

    # -- branches ------------------------------------------------------------------------------
    def create_branch(self, params: dict) -> dict:
        with self.lock:
            app = self._app(params["appId"])
            name = params["branchName"]
            if name in app.branches:
                raise BadRequestException(f"Branch with name {name} already exists.")
            if len(app.branches) >= self.settings.branches_per_app:
                raise LimitExceededException(f"Branches limit of {self.settings.branches_per_app} reached for this app.")
            self.check_compute_role(params.get("computeRoleArn"), app.attrs["platform"], app.attrs["appArn"])
            now = _now()
            attrs = {
                "branchArn": f"{app.attrs['appArn']}/branches/{quote(name, safe='')}",
                "branchName": name,
                "description": "",
                # Real Amplify reports "NONE" for a branch without a stage, a value botocore's model
                # does not list; this endpoint stays inside the model and uses EXPERIMENTAL.
                "stage": "EXPERIMENTAL",
                "displayName": name.replace("/", "-"),
                "enableNotification": False,
                "createTime": now,
                "updateTime": now,
                "environmentVariables": {},
                "enableAutoBuild": True,
                "customDomains": [],
                "framework": "",
                "activeJobId": "",
                "totalNumberOfJobs": "0",
                "enableBasicAuth": False,
                "ttl": "5",
                "enablePullRequestPreview": False,
            }
            self._apply(attrs, params, _output_members("Branch"))
            app.branches[name] = StoredBranch(attrs=attrs)
            return dict(attrs)

    def get_branch(self, app_id: str, branch_name: str) -> dict:
        with self.lock:
            return dict(self._branch(app_id, branch_name).attrs)

    def update_branch(self, params: dict) -> dict:
        with self.lock:
            branch = self._branch(params["appId"], params["branchName"])
            app = self.apps[params["appId"]]
            self.check_compute_role(params.get("computeRoleArn"), app.attrs["platform"], app.attrs["appArn"])
            self._apply(branch.attrs, params, _output_members("Branch"))
            branch.attrs["updateTime"] = _now()
            self.job_runner.branch_updated(app.attrs, branch.attrs)
            return dict(branch.attrs)

    def delete_branch(self, app_id: str, branch_name: str) -> dict:
        with self.lock:
            self._branch(app_id, branch_name)
            self.job_runner.branch_deleted(self.apps[app_id].attrs, branch_name)
            return dict(self.apps[app_id].branches.pop(branch_name).attrs)

    def list_branches(self, app_id: str, max_results: int | None, next_token: str | None) -> tuple[list, str | None]:
        with self.lock:
            branches = [dict(b.attrs) for b in self._app(app_id).branches.values()]
        return _page(branches, max_results, next_token, 50)

    # -- jobs ----------------------------------------------------------------------------------
    def start_job(self, params: dict) -> dict:
        with self.lock:
            app = self._app(params["appId"])
            branch = self._branch(params["appId"], params["branchName"])
            job_type = params["jobType"]
            if job_type == "RETRY":
                if not params.get("jobId"):
                    raise BadRequestException("jobId is required when jobType is RETRY.")
                self._job(branch, params["jobId"])
            elif job_type == "RELEASE":
                if not app.attrs.get("repository"):
                    raise BadRequestException("A RELEASE job can only be started for an app that is connected to a repository.")
            else:
                raise BadRequestException(f"jobType {job_type} is not supported for app {app.attrs['appId']}: "
                                          "manual deployments are not supported for SSR apps by this endpoint.")
            job_id = str(branch.next_job_id)
            branch.next_job_id += 1
            now = _now()
            job = {
                "jobArn": f"{branch.attrs['branchArn']}/jobs/{int(job_id):010d}",
                "jobId": job_id,
                "commitId": params.get("commitId") or "HEAD",
                "commitMessage": params.get("commitMessage") or params.get("jobReason") or "",
                "commitTime": params.get("commitTime") or now,
                "startTime": now,
                "status": "PENDING",
                "jobType": job_type,
                "_cancel_requested": None,
            }
            branch.jobs[job_id] = job
            branch.attrs["activeJobId"] = job_id
            branch.attrs["totalNumberOfJobs"] = str(len(branch.jobs))
            self.job_runner.start(app.attrs, branch.attrs, job)
            return self._job_summary(job)

    def _job(self, branch: StoredBranch, job_id: str) -> dict:
        job = branch.jobs.get(job_id)
        if job is None:
            raise NotFoundException(f"Job {job_id} not found.")
        return job

    def _job_summary(self, job: dict) -> dict:
        self.job_runner.advance(job, _now())
        return {k: v for k, v in job.items() if not k.startswith("_")}

    def get_job(self, app_id: str, branch_name: str, job_id: str) -> dict:
        with self.lock:
            job = self._job(self._branch(app_id, branch_name), job_id)
            summary = self._job_summary(job)
            return {"summary": summary, "steps": self.job_runner.steps(job)}

    def list_jobs(self, app_id: str, branch_name: str, max_results: int | None, next_token: str | None) -> tuple[list, str | None]:
        with self.lock:
            branch = self._branch(app_id, branch_name)
            # Newest first, as the console and the API list them.
            jobs = [self._job_summary(j) for j in sorted(branch.jobs.values(), key=lambda j: int(j["jobId"]), reverse=True)]
        return _page(jobs, max_results, next_token, 50)

    def stop_job(self, app_id: str, branch_name: str, job_id: str) -> dict:
        with self.lock:
            job = self._job(self._branch(app_id, branch_name), job_id)
            summary = self._job_summary(job)
            if summary["status"] in TERMINAL_JOB_STATUSES:
                raise BadRequestException(f"Job {job_id} is already {summary['status']} and cannot be stopped.")
            job["_cancel_requested"] = _now()
            return self._job_summary(job)

    # -- tags ----------------------------------------------------------------------------------
    def _tagged(self, arn: str) -> dict:
        for app in self.apps.values():
            if app.attrs["appArn"] == arn:
                return app.attrs
            for branch in app.branches.values():
                if branch.attrs["branchArn"] == arn:
                    return branch.attrs
        raise ResourceNotFoundException(f"Resource {arn} not found.")

    def tag_resource(self, arn: str, tags: dict) -> None:
        with self.lock:
            attrs = self._tagged(arn)
            merged = {**attrs.get("tags", {}), **tags}
            if len(merged) > 50:
                raise BadRequestException("A resource can have at most 50 tags.")
            attrs["tags"] = merged

    def untag_resource(self, arn: str, keys: list[str]) -> None:
        with self.lock:
            attrs = self._tagged(arn)
            attrs["tags"] = {k: v for k, v in attrs.get("tags", {}).items() if k not in keys}

    def list_tags(self, arn: str) -> dict:
        with self.lock:
            return dict(self._tagged(arn).get("tags", {}))

    # -- inspection for tests ------------------------------------------------------------------
    def snapshot(self) -> list[dict]:
        with self.lock:
            return [
                {
                    "appId": app.attrs["appId"],
                    "name": app.attrs["name"],
                    "platform": app.attrs["platform"],
                    "computeRoleArn": app.attrs.get("computeRoleArn", ""),
                    "tags": dict(app.attrs.get("tags", {})),
                    "branches": [
                        {
                            "branchName": b.attrs["branchName"],
                            "computeRoleArn": b.attrs.get("computeRoleArn", ""),
                            "stage": b.attrs["stage"],
                            "tags": dict(b.attrs.get("tags", {})),
                            "jobs": len(b.jobs),
                        }
                        for b in app.branches.values()
                    ],
                }
                for app in self.apps.values()
            ]


class AmplifyRegistry:
    """All Amplify backends of the process, one per (account, region), sharing one job runner."""

    def __init__(self, settings: Settings, job_runner: JobRunner | None = None):
        self.settings = settings
        self.job_runner = job_runner or ClockJobRunner(settings)
        self.backends: dict[tuple[str, str], AmplifyBackend] = {}
        self.lock = threading.Lock()

    def get(self, account_id: str, region: str) -> AmplifyBackend:
        with self.lock:
            key = (account_id, region)
            if key not in self.backends:
                self.backends[key] = AmplifyBackend(account_id, region, self.settings, self.job_runner)
            return self.backends[key]

    def lookup(self, account_id: str, region: str, app_id: str, branch_name: str) -> tuple[dict, dict] | None:
        """Copies of an app's and one of its branches' attributes, or None when either is gone."""
        with self.lock:
            backend = self.backends.get((account_id, region))
        if backend is None:
            return None
        with backend.lock:
            app = backend.apps.get(app_id)
            branch = app.branches.get(branch_name) if app else None
            return (dict(app.attrs), dict(branch.attrs)) if branch else None

    def reset(self) -> None:
        with self.lock:
            self.backends.clear()

    def snapshot(self) -> list[dict]:
        with self.lock:
            backends = list(self.backends.values())
        return [
            {"account": b.account_id, "region": b.region, "apps": b.snapshot()}
            for b in backends
        ]
