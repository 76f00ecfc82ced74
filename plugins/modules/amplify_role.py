#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: amplify_role
version_added: 0.1.0
short_description: An IAM role Amplify Hosting assumes, made exactly as declared
description:
  - Creates or updates an IAM role that Amplify Hosting assumes, such as an SSR app's compute role or the
    service role that writes its compute logs, so that it is exactly as declared - its trust policy, tags,
    managed policies, permissions boundary, and inline policies - in one run.
  - The role is read once (C(GetRole), C(ListAttachedRolePolicies), C(ListRolePolicies), C(GetRolePolicy) for each
    inline policy) and only what differs is written. A run that changes nothing writes nothing.
  - An existing role without the tag C(managed-by=amplify_hosting.ssr) is never changed; the module fails with
    RV(foreign=true) before any write. Roles it creates carry that tag and C(environment=<environment>).
  - Policies compare as IAM reads them (the order of statements and single-item lists do not count).
  - This is what the C(amplify_hosting.ssr.iam_compute_role) and C(amplify_hosting.ssr.logs_role) roles run. To
    delete a role, use M(amazon.aws.iam_role) with O(amazon.aws.iam_role#module:state=absent) (the
    C(amplify_hosting.ssr.teardown) role does).
  - Every option is checked before any call; a failure names the option.
author:
  - amplify_hosting.ssr contributors (@amplify-hosting)
options:
  name:
    description: The role's name (1-64 letters, digits and C(+=,.@_-)).
    type: str
    required: true
  path:
    description:
      - The role's path. IAM cannot change the path of an existing role; a role found under another path keeps it,
        with a warning (as M(amazon.aws.iam_role) does).
    type: str
    default: /
  description:
    description: The role's description. Not given, an existing role's description is left as it is.
    type: str
  environment:
    description: The environment the role belongs to, its C(environment) tag.
    type: str
    required: true
  tags:
    description:
      - The role's tags besides C(managed-by) and C(environment), which the module sets. Tags not listed are
        removed.
    type: dict
    default: {}
  trust_policy:
    description: The trust policy (a mapping or its JSON), for example one that lets C(amplify.amazonaws.com)
      C(sts:AssumeRole).
    type: json
    required: true
  managed_policies:
    description:
      - The managed policies attached to the role, as ARNs or names; others are detached. Names are looked up
        with C(ListPolicies), as M(amazon.aws.iam_role) does.
    type: list
    elements: str
    default: []
  permissions_boundary:
    description:
      - The ARN of the role's permissions boundary; V("") for none. Not given, the boundary is left as it is.
    type: str
  max_session_duration:
    description:
      - The maximum session duration in seconds, 3600 to 43200. Not given, an existing role's is left as it is
        (a new role gets IAM's default, 3600).
    type: int
  inline_policies:
    description:
      - Inline policies by name, each a policy document (a mapping or its JSON), or V(null) for a policy the role
        must not have.
    type: dict
    default: {}
  purge_inline_policies:
    description:
      - Remove every inline policy not named in O(inline_policies) (nor made by O(grants) or O(logs_policy)).
    type: bool
    default: false
  grants:
    description:
      - A compute role's grants, in the format of the C(amplify_hosting.ssr.iam_compute_role) role's
        C(iam_compute_role_grants), made into the one inline policy C(<name>-grants) in the role's partition and
        account (and O(grants_region) for grants outside S3 that name no region). It is the document
        M(amplify_hosting.ssr.compute_role_audit) expects for the same grants.
      - V([]) - the role must not have that policy. Not given - that policy is left as it is (unless
        O(purge_inline_policies)).
    type: list
    elements: dict
  grants_region:
    description: The region of O(grants) outside S3 that name none.
    type: str
  logs_policy:
    description:
      - Give the role the inline policy C(<name>-logs) that lets Amplify write an SSR app's compute logs
        (C(logs:CreateLogGroup), C(logs:CreateLogStream), C(logs:PutLogEvents) on the log groups
        C(/aws/amplify/*) of the role's account and O(logs_policy_region); C(logs:DescribeLogGroups)), as the
        C(amplify_hosting.ssr.logs_role) role does.
    type: bool
    default: false
  logs_policy_region:
    description: The region of the log groups in O(logs_policy); V("") for every region.
    type: str
    default: ""
notes:
  - Check mode reads and reports what would change, with a diff, and writes nothing. For a role that does not
    exist yet, the ARN it would have comes from C(sts:GetCallerIdentity).
  - "IAM permissions: C(iam:GetRole), C(iam:ListAttachedRolePolicies), C(iam:ListRolePolicies),
    C(iam:GetRolePolicy), and for changes C(iam:CreateRole), C(iam:UpdateAssumeRolePolicy), C(iam:UpdateRole),
    C(iam:PutRolePermissionsBoundary), C(iam:DeleteRolePermissionsBoundary), C(iam:TagRole), C(iam:UntagRole),
    C(iam:AttachRolePolicy), C(iam:DetachRolePolicy), C(iam:PutRolePolicy), C(iam:DeleteRolePolicy); with
    managed policy names C(iam:ListPolicies)."
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amplify_hosting.ssr.boto3
"""

EXAMPLES = r"""
- name: A compute role that may read one bucket's images
  amplify_hosting.ssr.amplify_role:
    name: compute-role-demo-dev-compute
    environment: dev
    description: Amplify Hosting SSR compute role (dev)
    trust_policy:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: {Service: amplify.amazonaws.com}
          Action: sts:AssumeRole
    inline_policies:
      compute-role-demo-dev-compute-grants:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: arn:aws:s3:::compute-role-demo-dev-private/*
    purge_inline_policies: true
  register: compute_role

- name: The same role with no inline policy of that name (others are kept)
  amplify_hosting.ssr.amplify_role:
    name: compute-role-demo-dev-compute
    environment: dev
    trust_policy: "{{ lookup('ansible.builtin.file', 'trust.json') }}"
    inline_policies:
      compute-role-demo-dev-compute-grants: null
"""

RETURN = r"""
arn:
  description: The role's ARN (in check mode, for a role not yet created, the ARN it would have).
  returned: success
  type: str
  sample: arn:aws:iam::123456789012:role/compute-role-demo-dev-compute
role_name:
  description: The role's name.
  returned: success
  type: str
  sample: compute-role-demo-dev-compute
created:
  description: Whether the role was created (in check mode, would be).
  returned: success
  type: bool
  sample: false
writes:
  description: The IAM operations made (in check mode, that would be made), in order.
  returned: success
  type: list
  elements: str
  sample: [CreateRole, PutRolePolicy]
foreign:
  description: True when the role exists without the tag C(managed-by=amplify_hosting.ssr) (and the module failed
    without writing).
  returned: failure, for a role that is not the collection's
  type: bool
  sample: true
role:
  description: The role as it is after the run (in check mode, as it would be).
  returned: success
  type: dict
  contains:
    path:
      description: The role's path.
      type: str
      sample: /
    description:
      description: The role's description.
      type: str
    max_session_duration:
      description: The maximum session duration in seconds.
      type: int
      sample: 3600
    permissions_boundary:
      description: The boundary's ARN, V("") for none.
      type: str
    trust_policy:
      description: The trust policy.
      type: dict
    tags:
      description: The role's tags.
      type: dict
    managed_policies:
      description: The ARNs of the attached managed policies.
      type: list
      elements: str
    inline_policies:
      description: The inline policies by name.
      type: dict
"""

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.iam import get_aws_account_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import amplify_role
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import client as aws_client


def _operation(name):
    return "".join(part.capitalize() for part in name.split("_"))


def planned_arn(module, path, name):
    """The ARN a role not yet created will have (amazon.aws's get_aws_account_info: sts:GetCallerIdentity)."""
    account, partition = get_aws_account_info(module)
    return "arn:%s:iam::%s:role%s%s" % (partition, account, path, name)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        path=dict(type="str", default="/"),
        description=dict(type="str"),
        environment=dict(type="str", required=True),
        tags=dict(type="dict", default={}),
        trust_policy=dict(type="json", required=True),
        managed_policies=dict(type="list", elements="str", default=[]),
        permissions_boundary=dict(type="str"),
        max_session_duration=dict(type="int"),
        inline_policies=dict(type="dict", default={}),
        purge_inline_policies=dict(type="bool", default=False),
        grants=dict(type="list", elements="dict"),
        grants_region=dict(type="str"),
        logs_policy=dict(type="bool", default=False),
        logs_policy_region=dict(type="str", default=""),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    problems = amplify_role.problems(params)
    if problems:
        module.fail_json(msg="; ".join(problems))

    iam = aws_client(module, "iam")
    name = params["name"]
    try:
        managed = amplify_role.managed_arns(iam, params["managed_policies"])
        current = amplify_role.read(iam, name)
        # The ARN it has, or (a new role) will have: the generated policies are made in its partition and account.
        arn = (current.get("role") or {}).get("Arn") or planned_arn(module, params["path"], name)
        inline = dict(params["inline_policies"], **amplify_role.generated_policies(
            name, arn, params["grants"], params["grants_region"], params["logs_policy"], params["logs_policy_region"]))
        desired = amplify_role.Desired(
            name, params["path"], params["trust_policy"], params["tags"], params["environment"], managed=managed,
            description=params["description"], max_session_duration=params["max_session_duration"],
            boundary=params["permissions_boundary"], inline=inline, purge_inline=params["purge_inline_policies"])
        writes = amplify_role.plan(current, desired)
        if writes and not module.check_mode:
            arn = amplify_role.apply(iam, writes) or arn
    except amplify_role.Foreign:
        module.fail_json(foreign=True, msg="name: the IAM role %r exists without the tag managed-by=amplify_hosting.ssr;"
                         " choose another name or tag the role to let this module manage it" % name)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    except (ClientError, BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to find the account of the new role %s" % name)

    warning = amplify_role.path_warning(current, desired)
    if warning:
        module.warn(warning)
    shown = amplify_role.after(current, desired, writes, arn)
    result = dict(changed=bool(writes), arn=arn, role_name=name, created=not current,
                  writes=[_operation(operation) for operation, _params in writes], role=shown)
    if module._diff:
        result["diff"] = dict(before=amplify_role.before(current), after=shown if writes else amplify_role.before(current))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
