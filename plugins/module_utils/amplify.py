# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the Amplify modules share.

Finding an app by id or by a name that must be unique, paginated listing, turning API shapes into
snake_case results, working out what differs between what is wanted and what is there, the checks a
compute role must pass before Amplify is asked to use it, and the retry policy for Amplify calls.
"""

import json
import random
import re
import time

from urllib.parse import unquote

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

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
amplify_retry = AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30, catch_extra_error_codes=RETRY_CODES)

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
    return result


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
@amplify_retry
def create_app(client, **params):
    return client.create_app(**params)["app"]


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
@amplify_retry
def create_branch(client, app_id, branch_name, **params):
    return client.create_branch(appId=app_id, branchName=branch_name, **params)["branch"]


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
@amplify_retry
def start_job(client, app_id, branch_name, **params):
    return client.start_job(appId=app_id, branchName=branch_name, **params)["jobSummary"]


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
