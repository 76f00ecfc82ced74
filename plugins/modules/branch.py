#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: branch
version_added: 0.1.0
short_description: Manage the branches of AWS Amplify Hosting apps
description:
  - Create, update and delete the branches of an AWS Amplify Hosting app, including the branch's compute
    role (the IAM role the branch's server-side rendering compute runs with, overriding the app's default).
  - Only what differs from the branch as it is gets updated; a second identical run changes nothing and
    makes no write call.
  - With O(app) given as an app id, a run that changes nothing makes a single read (GetBranch). The app
    itself is read only when the branch does not exist, or when a compute role is being set or changed
    (to check that the app's platform supports compute roles).
author:
  - amplify_hosting.ssr contributors (@amplify-hosting)
options:
  state:
    description:
      - V(present) creates the branch or brings it to the options given; V(absent) deletes it.
      - With V(absent), a branch that does not exist, or an app that does not exist (by id or by name),
        reports no change. An app name that matches several apps is still an error.
    type: str
    choices: [present, absent]
    default: present
  app:
    description:
      - The app the branch belongs to, by its id (for example V(d1a2b3c4d5e6f7)) or by its name.
      - A name must be unique in the account and region; when several apps have it the module fails and
        lists their ids. A value shaped like an app id is tried as an id first, then as a name.
    type: str
    required: true
  branch_name:
    description:
      - The name of the branch, for example V(main) or V(feature/login).
    type: str
    required: true
    aliases: [name]
  description:
    description:
      - The description of the branch. V("") clears it.
    type: str
  stage:
    description:
      - The stage of the branch.
    type: str
    choices: [PRODUCTION, BETA, DEVELOPMENT, EXPERIMENTAL, PULL_REQUEST]
  framework:
    description:
      - The framework of the branch, for example V(Next.js - SSR). V("") clears it.
    type: str
  enable_auto_build:
    description:
      - Whether Amplify builds the branch automatically on every push.
    type: bool
  environment_variables:
    description:
      - The branch's environment variables, as a map of names to values. The map replaces the branch's
        variables entirely; V({}) removes them all. Values are turned into strings.
    type: dict
  compute_role_arn:
    description:
      - The ARN of the IAM role the branch's server-side rendering compute runs with, overriding the app's
        default compute role. V("") removes the override, so the branch uses the app's role again.
      - The role must trust V(amplify.amazonaws.com); use M(amplify_hosting.ssr.compute_role) to have the
        role checked and IAM propagation waited for.
      - Only for branches of apps on the V(WEB_COMPUTE) and V(WEB_DYNAMIC) platforms; on any other app the
        module fails before writing anything.
    type: str
notes:
  - Supports C(check_mode) and C(diff); the diff shows, before and after, the options that change and the tags.
  - The URL returned is C(https://<display name>.<default domain>), where the display name is the branch
    name with C(/) replaced by C(-). The default domain is the app's C(defaultDomain) when the module read
    the app anyway; otherwise it is derived from the app id as C(<app id>.amplifyapp.com), which is what
    Amplify gives every app, so no extra read is made for it.
  - Compute roles need botocore 1.36.22 or later.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The main branch of an SSR app, running with its own compute role
  amplify_hosting.ssr.branch:
    app: "{{ demo_app.app.app_id }}"
    branch_name: main
    stage: PRODUCTION
    framework: Next.js - SSR
    enable_auto_build: true
    compute_role_arn: arn:aws:iam::123456789012:role/compute-role-demo-prod
    environment_variables:
      BUCKET_NAME: compute-role-demo-prod-images
    tags:
      environment: prod
  register: main_branch

- name: Show where the branch is served
  ansible.builtin.debug:
    msg: "{{ main_branch.branch.url }}"

- name: A feature branch of the app found by its (unique) name, using the app's default compute role
  amplify_hosting.ssr.branch:
    app: compute-role-demo
    branch_name: feature/login
    stage: DEVELOPMENT
    compute_role_arn: ""

- name: Delete the feature branch
  amplify_hosting.ssr.branch:
    app: compute-role-demo
    branch_name: feature/login
    state: absent
"""

RETURN = r"""
branch:
  description:
    - The branch as it is after the run (in check mode, as it would be). Empty after O(state=absent).
    - Basic auth credentials are never returned.
  returned: always
  type: dict
  contains:
    app_id:
      description: The id of the app the branch belongs to.
      type: str
      sample: d1a2b3c4d5e6f7
    branch_name:
      description: The name of the branch.
      type: str
      sample: feature/login
    branch_arn:
      description: The ARN of the branch.
      type: str
      sample: arn:aws:amplify:us-east-1:123456789012:apps/d1a2b3c4d5e6f7/branches/feature%2Flogin
    display_name:
      description: The name the branch is served under (the branch name with C(/) replaced by C(-)).
      type: str
      sample: feature-login
    url:
      description: Where the branch is served.
      type: str
      sample: https://feature-login.d1a2b3c4d5e6f7.amplifyapp.com
    description:
      description: The description of the branch.
      type: str
    stage:
      description: The stage of the branch.
      type: str
      sample: PRODUCTION
    framework:
      description: The framework of the branch.
      type: str
      sample: Next.js - SSR
    enable_auto_build:
      description: Whether the branch builds on every push.
      type: bool
    environment_variables:
      description: The branch's environment variables.
      type: dict
    compute_role_arn:
      description: The branch's own compute role; V("") when it uses the app's default.
      type: str
      sample: arn:aws:iam::123456789012:role/compute-role-demo-prod
    active_job_id:
      description: The id of the branch's latest job.
      type: str
    total_number_of_jobs:
      description: How many jobs the branch has had.
      type: str
    create_time:
      description: When the branch was created.
      type: str
    update_time:
      description: When the branch was last updated.
      type: str
    tags:
      description: The tags of the branch.
      type: dict
url:
  description: Where the branch is served, the same as RV(branch.url).
  returned: when O(state=present)
  type: str
  sample: https://main.d1a2b3c4d5e6f7.amplifyapp.com
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import MINIMUM_BOTOCORE
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import api_params
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import app_not_found
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import branch_result
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import changed_params
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import check_compute_platform
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import check_role_arn
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import create_branch
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import default_domain
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import delete_branch
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import ensure_tags
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import get_app
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import locate_branch
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import managed_diff
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import update_branch

# Option name -> API member, for what the module compares and updates.
MANAGED = {
    "description": "description",
    "stage": "stage",
    "framework": "framework",
    "enable_auto_build": "enableAutoBuild",
    "environment_variables": "environmentVariables",
    "compute_role_arn": "computeRoleArn",
}


def desired_state(params):
    """What the user asks for, as API members, after checking what can be checked without a call."""
    check_role_arn(params["compute_role_arn"], "compute_role_arn", allow_empty=True)
    desired = api_params(params, MANAGED)
    if "environmentVariables" in desired:
        desired["environmentVariables"] = dict((k, str(v)) for k, v in desired["environmentVariables"].items())
    return desired


def check_app_platform(client, app_id, app):
    """Fail naming compute_role_arn unless the app is an SSR app (reading the app if not read yet)."""
    if app is None:
        app = get_app(client, app_id)
    if app is None:
        raise app_not_found(app_id)
    check_compute_platform(app.get("platform"), "compute_role_arn")
    return app


def ensure_created(client, module, app_id, app, desired):
    name = module.params["branch_name"]
    if desired.get("computeRoleArn"):
        app = check_app_platform(client, app_id, app)
    params = dict((k, v) for k, v in desired.items() if v != "")
    if module.params["tags"]:
        params["tags"] = module.params["tags"]
    diff = managed_diff({}, desired, MANAGED, extra_after={"tags": module.params["tags"] or {}})
    diff["before"] = {}
    domain = default_domain(app_id, app)
    if module.check_mode:
        planned = dict(params, branchName=name, displayName=name.replace("/", "-"), tags=module.params["tags"] or {})
        return dict(changed=True, branch=branch_result(planned, app_id, domain), diff=diff)
    created = create_branch(client, app_id, name, **params)
    return dict(changed=True, branch=branch_result(created, app_id, domain), diff=diff)


def ensure_updated(client, module, app_id, app, branch, desired):
    changes = changed_params(desired, branch)
    if changes.get("computeRoleArn"):
        app = check_app_platform(client, app_id, app)
    after = dict(branch)
    if changes:
        if module.check_mode:
            after.update(changes)
        else:
            after = update_branch(client, app_id, branch["branchName"], **changes)
    tags_changed, tags_after = ensure_tags(
        client, module, branch["branchArn"], branch.get("tags"), module.params["tags"], module.params["purge_tags"]
    )
    after["tags"] = tags_after
    extra = ({"tags": branch.get("tags") or {}}, {"tags": tags_after}) if tags_changed else ({}, {})
    diff = managed_diff(branch, changes, MANAGED, extra_before=extra[0], extra_after=extra[1])
    if "compute_role_arn" in diff["before"]:
        diff["before"]["compute_role_arn"] = diff["before"]["compute_role_arn"] or ""
    result = branch_result(after, app_id, default_domain(app_id, app))
    return dict(changed=bool(changes) or tags_changed, branch=result, diff=diff)


def ensure_present(client, module):
    params = module.params
    desired = desired_state(params)
    app_id, app, branch = locate_branch(client, params["app"], params["branch_name"])
    if app_id is None:
        raise app_not_found(params["app"])
    if branch is None:
        result = ensure_created(client, module, app_id, app, desired)
    else:
        result = ensure_updated(client, module, app_id, app, branch, desired)
    result["url"] = result["branch"]["url"]
    return result


def ensure_absent(client, module):
    app_id, app, branch = locate_branch(client, module.params["app"], module.params["branch_name"])
    if branch is None:
        return dict(changed=False, branch={}, diff={"before": {}, "after": {}})
    if not module.check_mode:
        delete_branch(client, app_id, branch["branchName"])
    before = branch_result(branch, app_id, default_domain(app_id, app))
    return dict(changed=True, branch={}, diff={"before": before, "after": {}})


def main():
    argument_spec = dict(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        app=dict(type="str", required=True),
        branch_name=dict(type="str", required=True, aliases=["name"]),
        description=dict(type="str"),
        stage=dict(type="str", choices=["PRODUCTION", "BETA", "DEVELOPMENT", "EXPERIMENTAL", "PULL_REQUEST"]),
        framework=dict(type="str"),
        enable_auto_build=dict(type="bool"),
        environment_variables=dict(type="dict"),
        compute_role_arn=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    module.require_botocore_at_least(MINIMUM_BOTOCORE, reason="to manage compute roles")
    client = module.client("amplify")

    try:
        if module.params["state"] == "present":
            result = ensure_present(client, module)
        else:
            result = ensure_absent(client, module)
    except AmplifyError as e:
        module.fail_json_aws_error(e)

    module.exit_json(**result)


if __name__ == "__main__":
    main()
