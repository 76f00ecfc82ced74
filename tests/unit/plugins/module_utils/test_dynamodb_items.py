# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""dynamodb_items without AWS: the input checks (table name, values, size, keys, duplicates) before any call,
written only when absent or different (with DynamoDB's types), check mode writes nothing, purge deletes only the
items not listed, and every failure names the option."""

from decimal import Decimal

import botocore.exceptions
import pytest
from boto3.dynamodb.types import Binary
from boto3.dynamodb.types import TypeDeserializer
from boto3.dynamodb.types import TypeSerializer

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import dynamodb_items as items_utils
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.dynamodb_items import DynamoDBItemsError

TABLE = "site-dev-items"
WRITES = ("put_item", "delete_item")


def client_error(code, operation):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": code}}, operation)


class FakeDynamoDB:
    """Just enough of a DynamoDB client for one table: describe_table, get_item, put_item, delete_item and a scan
    paginator serving `page_size` items a page. Items are kept serialized, found by their deserialized key."""

    def __init__(self, key_schema=(("id", "HASH", "S"),), stored=(), exists=True, status="ACTIVE", page_size=2,
                 fail=None):
        self.key_schema = key_schema
        self.names = [name for name, _kind, _type in key_schema]
        self.exists = exists
        self.status = status
        self.page_size = page_size
        self.fail = fail or {}
        self.calls = []
        self.items = {}
        for item in stored:
            self.store(TypeSerializer().serialize(item)["M"])

    def identity(self, attributes):
        deserializer = TypeDeserializer()
        return tuple((name, deserializer.deserialize(attributes[name])) for name in self.names)

    def store(self, item):
        self.items[self.identity(item)] = item

    def _maybe_fail(self, operation):
        if operation in self.fail:
            raise self.fail[operation]

    def describe_table(self, TableName):  # noqa: N803 - boto3 keyword
        self.calls.append(("describe_table", TableName))
        self._maybe_fail("describe_table")
        if not self.exists or TableName != TABLE:
            raise client_error("ResourceNotFoundException", "DescribeTable")
        return {"Table": {
            "TableName": TableName, "TableStatus": self.status,
            # RANGE listed first: the order DescribeTable gives is not relied on.
            "KeySchema": [{"AttributeName": n, "KeyType": k} for n, k, _t in reversed(self.key_schema)],
            "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, _k, t in self.key_schema],
        }}

    def get_item(self, TableName, Key, ConsistentRead):  # noqa: N803 - boto3 keywords
        self.calls.append(("get_item", Key, ConsistentRead))
        self._maybe_fail("get_item")
        assert sorted(Key) == sorted(self.names)
        found = self.items.get(self.identity(Key))
        return {"Item": found} if found is not None else {}

    def put_item(self, TableName, Item):  # noqa: N803 - boto3 keywords
        self.calls.append(("put_item", Item))
        self._maybe_fail("put_item")
        self.store(Item)
        return {}

    def delete_item(self, TableName, Key):  # noqa: N803 - boto3 keywords
        self.calls.append(("delete_item", Key))
        self._maybe_fail("delete_item")
        self.items.pop(self.identity(Key), None)
        return {}

    def get_paginator(self, operation):
        assert operation == "scan"
        fake = self

        class Paginator:
            def paginate(self, **params):
                fake.calls.append(("scan", params))
                fake._maybe_fail("scan")
                projected = [{name: item[name] for name in fake.names} for item in fake.items.values()]
                for start in range(0, len(projected), fake.page_size):
                    fake.calls.append(("scan page", start))
                    yield {"Items": projected[start:start + fake.page_size]}
                if not projected:
                    yield {"Items": []}

        return Paginator()

    def operations(self):
        return [call[0] for call in self.calls]

    def writes(self):
        return [call for call in self.calls if call[0] in WRITES]

    def plain_items(self):
        deserializer = TypeDeserializer()
        return sorted(({k: deserializer.deserialize(v) for k, v in item.items()} for item in self.items.values()),
                      key=lambda item: repr([item[name] for name in self.names]))


def run(client, items, purge=False, check_mode=False, table=TABLE):
    wanted = items_utils.check_params({"table": table, "items": items, "purge": purge})
    return items_utils.converge(client, table, wanted, purge, check_mode)


def failure(client, items, purge=False, check_mode=False, table=TABLE):
    with pytest.raises(DynamoDBItemsError) as e:
        run(client, items, purge, check_mode, table)
    return e.value


DEMO = {"id": "demo", "message": "Hello from DynamoDB", "views": 3, "ratio": 0.1, "live": True, "gone": None,
        "tags": ["ssr", 2], "meta": {"env": "dev", "depth": {"n": 1.5}}}


# --- the table name ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("table", ["abc", "a" * 255, "Site_dev.items-2", "..."])
def test_table_names_by_aws_rules(table):
    assert items_utils.table_problems(table) == []


@pytest.mark.parametrize("table", ["ab", "", "a" * 256, "site/items", "site items", "items:dev", "tablé"])
def test_bad_table_name_fails_naming_table_before_any_call(table):
    client = FakeDynamoDB()
    error = failure(client, [{"id": "a"}], table=table)
    assert str(error) == ("table: %r is not a DynamoDB table name (3-255 characters: letters, digits, _, - and .)"
                          % table)
    assert client.calls == []


# --- values ------------------------------------------------------------------------------------------------------
def test_values_become_dynamodb_types_floats_through_their_text():
    (item,) = items_utils.check_params({"table": TABLE, "items": [DEMO]})
    assert item["ratio"] == Decimal("0.1") and str(item["ratio"]) == "0.1"
    assert items_utils.serialize(item) == {
        "id": {"S": "demo"}, "message": {"S": "Hello from DynamoDB"}, "views": {"N": "3"}, "ratio": {"N": "0.1"},
        "live": {"BOOL": True}, "gone": {"NULL": True}, "tags": {"L": [{"S": "ssr"}, {"N": "2"}]},
        "meta": {"M": {"env": {"S": "dev"}, "depth": {"M": {"n": {"N": "1.5"}}}}},
    }


@pytest.mark.parametrize("item, message", [
    ({"id": "a", "blob": b"x"}, "items[0].blob: bytes is not a value this module writes"),
    ({"id": "a", "set": {"x"}}, "items[0].set: set is not a value this module writes"),
    ({"id": "a", "deep": {"list": [1, 2, object()]}}, "items[0].deep.list[2]: object is not a value"),
    ({"id": "a", "n": float("nan")}, "items[0].n: nan is not a number DynamoDB can store"),
    ({"id": "a", "n": float("inf")}, "items[0].n: inf is not a number DynamoDB can store"),
    ({"id": "a", "n": 10 ** 40 + 1}, "items[0].n: %d cannot be stored exactly as a DynamoDB number" % (10 ** 40 + 1)),
    ({"id": "a", "m": {1: "one"}}, "items[0].m: attribute names must be non-empty strings, not 1"),
    ({"id": "a", "": "empty"}, "items[0]: attribute names must be non-empty strings, not ''"),
])
def test_a_value_dynamodb_cannot_hold_fails_naming_its_path(item, message):
    client = FakeDynamoDB()
    assert str(failure(client, [item])).startswith(message)
    assert client.calls == []


def test_the_failing_item_is_named_by_its_index():
    assert str(failure(FakeDynamoDB(), [{"id": "a"}, {"id": "b"}, "not a dict"])) == (
        "items[2]: must be a dict of attributes, not str")


def test_nesting_up_to_32_levels():
    def nested(levels):
        value = "leaf"
        for level in range(levels):
            value = {"n%d" % level: value}
        return value

    items_utils.check_params({"table": TABLE, "items": [{"id": "a", "v": nested(31)}]})
    with pytest.raises(DynamoDBItemsError, match=r"^items\[0\]\.v(\.n\d+)+: nested more than 32 levels deep"):
        items_utils.check_params({"table": TABLE, "items": [{"id": "a", "v": nested(32)}]})


# --- sizes -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, size", [
    ("héllo", 6),  # UTF-8 bytes
    (Decimal("12300"), 3),  # 3 significant digits: 2 bytes, plus 1
    (Decimal("0.0012"), 2),
    (True, 1),
    (None, 1),
    ([Decimal(1), "ab"], 3 + (1 + 2) + (1 + 2)),
    ({"a": True}, 3 + 1 + 1 + 1),
    ([], 3),
])
def test_value_sizes_as_aws_estimates_them(value, size):
    assert items_utils.value_size(value) == size


def test_an_item_over_400_kb_fails_naming_it_before_any_call():
    limit = 400 * 1024
    fits = {"id": "a", "body": "x" * (limit - len("id") - 1 - len("body"))}
    assert items_utils.item_size(fits) == limit
    items_utils.check_params({"table": TABLE, "items": [fits]})
    client = FakeDynamoDB()
    error = failure(client, [{"id": "b"}, dict(fits, body=fits["body"] + "x")])
    assert str(error) == "items[1]: is about 409601 bytes, over DynamoDB's item size limit of 400 KB (409600 bytes)"
    assert client.calls == []


# --- keys --------------------------------------------------------------------------------------------------------
COMPOSITE = (("pk", "HASH", "S"), ("sk", "RANGE", "N"))


@pytest.mark.parametrize("key_schema, items, message", [
    ((("id", "HASH", "S"),), [{"id": "a"}, {"name": "b"}],
     "items[1]: has no key attribute id (the table's key: id (S))"),
    (COMPOSITE, [{"pk": "a"}], "items[0]: has no key attribute sk (the table's key: pk (S), sk (N))"),
    (COMPOSITE, [{"pk": "a", "sk": "1"}], "items[0].sk: the key attribute must be a number (type N), not a string"),
    (COMPOSITE, [{"pk": "a", "sk": True}], "items[0].sk: the key attribute must be a number (type N), not a boolean"),
    ((("id", "HASH", "S"),), [{"id": 1}], "items[0].id: the key attribute must be a string (type S), not a number"),
    ((("id", "HASH", "S"),), [{"id": None}], "items[0].id: the key attribute must be a string (type S), not null"),
    ((("id", "HASH", "S"),), [{"id": ""}], "items[0].id: a key attribute must not be an empty string"),
    ((("id", "HASH", "S"),), [{"id": "x" * 2049}],
     "items[0].id: is 2049 bytes long, over DynamoDB's limit of 2048 bytes for a partition key"),
    ((("pk", "HASH", "S"), ("sk", "RANGE", "S")), [{"pk": "a", "sk": "x" * 1025}],
     "items[0].sk: is 1025 bytes long, over DynamoDB's limit of 1024 bytes for a sort key"),
    ((("id", "HASH", "B"),), [{"id": "a"}],
     "items[0].id: the key attribute must be binary (type B), not a string (this module writes no binary values)"),
])
def test_a_key_problem_fails_naming_the_item_after_describe_only(key_schema, items, message):
    client = FakeDynamoDB(key_schema)
    assert str(failure(client, items)) == message
    assert client.operations() == ["describe_table"]


@pytest.mark.parametrize("key_schema, items, message", [
    ((("id", "HASH", "S"),), [{"id": "a"}, {"id": "b"}, {"id": "a", "v": 2}],
     'items[0] and items[2]: the same key id="a" (list each item once)'),
    (COMPOSITE, [{"pk": "a", "sk": 1}, {"pk": "a", "sk": 2}, {"pk": "a", "sk": 1.0}],
     'items[0] and items[2]: the same key pk="a", sk=1 (list each item once)'),
])
def test_duplicate_keys_fail_naming_both_items(key_schema, items, message):
    client = FakeDynamoDB(key_schema)
    assert str(failure(client, items)) == message
    assert client.operations() == ["describe_table"]


# --- the table ---------------------------------------------------------------------------------------------------
def test_a_missing_table_fails_naming_table_with_no_write():
    client = FakeDynamoDB(exists=False)
    error = failure(client, [{"id": "a"}], purge=True)
    assert str(error) == ("table: no DynamoDB table site-dev-items in this account and region (create it first, "
                          "e.g. with community.aws.dynamodb_table)")
    assert client.operations() == ["describe_table"]


def test_a_table_being_created_fails_naming_table():
    client = FakeDynamoDB(status="CREATING")
    assert str(failure(client, [{"id": "a"}])) == (
        "table: DynamoDB table site-dev-items is CREATING; its items can be written once it is ACTIVE")
    assert client.operations() == ["describe_table"]


def test_describe_failing_names_table_with_the_error():
    client = FakeDynamoDB(fail={"describe_table": client_error("AccessDeniedException", "DescribeTable")})
    error = failure(client, [{"id": "a"}])
    assert error.message == "table: failed to describe DynamoDB table site-dev-items"
    assert error.exception.response["Error"]["Code"] == "AccessDeniedException"


# --- converging --------------------------------------------------------------------------------------------------
def test_absent_items_are_created_then_a_second_run_writes_nothing():
    client = FakeDynamoDB()
    first = run(client, [DEMO, {"id": "other"}])
    assert first["changed"] is True
    assert first["table"] == TABLE
    assert first["items"] == [{"key": {"id": "demo"}, "action": "created"},
                              {"key": {"id": "other"}, "action": "created"}]
    assert [call[0] for call in client.calls] == ["describe_table", "get_item", "get_item", "put_item", "put_item"]
    assert all(call[2] is True for call in client.calls if call[0] == "get_item")  # ConsistentRead
    assert client.plain_items()[0]["meta"] == {"env": "dev", "depth": {"n": Decimal("1.5")}}

    client.calls = []
    second = run(client, [DEMO, {"id": "other"}])
    assert second["changed"] is False
    assert [entry["action"] for entry in second["items"]] == ["unchanged", "unchanged"]
    assert client.operations() == ["describe_table", "get_item", "get_item"]


def test_check_mode_writes_nothing_and_reports_the_same():
    stored = {"id": "demo", "message": "old"}
    checked_client, real_client = FakeDynamoDB(stored=[stored]), FakeDynamoDB(stored=[stored])
    items = [DEMO, {"id": "new"}]
    checked = run(checked_client, items, check_mode=True)
    assert checked_client.writes() == []
    assert checked_client.plain_items() == [{"id": "demo", "message": "old"}]
    real = run(real_client, items)
    assert checked == real
    assert checked["changed"] is True
    assert checked["items"] == [{"key": {"id": "demo"}, "action": "updated"},
                                {"key": {"id": "new"}, "action": "created"}]
    assert len(real_client.writes()) == 2


def test_the_diff_shows_each_item_before_and_after():
    client = FakeDynamoDB(stored=[{"id": "demo", "message": "old", "views": 3}, {"id": "same", "v": 1}])
    result = run(client, [{"id": "demo", "message": "new", "views": 3, "ratio": 0.5}, {"id": "same", "v": 1},
                          {"id": "added", "n": 2}])
    assert result["diff"] == {
        "before": {"items": {'id="demo"': {"id": "demo", "message": "old", "views": 3},
                             'id="same"': {"id": "same", "v": 1}}},
        "after": {"items": {'id="demo"': {"id": "demo", "message": "new", "views": 3, "ratio": 0.5},
                            'id="same"': {"id": "same", "v": 1},
                            'id="added"': {"id": "added", "n": 2}}},
    }


@pytest.mark.parametrize("stored, wanted, action", [
    ({"id": "a", "n": 1}, {"id": "a", "n": 1.0}, "unchanged"),  # the same number
    ({"id": "a", "n": Decimal("0.10")}, {"id": "a", "n": 0.1}, "unchanged"),
    ({"id": "a", "n": 1}, {"id": "a", "n": True}, "updated"),  # a number is not a boolean
    ({"id": "a", "b": False}, {"id": "a", "b": 0}, "updated"),
    ({"id": "a", "s": "1"}, {"id": "a", "s": 1}, "updated"),  # a string is not a number
    ({"id": "a", "x": None}, {"id": "a", "x": False}, "updated"),
    ({"id": "a", "l": [1, 2]}, {"id": "a", "l": [2, 1]}, "updated"),  # lists are ordered
    ({"id": "a", "m": {"k": 1}}, {"id": "a", "m": {"k": 1, "j": 2}}, "updated"),
    ({"id": "a", "extra": "kept?"}, {"id": "a"}, "updated"),  # the item is written whole
    ({"id": "a", "ss": {"x", "y"}}, {"id": "a", "ss": ["x", "y"]}, "updated"),  # a set is not a list
    ({"id": "a", "m": {"k": [1, {"z": "v"}]}}, {"id": "a", "m": {"k": [1.0, {"z": "v"}]}}, "unchanged"),
])
def test_values_compare_with_their_dynamodb_types(stored, wanted, action):
    client = FakeDynamoDB(stored=[stored])
    result = run(client, [wanted])
    assert result["items"] == [{"key": {"id": "a"}, "action": action}]
    assert len(client.writes()) == (0 if action == "unchanged" else 1)


def test_an_update_replaces_the_item():
    client = FakeDynamoDB(stored=[{"id": "demo", "message": "old", "extra": 1}])
    run(client, [{"id": "demo", "message": "new"}])
    assert client.plain_items() == [{"id": "demo", "message": "new"}]
    assert client.writes() == [("put_item", {"id": {"S": "demo"}, "message": {"S": "new"}})]


def test_without_purge_other_items_are_never_read_or_touched():
    client = FakeDynamoDB(stored=[{"id": "theirs", "v": 1}])
    result = run(client, [{"id": "ours"}])
    assert result["items"] == [{"key": {"id": "ours"}, "action": "created"}]
    assert "scan" not in client.operations()
    assert client.plain_items() == [{"id": "ours"}, {"id": "theirs", "v": Decimal(1)}]


# --- purge -------------------------------------------------------------------------------------------------------
def test_purge_deletes_only_the_items_not_listed_reading_every_page_of_keys():
    stored = [{"pk": "a", "sk": n, "v": "x"} for n in range(1, 6)] + [{"pk": "b", "sk": 1}]
    client = FakeDynamoDB(COMPOSITE, stored=stored, page_size=2)
    result = run(client, [{"pk": "a", "sk": 2, "v": "x"}, {"pk": "b", "sk": 1.0, "w": True}], purge=True)
    assert result["items"] == [
        {"key": {"pk": "a", "sk": 2}, "action": "unchanged"},
        {"key": {"pk": "b", "sk": 1}, "action": "updated"},
        {"key": {"pk": "a", "sk": 1}, "action": "deleted"},
        {"key": {"pk": "a", "sk": 3}, "action": "deleted"},
        {"key": {"pk": "a", "sk": 4}, "action": "deleted"},
        {"key": {"pk": "a", "sk": 5}, "action": "deleted"},
    ]
    scans = [call[1] for call in client.calls if call[0] == "scan"]
    assert scans == [{"TableName": TABLE, "ProjectionExpression": "#k0, #k1",
                      "ExpressionAttributeNames": {"#k0": "pk", "#k1": "sk"}, "ConsistentRead": True}]
    pages = [call for call in client.calls if call[0] == "scan page"]
    assert pages == [("scan page", 0), ("scan page", 2), ("scan page", 4)]
    assert [call[0] for call in client.writes()] == ["put_item"] + ["delete_item"] * 4
    assert client.plain_items() == [{"pk": "a", "sk": Decimal(2), "v": "x"}, {"pk": "b", "sk": Decimal(1), "w": True}]
    assert result["diff"]["before"]["items"]['pk="a", sk=3'] == {"pk": "a", "sk": 3}
    assert 'pk="a", sk=3' not in result["diff"]["after"]["items"]


def test_purge_in_check_mode_deletes_nothing():
    client = FakeDynamoDB(stored=[{"id": "ours"}, {"id": "theirs"}])
    result = run(client, [{"id": "ours"}], purge=True, check_mode=True)
    assert result["changed"] is True
    assert result["items"][1] == {"key": {"id": "theirs"}, "action": "deleted"}
    assert client.writes() == []
    assert len(client.items) == 2


def test_purge_with_everything_listed_changes_nothing():
    client = FakeDynamoDB(stored=[{"id": "a"}, {"id": "b"}])
    result = run(client, [{"id": "b"}, {"id": "a"}], purge=True)
    assert result["changed"] is False
    assert client.writes() == []


def test_purge_with_no_items_empties_the_table():
    client = FakeDynamoDB(stored=[{"id": "a"}, {"id": "b"}])
    result = run(client, [], purge=True)
    assert [entry["action"] for entry in result["items"]] == ["deleted", "deleted"]
    assert client.items == {}


# --- failed calls name the option -------------------------------------------------------------------------------
def test_a_failed_read_names_the_item():
    client = FakeDynamoDB(fail={"get_item": client_error("AccessDeniedException", "GetItem")})
    error = failure(client, [{"id": "a"}])
    assert error.message == 'items[0]: failed to read item id="a" of DynamoDB table site-dev-items'
    assert client.writes() == []


def test_a_failed_scan_names_purge_before_any_write():
    client = FakeDynamoDB(fail={"scan": client_error("AccessDeniedException", "Scan")})
    error = failure(client, [{"id": "a"}], purge=True)
    assert error.message == "purge: failed to scan DynamoDB table site-dev-items for the items not listed"
    assert client.writes() == []


def test_a_failed_write_names_the_item_and_returns_what_was_done():
    client = FakeDynamoDB(stored=[{"id": "gone"}])
    client.fail["delete_item"] = client_error("AccessDeniedException", "DeleteItem")
    error = failure(client, [{"id": "a"}, {"id": "b"}], purge=True)
    assert error.message == 'purge: failed to delete item id="gone" of DynamoDB table site-dev-items'
    assert error.kwargs["done"] == [{"key": {"id": "a"}, "action": "created"},
                                    {"key": {"id": "b"}, "action": "created"}]

    client = FakeDynamoDB(fail={"put_item": client_error("ValidationException", "PutItem")})
    error = failure(client, [{"id": "a"}])
    assert error.message == 'items[0]: failed to write item id="a" of DynamoDB table site-dev-items'
    assert error.kwargs["done"] == []


# --- what is returned --------------------------------------------------------------------------------------------
def test_plain_values_for_ansible():
    assert items_utils.plain({"i": Decimal("3"), "f": Decimal("0.25"), "big": Decimal("1E+3"), "s": {"b", "a"},
                              "ns": {Decimal(2), Decimal(1)}, "bin": Binary(b"hi"), "l": [None, True]}) == {
        "i": 3, "f": 0.25, "big": 1000, "s": ["a", "b"], "ns": [1, 2], "bin": "aGk=", "l": [None, True]}
