"""The unsigned control API under /_local/."""

from __future__ import annotations

import pytest
from helpers import assert_error, error_of, trust_policy


def test_health(control):
    response = control.call("GET", "/health")
    assert (response.status_code, response.json()) == (200, {"ok": True})


def test_config_merges_and_reports(control):
    defaults = control.config()
    assert defaults == {"propagation_delay": 0.0, "propagation_refusals": 0, "job_step_seconds": 0.2, "job_result": "SUCCEED", "apps_per_region": 25, "branches_per_app": 50,
                        "strict_responses": True, "faults": [], "seed": None,
                        # the local Amplify Hosting compute
                        "repositories": {}, "build_cache": True, "build_timeout_seconds": 900.0,
                        "compute_start_seconds": 90.0, "compute_session_seconds": 3600, "compute_port_min": 0,
                        "compute_port_max": 0, "compute_logs": "service_role", "clock_offset_seconds": 0.0,
                        # the latency model: off
                        "latency_ms": {"amplify-read": 0.0, "amplify-write": 0.0, "iam-read": 0.0, "iam-write": 0.0,
                                       "s3-read": 0.0, "s3-write": 0.0, "sts": 0.0, "other": 0.0},
                        # accounts: the Makefile's key and a second account's
                        "access_key_accounts": {"local-aws-access-key": "123456789012",
                                                "local-aws-access-key-222222222222": "222222222222"}}
    merged = control.configure(apps_per_region=3, faults=[{"service": "s3", "error": "503", "count": 1}])
    assert merged["apps_per_region"] == 3 and merged["branches_per_app"] == 50
    assert merged["faults"] == [{"service": "s3", "operation": "*", "error": "503", "rate": 1.0, "count": 1, "phase": "before", "injected": 0}]
    assert control.config() == merged


@pytest.mark.parametrize("body", [
    {"nope": 1},
    {"apps_per_region": 3, "faults": [{"rate": -1}]},
    {"apps_per_region": 3, "faults": [{"colour": "red"}]},
    {"apps_per_region": 3, "faults": "all"},
    {"apps_per_region": "lots"},
    {"apps_per_region": True},
    {"job_step_seconds": -1},
    {"strict_responses": "no"},
    {"apps_per_region": 3, "job_result": "MAYBE"},
    {"job_result": 1},
    {"apps_per_region": 3, "faults": [{"count": -2}]},
    {"repositories": ["https://github.com/o/r"]},
    {"apps_per_region": 3, "repositories": {"https://github.com/o/r": ""}},
    {"build_cache": "yes"},
    {"apps_per_region": 3, "latency_ms": {"s3-read": -5}},
    {"apps_per_region": 3, "access_key_accounts": {"k": "12345"}},
    {"access_key_accounts": {"k": 123456789012}},
    {"access_key_accounts": {"": "123456789012"}},
    {"access_key_accounts": ["k"]},
    [1, 2],
])
def test_bad_config_is_refused_and_changes_nothing(control, body):
    before = control.config()
    response = control.call("POST", "/config", json=body)
    assert response.status_code == 400 and response.json()["error"]
    assert control.config() == before


def test_malformed_json_config_is_refused(control):
    response = control.call("POST", "/config", data=b"{not json")
    assert response.status_code == 400


@pytest.mark.parametrize("method, path", [("GET", "/nothing"), ("PUT", "/requests"), ("GET", "/reset")])
def test_unknown_control_endpoint(control, method, path):
    response = control.call(method, path)
    assert response.status_code == 404
    assert "no control endpoint" in response.json()["error"]


def test_reset_empties_amplify_moto_the_log_and_the_settings(control, amplify, iam, s3, make_app):
    control.configure(apps_per_region=2, job_step_seconds=5)
    make_app()
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust_policy("amplify.amazonaws.com"))
    s3.create_bucket(Bucket="reset-bucket")
    control.reset()
    assert amplify.list_apps()["apps"] == []
    assert_error(error_of(iam.get_role, RoleName="r"), "NoSuchEntity", status=404)
    assert s3.list_buckets()["Buckets"] == []
    assert control.config()["apps_per_region"] == 25
    assert [e["operation"] for e in control.requests()["requests"]] == ["ListApps", "GetRole", "ListBuckets"]
    assert control.state() == {"amplify": [{"account": "123456789012", "region": "us-east-1", "apps": []}]}


def test_calls_summarizes_reads_and_writes_by_service():
    from local_aws.cli import summarize

    log = [
        {"service": "s3", "operation": "ListBuckets", "kind": "read"},
        {"service": "amplify", "operation": "CreateApp", "kind": "write"},
        {"service": "amplify", "operation": "GetApp", "kind": "read"},
        {"service": "amplify", "operation": "CreateBranch", "kind": "write"},
        {"service": "amplify", "operation": "CreateBranch", "kind": "write"},
    ]
    assert summarize(log) == [
        "amplify     1 reads    3 writes  (CreateApp x1, CreateBranch x2)",
        "s3          1 reads    0 writes",
    ]
    assert summarize([]) == ["no API calls"]


def test_the_packaged_control_client(endpoint, amplify, iam):
    from local_aws.control import Control
    from local_aws.settings import Settings

    client = Control(endpoint)
    client.reset()
    mark = client.mark()
    amplify.list_apps()
    amplify.create_app(name="control-client", platform="WEB_COMPUTE")
    assert [(r["operation"], r["kind"]) for r in client.requests(mark)] == [("ListApps", "read"), ("CreateApp", "write")]
    assert client.writes(mark) == [("amplify", "CreateApp")]
    assert client.configure(job_step_seconds=0.5)["job_step_seconds"] == 0.5
    assert client.state()["amplify"][0]["apps"]
    client.clear()
    assert client.requests() == []
    client.reset()
    assert all(not region["apps"] for region in client.state()["amplify"])
    assert client.configure()["job_step_seconds"] == Settings().job_step_seconds != 0.5
