"""Run-time settings of the local endpoint, changeable through the control API (/_local/config)."""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field

from . import latency

JOB_RESULTS = ("SUCCEED", "FAILED")
COMPUTE_LOGS = ("always", "service_role")
FAULT_PHASES = ("before", "after")
DEFAULT_PORT = int(os.environ.get("LOCAL_AWS_PORT", "4566"))
# The default access_key_accounts: the Makefile's key in moto's default account, and a second key in a second account
# (the demo's "other account"). Any secret key goes with them: the endpoint does not check signatures.
DEFAULT_ACCESS_KEY_ACCOUNTS = {
    "local-aws-access-key": "123456789012",
    "local-aws-access-key-222222222222": "222222222222",
}
ACCOUNT_ID = re.compile(r"^\d{12}$")


@dataclass
class Fault:
    """Answer a share of matching requests with an error.

    service/operation: "*" matches any. error: "throttle", "500", "503" or a specific error code.
    rate: share of matching requests (0..1). count: stop after this many injections (None: no limit).
    phase: "before" answers the error instead of serving the request (nothing happens, as when AWS throttles);
    "after" serves the request, then answers the error instead of its response (a lost response: the call
    took effect but the client cannot know it).
    """

    service: str = "*"
    operation: str = "*"
    error: str = "throttle"
    rate: float = 1.0
    count: int | None = None
    phase: str = "before"
    injected: int = 0

    def matches(self, service: str, operation: str) -> bool:
        return self.service in ("*", service) and self.operation in ("*", operation)


@dataclass
class Settings:
    # A role younger than this many seconds "cannot be assumed" (mimics IAM eventual consistency; for the demo
    # and the bench).
    propagation_delay: float = 0.0
    # The same, driven by counts for tests (no race with the wall clock): the first N association checks of a
    # role that Amplify has not accepted yet are refused as "cannot be assumed"; a role accepted once stays
    # accepted.
    propagation_refusals: int = 0
    # How long each job phase (PENDING, PROVISIONING, RUNNING, CANCELLING) lasts.
    job_step_seconds: float = 0.2
    # How a job that runs to the end finishes: "SUCCEED" or "FAILED" (to test failing builds).
    job_result: str = "SUCCEED"
    # Amplify Hosting's default quotas.
    apps_per_region: int = 25
    branches_per_app: int = 50
    # Validate every Amplify response against botocore's model; a mismatch is answered as a 500.
    strict_responses: bool = True
    faults: list[Fault] = field(default_factory=list)
    # With a seed, whether a fault hits a request depends only on the seed, the request (service, operation,
    # method, path, query and body) and how many identical requests came before it; not on how the requests
    # of parallel clients interleave. So a run that makes the same calls meets the same faults.
    seed: int | None = None
    # -- the local Amplify Hosting compute (local_aws/compute) -------------------------------------------
    # Git repositories this endpoint can clone, by the app's `repository` URL: {"https://github.com/o/r":
    # "/path/to/a/local/git/repository"}. An app whose repository is listed here gets real RELEASE builds and
    # a running compute; any other app's jobs only move through their statuses on the clock (job_step_seconds).
    repositories: dict = field(default_factory=dict)
    # Reuse the output of an identical earlier build (same commit, build spec and build variables): a rebuild
    # would produce the same tree. Off: every RELEASE builds from scratch.
    build_cache: bool = True
    # A build still running after this many seconds is stopped and its job ends FAILED.
    build_timeout_seconds: float = 900.0
    # How long the compute's server may take to answer its first request before the deployment fails.
    compute_start_seconds: float = 90.0
    # Lifetime of the compute role sessions handed to a running compute (STS AssumeRole's default is 3600).
    compute_session_seconds: int = 3600
    # Loopback ports the computes may listen on; 0 and 0: any free port the system gives.
    compute_port_min: int = 0
    compute_port_max: int = 0
    # When the compute's output goes to CloudWatch Logs: "service_role" (the default), as Amplify Hosting does:
    # only while the app has a service role (iamServiceRoleArn) that trusts amplify.amazonaws.com and may create
    # the log stream and put events in /aws/amplify/<appId> (compute/logs.py; Amplify user guide, "Adding a
    # service role with permissions to access CloudWatch Logs"), other output dropped; or "always" (every
    # compute, whatever its app's service role: for tests of the compute that are not about logs).
    compute_logs: str = "service_role"
    # Added to the endpoint's clock for compute sessions (tests move time forward to expire credentials).
    clock_offset_seconds: float = 0.0
    # The latency model (latency.py): milliseconds each AWS call waits before it is served, by request class
    # ("s3-read", "iam-write", ...). Every class 0 (off) by default. A value given replaces the whole model,
    # classes it leaves out at 0; `local-aws latency aws` sets latency.AWS_MS, the documented figures.
    latency_ms: dict = field(default_factory=latency.off)
    # -- accounts (accounts.py) ---------------------------------------------------------------------------
    # The account each access key id belongs to: {"<access key id>": "<12-digit account id>"}. A key listed here is
    # the IAM user local-aws of its account (GetCallerIdentity: arn:aws:iam::<account>:user/local-aws), unrestricted in
    # that account, as the operator's keys are. Keys not listed keep moto's lookup: keys made by IAM CreateAccessKey or STS AssumeRole
    # belong to their user's or role's account, any other key to moto's default account 123456789012. A value
    # given replaces the whole mapping.
    access_key_accounts: dict = field(default_factory=lambda: dict(DEFAULT_ACCESS_KEY_ACCOUNTS))

    def update(self, values: dict) -> None:
        """Merge `values` in, all or nothing: a bad value leaves every setting as it was."""
        if not isinstance(values, dict):
            raise ValueError("settings must be a JSON object")
        fields = {f.name: f for f in dataclasses.fields(self)}
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(unknown)}")
        staged = {}
        for name, value in values.items():
            if name == "faults":
                if not isinstance(value, list):
                    raise ValueError("faults must be a list")
                staged[name] = [_fault(item) for item in value]
                continue
            allowed = _TYPES[fields[name].type]
            if isinstance(value, bool) != (bool in allowed) or not isinstance(value, allowed):
                raise ValueError(f"{name} must be {fields[name].type}, not {value!r}")
            if name == "latency_ms":
                staged[name] = latency.normalized(value)
                continue
            if name == "access_key_accounts" and not all(isinstance(k, str) and k and isinstance(v, str)
                                                          and ACCOUNT_ID.match(v) for k, v in value.items()):
                raise ValueError("access_key_accounts must map access key ids (non-empty strings) to 12-digit "
                                 "account ids (strings)")
            if name == "repositories" and not all(isinstance(k, str) and isinstance(v, str) and k and v
                                                   for k, v in value.items()):
                raise ValueError("repositories must map repository URLs to local paths (non-empty strings)")
            if name == "job_result" and value not in JOB_RESULTS:
                raise ValueError(f"job_result must be one of {', '.join(JOB_RESULTS)}, not {value!r}")
            if name == "compute_logs" and value not in COMPUTE_LOGS:
                raise ValueError(f"compute_logs must be one of {', '.join(COMPUTE_LOGS)}, not {value!r}")
            if name not in ("seed", "clock_offset_seconds") and isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                raise ValueError(f"{name} must not be negative")
            staged[name] = value
        for name, value in staged.items():
            setattr(self, name, value)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


# The JSON types each setting accepts, by its annotation (bool is refused where a number is meant).
_TYPES = {"str": (str,), "float": (int, float), "int": (int,), "bool": (bool,), "int | None": (int, type(None)),
          "dict": (dict,)}


def _fault(item) -> Fault:
    if not isinstance(item, dict):
        raise ValueError("each fault must be a JSON object")
    fault = Fault(**{k: v for k, v in item.items() if k != "injected"})
    if not isinstance(fault.rate, (int, float)) or not 0 <= fault.rate <= 1:
        raise ValueError("fault rate must be between 0 and 1")
    if fault.count is not None and (not isinstance(fault.count, int) or fault.count < 0):
        raise ValueError("fault count must be a non-negative integer or null")
    for name in ("service", "operation", "error"):
        if not isinstance(getattr(fault, name), str) or not getattr(fault, name):
            raise ValueError(f"fault {name} must be a non-empty string")
    if fault.phase not in FAULT_PHASES:
        raise ValueError(f"fault phase must be one of {', '.join(FAULT_PHASES)}, not {fault.phase!r}")
    return fault
