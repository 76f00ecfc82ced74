#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: app
version_added: 0.1.0
short_description: Manage AWS Amplify Hosting apps
description:
  - Create, update and delete AWS Amplify Hosting apps, including the app's default compute role (the IAM
    role the server-side rendering compute of every branch runs with, unless the branch overrides it).
  - Only what differs from the app as it is gets updated; a second identical run changes nothing and makes
    no write call.
  - Amplify app names are not unique. An app is found by O(app_id), or else by O(name); when two apps have
    that name and O(app_id) is not set, the module fails and lists their ids instead of guessing.
author:
  - amplify_hosting.ssr contributors (@amplify-hosting)
options:
  state:
    description:
      - V(present) creates the app or brings it to the options given; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  app_id:
    description:
      - The id of the app (for example V(d1a2b3c4d5e6f7)).
      - When set the app is found by id, and O(name) (if given) renames it.
      - With O(state=present) an app id that does not exist is an error, as Amplify chooses ids and the module
        cannot create an app with a given id.
    type: str
  name:
    description:
      - The name of the app. Required to create one.
      - Without O(app_id), the app is found by this name, which must then be unique in the account and region.
    type: str
  description:
    description:
      - The description of the app. V("") clears it.
    type: str
  platform:
    description:
      - The hosting platform. V(WEB_COMPUTE) hosts server-side rendered apps such as Next.js SSR, and is the
        platform compute roles are for. V(WEB) is static hosting. V(WEB_DYNAMIC) is the older SSR platform.
      - A new app gets V(WEB_COMPUTE) when this is not set; an existing app keeps its platform.
    type: str
    choices: [WEB, WEB_COMPUTE, WEB_DYNAMIC]
  repository:
    description:
      - The Git repository of the app, for example V(https://github.com/example/nextjs-app).
      - Connecting a repository needs O(access_token).
    type: str
  access_token:
    description:
      - A personal access token of the Git provider (GitHub), used by Amplify to connect O(repository).
      - Amplify never returns the token, so it cannot be compared. It is sent when the app is created and
        when O(repository) changes; to rotate a token, set O(repository) again together with the new token
        on an app connected elsewhere, or recreate the app.
      - Keep it in ansible-vault or read it from the environment; it is never logged or returned.
    type: str
  compute_role_arn:
    description:
      - The IAM role the app's server-side rendering compute runs with, by default for every branch, by its ARN
        or by its name (in the account of the credentials). V("") removes the role.
      - A role name is compared with the app's role by name (role names are unique in an account), so an app
        that already runs with it costs no IAM read.
      - When it is set or changed, the module reads the role from IAM and fails before writing anything (before
        an app is created, too) when it does not exist (in check mode it warns instead, as an earlier task may
        create it) or when its trust policy does not let V(amplify.amazonaws.com) assume it. While Amplify
        answers that a new role "cannot be assumed" (IAM propagation), the write is retried for up to
        O(wait_timeout) seconds. These are the checks of M(amplify_hosting.ssr.compute_role) and
        M(amplify_hosting.ssr.branch).
      - Only for the V(WEB_COMPUTE) and V(WEB_DYNAMIC) platforms.
    type: str
  iam_service_role_arn:
    description:
      - The ARN of the IAM service role Amplify uses to build and deploy the app (not the compute role).
    type: str
  environment_variables:
    description:
      - The app's environment variables, as a map of names to values. The map replaces the app's variables
        (all but the secret ones, see O(secret_environment_variables)); V({}) removes them. Values are turned
        into strings.
    type: dict
  build_spec:
    description:
      - The build specification (the content of an C(amplify.yml)). Trailing whitespace is ignored when
        comparing.
    type: str
  custom_rules:
    description:
      - Rewrite and redirect rules, in order. The list replaces the app's rules.
    type: list
    elements: dict
    suboptions:
      source:
        description: The source pattern of the URL.
        type: str
        required: true
      target:
        description: The target pattern of the URL.
        type: str
        required: true
      status:
        description: The status code, for example V(200) (rewrite) or V(301) (redirect).
        type: str
      condition:
        description: A country code condition for redirects.
        type: str
  enable_branch_auto_build:
    description:
      - Whether Amplify builds a branch automatically on every push.
    type: bool
  enable_auto_branch_creation:
    description:
      - Whether Amplify connects new branches that match O(auto_branch_creation_patterns) automatically.
    type: bool
  auto_branch_creation_patterns:
    description:
      - Glob patterns of the branches to connect automatically, for example V(feature/*). Order does not matter.
    type: list
    elements: str
  creation_tags:
    description:
      - Tags given to the app only when this module creates it, added to O(tags) (O(tags) wins on a shared key).
      - On an existing app they are neither compared, added nor removed, even with O(purge_tags=true), so an app
        several playbook runs share keeps, for example, the C(environment) that created it.
    type: dict
  secret_environment_variables:
    description:
      - Environment variables whose values are secret (API keys, passwords), as a map of names to values.
        Amplify gets them as environment variables like the others (it has no secret flag); their values
        are never logged, returned or shown in a diff (V(********)).
      - The names (never the values) are recorded in the app's tag
        C(amplify_hosting.ssr:secret-environment-variables), so that every module of the collection that returns
        the app masks their values (M(amplify_hosting.ssr.app_info), this module's RV(app) and diff).
        That tag is the module's own; O(tags) and O(purge_tags) neither set nor remove it.
      - The map replaces the app's secret variables; V({}) removes them; not given, they are left as they are.
        O(environment_variables) replaces the other variables; each option manages its own part, and a name
        may not be in both.
      - The values are compared with the app's on every run (internally), so a run that changes nothing writes
        nothing, and a changed value is an update.
      - Names are letters, digits and the characters C(_.:/=+-@) (what the tag can hold), at most 256 characters in all.
      - Ansible masks every occurrence of a no_log value in the output, so avoid values that are short or common words.
    type: dict
    version_added: 0.1.0
  enable_basic_auth:
    description:
      - Whether visitors must log in with basic auth (a username and password) to see the app.
      - Not given, O(basic_auth_credentials) turns it on, and otherwise it is left as it is. V(true) needs
        credentials, given in O(basic_auth_credentials) or already set on the app.
      - Amplify applies a change to an SSR app at the branch's next deployment.
    type: bool
    version_added: 0.1.0
notes:
  - Supports C(check_mode) and C(diff); the diff shows, before and after, the options that change and the tags.
  - Compute roles need botocore 1.36.22 or later.
extends_documentation_fragment:
  - amplify_hosting.ssr.basic_auth
  - amplify_hosting.ssr.compute_role_wait
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amplify_hosting.ssr.boto3
"""

EXAMPLES = r"""
- name: An SSR app whose compute runs with a role that reads the image bucket
  amplify_hosting.ssr.app:
    name: compute-role-demo
    repository: https://github.com/example/nextjs-compute-role-demo
    access_token: "{{ lookup('ansible.builtin.env', 'GITHUB_TOKEN') }}"
    compute_role_arn: arn:aws:iam::123456789012:role/compute-role-demo-dev
    environment_variables:
      BUCKET_NAME: compute-role-demo-dev-images
    tags:
      environment: dev
  register: demo_app

- name: The same app behind basic auth, with a secret variable (values from ansible-vault)
  amplify_hosting.ssr.app:
    name: compute-role-demo
    basic_auth_credentials:
      username: preview
      password: "{{ vault_preview_password }}"
    environment_variables:
      BUCKET_NAME: compute-role-demo-dev-images
    secret_environment_variables:
      API_KEY: "{{ vault_api_key }}"

- name: Show the app's default domain
  ansible.builtin.debug:
    msg: "https://main.{{ demo_app.app.default_domain }}"

- name: Remove the app's default compute role, finding the app by id
  amplify_hosting.ssr.app:
    app_id: "{{ demo_app.app.app_id }}"
    compute_role_arn: ""

- name: Delete the app
  amplify_hosting.ssr.app:
    app_id: "{{ demo_app.app.app_id }}"
    state: absent
"""

RETURN = r"""
app:
  description:
    - The app as it is after the run (in check mode, as it would be). Empty after O(state=absent).
    - The access token and basic auth credentials are never returned, nor the values of secret environment
      variables.
  returned: always
  type: dict
  contains:
    app_id:
      description: The id of the app.
      type: str
      sample: d1a2b3c4d5e6f7
    app_arn:
      description: The ARN of the app.
      type: str
      sample: arn:aws:amplify:us-east-1:123456789012:apps/d1a2b3c4d5e6f7
    name:
      description: The name of the app.
      type: str
      sample: compute-role-demo
    description:
      description: The description of the app.
      type: str
    platform:
      description: The hosting platform.
      type: str
      sample: WEB_COMPUTE
    repository:
      description: The Git repository of the app.
      type: str
    default_domain:
      description: The default domain; a branch is served at C(https://<branch>.<default_domain>).
      type: str
      sample: d1a2b3c4d5e6f7.amplifyapp.com
    compute_role_arn:
      description: The app's default compute role; V("") when it has none.
      type: str
      sample: arn:aws:iam::123456789012:role/compute-role-demo-dev
    iam_service_role_arn:
      description: The service role Amplify builds with.
      type: str
      returned: when set
    environment_variables:
      description: The app's environment variables; the value of each secret one is V(********).
      type: dict
    enable_basic_auth:
      description: Whether visitors must log in with basic auth (the credentials are never returned).
      type: bool
    build_spec:
      description: The build specification.
      type: str
      returned: when set
    custom_rules:
      description: The rewrite and redirect rules.
      type: list
      elements: dict
      returned: when set
    enable_branch_auto_build:
      description: Whether branches build on every push.
      type: bool
    enable_auto_branch_creation:
      description: Whether matching branches are connected automatically.
      type: bool
      returned: when set
    auto_branch_creation_patterns:
      description: The patterns of branches connected automatically.
      type: list
      elements: str
      returned: when set
    create_time:
      description: When the app was created.
      type: str
    update_time:
      description: When the app was last updated.
      type: str
    tags:
      description: The tags of the app.
      type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import MINIMUM_BOTOCORE
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import create_app
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import delete_app
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import find_app
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import update_app
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.compute_roles import ComputeRoleRef
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.compute_roles import check_compute_platform
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.compute_roles import check_role_arn
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.compute_roles import write_with_role
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import BUILD_SPEC_MAX
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import DESCRIPTION_MAX
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import check
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import environment_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import name_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import repository_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import tag_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import text_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.results import api_params
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.results import changed_params
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.results import converge
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.results import planned_creation
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.results import to_snake
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import client as aws_client
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import basic_auth_credentials_spec
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import basic_auth_params
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import check_basic_auth
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import check_secret_variables
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import note_stored_secrets
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import run_scrubbed
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import split_environment

# The platform of a new app when none is given: the one for server-side rendering.
DEFAULT_PLATFORM = "WEB_COMPUTE"

# Option name -> API member, for what the module compares and updates.
MANAGED = {
    "name": "name",
    "description": "description",
    "platform": "platform",
    "repository": "repository",
    "compute_role_arn": "computeRoleArn",
    "iam_service_role_arn": "iamServiceRoleArn",
    "environment_variables": "environmentVariables",
    "build_spec": "buildSpec",
    "custom_rules": "customRules",
    "enable_branch_auto_build": "enableBranchAutoBuild",
    "enable_auto_branch_creation": "enableAutoBranchCreation",
    "auto_branch_creation_patterns": "autoBranchCreationPatterns",
    "enable_basic_auth": "enableBasicAuth",
    "basic_auth_credentials": "basicAuthCredentials",
}


def app_result(app):
    result = to_snake(app) or {}
    if app is not None:
        result.setdefault("compute_role_arn", "")
        result.setdefault("tags", {})
    return result


def input_problems(params):
    """Every option checked by AWS's rules (module_utils/inputs.py), before any call."""
    problems = name_problems(params["name"], "name") if params["name"] is not None else []
    problems += text_problems(params["description"], "description", DESCRIPTION_MAX)
    problems += text_problems(params["build_spec"], "build_spec", BUILD_SPEC_MAX)
    problems += repository_problems(params["repository"])
    problems += environment_problems(params["environment_variables"], "environment_variables")
    problems += environment_problems(params["secret_environment_variables"], "secret_environment_variables")
    problems += tag_problems(params["tags"], "tags", "amplify")
    problems += tag_problems(params["creation_tags"], "creation_tags", "amplify")
    return problems


def desired_state(params):
    """What the user asks for, as API members, after checking what can be checked without a call; and the
    compute role option parsed (None when not given or "")."""
    ref = ComputeRoleRef(params["compute_role_arn"], "compute_role_arn") if params["compute_role_arn"] else None
    check_role_arn(params["iam_service_role_arn"], "iam_service_role_arn", allow_empty=True)
    if params["compute_role_arn"] and params["platform"]:
        check_compute_platform(params["platform"], "compute_role_arn")
    desired = api_params(params, MANAGED)
    if "environmentVariables" in desired:
        desired["environmentVariables"] = dict((k, str(v)) for k, v in desired["environmentVariables"].items())
    if "customRules" in desired:
        desired["customRules"] = [dict((k, v) for k, v in rule.items() if v is not None) for rule in desired["customRules"]]
    desired.update(basic_auth_params(params))
    check_secret_variables(params["environment_variables"], params["secret_environment_variables"])
    return desired, ref


def check_platform_after(app, desired, params):
    """The app's compute role (wanted or kept) must suit its platform (wanted or kept) after the run."""
    platform = desired.get("platform") or (app or {}).get("platform")
    role = desired["computeRoleArn"] if "computeRoleArn" in desired else (app or {}).get("computeRoleArn")
    if role:
        check_compute_platform(platform, "compute_role_arn" if params["compute_role_arn"] else "platform")


def write_app(module, write, role_arn, target):
    """write(), retried while IAM propagates the compute role it sets (compute_roles.write_with_role)."""
    return write_with_role(write, role_arn, target, module.params["wait_timeout"], "compute_role_arn")


def ensure_created(client, module, desired, ref, secret_names=None):
    if ref is not None:
        # Checked before CreateApp: a role that cannot be used leaves no app behind.
        desired["computeRoleArn"] = ref.resolve(module, aws_client(module, "iam"), None)
    params = dict((k, v) for k, v in desired.items() if v != "")
    if module.params["access_token"]:
        params["accessToken"] = module.params["access_token"]
    tags, diff = planned_creation(
        desired, dict(module.params["creation_tags"] or {}, **(module.params["tags"] or {})), secret_names, MANAGED
    )
    if tags:
        params["tags"] = tags
    if module.check_mode:
        planned = dict(params, tags=tags)
        planned.pop("accessToken", None)
        return dict(changed=True, app=app_result(planned), diff=diff)
    created = write_app(module, lambda: create_app(client, **params), params.get("computeRoleArn"), "new app %s" % params["name"])
    return dict(changed=True, app=app_result(created), diff=diff)


def wanted_tags(params, app):
    """O(tags) for an existing app, keeping (never purging) its values for the keys of O(creation_tags)."""
    tags = params["tags"]
    if tags is None or not params["creation_tags"]:
        return tags
    current = app.get("tags") or {}
    kept = dict((k, current[k]) for k in params["creation_tags"] if k in current and k not in tags)
    return dict(tags, **kept)


def ensure_updated(client, module, app, desired, ref, secret_names=None):
    current_role = app.get("computeRoleArn")
    if ref is not None and current_role and ref.matches(current_role):
        desired = dict(desired, computeRoleArn=current_role)  # the same role by name: nothing to read
    changes = changed_params(desired, app)
    if changes.get("computeRoleArn"):
        changes["computeRoleArn"] = ref.resolve(module, aws_client(module, "iam"), app["appArn"])
    # The token goes with a new repository, and only into the call: never into results or the diff.
    secrets = {}
    if "repository" in changes and module.params["access_token"]:
        secrets["accessToken"] = module.params["access_token"]

    def write(changes):
        return write_app(
            module, lambda: update_app(client, app["appId"], **dict(changes, **secrets)),
            changes.get("computeRoleArn"), "app %s" % app["appId"],
        )

    changed, after, diff = converge(
        client, module, app, app["appArn"], changes, write,
        wanted_tags(module.params, app), module.params["purge_tags"], secret_names, MANAGED,
    )
    return dict(changed=changed, app=app_result(after), diff=diff)


def ensure_present(client, module):
    params = module.params
    desired, ref = desired_state(params)
    app = find_app(client, app_id=params["app_id"], name=params["name"])
    if app is None and params["app_id"]:
        raise AmplifyError(
            "app_id: no Amplify app has the id %r in this account and region; omit app_id to create an app by name"
            % params["app_id"]
        )
    # environment_variables and secret_environment_variables each replace their part of the variables.
    variables, secret_names = split_environment(
        (app or {}).get("environmentVariables"), (app or {}).get("tags"),
        params["environment_variables"], params["secret_environment_variables"],
    )
    if variables is not None:
        desired["environmentVariables"] = variables
    note_stored_secrets(module, app)
    check_basic_auth(app, desired)
    if app is None:
        desired.setdefault("platform", DEFAULT_PLATFORM)
        check_platform_after(None, desired, params)
        return ensure_created(client, module, desired, ref, secret_names)
    check_platform_after(app, desired, params)
    return ensure_updated(client, module, app, desired, ref, secret_names)


def ensure_absent(client, module):
    app = find_app(client, app_id=module.params["app_id"], name=module.params["name"])
    if app is None:
        return dict(changed=False, app={}, diff={"before": {}, "after": {}})
    if not module.check_mode:
        delete_app(client, app["appId"])
    return dict(changed=True, app={}, diff={"before": app_result(app), "after": {}})


def main():
    argument_spec = dict(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        app_id=dict(type="str"),
        name=dict(type="str"),
        description=dict(type="str"),
        platform=dict(type="str", choices=["WEB", "WEB_COMPUTE", "WEB_DYNAMIC"]),
        repository=dict(type="str"),
        access_token=dict(type="str", no_log=True),
        compute_role_arn=dict(type="str"),
        wait_timeout=dict(type="int", default=120),
        iam_service_role_arn=dict(type="str"),
        environment_variables=dict(type="dict"),
        build_spec=dict(type="str"),
        custom_rules=dict(
            type="list",
            elements="dict",
            options=dict(
                source=dict(type="str", required=True),
                target=dict(type="str", required=True),
                status=dict(type="str"),
                condition=dict(type="str"),
            ),
        ),
        enable_branch_auto_build=dict(type="bool"),
        enable_auto_branch_creation=dict(type="bool"),
        auto_branch_creation_patterns=dict(type="list", elements="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        creation_tags=dict(type="dict"),
        secret_environment_variables=dict(type="dict", no_log=True),
        enable_basic_auth=dict(type="bool"),
        basic_auth_credentials=basic_auth_credentials_spec(),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        required_one_of=[["app_id", "name"]],
        supports_check_mode=True,
    )
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
