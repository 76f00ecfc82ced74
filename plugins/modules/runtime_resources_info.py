#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: runtime_resources_info
version_added: 0.1.0
short_description: Whether an environment's SSM parameters, secrets and DynamoDB tables exist, and whose they are
description:
  - Reads the SSM parameters, Secrets Manager secrets and DynamoDB tables named in O(parameters), O(secrets) and
    O(tables) - what an SSR app reads at run time through its compute role - and says for each whether it
    exists, its ARN and tags, and whether it is B(owned) by O(environment) (tagged C(managed-by=amplify_hosting.ssr)
    and C(environment=<environment>)).
  - RV(foreign) names each one that exists without those tags. The role M(amplify_hosting.ssr.runtime_resources)
    refuses to take those over, C(teardown.yml) keeps them, C(verify.yml) reports them.
  - Read-only; a secret's value is never read (C(DescribeSecret) only).
author:
  - amplify_hosting.ssr contributors (@amplify-hosting)
options:
  environment:
    description:
      - The environment whose C(environment) tag makes a resource owned.
    type: str
    required: true
  parameters:
    description:
      - Names of SSM parameters (for example V(/compute-role-demo/dev/greeting)).
    type: list
    elements: str
    default: []
  secrets:
    description:
      - Names of Secrets Manager secrets (names, not ARNs).
    type: list
    elements: str
    default: []
  tables:
    description:
      - Names of DynamoDB tables.
    type: list
    elements: str
    default: []
notes:
  - Supports C(check_mode) (it only reads).
  - Calls - C(ssm:DescribeParameters) and C(ssm:ListTagsForResource) per parameter, C(secretsmanager:DescribeSecret)
    per secret, C(dynamodb:DescribeTable) and C(dynamodb:ListTagsOfResource) per table.
  - A secret scheduled for deletion exists (RV(secrets[].pending_deletion=true)) until Secrets Manager deletes it.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amplify_hosting.ssr.boto3
"""

EXAMPLES = r"""
- name: Read which of dev's run-time resources exist and are ours
  amplify_hosting.ssr.runtime_resources_info:
    environment: dev
    parameters: [/compute-role-demo/dev/greeting]
    secrets: [compute-role-demo/dev/api-key]
    tables: [compute-role-demo-dev-items]
  register: found

- name: Refuse to go on when one exists without our tags
  ansible.builtin.assert:
    that: found.foreign | length == 0
    fail_msg: "{{ found.foreign | join('; ') }}"
"""

RETURN = r"""
parameters:
  description: One entry per name in O(parameters), in order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The name.
      type: str
      returned: always
    exists:
      description: Whether it exists.
      type: bool
      returned: always
    owned:
      description: Whether it carries the ownership tags of O(environment).
      type: bool
      returned: always
    tags:
      description: Its tags (empty when it does not exist).
      type: dict
      returned: always
    arn:
      description: Its ARN.
      type: str
      returned: when it exists
    type:
      description: Its type (String, StringList or SecureString).
      type: str
      returned: when it exists
  sample: [{name: /compute-role-demo/dev/greeting, exists: true, owned: true, type: String,
            tags: {managed-by: amplify_hosting.ssr, environment: dev},
            arn: "arn:aws:ssm:us-east-1:123456789012:parameter/compute-role-demo/dev/greeting"}]
secrets:
  description: One entry per name in O(secrets), in order. No value is read.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The name.
      type: str
      returned: always
    exists:
      description: Whether it exists (also while scheduled for deletion).
      type: bool
      returned: always
    owned:
      description: Whether it carries the ownership tags of O(environment).
      type: bool
      returned: always
    tags:
      description: Its tags.
      type: dict
      returned: always
    arn:
      description: Its ARN (with the six characters Secrets Manager appends).
      type: str
      returned: when it exists
    pending_deletion:
      description: Whether it is scheduled for deletion.
      type: bool
      returned: when it exists
tables:
  description: One entry per name in O(tables), in order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The name.
      type: str
      returned: always
    exists:
      description: Whether it exists.
      type: bool
      returned: always
    owned:
      description: Whether it carries the ownership tags of O(environment).
      type: bool
      returned: always
    tags:
      description: Its tags.
      type: dict
      returned: always
    arn:
      description: Its ARN.
      type: str
      returned: when it exists
    status:
      description: Its status (ACTIVE, CREATING, ...).
      type: str
      returned: when it exists
foreign:
  description: One message per resource that exists without the ownership tags of O(environment).
  returned: always
  type: list
  elements: str
  sample: ["the secret compute-role-demo/dev/api-key exists without the tags managed-by=amplify_hosting.ssr, environment=dev"]
"""

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import runtime_resources
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import client as aws_client


def main():
    argument_spec = dict(
        environment=dict(type="str", required=True),
        parameters=dict(type="list", elements="str", default=[]),
        secrets=dict(type="list", elements="str", default=[], no_log=False),  # names, not values
        tables=dict(type="list", elements="str", default=[]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    problems = runtime_resources.module_problems(params["environment"], params)
    if problems:
        module.fail_json(msg="; ".join(problems))
    clients = runtime_resources.clients(lambda service: aws_client(module, service), params)
    try:
        result = runtime_resources.describe(clients, params["environment"], params["parameters"], params["secrets"],
                                            params["tables"])
    except (ClientError, BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to read the run-time resources of environment %s" % params["environment"])
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
