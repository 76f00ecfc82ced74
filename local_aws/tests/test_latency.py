"""The latency model (settings.latency_ms, latency.py): each AWS call waits its class's figure before it is served.

The waits are observed through the endpoint's own records, never a clock: the sleep function the endpoint
calls (replaced here by one that records and returns at once) and the delay_ms of each request log entry.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from helpers import AMPLIFY_PRINCIPAL, trust_policy

from local_aws import cli, latency

DOCS = Path(__file__).resolve().parents[2] / "docs" / "local-endpoint.md"

# One call of each class, in the order made.
CALLS = [
    ("amplify-read", "amplify", "ListApps", lambda c: c["amplify"].list_apps()),
    ("amplify-write", "amplify", "CreateApp", lambda c: c["amplify"].create_app(name="delayed")),
    ("iam-read", "iam", "ListRoles", lambda c: c["iam"].list_roles()),
    ("iam-write", "iam", "CreateRole",
     lambda c: c["iam"].create_role(RoleName="delayed", AssumeRolePolicyDocument=trust_policy(AMPLIFY_PRINCIPAL))),
    ("s3-read", "s3", "ListBuckets", lambda c: c["s3"].list_buckets()),
    ("s3-write", "s3", "CreateBucket", lambda c: c["s3"].create_bucket(Bucket="delayed")),
    ("sts", "sts", "GetCallerIdentity", lambda c: c["sts"].get_caller_identity()),
    ("other", "logs", "CreateLogGroup", lambda c: c["logs"].create_log_group(logGroupName="delayed")),
]


@pytest.fixture
def slept(endpoint_app, monkeypatch) -> list[float]:
    """The seconds the endpoint asked to sleep, in order; nothing really waits."""
    waits: list[float] = []
    monkeypatch.setattr(endpoint_app, "sleep", waits.append)
    return waits


@pytest.fixture
def clients(amplify, iam, s3, sts, logs) -> dict:
    return {"amplify": amplify, "iam": iam, "s3": s3, "sts": sts, "logs": logs}


def test_the_endpoint_sleeps_with_the_real_clock_by_default(endpoint_app):
    assert endpoint_app.sleep is time.sleep


def test_the_model_is_off_by_default(control, clients, slept):
    assert control.config()["latency_ms"] == {name: 0.0 for name in latency.CLASSES}
    for _cls, _service, _operation, call in CALLS:
        call(clients)
    assert slept == []
    assert {entry["delay_ms"] for entry in control.requests()["requests"]} == {0.0}


@pytest.mark.parametrize("figures", [latency.AWS_MS, {name: float(n) for n, name in enumerate(latency.CLASSES, 1)}],
                         ids=["aws", "distinct"])
def test_each_call_waits_its_class_figure_before_it_is_served(control, clients, slept, figures):
    control.configure(latency_ms=figures)
    for _cls, _service, _operation, call in CALLS:
        call(clients)
    logged = [(e["service"], e["operation"], e["delay_ms"]) for e in control.requests()["requests"]]
    assert logged == [(service, operation, figures[cls]) for cls, service, operation, _call in CALLS]
    assert slept == [figures[cls] / 1000 for cls, _service, _operation, _call in CALLS]


def test_a_call_a_fault_answers_waits_too(control, iam, slept):
    control.configure(latency_ms={"iam-read": 40},
                      faults=[{"service": "iam", "operation": "ListRoles", "error": "throttle"}])
    with pytest.raises(ClientError):
        iam.list_roles()
    (entry,) = control.requests()["requests"]
    assert (entry["injected"], entry["delay_ms"]) == (True, 40.0)
    assert slept == [0.04]


def test_the_control_api_and_branch_urls_are_not_delayed(control, endpoint, slept):
    import requests

    control.configure(latency_ms=latency.AWS_MS)
    control.config()
    control.requests()
    session = requests.Session()
    session.trust_env = False
    port = endpoint.rsplit(":", 1)[1]
    assert session.get(f"http://127.0.0.1:{port}/", headers={"Host": f"main.dabc123.localhost:{port}"},
                       timeout=10).status_code == 404
    assert slept == []


def test_a_value_replaces_the_whole_model_and_reset_switches_it_off(control):
    control.configure(latency_ms=latency.AWS_MS)
    assert control.configure(latency_ms={"s3-read": 30})["latency_ms"] == {**latency.off(), "s3-read": 30.0}
    control.reset()
    assert control.config()["latency_ms"] == latency.off()


def test_the_cli_sets_shows_and_refuses_the_model(endpoint, control, capsys):
    port = endpoint.rsplit(":", 1)[1]
    try:
        assert cli.main(["latency", "--port", port, "aws"]) == 0
        assert control.config()["latency_ms"] == {**latency.off(), **latency.AWS_MS}
        assert "(on)" in capsys.readouterr().out
        assert cli.main(["latency", "--port", port, "s3-get=10"]) == 2  # not a class: the endpoint refuses it
        assert "refused: " in capsys.readouterr().err
        assert cli.main(["latency", "--port", port, "s3-read"]) == 2  # not CLASS=MS: refused before any call
        assert control.config()["latency_ms"] == {**latency.off(), **latency.AWS_MS}
        assert cli.main(["latency", "--port", port, "off"]) == 0
        assert control.config()["latency_ms"] == latency.off()
        assert cli.main(["latency", "--port", port]) == 0
        assert "(off)" in capsys.readouterr().out
    finally:
        control.reset()


@pytest.mark.parametrize("value", [{"s3-get": 10}, {"s3-read": -1}, {"s3-read": True}, {"s3-read": "100"}, [100], 100])
def test_bad_latency_settings_are_refused_and_change_nothing(control, value):
    control.configure(latency_ms={"iam-write": 5})
    response = control.call("POST", "/config", json={"latency_ms": value})
    assert response.status_code == 400
    assert "latency_ms" in response.json()["error"]
    assert control.config()["latency_ms"] == {**latency.off(), "iam-write": 5.0}


@pytest.mark.parametrize(("service", "kind", "cls"), [
    ("amplify", "read", "amplify-read"), ("amplify", "write", "amplify-write"), ("iam", "write", "iam-write"),
    ("s3", "read", "s3-read"), ("sts", "read", "sts"), ("sts", "write", "sts"), ("logs", "write", "other"),
    ("cloudformation", "read", "other"),
])
def test_request_classes(service, kind, cls):
    assert latency.request_class(service, kind) == cls


def test_the_aws_model_has_a_figure_for_every_class():
    assert sorted(latency.AWS_MS) == sorted(latency.CLASSES)
    assert all(ms > 0 for ms in latency.AWS_MS.values())


def test_the_docs_state_every_figure_of_the_aws_model():
    text = DOCS.read_text(encoding="utf-8")
    for cls, ms in latency.AWS_MS.items():
        row = rf"^\| `{re.escape(cls)}` \| {ms:g} ms \|"
        assert re.search(row, text, re.MULTILINE), f"{cls} {ms:g} ms not in {DOCS.name}"


def test_the_cli_sets_and_shows_the_model(endpoint, control, capsys):
    port = endpoint.rsplit(":", 1)[1]
    assert cli.main(["latency", "--port", port, "aws"]) == 0
    assert control.config()["latency_ms"] == latency.AWS_MS
    assert "(on)" in capsys.readouterr().out
    assert cli.main(["latency", "--port", port, "s3-read=12.5", "iam-write=7"]) == 0
    assert control.config()["latency_ms"] == {**latency.off(), "s3-read": 12.5, "iam-write": 7.0}
    capsys.readouterr()
    assert cli.main(["latency", "--port", port]) == 0
    assert "s3-read 12.5 ms" in capsys.readouterr().out
    assert cli.main(["latency", "--port", port, "s3-read"]) == 2
    assert cli.main(["latency", "--port", port, "s3-get=5"]) == 2
    assert control.config()["latency_ms"] == {**latency.off(), "s3-read": 12.5, "iam-write": 7.0}
    assert cli.main(["latency", "--port", port, "off"]) == 0
    assert control.config()["latency_ms"] == latency.off()
    assert "(off)" in capsys.readouterr().out
