# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One retry layer (botocore's standard mode), and creates never repeated after an answer that leaves open
whether they were served."""

import boto3
import botocore.config
import botocore.exceptions
import botocore.hooks
import botocore.retries.standard
import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import amplify
from ansible_collections.amplify_hosting.ssr.plugins.module_utils import retry
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.module_utils.fakes import list_apps_paginator


def client_error(code, status, operation="CreateApp", botocore_tries=1):
    metadata = {"HTTPStatusCode": status}
    if botocore_tries > 1:
        metadata.update(RetryAttempts=botocore_tries - 1, MaxAttemptsReached=True)
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": code}, "ResponseMetadata": metadata}, operation)


@pytest.fixture(autouse=True)
def clock(monkeypatch, fake_clock):
    monkeypatch.setattr("time.sleep", fake_clock.sleep)
    return fake_clock


class Flaky:
    """A call that fails with `errors` in turn, then returns `result`."""

    def __init__(self, errors, result="done"):
        self.errors = list(errors)
        self.result = result
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return self.result


# -- one retry layer: botocore's standard mode -------------------------------------------------------------


class ClientModule:
    """Records what module.client() is asked for."""

    def __init__(self):
        self.asked = []

    def client(self, service, **params):
        self.asked.append((service, params))
        return "client"


def test_every_client_retries_in_botocores_standard_mode_with_the_collections_attempts():
    module = ClientModule()
    assert retry.client(module, "s3", max_pool_connections=10) == "client"
    assert module.asked == [("s3", {"config": {
        "max_pool_connections": 10, "retries": {"mode": "standard", "total_max_attempts": retry.DEFAULT_MAX_ATTEMPTS}}})]


def test_a_users_aws_config_retries_win():
    """amazon.aws merges the module's aws_config over the config the module gives (boto3_conn): theirs wins."""
    ours = botocore.config.Config(retries={"mode": "standard", "total_max_attempts": retry.DEFAULT_MAX_ATTEMPTS})
    merged = ours.merge(botocore.config.Config(retries={"mode": "adaptive", "total_max_attempts": 3}))
    assert merged.retries == {"mode": "adaptive", "total_max_attempts": 3}
    assert ours.merge(botocore.config.Config(connect_timeout=5)).retries == ours.retries


# What the outer retry layer (removed) caught on top of botocore: each is retried by botocore's standard mode.
FORMERLY_RETRIED_ON_TOP = [
    ("amplify", "GetApp", 429, "LimitExceededException"),
    ("amplify", "GetApp", 400, "ThrottlingException"),
    ("amplify", "GetApp", 500, "InternalFailureException"),
    ("amplify", "GetApp", 503, "DependentServiceFailureException"),
    ("amplify", "GetApp", 503, "ServiceUnavailableException"),
    ("s3", "PutObject", 503, "SlowDown"),
    ("s3", "PutObject", 400, "RequestTimeout"),
    ("s3", "HeadObject", 500, "500"),
    ("s3", "HeadObject", 502, "502"),
    ("s3", "HeadObject", 503, "503"),
    ("s3", "HeadObject", 504, "504"),
    ("logs", "FilterLogEvents", 400, "ThrottlingException"),
    ("logs", "FilterLogEvents", 503, "ServiceUnavailableException"),
    ("logs", "FilterLogEvents", 400, "LimitExceededException"),
    ("iam", "GetRole", 400, "Throttling"),
    ("kms", "DescribeKey", 400, "ThrottlingException"),
]


@pytest.mark.parametrize("service, operation, status, code", FORMERLY_RETRIED_ON_TOP)
def test_botocore_standard_mode_retries_what_the_outer_layer_did(service, operation, status, code):
    client = boto3.session.Session().client(service, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    context = botocore.retries.standard.RetryContext(
        attempt_number=1,
        operation_model=client.meta.service_model.operation_model(operation),
        parsed_response={"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
        http_response=Http(status),
    )
    assert botocore.retries.standard.StandardRetryConditions(max_attempts=retry.DEFAULT_MAX_ATTEMPTS).is_retryable(context)


@pytest.mark.parametrize("error", [botocore.exceptions.ReadTimeoutError(endpoint_url="u"),
                                   botocore.exceptions.ConnectionClosedError(endpoint_url="u"),
                                   botocore.exceptions.EndpointConnectionError(endpoint_url="u")])
def test_botocore_standard_mode_retries_lost_connections(error):
    client = boto3.session.Session().client("amplify", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    context = botocore.retries.standard.RetryContext(
        attempt_number=1, operation_model=client.meta.service_model.operation_model("GetApp"), caught_exception=error)
    assert botocore.retries.standard.StandardRetryConditions(max_attempts=retry.DEFAULT_MAX_ATTEMPTS).is_retryable(context)


# -- what an answer says about the call ---------------------------------------------------------------------


@pytest.mark.parametrize("error, refusal, served", [
    (client_error("LimitExceededException", 429), True, False),
    (client_error("TooManyRequestsException", 429), True, False),
    (client_error("ThrottlingException", 400), True, False),
    (client_error("SlowDown", 503), True, False),
    (client_error("InternalFailureException", 500), False, True),
    (client_error("DependentServiceFailureException", 503), False, True),
    (client_error("ServiceUnavailable", 503), False, True),
    (client_error("BadRequestException", 400), False, False),
    (botocore.exceptions.ReadTimeoutError(endpoint_url="http://x"), False, True),
    (botocore.exceptions.ConnectionClosedError(endpoint_url="http://x"), False, True),
    (botocore.exceptions.EndpointConnectionError(endpoint_url="http://x"), False, False),
    (botocore.exceptions.ConnectTimeoutError(endpoint_url="http://x"), False, False),
])
def test_refusals_and_answers_that_leave_open_whether_the_call_was_served(error, refusal, served):
    assert retry.is_refusal(error) is refusal
    assert retry.may_have_been_served(error) is served


# -- create_once ---------------------------------------------------------------------------------------------


def test_a_create_whose_answer_was_lost_is_found_not_repeated():
    create = Flaky([client_error("InternalFailureException", 500)], result="second app")
    assert retry.create_once(None, "amplify", "CreateApp", create, lambda: "the app made") == "the app made"
    assert create.calls == 1


def test_a_create_not_found_after_a_5xx_is_tried_again(clock):
    create = Flaky([client_error("InternalFailureException", 500), botocore.exceptions.ReadTimeoutError(endpoint_url="u")])
    looked = []
    assert retry.create_once(None, "amplify", "CreateApp", create, lambda: looked.append(1)) == "done"
    # Each time: CREATE_LOOKS looks, with a Backoff pause before all but the first, then a pause before the create.
    assert create.calls == 3 and len(looked) == 2 * retry.CREATE_LOOKS
    assert len(clock.pauses) == 2 * (retry.CREATE_LOOKS - 1) + 2


def test_a_create_timed_out_and_found_on_a_second_look_is_not_repeated(clock):
    create = Flaky([botocore.exceptions.ReadTimeoutError(endpoint_url="u")], result="second app")
    answers = [None, "the app made"]  # still in flight at the first look, there at the second
    looked = []

    def find():
        looked.append(1)
        return answers.pop(0)

    assert retry.create_once(None, "amplify", "CreateApp", create, find) == "the app made"
    assert create.calls == 1 and len(looked) == 2
    assert len(clock.pauses) == 1 and retry.LOOK_FIRST_DELAY / 2 <= clock.pauses[0] <= retry.LOOK_FIRST_DELAY


def test_an_error_of_find_is_raised_without_another_create(clock):
    create = Flaky([client_error("InternalFailureException", 500)] * 2)

    def find():
        raise amplify.AmplifyError("cannot look")

    with pytest.raises(amplify.AmplifyError, match="cannot look"):
        retry.create_once(None, "amplify", "CreateApp", create, find)
    assert create.calls == 1 and clock.pauses == []


class AppsClient:
    """create_app answers 500 (the app may have been made); list_apps lists `apps`, or fails with `list_error`."""

    def __init__(self, apps, list_error=None):
        self.apps = apps
        self.list_error = list_error
        self.creates = 0

    def create_app(self, **params):
        self.creates += 1
        raise client_error("InternalFailureException", 500)

    def get_paginator(self, operation):
        assert operation == "list_apps"
        return list_apps_paginator(self._list_apps)

    def _list_apps(self):
        if self.list_error is not None:
            raise self.list_error
        return self.apps


def test_create_app_fails_listing_the_ids_when_two_apps_carry_the_name(clock):
    client = AppsClient([
        {"appId": "d2222222222222", "name": "demo"}, {"appId": "d1111111111111", "name": "demo"},
        {"appId": "d3333333333333", "name": "other"},
    ])
    with pytest.raises(amplify.AmplifyError) as raised:
        amplify.create_app(client, name="demo", platform="WEB_COMPUTE")
    message = raised.value.message
    assert "'demo'" in message and "d1111111111111, d2222222222222" in message and "d3333333333333" not in message
    assert client.creates == 1


def test_create_app_uses_the_one_app_with_the_name():
    client = AppsClient([{"appId": "d1111111111111", "name": "demo"}, {"appId": "d3333333333333", "name": "other"}])
    assert amplify.create_app(client, name="demo")["appId"] == "d1111111111111"
    assert client.creates == 1


def test_create_app_fails_when_it_cannot_look_for_the_app(clock):
    client = AppsClient([], list_error=client_error("AccessDeniedException", 403, operation="ListApps"))
    with pytest.raises(amplify.AmplifyError) as raised:
        amplify.create_app(client, name="demo")
    assert "list apps" in raised.value.message
    assert client.creates == 1 and clock.pauses == []


@pytest.mark.parametrize("botocore_tries", [1, 3, 10])
def test_a_refused_create_is_botocores_to_retry_and_raised_when_it_gave_up(clock, botocore_tries):
    create = Flaky([client_error("LimitExceededException", 429, botocore_tries=botocore_tries)])
    with pytest.raises(botocore.exceptions.ClientError):
        retry.create_once(None, "amplify", "CreateApp", create, lambda: pytest.fail("nothing to look for"))
    assert create.calls == 1 and clock.pauses == []


def test_other_errors_are_raised_at_once():
    create = Flaky([client_error("BadRequestException", 400)])
    with pytest.raises(botocore.exceptions.ClientError):
        retry.create_once(None, "amplify", "CreateBranch", create, lambda: pytest.fail("nothing to look for"))
    assert create.calls == 1


def test_without_a_way_to_look_an_answer_that_leaves_it_open_is_raised():
    create = Flaky([client_error("InternalFailureException", 500)])
    with pytest.raises(botocore.exceptions.ClientError):
        retry.create_once(None, "amplify", "StartJob", create)
    assert create.calls == 1


def test_create_once_gives_up_after_its_tries(clock):
    create = Flaky([client_error("InternalFailureException", 500)] * 10)
    with pytest.raises(botocore.exceptions.ClientError):
        retry.create_once(None, "amplify", "CreateApp", create, lambda: None)
    assert create.calls == retry.CREATE_TRIES
    assert all(pause <= retry.CREATE_MAX_DELAY for pause in clock.pauses)


# -- botocore's own retries -----------------------------------------------------------------------------------


class Http:
    def __init__(self, status):
        self.status_code = status
        self.headers = {}


@pytest.mark.parametrize("mode", ["standard", "legacy"])
@pytest.mark.parametrize("status, code, retried", [(500, "InternalFailureException", False), (503, "DependentServiceFailureException", False),
                                                   (429, "LimitExceededException", True)])
def test_botocore_does_not_retry_a_create_after_a_5xx(mode, status, code, retried):
    """The handler runs before botocore's own (more specific event) and its False is the answer botocore takes."""
    client = boto3.session.Session().client(
        "amplify", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b",
        config=botocore.config.Config(retries={"mode": mode, "total_max_attempts": 5}))
    retry.no_blind_retries(client, "amplify", "CreateApp")
    retry.no_blind_retries(client, "amplify", "CreateApp")  # registered once

    def ask(operation):
        model = client.meta.service_model.operation_model(operation)
        responses = client.meta.events.emit(
            "needs-retry.amplify.%s" % operation, response=(Http(status), {"Error": {"Code": code}}), endpoint=None,
            operation=model, attempts=1, caught_exception=None, request_dict={"context": {}})
        answer = botocore.hooks.first_non_none_response(responses)
        return answer not in (None, False)

    assert ask("CreateApp") is retried
    assert ask("GetApp") is True  # other operations keep botocore's retries
