"""The local Amplify Hosting compute: a RELEASE builds the branch from Git and serves it with its compute role.

`HostingRunner` is the endpoint's JobRunner. A job of an app whose repository is mapped to a local Git
repository (settings.repositories) really runs; any other app's jobs are left to the clock runner, as before.

A real release, one at a time on one worker thread (Amplify queues a branch's jobs; one worker keeps a
2-core machine usable):
  BUILD   clone the branch at its head (the commit built becomes the job's commitId: a RELEASE builds the
          head, whatever commit was asked for), choose the build spec (buildspec.py), run it with the app's
          and branch's environment variables (branch wins) and Amplify's AWS_APP_ID/AWS_BRANCH/AWS_COMMIT_ID/
          AWS_JOB_ID, then check the artifacts' baseDirectory.
  DEPLOY  start the Next.js production server (`next start`) of the build on a loopback port.
  VERIFY  wait until it answers HTTP; then it replaces the branch's previous server, which is stopped.
Each step's log is served at its logUrl. A failed step ends the job FAILED with the cause as the step's
statusReason and in its log; nothing of a failed release keeps running.

The running server's environment (compute.environment) is the SSR runtime's: AWS_REGION, the endpoint URL,
and credentials of the branch's effective compute role (the branch's, else the app's), handed out through
the container credentials endpoint so the SDK refreshes them before they expire. A server whose branch and
app have no compute role gets no credentials at all. A change of the effective role takes effect at once:
the server is restarted on the same build with the new role (Amplify applies a compute role without a new
deployment: the write-up assigns the role after the first deployment and the page then works).

The server's stdout and stderr go to the app's CloudWatch Logs group (compute.logs) only while the app's service
role allows Amplify to write them, as on Amplify (the setting compute_logs "service_role", the default), or
always (compute_logs "always"). The DEPLOY step log says which. What the server writes while it serves a request
is written or dropped before the request's answer is passed on (compute.output), so a change of the service role
after the answer does not change it.
"""

from __future__ import annotations

import datetime
import hashlib
import http.client
import json
import os
import queue
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from .. import iam_bridge
from ..amplify.jobs import STEPS, ClockJobRunner, JobRunner
from ..settings import Settings
from . import buildspec, environment, logs
from .logs import LogStream
from .output import OutputPump

RUNNER_VERSION = "1"  # part of the build cache key: bump when what a build produces changes
TERMINAL = ("SUCCEED", "FAILED", "CANCELLED")
# Amplify's session name for the compute is not documented; this one says what the session is for.
SESSION_PREFIX = "amplify-compute"


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def app_location(app: dict) -> tuple[str, str]:
    """(account, region) of an app, from its ARN arn:<partition>:amplify:<region>:<account>:apps/<id>."""
    parts = app["appArn"].split(":")
    return parts[4], parts[3]


class ReleaseFailed(Exception):
    """A step failed; the message is its statusReason."""


class ReleaseCancelled(Exception):
    """StopJob, DeleteBranch or DeleteApp ended the release."""


@dataclass
class Release:
    """A compute job's work, as captured when the job started (Amplify builds what was set at that time)."""

    account: str
    region: str
    app: dict
    branch: dict
    job: dict
    local_path: str
    log_dir: Path
    process: subprocess.Popen | None = None  # the running build, for a cancel

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.account, self.region, self.app["appId"], self.branch["branchName"])


@dataclass
class Deployment:
    """A branch's running server."""

    account: str
    region: str
    app_id: str
    branch_name: str
    display_name: str
    job_id: str
    tree: Path
    role_arn: str
    port: int
    process: subprocess.Popen
    log: LogStream
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    session: object | None = None  # the compute session last handed out (compute_auth.Session)
    pumps: list[OutputPump] = field(default_factory=list)  # its stdout and stderr, into `log`

    def alive(self) -> bool:
        return self.process.poll() is None

    def drain_output(self) -> None:
        """Handle now what the server has written so far (after it answered a request: compute/output.py)."""
        for pump in self.pumps:
            pump.drain()


class HostingRunner(JobRunner):
    def __init__(self, settings: Settings, work_dir: str, lookup, sessions, public_url=lambda: ""):
        """`lookup(account, region, app_id, branch_name)` -> (app attrs, branch attrs) or None, read under the
        Amplify backend's lock; `sessions` a compute_auth.ComputeSessions; `public_url()` this endpoint's URL."""
        self.settings = settings
        self.clock_runner = ClockJobRunner(settings)
        self.work_dir = Path(work_dir).resolve()
        self.build_cache_dir = Path(os.environ.get("LOCAL_AWS_BUILD_CACHE") or self.work_dir / "build-cache").resolve()
        self.lookup = lookup
        self.sessions = sessions
        self.public_url = public_url
        self.deployments: dict[tuple[str, str, str, str], Deployment] = {}
        self.releases: dict[str, Release] = {}  # job ARN -> release, while it is queued or running
        self.by_token: dict[str, Deployment] = {}  # every started server, by its credentials token
        self.lock = threading.RLock()
        self.queue: queue.Queue = queue.Queue()
        # Every build and server is started from this one long-lived thread: a child's PR_SET_PDEATHSIG fires
        # when the thread that started it ends, so a server started from a short-lived thread would die with it.
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="local-compute-spawn")
        self._worker = threading.Thread(target=self._work, name="local-compute-worker", daemon=True)
        self._worker.start()

    # -- the JobRunner seam --------------------------------------------------------------------------------
    def resolves(self, app: dict) -> str | None:
        """The local Git repository an app's repository URL maps to, or None (the clock runner's job)."""
        return self.settings.repositories.get(app.get("repository") or "")

    def start(self, app: dict, branch: dict, job: dict) -> None:
        local_path = self.resolves(app)
        if local_path is None:
            return self.clock_runner.start(app, branch, job)
        account, region = app_location(app)
        job["_compute"] = True
        job["_steps"] = [{"stepName": name, "status": "PENDING"} for name in STEPS]
        release = Release(account, region, json.loads(json.dumps(app, default=str)), dict(branch), job, local_path,
                          self.work_dir / "jobs" / app["appId"] / quote(branch["branchName"], safe="") / job["jobId"])
        with self.lock:
            self.releases[job["jobArn"]] = release
        self.queue.put(release)
        return None

    def advance(self, job: dict, now: datetime.datetime) -> None:
        if not job.get("_compute"):
            return self.clock_runner.advance(job, now)
        if job.get("_cancel_requested") is not None and job["status"] not in TERMINAL:
            job["status"] = "CANCELLING"
            self._cancel(job["jobArn"])
        return None

    def steps(self, job: dict) -> list[dict]:
        if not job.get("_compute"):
            return self.clock_runner.steps(job)
        steps = []
        for step in job["_steps"]:
            shown = {"stepName": step["stepName"], "status": step["status"],
                     "startTime": step.get("startTime", job["startTime"]),
                     "endTime": step.get("endTime", step.get("startTime", job["startTime"]))}
            for name in ("logUrl", "statusReason"):
                if step.get(name):
                    shown[name] = step[name]
            steps.append(shown)
        return steps

    # -- the life of a branch's compute ----------------------------------------------------------------------
    def branch_updated(self, app: dict, branch: dict) -> None:
        """After UpdateApp/UpdateBranch: a changed effective compute role takes effect at once."""
        account, region = app_location(app)
        with self.lock:
            deployment = self.deployments.get((account, region, app["appId"], branch["branchName"]))
        role = effective_role(app, branch)
        if deployment is not None and deployment.role_arn != role:
            threading.Thread(target=self._restart, args=(deployment, role), daemon=True).start()

    def branch_deleted(self, app: dict, branch_name: str) -> None:
        account, region = app_location(app)
        key = (account, region, app["appId"], branch_name)
        with self.lock:
            deployment = self.deployments.pop(key, None)
            for release in self.releases.values():
                if release.key == key:
                    release.job["_cancel_requested"] = _now()
                    self._cancel(release.job["jobArn"])
        if deployment is not None:
            self._stop(deployment)

    def app_deleted(self, app: dict, branch_names: list[str]) -> None:
        for name in branch_names:
            self.branch_deleted(app, name)

    def stop_all(self) -> None:
        """Stop every server and build (endpoint reset or shutdown): nothing is left listening."""
        with self.lock:
            deployments = list(self.deployments.values())
            self.deployments.clear()
            for release in self.releases.values():
                release.job["_cancel_requested"] = _now()
                self._cancel(release.job["jobArn"])
        for deployment in deployments:
            self._stop(deployment)

    # -- serving --------------------------------------------------------------------------------------------
    def running(self) -> list[dict]:
        """The running computes, for the control API and `local-aws urls`."""
        with self.lock:
            deployments = list(self.deployments.values())
        port = self.public_url().rsplit(":", 1)[-1]
        return [{"account": d.account, "region": d.region, "appId": d.app_id, "branchName": d.branch_name,
                 "url": f"http://{d.display_name}.{d.app_id}.localhost:{port}", "port": d.port,
                 "roleArn": d.role_arn, "jobId": d.job_id, "pid": d.process.pid, "alive": d.alive(),
                 "logGroup": d.log.group, "logStream": d.log.stream} for d in deployments]

    def step_log(self, app_id: str, quoted_branch: str, job_id: str, step: str) -> str | None:
        path = self.work_dir / "jobs" / app_id / quoted_branch / job_id / f"{step}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else None

    def find(self, app_id: str, display_name: str) -> Deployment | None:
        """The running deployment serving <display_name>.<app_id> (host names are case-insensitive)."""
        with self.lock:
            for deployment in self.deployments.values():
                if deployment.app_id == app_id and deployment.display_name.lower() == display_name.lower():
                    return deployment
        return None

    def deployment_for_token(self, token: str) -> Deployment | None:
        """Every started server holds its token until it is stopped (also while it replaces another)."""
        with self.lock:
            return self.by_token.get(token) if token else None

    def credentials(self, token: str) -> tuple[int, dict]:
        """The container credentials endpoint: (status, JSON body) for the server holding `token`."""
        deployment = self.deployment_for_token(token)
        if deployment is None:
            return 403, {"code": "AccessDenied", "message": "no compute holds this authorization token"}
        found = self.lookup(deployment.account, deployment.region, deployment.app_id, deployment.branch_name)
        if found is None:
            return 404, {"code": "NotFound", "message": "the branch of this compute no longer exists"}
        app, branch = found
        role = effective_role(app, branch)
        if not role or role != deployment.role_arn:
            return 404, {"code": "NoComputeRole", "message": "the branch runs with no compute role"}
        problem = assume_problem(deployment.account, app, role)
        if problem:
            return 403, {"code": "AccessDenied", "message": problem}
        session = deployment.session
        refresh_before = datetime.timedelta(minutes=15)
        if session is None or session.role_arn != role or session.expiration - self.sessions.now() < refresh_before:
            name = f"{SESSION_PREFIX}-{deployment.app_id}-{deployment.display_name}"[:64]
            session = self.sessions.issue(role, name, duration_seconds=self.settings.compute_session_seconds)
            deployment.session = session
        return 200, session.as_container_credentials()

    # -- the worker --------------------------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            release = self.queue.get()
            try:
                self._run(release)
            except Exception as exc:  # noqa: BLE001 - a bug must end the job, not the worker
                self._finish(release, "FAILED", f"internal error of the local compute: {exc!r}")
            finally:
                with self.lock:
                    self.releases.pop(release.job["jobArn"], None)

    def _run(self, release: Release) -> None:
        job = release.job
        if job.get("_cancel_requested") is not None:
            return self._finish(release, "CANCELLED", "stopped before it started")
        release.log_dir.mkdir(parents=True, exist_ok=True)
        job["status"] = "PROVISIONING"
        try:
            self._step(release, 0, "RUNNING")
            job["status"] = "RUNNING"
            tree, base = self._build(release)
            self._step(release, 0, "SUCCEED")
            self._step(release, 1, "RUNNING")
            deployment = self._deploy(release, tree)
            self._step(release, 1, "SUCCEED")
            self._step(release, 2, "RUNNING")
            self._verify(release, deployment)
            self._step(release, 2, "SUCCEED")
        except (ReleaseCancelled, ReleaseFailed) as exc:
            # What the release cloned and built is not kept (a clone with node_modules is hundreds of MB).
            shutil.rmtree(release.log_dir / "source", ignore_errors=True)
            return self._finish(release, "CANCELLED" if isinstance(exc, ReleaseCancelled) else "FAILED", str(exc))
        self._promote(release, deployment)
        return self._finish(release, "SUCCEED", "")

    def _finish(self, release: Release, status: str, reason: str) -> None:
        job = release.job
        now = _now()
        for step in job["_steps"]:
            if step["status"] == "RUNNING":
                step.update(status="FAILED" if status == "FAILED" else "CANCELLED", endTime=now)
                if reason:
                    step["statusReason"] = reason
                    self._log(release, step["stepName"], f"{status}: {reason}")
            elif step["status"] == "PENDING" and status != "SUCCEED":
                step.update(status="CANCELLED", startTime=now, endTime=now)
        job["endTime"] = now
        job["status"] = status

    def _step(self, release: Release, index: int, status: str) -> None:
        step = release.job["_steps"][index]
        if release.job.get("_cancel_requested") is not None:
            raise ReleaseCancelled(f"{step['stepName']}: stopped (StopJob, or the branch or app was deleted)")
        now = _now()
        if status == "RUNNING":
            step.update(status="RUNNING", startTime=now,
                        logUrl=f"{self.public_url()}/_local/compute/logs/{release.app['appId']}/"
                               f"{quote(release.branch['branchName'], safe='')}/{release.job['jobId']}/{step['stepName']}")
        else:
            step.update(status=status, endTime=now)

    def _log(self, release: Release, step: str, text: str) -> None:
        with open(release.log_dir / f"{step}.log", "a", encoding="utf-8") as handle:
            handle.write(text.rstrip("\n") + "\n")

    def _cancel(self, job_arn: str) -> None:
        release = self.releases.get(job_arn)
        if release is not None and release.process is not None and release.process.poll() is None:
            _kill_group(release.process)

    # -- BUILD ---------------------------------------------------------------------------------------------------
    def _git(self, release: Release, *args: str, cwd: str | None = None) -> str:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                                env={**_base_env(), "GIT_TERMINAL_PROMPT": "0"}, check=False)
        if result.returncode != 0:
            last = (result.stderr or result.stdout).strip().splitlines()[-1:]
            raise ReleaseFailed(f"git {args[0]} failed: {last[0] if last else f'exit status {result.returncode}'}")
        return result.stdout.strip()

    def _build(self, release: Release) -> tuple[Path, str]:
        app, branch, job = release.app, release.branch, release.job
        repository, path, name = app["repository"], release.local_path, branch["branchName"]
        log = lambda text: self._log(release, "BUILD", text)  # noqa: E731
        log(f"Cloning {repository} (local repository {path}), branch {name}")
        if not Path(path).is_dir() or subprocess.run(["git", "-C", path, "rev-parse", "--git-dir"], capture_output=True,
                                                     env=_base_env(), check=False).returncode != 0:
            raise ReleaseFailed(f"the repository {repository} maps to {path}, which is not a Git repository")
        heads = subprocess.run(["git", "ls-remote", "--heads", path, f"refs/heads/{name}"], capture_output=True,
                               text=True, env=_base_env(), check=False)
        if heads.returncode != 0 or not heads.stdout.strip():
            raise ReleaseFailed(f"branch {name} not found in the repository {repository} ({path})")
        commit = heads.stdout.split()[0]
        job["commitId"] = commit
        log(f"Commit {commit} (the head of {name}; a RELEASE builds the branch's head)")

        source = release.log_dir / "source"
        shutil.rmtree(source, ignore_errors=True)
        self._git(release, "clone", "--quiet", "--no-local", "--depth", "1", "--branch", name, "--single-branch",
                  f"file://{Path(path).resolve()}", str(source))
        subject = self._git(release, "log", "-1", "--format=%s", cwd=str(source))
        if not job.get("commitMessage"):
            job["commitMessage"] = subject
        repository_file = source / "amplify.yml"
        try:
            spec = buildspec.choose(branch.get("buildSpec"),
                                    repository_file.read_text(encoding="utf-8") if repository_file.is_file() else None,
                                    app.get("buildSpec"))
        except buildspec.BuildSpecError as exc:
            raise ReleaseFailed(f"build spec: {exc}") from exc
        log(f"Build spec: {spec.source}")
        variables = {**(app.get("environmentVariables") or {}), **(branch.get("environmentVariables") or {})}
        variables.update({"AWS_APP_ID": app["appId"], "AWS_BRANCH": name, "AWS_BRANCH_ARN": branch["branchArn"],
                          "AWS_COMMIT_ID": commit, "AWS_JOB_ID": job["jobId"]})
        key = hashlib.sha256(json.dumps([RUNNER_VERSION, commit, spec.source, spec.text, sorted(
            (k, v) for k, v in variables.items() if k not in ("AWS_JOB_ID", "AWS_APP_ID", "AWS_BRANCH_ARN"))]).encode()).hexdigest()
        cached = self.build_cache_dir / key
        if self.settings.build_cache and (cached / ".local-aws-build").is_file():
            log(f"Build cache: the identical build {key[:12]} (same commit, build spec and variables) is reused")
            shutil.rmtree(source, ignore_errors=True)
            return cached, spec.base_directory
        script = source.parent / "build.sh"
        script.write_text(spec.script(), encoding="utf-8")
        env = {**_base_env(), **{k: str(v) for k, v in variables.items()}, "CI": "true", "NEXT_TELEMETRY_DISABLED": "1",
               "HOME": str(release.log_dir / "home")}
        Path(env["HOME"]).mkdir(exist_ok=True)
        with open(release.log_dir / "BUILD.log", "a", encoding="utf-8") as output:
            release.process = self._popen(["bash", str(script)], cwd=source, env=env, stdout=output,
                                          stderr=subprocess.STDOUT)
            try:
                code = release.process.wait(timeout=self.settings.build_timeout_seconds)
            except subprocess.TimeoutExpired:
                _kill_group(release.process)
                raise ReleaseFailed(f"the build ran longer than {self.settings.build_timeout_seconds:g} s") from None
            finally:
                release.process = None
        if release.job.get("_cancel_requested") is not None:
            raise ReleaseCancelled("BUILD: stopped")
        if code != 0:
            raise ReleaseFailed(f"the build failed: a command of {spec.source} exited with status {code} (see the BUILD log)")
        if not (source / spec.base_directory).is_dir():
            raise ReleaseFailed(f"the build produced no artifacts: baseDirectory {spec.base_directory} does not exist")
        if not self.settings.build_cache:
            return source, spec.base_directory
        (source / ".local-aws-build").write_text(key, encoding="utf-8")
        self.build_cache_dir.mkdir(parents=True, exist_ok=True)
        try:
            source.rename(cached)
        except OSError:  # an identical build finished first (another endpoint sharing the cache)
            shutil.rmtree(source, ignore_errors=True)
        log(f"Build cache: stored as {key[:12]}")
        return cached, spec.base_directory

    # -- DEPLOY and VERIFY -------------------------------------------------------------------------------------
    def _deploy(self, release: Release, tree: Path) -> Deployment:
        """Start the build's server with the branch's effective role as it is now (not at StartJob)."""
        app, branch = release.app, release.branch
        found = self.lookup(release.account, release.region, app["appId"], branch["branchName"])
        if found is None:
            raise ReleaseCancelled("DEPLOY: the branch no longer exists")
        role = effective_role(*found)
        return self._spawn(release.account, release.region, found[0], found[1], release.job["jobId"], tree, role,
                           lambda text: self._log(release, "DEPLOY", text))

    def _spawn(self, account, region, app, branch, job_id, tree: Path, role: str, log) -> Deployment:
        server = tree / "node_modules" / ".bin" / "next"
        if not server.exists():
            raise ReleaseFailed("the build has no Next.js server (node_modules/.bin/next): is this a Next.js app?")
        port = self._port()
        display = branch.get("displayName") or branch["branchName"].replace("/", "-")
        log_stream = LogStream(account, region, app["appId"], branch["branchName"])
        log_stream.gate = lambda group_exists: self._logs_problem(log_stream, branch["branchName"], group_exists)
        deployment = Deployment(account, region, app["appId"], branch["branchName"], display, job_id, tree, role, port,
                                process=None, log=log_stream)
        env = environment.runtime(region=region, endpoint_url=self.public_url(), port=port,
                                  credentials_url=f"{self.public_url()}/_local/compute/credentials" if role else None,
                                  token=deployment.token if role else None,
                                  home=str(self.work_dir / "home" / app["appId"] / quote(branch["branchName"], safe="")))
        log(f"Starting the Next.js server of job {job_id} on 127.0.0.1:{port} with "
            f"{'the compute role ' + role if role else 'no compute role (no AWS credentials)'}")
        problem = log_stream.problem()
        where = f"to {log_stream.group}, stream {log_stream.stream}"
        log(f"Compute logs: {'not written, ' + problem if problem else where}")
        deployment.process = self._popen([str(server), "start", "-p", str(port), "-H", "127.0.0.1"], cwd=tree, env=env,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with self.lock:
            self.by_token[deployment.token] = deployment
        deployment.pumps = [OutputPump(pipe, deployment.log.write).start()
                             for pipe in (deployment.process.stdout, deployment.process.stderr)]
        return deployment

    def _logs_problem(self, stream: LogStream, branch_name: str, group_exists: bool) -> str:
        """Why the compute's output may not go to its log stream now ("" when it may): never with the setting
        compute_logs "always"; with "service_role", as Amplify, unless the app's service role allows it."""
        if self.settings.compute_logs == "always":
            return ""
        found = self.lookup(stream.account_id, stream.region, stream.group.rsplit("/", 1)[-1], branch_name)
        if found is None:
            return "the branch no longer exists"
        return logs.service_role_problem(stream.account_id, stream.region, found[0], stream.group, stream.stream,
                                         group_exists)

    def _popen(self, args: list[str], **kwargs) -> subprocess.Popen:
        """A child in its own process group (stopped as a whole) that ends when the endpoint ends."""
        return self._spawner.submit(subprocess.Popen, args, start_new_session=True, preexec_fn=_die_with_parent,
                                    **kwargs).result()

    def _port(self) -> int:
        low, high = self.settings.compute_port_min, self.settings.compute_port_max
        candidates = range(low, high + 1) if low and high else [0]
        for port in candidates:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return sock.getsockname()[1]
        raise ReleaseFailed(f"no free loopback port between compute_port_min {low} and compute_port_max {high}")

    def _verify(self, release: Release, deployment: Deployment) -> None:
        try:
            tries = wait_until_serving(deployment, self.settings.compute_start_seconds)
        except ReleaseFailed:
            self._stop(deployment)
            raise
        self._log(release, "VERIFY", f"GET http://127.0.0.1:{deployment.port}/ answered after {tries} tries")

    def _promote(self, release: Release, deployment: Deployment) -> None:
        """The new server replaces the branch's previous one, unless the branch went away meanwhile."""
        with self.lock:
            gone = release.job.get("_cancel_requested") is not None or self.lookup(*release.key) is None
            previous = None if gone else self.deployments.get(release.key)
            if not gone:
                self.deployments[release.key] = deployment
        if gone:
            self._stop(deployment)
        elif previous is not None:
            self._stop(previous)

    def _restart(self, deployment: Deployment, role: str) -> None:
        """The same build, started again with the branch's new effective role."""
        with self.lock:
            if self.deployments.get((deployment.account, deployment.region, deployment.app_id, deployment.branch_name)) is not deployment:
                return
        found = self.lookup(deployment.account, deployment.region, deployment.app_id, deployment.branch_name)
        if found is None:
            return
        try:
            fresh = self._spawn(deployment.account, deployment.region, found[0], found[1], deployment.job_id,
                                deployment.tree, effective_role(*found), lambda text: deployment.log.write(f"[local compute] {text}"))
            wait_until_serving(fresh, self.settings.compute_start_seconds)
        except ReleaseFailed as exc:
            deployment.log.write(f"[local compute] the restart with the new compute role failed: {exc}")
            return
        key = (deployment.account, deployment.region, deployment.app_id, deployment.branch_name)
        with self.lock:
            current = self.deployments.get(key)
            if current is deployment:
                self.deployments[key] = fresh
        self._stop(deployment if current is deployment else fresh)

    def _stop(self, deployment: Deployment) -> None:
        with self.lock:
            self.by_token.pop(deployment.token, None)
            in_use = any(other.tree == deployment.tree for other in self.by_token.values())
        if deployment.session is not None:
            self.sessions.revoke(deployment.session.access_key_id)
        _kill_group(deployment.process)
        # A build that is not in the build cache belongs to this deployment alone: remove it with it.
        if not in_use and self.build_cache_dir not in deployment.tree.parents:
            shutil.rmtree(deployment.tree, ignore_errors=True)


def effective_role(app: dict, branch: dict) -> str:
    """The role a branch's compute runs with: the branch override, else the app's default, else none."""
    return branch.get("computeRoleArn") or app.get("computeRoleArn") or ""


def assume_problem(account: str, app: dict, role_arn: str) -> str:
    """Why Amplify could not assume the role for this app now ("" when it can)."""
    role = iam_bridge.find_role(account, role_arn)
    if role is None:
        return f"the compute role {role_arn} does not exist"
    if not iam_bridge.amplify_may_assume(role, account, app["appArn"]):
        return f"the trust policy of {role_arn} does not let amplify.amazonaws.com assume it for {app['appArn']}"
    return ""


def wait_until_serving(deployment: Deployment, limit_seconds: float) -> int:
    """Poll GET / until the server answers (any HTTP status); fail when it exits or takes too long."""
    deadline = time.monotonic() + limit_seconds
    tries = 0
    while True:
        tries += 1
        if not deployment.alive():
            raise ReleaseFailed(f"the server exited with status {deployment.process.returncode} before it answered "
                                f"(see the compute log {deployment.log.group}, stream {deployment.log.stream})")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", deployment.port, timeout=5)
            connection.request("GET", "/", headers={"User-Agent": "local-aws-compute-verify"})
            connection.getresponse().read()
            connection.close()
            return tries
        except OSError:
            pass
        if time.monotonic() > deadline:
            _kill_group(deployment.process)
            raise ReleaseFailed(f"the server did not answer on 127.0.0.1:{deployment.port} within {limit_seconds:g} s")
        time.sleep(0.1)


def _kill_group(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _die_with_parent() -> None:
    """In the child: end when the endpoint ends, even when it is killed (Linux PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except OSError:
        pass


def _base_env() -> dict[str, str]:
    """What a build or server inherits from the endpoint: the tools, never AWS settings or credentials."""
    keep = ("PATH", "LANG", "LC_ALL", "TMPDIR", "npm_config_cache", "npm_config_registry", "NPM_CONFIG_CACHE",
            "NPM_CONFIG_REGISTRY", "SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS")
    return {k: v for k, v in os.environ.items() if k in keep}
