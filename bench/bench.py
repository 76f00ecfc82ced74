"""make bench: API calls and wall time per converge, and how they grow, against the local endpoint.

Writes bench/results/latest.json and bench/results/latest.md. Every number comes from a run in this process:
wall time around the ansible-playbook (or aws CLI) process, API calls from the endpoint's request log.

The "local compute" section (last) maps the demo repository (hack/make_demo_repo.py) so that RELEASE jobs
really build and serve the example app, then measures: a release with the build cache off (warm npm cache),
a re-release of the same commit from the build cache, /api/image latency through the endpoint and straight to
the compute's port, and the compute's memory. `--only compute` runs that section alone and merges it into the
existing latest.json / latest.md (make bench BENCH_ONLY=compute, or make bench-compute).

The "latency" runs repeat the AWS CLI script and site.yml's first and no-op converges (1 and 3 environments)
with the endpoint's latency model on (local_aws/latency.py, AWS_MS: each call waits what it would on AWS; the
figures and their sources are in docs/local-endpoint.md), because call counts weigh more there than process
start-up. `--only latency` runs them alone and merges them into the existing results (make bench
BENCH_ONLY=latency; give --out elsewhere to keep the committed results as they are).

The "site x3, 2 accounts" runs are the first and no-op converges of inventories/local-accounts (dev and staging in
one account, prod in another through a role), against "site x3" (the three in one account): wall time and calls.
`--only accounts` runs them alone and merges them (make bench BENCH_ONLY=accounts).

  python bench/bench.py --port 4580 --aws .tmp/bench/awscli/bin/aws [--out bench/results]
  python bench/bench.py --port 4580 --only compute
  python bench/bench.py --port 4580 --aws .tmp/bench/awscli/bin/aws --only latency --out .tmp/bench/results
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import random
import re
import resource
import subprocess
import sys
import time
import urllib.request
from importlib import metadata
from pathlib import Path

import boto3
from local_aws.control import Control
from local_aws.latency import AWS_MS

ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENTS = ["dev", "staging", "prod"]
CONFIRM = "ssr_teardown_confirm=compute-role-demo"
UPLOAD_TASK = re.compile(r"bucket_upload : Upload each source to its prefix \(only what differs\) -+ ([0-9.]+)s")
RECAP = re.compile(r"^(\S+)\s+:\s+ok=\d+\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)", re.M)
# The local compute section: inventories/local's ssr_repository, mapped to the demo repository.
DEMO_SOURCE = ROOT / "examples" / "nextjs-compute-role-demo"
DEMO_REPO = ROOT / ".tmp" / "repos" / "nextjs-compute-role-demo"
DEMO_REPO_URL = "https://github.com/example/nextjs-compute-role-demo"
COMPUTE_ENVIRONMENT, COMPUTE_BRANCH = "dev", "dev"
LATENCY_REQUESTS = 200
TERMINAL = ("SUCCEED", "FAILED", "CANCELLED")
# `make test` is not run by the bench: its total (seconds) is shown when given here, else "not measured here".
MAKE_TEST_ENV = "BENCH_MAKE_TEST_SECONDS"
MAKE_TEST_FILE = ROOT / ".tmp" / "bench" / "make-test-seconds"
# The prefix of the runs made under the latency model, and the phases of site.yml measured there.
LATENCY = "latency: "
LATENCY_PHASES = ("first", "noop")
# The group of the runs with 3 environments across 2 accounts (inventories/local-accounts).
ACCOUNTS = "site x3, 2 accounts"
# The limit on 3 environments' wall time against 1 (first and no-op converge).
SCALE_LIMIT = 1.3
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


class Bench:
    def __init__(self, port: int, aws: str, work: Path):
        self.endpoint = f"http://127.0.0.1:{port}"
        self.control = Control(self.endpoint)
        self.aws = aws
        self.work = work
        self.env = dict(os.environ, AWS_ENDPOINT_URL=self.endpoint, AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1",
                        AWS_ACCESS_KEY_ID="local-aws-access-key", AWS_SECRET_ACCESS_KEY="local-aws-secret-key",
                        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_DEPRECATION_WARNINGS="0")
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            self.env.pop(name, None)
        session = boto3.session.Session(region_name="us-east-1", aws_access_key_id="local-aws-access-key",
                                        aws_secret_access_key="local-aws-secret-key")
        self.iam = session.client("iam", endpoint_url=self.endpoint)
        self.s3 = session.client("s3", endpoint_url=self.endpoint)
        self.amplify = session.client("amplify", endpoint_url=self.endpoint)
        self.port = port
        self.runs: list[dict] = []
        # The latency model (settings.latency_ms) each reset puts back: {} for none (the endpoint's default).
        self.latency_ms: dict = {}

    def reset(self) -> None:
        """An empty endpoint, with the latency model of the runs under way."""
        self.control.reset()
        if self.latency_ms:
            self.control.configure(latency_ms=self.latency_ms)

    # --- running and measuring ----------------------------------------------------------------------------
    def measure(self, group: str, name: str, command: list[str], extra_env: dict | None = None, keep: bool = True,
                **facts) -> dict:
        mark = self.control.mark()
        # CPU seconds of the command and every process it waited for (ansible-playbook's workers and modules), user
        # and system: unlike wall time, nearly independent of what else the machine runs.
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        completed = subprocess.run(command, cwd=str(ROOT), env=dict(self.env, **(extra_env or {})),
                                   capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        done = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (done.ru_utime - used.ru_utime) + (done.ru_stime - used.ru_stime)
        output = completed.stdout + completed.stderr
        if completed.returncode != 0:
            sys.exit("bench: %s / %s failed (rc %d):\n%s" % (group, name, completed.returncode, output[-4000:]))
        requests = self.control.requests(mark)
        run = {"group": group, "name": name, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "calls": calls_by_service(requests),
               "reads": sum(1 for r in requests if r["kind"] == "read"),
               "writes": sum(1 for r in requests if r["kind"] != "read"),
               "changed": sum(int(changed) for _host, changed, _failed in RECAP.findall(output)), **facts}
        upload = UPLOAD_TASK.findall(output)
        if upload:
            run["upload_task_s"] = round(sum(float(seconds) for seconds in upload), 2)
            run["upload_tasks"] = len(upload)
        if keep:
            self.runs.append(run)
        print("%-9s %-40s %7.2f s  %4d reads %4d writes  changed=%d" % (group, name, wall, run["reads"], run["writes"], run["changed"]),
              flush=True)
        run["output"] = output
        return run

    def playbook(self, group, name, path, *args, profile=False, inventory="inventories/local", keep=True, env=None, **facts):
        extra = {"ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.profile_tasks"} if profile else {}
        return self.measure(group, name, ["ansible-playbook", "-i", inventory, path, *args], {**extra, **(env or {})},
                            keep=keep, **facts)

    def local(self, group, name, path, *args, **facts):
        """A bench playbook on the controller alone."""
        return self.playbook(group, name, path, "-c", "local", "-e", "ansible_python_interpreter=" + sys.executable,
                             *args, profile=True, inventory="localhost,", **facts)

    # --- the scenarios -------------------------------------------------------------------------------------
    def site(self, count: int, repeats: int, prefix: str = "", only: tuple[str, ...] | None = None) -> None:
        """The site.yml cycle `repeats` times from an empty account; each phase is reported by its median run.

        prefix: of the group's name ("latency: " under the latency model); only: these phases alone.
        """
        limit = ",".join(ENVIRONMENTS[:count])
        group = prefix + "site x%d" % count
        phases = [("first", "first converge", ()), ("noop", "no-op converge", ()), ("check", "--check (converged)", ("--check",)),
                  ("teardown", "teardown", ("-e", CONFIRM))]
        phases = [entry for entry in phases if only is None or entry[0] in only]
        measured: dict[str, list[dict]] = {phase: [] for phase, _name, _args in phases}
        for repeat in range(repeats):
            self.reset()
            for phase, name, args in phases:
                path = "playbooks/teardown.yml" if phase == "teardown" else "playbooks/site.yml"
                measured[phase].append(self.playbook(group, name, path, "--limit", limit, *args, envs=count, phase=phase, keep=False))
                if phase == "check" and count == 1 and repeat == 0 and not prefix:
                    self.floors()
        self.keep_medians(measured)

    def keep_medians(self, measured: dict[str, list[dict]]) -> None:
        """Keep each phase's median run (by wall time), with every run's wall time."""
        for phase_runs in measured.values():
            runs = sorted(phase_runs, key=lambda run: run["wall_s"])
            median = dict(runs[len(runs) // 2])
            median["wall_runs_s"] = [run["wall_s"] for run in phase_runs]
            median["name"] += " (median of %d)" % len(runs) if len(runs) > 1 else ""
            self.runs.append(median)

    def accounts(self, repeats: int) -> None:
        """3 environments across 2 accounts (inventories/local-accounts: dev and staging in 123456789012, prod in
        222222222222 through a role its own key makes first, not measured), first and no-op converge, each the
        median of `repeats`; compared with the 3 environments in one account (site x3) in accounts_ratios()."""
        measured: dict[str, list[dict]] = {"first": [], "noop": []}
        for _repeat in range(repeats):
            self.reset()
            self.playbook(ACCOUNTS, "the role in 222222222222", "playbooks/examples/cross_account_role.yml",
                          inventory="inventories/local-accounts", keep=False,
                          env={"AWS_ACCESS_KEY_ID": "local-aws-access-key-222222222222"})
            for phase, name in (("first", "first converge"), ("noop", "no-op converge")):
                measured[phase].append(self.playbook(ACCOUNTS, name, "playbooks/site.yml", inventory="inventories/local-accounts",
                                                     keep=False, envs=3, phase=phase))
        self.keep_medians(measured)

    def floors(self) -> None:
        out = self.work / "floors.json"
        self.local("floors", "module read floors", "bench/playbooks/floors.yml", "-e", "bench_endpoint=" + self.endpoint,
                   "-e", "bench_out=" + str(out))
        self.floor_results = json.loads(out.read_text())

    def branches(self, count: int) -> None:
        self.reset()
        self.iam.create_role(RoleName="bench-compute", AssumeRolePolicyDocument=TRUST)
        args = ("-e", "bench_branch_count=%d" % count, "-e", "bench_role_name=bench-compute")
        self.local("branches", "%d branches: first" % count, "bench/playbooks/branches.yml", *args, branches=count, phase="first")
        self.local("branches", "%d branches: no-op" % count, "bench/playbooks/branches.yml", *args, branches=count, phase="noop")

    def files(self, count: int) -> None:
        self.reset()
        tree = self.work / ("files-%d" % count)
        if not tree.exists():
            generator = random.Random(count)
            for index in range(count):
                path = tree / ("d%02d" % (index % 20)) / ("file-%04d.txt" % index)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(generator.randbytes(1024))
        bucket = "bench-upload-%d" % count
        self.s3.create_bucket(Bucket=bucket)
        args = ("-e", "bench_bucket=" + bucket, "-e", "bench_src=" + str(tree))
        self.local("files", "%d files: first upload" % count, "bench/playbooks/upload.yml", *args, files=count, phase="first")
        self.local("files", "%d files: unchanged" % count, "bench/playbooks/upload.yml", *args, files=count, phase="noop")

    def baseline(self, prefix: str = "") -> None:
        self.reset()
        self.measure(prefix + "baseline", "AWS CLI script, 1 environment", ["bash", "bench/baseline/writeup.sh"],
                     {"AWS": self.aws, "IMAGE": str(ROOT / "playbooks/files/amplify-logo.png")}, envs=1, phase="first")

    def under_latency(self, repeats: int) -> None:
        """The AWS CLI script and site.yml's first and no-op converges (1 and 3 environments), each call
        delayed as on AWS (the endpoint's latency model, local_aws/latency.py AWS_MS)."""
        self.latency_ms = dict(AWS_MS)
        try:
            self.baseline(LATENCY)
            for count in (1, 3):
                self.site(count, repeats, LATENCY, only=LATENCY_PHASES)
        finally:
            self.latency_ms = {}
            self.reset()

    # --- the local compute ------------------------------------------------------------------------------------
    def compute(self, repo: Path, repo_url: str) -> dict:
        """Real releases of the example app on the local Amplify Hosting compute, and the running compute.

        site.yml (--limit dev, the demo's SSR_COMMIT_ID) sets up the app, role, bucket, upload and branch and
        releases it once with the build cache on (so the build is stored, or found stored). Then, by StartJob:
        a release with the build cache off (npm's cache warm), a re-release from the build cache; then
        /api/image through the endpoint and straight to the compute's port; then the compute's RSS.
        """
        started_at = datetime.datetime.now(datetime.timezone.utc)
        head = subprocess.run([sys.executable, str(ROOT / "hack" / "make_demo_repo.py"), str(DEMO_SOURCE), str(repo)],
                              cwd=str(ROOT), check=True, capture_output=True, text=True).stdout.strip()
        self.reset()
        self.control.configure(repositories={repo_url: str(repo.resolve())}, build_cache=True)
        npm_cache = os.environ.get("npm_config_cache") or os.environ.get("NPM_CONFIG_CACHE") or ""
        section: dict = {"date": started_at.strftime("%Y-%m-%d %H:%M UTC"), "versions": compute_versions(),
                         "commit": head, "repository": repo_url, "branch": COMPUTE_BRANCH,
                         "build_cache_dir": os.environ.get("LOCAL_AWS_BUILD_CACHE", "(the endpoint's work dir)"),
                         "npm_cache": {"path": npm_cache or "(npm's default, ~/.npm)", "mb_before": du_mb(npm_cache)},
                         "load_average_start": [round(x, 2) for x in os.getloadavg()]}

        setup = self.playbook("compute", "site.yml --limit %s (setup and first release)" % COMPUTE_ENVIRONMENT,
                              "playbooks/site.yml", "--limit", COMPUTE_ENVIRONMENT, keep=False, env={"SSR_COMMIT_ID": head})
        app_id = next(app["appId"] for app in self.amplify.list_apps()["apps"] if app["name"] == "compute-role-demo")
        jobs = self.amplify.list_jobs(appId=app_id, branchName=COMPUTE_BRANCH)["jobSummaries"]
        setup_job = self.job_timings(app_id, jobs[0]["jobId"]) if jobs else None
        section["setup"] = {"wall_s": setup["wall_s"], "reads": setup["reads"], "writes": setup["writes"],
                            "release": setup_job}

        # npm's cache must be warm for the cache-off release: when it holds nothing, an unmeasured release fills it.
        self.control.configure(build_cache=False)
        if not section["npm_cache"]["mb_before"]:
            section["npm_warm_up"] = self.release(app_id, head, "npm cache warm-up (build cache off)")
        section["release_cache_off"] = self.release(app_id, head, "release, build cache off, npm cache warm")
        self.control.configure(build_cache=True)
        section["release_cache_on"] = self.release(app_id, head, "re-release of the same commit, build cache on")

        compute = next(c for c in self.control.computes() if c["appId"] == app_id and c["branchName"] == COMPUTE_BRANCH)
        host = compute["url"].split("://", 1)[1]
        section["compute"] = {"url": compute["url"], "port": compute["port"], "pid": compute["pid"],
                              "roleArn": compute["roleArn"], "jobId": compute["jobId"]}
        section["memory_idle"] = tree_rss(compute["pid"])
        measured = latency({"endpoint": (self.port, host), "direct": (compute["port"], None)}, "/api/image", LATENCY_REQUESTS)
        section["latency_endpoint"], section["latency_direct"] = measured["endpoint"], measured["direct"]
        section["memory"] = tree_rss(compute["pid"])  # after the requests, both routes'
        section["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        section["make_test"] = make_test_total()
        self.control.reset()  # stops the compute
        return section

    def release(self, app_id: str, commit: str, label: str) -> dict:
        """StartJob (RELEASE) on the compute branch; seconds until GetJob answers SUCCEED, and the job's steps."""
        load = round(os.getloadavg()[0], 2)
        started = time.perf_counter()
        job_id = self.amplify.start_job(appId=app_id, branchName=COMPUTE_BRANCH, jobType="RELEASE", commitId=commit,
                                        commitMessage="bench: " + label)["jobSummary"]["jobId"]
        deadline = time.monotonic() + 1800  # a bound on the poll only (the endpoint's build timeout is 900 s)
        while True:
            status = self.amplify.get_job(appId=app_id, branchName=COMPUTE_BRANCH, jobId=job_id)["job"]["summary"]["status"]
            if status in TERMINAL or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        wall = time.perf_counter() - started
        timings = self.job_timings(app_id, job_id)
        if status != "SUCCEED":
            sys.exit("bench: compute / %s ended %s:\n%s" % (label, status, json.dumps(timings, indent=2)[-4000:]))
        result = {"label": label, "wall_s": round(wall, 2), "load_average_1m": load, **timings}
        print("%-9s %-40s %7.2f s  %s" % ("compute", label, wall, ", ".join(
            "%s %.2f s" % (step["name"], step["seconds"]) for step in timings["steps"])), flush=True)
        return result

    def job_timings(self, app_id: str, job_id: str) -> dict:
        job = self.amplify.get_job(appId=app_id, branchName=COMPUTE_BRANCH, jobId=job_id)["job"]
        summary = job["summary"]
        steps = [{"name": step["stepName"], "status": step["status"],
                  "seconds": round((step["endTime"] - step["startTime"]).total_seconds(), 2)} for step in job["steps"]]
        build_log = fetch_text(next((step.get("logUrl") for step in job["steps"] if step["stepName"] == "BUILD"), None))
        cache = next((line.split("Build cache: ", 1)[1] for line in build_log.splitlines() if "Build cache: " in line), "")
        timings = {"job_id": job_id, "status": summary["status"], "commit": summary.get("commitId"), "steps": steps,
                   "build_cache": "reused" if "reused" in cache else "stored" if "stored" in cache else "not used"}
        if summary.get("endTime"):
            timings["job_s"] = round((summary["endTime"] - summary["startTime"]).total_seconds(), 2)
        if summary["status"] != "SUCCEED":
            timings["reasons"] = [step.get("statusReason") for step in job["steps"] if step.get("statusReason")]
            timings["build_log_tail"] = build_log[-3000:]
        return timings


def fetch_text(url: str | None) -> str:
    """A step log (its logUrl on the endpoint), straight to loopback whatever proxy the environment names."""
    if not url:
        return ""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=30) as response:
        return response.read().decode("utf-8", "replace")


def timed_get(port: int, path: str, host: str | None) -> float:
    """One GET on a new connection to 127.0.0.1:port (with this Host header): milliseconds to the last byte."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Host": host} if host else {})
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 200 or response.getheader("Content-Type") != "image/png":
        sys.exit("bench: GET %s on port %d (Host %s) answered %d %s: %r" % (path, port, host, response.status,
                                                                            response.getheader("Content-Type"), body[:300]))
    return elapsed * 1000


def latency(routes: dict[str, tuple[int, str | None]], path: str, count: int) -> dict:
    """`count` sequential GETs of `path` on each route {name: (port, Host or None)}, after one warm-up request each.

    The routes take turns (one request each, then again), so that a change of the machine's load during the
    run weighs on every route alike and their difference stays the route's own.
    """
    for port, host in routes.values():
        timed_get(port, path, host)  # warm-up
    times: dict[str, list[float]] = {name: [] for name in routes}
    for _ in range(count):
        for name, (port, host) in routes.items():
            times[name].append(timed_get(port, path, host))
    found = {}
    for name, measured in times.items():
        ordered = sorted(measured)
        port, host = routes[name]
        found[name] = {"requests": count, "p50_ms": round(percentile(ordered, 50), 2), "p95_ms": round(percentile(ordered, 95), 2),
                       "mean_ms": round(sum(measured) / count, 2), "min_ms": round(ordered[0], 2), "max_ms": round(ordered[-1], 2),
                       "via": "127.0.0.1:%d%s" % (port, " with Host %s" % host if host else "")}
    return found


def percentile(ordered: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]


def tree_rss(pid: int) -> dict:
    """VmRSS of a process and all its descendants (/proc/<pid>/status; parents from each status' PPid)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = next(line for line in (entry / "status").read_text().splitlines() if line.startswith("PPid:"))
            except (OSError, StopIteration):
                continue
            parents[int(entry.name)] = int(ppid.split()[1])
    tree, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        tree += frontier
    processes = []
    for member in tree:
        try:
            status = dict(line.split(":", 1) for line in Path("/proc/%d/status" % member).read_text().splitlines() if ":" in line)
        except OSError:
            continue
        rss = int(status.get("VmRSS", "0 kB").split()[0])  # kB; absent for a zombie
        try:  # the command line, as the process shows it (Name is cut at 15 characters)
            name = Path("/proc/%d/cmdline" % member).read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except OSError:
            name = ""
        processes.append({"pid": member, "name": name or status["Name"].strip(), "rss_kb": rss})
    return {"rss_mb": round(sum(p["rss_kb"] for p in processes) / 1024, 1), "processes": processes}


def du_mb(path: str) -> float:
    """Size of a directory tree in MB (0 when it does not exist)."""
    if not path or not os.path.isdir(path):
        return 0.0
    total = 0
    for folder, _dirs, names in os.walk(path):
        for name in names:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                pass
    return round(total / 2**20, 1)


def make_test_total() -> dict:
    """`make test`'s total, which the bench does not measure: from BENCH_MAKE_TEST_SECONDS or the file, if given."""
    if os.environ.get(MAKE_TEST_ENV):
        return {"value": os.environ[MAKE_TEST_ENV].strip(), "source": "environment variable " + MAKE_TEST_ENV}
    if MAKE_TEST_FILE.is_file() and MAKE_TEST_FILE.read_text().strip():
        return {"value": MAKE_TEST_FILE.read_text().strip(), "source": str(MAKE_TEST_FILE.relative_to(ROOT))}
    return {"value": None, "source": "not measured here (set %s or write seconds to %s)" % (MAKE_TEST_ENV, MAKE_TEST_FILE.relative_to(ROOT))}


def compute_versions() -> dict:
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    lock = json.loads((DEMO_SOURCE / "package-lock.json").read_text())
    return {"node": node, "next": lock["packages"]["node_modules/next"]["version"], "python": platform.python_version(),
            "cpus": os.cpu_count()}


def calls_by_service(requests: list[dict]) -> dict:
    services: dict[str, dict] = {}
    for request in requests:
        entry = services.setdefault(request["service"], {"reads": 0, "writes": 0, "operations": {}})
        entry["reads" if request["kind"] == "read" else "writes"] += 1
        key = "%s (%s)" % (request["operation"], request["kind"])
        entry["operations"][key] = entry["operations"].get(key, 0) + 1
    return dict(sorted(services.items()))


def fixed_sleeps() -> list[str]:
    """Fixed sleeps in the collection: time.sleep outside the Backoff helper, pause / wait_for tasks."""
    found = []
    for path in sorted(list((ROOT / "plugins").rglob("*.py")) + list((ROOT / "roles").rglob("*.yml"))
                       + list((ROOT / "playbooks").rglob("*.yml"))):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"time\.sleep\(|ansible\.builtin\.(pause|wait_for)\b|^\s*(pause|wait_for):", line):
                found.append("%s:%d: %s" % (path.relative_to(ROOT), number, line.strip()))
    # The one sleep allowed: the Backoff helper's injectable sleep (jittered, doubling, bounded by wait_timeout).
    return [hit for hit in found if "module_utils/amplify.py" not in hit or "self._sleep" not in hit]


def target(name, measured, limit, met, by="") -> dict:
    return {"target": name, "measured": measured, "limit": limit, "met": bool(met), "by": "" if met else by}


def phase_run(runs: list[dict], group: str, phase: str) -> dict:
    return next(r for r in runs if r["group"] == group and r.get("phase") == phase)


def cli_target(runs: list[dict], prefix: str = "") -> dict:
    """The first converge of 1 environment against the AWS CLI script (wall time): not slower."""
    one, cli = phase_run(runs, prefix + "site x1", "first"), phase_run(runs, prefix + "baseline", "first")
    ratio = one["wall_s"] / cli["wall_s"]
    under = " under the latency model" if prefix else ""
    return target("first converge of 1 environment vs the AWS CLI script%s (wall time)" % under,
                  "%.2fx (%.1f s vs %.1f s)" % (ratio, one["wall_s"], cli["wall_s"]), "< 1.0x", ratio < 1.0,
                  "%.1f s (%.0f%%) slower" % (one["wall_s"] - cli["wall_s"], (ratio - 1) * 100))


def cpu_ratios(runs: list[dict]) -> dict:
    """CPU seconds of site.yml: each extra environment's against the whole run of one, and the best 3 vs 1 wall-time
    ratio those allow on this machine's cores (the part of one environment's run that every environment repeats,
    spread over the cores; the rest once)."""
    found, cores = {}, os.cpu_count() or 1
    for phase in ("first", "noop"):
        one, three = phase_run(runs, "site x1", phase), phase_run(runs, "site x3", phase)
        if "cpu_s" not in one or "cpu_s" not in three:
            continue
        each = (three["cpu_s"] - one["cpu_s"]) / 2  # what one more environment costs
        once = max(one["cpu_s"] - each, 0.0)
        found["CPU seconds, site.yml %s converge: 1 environment %.1f, each further one %.1f" % (phase, one["cpu_s"], each)] = (
            "best 3 vs 1 wall time on %d cores if CPU-bound: %.2f" % (cores, (once + 3 * each / min(cores, 3)) / (once + each)))
    return found


def latency_ratios(runs: list[dict]) -> dict:
    """The ratios of the runs under the latency model."""
    def wall(group, phase):
        return phase_run(runs, LATENCY + group, phase)["wall_s"]

    return {
        "under the latency model: site.yml first converge, 1 environment / AWS CLI script": "%.2f" % (
            wall("site x1", "first") / wall("baseline", "first")),
        "under the latency model: site.yml first converge, 3 environments / 1": "%.2f" % (
            wall("site x3", "first") / wall("site x1", "first")),
        "under the latency model: site.yml no-op converge, 3 environments / 1": "%.2f" % (
            wall("site x3", "noop") / wall("site x1", "noop")),
    }


def accounts_ratios(runs: list[dict]) -> dict:
    """3 environments across 2 accounts against 3 in one: wall time and calls, first and no-op converge."""
    found = {}
    for phase in ("first", "noop"):
        two, one = phase_run(runs, ACCOUNTS, phase), phase_run(runs, "site x3", phase)
        found["site.yml %s converge, 3 environments in 2 accounts / in 1 (wall time)" % phase] = "%.2f" % (
            two["wall_s"] / one["wall_s"])
        found["site.yml %s converge, 3 environments in 2 accounts / in 1 (calls)" % phase] = "%d / %d" % (
            two["reads"] + two["writes"], one["reads"] + one["writes"])
    return found


def evaluate(bench: Bench) -> list[dict]:
    def run(group, phase):
        return phase_run(bench.runs, group, phase)

    targets = []
    for count in (1, 3):
        noop = run("site x%d" % count, "noop")
        targets.append(target("no-op converge, %d environment(s): write calls" % count, noop["writes"], "0",
                              noop["writes"] == 0, "%d write(s) too many" % noop["writes"]))
    floors = {"app": {"amplify": 1}, "branch": {"amplify": 1},
              "compute_role (branch)": {"amplify": 1, "iam": 1}, "compute_role (app)": {"amplify": 1, "iam": 1}}
    for result in getattr(bench, "floor_results", []):
        reads: dict[str, int] = {}
        for service, _operation, kind in result["calls"]:
            if kind == "read":
                reads[service] = reads.get(service, 0) + 1
        writes = [call for call in result["calls"] if call[2] != "read"]
        floor = floors[result["module"]]
        total, limit = sum(reads.values()), sum(floor.values())
        targets.append(target("%s module, no-op: reads" % result["module"],
                              ", ".join("%s %d" % item for item in sorted(reads.items())) + ("; %d write(s)" % len(writes) if writes else ""),
                              ", ".join("%s %d" % item for item in sorted(floor.items())),
                              reads == floor and not writes, "%+d read(s)" % (total - limit)))
    one, three = run("site x1", "first"), run("site x3", "first")
    ratio = three["wall_s"] / one["wall_s"]
    targets.append(target("first converge: 3 environments vs 1 (wall time)", "%.2fx (%.1f s vs %.1f s)" % (ratio, three["wall_s"], one["wall_s"]),
                          "<= %gx" % SCALE_LIMIT, ratio <= SCALE_LIMIT, "%.2fx over" % (ratio - SCALE_LIMIT)))
    noop_ratio = run("site x3", "noop")["wall_s"] / run("site x1", "noop")["wall_s"]
    targets.append(target("no-op converge: 3 environments vs 1 (wall time)", "%.2fx" % noop_ratio,
                          "<= %gx" % SCALE_LIMIT, noop_ratio <= SCALE_LIMIT, "%.2fx over" % (noop_ratio - SCALE_LIMIT)))
    if any(r["group"] == LATENCY + "site x3" for r in bench.runs):
        for phase, label in (("first", "first"), ("noop", "no-op")):
            ratio = run(LATENCY + "site x3", phase)["wall_s"] / run(LATENCY + "site x1", phase)["wall_s"]
            targets.append(target("%s converge: 3 environments vs 1 under the latency model (wall time)" % label,
                                  "%.2fx" % ratio, "<= %gx" % SCALE_LIMIT, ratio <= SCALE_LIMIT,
                                  "%.2fx over" % (ratio - SCALE_LIMIT)))
    unchanged = run_named(bench, "files", "1000 files: unchanged")
    puts = unchanged["calls"].get("s3", {}).get("operations", {}).get("PutObject (write)", 0)
    targets.append(target("1000 unchanged files: PUTs", puts, "0", puts == 0, "%d PUT(s)" % puts))
    targets.append(target("1000 unchanged files: upload step", "%.2f s" % unchanged["upload_task_s"], "< 10 s",
                          unchanged["upload_task_s"] < 10, "%.2f s over" % (unchanged["upload_task_s"] - 10)))
    first = run_named(bench, "files", "1000 files: first upload")
    targets.append(target("1000 new files: tasks for the tree (concurrent uploads inside one task)",
                          "%d task(s), %d PUTs in %.2f s" % (first["upload_tasks"], first["calls"]["s3"]["operations"].get("PutObject (write)", 0),
                                                             first["upload_task_s"]),
                          "1 task", first["upload_tasks"] == 1, "%d tasks" % first["upload_tasks"]))
    targets.append(cli_target(bench.runs))
    targets.append(cli_target(bench.runs, LATENCY))
    sleeps = fixed_sleeps()
    targets.append(target("fixed sleeps in plugins/, roles/, playbooks/", len(sleeps), "0", not sleeps, "; ".join(sleeps)))
    return targets


def run_named(bench: Bench, group: str, name: str) -> dict:
    return next(r for r in bench.runs if r["group"] == group and r["name"] == name)


def versions() -> dict:
    found = {"python": platform.python_version()}
    for package in ("ansible-core", "ansible", "boto3", "botocore", "moto"):
        found[package] = metadata.version(package)
    found["cpus"] = os.cpu_count()
    return found


def markdown(result: dict) -> str:
    lines = ["# Benchmark results", ""]
    if "runs" in result:
        lines += markdown_converges(result)
    if "compute" in result:
        lines += ([""] if "runs" in result else []) + markdown_compute(result["compute"])
    return "\n".join(lines) + "\n"


def markdown_converges(result: dict) -> list[str]:
    lines = ["`make bench` on %s; %s. Local endpoint settings: %s." % (
                 result["date"], ", ".join("%s %s" % item for item in result["versions"].items()),
                 ", ".join("%s=%s" % item for item in result["endpoint_settings"].items())),
             "Wall times: the site.yml phases are the median of %d runs (all runs in `wall_runs_s` of latest.json), the others one run, on "
             "the machine that ran `make bench`; API calls come from the endpoint's request log (of the median run)."
             % result["repeats"]]
    if "latency_model" in result:
        model = result["latency_model"]
        figures = ", ".join("%s %g ms" % item for item in model["latency_ms"].items())
        lines.append("Groups named `%s...` ran under the endpoint's latency model (each AWS call held before it is "
                     "served: %s; figures and sources in docs/local-endpoint.md), site.yml phases the median of %d "
                     "run(s); every other group without it." % (LATENCY, figures, model["repeats"]))
    lines += ["", "## Targets", "", "| target | measured | limit | met | missed by |",
              "| --- | --- | --- | --- | --- |"]
    for item in result["targets"]:
        lines.append("| %s | %s | %s | %s | %s |" % (item["target"], item["measured"], item["limit"], "yes" if item["met"] else "**NO**", item["by"]))
    lines += ["", "## Runs", "", "CPU: user and system seconds of the run and every process it waited for (ansible-playbook, "
              "its workers, the modules; the endpoint not included).", "",
              "| group | run | wall (s) | CPU (s) | reads | writes | changed | by service (reads/writes) |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for run in result["runs"]:
        services = ", ".join("%s %d/%d" % (name, entry["reads"], entry["writes"]) for name, entry in run["calls"].items())
        wall = "%.2f" % run["wall_s"]
        if len(run.get("wall_runs_s", [])) > 1:
            wall += " (%.2f-%.2f)" % (min(run["wall_runs_s"]), max(run["wall_runs_s"]))
        cpu = "%.2f" % run["cpu_s"] if "cpu_s" in run else ""
        lines.append("| %s | %s | %s | %s | %d | %d | %d | %s |" % (run["group"], run["name"], wall, cpu, run["reads"],
                                                                    run["writes"], run["changed"], services))
    lines += ["", "## Ratios", ""]
    for name, value in result["ratios"].items():
        lines.append("- %s: %s" % (name, value))
    lines += ["", "## Write calls per operation", ""]
    for run in result["runs"]:
        writes = {op: n for entry in run["calls"].values() for op, n in entry["operations"].items() if op.endswith("(write)")}
        if writes:
            lines.append("- %s / %s: %s" % (run["group"], run["name"], ", ".join("%s x%d" % item for item in sorted(writes.items()))))
    return lines


def markdown_compute(section: dict) -> list[str]:
    def steps(release: dict) -> str:
        return ", ".join("%s %.2f s" % (step["name"], step["seconds"]) for step in release["steps"])

    def release_row(name: str, release: dict) -> list[str]:
        rows = ["| %s | %.2f s | job %s; build cache %s; load average (1 min) at StartJob %.2f |" % (
            name, release["wall_s"], release["job_id"], release["build_cache"], release["load_average_1m"])]
        other = release["wall_s"] - sum(step["seconds"] for step in release["steps"])
        for step in release["steps"]:
            rows.append("| &nbsp;&nbsp;%s step | %.2f s | startTime to endTime of the job's step |" % (step["name"], step["seconds"]))
        rows.append("| &nbsp;&nbsp;outside the steps | %.2f s | StartJob and GetJob round trips, the worker taking the job, "
                    "the switch to the new server, the poll interval (0.1 s) |" % other)
        return rows

    versions = section["versions"]
    setup = section["setup"]
    near, direct = section["latency_endpoint"], section["latency_direct"]
    memory = section["memory"]
    make_test = section["make_test"]
    lines = ["## Local compute", "",
             "`make bench BENCH_ONLY=compute` (also part of `make bench`) on %s; node %s, next %s, python %s, cpus %d; "
             "load average (1/5/15 min) %s at the start, %s at the end. The example app at commit %s of the demo repository "
             "(hack/make_demo_repo.py), mapped for %s, released on branch `%s` by StartJob (RELEASE) on the bench's own endpoint. "
             "Setup: site.yml --limit %s with SSR_COMMIT_ID set to that commit, %.1f s (%d reads, %d writes; its release: "
             "build cache %s). npm's cache: %s (%.0f MB before the releases). Build cache: %s. One run each, on the machine "
             "that ran the bench; no figure here is checked against a limit." % (
                 section["date"], versions["node"], versions["next"], versions["python"], versions["cpus"],
                 "/".join("%.2f" % x for x in section["load_average_start"]), "/".join("%.2f" % x for x in section["load_average_end"]),
                 section["commit"][:12], section["repository"], section["branch"], section["branch"], setup["wall_s"],
                 setup["reads"], setup["writes"], setup["release"]["build_cache"] if setup.get("release") else "-",
                 section["npm_cache"]["path"], section["npm_cache"]["mb_before"], section["build_cache_dir"]),
             "", "| measurement | value | detail |", "| --- | ---: | --- |"]
    if "npm_warm_up" in section:
        lines.append("| (unmeasured) npm cache warm-up release | %.2f s | npm's cache was empty |" % section["npm_warm_up"]["wall_s"])
    lines += release_row("first release, build cache off, npm cache warm: StartJob to SUCCEED", section["release_cache_off"])
    lines += release_row("re-release of the same commit, build cache on: StartJob to SUCCEED", section["release_cache_on"])
    for name, measured in (("through the endpoint (Host %s)" % section["compute"]["url"].split("://", 1)[1], near),
                           ("straight to the compute's port", direct)):
        lines.append("| /api/image %s, %d sequential requests | p50 %.1f ms, p95 %.1f ms | mean %.1f ms, min %.1f ms, max %.1f ms; "
                     "a new connection each, after a warm-up request; taking turns with the other route |" % (
                         name, measured["requests"], measured["p50_ms"], measured["p95_ms"], measured["mean_ms"],
                         measured["min_ms"], measured["max_ms"]))
    lines.append("| the endpoint's (proxy's) share of /api/image | p50 %+.1f ms (%.0f%%), p95 %+.1f ms | through the endpoint minus "
                 "straight to the port |" % (near["p50_ms"] - direct["p50_ms"], (near["p50_ms"] - direct["p50_ms"]) / near["p50_ms"] * 100,
                                            near["p95_ms"] - direct["p95_ms"]))
    lines.append("| RSS of the running compute's process tree after the requests (%d through the endpoint, %d direct) | %.1f MB | "
                 "%s (VmRSS of the pid and its descendants); %.1f MB before the requests |" % (
                     near["requests"], direct["requests"], memory["rss_mb"],
                     ", ".join("pid %d `%s` %.1f MB" % (p["pid"], p["name"], p["rss_kb"] / 1024) for p in memory["processes"]),
                     section["memory_idle"]["rss_mb"]))
    lines.append("| `make test` total | %s | %s |" % (
        "%s s" % make_test["value"] if make_test["value"] else "not measured here",
        make_test["source"] if make_test["value"] else "the bench does not run `make test`; " + make_test["source"].split("(", 1)[-1].rstrip(")")))
    return lines


def merge_latency(result: dict, bench: Bench, args) -> None:
    """Put the runs under the latency model, their ratios and their target into `result` (latest.json's), in
    place of the earlier ones; an empty `result` gets what markdown() needs around them."""
    runs = bench.runs
    for run in runs:
        run.pop("output", None)
    result.setdefault("date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    result.setdefault("versions", versions())
    result.setdefault("repeats", args.repeats)
    if not result.get("endpoint_settings"):
        current = bench.control.configure()
        result["endpoint_settings"] = {key: current[key] for key in ("job_step_seconds", "propagation_delay")}
    result["latency_model"] = {"latency_ms": dict(AWS_MS), "repeats": args.latency_repeats}
    result["runs"] = [run for run in result.get("runs", []) if not run["group"].startswith(LATENCY)] + runs
    result["ratios"] = {**result.get("ratios", {}), **latency_ratios(result["runs"])}
    latest = cli_target(result["runs"], LATENCY)
    targets = [item for item in result.get("targets", []) if item["target"] != latest["target"]]
    result["targets"] = targets + [latest]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--aws", help="the aws command (awscli from PyPI) for the baseline (not needed with --only compute)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--work", default=str(ROOT / ".tmp" / "bench"))
    parser.add_argument("--repeats", type=int, default=3, help="runs of each site.yml phase (the median is reported)")
    parser.add_argument("--latency-repeats", type=int, default=1,
                        help="runs of each site.yml phase under the latency model (the median is reported)")
    parser.add_argument("--only", choices=("compute", "latency", "accounts"),
                        help="run this section alone and merge it into the existing latest.json and latest.md")
    parser.add_argument("--demo-repo", default=str(DEMO_REPO), help="where hack/make_demo_repo.py makes the demo repository")
    parser.add_argument("--demo-repo-url", default=DEMO_REPO_URL, help="the app's repository URL mapped to it")
    args = parser.parse_args()
    if args.only not in ("compute", "accounts") and not args.aws:
        parser.error("--aws is required (except with --only compute or accounts)")
    out = Path(args.out)
    bench = Bench(args.port, args.aws, Path(args.work))
    if args.only == "compute":
        result = json.loads((out / "latest.json").read_text()) if (out / "latest.json").is_file() else {}
        result["compute"] = bench.compute(Path(args.demo_repo), args.demo_repo_url)
        out.mkdir(parents=True, exist_ok=True)
        (out / "latest.json").write_text(json.dumps(result, indent=2) + "\n")
        (out / "latest.md").write_text(markdown(result))
        print("\n".join(markdown_compute(result["compute"])))
        return 0
    if args.only == "accounts":
        result = json.loads((out / "latest.json").read_text())
        bench.accounts(args.repeats)
        for run in bench.runs:
            run.pop("output", None)
        result["runs"] = [run for run in result["runs"] if run["group"] != ACCOUNTS] + bench.runs
        result["ratios"] = {**result.get("ratios", {}), **accounts_ratios(result["runs"])}
        (out / "latest.json").write_text(json.dumps(result, indent=2) + "\n")
        (out / "latest.md").write_text(markdown(result))
        print(markdown(result))
        return 0
    if args.only == "latency":
        result = json.loads((out / "latest.json").read_text()) if (out / "latest.json").is_file() else {}
        bench.under_latency(args.latency_repeats)
        merge_latency(result, bench, args)
        out.mkdir(parents=True, exist_ok=True)
        (out / "latest.json").write_text(json.dumps(result, indent=2) + "\n")
        (out / "latest.md").write_text(markdown(result))
        print(markdown(result))
        return 0
    bench.baseline()
    for count in (1, 3):
        bench.site(count, args.repeats)
    bench.accounts(args.repeats)
    for count in (1, 10, 50):
        bench.branches(count)
    for count in (1, 100, 1000):
        bench.files(count)
    bench.under_latency(args.latency_repeats)
    settings = bench.control.configure()
    compute = bench.compute(Path(args.demo_repo), args.demo_repo_url)  # last: it maps the demo repository, then resets
    one = lambda group, phase: next(r for r in bench.runs if r["group"] == group and r.get("phase") == phase)  # noqa: E731
    ratios = {
        "site.yml first converge, 1 environment / AWS CLI script": "%.2f" % (one("site x1", "first")["wall_s"] / one("baseline", "first")["wall_s"]),
        "API calls, site.yml first converge (1 environment) / AWS CLI script": "%.2f" % (
            (one("site x1", "first")["reads"] + one("site x1", "first")["writes"]) / (one("baseline", "first")["reads"] + one("baseline", "first")["writes"])),
        "write calls, site.yml first converge (1 environment) / AWS CLI script": "%.2f" % (one("site x1", "first")["writes"] / one("baseline", "first")["writes"]),
        "site.yml first converge, 3 environments / 1": "%.2f" % (one("site x3", "first")["wall_s"] / one("site x1", "first")["wall_s"]),
        "site.yml no-op converge, 3 environments / 1": "%.2f" % (one("site x3", "noop")["wall_s"] / one("site x1", "noop")["wall_s"]),
        **cpu_ratios(bench.runs),
        "50 branches / 1 branch, first converge": "%.2f" % (run_named(bench, "branches", "50 branches: first")["wall_s"]
                                                            / run_named(bench, "branches", "1 branches: first")["wall_s"]),
        "1000 files / 1 file, first upload step": "%.2f" % (run_named(bench, "files", "1000 files: first upload")["upload_task_s"]
                                                            / run_named(bench, "files", "1 files: first upload")["upload_task_s"]),
        **latency_ratios(bench.runs),
        **accounts_ratios(bench.runs),
    }
    for run in bench.runs:
        run.pop("output", None)
    result = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "versions": versions(),
              "repeats": args.repeats,
              "endpoint_settings": {key: settings[key] for key in ("job_step_seconds", "propagation_delay") if key in settings},
              "latency_model": {"latency_ms": dict(AWS_MS), "repeats": args.latency_repeats},
              "targets": evaluate(bench), "ratios": ratios, "runs": bench.runs, "compute": compute}
    result["versions"]["awscli"] = subprocess.run([args.aws, "--version"], capture_output=True, text=True, check=False).stdout.split()[0]
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / "latest.md").write_text(markdown(result))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
