"""make bench: API calls and wall time per converge, and how they grow, against the local endpoint.

Writes bench/results/latest.json and bench/results/latest.md. Every number comes from a run in this process:
wall time around the ansible-playbook (or aws CLI) process, API calls from the endpoint's request log.

  python bench/bench.py --port 4580 --aws .tmp/bench/awscli/bin/aws [--out bench/results]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import re
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import boto3
from local_aws.control import Control

ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENTS = ["dev", "staging", "prod"]
CONFIRM = "ssr_teardown_confirm=compute-role-demo"
UPLOAD_TASK = re.compile(r"bucket_upload : Upload each source to its prefix \(only what differs\) -+ ([0-9.]+)s")
RECAP = re.compile(r"^(\S+)\s+:\s+ok=\d+\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)", re.M)
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
        self.runs: list[dict] = []

    # --- running and measuring ----------------------------------------------------------------------------
    def measure(self, group: str, name: str, command: list[str], extra_env: dict | None = None, keep: bool = True,
                **facts) -> dict:
        mark = self.control.mark()
        started = time.perf_counter()
        completed = subprocess.run(command, cwd=str(ROOT), env=dict(self.env, **(extra_env or {})),
                                   capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        output = completed.stdout + completed.stderr
        if completed.returncode != 0:
            sys.exit("bench: %s / %s failed (rc %d):\n%s" % (group, name, completed.returncode, output[-4000:]))
        requests = self.control.requests(mark)
        run = {"group": group, "name": name, "wall_s": round(wall, 2), "calls": calls_by_service(requests),
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

    def playbook(self, group, name, path, *args, profile=False, inventory="inventories/local", keep=True, **facts):
        extra = {"ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.profile_tasks"} if profile else {}
        return self.measure(group, name, ["ansible-playbook", "-i", inventory, path, *args], extra, keep=keep, **facts)

    def local(self, group, name, path, *args, **facts):
        """A bench playbook on the controller alone."""
        return self.playbook(group, name, path, "-c", "local", "-e", "ansible_python_interpreter=" + sys.executable,
                             *args, profile=True, inventory="localhost,", **facts)

    # --- the scenarios -------------------------------------------------------------------------------------
    def site(self, count: int, repeats: int) -> None:
        """The site.yml cycle `repeats` times from an empty account; each phase is reported by its median run."""
        limit = ",".join(ENVIRONMENTS[:count])
        group = "site x%d" % count
        phases = [("first", "first converge", ()), ("noop", "no-op converge", ()), ("check", "--check (converged)", ("--check",)),
                  ("teardown", "teardown", ("-e", CONFIRM))]
        measured: dict[str, list[dict]] = {phase: [] for phase, _name, _args in phases}
        for repeat in range(repeats):
            self.control.reset()
            for phase, name, args in phases:
                path = "playbooks/teardown.yml" if phase == "teardown" else "playbooks/site.yml"
                measured[phase].append(self.playbook(group, name, path, "--limit", limit, *args, envs=count, phase=phase, keep=False))
                if phase == "check" and count == 1 and repeat == 0:
                    self.floors()
        for phase, _name, _args in phases:
            runs = sorted(measured[phase], key=lambda run: run["wall_s"])
            median = dict(runs[len(runs) // 2])
            median["wall_runs_s"] = [run["wall_s"] for run in measured[phase]]
            median["name"] += " (median of %d)" % len(runs) if len(runs) > 1 else ""
            self.runs.append(median)

    def floors(self) -> None:
        out = self.work / "floors.json"
        self.local("floors", "module read floors", "bench/playbooks/floors.yml", "-e", "bench_endpoint=" + self.endpoint,
                   "-e", "bench_out=" + str(out))
        self.floor_results = json.loads(out.read_text())

    def branches(self, count: int) -> None:
        self.control.reset()
        self.iam.create_role(RoleName="bench-compute", AssumeRolePolicyDocument=TRUST)
        args = ("-e", "bench_branch_count=%d" % count, "-e", "bench_role_name=bench-compute")
        self.local("branches", "%d branches: first" % count, "bench/playbooks/branches.yml", *args, branches=count, phase="first")
        self.local("branches", "%d branches: no-op" % count, "bench/playbooks/branches.yml", *args, branches=count, phase="noop")

    def files(self, count: int) -> None:
        self.control.reset()
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

    def baseline(self) -> None:
        self.control.reset()
        self.measure("baseline", "AWS CLI script, 1 environment", ["bash", "bench/baseline/writeup.sh"],
                     {"AWS": self.aws, "IMAGE": str(ROOT / "playbooks/files/amplify-logo.png")}, envs=1, phase="first")


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


def evaluate(bench: Bench) -> list[dict]:
    def run(group, phase):
        return next(r for r in bench.runs if r["group"] == group and r.get("phase") == phase)

    def target(name, measured, limit, met, by=""):
        return {"target": name, "measured": measured, "limit": limit, "met": bool(met), "by": "" if met else by}

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
                          "<= 1.5x", ratio <= 1.5, "%.2fx over" % (ratio - 1.5)))
    noop_ratio = run("site x3", "noop")["wall_s"] / run("site x1", "noop")["wall_s"]
    targets.append(target("no-op converge: 3 environments vs 1 (wall time)", "%.2fx" % noop_ratio, "<= 1.5x", noop_ratio <= 1.5,
                          "%.2fx over" % (noop_ratio - 1.5)))
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
    cli = run("baseline", "first")
    cli_ratio = one["wall_s"] / cli["wall_s"]
    targets.append(target("first converge of 1 environment vs the AWS CLI script (wall time)",
                          "%.2fx (%.1f s vs %.1f s)" % (cli_ratio, one["wall_s"], cli["wall_s"]), "< 1.0x", cli_ratio < 1.0,
                          "%.1f s (%.0f%%) slower" % (one["wall_s"] - cli["wall_s"], (cli_ratio - 1) * 100)))
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
    lines = ["# Benchmark results", "",
             "`make bench` on %s; %s. Local endpoint settings: %s." % (
                 result["date"], ", ".join("%s %s" % item for item in result["versions"].items()),
                 ", ".join("%s=%s" % item for item in result["endpoint_settings"].items())),
             "Wall times: the site.yml phases are the median of %d runs (all runs in `wall_runs_s` of latest.json), the others one run, on "
             "the machine that ran `make bench`; API calls come from the endpoint's request log (of the median run)." % result["repeats"],
             "", "## Targets", "", "| target | measured | limit | met | missed by |", "| --- | --- | --- | --- | --- |"]
    for item in result["targets"]:
        lines.append("| %s | %s | %s | %s | %s |" % (item["target"], item["measured"], item["limit"], "yes" if item["met"] else "**NO**", item["by"]))
    lines += ["", "## Runs", "", "| group | run | wall (s) | reads | writes | changed | by service (reads/writes) |",
              "| --- | --- | ---: | ---: | ---: | ---: | --- |"]
    for run in result["runs"]:
        services = ", ".join("%s %d/%d" % (name, entry["reads"], entry["writes"]) for name, entry in run["calls"].items())
        wall = "%.2f" % run["wall_s"]
        if len(run.get("wall_runs_s", [])) > 1:
            wall += " (%.2f-%.2f)" % (min(run["wall_runs_s"]), max(run["wall_runs_s"]))
        lines.append("| %s | %s | %s | %d | %d | %d | %s |" % (run["group"], run["name"], wall, run["reads"], run["writes"],
                                                               run["changed"], services))
    lines += ["", "## Ratios", ""]
    for name, value in result["ratios"].items():
        lines.append("- %s: %s" % (name, value))
    lines += ["", "## Write calls per operation", ""]
    for run in result["runs"]:
        writes = {op: n for entry in run["calls"].values() for op, n in entry["operations"].items() if op.endswith("(write)")}
        if writes:
            lines.append("- %s / %s: %s" % (run["group"], run["name"], ", ".join("%s x%d" % item for item in sorted(writes.items()))))
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--aws", required=True, help="the aws command (awscli from PyPI) for the baseline")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--work", default=str(ROOT / ".tmp" / "bench"))
    parser.add_argument("--repeats", type=int, default=3, help="runs of each site.yml phase (the median is reported)")
    args = parser.parse_args()
    bench = Bench(args.port, args.aws, Path(args.work))
    bench.baseline()
    for count in (1, 3):
        bench.site(count, args.repeats)
    for count in (1, 10, 50):
        bench.branches(count)
    for count in (1, 100, 1000):
        bench.files(count)
    settings = bench.control.configure()
    one = lambda group, phase: next(r for r in bench.runs if r["group"] == group and r.get("phase") == phase)  # noqa: E731
    ratios = {
        "site.yml first converge, 1 environment / AWS CLI script": "%.2f" % (one("site x1", "first")["wall_s"] / one("baseline", "first")["wall_s"]),
        "API calls, site.yml first converge (1 environment) / AWS CLI script": "%.2f" % (
            (one("site x1", "first")["reads"] + one("site x1", "first")["writes"]) / (one("baseline", "first")["reads"] + one("baseline", "first")["writes"])),
        "write calls, site.yml first converge (1 environment) / AWS CLI script": "%.2f" % (one("site x1", "first")["writes"] / one("baseline", "first")["writes"]),
        "site.yml first converge, 3 environments / 1": "%.2f" % (one("site x3", "first")["wall_s"] / one("site x1", "first")["wall_s"]),
        "site.yml no-op converge, 3 environments / 1": "%.2f" % (one("site x3", "noop")["wall_s"] / one("site x1", "noop")["wall_s"]),
        "50 branches / 1 branch, first converge": "%.2f" % (run_named(bench, "branches", "50 branches: first")["wall_s"]
                                                            / run_named(bench, "branches", "1 branches: first")["wall_s"]),
        "1000 files / 1 file, first upload step": "%.2f" % (run_named(bench, "files", "1000 files: first upload")["upload_task_s"]
                                                            / run_named(bench, "files", "1 files: first upload")["upload_task_s"]),
    }
    for run in bench.runs:
        run.pop("output", None)
    result = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "versions": versions(),
              "repeats": args.repeats,
              "endpoint_settings": {key: settings[key] for key in ("job_step_seconds", "propagation_delay") if key in settings},
              "targets": evaluate(bench), "ratios": ratios, "runs": bench.runs}
    result["versions"]["awscli"] = subprocess.run([args.aws, "--version"], capture_output=True, text=True, check=False).stdout.split()[0]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / "latest.md").write_text(markdown(result))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
