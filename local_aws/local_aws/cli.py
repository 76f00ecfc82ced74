"""local-aws: serve, start in the background, stop, or check the local AWS endpoint.

  local-aws serve  [--host H] [--port P]            run in the foreground
  local-aws start  [--port P] [--state-dir D]      run in the background; waits until it answers
  local-aws stop   [--state-dir D]                 stop the background one
  local-aws status [--port P]                      exit 0 when it answers
  local-aws calls  [--port P] [--clear]            the API calls in the request log, by service: reads,
                                                   writes and their operations; --clear empties the log
  local-aws repository [--port P] [URL PATH]        let the local compute clone the app repository URL from
                                                   the local Git repository PATH (RELEASE jobs of such an app
                                                   build it and serve it); with no URL, list the mappings
  local-aws urls   [--port P]                      each running compute's branch URL, role and log stream
  local-aws compute-logs [--port P] [always | service_role]
                                                   when the compute's output goes to CloudWatch Logs: always
                                                   (the default), or service_role, as Amplify: only while the
                                                   app's service role (iamServiceRoleArn) allows Amplify to
                                                   write /aws/amplify/<appId>; with no argument, shows it
  local-aws faults [--port P] [--seed N] [--propagation-delay S] [--clear] [SPEC ...]
                                                   inject faults: each SPEC (replacing the faults set before)
                                                   is SERVICE:OPERATION:ERROR[:RATE[:COUNT[:PHASE]]], e.g.
                                                   '*:*:throttle:0.3', 's3:*:503:0.05', amplify:CreateApp:500:1:1:after
                                                   (ERROR: throttle, 500, 503 or a code; PHASE: before or
                                                   after, a lost response); --clear removes them; with no
                                                   SPEC and no option, shows them and how often each hit
  local-aws accounts [--port P] [KEY=ACCOUNT | KEY= ...]
                                                   which account each access key id belongs to (a listed key
                                                   is the IAM user local-aws of its account; any other key is
                                                   in moto's default account 123456789012 unless IAM or STS
                                                   made it): KEY=ACCOUNT adds or changes a key, KEY= removes
                                                   it; with no argument, shows the mapping
  local-aws latency [--port P] [aws | off | CLASS=MS ...]
                                                   the latency model: each AWS call waits this long before it
                                                   is served, by class (s3-read, iam-write, ...; see
                                                   local_aws/latency.py); aws: the documented figures; off:
                                                   none (the default); CLASS=MS: these, the other classes 0;
                                                   with no argument, shows the figures in force
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from .settings import DEFAULT_PORT

HOST = "127.0.0.1"


def _pidfile(state_dir: str) -> str:
    return os.path.join(state_dir, "local-aws.pid")


def answers(port: int, timeout: float = 0.5) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/_local/health", timeout=timeout) as response:
            return json.load(response).get("ok") is True
    except OSError:
        return False


def wait_until_up(port: int, timeout: float = 60.0, process: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + timeout
    delay = 0.05
    while time.monotonic() < deadline:
        if answers(port):
            return True
        if process is not None and process.poll() is not None:
            return False
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
    return False


def serve(host: str, port: int) -> None:
    from .server import make_server

    server = make_server(host, port)
    print(f"local-aws listening on http://{host}:{port}", flush=True)

    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.app.shutdown()  # stop every running compute: nothing is left listening


def start(port: int, state_dir: str) -> int:
    if answers(port):
        if os.path.exists(_pidfile(state_dir)):
            print(f"local-aws already answers on {HOST}:{port}")
            return 0
        print(f"an endpoint this checkout did not start answers on {HOST}:{port}; stop it or choose another "
              "LOCAL_AWS_PORT, so that tests never run against foreign state", file=sys.stderr)
        return 1
    os.makedirs(state_dir, exist_ok=True)
    log = open(os.path.join(state_dir, "local-aws.log"), "ab")  # noqa: SIM115 - handed to the child
    # The local compute's clones, build logs and (unless LOCAL_AWS_BUILD_CACHE names a shared one) build cache.
    env = {**os.environ, "LOCAL_AWS_WORK_DIR": os.path.abspath(os.path.join(state_dir, "work"))}
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "local_aws.cli", "serve", "--host", HOST, "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env,
    )
    with open(_pidfile(state_dir), "w", encoding="utf-8") as handle:
        handle.write(str(process.pid))
    if not wait_until_up(port, process=process):
        print(f"local-aws did not come up on {HOST}:{port}; see {state_dir}/local-aws.log", file=sys.stderr)
        return 1
    print(f"local-aws up on http://{HOST}:{port} (pid {process.pid})")
    return 0


def stop(state_dir: str) -> int:
    path = _pidfile(state_dir)
    if not os.path.exists(path):
        print("local-aws is not running (no pid file)")
        return 0
    with open(path, encoding="utf-8") as handle:
        pid = int(handle.read().strip())
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(150):
            os.kill(pid, 0)
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.remove(path)
    print(f"local-aws stopped (pid {pid})")
    return 0


def summarize(requests: list[dict]) -> list[str]:
    """One line per service: how many reads and writes, and the write operations by count."""
    lines = []
    for service in sorted({request["service"] for request in requests}):
        calls = [request for request in requests if request["service"] == service]
        reads = sum(1 for request in calls if request["kind"] == "read")
        writes: dict[str, int] = {}
        for request in calls:
            if request["kind"] != "read":
                writes[request["operation"]] = writes.get(request["operation"], 0) + 1
        detail = ", ".join(f"{operation} x{count}" for operation, count in sorted(writes.items()))
        lines.append(f"{service:<8} {reads:>4} reads {sum(writes.values()):>4} writes{'  (' + detail + ')' if detail else ''}")
    return lines or ["no API calls"]


def calls(port: int, clear: bool) -> int:
    from .control import Control

    control = Control(f"http://{HOST}:{port}", timeout=10)
    if clear:
        control.clear()
        return 0
    print(f"API calls seen by the local endpoint on {HOST}:{port}:")
    for line in summarize(control.requests()):
        print("  " + line)
    return 0


def parse_fault(spec: str) -> dict:
    """A fault from SERVICE:OPERATION:ERROR[:RATE[:COUNT[:PHASE]]] (the endpoint checks the values)."""
    parts = spec.split(":")
    if not 3 <= len(parts) <= 6 or not all(parts[:3]):
        raise ValueError(f"fault {spec!r}: expected SERVICE:OPERATION:ERROR[:RATE[:COUNT[:PHASE]]]")
    fault = {"service": parts[0], "operation": parts[1], "error": parts[2]}
    try:
        if len(parts) > 3:
            fault["rate"] = float(parts[3])
        if len(parts) > 4 and parts[4] != "":
            fault["count"] = int(parts[4])
    except ValueError:
        raise ValueError(f"fault {spec!r}: RATE must be a number (0 to 1) and COUNT an integer") from None
    if len(parts) > 5:
        fault["phase"] = parts[5]
    return fault


def describe_fault(fault: dict) -> str:
    count = "" if fault["count"] is None else f", at most {fault['count']}"
    return (f"{fault['service']}:{fault['operation']} -> {fault['error']} (rate {fault['rate']:g}{count}, "
            f"{fault['phase']} serving): injected {fault['injected']}x")


def faults(port: int, specs: list[str], clear: bool, seed: int | None, propagation_delay: float | None) -> int:
    from .control import Control

    control = Control(f"http://{HOST}:{port}", timeout=10)
    settings: dict = {}
    try:
        if specs or clear:
            settings["faults"] = [parse_fault(spec) for spec in specs]
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if seed is not None:
        settings["seed"] = seed
    if propagation_delay is not None:
        settings["propagation_delay"] = propagation_delay
    try:
        current = control.configure(**settings) if settings else control._call("GET", "/config")
    except urllib.error.HTTPError as exc:
        print(f"refused: {json.load(exc).get('error')}", file=sys.stderr)
        return 2
    print(f"faults on {HOST}:{port} (seed {current['seed']}, propagation delay {current['propagation_delay']:g} s):")
    for fault in current["faults"]:
        print("  " + describe_fault(fault))
    if not current["faults"]:
        print("  none")
    return 0


def parse_latency(specs: list[str]) -> dict:
    """latency_ms from `aws`, `off` or CLASS=MS ... (the endpoint checks the classes and values)."""
    from . import latency as model

    if specs == ["aws"]:
        return dict(model.AWS_MS)
    if specs == ["off"]:
        return model.off()
    figures: dict = {}
    for spec in specs:
        name, _, milliseconds = spec.partition("=")
        try:
            figures[name] = float(milliseconds)
        except ValueError:
            raise ValueError(f"latency {spec!r}: expected aws, off or CLASS=MILLISECONDS") from None
    return figures


def _settings(port: int, change=None):
    """The endpoint's settings after change(current settings) -> the settings to POST (None: only read them), or
    the exit code 2 with the reason printed (a bad argument, or the endpoint's refusal)."""
    from .control import Control

    control = Control(f"http://{HOST}:{port}", timeout=10)
    try:
        current = control._call("GET", "/config")
        return control.configure(**change(current)) if change else current
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    except urllib.error.HTTPError as exc:
        print(f"refused: {json.load(exc).get('error')}", file=sys.stderr)
        return 2


def latency(port: int, specs: list[str]) -> int:
    current = _settings(port, (lambda _current: {"latency_ms": parse_latency(specs)}) if specs else None)
    if current == 2:
        return 2
    figures = current["latency_ms"]
    state = "on" if any(figures.values()) else "off"
    shown = ", ".join(f"{name} {ms:g} ms" for name, ms in figures.items())
    print(f"latency model on {HOST}:{port} ({state}): {shown}")
    return 0


def parse_accounts(specs: list[str], current: dict) -> dict:
    """access_key_accounts after KEY=ACCOUNT (add or change) and KEY= (remove); the endpoint checks the values."""
    mapping = dict(current)
    for spec in specs:
        key, sep, account = spec.partition("=")
        if not sep or not key:
            raise ValueError(f"accounts {spec!r}: expected KEY=ACCOUNT (a 12-digit account id) or KEY= to remove")
        if account:
            mapping[key] = account
        else:
            mapping.pop(key, None)
    return mapping


def accounts(port: int, specs: list[str]) -> int:
    current = _settings(port, (lambda current: {"access_key_accounts": parse_accounts(specs, current["access_key_accounts"])})
                        if specs else None)
    if current == 2:
        return 2
    print(f"access keys and their accounts on {HOST}:{port} (any other key: 123456789012, or the account of the "
          "IAM user or role that made it):")
    for key, account in sorted(current["access_key_accounts"].items()):
        print(f"  {key} -> {account}")
    if not current["access_key_accounts"]:
        print("  none")
    return 0


def repository(port: int, specs: list[str]) -> int:
    from .control import Control

    control = Control(f"http://{HOST}:{port}", timeout=10)
    if specs:
        if len(specs) != 2:
            print("repository takes URL PATH (the app's repository URL and a local Git repository)", file=sys.stderr)
            return 2
        url, path = specs[0], os.path.abspath(specs[1])
        if not os.path.isdir(path):
            print(f"{path} is not a directory", file=sys.stderr)
            return 2
        current = control._call("GET", "/config")["repositories"]
        control.configure(repositories={**current, url: path})
    for url, path in sorted(control._call("GET", "/config")["repositories"].items()):
        print(f"{url} -> {path}")
    return 0


def urls(port: int) -> int:
    from .control import Control

    computes = Control(f"http://{HOST}:{port}", timeout=10).computes()
    for compute in sorted(computes, key=lambda c: (c["appId"], c["branchName"])):
        print(f"{compute['branchName']:<10} {compute['url']}")
        print(f"{'':<10} runs with {compute['roleArn'] or 'no compute role'}; logs {compute['logGroup']} {compute['logStream']}")
    if not computes:
        print("no compute is running (no RELEASE of an app whose repository is mapped has succeeded)")
    return 0


def compute_logs(port: int, specs: list[str]) -> int:
    from .control import Control

    control = Control(f"http://{HOST}:{port}", timeout=10)
    if len(specs) > 1:
        print("compute-logs takes one of always, service_role", file=sys.stderr)
        return 2
    try:
        current = control.configure(compute_logs=specs[0]) if specs else control._call("GET", "/config")
    except urllib.error.HTTPError as exc:
        print(f"refused: {json.load(exc).get('error')}", file=sys.stderr)
        return 2
    print(f"compute logs on {HOST}:{port}: {current['compute_logs']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="local-aws", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("serve", "start", "stop", "status", "calls", "faults", "latency",
                                            "repository", "urls", "compute-logs", "accounts"))
    parser.add_argument("specs", nargs="*", metavar="SPEC", help="faults: SERVICE:OPERATION:ERROR[:RATE[:COUNT[:PHASE]]]")
    parser.add_argument("--clear", action="store_true",
                        help="calls: empty the request log instead of showing it; faults: remove every fault")
    parser.add_argument("--seed", type=int, help="faults: make which requests fail reproducible")
    parser.add_argument("--propagation-delay", type=float, help="faults: seconds before Amplify can assume a new role")
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--state-dir", default=os.environ.get("LOCAL_AWS_STATE_DIR", ".tmp/local-aws"))
    args = parser.parse_intermixed_args(argv)
    if args.command == "serve":
        serve(args.host, args.port)
        return 0
    if args.command == "start":
        return start(args.port, args.state_dir)
    if args.command == "stop":
        return stop(args.state_dir)
    if args.command == "calls":
        return calls(args.port, args.clear)
    if args.command == "repository":
        return repository(args.port, args.specs)
    if args.command == "urls":
        return urls(args.port)
    if args.command == "compute-logs":
        return compute_logs(args.port, args.specs)
    if args.command == "latency":
        return latency(args.port, args.specs)
    if args.command == "accounts":
        return accounts(args.port, args.specs)
    if args.command == "faults":
        return faults(args.port, args.specs, args.clear, args.seed, args.propagation_delay)
    if args.specs:
        parser.error(f"{args.command} takes no SPEC")
    return 0 if answers(args.port) else 1


if __name__ == "__main__":
    sys.exit(main())
