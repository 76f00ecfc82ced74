"""The compute's output in CloudWatch Logs, where Amplify Hosting puts it.

Amplify writes an SSR app's compute logs to the log group `/aws/amplify/<appId>` of the app's account and
region (Amplify Hosting user guide, "Monitoring": Hosting compute logs). Each server instance writes its
own stream; streams are named `<branchName>/<YYYY>/<MM>/<DD>/<instance id>` as on Amplify (the format is
what the console shows, not an API contract), so a reader filters by group, time and text, never by a
stream's exact name.

Events go straight into moto's Logs backend in this process, so `aws logs filter-log-events` against the
endpoint, or amplify_hosting.ssr.compute_log_info, reads them as it would on AWS.
"""

from __future__ import annotations

import datetime
import threading
import time
import uuid


def group_name(app_id: str) -> str:
    return f"/aws/amplify/{app_id}"


def stream_name(branch_name: str, now: datetime.datetime | None = None) -> str:
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return f"{branch_name}/{now:%Y/%m/%d}/{uuid.uuid4().hex}"


class LogStream:
    """One stream of the app's log group; `write` is safe from several threads (stdout and stderr pumps)."""

    def __init__(self, account_id: str, region: str, app_id: str, branch_name: str):
        self.account_id = account_id
        self.region = region
        self.group = group_name(app_id)
        self.stream = stream_name(branch_name)
        self._lock = threading.Lock()
        self._ready = False

    def _backend(self):
        from moto.logs.models import logs_backends  # imported late: moto reads its settings at import

        return logs_backends[self.account_id][self.region]

    def _ensure(self, backend) -> None:
        if self.group not in backend.groups:
            backend.create_log_group(self.group, tags={})
        if self.stream not in backend.groups[self.group].streams:
            backend.create_log_stream(self.group, self.stream)

    def write(self, message: str) -> None:
        message = message.rstrip("\n")
        if not message:
            return
        with self._lock:
            backend = self._backend()
            # The group may have been deleted (a user's cleanup, an endpoint reset): make it again, as Amplify does.
            self._ensure(backend)
            backend.put_log_events(self.group, self.stream, [{"timestamp": int(time.time() * 1000), "message": message}])
