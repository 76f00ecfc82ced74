# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the Amplify modules share.

Finding an app by id or by a name that must be unique, paginated listing, turning API shapes into
snake_case results, working out what differs between what is wanted and what is there, the checks a
compute role must pass before Amplify is asked to use it, and the retry policy for Amplify calls.
"""

import base64
import json
import random
import re
import time

from urllib.parse import unquote

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # the modules report a missing botocore (AnsibleAWSModule)

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import OuterRetry
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import create_once

MINIMUM_BOTOCORE = "1.36.22"
AMPLIFY_PRINCIPAL = "amplify.amazonaws.com"
SSR_PLATFORMS = ("WEB_COMPUTE", "WEB_DYNAMIC")
ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]{1,64})$")
ROLE_NAME_RE = re.compile(r"^[\w+=,.@-]{1,64}$")
APP_ID_RE = re.compile(r"^d[a-z0-9]{1,19}$")
TERMINAL_JOB_STATUSES = ("SUCCEED", "FAILED", "CANCELLED")

# Amplify answers throttling with LimitExceededException (429) and has two 5xx codes of its own; AWSRetry
# already retries Throttling, TooManyRequestsException, RequestLimitExceeded, InternalFailure, InternalError,
# ServiceUnavailable and Unavailable, but not the ThrottlingException other AWS front ends answer.
RETRY_CODES = [
    "LimitExceededException",
    "ThrottlingException",
    "InternalFailureException",
    "DependentServiceFailureException",
    "ServiceUnavailableException",
]
# botocore retries these too (standard mode); the outer retry adds tries only where botocore made few (retry.py).
amplify_retry = OuterRetry.jittered_backoff(retries=10, delay=1, max_delay=30, catch_extra_error_codes=RETRY_CODES)

# Keys whose contents are the user's own (environment variable names, tag keys): never re-cased.
USER_KEYED = ["tags", "environmentVariables"]
# Returned by the API but secret or useless to a playbook.
NEVER_RETURNED = ("basicAuthCredentials",)


class AmplifyError(AnsibleAWSError):
    """A failure a module reports with fail_json_aws_error(): a message, and the botocore error if any."""


class AmplifyErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AmplifyError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NotFoundException")


def _without_secrets(value):
    if isinstance(value, dict):
        return dict((k, _without_secrets(v)) for k, v in value.items() if k not in NEVER_RETURNED)
    if isinstance(value, list):
        return [_without_secrets(v) for v in value]
    return value


def to_snake(resource):
    """An Amplify API structure as a module result: snake_case keys, ISO dates, no secrets at any depth."""
    if resource is None:
        return None
    cleaned = normalize_boto3_result(_without_secrets(resource))
    result = camel_dict_to_snake_dict(cleaned, ignore_list=USER_KEYED)
    # camel_dict_to_snake_dict does not pass ignore_list down: convert the nested config on its own so that
    # its environment variable names stay as they are.
    if isinstance(cleaned.get("autoBranchCreationConfig"), dict):
        result["auto_branch_creation_config"] = camel_dict_to_snake_dict(
            cleaned["autoBranchCreationConfig"], ignore_list=USER_KEYED
        )
    # The values of the variables the resource's secret tag names are never returned either.
    names = secret_variable_names(cleaned.get("tags"))
    if names and isinstance(result.get("environment_variables"), dict):
        result["environment_variables"] = mask_variables(result["environment_variables"], names)
    return result


# -- secrets: basic auth credentials and secret environment variables -------------------------------------
#
# Amplify returns basicAuthCredentials (base64 of "username:password") in GetApp/GetBranch; it is compared
# with the value a run would send, internally, and never returned (NEVER_RETURNED). Environment variables
# have no secret flag in Amplify: the names of the secret ones are recorded in a tag of the app or branch
# (SECRET_VARIABLES_TAG), so that every module that returns the app or branch masks their values.

# What a secret value is replaced with in results and diffs (the mask Ansible uses for no_log values).
SECRET_MASK = "********"
# In a diff: a secret the run changes (or, in check mode, would change).
SECRET_CHANGED_MASK = "******** (changed)"
# Tag of an app or branch: the names of its secret environment variables, space separated.
SECRET_VARIABLES_TAG = "amplify_hosting.ssr:secret-environment-variables"
# Amplify tag values: at most 256 of letters, digits, spaces and _.:/=+-@ (spaces separate the names).
SECRET_NAME_RE = re.compile(r"^[\w.:/=+@-]+$")
TAG_VALUE_MAX = 256
BASIC_AUTH_MAX = 2000
# The API members that carry secrets; Amplify's validation errors quote the values they refuse.
SECRET_MEMBERS = ("basicAuthCredentials", "environmentVariables", "accessToken", "oauthToken")
_QUOTED_VALUE_RE = re.compile(r"Value '(.*?)' at '([^']*)'", re.S)


def secret_variable_names(tags):
    """The names of the secret environment variables a resource's tags record (sorted, maybe empty)."""
    value = (tags or {}).get(SECRET_VARIABLES_TAG) if isinstance(tags, dict) else None
    return sorted(set((value or "").split()))


def mask_variables(variables, names):
    """`variables` with the value of each name in `names` replaced with SECRET_MASK."""
    return dict((k, SECRET_MASK if k in names else v) for k, v in (variables or {}).items())


def basic_auth_value(credentials, option="basic_auth_credentials"):
    """basicAuthCredentials as Amplify takes it: base64 of "username:password". Errors never show them."""
    username = (credentials or {}).get("username") or ""
    password = (credentials or {}).get("password") or ""
    if not username or not password:
        raise AmplifyError("%s: username and password must both be given and not empty" % option)
    if ":" in username:
        raise AmplifyError("%s: the username must not contain ':' (basic auth sends username:password)" % option)
    value = base64.b64encode(("%s:%s" % (username, password)).encode("utf-8")).decode("ascii")
    if len(value) > BASIC_AUTH_MAX:
        raise AmplifyError(
            "%s: username and password are too long (Amplify takes at most %d characters of base64, about %d of"
            " username:password)" % (option, BASIC_AUTH_MAX, BASIC_AUTH_MAX * 3 // 4)
        )
    return value


def basic_auth_credentials_spec():
    """The argument spec of the basic_auth_credentials option of the app and branch modules. The username is
    not secret (no_log would mask it everywhere in the output, branch names and URLs too); the password is,
    and basic_auth_secrets() adds the forms the pair takes on the wire."""
    return dict(
        type="dict",
        options=dict(
            username=dict(type="str", required=True, no_log=False),
            password=dict(type="str", required=True, no_log=True),
        ),
    )


def basic_auth_secrets(credentials):
    """The strings no output may show for these credentials: the password, username:password and its base64
    (not the username alone, which is not secret)."""
    if not credentials or not credentials.get("username") or not credentials.get("password"):
        return []
    plain = "%s:%s" % (credentials["username"], credentials["password"])
    encoded = base64.b64encode(plain.encode("utf-8")).decode("ascii")
    return [credentials["password"], plain, encoded]


def basic_auth_params(params):
    """enableBasicAuth and basicAuthCredentials (base64 of username:password) as the options
    enable_basic_auth and basic_auth_credentials ask: credentials turn basic auth on unless enable_basic_auth
    is false; enable_basic_auth alone turns it on or off, leaving the credentials as they are."""
    wanted = {}
    if params.get("enable_basic_auth") is not None:
        wanted["enableBasicAuth"] = params["enable_basic_auth"]
    if params.get("basic_auth_credentials"):
        wanted["basicAuthCredentials"] = basic_auth_value(params["basic_auth_credentials"])
        wanted.setdefault("enableBasicAuth", True)
    return wanted


def check_basic_auth(current, desired):
    """Basic auth turned on needs credentials: given now, or already set (Amplify returns them)."""
    if desired.get("enableBasicAuth") and not desired.get("basicAuthCredentials") and not (current or {}).get("basicAuthCredentials"):
        raise AmplifyError("enable_basic_auth: basic auth needs credentials and none are set; give basic_auth_credentials")


def secret_option_values(params):
    """Every string of a module's secret options that no output may show, in the forms a request carries them
    (the access token, basic auth in each form, the secret variables' values)."""
    values = basic_auth_secrets(params.get("basic_auth_credentials"))
    values += [str(v) for v in (params.get("secret_environment_variables") or {}).values()]
    if params.get("access_token"):
        values.append(params["access_token"])
    return [v for v in values if v]


def stored_secret_values(resource):
    """The current values of the environment variables the secret tag of an app or branch names."""
    names = secret_variable_names((resource or {}).get("tags"))
    variables = (resource or {}).get("environmentVariables") or {}
    return [str(variables[name]) for name in names if name in variables and str(variables[name])]


def note_stored_secrets(module, resource):
    """Mask, in whatever the module outputs, the values of the secret variables the app or branch already has:
    a run that does not give secret_environment_variables re-sends them, and an error may quote them."""
    values = stored_secret_values(resource)
    if values:
        module.no_log_values.update(values)


def run_scrubbed(module, run):
    """run() (the module's work) with no secret in its output: the wire forms of the secret options join the
    values Ansible masks (module.no_log_values), and an AmplifyError is re-raised without any of those nor
    the values Amplify's validation errors quote for the members that carry secrets, without the original
    (which may quote the request) as cause or context."""
    module.no_log_values.update(secret_option_values(module.params))
    try:
        return run()
    except AmplifyError as e:
        scrubbed = scrub_error(e, module.no_log_values)
    raise scrubbed


def mark_secret_names(client, module, arn, current_tags, names):
    """Before a write that sends secret values: the names in `names` the secret tag lacks are added to it
    (none removed; that waits until after the write), so that a secret is never stored unmarked even if the
    write or the run fails after this. Returns the tags afterwards."""
    current_tags = current_tags or {}
    marked = secret_variable_names(current_tags)
    if names is None or module.check_mode or set(names) <= set(marked):
        return current_tags
    value = " ".join(sorted(set(marked) | set(names)))
    if len(value) > TAG_VALUE_MAX:  # too long with the names the write drops: the names it keeps
        value = " ".join(sorted(names))
    tag_resource(client, arn, {SECRET_VARIABLES_TAG: value})
    return dict(current_tags, **{SECRET_VARIABLES_TAG: value})


def check_secret_variables(plain, secret):
    """Fail (naming the options) on what can be checked before any call: a name in both environment_variables
    and secret_environment_variables, and names the secret tag cannot record."""
    if secret is None:
        return
    both = sorted(set(plain or {}) & set(secret))
    if both:
        raise AmplifyError(
            "secret_environment_variables: %s also in environment_variables; give each variable in one of them"
            % ", ".join(both)
        )
    bad = sorted(name for name in secret if not SECRET_NAME_RE.match(name))
    if bad:
        raise AmplifyError(
            "secret_environment_variables: the name(s) %s cannot be recorded in the tag %s (letters, digits and"
            " _ . : / = + - @ only)" % (", ".join(repr(name) for name in bad), SECRET_VARIABLES_TAG)
        )
    if len(" ".join(sorted(secret))) > TAG_VALUE_MAX:
        raise AmplifyError(
            "secret_environment_variables: the names take more than the %d characters the tag %s can hold"
            % (TAG_VALUE_MAX, SECRET_VARIABLES_TAG)
        )


def split_environment(current_variables, current_tags, plain, secret):
    """(variables, secret names) a run asks for, from environment_variables (`plain`) and
    secret_environment_variables (`secret`); (None, None) when neither is given: the variables are left alone.

    The variables are two parts: the secret ones (those the secret tag of the app or branch names) and the
    others. Each option replaces its own part; the part of an option not given is kept, less any name the
    given option now sets. Values are compared and sent as strings.
    """
    if plain is None and secret is None:
        return None, None
    check_secret_variables(plain, secret)
    current = current_variables or {}
    marked = set(secret_variable_names(current_tags))
    plain = None if plain is None else dict((k, str(v)) for k, v in plain.items())
    secret = None if secret is None else dict((k, str(v)) for k, v in secret.items())
    if plain is None:
        plain = dict((k, v) for k, v in current.items() if k not in marked and k not in secret)
    if secret is None:
        secret = dict((k, v) for k, v in current.items() if k in marked and k not in plain)
    variables = dict(plain)
    variables.update(secret)
    return variables, sorted(secret)


def tags_with_secret_names(current_tags, tags, purge_tags, names):
    """The tags the resource is to have (give them to ensure_tags with purge_tags=True; None: leave the tags):
    `tags` as the tags options ask (None: the current ones; purge_tags=False: merged into the current ones),
    with SECRET_VARIABLES_TAG listing `names` (None: kept as it is; []: removed). The secret tag is the
    module's own: O(tags) and O(purge_tags) never set or remove it."""
    if tags is None and names is None:
        return None
    current = current_tags or {}
    if tags is None:
        wanted = dict(current)
    elif purge_tags:
        wanted = dict(tags)
    else:
        wanted = dict(current)
        wanted.update(tags)
    wanted.pop(SECRET_VARIABLES_TAG, None)
    value = current.get(SECRET_VARIABLES_TAG) if names is None else " ".join(names)
    if value:
        wanted[SECRET_VARIABLES_TAG] = value
    return wanted


def mask_diff(diff, current_variables, names_before, names_after):
    """A managed_diff() without secrets: basic_auth_credentials masked, and the values of the environment
    variables secret before or after the run (a value the run changes shows as SECRET_CHANGED_MASK)."""
    before, after = diff.get("before") or {}, diff.get("after") or {}
    if "basic_auth_credentials" in after:
        had = before.get("basic_auth_credentials")
        before["basic_auth_credentials"] = SECRET_MASK if had else ""
        after["basic_auth_credentials"] = SECRET_CHANGED_MASK if had else SECRET_MASK
    hidden = set(names_before or []) | set(names_after or [])
    if isinstance(before.get("environment_variables"), dict):
        before["environment_variables"] = mask_variables(before["environment_variables"], hidden)
    if isinstance(after.get("environment_variables"), dict):
        current = current_variables or {}
        after["environment_variables"] = dict(
            (k, (SECRET_CHANGED_MASK if k in current and str(current[k]) != str(v) else SECRET_MASK)
             if k in (names_after or []) else v)
            for k, v in after["environment_variables"].items()
        )
    return diff


def _scrub_text(text, secrets):
    def quoted(match):
        if match.group(2).split(".")[0] in SECRET_MEMBERS:
            return "Value '%s' at '%s'" % (SECRET_MASK, match.group(2))
        return match.group(0)

    text = _QUOTED_VALUE_RE.sub(quoted, text)
    for secret in sorted(set(s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, SECRET_MASK)
    return text


def _scrub(value, secrets):
    if isinstance(value, dict):
        return dict((k, _scrub(v, secrets)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_scrub(v, secrets) for v in value]
    if isinstance(value, str):
        return _scrub_text(value, secrets)
    return value


def scrub_error(error, secrets):
    """`error` (an AmplifyError) as it may be shown after a call that carried secrets: without any of the
    strings in `secrets`, and without the values Amplify's validation errors quote for the members that carry
    secrets ("Value '...' at 'environmentVariables.X'"), which may be cut short and so escape the first."""
    exception = error.exception
    if hasattr(exception, "response") and hasattr(exception, "operation_name"):  # a botocore ClientError
        exception = type(exception)(_scrub(exception.response, secrets), exception.operation_name)
    elif exception is not None:
        exception = AmplifyError(_scrub_text(str(exception), secrets))
    return AmplifyError(_scrub_text(error.message or "", secrets), exception=exception, **_scrub(error.kwargs, secrets))


def paginate(client, operation, result_key, **params):
    """Every item of a paginated Amplify listing (list_apps, list_branches, list_jobs), retried."""
    pages = client.get_paginator(operation).paginate(**params)
    return amplify_retry(pages.build_full_result)().get(result_key, [])


# -- API calls: each retried on throttling and 5xx, each failure an AmplifyError saying what failed --------


@AmplifyErrorHandler.list_error_handler("get app")
@amplify_retry
def get_app(client, app_id):
    return client.get_app(appId=app_id)["app"]


@AmplifyErrorHandler.common_error_handler("list apps")
def list_apps(client):
    return paginate(client, "list_apps", "apps")


@AmplifyErrorHandler.common_error_handler("create app")
def create_app(client, **params):
    """CreateApp, never twice (names are not unique): after an answer that leaves open whether the app was made,
    the app with the name is looked for first. The caller has found no app with the name before."""

    def made():
        apps = [app for app in list_apps(client) if app["name"] == params["name"]]
        if len(apps) > 1:
            # Someone else made one too (or a lost create was served late): which one is ours is unknown.
            raise AmplifyError(
                "create app: %d apps are named %r (%s) after an answer that left open whether the app was made;"
                " delete the extra ones, or set app_id to choose one"
                % (len(apps), params["name"], ", ".join(sorted(app["appId"] for app in apps)))
            )
        return apps[0] if apps else None

    return create_once(client, "amplify", "CreateApp", lambda: client.create_app(**params)["app"], made)


@AmplifyErrorHandler.common_error_handler("update app")
@amplify_retry
def update_app(client, app_id, **params):
    return client.update_app(appId=app_id, **params)["app"]


@AmplifyErrorHandler.deletion_error_handler("delete app")
@amplify_retry
def delete_app(client, app_id):
    client.delete_app(appId=app_id)
    return True


@AmplifyErrorHandler.list_error_handler("get branch")
@amplify_retry
def get_branch(client, app_id, branch_name):
    return client.get_branch(appId=app_id, branchName=branch_name)["branch"]


@AmplifyErrorHandler.common_error_handler("list branches")
def list_branches(client, app_id):
    return paginate(client, "list_branches", "branches", appId=app_id)


@AmplifyErrorHandler.common_error_handler("create branch")
def create_branch(client, app_id, branch_name, **params):
    """CreateBranch, never twice: after an answer that leaves open whether the branch was made, it is read first."""
    return create_once(
        client, "amplify", "CreateBranch",
        lambda: client.create_branch(appId=app_id, branchName=branch_name, **params)["branch"],
        lambda: get_branch(client, app_id, branch_name),
    )


@AmplifyErrorHandler.common_error_handler("update branch")
@amplify_retry
def update_branch(client, app_id, branch_name, **params):
    return client.update_branch(appId=app_id, branchName=branch_name, **params)["branch"]


@AmplifyErrorHandler.deletion_error_handler("delete branch")
@amplify_retry
def delete_branch(client, app_id, branch_name):
    client.delete_branch(appId=app_id, branchName=branch_name)
    return True


@AmplifyErrorHandler.common_error_handler("tag resource")
@amplify_retry
def tag_resource(client, arn, tags):
    client.tag_resource(resourceArn=arn, tags=tags)


@AmplifyErrorHandler.common_error_handler("untag resource")
@amplify_retry
def untag_resource(client, arn, keys):
    client.untag_resource(resourceArn=arn, tagKeys=keys)


@AmplifyErrorHandler.common_error_handler("start job")
def start_job(client, app_id, branch_name, **params):
    """StartJob, never twice: after an answer that leaves open whether a RELEASE started, the branch's newest job
    is read first: of the same commit and not failed, it is the one started (the caller starts a release only
    when the newest job is of another commit or failed). Without a commit id such an answer is an error."""

    def started():
        jobs = list_jobs(client, app_id, branch_name)
        newest = max(jobs, key=lambda j: int(j["jobId"]) if str(j.get("jobId", "")).isdigit() else -1) if jobs else None
        if newest and newest.get("commitId") == params["commitId"] and newest.get("status") not in ("FAILED", "CANCELLED"):
            return newest
        return None

    return create_once(
        client, "amplify", "StartJob",
        lambda: client.start_job(appId=app_id, branchName=branch_name, **params)["jobSummary"],
        started if params.get("commitId") and params.get("jobType") == "RELEASE" else None,
    )


@AmplifyErrorHandler.list_error_handler("get job")
@amplify_retry
def get_job(client, app_id, branch_name, job_id):
    return client.get_job(appId=app_id, branchName=branch_name, jobId=job_id)["job"]


@AmplifyErrorHandler.common_error_handler("list jobs")
def list_jobs(client, app_id, branch_name):
    return paginate(client, "list_jobs", "jobSummaries", appId=app_id, branchName=branch_name)


@AmplifyErrorHandler.common_error_handler("stop job")
@amplify_retry
def stop_job(client, app_id, branch_name, job_id):
    return client.stop_job(appId=app_id, branchName=branch_name, jobId=job_id)["jobSummary"]


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


# -- finding apps --------------------------------------------------------------------------------------


def find_app(client, app_id=None, name=None, hint="set app_id to choose one"):
    """The app with this id, or the only app with this name; None when there is none.

    Names are not unique in Amplify: two apps with the name asked for is an error listing their ids
    (and `hint`, how to choose), never a guess.
    """
    if app_id:
        if not APP_ID_RE.match(app_id):
            raise AmplifyError("app_id %r is not an Amplify app id (d followed by lowercase letters and digits)" % app_id)
        return get_app(client, app_id)
    matches = [app for app in list_apps(client) if app["name"] == name]
    if len(matches) > 1:
        raise AmplifyError(
            "name %r matches %d Amplify apps (%s); %s"
            % (name, len(matches), ", ".join(sorted(app["appId"] for app in matches)), hint)
        )
    return matches[0] if matches else None


def find_app_ref(client, ref, option="app"):
    """The app `ref` names (an app id, else the unique name of an app), or None. Errors name `option`.

    A name may look like an id ("demo", "docs"): an id-shaped ref that is no app's id is tried as a name.
    """
    app = get_app(client, ref) if APP_ID_RE.match(ref) else None
    if app is None:
        try:
            app = find_app(client, name=ref, hint="give the id of the one to use as %s" % option)
        except AmplifyError as e:
            if e.exception is not None:
                raise
            raise AmplifyError("%s: %s" % (option, e.message)) from None
    return app


def app_not_found(ref, option="app"):
    return AmplifyError("%s: no Amplify app has the id or name %r in this account and region" % (option, ref))


def resolve_app(client, ref, option="app"):
    """The app `ref` (an app id or the unique name of an app) names; an AmplifyError naming `option` if none."""
    app = find_app_ref(client, ref, option)
    if app is None:
        raise app_not_found(ref, option)
    return app


def locate_branch(client, ref, branch_name, option="app"):
    """(app id, app or None, branch or None) for branch `branch_name` of the app `ref` names.

    (None, None, None) when no app has that id or name. When `ref` is the id of an app that has the branch
    this is one read (GetBranch); the app is read only when that finds no branch (the app may not exist, or
    `ref` may be a name that looks like an id) or `ref` is a name.
    """
    if APP_ID_RE.match(ref):
        branch = get_branch(client, ref, branch_name)
        if branch is not None:
            return ref, None, branch
    app = find_app_ref(client, ref, option)
    if app is None:
        return None, None, None
    if app["appId"] == ref:
        return ref, app, None
    return app["appId"], app, get_branch(client, app["appId"], branch_name)


def default_domain(app_id, app=None):
    """The app's default domain: as read when the app was read, else what Amplify gives every app."""
    if app and app.get("defaultDomain"):
        return app["defaultDomain"]
    return "%s.amplifyapp.com" % app_id


def branch_result(branch, app_id, domain):
    """A branch as a module result, with its app's id and its URL (https://<display name>.<domain>)."""
    result = to_snake(branch) or {}
    if branch is not None:
        display = branch.get("displayName") or branch["branchName"].replace("/", "-")
        result["app_id"] = app_id
        result["url"] = "https://%s.%s" % (display, domain)
        result.setdefault("compute_role_arn", "")
        result.setdefault("tags", {})
    return result


# -- checking input before any call -------------------------------------------------------------------


def check_role_arn(value, option, allow_empty=False):
    """Raise an AmplifyError naming `option` unless `value` is an IAM role ARN ("" allowed when clearing)."""
    if value is None or (allow_empty and value == ""):
        return
    if parse_role_arn(value) is None:
        raise AmplifyError(
            "%s: %r is not an IAM role ARN (arn:aws:iam::<12-digit account id>:role/[path/]<name>)" % (option, value)
        )


def check_compute_platform(platform, option="compute_role_arn"):
    """Compute roles are for SSR apps: raise an AmplifyError naming `option` for any other platform."""
    if platform not in SSR_PLATFORMS:
        raise AmplifyError(
            "%s: compute roles are only for server-side rendered apps (platform %s); the platform is %s"
            % (option, " or ".join(SSR_PLATFORMS), platform)
        )


# -- comparing what is wanted with what is there --------------------------------------------------------


def api_params(params, mapping):
    """The API members (by `mapping`, option name -> member name) of the options the user set."""
    return dict((member, params[option]) for option, member in mapping.items() if params.get(option) is not None)


def _normalised(member, value):
    if member == "buildSpec" and isinstance(value, str):
        return value.rstrip()
    if member == "environmentVariables" and isinstance(value, dict):
        return dict((k, str(v)) for k, v in value.items())
    if member == "autoBranchCreationPatterns" and isinstance(value, list):
        return sorted(value)
    if member == "customRules" and isinstance(value, list):
        return [dict((k, v) for k, v in rule.items() if v not in (None, "")) for rule in value]
    return value


def managed_diff(current, changes, mapping, extra_before=None, extra_after=None):
    """A --diff of what the module manages: the options it changes, before and after, by option name."""
    options = dict((member, option) for option, member in mapping.items())
    before = dict((options.get(m, m), (current or {}).get(m)) for m in changes)
    after = dict((options.get(m, m), v) for m, v in changes.items())
    before.update(extra_before or {})
    after.update(extra_after or {})
    return {"before": before, "after": after}


def ensure_tags(client, module, arn, current_tags, tags, purge_tags):
    """Bring the resource's tags to `tags` (None: leave them). Returns (changed, the tags afterwards)."""
    current_tags = current_tags or {}
    if tags is None:
        return False, current_tags
    to_set, to_unset = compare_aws_tags(current_tags, tags, purge_tags)
    if not (to_set or to_unset):
        return False, current_tags
    if not module.check_mode:
        if to_unset:
            untag_resource(client, arn, to_unset)
        if to_set:
            tag_resource(client, arn, to_set)
    after = dict((k, v) for k, v in current_tags.items() if k not in to_unset)
    after.update(to_set)
    return True, after


def changed_params(desired, current):
    """The members of `desired` (None means "leave as is") whose value differs from `current`.

    An empty string asks for a member to be cleared: it differs only when the member is set.
    """
    changes = {}
    for key, value in desired.items():
        if value is None:
            continue
        have = current.get(key)
        if value == "" and not have:
            continue
        if _normalised(key, have) != _normalised(key, value):
            changes[key] = value
    return changes


def parse_role_arn(arn):
    """(account id, path, role name) of an IAM role ARN, or None when it is not one."""
    found = ROLE_ARN_RE.match(arn or "")
    if not found:
        return None
    return found.group(1), "/" + found.group(2), found.group(3)


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def trust_allows_amplify(document):
    """True when the trust policy lets amplify.amazonaws.com sts:AssumeRole and no Deny takes it away.

    A Deny with a Condition (say, deny unless aws:SourceAccount is ours) depends on the request, which only
    IAM can judge: it does not count against the role here.
    """
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            try:
                document = json.loads(unquote(document))
            except ValueError:
                return False
    allowed = False
    for statement in _as_list((document or {}).get("Statement")):
        actions = [action.lower() for action in _as_list(statement.get("Action"))]
        if not any(action in ("sts:assumerole", "sts:*", "*") for action in actions):
            continue
        principal = statement.get("Principal") or {}
        services = _as_list(principal.get("Service")) if isinstance(principal, dict) else []
        if AMPLIFY_PRINCIPAL not in services and principal != "*":
            continue
        if statement.get("Effect") == "Deny":
            if statement.get("Condition"):
                continue
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed


def effective_compute_role(app, branch=None):
    """The role the branch's compute runs with: the branch override, else the app's default ("" for none)."""
    if branch and branch.get("computeRoleArn"):
        return branch["computeRoleArn"]
    return (app or {}).get("computeRoleArn") or ""


def is_propagation_error(error):
    """True for Amplify's answer to a role IAM has not yet made visible to it."""
    response = getattr(error, "response", {}) or {}
    info = response.get("Error", {})
    return info.get("Code") == "BadRequestException" and "cannot be assumed" in (info.get("Message") or "").lower()


# -- compute roles: reading one from IAM, and writing it while IAM propagates it ----------------------------

# Backoff between tries while IAM propagates a role to Amplify: doubling from PROPAGATION_FIRST_DELAY up to
# PROPAGATION_MAX_DELAY seconds, each pause a random half to all of that, never past the wait timeout.
PROPAGATION_FIRST_DELAY = 1.0
PROPAGATION_MAX_DELAY = 15.0


def parse_role_ref(value, option="role"):
    """(ARN or None, role name) of an option that names an IAM role by ARN or by name, checked without a call;
    an AmplifyError naming `option` when it is neither."""
    if ":" in value:
        parsed = parse_role_arn(value)
        if parsed is None:
            raise AmplifyError(
                "%s: %r is not an IAM role ARN (arn:aws:iam::<12-digit account id>:role/[path/]<name>) "
                "nor a role name" % (option, value)
            )
        return value, parsed[2]
    if not ROLE_NAME_RE.match(value):
        raise AmplifyError(
            "%s: %r is neither an IAM role name (up to 64 letters, digits and +=,.@_-) nor a role ARN" % (option, value)
        )
    return None, value


def role_ref_matches(value, arn):
    """Whether `value` (a role ARN, or a role name: unique in an account, whatever its path) names the role `arn`."""
    if ":" in value:
        return value == arn
    parsed = parse_role_arn(arn)
    return parsed is not None and parsed[2] == value


def role_arn_for(value, resource_arn):
    """The ARN the role `value` (an ARN, or a role name: path /) has or would have, in the account and
    partition of `resource_arn` (the app or branch it is for): for a role check mode cannot read yet."""
    if ":" in value:
        return value
    parts = resource_arn.split(":")
    return "arn:%s:iam::%s:role/%s" % (parts[1], parts[4], value)


def read_compute_role(iam, name, arn=None, option="role", missing_ok=False):
    """The IAM role named `name` (which must be `arn` when given), once it is known to exist and to trust
    Amplify; an AmplifyError naming `option` otherwise. One GetRole.

    With missing_ok (check mode), None when the role does not exist: an earlier task of the same run may be
    what creates it. `iam` is a client made with a retry decorator (calls pass aws_retry=True).
    """
    try:
        role = iam.get_role(RoleName=name, aws_retry=True)["Role"]
    except is_boto3_error_code("NoSuchEntity"):
        if missing_ok:
            return None
        raise AmplifyError("%s: IAM role %r does not exist in this account" % (option, arn or name)) from None
    except (ClientError, BotoCoreError) as e:  # pylint: disable=duplicate-except
        raise AmplifyError("Failed to get IAM role %s" % name, exception=e) from e
    if arn and role["Arn"] != arn:
        raise AmplifyError(
            "%s: IAM role %s does not exist; the role named %r in this account is %s (another path or account)"
            % (option, arn, name, role["Arn"])
        )
    if not trust_allows_amplify(role.get("AssumeRolePolicyDocument")):
        raise AmplifyError(
            "%s: the trust policy of IAM role %s does not let %s assume it; add a statement allowing "
            "sts:AssumeRole to the service principal %s" % (option, role["Arn"], AMPLIFY_PRINCIPAL, AMPLIFY_PRINCIPAL)
        )
    return role


def retry_while_propagating(write, role_arn, target, wait_timeout, option="role"):
    """write() (a call that sets `role_arn` on `target`, described for messages), retried while Amplify answers
    that the role cannot be assumed yet (IAM propagation of a new role or trust policy), for up to wait_timeout
    seconds (0: one try); returns what write() returns. Any other error is raised at once; giving up raises an
    AmplifyError naming `option`. Each refused try wrote nothing, so giving up leaves nothing half made.
    """
    backoff = Backoff(wait_timeout, PROPAGATION_FIRST_DELAY, PROPAGATION_MAX_DELAY)
    while True:
        try:
            return write()
        except AmplifyError as e:
            if not is_propagation_error(e.exception):
                raise
            if not backoff.pause():
                raise AmplifyError(
                    "%s: Amplify still cannot assume IAM role %s for %s after %d seconds (%d tries); IAM "
                    "propagation of a new role or trust policy may need longer: raise wait_timeout (now %d)"
                    % (option, role_arn, target, round(backoff.elapsed()), backoff.pauses + 1, wait_timeout),
                    exception=e.exception,
                ) from None
