#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: app_info
version_added: 0.1.0
short_description: Gather information about AWS Amplify Hosting apps
description:
  - Describe one AWS Amplify Hosting app, found by O(app_id) or by O(name), or every app of the account
    and region when neither is set.
  - Amplify app names are not unique. When two apps have the O(name) asked for, the module fails and lists
    their ids instead of guessing; use O(app_id) to choose one.
  - An O(app_id) or O(name) that matches no app is not an error; RV(apps) is then empty.
author:
  - amplify_hosting.ssr contributors (@amplify-hosting)
options:
  app_id:
    description:
      - The id of the app to describe (for example V(d1a2b3c4d5e6f7)).
    type: str
  name:
    description:
      - The name of the app to describe. It must be unique in the account and region.
    type: str
notes:
  - Listing every app reads all pages of the listing (Amplify returns at most 100 apps a page).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amplify_hosting.ssr.boto3
"""

EXAMPLES = r"""
- name: Describe the app called compute-role-demo
  amplify_hosting.ssr.app_info:
    name: compute-role-demo
  register: found

- name: Show the URL of its main branch and the app's compute role
  ansible.builtin.debug:
    msg: "https://main.{{ found.apps[0].default_domain }} runs with {{ found.apps[0].compute_role_arn or 'no role' }}"
  when: found.apps | length == 1

- name: Describe an app by id
  amplify_hosting.ssr.app_info:
    app_id: d1a2b3c4d5e6f7

- name: List every app of the account and region
  amplify_hosting.ssr.app_info:
  register: every_app

- name: Show the names of the apps without a compute role
  ansible.builtin.debug:
    msg: "{{ every_app.apps | selectattr('compute_role_arn', 'equalto', '') | map(attribute='name') | list }}"
"""

RETURN = r"""
apps:
  description:
    - The apps found; empty when O(app_id) or O(name) matches no app.
    - Basic auth credentials and access tokens are never returned.
  returned: always
  type: list
  elements: dict
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
      description: The app's environment variables.
      type: dict
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
      description: The tags of the app; V({}) when it has none.
      type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import MINIMUM_BOTOCORE
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import find_app
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import list_apps
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.results import to_snake
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import client as aws_client


def app_result(app):
    result = to_snake(app)
    result.setdefault("compute_role_arn", "")
    result.setdefault("tags", {})
    return result


def describe_apps(client, module):
    """The apps asked for, as the API returns them: one (or none) by id or name, else every app."""
    app_id, name = module.params["app_id"], module.params["name"]
    if app_id is None and name is None:
        return list_apps(client)
    if app_id == "" or name == "":
        raise AmplifyError("%s: an empty string names no Amplify app" % ("app_id" if app_id == "" else "name"))
    app = find_app(client, app_id=app_id, name=name)
    return [app] if app is not None else []


def main():
    argument_spec = dict(
        app_id=dict(type="str"),
        name=dict(type="str"),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        mutually_exclusive=[["app_id", "name"]],
        supports_check_mode=True,
    )
    module.require_botocore_at_least(MINIMUM_BOTOCORE, reason="to read compute roles")
    client = aws_client(module, "amplify")

    try:
        apps = describe_apps(client, module)
    except AmplifyError as e:
        module.fail_json_aws_error(e)

    module.exit_json(changed=False, apps=[app_result(app) for app in apps])


if __name__ == "__main__":
    main()
