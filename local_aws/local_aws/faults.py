"""Fault injection: which request a fault (settings.faults) answers, drawn at random or reproducibly from a seed.

The faults themselves (what matches, how many, before or after serving) are settings.Fault; the error
bodies are wire.fault_response; the WSGI app (server.py) asks pick() for each AWS call.
"""

from __future__ import annotations

import collections
import hashlib
import json
import random
import threading

from . import service_model
from .settings import Fault, Settings

# Query parameters of a presigned URL that change with every signature: not part of what a request is.
_SIGNATURE_PARAMETERS = ("x-amz-date", "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-amz-expires")


def fingerprint(service: str, operation: str, method: str, raw_uri: str, body: bytes) -> str:
    """What identifies a request across its retries: never its signature, date or headers."""
    path, query = service_model.split_raw_uri(raw_uri)
    stable = sorted((k, v) for k, values in query.items() if k.lower() not in _SIGNATURE_PARAMETERS for v in values)
    digest = hashlib.sha256()
    for part in (service, operation, method, path, json.dumps(stable)):
        digest.update(part.encode("utf-8", "replace") + b"\0")
    digest.update(body)
    return digest.hexdigest()


class FaultInjector:
    """Decides, request by request, which fault of settings.faults (if any) answers it."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._random = random.Random(settings.seed)
        self._lock = threading.Lock()
        # How many requests with the same fingerprint each fault has seen (seeded draws, see _draw).
        self._seen: collections.Counter = collections.Counter()

    def pick(self, service: str, operation: str, request_fingerprint: str) -> Fault | None:
        """The fault (settings.faults, first match wins) that answers this request, or None."""
        with self._lock:
            for index, fault in enumerate(self.settings.faults):
                if not fault.matches(service, operation):
                    continue
                if fault.count is not None and fault.injected >= fault.count:
                    continue
                if self._draw(index, request_fingerprint) < fault.rate:
                    fault.injected += 1
                    return fault
        return None

    def _draw(self, index: int, request_fingerprint: str) -> float:
        """A number in [0, 1) deciding whether fault `index` hits a request.

        Unseeded: random. Seeded: a function of the seed, the fault, the request's fingerprint and how many
        identical requests this fault has seen, so parallel clients interleaving differently meet the same faults.
        """
        if self.settings.seed is None:
            return self._random.random()
        key = (index, request_fingerprint)
        self._seen[key] += 1
        return random.Random(f"{self.settings.seed}/{index}/{request_fingerprint}/{self._seen[key]}").random()

    def reconfigured(self) -> None:
        """The settings changed: count identical requests afresh, and draw from the new seed if there is one."""
        self.forget()
        if self.settings.seed is not None:
            self._random.seed(self.settings.seed)

    def forget(self) -> None:
        """Forget how many identical requests each fault has seen."""
        with self._lock:
            self._seen.clear()
