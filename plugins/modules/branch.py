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
  - A compute role being set or changed is checked before anything is written, so that a bad role never
    leaves a branch half made (created, or updated, without its role) - the app must be an SSR app, and the
    role (read from IAM) must exist and trust V(amplify.amazonaws.com). It then goes into the same
    C(CreateBranch) or C(UpdateBranch) call as the rest, retried while IAM propagates a new role (see
    O(wait_timeout)). A branch that already has the role asked for costs no IAM read.
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
        variables (all but the secret ones, see O(secret_environment_variables)); V({}) removes them. Values
        are turned into strings.
    type: dict
  compute_role_arn:
    description:
      - The IAM role the branch's server-side rendering compute runs with, overriding the app's default
        compute role, by ARN (V(arn:aws:iam::123456789012:role/[path/]name)) or by role name (looked up in IAM
        in the account of the credentials, as M(amplify_hosting.ssr.compute_role) does). V("") removes the
        override, so the branch uses the app's role again.
      - A role name is compared with the branch's role by name (role names are unique in an account), so a
        branch that already runs with it costs no IAM read either.
      - When it is set or changed, the module reads the role from IAM and fails before writing anything
        when it does not exist (in check mode it warns instead, as an earlier task may create it, and reports
        a role name with the ARN it would have, with path V(/) in the app's account and partition) or when its trust
        policy does not let V(amplify.amazonaws.com) assume it. While Amplify answers that a new role
        "cannot be assumed" (IAM propagation), the write is retried for up to O(wait_timeout) seconds.
      - Only for branches of apps on the V(WEB_COMPUTE) and V(WEB_DYNAMIC) platforms; on any other app the
        module fails before writing anything.
    type: str
  secret_environment_variables:
    description:
      - Environment variables whose values are secret (API keys, passwords), as a map of names to values.
        Amplify gets them as environment variables like the others (it has no secret flag); their values
        are never logged, returned or shown in a diff (V(********)).
      - The names (never the values) are recorded in the branch's tag
        C(amplify_hosting.ssr:secret-environment-variables), so that every module of the collection that returns
        the branch masks their values (M(amplify_hosting.ssr.branch_info), this module's RV(branch) and diff).
        That tag is the module's own; O(tags) and O(purge_tags) neither set nor remove it.
      - The map replaces the branch's secret variables; V({}) removes them; not given, they are left as they are.
        O(environment_variables) replaces the other variables; each option manages its own part, and a name
        may not be in both.
      - The values are compared with the branch's on every run (internally), so a run that changes nothing writes
        nothing, and a changed value is an update.
      - Names are letters, digits and the characters C(_.:/=+-@) (what the tag can hold), at most 256 characters in all.
      - Ansible masks every occurrence of a no_log value in the output, so avoid values that are short or common words.
    type: dict
    version_added: 0.1.0
  enable_basic_auth:
    description:
      - Whether visitors must log in with basic auth (a username and password) to see the branch. It
        takes precedence over the app's basic auth (M(amplify_hosting.ssr.app)).
      - Not given, O(basic_auth_credentials) turns it on, and otherwise it is left as it is. V(true) needs
        credentials, given in O(basic_auth_credentials) or already set on the branch.
      - Amplify applies a change to an SSR app at the branch's next deployment.
    type: bool
    version_added: 0.1.0
notes:
  - Supports C(check_mode) and C(diff); the diff shows, before and after, the options that change and the tags.
  - The URL returned is C(https://<display name>.<default domain>), where the display name is the branch
    name with C(/) replaced by C(-). The default domain is the app's C(defaultDomain) when the module read
    the app anyway; otherwise it is derived from the app id as C(<app id>.amplifyapp.com), which is what
    Amplify gives every app, so no extra read is made for it.
  - Compute roles need botocore 1.36.22 or later.
  - Setting O(compute_role_arn) needs C(iam:GetRole) on the role besides the Amplify permissions, and
    C(iam:PassRole) on it for Amplify to accept it.
extends_documentation_fragment:
  - amplify_hosting.ssr.basic_auth
  - amplify_hosting.ssr.compute_role_wait
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amplify_hosting.ssr.boto3
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
    wait_timeout: 180
    environment_variables:
      BUCKET_NAME: compute-role-demo-prod-images
    tags:
      environment: prod
  register: main_branch

- name: A preview branch behind basic auth, with a secret variable (values from ansible-vault)
  amplify_hosting.ssr.branch:
    app: "{{ demo_app.app.app_id }}"
    branch_name: preview
    basic_auth_credentials:
      username: preview
      password: "{{ vault_preview_password }}"
    environment_variables:
      BUCKET_NAME: compute-role-demo-dev-images
    secret_environment_variables:
      API_KEY: "{{ vault_api_key }}"

- name: Show where the branch is served
  ansible.builtin.debug:
    msg: "{{ main_branch.branch.url }}"

- name: A feature branch of the app found by its (unique) name, using the app's default compute role
  amplify_hosting.ssr.branch:
    app: compute-role-demo
    branch_name: feature/login
    stage: DEVELOPMENT
    compute_role_arn: ""

- name: A staging branch running with a role given by name (checked in IAM before the branch is written)
  amplify_hosting.ssr.branch:
    app: compute-role-demo
    branch_name: staging
    stage: BETA
    compute_role_arn: compute-role-demo-staging
  register: staging_branch

- name: Show the role's ARN
  ansible.builtin.debug:
    msg: "{{ staging_branch.branch.compute_role_arn }}"

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
    - Basic auth credentials are never returned, nor the values of secret environment variables.
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
      description: The branch's environment variables; the value of each secret one is V(********).
      type: dict
    enable_basic_auth:
      description: Whether visitors must log in with basic auth (the credentials are never returned).
      type: bool
    compute_role_arn:
      description: The ARN of the branch's own compute role (also when O(compute_role_arn) gave a role name); V("") when it uses the app's default.
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
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import app_not_found
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import create_branch
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import delete_branch
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import get_app
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import locate_branch
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import planned_in_check_mode
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import update_branch
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.compute_roles import ComputeRoleRef
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.compute_roles import check_compute_platform
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.compute_roles import write_with_role
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import DESCRIPTION_MAX
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import FRAMEWORK_MAX
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import branch_name_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import check
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import environment_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import name_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import tag_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import text_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.results import api_params
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.results import branch_result
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.results import changed_params
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.results import converge
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.results import default_domain
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.results import planned_creation
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import client as aws_client
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import basic_auth_credentials_spec
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import basic_auth_params
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import check_basic_auth
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import check_secret_variables
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import note_stored_secrets
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import run_scrubbed
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import split_environment

# Option name -> API member, for what the module compares and updates.
MANAGED = {
    "description": "description",
    "stage": "stage",
    "framework": "framework",
    "enable_auto_build": "enableAutoBuild",
    "environment_variables": "environmentVariables",
    "compute_role_arn": "computeRoleArn",
    "enable_basic_auth": "enableBasicAuth",
    "basic_auth_credentials": "basicAuthCredentials",
}


def input_problems(params):
    """Every option checked by AWS's rules (module_utils/inputs.py), before any call."""
    problems = name_problems(params["app"], "app") + branch_name_problems(params["branch_name"])
    problems += text_problems(params["description"], "description", DESCRIPTION_MAX)
    problems += text_problems(params["framework"], "framework", FRAMEWORK_MAX)
    problems += environment_problems(params["environment_variables"], "environment_variables")
    problems += environment_problems(params["secret_environment_variables"], "secret_environment_variables")
    problems += tag_problems(params["tags"], "tags", "amplify")
    return problems


def desired_state(params):
    """What the user asks for, as API members, after checking what can be checked without a call; and the
    compute role option parsed (None when not given or "")."""
    ref = ComputeRoleRef(params["compute_role_arn"], "compute_role_arn") if params["compute_role_arn"] else None
    desired = api_params(params, MANAGED)
    if "environmentVariables" in desired:
        desired["environmentVariables"] = dict((k, str(v)) for k, v in desired["environmentVariables"].items())
    desired.update(basic_auth_params(params))
    check_secret_variables(params["environment_variables"], params["secret_environment_variables"])
    return desired, ref


def planned_for_app_to_come(client, module, desired, ref):
    """Check mode, for an app an earlier task of the run may create: the branch as it would be created (its role
    checked, by ARN or by name as given), without an app id or URL yet."""
    if ref is not None:
        desired["computeRoleArn"] = ref.resolve(module, aws_client(module, "iam"), None)
    variables, secret_names = split_environment(
        None, None, module.params["environment_variables"], module.params["secret_environment_variables"])
    if variables is not None:
        desired["environmentVariables"] = variables
    tags, diff = planned_creation(desired, module.params["tags"], secret_names, MANAGED)
    name = module.params["branch_name"]
    planned = dict((k, v) for k, v in desired.items() if v != "")
    planned.update(branchName=name, displayName=name.replace("/", "-"), tags=tags)
    branch = branch_result(planned, "", "")
    branch.update(app_id="", url="")
    return dict(changed=True, branch=branch, diff=diff, url="")


def check_app_platform(client, app_id, app):
    """Fail naming compute_role_arn unless the app is an SSR app (reading the app if not read yet)."""
    if app is None:
        app = get_app(client, app_id)
    if app is None:
        raise app_not_found(app_id)
    check_compute_platform(app.get("platform"), "compute_role_arn")
    return app


def check_compute_role(client, module, app_id, app, ref):
    """Before any write: the app must be an SSR app (read if not read yet) and the role must exist and trust
    Amplify (compute_roles). Returns (the app, the role's ARN)."""
    app = check_app_platform(client, app_id, app)
    return app, ref.resolve(module, aws_client(module, "iam"), app["appArn"])


def ensure_created(client, module, app_id, app, desired, ref, secret_names=None):
    name = module.params["branch_name"]
    if ref is not None:
        app, desired["computeRoleArn"] = check_compute_role(client, module, app_id, app, ref)
    params = dict((k, v) for k, v in desired.items() if v != "")
    tags, diff = planned_creation(desired, module.params["tags"], secret_names, MANAGED)
    if tags:
        params["tags"] = tags
    domain = default_domain(app_id, app)
    if module.check_mode:
        planned = dict(params, branchName=name, displayName=name.replace("/", "-"), tags=tags)
        return dict(changed=True, branch=branch_result(planned, app_id, domain), diff=diff)
    created = write_with_role(
        lambda: create_branch(client, app_id, name, **params),
        params.get("computeRoleArn"), "new branch %s of app %s" % (name, app_id),
        module.params["wait_timeout"], "compute_role_arn",
    )
    return dict(changed=True, branch=branch_result(created, app_id, domain), diff=diff)


def ensure_updated(client, module, app_id, app, branch, desired, ref, secret_names=None):
    current_role = branch.get("computeRoleArn")
    if ref is not None and current_role and ref.matches(current_role):
        desired = dict(desired, computeRoleArn=current_role)  # the same role by name: nothing to read
    changes = changed_params(desired, branch)
    if changes.get("computeRoleArn"):
        app, changes["computeRoleArn"] = check_compute_role(client, module, app_id, app, ref)

    def write(changes):
        return write_with_role(
            lambda: update_branch(client, app_id, branch["branchName"], **changes),
            changes.get("computeRoleArn"), "branch %s of app %s" % (branch["branchName"], app_id),
            module.params["wait_timeout"], "compute_role_arn",
        )

    changed, after, diff = converge(
        client, module, branch, branch["branchArn"], changes, write,
        module.params["tags"], module.params["purge_tags"], secret_names, MANAGED,
    )
    return dict(changed=changed, branch=branch_result(after, app_id, default_domain(app_id, app)), diff=diff)


def ensure_present(client, module):
    params = module.params
    desired, ref = desired_state(params)
    app_id, app, branch = locate_branch(client, params["app"], params["branch_name"])
    if app_id is None:
        if not planned_in_check_mode(module, params["app"], "no Amplify app has the id or name %r" % params["app"],
                                     "branch %s" % params["branch_name"]):
            raise app_not_found(params["app"])
        return planned_for_app_to_come(client, module, desired, ref)
    # environment_variables and secret_environment_variables each replace their part of the variables.
    variables, secret_names = split_environment(
        (branch or {}).get("environmentVariables"), (branch or {}).get("tags"),
        params["environment_variables"], params["secret_environment_variables"],
    )
    if variables is not None:
        desired["environmentVariables"] = variables
    note_stored_secrets(module, branch)
    check_basic_auth(branch, desired)
    if branch is None:
        result = ensure_created(client, module, app_id, app, desired, ref, secret_names)
    else:
        result = ensure_updated(client, module, app_id, app, branch, desired, ref, secret_names)
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
        wait_timeout=dict(type="int", default=120),
        secret_environment_variables=dict(type="dict", no_log=True),
        enable_basic_auth=dict(type="bool"),
        basic_auth_credentials=basic_auth_credentials_spec(),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    module.require_botocore_at_least(MINIMUM_BOTOCORE, reason="to manage compute roles")
    if module.params["wait_timeout"] < 0:
        module.fail_json(msg="wait_timeout: must be 0 or more seconds, not %d" % module.params["wait_timeout"])
    client = aws_client(module, "amplify")
    ensure = ensure_present if module.params["state"] == "present" else ensure_absent

    try:
        check(input_problems(module.params))
        # No secret in the output: neither the options' nor the ones the app or branch already has.
        result = run_scrubbed(module, lambda: ensure(client, module))
    except AmplifyError as e:
        module.fail_json_aws_error(e)

    module.exit_json(**result)


if __name__ == "__main__":
    main()
