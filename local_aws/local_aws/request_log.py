"""The request log (/_local/requests): every AWS call the endpoint answered, named and classified."""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass


@dataclass
class LoggedRequest:
    seq: int
    time: float
    service: str
    operation: str
    kind: str
    status: int
    region: str
    injected: bool = False
    # The status the backend answered: `status` unless a fault answered instead; None when the request was not
    # served (a fault in phase "before"). A write took effect when served_status is below 400.
    served_status: int | None = None
    # How long the latency model (latency.py) held the request before serving it, in milliseconds.
    delay_ms: float = 0.0
    # The account of the credentials that signed the request (accounts.py): the account it was served in. None for
    # an unsigned request (an anonymous GET of an object).
    account: str | None = None


class RequestLog:
    def __init__(self):
        self.entries: list[LoggedRequest] = []
        self.lock = threading.Lock()
        self.seq = 0

    def add(self, **fields) -> None:
        with self.lock:
            self.seq += 1
            self.entries.append(LoggedRequest(seq=self.seq, time=time.time(), **fields))

    def since(self, seq: int) -> list[dict]:
        with self.lock:
            return [asdict(e) for e in self.entries if e.seq > seq]

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
