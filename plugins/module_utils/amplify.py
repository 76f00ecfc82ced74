# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Amplify API as the modules call it.

The error handler (every failure an AmplifyError saying what failed), one wrapper per API call, paginated
listing, and finding an app by id or by a name that must be unique, or a branch of it. Retries are botocore's
(retry.py); the creates go through create_once().
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.aws_helpers import is_boto3_error_code
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import create_once

MINIMUM_BOTOCORE = "1.36.22"
APP_ID_RE = re.compile(r"^d[a-z0-9]{1,19}$")
# The ids Amplify gives apps: d and 13 lowercase letters and digits (an app id option of that shape is an id).
GENERATED_APP_ID_RE = re.compile(r"^d[a-z0-9]{13}$")
TERMINAL_JOB_STATUSES = ("SUCCEED", "FAILED", "CANCELLED")


class AmplifyError(AnsibleAWSError):
    """A failure a module reports with fail_json_aws_error(): a message, and the botocore error if any."""


class AmplifyErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AmplifyError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NotFoundException")


def paginate(client, operation, result_key, **params):
    """Every item of a paginated Amplify listing (list_apps, list_branches, list_jobs)."""
    pages = client.get_paginator(operation).paginate(**params)
    return pages.build_full_result().get(result_key, [])


# -- API calls: each failure an AmplifyError saying what failed ------------------------------------------


@AmplifyErrorHandler.list_error_handler("get app")
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
def update_app(client, app_id, **params):
    return client.update_app(appId=app_id, **params)["app"]


@AmplifyErrorHandler.deletion_error_handler("delete app")
def delete_app(client, app_id):
    client.delete_app(appId=app_id)
    return True


@AmplifyErrorHandler.list_error_handler("get branch")
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
def update_branch(client, app_id, branch_name, **params):
    return client.update_branch(appId=app_id, branchName=branch_name, **params)["branch"]


@AmplifyErrorHandler.deletion_error_handler("delete branch")
def delete_branch(client, app_id, branch_name):
    client.delete_branch(appId=app_id, branchName=branch_name)
    return True


@AmplifyErrorHandler.common_error_handler("tag resource")
def tag_resource(client, arn, tags):
    client.tag_resource(resourceArn=arn, tags=tags)


@AmplifyErrorHandler.common_error_handler("untag resource")
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
def get_job(client, app_id, branch_name, job_id):
    return client.get_job(appId=app_id, branchName=branch_name, jobId=job_id)["job"]


@AmplifyErrorHandler.common_error_handler("list jobs")
def list_jobs(client, app_id, branch_name):
    return paginate(client, "list_jobs", "jobSummaries", appId=app_id, branchName=branch_name)


@AmplifyErrorHandler.common_error_handler("stop job")
def stop_job(client, app_id, branch_name, job_id):
    return client.stop_job(appId=app_id, branchName=branch_name, jobId=job_id)["jobSummary"]


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


def planned_in_check_mode(module, ref, what, plan, option="app"):
    """In check mode, `what` ("no Amplify app has the id or name ..."), which `ref` names, may be made by an
    earlier task of the same run: warn, and let the module report `plan` (what it would do) once it exists. An app
    id Amplify would give (GENERATED_APP_ID_RE), or a real run, fails as before."""
    if not module.check_mode or (option == "app" and GENERATED_APP_ID_RE.match(ref)):
        return False
    module.warn(
        "%s: %s yet; check mode reports %s as once an earlier task of the run has made it, and a real run fails"
        " unless one does" % (option, what, plan)
    )
    return True


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
