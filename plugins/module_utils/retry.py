# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Retries on top of botocore's own, and creates that must not happen twice.

botocore retries throttling, 5xx answers and lost connections itself (standard mode: the playbooks give every
call ``ssr_aws_max_attempts`` tries through ``aws_config``; botocore's default is 3). The modules wrap their calls
in a second, outer AWSRetry for callers that leave botocore at its default. OuterRetry is that wrapper: it leaves
alone an error botocore has already tried BOTOCORE_TRIES_ENOUGH times or more, so that the two layers never
multiply (10 outer tries of 10 botocore tries would be 100 calls, and most of an hour of backoff, for one call).

Some creates must not be repeated blindly: Amplify would make a second app with the same name (CreateApp), start
a second job (StartJob), or refuse a branch that already exists (CreateBranch). A retry is safe after a refusal
(throttling: nothing was done), not after an answer that leaves open whether the call was served (a 5xx, a
connection lost while waiting for the answer). create_once() stops botocore from retrying those, and looks for
what the call would have made before trying again.
"""


try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
    from botocore.exceptions import ConnectionError as BotocoreConnectionError
    from botocore.exceptions import ConnectTimeoutError
    from botocore.exceptions import EndpointConnectionError
    from botocore.exceptions import HTTPClientError
except ImportError:
    pass  # the modules report a missing botocore (AnsibleAWSModule)

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# An error botocore has tried this many times is not retried again by OuterRetry (nor by create_once).
BOTOCORE_TRIES_ENOUGH = 5
# Answers that say the request was refused before it was served (throttling): retrying repeats nothing.
REFUSAL_CODES = (
    "LimitExceededException",
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
)
# How often create_once() tries, and its Backoff: a random half to all of FIRST * 2**n seconds, at most CAP.
CREATE_TRIES = 6
CREATE_FIRST_DELAY = 1.0
CREATE_MAX_DELAY = 15.0
# After an answer that leaves open whether a create was served, find() looks this many times in all before the
# create is tried again: at once, then after Backoff pauses (LOOK_FIRST_DELAY doubling up to LOOK_MAX_DELAY, at
# most LOOK_TIMEOUT seconds in all), since a request whose answer was lost may still be in flight.
CREATE_LOOKS = 3
LOOK_FIRST_DELAY = 2.0
LOOK_MAX_DELAY = 8.0
LOOK_TIMEOUT = 30.0


def botocore_tries(error):
    """How many times botocore sent the call that ended in `error` (1 when it did not retry)."""
    response = getattr(error, "response", None) or {}
    return 1 + ((response.get("ResponseMetadata") or {}).get("RetryAttempts") or 0)


class OuterRetry(AWSRetry):
    """AWSRetry for the codes it is given, for errors botocore tried fewer than BOTOCORE_TRIES_ENOUGH times."""

    @staticmethod
    def status_code_from_exception(error):
        if botocore_tries(error) >= BOTOCORE_TRIES_ENOUGH:
            return None  # botocore has retried it enough: no outer retry
        return AWSRetry.status_code_from_exception(error)


def is_refusal(error):
    """True for a throttling answer: the request was not served, so trying again cannot do anything twice."""
    if not isinstance(error, ClientError):
        return False
    status = (error.response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    return error.response.get("Error", {}).get("Code") in REFUSAL_CODES or status == 429


def may_have_been_served(error):
    """True when a failed call may still have done its work: a 5xx answer, or a connection lost after sending."""
    if isinstance(error, ClientError):
        status = (error.response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0
        return status >= 500 and not is_refusal(error)
    if isinstance(error, (EndpointConnectionError, ConnectTimeoutError)):
        return False  # never connected: nothing was sent
    return isinstance(error, (BotocoreConnectionError, HTTPClientError))


def _response_may_have_been_served(response, caught_exception):
    if caught_exception is not None:
        return may_have_been_served(caught_exception)
    if response is None:
        return False
    http, parsed = response
    error = ClientError(dict(parsed or {}, ResponseMetadata={"HTTPStatusCode": http.status_code}), "call")
    return may_have_been_served(error)


def no_blind_retries(client, service, operation):
    """Stop botocore from retrying `operation` after an answer that leaves open whether it was served.

    botocore asks the handlers of needs-retry.<service>.<operation> before its own (registered for the whole
    service) and takes the first answer that is not None: False means "do not retry". Throttling is left to it.
    """
    events = getattr(getattr(client, "meta", None), "events", None)
    if events is None:
        return

    def veto(response=None, caught_exception=None, **kwargs):
        return False if _response_may_have_been_served(response, caught_exception) else None

    events.register(
        "needs-retry.%s.%s" % (service, operation), veto, unique_id="amplify_hosting.ssr.no-blind-retries.%s" % operation
    )


def _backoff(timeout, first, cap):
    # Backoff lives in amplify.py, which imports this module: imported when first needed.
    from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import Backoff

    return Backoff(timeout, first, cap)


def _look(find):
    """find(), up to CREATE_LOOKS times with a Backoff pause before each look after the first; None when it
    never found anything. An error of find() (it could not look, or found more than one) is raised."""
    backoff = None
    for look in range(CREATE_LOOKS):
        if look:
            backoff = backoff or _backoff(LOOK_TIMEOUT, LOOK_FIRST_DELAY, LOOK_MAX_DELAY)
            if not backoff.pause():
                break
        found = find()
        if found is not None:
            return found
    return None


def create_once(client, service, operation, create, find=None):
    """create(), never twice for what can be seen; returns what create() or find() returns.

    After a refusal (throttling) botocore has not retried enough, create() is tried again. After an answer that
    leaves open whether the call was served (a 5xx, a connection lost or timed out while waiting for the answer),
    find() looks for what create() would have made: at once, then again after short Backoff pauses, up to
    CREATE_LOOKS looks, since the request may still be in flight. Found, it is the result. Never found, create()
    is tried again: a request still in flight after all the looks (about 10 seconds) can then make a second one,
    which the next look (or the next run) reports instead of using either. Without find() such an answer is
    raised; an error of find() is raised as it is, with no further create. Up to CREATE_TRIES creates.
    """
    no_blind_retries(client, service, operation)
    # Pauses between creates: doubling from CREATE_FIRST_DELAY up to CREATE_MAX_DELAY (jittered, never fixed).
    pauses = _backoff(CREATE_TRIES * CREATE_MAX_DELAY, CREATE_FIRST_DELAY, CREATE_MAX_DELAY)
    tries = 0
    while True:
        tries += 1
        try:
            return create()
        except (ClientError, BotoCoreError) as e:
            if may_have_been_served(e):
                if find is None:
                    raise
                found = _look(find)
                if found is not None:
                    return found
                if tries >= CREATE_TRIES:
                    raise
            elif not is_refusal(e) or botocore_tries(e) >= BOTOCORE_TRIES_ENOUGH or tries >= CREATE_TRIES:
                raise
            if not pauses.pause():
                raise
