# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the Amplify modules share.

Finding an app by id or by a name that must be unique, paginated listing, turning API shapes into
snake_case results, working out what differs between what is wanted and what is there, the checks a
compute role must pass before Amplify is asked to use it, and the retry policy for Amplify calls.
"""

import json
import re

from urllib.parse import unquote

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

MINIMUM_BOTOCORE = "1.36.22"
AMPLIFY_PRINCIPAL = "amplify.amazonaws.com"
SSR_PLATFORMS = ("WEB_COMPUTE", "WEB_DYNAMIC")
ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]{1,64})$")
ROLE_NAME_RE = re.compile(r"^[\w+=,.@-]{1,64}$")
APP_ID_RE = re.compile(r"^d[a-z0-9]{1,19}$")
COMPUTE_ROLE_NOT_ASSUMABLE = "The compute role provided cannot be assumed by Amplify"

# Amplify answers throttling with LimitExceededException (429) and has two 5xx codes of its own.
RETRY_CODES = ["LimitExceededException", "InternalFailureException", "DependentServiceFailureException"]
amplify_retry = AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30, catch_extra_error_codes=RETRY_CODES)

# Keys whose contents are the user's own (environment variable names, tag keys): never re-cased.
USER_KEYED = ["tags", "environmentVariables"]
# Returned by the API but secret or useless to a playbook.
NEVER_RETURNED = ("basicAuthCredentials",)


class AmplifyError(Exception):
    """A failure a module reports with fail_json(msg=...)."""


def to_snake(resource):
    """An Amplify API structure as a module result: snake_case keys, ISO dates, no secrets."""
    if resource is None:
        return None
    cleaned = dict((k, v) for k, v in resource.items() if k not in NEVER_RETURNED)
    return camel_dict_to_snake_dict(normalize_boto3_result(cleaned), ignore_list=USER_KEYED)


def paginate(client, operation, result_key, **params):
    """Every item of a paginated Amplify listing (list_apps, list_branches, list_jobs), retried."""
    pages = client.get_paginator(operation).paginate(**params)
    return amplify_retry(pages.build_full_result)().get(result_key, [])


def find_app(client, app_id=None, name=None):
    """The app with this id, or the only app with this name; None when there is none.

    Names are not unique in Amplify: two apps with the name asked for is an error listing their ids,
    never a guess.
    """
    if app_id:
        if not APP_ID_RE.match(app_id):
            raise AmplifyError("app_id %r is not an Amplify app id (d followed by lowercase letters and digits)" % app_id)
        try:
            return amplify_retry(client.get_app)(appId=app_id)["app"]
        except client.exceptions.NotFoundException:
            return None
    matches = [app for app in paginate(client, "list_apps", "apps") if app["name"] == name]
    if len(matches) > 1:
        raise AmplifyError(
            "name %r matches %d Amplify apps (%s); set app_id to choose one"
            % (name, len(matches), ", ".join(sorted(app["appId"] for app in matches)))
        )
    return matches[0] if matches else None


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
        if have != value:
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
    """True when the trust policy lets amplify.amazonaws.com sts:AssumeRole and no Deny takes it away."""
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
    return info.get("Code") == "BadRequestException" and COMPUTE_ROLE_NOT_ASSUMABLE in info.get("Message", "")
