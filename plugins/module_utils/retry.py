# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Retries, in one layer, and creates that must not happen twice.

**One retry layer: botocore's.** Every client the modules make (client()) retries in botocore's standard mode
with DEFAULT_MAX_ATTEMPTS tries in all: throttling (Amplify's LimitExceededException, ThrottlingException,
S3's SlowDown, ...), 5xx answers (Amplify's InternalFailureException and DependentServiceFailureException, S3's
500/503, ...), and connections lost or timed out, with exponential backoff and jitter. A user's ``aws_config``
(the module option, or ``module_defaults``) is merged over ours: its ``retries`` wins. The playbooks set it
from ``ssr_aws_max_attempts``. Nothing retries on top of botocore, so tries never multiply.

**Creates that must not be repeated blindly.** Amplify would make a second app with the same name (CreateApp),
start a second job (StartJob), or refuse a branch that already exists (CreateBranch). A retry is safe after a
refusal (throttling: nothing was done), not after an answer that leaves open whether the call was served (a 5xx,
a connection lost while waiting for the answer). create_once() vetoes botocore's retry of those, and looks for
what the call would have made before trying again.

**Waiting** (a job to finish, IAM to propagate a role) pauses with Backoff: jittered, doubling, never past a
deadline, never a fixed sleep.
"""

import random
import time

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
    from botocore.exceptions import ConnectionError as BotocoreConnectionError
    from botocore.exceptions import ConnectTimeoutError
    from botocore.exceptions import EndpointConnectionError
    from botocore.exceptions import HTTPClientError
except ImportError:
    pass  # the modules report a missing botocore (AnsibleAWSModule)

# Tries in all (the first and its retries) botocore's standard mode makes of every call, unless aws_config says
# otherwise. The playbooks' ssr_aws_max_attempts has the same default.
DEFAULT_MAX_ATTEMPTS = 10

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


def client(module, service, **config):
    """module.client(service) retrying in botocore's standard mode, DEFAULT_MAX_ATTEMPTS tries in all; `config`
    adds botocore Config options (max_pool_connections, ...). The module's aws_config is merged over this
    (amazon.aws boto3_conn): a user's ``retries`` there wins."""
    config = dict(config, retries={"mode": "standard", "total_max_attempts": DEFAULT_MAX_ATTEMPTS})
    return module.client(service, config=config)


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


def _look(find):
    """find(), up to CREATE_LOOKS times with a Backoff pause before each look after the first; None when it
    never found anything. An error of find() (it could not look, or found more than one) is raised."""
    backoff = None
    for look in range(CREATE_LOOKS):
        if look:
            backoff = backoff or Backoff(LOOK_TIMEOUT, LOOK_FIRST_DELAY, LOOK_MAX_DELAY)
            if not backoff.pause():
                break
        found = find()
        if found is not None:
            return found
    return None


def create_once(client, service, operation, create, find=None):
    """create(), never twice for what can be seen; returns what create() or find() returns.

    A refusal (throttling) is botocore's to retry, like any call's: create_once raises it when botocore has given
    up. After an answer that leaves open whether the call was served (a 5xx, a connection lost or timed out while waiting for the answer),
    find() looks for what create() would have made: at once, then again after short Backoff pauses, up to
    CREATE_LOOKS looks, since the request may still be in flight. Found, it is the result. Never found, create()
    is tried again: a request still in flight after all the looks (about 10 seconds) can then make a second one,
    which the next look (or the next run) reports instead of using either. Without find() such an answer is
    raised; an error of find() is raised as it is, with no further create. Up to CREATE_TRIES creates.
    """
    no_blind_retries(client, service, operation)
    # Pauses between creates: doubling from CREATE_FIRST_DELAY up to CREATE_MAX_DELAY (jittered, never fixed).
    pauses = Backoff(CREATE_TRIES * CREATE_MAX_DELAY, CREATE_FIRST_DELAY, CREATE_MAX_DELAY)
    tries = 0
    while True:
        tries += 1
        try:
            return create()
        except (ClientError, BotoCoreError) as e:
            # A refusal botocore has retried as often as it may, or an error of the request: raised.
            if not may_have_been_served(e) or find is None:
                raise
            found = _look(find)
            if found is not None:
                return found
            if tries >= CREATE_TRIES:
                raise
            if not pauses.pause():
                raise


class Backoff:
    """Pauses between tries until a deadline: doubling from `first` up to `cap` seconds, each a random half
    to all of that (so that many waiting tasks do not call in step), and never running past the deadline.

    Used for polling jobs and for retrying while IAM propagates a role; never a fixed sleep.
    `sleep` and `clock` default to time.sleep and time.monotonic, looked up when called.
    """

    def __init__(self, timeout, first, cap, sleep=None, clock=None):
        self._sleep = sleep
        self._clock = clock
        self.first = first
        self.cap = cap
        self.started = self.now()
        self.deadline = self.started + timeout
        self.pauses = 0

    def now(self):
        return (self._clock or time.monotonic)()

    def elapsed(self):
        return self.now() - self.started

    def pause(self):
        """Sleep before the next try and return True; return False at once when the deadline has passed."""
        remaining = self.deadline - self.now()
        if remaining <= 0:
            return False
        step = min(self.cap, self.first * 2 ** self.pauses)
        (self._sleep or time.sleep)(min(remaining, random.uniform(step / 2, step)))
        self.pauses += 1
        return True
