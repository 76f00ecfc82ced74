"""The compute's output in CloudWatch Logs, where Amplify Hosting puts it.

Amplify writes an SSR app's compute logs to the log group `/aws/amplify/<appId>` of the app's account and
region (Amplify Hosting user guide, "Monitoring": Hosting compute logs). Each server instance writes its
own stream; streams are named `<branchName>/<YYYY>/<MM>/<DD>/<instance id>` as on Amplify (the format is
what the console shows, not an API contract), so a reader filters by group, time and text, never by a
stream's exact name.

Events go straight into moto's Logs backend in this process, so `aws logs filter-log-events` against the
endpoint, or amplify_hosting.ssr.compute_log_info, reads them as it would on AWS.

On Amplify the logs are written only through the app's service role (its iamServiceRoleArn): Amplify assumes
it to call CloudWatch Logs (Amplify Hosting user guide, "Adding a service role with permissions to access
CloudWatch Logs"). With the setting compute_logs "service_role" the stream does the same: before each write
it asks `gate()` (service_role_problem), and drops the output while the app has no such role or the role may
not write the group. With "always" (the default) every compute logs, whatever its app's service role.
"""

from __future__ import annotations

import datetime
import threading
import time
import uuid
from collections.abc import Callable

from .. import iam_bridge
from ..compute_auth import role_policies
from ..iam_policy import AuthzRequest, evaluate


def group_name(app_id: str) -> str:
    return f"/aws/amplify/{app_id}"


def stream_name(branch_name: str, now: datetime.datetime | None = None) -> str:
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return f"{branch_name}/{now:%Y/%m/%d}/{uuid.uuid4().hex}"


class LogStream:
    """One stream of the app's log group; `write` is safe from several threads (stdout and stderr pumps)."""

    def __init__(self, account_id: str, region: str, app_id: str, branch_name: str,
                 gate: Callable[[bool], str] | None = None):
        """`gate(group_exists)`: "" when the output may be written now, else why not (the output is dropped)."""
        self.account_id = account_id
        self.region = region
        self.group = group_name(app_id)
        self.stream = stream_name(branch_name)
        self.gate = gate
        self.dropped = 0
        self._lock = threading.Lock()

    def _backend(self):
        from moto.logs.models import logs_backends  # imported late: moto reads its settings at import

        return logs_backends[self.account_id][self.region]

    def _ensure(self, backend) -> None:
        if self.group not in backend.groups:
            backend.create_log_group(self.group, tags={})
        if self.stream not in backend.groups[self.group].streams:
            backend.create_log_stream(self.group, self.stream)

    def problem(self) -> str:
        """Why the output would be dropped now ("" when it would be written)."""
        return self.gate(self.group in self._backend().groups) if self.gate is not None else ""

    def write(self, message: str) -> None:
        message = message.rstrip("\n")
        if not message:
            return
        with self._lock:
            backend = self._backend()
            if self.gate is not None and self.gate(self.group in backend.groups):
                self.dropped += 1
                return
            # The group may have been deleted (a user's cleanup, an endpoint reset): make it again, as Amplify does.
            self._ensure(backend)
            backend.put_log_events(self.group, self.stream, [{"timestamp": int(time.time() * 1000), "message": message}])


def service_role_problem(account_id: str, region: str, app: dict, group: str, stream: str,
                         group_exists: bool = True) -> str:
    """Why Amplify could not write `stream` of `group` for `app` through the app's service role now ("" when it
    can): no iamServiceRoleArn, a role that does not exist or whose trust policy does not let
    amplify.amazonaws.com assume it for the app, or policies that do not allow logs:CreateLogGroup (when the
    group must be made), logs:CreateLogStream on the group and logs:PutLogEvents on the stream (evaluated as IAM
    would, with the role's policies and permissions boundary)."""
    arn = app.get("iamServiceRoleArn") or ""
    if not arn:
        return "the app has no service role (iamServiceRoleArn)"
    role = iam_bridge.find_role(account_id, arn)
    if role is None:
        return f"the service role {arn} does not exist"
    if not iam_bridge.amplify_may_assume(role, account_id, app["appArn"]):
        return f"the trust policy of the service role {arn} does not let amplify.amazonaws.com assume it"
    partition = arn.split(":")[1]
    group_arn = f"arn:{partition}:logs:{region}:{account_id}:log-group:{group}"
    needed = [("logs:CreateLogStream", group_arn), ("logs:PutLogEvents", f"{group_arn}:log-stream:{stream}")]
    if not group_exists:
        needed.insert(0, ("logs:CreateLogGroup", group_arn))
    identity, boundary = role_policies(role)
    session = f"arn:{partition}:sts::{account_id}:assumed-role/{role.name}/amplify-compute-logs"
    for action, resource in needed:
        decision = evaluate(AuthzRequest(action, [resource], session, account_id, role_arn=arn), identity, boundary)
        if not decision.allowed:
            return f"the service role {arn} may not perform {action} on {resource}: {decision.reason}"
    return ""
