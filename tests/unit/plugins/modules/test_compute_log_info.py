# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""compute_log_info without AWS: input checks (each naming its option), start_time forms, which streams belong
to a branch, and paging FilterLogEvents."""

import botocore.exceptions
import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.modules import compute_log_info as module

HEX = "0123456789abcdef" * 2


def params(**overrides):
    base = dict(app_id="d1a2b3c4d5e6f7", branch_name=None, start_time=None, filter_pattern=None, max_events=1000)
    base.update(overrides)
    return base


@pytest.mark.parametrize(
    "overrides, option",
    [
        (dict(app_id="compute-role-demo"), "app_id: 'compute-role-demo' is not an Amplify app id"),
        (dict(app_id="D1A2"), "app_id: "),
        (dict(app_id="d"), "app_id: "),
        (dict(app_id="d" + "1" * 20), "app_id: "),  # 21 characters: over botocore's max of 20
        (dict(app_id="d1a2\n"), "app_id: "),
        (dict(app_id=""), "app_id: "),
        (dict(branch_name=""), "branch_name: must not be empty"),
        (dict(branch_name="  "), "branch_name: must not be empty"),
        (dict(branch_name="feature:x"), "branch_name: "),
        (dict(branch_name="dev*"), "branch_name: "),
        (dict(branch_name="b" * 256), "branch_name: "),
        (dict(filter_pattern="x" * 1025), "filter_pattern: "),
        (dict(max_events=0), "max_events: must be 1 or more"),
        (dict(start_time="yesterday"), "start_time: 'yesterday' is neither epoch milliseconds nor an ISO 8601"),
        (dict(start_time="2026-13-01T00:00:00Z"), "start_time: '2026-13-01T00:00:00Z' is not a valid date"),
        (dict(start_time=-1), "start_time: -1 is before 1970"),
        (dict(start_time=True), "start_time: True is neither"),
    ],
)
def test_bad_input_names_the_option(overrides, option):
    with pytest.raises(AmplifyError) as e:
        module.check_params(params(**overrides))
    assert e.value.message.startswith(option)


def test_good_input_passes():
    assert module.check_params(params()) is None
    assert module.check_params(params(app_id="d" + "1" * 19, branch_name="feature/login", max_events=1)) is None
    assert module.check_params(params(start_time=0)) == 0


@pytest.mark.parametrize(
    "value, epoch_ms",
    [
        (1796630400123, 1796630400123),
        ("1796630400123", 1796630400123),
        (" 1796630400123 ", 1796630400123),
        (1796630400123.0, 1796630400123),
        ("2026-12-07T10:15:00Z", 1796638500000),
        ("2026-12-07T10:15:00z", 1796638500000),
        ("2026-12-07T10:15:00", 1796638500000),  # no offset: UTC
        ("2026-12-07 10:15:00+00:00", 1796638500000),
        ("2026-12-07T11:15:00+01:00", 1796638500000),
        ("2026-12-07T11:15:00+0100", 1796638500000),
        ("2026-12-07T05:15:00-05", 1796638500000),
        ("2026-12-07T10:15:00.250Z", 1796638500250),
        ("2026-12-07T10:15:00.2509999Z", 1796638500250),  # beyond microseconds: cut, not rounded
        ("2026-12-07T10:15Z", 1796638500000),
        ("2026-12-07", 1796601600000),  # a date alone: its midnight UTC
        (None, None),
    ],
)
def test_start_time_forms(value, epoch_ms):
    assert module.parse_start_time(value) == epoch_ms


def test_branch_streams_are_the_branch_name_then_the_date_and_process():
    main = module.branch_stream_matcher("main")
    assert main("main/2026/12/07/" + HEX)
    assert main("main/2026/12/07/" + HEX.upper())
    assert not main("main/2026/12/07/" + HEX[:-1])
    assert not main("main-2/2026/12/07/" + HEX)
    assert not main("main/extra/2026/12/07/" + HEX)
    # The prefix "feature/" also starts feature/login's streams; only the date shape tells them apart.
    feature = module.branch_stream_matcher("feature")
    login = module.branch_stream_matcher("feature/login")
    assert feature("feature/2026/12/07/" + HEX)
    assert not feature("feature/login/2026/12/07/" + HEX)
    assert login("feature/login/2026/12/07/" + HEX)
    assert not login("feature/2026/12/07/" + HEX)
    # A branch named like a date: each stream still belongs to one branch (its last four parts are the suffix).
    dated = module.branch_stream_matcher("x/2026/12/07")
    assert dated("x/2026/12/07/2026/12/08/" + HEX)
    assert not module.branch_stream_matcher("x")("x/2026/12/07/2026/12/08/" + HEX)
    # Regular expression characters in a branch name are literal.
    assert not module.branch_stream_matcher("a.c")("abc/2026/12/07/" + HEX)
    assert module.branch_stream_matcher("a.c")("a.c/2026/12/07/" + HEX)
    assert module.branch_stream_matcher(None)("anything")


def event(stream, timestamp, message="line"):
    return {"logStreamName": stream, "timestamp": timestamp, "message": message, "eventId": str(timestamp)}


class Logs:
    """filter_log_events answering `pages` in turn (a page: (events, next token)), at most `limit` events a
    page, recording each request."""

    def __init__(self, pages=None, error=None):
        self.pages = list(pages or [])
        self.error = error
        self.requests = []

    def filter_log_events(self, **request):
        self.requests.append(request)
        if self.error:
            raise self.error
        events, token = self.pages.pop(0)
        if len(events) > request["limit"]:  # the rest of the page comes next, as CloudWatch Logs pages
            self.pages.insert(0, (events[request["limit"]:], token))
            events, token = events[: request["limit"]], "rest-%d" % len(self.requests)
        page = {"events": events, "searchedLogStreams": []}
        if token:
            page["nextToken"] = token
        return page


def test_every_page_is_read_and_events_come_oldest_first():
    logs = Logs([([event("dev/2026/12/07/" + HEX, 3)], "t1"), ([], "t2"), ([event("main/2026/12/07/" + HEX, 1)], None)])
    exists, events, truncated = module.read_events(logs, "/aws/amplify/d1", start_time=5, filter_pattern='"[api/image]"')
    assert exists and not truncated
    assert [e["timestamp"] for e in events] == [1, 3]
    assert events[0] == {"timestamp": 1, "message": "line", "log_stream_name": "main/2026/12/07/" + HEX}
    assert [r.get("nextToken") for r in logs.requests] == [None, "t1", "t2"]
    assert all(r["startTime"] == 5 and r["filterPattern"] == '"[api/image]"' for r in logs.requests)
    assert all("logStreamNamePrefix" not in r for r in logs.requests)


def test_max_events_stops_the_paging_and_limits_each_page():
    page = [event("dev/2026/12/07/" + HEX, t) for t in range(3)]
    logs = Logs([(page, "t1"), (page, "t2"), (page, "t3")])
    exists, events, truncated = module.read_events(logs, "/aws/amplify/d1", max_events=5)
    assert exists and truncated and len(events) == 5
    assert [r["limit"] for r in logs.requests] == [5, 2]


def test_a_branch_reads_its_prefix_and_drops_the_streams_of_longer_branch_names():
    logs = Logs([([event("feature/login/2026/12/07/" + HEX, 1), event("feature/2026/12/07/" + HEX, 2)], None)])
    exists, events, truncated = module.read_events(logs, "/aws/amplify/d1", branch_name="feature", max_events=1)
    assert [e["log_stream_name"] for e in events] == ["feature/2026/12/07/" + HEX]
    # feature/login's event filled the first page (limit 1) and was dropped; the second page held feature's.
    assert len(logs.requests) == 2
    assert all(r["logStreamNamePrefix"] == "feature/" for r in logs.requests)
    assert not truncated


def test_a_missing_log_group_is_not_an_error():
    missing = botocore.exceptions.ClientError(
        {"Error": {"Code": "ResourceNotFoundException", "Message": "The specified log group does not exist."}}, "FilterLogEvents"
    )
    assert module.read_events(Logs(error=missing), "/aws/amplify/d1") == (False, [], False)


def test_other_errors_are_raised_saying_what_failed():
    denied = botocore.exceptions.ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "FilterLogEvents")
    with pytest.raises(AmplifyError) as e:
        module.read_events(Logs(error=denied), "/aws/amplify/d1")
    assert "FilterLogEvents" in e.value.message and e.value.exception is denied


def test_a_repeated_token_ends_the_paging():
    logs = Logs([([], "same"), ([], "same"), ([], None)])
    assert module.read_events(logs, "/aws/amplify/d1") == (True, [], False)
    assert len(logs.requests) == 2
