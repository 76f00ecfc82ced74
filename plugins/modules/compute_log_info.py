#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: compute_log_info
version_added: 0.1.0
short_description: Read the SSR compute log of an AWS Amplify Hosting app from CloudWatch Logs
description:
  - Returns the log events of an Amplify Hosting app's server-side rendering compute (what the app's server
    writes to stdout and stderr, for example a Next.js API route's C(console.log) lines), read from the
    CloudWatch Logs group C(/aws/amplify/<app id>) with C(FilterLogEvents), every page until O(max_events)
    events are collected or there are no more.
  - Amplify writes one log stream per server process, named C(<branch name>/<YYYY>/<MM>/<DD>/<32 hex digits>).
    O(branch_name) restricts the events to one branch's streams.
  - Read-only; check mode returns the same as a normal run.
  - A log group that does not exist is not an error (Amplify creates it when the compute first logs); the
    module then returns RV(exists=false) and no events.
author:
  - amplify_hosting.ssr contributors (@amplify-hosting)
options:
  app_id:
    description:
      - The id of the Amplify app (for example V(d1a2b3c4d5e6f7)); the log group is C(/aws/amplify/<app_id>).
      - Checked before any call, against the form botocore's Amplify model gives app ids (V(d) followed by
        lowercase letters and digits, at most 20 characters in all). An app name is not accepted.
    type: str
    required: true
  branch_name:
    description:
      - Only the events of this branch's compute, in the streams named C(<branch_name>/<YYYY>/<MM>/<DD>/<32 hex
        digits>). The branch's name, not its display name (V(feature/login), not V(feature-login)).
      - A branch name may contain V(/), so the prefix C(<branch_name>/) alone is ambiguous (the streams of
        V(feature/login) start with C(feature/) too). The module asks CloudWatch Logs for the streams with that
        prefix (C(logStreamNamePrefix)) and keeps only those whose name is exactly C(<branch_name>/) followed by
        the date and process parts (C(YYYY/MM/DD/<32 hex digits>)). As the last four parts of a stream name
        always have that shape, every stream belongs to exactly one branch.
      - Without it, the events of every stream of the group are returned.
      - Must not contain V(:) or V(*) (CloudWatch Logs refuses them in a stream name prefix).
    type: str
  start_time:
    description:
      - Only events at or after this time. Epoch milliseconds (an integer, or a string of digits), or an ISO
        8601 date and time such as V(2026-12-07T10:15:00Z) or V(2026-12-07T11:15:00.250+01:00); a date and
        time without an offset is taken as UTC, and a date alone as its midnight UTC.
      - A whole number below 100000000000 (before 1973 in milliseconds) is most likely epoch B(seconds); the
        module then warns, and still takes it as milliseconds.
      - Without it, events from the start of the log group's retention.
    type: raw
  filter_pattern:
    description:
      - A CloudWatch Logs filter pattern the events must match, for example V("[api/image]") (a quoted term
        matches those exact characters) or V(?AccessDenied ?NoSuchKey) (either term). See the CloudWatch Logs
        documentation on filter pattern syntax. At most 1024 characters.
      - Without it, every event.
    type: str
  max_events:
    description:
      - The most events to return. The module stops reading pages once it has this many (RV(truncated) then
        says whether more were there).
    type: int
    default: 1000
notes:
  - Needs C(logs:FilterLogEvents) on the log group C(/aws/amplify/<app_id>).
  - CloudWatch Logs delivers events asynchronously; a line the compute has just written may take a moment to
    be returned. Retry the task (C(until), C(retries), C(delay)) when waiting for a line.
  - With O(branch_name), events of other branches whose stream names share the prefix (branches whose names
    start with C(<branch_name>/)) are read and dropped; O(max_events) counts only the events returned.
  - Throttling and 5xx answers are retried by botocore in standard mode (10 tries per call unless
    O(aws_config) says otherwise), as in the collection's other modules.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amplify_hosting.ssr.boto3
"""

EXAMPLES = r"""
- name: The dev branch's compute log of the last ten minutes
  amplify_hosting.ssr.compute_log_info:
    app_id: d1a2b3c4d5e6f7
    branch_name: dev
    start_time: "{{ ((now().timestamp() - 600) * 1000) | int }}"
  register: dev_log

- name: Show the lines
  ansible.builtin.debug:
    msg: "{{ dev_log.events | map(attribute='message') | list }}"

- name: The /api/image route's lines of every branch since a given time
  amplify_hosting.ssr.compute_log_info:
    app_id: d1a2b3c4d5e6f7
    start_time: "2026-12-07T10:00:00Z"
    filter_pattern: '"[api/image]"'
    max_events: 100
  register: route_log

- name: Wait for the route's line of a request (delivery is asynchronous)
  amplify_hosting.ssr.compute_log_info:
    app_id: d1a2b3c4d5e6f7
    branch_name: feature/login
    start_time: "{{ request_started_ms }}"
    filter_pattern: '"[api/image]"'
  register: request_log
  until: request_log.events | length > 0
  retries: 20
  delay: 0.5
"""

RETURN = r"""
log_group_name:
  description: The log group read, C(/aws/amplify/<app_id>).
  returned: always
  type: str
  sample: /aws/amplify/d1a2b3c4d5e6f7
exists:
  description: Whether the log group exists. V(false) when the app's compute has not logged yet (or the app
    does not exist); RV(events) is then empty.
  returned: always
  type: bool
  sample: true
events:
  description:
    - The events, oldest first (by timestamp; events with the same timestamp in the order CloudWatch Logs
      returned them), at most O(max_events).
  returned: always
  type: list
  elements: dict
  contains:
    timestamp:
      description: When the event happened, in epoch milliseconds (the time the compute gave the line).
      type: int
      sample: 1796630400123
    message:
      description: The log line.
      type: str
      sample: "[api/image] s3://compute-role-demo-dev-private/amplify-logo.png: 200, 12345 bytes, image/png, 17 ms"
    log_stream_name:
      description: The stream the event is in (C(<branch name>/<YYYY>/<MM>/<DD>/<32 hex digits>) for Amplify's
        streams).
      type: str
      sample: dev/2026/12/07/0f1e2d3c4b5a69788796a5b4c3d2e1f0
truncated:
  description: Whether the module stopped at O(max_events) while CloudWatch Logs had more pages to read (which
    may or may not hold more matching events).
  returned: always
  type: bool
  sample: false
"""

import re
from datetime import datetime
from datetime import timedelta
from datetime import timezone

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import APP_ID_RE
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import MINIMUM_BOTOCORE
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyErrorHandler
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import client as aws_client

LOG_GROUP_PREFIX = "/aws/amplify/"
# What Amplify appends to the branch name in each stream name: the day and the server process.
STREAM_SUFFIX = r"/[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9a-fA-F]{32}"
# botocore's Amplify model: AppId is d[a-z0-9]+, 1 to 20 characters (APP_ID_RE). Logs: a stream name prefix
# is [^:*]*, at most 512 characters, and a filter pattern at most 1024; FilterLogEvents returns up to 10000 a page.
BRANCH_NAME_MAX = 255
FILTER_PATTERN_MAX = 1024
PAGE_LIMIT_MAX = 10000
# Below this, an epoch value in milliseconds is before 1973: more likely seconds.
LIKELY_SECONDS_BELOW = 100000000000
ISO_8601_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)?)?"
    r" ?([Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)


class LogsErrorHandler(AmplifyErrorHandler):
    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


def log_group_name(app_id):
    return LOG_GROUP_PREFIX + app_id


def parse_start_time(value):
    """Epoch milliseconds (int) of start_time: an int, a string of digits, or ISO 8601. None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise AmplifyError("start_time: %r is neither epoch milliseconds nor an ISO 8601 date and time" % value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        if value < 0:
            raise AmplifyError("start_time: %d is before 1970 (epoch milliseconds must be 0 or more)" % value)
        return value
    text = to_native(value).strip()
    if re.fullmatch(r"[0-9]+", text):
        return int(text)
    found = ISO_8601_RE.fullmatch(text)
    if not found:
        raise AmplifyError(
            "start_time: %r is neither epoch milliseconds nor an ISO 8601 date and time (for example "
            "2026-12-07T10:15:00Z)" % text
        )
    year, month, day, hour, minute, second, fraction, offset = found.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
            int((fraction or "0").ljust(6, "0")[:6]), tzinfo=timezone.utc,
        )
    except ValueError as e:
        raise AmplifyError("start_time: %r is not a valid date and time (%s)" % (text, to_native(e))) from None
    if offset and offset not in ("Z", "z"):
        digits = offset[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        moment = moment - delta if offset[0] == "+" else moment + delta
    epoch_ms = int((moment - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(milliseconds=1))
    if epoch_ms < 0:
        raise AmplifyError("start_time: %r is before 1970" % text)
    return epoch_ms


def check_params(params):
    """Everything checkable without a call, each failure naming its option. Returns the start time in ms."""
    app_id = params["app_id"]
    if not APP_ID_RE.fullmatch(app_id or ""):
        raise AmplifyError(
            "app_id: %r is not an Amplify app id (d followed by lowercase letters and digits, at most 20 characters"
            " in all, for example d1a2b3c4d5e6f7)" % app_id
        )
    branch = params.get("branch_name")
    if branch is not None:
        if not branch.strip():
            raise AmplifyError("branch_name: must not be empty")
        if ":" in branch or "*" in branch:
            raise AmplifyError("branch_name: %r contains ':' or '*', which no log stream name prefix can" % branch)
        if len(branch) > BRANCH_NAME_MAX:
            raise AmplifyError("branch_name: longer than the %d characters of an Amplify branch name" % BRANCH_NAME_MAX)
    pattern = params.get("filter_pattern")
    if pattern is not None and len(pattern) > FILTER_PATTERN_MAX:
        raise AmplifyError("filter_pattern: longer than the %d characters CloudWatch Logs takes" % FILTER_PATTERN_MAX)
    if params["max_events"] < 1:
        raise AmplifyError("max_events: must be 1 or more, not %d" % params["max_events"])
    return parse_start_time(params.get("start_time"))


def branch_stream_matcher(branch_name):
    """A function telling whether a stream name is one of the branch's (all streams when branch_name is None)."""
    if branch_name is None:
        return lambda name: True
    shape = re.compile(re.escape(branch_name) + STREAM_SUFFIX)
    return lambda name: bool(shape.fullmatch(name or ""))


@LogsErrorHandler.list_error_handler("read the compute log (FilterLogEvents)")
def filter_page(client, **params):
    """One page of FilterLogEvents; None when the log group does not exist."""
    return client.filter_log_events(**params)


def read_events(client, group, branch_name=None, start_time=None, filter_pattern=None, max_events=1000):
    """(exists, events, truncated): the group's events, every page until max_events are kept or none is left."""
    request = dict(logGroupName=group)
    if branch_name is not None:
        request["logStreamNamePrefix"] = branch_name + "/"
    if start_time is not None:
        request["startTime"] = start_time
    if filter_pattern:
        request["filterPattern"] = filter_pattern
    is_branch_stream = branch_stream_matcher(branch_name)
    events = []
    seen_tokens = set()
    while True:
        request["limit"] = min(PAGE_LIMIT_MAX, max_events - len(events))
        page = filter_page(client, **request)
        if page is None:
            return False, [], False
        events.extend(
            dict(timestamp=e.get("timestamp"), message=e.get("message"), log_stream_name=e.get("logStreamName"))
            for e in page.get("events") or []
            if is_branch_stream(e.get("logStreamName"))
        )
        token = page.get("nextToken")
        # A token seen before would read the same pages again: stop rather than loop.
        if not token or token in seen_tokens or len(events) >= max_events:
            break
        seen_tokens.add(token)
        request["nextToken"] = token
    events = events[:max_events]
    events.sort(key=lambda e: e["timestamp"] or 0)
    return True, events, bool(token) and len(events) >= max_events


def main():
    argument_spec = dict(
        app_id=dict(type="str", required=True),
        branch_name=dict(type="str"),
        start_time=dict(type="raw"),
        filter_pattern=dict(type="str"),
        max_events=dict(type="int", default=1000),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    module.require_botocore_at_least(MINIMUM_BOTOCORE, reason="by every module of this collection")
    params = module.params

    try:
        start_time = check_params(params)
    except AmplifyError as e:
        module.fail_json(msg=e.message)
    if start_time is not None and 0 < start_time < LIKELY_SECONDS_BELOW:
        module.warn("start_time: %d is taken as epoch milliseconds (before 1973); give seconds times 1000" % start_time)

    group = log_group_name(params["app_id"])
    client = aws_client(module, "logs")
    try:
        exists, events, truncated = read_events(
            client, group, params["branch_name"], start_time, params["filter_pattern"], params["max_events"]
        )
    except AmplifyError as e:
        module.fail_json_aws_error(AmplifyError("Failed to read the log events of %s" % group, exception=e.exception))

    module.exit_json(changed=False, log_group_name=group, exists=exists, events=events, truncated=truncated)


if __name__ == "__main__":
    main()
