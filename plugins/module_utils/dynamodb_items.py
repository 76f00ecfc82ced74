# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Items of a DynamoDB table, brought to what a playbook lists (the dynamodb_items module).

Every input is checked before the first call (the table name, each item's values and size), and each item's key
against the table's key schema (one DescribeTable) before the first write. Then each item is read by its key
(GetItem, consistent) and written (PutItem) only when it is absent or differs; with purge, the items whose keys
are not listed are found (Scan of the key attributes only, every page) and deleted (DeleteItem). Values compare
deserialized, with their DynamoDB types: the number 1 is the number 1.0, never the boolean true.

The limits follow AWS, "Constraints in Amazon DynamoDB" (developerguide/Constraints.html): table names 3-255
characters of ``a-z A-Z 0-9 _ - .`` (Naming rules); an item at most 400 KB, 1 KB being 1024 bytes (Items);
partition key values 1-2048 bytes and sort key values 1-1024 bytes (Partition keys and sort keys); numbers up
to 38 significant digits (Data types); nesting at most 32 levels deep (Attributes). An item's size is estimated
as "DynamoDB item sizes and formats" (developerguide/CapacityUnitCalculations.html) describes it.
"""

import base64
import json
import math
import re
from decimal import Decimal
from decimal import DecimalException

try:
    from boto3.dynamodb.types import Binary
    from boto3.dynamodb.types import TypeDeserializer
    from boto3.dynamodb.types import TypeSerializer
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # the module reports a missing boto3 or botocore (AnsibleAWSModule)

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

TABLE_NAME_RE = re.compile(r"^[a-zA-Z0-9_.-]{3,255}$")
# "The maximum item size in DynamoDB is 400 KB, which includes both attribute name binary length (UTF-8 length)
# and attribute value lengths (again binary length)" - Constraints in Amazon DynamoDB, Items; 1 KB = 1024 bytes.
ITEM_SIZE_MAX = 400 * 1024
# Constraints in Amazon DynamoDB, Partition keys and sort keys: key values' lengths in bytes.
KEY_SIZE_MAX = {"HASH": 2048, "RANGE": 1024}
# Constraints in Amazon DynamoDB, Attributes: nested attributes up to 32 levels deep.
NESTING_MAX = 32
# DescribeTable's TableStatus values under which items can be written.
WRITABLE_STATUSES = ("ACTIVE", "UPDATING")
# The Python type a key attribute of each AttributeType takes in an item.
KEY_TYPES = {"S": "a string", "N": "a number", "B": "binary"}


class DynamoDBItemsError(AnsibleAWSError):
    """A failure the module reports naming the option: a message, the botocore error if any, and in kwargs the
    result so far (what was written before a write failed)."""


# -- the input ------------------------------------------------------------------------------------------------


def table_problems(table):
    """The table name by AWS's naming rules: 3-255 characters of a-z, A-Z, 0-9, _, - and ."""
    if not isinstance(table, str) or not TABLE_NAME_RE.match(table):
        return ["table: %r is not a DynamoDB table name (3-255 characters: letters, digits, _, - and .)" % (table,)]
    return []


def _number(value, where):
    """A Decimal DynamoDB can store (floats through their str: 0.1 is 0.1), or a problem."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError("%s: %r is not a number DynamoDB can store (no NaN or infinity)" % (where, value))
        value = Decimal(str(value))
    else:
        value = Decimal(value)
    try:
        TypeSerializer().serialize(value)
    except (DecimalException, TypeError) as e:
        raise ValueError("%s: %s cannot be stored exactly as a DynamoDB number (at most 38 significant digits, "
                         "magnitudes from 1E-130 to under 1E+126): %s" % (where, value, type(e).__name__)) from e
    return value


def normalized(value, where, depth=0):
    """The value as TypeSerializer takes it: floats as Decimal(str(x)), tuples as lists. Anything but str, int,
    float, bool, None, list and dict (with string keys) raises ValueError naming `where`."""
    if depth > NESTING_MAX:
        raise ValueError("%s: nested more than %d levels deep (DynamoDB's limit)" % (where, NESTING_MAX))
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return _number(value, where)
    if isinstance(value, (list, tuple)):
        return [normalized(v, "%s[%d]" % (where, i), depth + 1) for i, v in enumerate(value)]
    if isinstance(value, dict):
        result = {}
        for name, v in value.items():
            if not isinstance(name, str) or not name:
                raise ValueError("%s: attribute names must be non-empty strings, not %r" % (where, name))
            result[name] = normalized(v, "%s.%s" % (where, name), depth + 1)
        return result
    raise ValueError("%s: %s is not a value this module writes (a string, number, boolean, null, list or dict)"
                     % (where, type(value).__name__))


def _digits(number):
    """Significant digits of a Decimal (leading and trailing zeros trimmed)."""
    digits = "".join(str(d) for d in number.as_tuple().digits).strip("0")
    return max(len(digits), 1)


def value_size(value):
    """Bytes a normalized value takes, as "DynamoDB item sizes and formats" estimates them: strings their UTF-8
    length, numbers 1 byte per two significant digits plus 1, null and booleans 1, lists and maps 3 bytes plus
    1 per element plus the elements (a map's element: its name's UTF-8 length and its value)."""
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if isinstance(value, Decimal):
        return (_digits(value) + 1) // 2 + 1
    if isinstance(value, list):
        return 3 + sum(1 + value_size(v) for v in value)
    return 3 + sum(1 + len(name.encode("utf-8")) + value_size(v) for name, v in value.items())


def item_size(item):
    """An item's estimated size in bytes: each attribute's name (UTF-8) and value."""
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def checked_items(items):
    """The items normalized, each checked for its values and its size; raises DynamoDBItemsError naming
    items[N] (no call is made)."""
    result = []
    for index, item in enumerate(items):
        where = "items[%d]" % index
        if not isinstance(item, dict):
            raise DynamoDBItemsError("%s: must be a dict of attributes, not %s" % (where, type(item).__name__))
        try:
            item = normalized(item, where)
        except ValueError as e:
            raise DynamoDBItemsError(str(e)) from e
        size = item_size(item)
        if size > ITEM_SIZE_MAX:
            raise DynamoDBItemsError("%s: is about %d bytes, over DynamoDB's item size limit of 400 KB (%d bytes)"
                                     % (where, size, ITEM_SIZE_MAX))
        result.append(item)
    return result


def check_params(params):
    """The items to write, normalized; raises DynamoDBItemsError naming the option on bad input."""
    problems = table_problems(params["table"])
    if problems:
        raise DynamoDBItemsError("; ".join(problems))
    return checked_items(params["items"])


# -- keys -------------------------------------------------------------------------------------------------------


class KeySchema(object):
    """The table's key attributes (the partition key first) and their AttributeType (S, N or B)."""

    def __init__(self, table):
        order = {"HASH": 0, "RANGE": 1}
        elements = sorted(table["KeySchema"], key=lambda element: order[element["KeyType"]])
        types = {d["AttributeName"]: d["AttributeType"] for d in table.get("AttributeDefinitions") or []}
        self.names = [element["AttributeName"] for element in elements]
        self.kinds = {element["AttributeName"]: element["KeyType"] for element in elements}
        self.types = {name: types.get(name) for name in self.names}

    def describe(self):
        return ", ".join("%s (%s)" % (name, self.types[name]) for name in self.names)

    def problems(self, item, where):
        """What keeps `item` (normalized) from being written under this key schema."""
        problems = []
        for name in self.names:
            if name not in item:
                problems.append("%s: has no key attribute %s (the table's key: %s)" % (where, name, self.describe()))
                continue
            value, wanted = item[name], self.types[name]
            found = "S" if isinstance(value, str) else "N" if isinstance(value, Decimal) else None
            if found != wanted:
                problems.append("%s.%s: the key attribute must be %s (type %s), not %s%s" % (
                    where, name, KEY_TYPES.get(wanted, wanted), wanted, _kind_of(value),
                    " (this module writes no binary values)" if wanted == "B" else ""))
            elif wanted == "S" and not value:
                problems.append("%s.%s: a key attribute must not be an empty string" % (where, name))
            elif wanted == "S" and len(value.encode("utf-8")) > KEY_SIZE_MAX[self.kinds[name]]:
                problems.append("%s.%s: is %d bytes long, over DynamoDB's limit of %d bytes for a %s key" % (
                    where, name, len(value.encode("utf-8")), KEY_SIZE_MAX[self.kinds[name]],
                    "partition" if self.kinds[name] == "HASH" else "sort"))
        return problems

    def identity(self, attributes):
        """A hashable identity of an item's key (normalized or deserialized values): 1 and 1.0 are one key."""
        return tuple((name, attributes[name]) for name in self.names)

    def key_of(self, item):
        return {name: item[name] for name in self.names}


def _kind_of(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "a dict"


def check_keys(schema, items):
    """Raise DynamoDBItemsError when an item lacks a key attribute (or has one of the wrong type), or when two
    items have the same key (naming both)."""
    problems = []
    for index, item in enumerate(items):
        problems += schema.problems(item, "items[%d]" % index)
    if problems:
        raise DynamoDBItemsError("; ".join(problems))
    seen = {}
    for index, item in enumerate(items):
        identity = schema.identity(item)
        if identity in seen:
            raise DynamoDBItemsError("items[%d] and items[%d]: the same key %s (list each item once)"
                                     % (seen[identity], index, label(schema, plain(schema.key_of(item)))))
        seen[identity] = index


# -- values -----------------------------------------------------------------------------------------------------


def serialize(item):
    serializer = TypeSerializer()
    return {name: serializer.serialize(value) for name, value in item.items()}


def deserialize(attributes):
    deserializer = TypeDeserializer()
    return {name: deserializer.deserialize(value) for name, value in attributes.items()}


def same(a, b):
    """Deserialized values equal with their DynamoDB types (the number 1 is not the boolean true)."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return type(a) is type(b) and a == b
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, Decimal):
        return isinstance(b, Decimal) and a == b
    if isinstance(a, (set, frozenset)):
        return isinstance(b, (set, frozenset)) and a == b
    return type(a) is type(b) and a == b


def plain(value):
    """A deserialized value as Ansible returns it: integral numbers as int, others as float, sets as sorted
    lists, binary as its base64 text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, Binary):
        return base64.b64encode(bytes(value.value)).decode("ascii")
    return value


def label(schema, key):
    """A key as the diff names it, its attributes in key schema order: id="item-1", or pk="a", sk=2."""
    return ", ".join("%s=%s" % (name, json.dumps(key[name])) for name in schema.names)


# -- calls ------------------------------------------------------------------------------------------------------


def describe_table(client, table):
    """The table (DescribeTable); DynamoDBItemsError naming `table` when there is none or it cannot be
    written."""
    try:
        found = client.describe_table(TableName=table)["Table"]
    except is_boto3_error_code("ResourceNotFoundException"):
        raise DynamoDBItemsError(
            "table: no DynamoDB table %s in this account and region (create it first, e.g. with "
            "community.aws.dynamodb_table)" % table) from None
    except (ClientError, BotoCoreError) as e:  # pylint: disable=duplicate-except
        raise DynamoDBItemsError("table: failed to describe DynamoDB table %s" % table, exception=e) from e
    status = found.get("TableStatus", "ACTIVE")
    if status not in WRITABLE_STATUSES:
        raise DynamoDBItemsError("table: DynamoDB table %s is %s; its items can be written once it is ACTIVE"
                                 % (table, status))
    return found


def get_item(client, table, schema, item, where):
    """The item stored under `item`'s key, deserialized, or None."""
    try:
        found = client.get_item(TableName=table, Key=serialize(schema.key_of(item)), ConsistentRead=True)
    except (ClientError, BotoCoreError) as e:
        raise DynamoDBItemsError("%s: failed to read item %s of DynamoDB table %s"
                                 % (where, label(schema, plain(schema.key_of(item))), table), exception=e) from e
    return deserialize(found["Item"]) if "Item" in found else None


def scan_keys(client, table, schema):
    """The key of every item in the table, deserialized (Scan of the key attributes only, every page)."""
    names = {"#k%d" % i: name for i, name in enumerate(schema.names)}
    pages = client.get_paginator("scan").paginate(
        TableName=table, ProjectionExpression=", ".join(sorted(names)), ExpressionAttributeNames=names,
        ConsistentRead=True)
    try:
        return [deserialize(found) for page in pages for found in page.get("Items") or []]
    except (ClientError, BotoCoreError) as e:
        raise DynamoDBItemsError("purge: failed to scan DynamoDB table %s for the items not listed" % table,
                                 exception=e) from e


# -- the run ----------------------------------------------------------------------------------------------------


def plan(client, table, schema, items, purge):
    """[(action, key, before, after)] for every item listed (created, updated or unchanged), then with purge
    for every item not listed (deleted); before and after are deserialized items (None: absent)."""
    planned = []
    listed = set()
    for index, item in enumerate(items):
        wanted = deserialize(serialize(item))
        found = get_item(client, table, schema, item, "items[%d]" % index)
        action = "created" if found is None else "unchanged" if same(found, wanted) else "updated"
        planned.append((action, schema.key_of(wanted), found, wanted))
        listed.add(schema.identity(wanted))
    if purge:
        extra = [key for key in scan_keys(client, table, schema) if schema.identity(key) not in listed]
        for key in sorted(extra, key=lambda k: label(schema, plain(k))):
            planned.append(("deleted", schema.key_of(key), key, None))
    return planned


def entry(action, key):
    """An item of the result: its key and what was (or, in check mode, would be) done."""
    return dict(key=plain(key), action=action)


def write(client, table, schema, planned):
    """PutItem for each created or updated item, DeleteItem for each deleted one, in the planned order. A failed
    write raises DynamoDBItemsError naming the option, with the items done so far (kwargs done)."""
    done = []
    for index, (action, key, _before, after) in enumerate(planned):
        if action == "unchanged":
            continue
        try:
            if action == "deleted":
                client.delete_item(TableName=table, Key=serialize(key))
            else:
                client.put_item(TableName=table, Item=serialize(after))
        except (ClientError, BotoCoreError) as e:
            where = "purge" if action == "deleted" else "items[%d]" % index
            verb = "delete" if action == "deleted" else "write"
            raise DynamoDBItemsError(
                "%s: failed to %s item %s of DynamoDB table %s" % (where, verb, label(schema, plain(key)), table),
                exception=e, done=done) from e
        done.append(entry(action, key))
    return done


def diff_of(schema, planned):
    """{before: {items: {label: item}}, after: {...}}: every item listed and every item deleted, absent ones left
    out. A deleted item shows its key attributes only (the scan reads no more)."""
    before, after = {}, {}
    for _action, key, old, new in planned:
        name = label(schema, plain(key))
        if old is not None:
            before[name] = plain(old)
        if new is not None:
            after[name] = plain(new)
    return dict(before=dict(items=before), after=dict(items=after))


def converge(client, table, items, purge, check_mode):
    """Bring the table's items to `items` (normalized by check_params): the result the module returns."""
    schema = KeySchema(describe_table(client, table))
    check_keys(schema, items)
    planned = plan(client, table, schema, items, purge)
    changed = any(action != "unchanged" for action, _key, _old, _new in planned)
    if changed and not check_mode:
        write(client, table, schema, planned)
    return dict(changed=changed, table=table, items=[entry(action, key) for action, key, _o, _n in planned],
                diff=diff_of(schema, planned))
