#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: compute_role
version_added: 0.1.0
short_description: Associate an IAM compute role with an AWS Amplify Hosting app or branch
description:
  - Sets or clears the IAM role the server-side rendering (SSR) compute of an Amplify Hosting app runs with.
    Without O(branch) it is the app's default role, used by every branch; with O(branch) it is the branch's
    override of that default.
  - Before associating a role the module reads it from IAM and fails clearly when it does not exist or when
    its trust policy does not let V(amplify.amazonaws.com) assume it.
  - A role IAM has only just created may not be visible to Amplify yet; Amplify then answers that the role
    "cannot be assumed". The module retries that answer with exponential backoff and jitter for up to
    O(wait_timeout) seconds, then fails saying so.
  - A run that changes nothing reads the app or the branch once and the role once, and makes no write call.
  - Compute roles are for the SSR platforms (V(WEB_COMPUTE), V(WEB_DYNAMIC)); associating one on a V(WEB) app
    fails. Use M(amplify_hosting.ssr.app) to create the app.
author:
  - amplify_hosting.ssr contributors (@amplify-hosting)
options:
  app:
    description:
      - The app, by id (for example V(d1a2b3c4d5e6f7)) or by name.
      - A name must be unique in the account and region; when two apps have it the module fails and lists
        their ids.
    type: str
    required: true
  branch:
    description:
      - The name of a branch of O(app). When set, the association is the branch's override of the app's
        default role; when not set, it is the app's default role.
    type: str
  role:
    description:
      - The IAM role, by ARN (V(arn:aws:iam::123456789012:role/[path/]name)) or by role name. A name is
        looked up in IAM in the account of the credentials.
      - Required with O(state=present).
      - With O(state=absent) it is optional; when given, the association is cleared only if it is this role.
    type: str
  state:
    description:
      - V(present) associates O(role); V(absent) clears the association (the app's default, or the branch's
        override, after which the branch runs with the app's default role).
    type: str
    choices: [present, absent]
    default: present
  wait_timeout:
    description:
      - How many seconds to keep retrying while Amplify answers that the role cannot be assumed yet (IAM
        propagation of a new role or a new trust policy). V(0) tries once.
      - Not used in check mode, which never writes and so never waits.
    type: int
    default: 120
notes:
  - Supports C(check_mode) and C(diff); the diff shows the association (V(compute_role_arn)) before and after.
  - In check mode a role that does not exist is not an error, as an earlier task of the same run may create it;
    the module warns, and reports the association with the ARN the role would have (for a role name, path
    V(/) in the app's account and partition). A real run fails on it.
  - Compute roles need botocore 1.36.22 or later.
  - The credentials need C(iam:GetRole) besides the Amplify permissions, and C(iam:PassRole) on the role for
    Amplify to accept it.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amplify_hosting.ssr.boto3
"""

EXAMPLES = r"""
- name: Let every branch of the app run its SSR compute with this role (found by name in IAM)
  amplify_hosting.ssr.compute_role:
    app: compute-role-demo
    role: compute-role-demo-dev
    wait_timeout: 180
  register: association

- name: Show the role the app's compute runs with
  ansible.builtin.debug:
    msg: "{{ association.effective_compute_role_arn }}"

- name: Give the staging branch a role of its own, by ARN
  amplify_hosting.ssr.compute_role:
    app: d1a2b3c4d5e6f7
    branch: staging
    role: arn:aws:iam::123456789012:role/amplify/compute-role-demo-staging

- name: Remove the branch's override; the branch falls back to the app's default role
  amplify_hosting.ssr.compute_role:
    app: d1a2b3c4d5e6f7
    branch: staging
    state: absent

- name: Clear the app's default role, but only if it is still the dev role
  amplify_hosting.ssr.compute_role:
    app: compute-role-demo
    role: compute-role-demo-dev
    state: absent
"""

RETURN = r"""
app_id:
  description: The id of the app.
  returned: always
  type: str
  sample: d1a2b3c4d5e6f7
role_arn:
  description:
    - The ARN of the role O(role) names.
    - With O(state=absent), only when O(role) is an ARN or names the role that was associated.
  returned: when known
  type: str
  sample: arn:aws:iam::123456789012:role/compute-role-demo-dev
previous_compute_role_arn:
  description: What the association (the app's default, or the branch's override) was before the run; V("") for none.
  returned: always
  type: str
  sample: ""
app_compute_role_arn:
  description:
    - The app's default compute role after the run (in check mode, as it would be); V("") for none.
    - With O(branch), returned only when the app had to be read, that is when the branch has no override
      (the effective role is the app's default) or when the association was changed.
  returned: when O(branch) is not set, or when the app was read
  type: str
  sample: arn:aws:iam::123456789012:role/compute-role-demo-dev
branch_compute_role_arn:
  description: The branch's override after the run (in check mode, as it would be); V("") for none.
  returned: when O(branch) is set
  type: str
  sample: arn:aws:iam::123456789012:role/amplify/compute-role-demo-staging
effective_compute_role_arn:
  description:
    - The role the compute runs with after the run (in check mode, as it would be); V("") for none.
    - For a branch, its override, else the app's default.
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:role/amplify/compute-role-demo-staging
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import MINIMUM_BOTOCORE
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import app_not_found
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import get_app
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import locate_branch
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import find_app_ref
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import planned_in_check_mode
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import update_app
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import update_branch
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.compute_roles import ComputeRoleRef
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.compute_roles import check_compute_platform
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.compute_roles import effective_compute_role
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.compute_roles import write_with_role
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import branch_name_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import check
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import name_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import client as aws_client


class Association:
    """Where the role is associated (the app's default, or a branch's override) and what is known of it."""

    def __init__(self, app_id, app=None, branch=None, branch_name=None):
        self.app_id = app_id
        self.app = app
        self.branch = branch
        self.branch_name = branch_name

    @property
    def holder(self):
        return self.branch if self.branch_name else self.app

    @property
    def current(self):
        return self.holder.get("computeRoleArn") or ""

    def describe(self):
        if self.branch_name:
            return "branch %s of app %s" % (self.branch_name, self.app_id)
        return "app %s" % self.app_id


# -- reading -------------------------------------------------------------------------------------------


def read_association(client, module, ref, branch_name):
    """The app, or the branch: one read when `ref` is an app id (the app itself is read only when needed).
    None in check mode when the app (by name) or the branch is not there yet: an earlier task may make it."""
    plan = "the role of branch %s" % branch_name if branch_name else "the app's default role"
    if not branch_name:
        app = find_app_ref(client, ref)
        if app is None:
            if planned_in_check_mode(module, ref, "no Amplify app has the id or name %r" % ref, plan):
                return None
            raise app_not_found(ref)
        return Association(app["appId"], app=app)
    app_id, app, branch = locate_branch(client, ref, branch_name)
    if app_id is None:
        if planned_in_check_mode(module, ref, "no Amplify app has the id or name %r" % ref, plan):
            return None
        raise app_not_found(ref)
    if branch is None:
        missing = "app %s (%s) has no branch named %r" % (app_id, (app or {}).get("name") or ref, branch_name)
        if planned_in_check_mode(module, branch_name, missing, plan, "branch"):
            return None
        raise AmplifyError("branch: %s" % missing)
    return Association(app_id, app=app, branch=branch, branch_name=branch_name)


def app_of(client, association):
    """The app, read now if only the branch was read so far."""
    if association.app is None:
        association.app = get_app(client, association.app_id)
        if association.app is None:
            raise app_not_found(association.app_id)
    return association.app


# -- writing -------------------------------------------------------------------------------------------


def write_association(client, association, role_arn):
    if association.branch_name:
        association.branch = update_branch(
            client, association.app_id, association.branch_name, computeRoleArn=role_arn
        )
    else:
        association.app = update_app(client, association.app_id, computeRoleArn=role_arn)


def apply(client, module, association, role_arn):
    """Change the association (in check mode, only what it would be) to `role_arn` ("" clears it); setting a
    role is retried while IAM propagates it (write_with_role)."""
    if module.check_mode:
        holder = dict(association.holder, computeRoleArn=role_arn)
        if association.branch_name:
            association.branch = holder
        else:
            association.app = holder
        return
    write_with_role(
        lambda: write_association(client, association, role_arn),
        role_arn, association.describe(), module.params["wait_timeout"], "role",
    )


# -- states --------------------------------------------------------------------------------------------


def result_of(association, previous, changed, role_arn=None):
    after = association.current
    result = dict(
        changed=changed,
        app_id=association.app_id,
        previous_compute_role_arn=previous,
        effective_compute_role_arn=effective_compute_role(association.app, association.branch),
        diff={"before": {"compute_role_arn": previous}, "after": {"compute_role_arn": after}},
    )
    if role_arn:
        result["role_arn"] = role_arn
    if association.app is not None:
        result["app_compute_role_arn"] = association.app.get("computeRoleArn") or ""
    if association.branch_name:
        result["branch_compute_role_arn"] = association.branch.get("computeRoleArn") or ""
    return result


def ensure_present(client, module):
    params = module.params
    ref = ComputeRoleRef(params["role"], "role")
    association = read_association(client, module, params["app"], params["branch"])
    if association is None:
        # Check mode, for an app or branch an earlier task of the run may create: the role it would get.
        role_arn = ref.resolve(module, aws_client(module, "iam"), None)
        return dict(changed=True, app_id="", role_arn=role_arn, previous_compute_role_arn="",
                    effective_compute_role_arn=role_arn,
                    diff={"before": {"compute_role_arn": ""}, "after": {"compute_role_arn": role_arn}})
    if association.app is not None:
        check_compute_platform(association.app["platform"], "role")
    holder = association.holder
    role_arn = ref.resolve(module, aws_client(module, "iam"), holder.get("branchArn") or holder.get("appArn"))
    previous = association.current
    changed = previous != role_arn
    if changed:
        check_compute_platform(app_of(client, association)["platform"], "role")
        apply(client, module, association, role_arn)
    return result_of(association, previous, changed, role_arn)


def ensure_absent(client, module):
    params = module.params
    ref = ComputeRoleRef(params["role"], "role") if params["role"] is not None else None
    association = read_association(client, module, params["app"], params["branch"])
    if association is None:
        return dict(changed=False, app_id="", previous_compute_role_arn="", effective_compute_role_arn="",
                    diff={"before": {"compute_role_arn": ""}, "after": {"compute_role_arn": ""}})
    previous = association.current
    changed = bool(previous) and (ref is None or ref.matches(previous))
    if changed:
        apply(client, module, association, "")
    if association.branch_name and not association.current:
        # The branch runs with the app's default now: read it to say which.
        app_of(client, association)
    role_arn = None
    if ref is not None:
        role_arn = ref.arn or (previous if changed else None)
    return result_of(association, previous, changed, role_arn)


def main():
    argument_spec = dict(
        app=dict(type="str", required=True),
        branch=dict(type="str"),
        role=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        wait_timeout=dict(type="int", default=120),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        required_if=[["state", "present", ["role"]]],
        supports_check_mode=True,
    )
    module.require_botocore_at_least(MINIMUM_BOTOCORE, reason="to manage compute roles")
    if module.params["wait_timeout"] < 0:
        module.fail_json(msg="wait_timeout: must be 0 or more seconds, not %d" % module.params["wait_timeout"])
    if module.params["role"] is not None and not module.params["role"].strip():
        module.fail_json(msg="role: must not be empty")
    client = aws_client(module, "amplify")
    ensure = ensure_present if module.params["state"] == "present" else ensure_absent

    try:
        check(name_problems(module.params["app"], "app")
              + (branch_name_problems(module.params["branch"], "branch") if module.params["branch"] is not None else []))
        result = ensure(client, module)
    except AmplifyError as e:
        module.fail_json_aws_error(e)

    module.exit_json(**result)


if __name__ == "__main__":
    main()
