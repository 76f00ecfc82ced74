#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: runtime_resources_plan
version_added: 0.1.0
short_description: What would change in an environment's SSM parameters, secrets and DynamoDB tables, with a diff
description:
  - Compares the SSM parameters, Secrets Manager secrets and DynamoDB tables declared in O(parameters),
    O(secrets) and O(tables) with what AWS has, reading each once, and writes nothing.
  - Says per resource what changes (RV(parameters[].changes)), which resources must be written (RV(write)) and which
    exist without the ownership tags of O(environment) (RV(foreign)). The role M(amplify_hosting.ssr.runtime_resources)
    writes only what RV(write) names, through community.aws's C(ssm_parameter), C(secretsmanager_secret) and
    C(dynamodb_table), and refuses to write when RV(foreign) is not empty.
  - The comparison is the one those modules make with the options the role gives them, so that a resource this
    module finds unchanged is one they would leave alone.
  - The declared items of each existing table are compared as M(amplify_hosting.ssr.dynamodb_items) compares them
    (without O(amplify_hosting.ssr.dynamodb_items#module:purge), by its own code) - RV(tables[].items) says per item
    whether it would be created, updated or left unchanged, and RV(write.items) names the tables whose items
    differ, for which the role runs that module. A table that does not exist has no items to read.
  - Returns a diff (one per resource that changes, shown with C(--diff) when the task reports a change) - names,
    types, descriptions, keys, billing mode, tags, and for values only whether they change - the value of a
    secret or of a SecureString parameter is never returned or shown. A String or StringList parameter's value is
    shown, and so are a table's items, each listed item before and after, as M(amplify_hosting.ssr.dynamodb_items)
    shows them.
author:
  - amplify_hosting.ssr contributors (@amplify-hosting)
options:
  environment:
    description:
      - The environment whose C(environment) tag makes a resource owned.
    type: str
    required: true
  tags:
    description:
      - The tags every resource must have, ownership tags included (they are purged to these).
    type: dict
    required: true
  parameters:
    description:
      - The SSM parameters, as the role's C(runtime_resources_parameters).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The parameter's name.
        type: str
        required: true
      value:
        description:
          - Its value. A SecureString parameter's value is kept out of every output.
        type: str
        required: true
      type:
        description: Its type.
        type: str
        choices: [String, StringList, SecureString]
        default: String
      kms_key:
        description:
          - The KMS key of a SecureString parameter. Not compared - community.aws's C(ssm_parameter) keeps an
            existing parameter's key.
        type: str
      description:
        description: Its description; compared only when given, as C(ssm_parameter) does.
        type: str
  secrets:
    description:
      - The Secrets Manager secrets, as the role's C(runtime_resources_secrets).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The secret's name.
        type: str
        required: true
      value:
        description: Its value (a string); never returned or shown.
        type: str
        required: true
      kms_key:
        description: The KMS key it is encrypted with; none means Secrets Manager's own key.
        type: str
      description:
        description: Its description (none is the empty description).
        type: str
  tables:
    description:
      - The DynamoDB tables, as the role's C(runtime_resources_tables), with the items each must hold.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The table's name.
        type: str
        required: true
      partition_key:
        description: The partition key's attribute name.
        type: str
        default: id
      partition_key_type:
        description: The partition key's type.
        type: str
        choices: [STRING, NUMBER, BINARY]
        default: STRING
      access:
        description: Ignored here (the compute role's grant).
        type: str
      items:
        description:
          - The items the table must hold (others are left alone), as
            M(amplify_hosting.ssr.dynamodb_items)'s O(amplify_hosting.ssr.dynamodb_items#module:items). Each
            is read by its key and compared when the table exists.
          - Items that module would refuse (a key that does not fit the table's key schema, a value it does not
            write) and the items of a table that is not ACTIVE or UPDATING are not compared - the table is in
            RV(write.items), so that the module, run after the table is written, writes them or names the problem.
        type: list
        elements: dict
notes:
  - Supports C(check_mode) (it only reads) and C(diff_mode).
  - Calls - per parameter C(ssm:DescribeParameters), and when it exists C(ssm:ListTagsForResource) and
    C(ssm:GetParameter) with decryption; per secret C(secretsmanager:DescribeSecret), and when it exists
    C(secretsmanager:GetSecretValue) (unless scheduled for deletion) and C(secretsmanager:GetResourcePolicy); per
    table C(dynamodb:DescribeTable), and when it exists C(dynamodb:ListTagsOfResource) and per declared item
    C(dynamodb:GetItem) (consistent). These are the reads community.aws's modules and
    M(amplify_hosting.ssr.dynamodb_items) make themselves.
  - C(changed) is always V(false) - it writes nothing. The role reports the plan as a change in diff mode only,
    so that C(--diff) shows it.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amplify_hosting.ssr.boto3
"""

EXAMPLES = r"""
- name: What would change in dev's run-time resources (run with --diff to see it)
  amplify_hosting.ssr.runtime_resources_plan:
    environment: dev
    tags: {managed-by: amplify_hosting.ssr, environment: dev}
    parameters:
      - {name: /compute-role-demo/dev/greeting, value: hello from dev}
    secrets:
      - {name: compute-role-demo/dev/api-key, value: "{{ vault_dev_api_key }}"}
    tables:
      - {name: compute-role-demo-dev-items}
  register: plan
  changed_when: ansible_diff_mode and plan.differs

- name: Write only the parameters that change
  community.aws.ssm_parameter:
    name: "{{ item }}"
    value: hello from dev
    overwrite_value: changed
    tags: {managed-by: amplify_hosting.ssr, environment: dev}
  loop: "{{ plan.write.parameters }}"
"""

RETURN = r"""
parameters:
  description: One entry per declared parameter, in order.
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
      description: Its tags now (empty when it does not exist).
      type: dict
      returned: always
    arn:
      description: Its ARN (empty when it does not exist).
      type: str
      returned: always
    changes:
      description:
        - What a write changes - V(create), or among V(type), V(value), V(description), V(tags). Empty when
          nothing changes.
      type: list
      elements: str
      returned: always
  sample: [{name: /compute-role-demo/dev/greeting, exists: true, owned: true, changes: [value],
            tags: {managed-by: amplify_hosting.ssr, environment: dev},
            arn: "arn:aws:ssm:us-east-1:123456789012:parameter/compute-role-demo/dev/greeting"}]
secrets:
  description:
    - One entry per declared secret, in order, with the keys of RV(parameters). Its C(changes) are among
      V(create), V(restore) (scheduled for deletion), V(description), V(kms_key), V(value), V(rotation),
      V(resource_policy) and V(tags).
  returned: always
  type: list
  elements: dict
tables:
  description:
    - One entry per declared table, in order, with the keys of RV(parameters) and RV(tables[].items). Its
      C(changes) are among V(create), V(partition_key), V(billing_mode), V(status) (not ACTIVE) and V(tags).
  returned: always
  type: list
  elements: dict
  contains:
    items:
      description:
        - Each declared item of an existing table, in order, with what M(amplify_hosting.ssr.dynamodb_items) would do
          to it, as that module returns it - its key attributes (C(key)) and C(action), V(created) (absent),
          V(updated) (held with other attributes) or V(unchanged).
        - Empty when the table does not exist (a new table has no items to read) or its items are not compared
          (see O(tables[].items)).
      type: list
      elements: dict
      returned: always
      sample: [{key: {id: demo}, action: updated}, {key: {id: other}, action: unchanged}]
write:
  description: Per kind, the names of the resources that change, in order.
  returned: always
  type: dict
  contains:
    parameters:
      description: Parameter names.
      type: list
      elements: str
      returned: always
    secrets:
      description: Secret names.
      type: list
      elements: str
      returned: always
    tables:
      description: Table names.
      type: list
      elements: str
      returned: always
    items:
      description:
        - The names of the existing tables whose items differ (an item of RV(tables[].items) is not V(unchanged)),
          or whose items are not compared (see O(tables[].items)) - those M(amplify_hosting.ssr.dynamodb_items)
          must write. The tables RV(tables) says to V(create) are not in it.
      type: list
      elements: str
      returned: always
  sample: {parameters: [/compute-role-demo/dev/greeting], secrets: [], tables: [], items: [compute-role-demo-dev-items]}
foreign:
  description: One message per resource that exists without the ownership tags of O(environment).
  returned: always
  type: list
  elements: str
  sample: ["the secret compute-role-demo/dev/api-key exists without the tags managed-by=amplify_hosting.ssr,
            environment=dev"]
differs:
  description: Whether RV(diff) shows a change (RV(write) names a parameter, secret or table; a table whose items
    alone differ is in RV(write.items) only).
  returned: always
  type: bool
diff:
  description:
    - One before/after per resource that changes (what C(--diff) shows); no secret value.
    - A table's items are not in it - M(amplify_hosting.ssr.dynamodb_items), which the role runs for the tables in
      RV(write.items), shows their diff.
  returned: always
  type: list
  elements: dict
  sample: [{before_header: SSM parameter /compute-role-demo/dev/greeting, after_header: SSM parameter
            /compute-role-demo/dev/greeting, before: "type: String\nvalue: hello\n",
            after: "type: String\nvalue: hi\n"}]
"""

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import runtime_plan
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.dynamodb_items import DynamoDBItemsError
from ansible_collections.amplify_hosting.ssr.plugins.module_utils import runtime_resources
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import tag_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import client as aws_client


def main():
    argument_spec = dict(
        environment=dict(type="str", required=True),
        tags=dict(type="dict", required=True),
        parameters=dict(type="list", elements="dict", default=[], options=dict(
            name=dict(type="str", required=True),
            value=dict(type="str", required=True, no_log=False),  # a SecureString's is hidden below
            type=dict(type="str", default="String", choices=list(runtime_resources.PARAMETER_TYPES)),
            kms_key=dict(type="str", no_log=False),
            description=dict(type="str"),
        )),
        secrets=dict(type="list", elements="dict", default=[], no_log=False, options=dict(
            name=dict(type="str", required=True),
            value=dict(type="str", required=True, no_log=True),
            kms_key=dict(type="str", no_log=False),
            description=dict(type="str"),
        )),
        tables=dict(type="list", elements="dict", default=[], options=dict(
            name=dict(type="str", required=True),
            partition_key=dict(type="str", default="id", no_log=False),
            partition_key_type=dict(type="str", default="STRING", no_log=False,
                                    choices=list(runtime_resources.KEY_TYPES)),
            access=dict(type="str"),
            items=dict(type="list", elements="dict"),
        )),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    # A SecureString parameter's value is as secret as a secret's: out of every output, the invocation included.
    module.no_log_values.update(entry["value"] for entry in params["parameters"] if entry["type"] == "SecureString")

    names = dict((kind, [entry["name"] for entry in params[kind]]) for kind in ("parameters", "secrets", "tables"))
    problems = runtime_resources.module_problems(params["environment"], names)
    problems += tag_problems(params["tags"], "tags", "iam")
    if problems:
        module.fail_json(msg="; ".join(problems))

    clients = runtime_resources.clients(lambda service: aws_client(module, service), names)
    try:
        result = runtime_plan.plan(clients, params["environment"], params["tags"], params["parameters"],
                                   params["secrets"], params["tables"])
    except (ClientError, BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to read the run-time resources of environment %s" % params["environment"])
    except DynamoDBItemsError as e:  # an item's GetItem failed: the message names the item and the table
        if e.exception:
            module.fail_json_aws(e.exception, msg=e.message)
        module.fail_json(msg=e.message)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
