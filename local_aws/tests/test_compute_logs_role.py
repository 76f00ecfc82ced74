"""The compute's logs and the app's service role (setting compute_logs).

By default ("always") every compute writes its output to /aws/amplify/<appId>, whatever the app's service role.
With "service_role", as on Amplify Hosting, the output is written only while the app's iamServiceRoleArn names
a role that trusts amplify.amazonaws.com and allows logs:CreateLogGroup, logs:CreateLogStream and
logs:PutLogEvents on the group (judged by the endpoint's IAM policy evaluation); other output is dropped.

No test waits for something not to happen: a line said before the role allows logging is shown absent once a
line said after it (by the same process, on the same stdout, so pumped in order) is present. What a request
makes the server say is written or dropped before the endpoint passes the request's answer on (compute/output.py),
so a role changed right after the answer decides nothing about that line, however late the reader thread runs.
"""

from __future__ import annotations

import json

import pytest
from helpers import wait_until

import test_compute

# The fixtures of the compute tests: a site connected to a local repository, and its HTTP session.
http, repo, site = test_compute.http, test_compute.repo, test_compute.site

LOGS_ACTIONS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]


def logs_policy(resource: str, actions=None) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions or LOGS_ACTIONS, "Resource": resource},
        {"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "*"}]})


def amplify_trust(service: str = "amplify.amazonaws.com") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


@pytest.fixture
def service_role(iam):
    """A role with this trust and, unless None, this logs policy; returns its ARN."""

    def make(name: str, policy: str | None, trust: str | None = None) -> str:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust or amplify_trust())["Role"]["Arn"]
        if policy is not None:
            iam.put_role_policy(RoleName=name, PolicyName=f"{name}-logs", PolicyDocument=policy)
        return arn

    return make


def said(logs, site, word: str) -> list[str]:
    group = f"/aws/amplify/{site.app_id}"
    if group not in [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]]:
        return []
    events = logs.filter_log_events(logGroupName=group, filterPattern=f'"said {word}"')["events"]
    return [e["message"] for e in events]


def say_until_logged(logs, site, word: str) -> None:
    site.get("main", f"/say/{word}")
    wait_until(lambda: said(logs, site, word) or None, timeout=30, interval=0.1, what=f"the line said {word}")


def deploy_log(site, job: dict) -> str:
    return site.http.get(job["steps"][1]["logUrl"], timeout=10).text


def release_main(site, amplify) -> dict:
    amplify.create_branch(appId=site.app_id, branchName="main", environmentVariables={"GREETING": "x"})
    job = site.release()
    assert job["summary"]["status"] == "SUCCEED"
    return job


def test_the_setting_defaults_to_service_role_as_amplify_and_takes_only_its_values(control):
    assert control.configure()["compute_logs"] == "service_role"
    assert control.configure(compute_logs="always")["compute_logs"] == "always"
    refused = control.call("POST", "/config", json={"compute_logs": "never"})
    assert refused.status_code == 400
    assert "compute_logs must be one of always, service_role" in refused.text
    assert control.configure()["compute_logs"] == "always"
    control.reset()
    assert control.configure()["compute_logs"] == "service_role"


def test_by_default_a_compute_without_service_role_writes_no_logs_as_on_amplify(site, amplify):
    job = release_main(site, amplify)
    # (What is said meanwhile is dropped: the next test shows it, ordered after a line that is written.)
    assert "Compute logs: not written, the app has no service role (iamServiceRoleArn)" in deploy_log(site, job)


def test_with_always_a_compute_without_service_role_logs(site, amplify, logs, control):
    control.configure(compute_logs="always")
    job = release_main(site, amplify)
    assert "Compute logs: to /aws/amplify/" in deploy_log(site, job)
    say_until_logged(logs, site, "always")


def test_a_requests_output_is_in_the_log_when_its_answer_arrives(site, amplify, logs, control):
    control.configure(compute_logs="always")
    release_main(site, amplify)
    site.get("main", "/say/before-the-answer")
    # No wait: the endpoint handled the server's output before it passed the answer on.
    assert said(logs, site, "before-the-answer") == ["said before-the-answer"]


def test_with_service_role_mode_the_output_is_dropped_until_the_app_has_a_role_that_allows_it(
        site, amplify, logs, control, service_role):
    control.configure(compute_logs="service_role")
    job = release_main(site, amplify)
    assert "Compute logs: not written, the app has no service role (iamServiceRoleArn)" in deploy_log(site, job)
    site.get("main", "/say/before-the-role")

    arn = service_role("site-logs", logs_policy("arn:aws:logs:us-east-1:123456789012:log-group:/aws/amplify/*"))
    amplify.update_app(appId=site.app_id, iamServiceRoleArn=arn)
    say_until_logged(logs, site, "with-the-role")
    assert said(logs, site, "before-the-role") == []

    # Taken away again: dropped again; given back: written again.
    amplify.update_app(appId=site.app_id, iamServiceRoleArn="")
    site.get("main", "/say/without-the-role")
    amplify.update_app(appId=site.app_id, iamServiceRoleArn=arn)
    say_until_logged(logs, site, "with-the-role-again")
    assert said(logs, site, "without-the-role") == []


@pytest.mark.parametrize("case, reason", [
    ("no such role", "the service role arn:aws:iam::123456789012:role/nowhere does not exist"),
    ("trusts another service", "does not let amplify.amazonaws.com assume it"),
    ("no logs policy", "may not perform logs:CreateLogGroup"),
    ("another prefix", "may not perform logs:CreateLogGroup"),
    ("another region", "may not perform logs:CreateLogGroup"),
    ("no PutLogEvents", "may not perform logs:PutLogEvents"),
    ("explicit deny", "may not perform logs:PutLogEvents"),
])
def test_with_service_role_mode_a_role_that_does_not_allow_the_writes_logs_nothing(
        site, amplify, logs, control, service_role, iam, case, reason):
    control.configure(compute_logs="service_role")
    groups = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/amplify/*"
    ec2_trust = amplify_trust("ec2.amazonaws.com")
    arn = {
        "no such role": lambda: "arn:aws:iam::123456789012:role/nowhere",
        "trusts another service": lambda: service_role("bad-logs", logs_policy(groups), ec2_trust),
        "no logs policy": lambda: service_role("bad-logs", None),
        "another prefix": lambda: service_role("bad-logs", logs_policy(groups.replace("amplify", "lambda"))),
        "another region": lambda: service_role("bad-logs", logs_policy(groups.replace("us-east-1", "eu-west-1"))),
        "no PutLogEvents": lambda: service_role("bad-logs", logs_policy(groups, LOGS_ACTIONS[:2])),
        "explicit deny": lambda: service_role("bad-logs", logs_policy(groups)),
    }[case]()
    if case == "explicit deny":
        iam.put_role_policy(RoleName="bad-logs", PolicyName="deny", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": "logs:PutLogEvents", "Resource": "*"}]}))
    amplify.update_app(appId=site.app_id, iamServiceRoleArn=arn)
    job = release_main(site, amplify)
    assert "Compute logs: not written, " in deploy_log(site, job)
    assert reason in deploy_log(site, job)
    site.get("main", "/say/refused")

    # The same process logs once the role is made right: the refused line was dropped, not delayed.
    good = service_role("good-logs", logs_policy(groups))
    amplify.update_app(appId=site.app_id, iamServiceRoleArn=good)
    say_until_logged(logs, site, "allowed")
    assert said(logs, site, "refused") == []


def test_with_service_role_mode_the_group_is_made_only_with_create_log_group(site, amplify, logs, control,
                                                                             service_role):
    control.configure(compute_logs="service_role")
    groups = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/amplify/*"
    without = service_role("no-create-group", logs_policy(groups, LOGS_ACTIONS[1:]))
    amplify.update_app(appId=site.app_id, iamServiceRoleArn=without)
    job = release_main(site, amplify)
    assert "may not perform logs:CreateLogGroup on arn:aws:logs:us-east-1:123456789012:log-group:/aws/amplify/" \
        in deploy_log(site, job)
    # The group made by someone else (as a user may, ahead of Amplify): the role may write it.
    logs.create_log_group(logGroupName=f"/aws/amplify/{site.app_id}")
    say_until_logged(logs, site, "into-a-group-made-by-the-user")


def test_the_cli_sets_and_shows_the_setting(endpoint, control, capsys):
    from local_aws import cli

    port = endpoint.rsplit(":", 1)[-1]
    assert cli.main(["compute-logs", "--port", port]) == 0
    assert capsys.readouterr().out.strip().endswith(": service_role")
    assert cli.main(["compute-logs", "--port", port, "always"]) == 0
    assert control.config()["compute_logs"] == "always"
    assert cli.main(["compute-logs", "--port", port, "never"]) == 2
    assert "compute_logs must be one of always, service_role" in capsys.readouterr().err
    assert control.config()["compute_logs"] == "always"
