#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: branch_info
version_added: 0.1.0
short_description: Gather information about the branches of an AWS Amplify Hosting app
description:
  - Returns one branch of an AWS Amplify Hosting app, or all of its branches (every page of the listing).
  - An app that does not exist is an error naming O(app). A branch that does not exist is not an error;
    the module returns an empty list, as info modules report what is there.
author:
  - amplify_hosting.ssr contributors (@amplify-hosting)
options:
  app:
    description:
      - The app, by its id (for example V(d1a2b3c4d5e6f7)) or by its name.
      - A name must be unique in the account and region; when several apps have it the module fails and
        lists their ids. A value shaped like an app id is tried as an id first, then as a name.
    type: str
    required: true
  branch_name:
    description:
      - The name of the branch to return. Without it, every branch of the app is returned.
    type: str
    aliases: [name]
notes:
  - The URL of each branch is C(https://<display name>.<default domain>). When only O(branch_name) is asked
    for with the app given by id, the app is not read and the default domain is derived from the app id as
    C(<app id>.amplifyapp.com), which is what Amplify gives every app; otherwise it is the app's
    C(defaultDomain).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amplify_hosting.ssr.boto3
"""

EXAMPLES = r"""
- name: Every branch of an app found by its (unique) name
  amplify_hosting.ssr.branch_info:
    app: compute-role-demo
  register: demo_branches

- name: Show where each branch is served
  ansible.builtin.debug:
    msg: "{{ demo_branches.branches | map(attribute='url') | list }}"

- name: One branch, with the app given by id
  amplify_hosting.ssr.branch_info:
    app: d1a2b3c4d5e6f7
    branch_name: main
  register: main_branch

- name: Fail when the branch does not exist
  ansible.builtin.assert:
    that:
      - main_branch.branches | length == 1
"""

RETURN = r"""
branches:
  description:
    - The branches, in the order Amplify lists them; one or none when O(branch_name) is set.
    - Basic auth credentials are never returned.
  returned: always
  type: list
  elements: dict
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
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import MINIMUM_BOTOCORE
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import app_not_found
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import list_branches
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import locate_branch
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import resolve_app
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import branch_name_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import check
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import name_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.results import branch_result
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.results import default_domain
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import client as aws_client


def one_branch(client, ref, branch_name):
    """[the branch] or []: GetBranch alone when `ref` is the id of an app that has the branch."""
    app_id, app, branch = locate_branch(client, ref, branch_name)
    if app_id is None:
        raise app_not_found(ref)
    return [branch_result(branch, app_id, default_domain(app_id, app))] if branch else []


def all_branches(client, ref):
    app = resolve_app(client, ref)
    domain = default_domain(app["appId"], app)
    return [branch_result(branch, app["appId"], domain) for branch in list_branches(client, app["appId"])]


def main():
    argument_spec = dict(
        app=dict(type="str", required=True),
        branch_name=dict(type="str", aliases=["name"]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    module.require_botocore_at_least(MINIMUM_BOTOCORE, reason="to read compute roles")
    client = aws_client(module, "amplify")

    try:
        check(name_problems(module.params["app"], "app")
              + (branch_name_problems(module.params["branch_name"]) if module.params["branch_name"] is not None else []))
        if module.params["branch_name"] is not None:
            branches = one_branch(client, module.params["app"], module.params["branch_name"])
        else:
            branches = all_branches(client, module.params["app"])
    except AmplifyError as e:
        module.fail_json_aws_error(e)

    module.exit_json(changed=False, branches=branches)


if __name__ == "__main__":
    main()
