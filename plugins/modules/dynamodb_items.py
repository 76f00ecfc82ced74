#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: dynamodb_items
version_added: 0.1.0
short_description: Make sure items exist in a DynamoDB table, with exactly the attributes given
description:
  - Writes each item of O(items) to the DynamoDB table O(table) unless the table already holds it with the same
    attributes, for example the item the example app's C(/api/item) route reads by its C(id).
  - An item is found by its key (the table's partition key, and sort key if it has one) and written whole
    (C(PutItem)) when it is absent or differs, so attributes the table holds and the item does not list are
    removed. Values compare with their types - V(1) and V(1.0) are the same number, V(1) and V(true) differ.
  - Other items of the table are left alone, unless O(purge=true) deletes them.
  - The table is not created; use M(community.aws.dynamodb_table) first. A table that does not exist fails,
    naming O(table).
  - Every input is checked before the first write. The table name, each item's values and its size before any
    call; each item's key against the table's key schema (read once, C(DescribeTable)) before any item is read.
author:
  - amplify_hosting.ssr contributors (@amplify-hosting)
options:
  table:
    description:
      - The name of the table, 3 to 255 characters of V(a-z), V(A-Z), V(0-9), V(_), V(-) and V(.) (AWS's
        naming rules).
    type: str
    required: true
  items:
    description:
      - The items, each a mapping of attribute names to values. Values are strings, numbers, booleans, null, lists
        and mappings (nested at most 32 levels); they are written as the DynamoDB types C(S), C(N), C(BOOL),
        C(NULL), C(L) and C(M). Floats are written as their decimal text (V(0.1) is C(0.1)); a number DynamoDB
        cannot hold exactly (more than 38 significant digits) fails. Binary values and sets are not written.
      - Each item holds the table's key attributes, of the key's type (C(S) a string that is not empty, C(N) a
        number). No two items have the same key.
      - An item is at most 400 KB (its attribute names and values, estimated as AWS documents).
      - Empty with O(purge=true), every item of the table is deleted.
    type: list
    elements: dict
    required: true
  purge:
    description:
      - Delete the items of the table whose keys are not in O(items).
      - The table is scanned for them (C(Scan) of the key attributes only, every page).
    type: bool
    default: false
notes:
  - Supports C(check_mode) (the table and the items are read, nothing is written; C(changed), RV(items) and the
    diff are what a run would do) and C(diff) (each item listed and each item O(purge) deletes, by its key, before
    and after; an item O(purge) deletes shows only its key attributes, all the scan reads).
  - How it reads the table. C(DescribeTable) once, then C(GetItem) with C(ConsistentRead) once for each item
    listed, then with O(purge) C(Scan) (consistent, key attributes only) of the whole table. Items that are the
    same are not written; a second run with the same O(items) writes nothing.
  - Items written by others while the module runs may be overwritten, or with O(purge) deleted; the module holds
    no lock and writes without conditions.
  - Permissions needed - C(dynamodb:DescribeTable), C(dynamodb:GetItem) and C(dynamodb:PutItem) on the table;
    C(dynamodb:Scan) and C(dynamodb:DeleteItem) with O(purge=true).
seealso:
  - module: community.aws.dynamodb_table
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amplify_hosting.ssr.boto3
"""

EXAMPLES = r"""
- name: Create the table the example app reads its item from
  community.aws.dynamodb_table:
    name: compute-role-demo-dev-items
    hash_key_name: id
    hash_key_type: STRING
    billing_mode: PAY_PER_REQUEST

- name: Make sure the item the /api/item route reads is there
  amplify_hosting.ssr.dynamodb_items:
    table: compute-role-demo-dev-items
    items:
      - id: demo
        message: Hello from DynamoDB
        environment: dev
        views: 0
        tags: [ssr, compute-role]

- name: Make the table hold exactly these items (check mode and diff show what would be deleted)
  amplify_hosting.ssr.dynamodb_items:
    table: compute-role-demo-dev-items
    items:
      - id: demo
        message: Hello from DynamoDB
    purge: true
  check_mode: true
  diff: true
  register: plan

- name: Show what would be done to each item
  ansible.builtin.debug:
    msg: "{{ plan['items'] | map(attribute='action') | list }}"
"""

RETURN = r"""
table:
  description: The table.
  returned: always
  type: str
  sample: compute-role-demo-dev-items
items:
  description:
    - Each item of O(items), in their order, then each item O(purge) deletes (ordered by key), with what was done to
      it (in check mode, what would be done).
  returned: success
  type: list
  elements: dict
  contains:
    key:
      description: The item's key attributes.
      type: dict
      sample: {id: demo}
    action:
      description:
        - V(created) (the table had no item with the key), V(updated) (it had one with other attributes),
          V(unchanged) or V(deleted) (not in O(items), with O(purge=true)).
      type: str
      sample: created
msg:
  description: Why the module failed, naming the option (V(table), V(items[N]) or V(purge)).
  returned: failure
  type: str
  sample: "items[1]: has no key attribute id (the table's key: id (S))"
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import MINIMUM_BOTOCORE
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.dynamodb_items import DynamoDBItemsError
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.dynamodb_items import check_params
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.dynamodb_items import converge
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import client as aws_client


def fail(module, error):
    """fail_json_aws (with the botocore error) or fail_json; what was written before a failed write is returned
    in items."""
    extra = dict(table=module.params["table"])
    if "done" in error.kwargs:
        extra["items"] = error.kwargs["done"]
    if error.exception:
        module.fail_json_aws(error.exception, msg=error.message, **extra)
    module.fail_json(msg=error.message, **extra)


def main():
    argument_spec = dict(
        table=dict(type="str", required=True),
        items=dict(type="list", elements="dict", required=True),
        purge=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    module.require_botocore_at_least(MINIMUM_BOTOCORE, reason="by every module of this collection")
    try:
        # The table name and the items are checked before the client is made (no call with a bad option).
        items = check_params(module.params)
        result = converge(aws_client(module, "dynamodb"), module.params["table"], items, module.params["purge"],
                          module.check_mode)
    except DynamoDBItemsError as e:
        fail(module, e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
