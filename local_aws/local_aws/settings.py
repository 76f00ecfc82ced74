"""Run-time settings of the local endpoint, changeable through the control API (/_local/config)."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field

DEFAULT_PORT = int(os.environ.get("LOCAL_AWS_PORT", "4566"))


@dataclass
class Fault:
    """Answer a share of matching requests with an error instead of serving them.

    service/operation: "*" matches any. error: "throttle", "500", "503" or a specific error code.
    rate: share of matching requests (0..1). count: stop after this many injections (None: no limit).
    """

    service: str = "*"
    operation: str = "*"
    error: str = "throttle"
    rate: float = 1.0
    count: int | None = None
    injected: int = 0

    def matches(self, service: str, operation: str) -> bool:
        return self.service in ("*", service) and self.operation in ("*", operation)


@dataclass
class Settings:
    # A role younger than this many seconds "cannot be assumed" (mimics IAM eventual consistency).
    propagation_delay: float = 0.0
    # How long each job phase (PENDING, PROVISIONING, RUNNING, CANCELLING) lasts.
    job_step_seconds: float = 0.2
    # Amplify Hosting's default quotas.
    apps_per_region: int = 25
    branches_per_app: int = 50
    # Validate every Amplify response against botocore's model; a mismatch is answered as a 500.
    strict_responses: bool = True
    faults: list[Fault] = field(default_factory=list)
    seed: int | None = None

    def update(self, values: dict) -> None:
        known = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(unknown)}")
        for name, value in values.items():
            if name == "faults":
                value = [Fault(**{k: v for k, v in item.items() if k != "injected"}) for item in value]
                for fault in value:
                    if not 0 <= fault.rate <= 1:
                        raise ValueError("fault rate must be between 0 and 1")
            setattr(self, name, value)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)
