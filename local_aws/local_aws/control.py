"""A client of the endpoint's control API (/_local/), for the CLI, the playbook tests and the benchmarks."""

from __future__ import annotations

import json
import urllib.request


class Control:
    """The control API of one endpoint: request log, settings, state, reset."""

    def __init__(self, url: str, timeout: float = 30.0):
        self.url = url.rstrip("/")
        self.timeout = timeout
        # Straight to the loopback endpoint, whatever proxy the environment names.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _call(self, method: str, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + "/_local" + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with self._opener.open(request, timeout=self.timeout) as response:
            return json.load(response)

    def mark(self) -> int:
        """The sequence number of the last request logged so far: requests(since=mark) are the ones after."""
        return self._call("GET", "/requests?since=999999999")["last"]

    def requests(self, since: int = 0) -> list[dict]:
        return self._call("GET", "/requests?since=%d" % since)["requests"]

    def writes(self, since: int = 0) -> list[tuple[str, str]]:
        return [(r["service"], r["operation"]) for r in self.requests(since) if r["kind"] != "read"]

    def applied_writes(self, since: int = 0) -> list[tuple[str, str]]:
        """The writes that took effect: served by the backend with success, whatever a fault answered instead."""
        return [(r["service"], r["operation"]) for r in self.requests(since)
                if r["kind"] != "read" and r.get("served_status") is not None and r["served_status"] < 400]

    def injected(self, since: int = 0) -> list[dict]:
        """The requests a fault answered (settings.faults)."""
        return [r for r in self.requests(since) if r["injected"]]

    def clear(self) -> None:
        self._call("DELETE", "/requests")

    def reset(self) -> None:
        self._call("POST", "/reset")

    def configure(self, **settings) -> dict:
        return self._call("POST", "/config", settings)

    def state(self) -> dict:
        return self._call("GET", "/state")

    def computes(self) -> list[dict]:
        """The running computes of the local Amplify Hosting compute (branch URL, port, role, log stream)."""
        return self._call("GET", "/compute")["computes"]
