# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""runtime_plan without AWS: what differs, as community.aws's modules would find it, and a diff without secrets."""

import json

import botocore.exceptions
import pytest
from boto3.dynamodb.types import TypeDeserializer

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import runtime_plan

TAGS = {"managed-by": "amplify_hosting.ssr", "environment": "dev"}
OURS = [{"Key": k, "Value": v} for k, v in TAGS.items()]
SECRET = "s3cr3t-value-7f21"
SECURE = "secure-string-value-19ab"


def not_found(operation):
    return botocore.exceptions.ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "no"}}, operation)


class FakeSSM:
    def __init__(self, parameters):
        self.parameters = parameters  # name -> {Type, Value, Description?, Tags}
        self.calls = []

    def describe_parameters(self, ParameterFilters):
        name = ParameterFilters[0]["Values"][0]
        self.calls.append(("DescribeParameters", name))
        if name not in self.parameters:
            return {"Parameters": []}
        held = self.parameters[name]
        found = {"Name": name, "Type": held["Type"], "ARN": "arn:aws:ssm:us-east-1:1:parameter" + name}
        if "Description" in held:
            found["Description"] = held["Description"]
        return {"Parameters": [found]}

    def list_tags_for_resource(self, ResourceType, ResourceId):
        self.calls.append(("ListTagsForResource", ResourceId))
        return {"TagList": self.parameters[ResourceId]["Tags"]}

    def get_parameter(self, Name, WithDecryption):
        assert WithDecryption is True
        self.calls.append(("GetParameter", Name))
        return {"Parameter": {"Name": Name, "Value": self.parameters[Name]["Value"]}}


class FakeSecrets:
    def __init__(self, secrets):
        self.secrets = secrets  # name -> DescribeSecret answer plus Value and Policy
        self.calls = []

    def describe_secret(self, SecretId):
        self.calls.append(("DescribeSecret", SecretId))
        if SecretId not in self.secrets:
            raise not_found("DescribeSecret")
        held = dict(self.secrets[SecretId])
        held.pop("Value", None)
        held.pop("Policy", None)
        return dict(held, Name=SecretId, ARN="arn:aws:secretsmanager:us-east-1:1:secret:%s-AbCdEf" % SecretId)

    def get_secret_value(self, SecretId):
        self.calls.append(("GetSecretValue", SecretId))
        assert "DeletedDate" not in self.secrets[SecretId], "a secret scheduled for deletion gives no value"
        return {"SecretString": self.secrets[SecretId]["Value"]}

    def get_resource_policy(self, SecretId):
        self.calls.append(("GetResourcePolicy", SecretId))
        policy = self.secrets[SecretId].get("Policy")
        return {"Name": SecretId, "ResourcePolicy": policy} if policy else {"Name": SecretId}


class FakeDynamoDB:
    def __init__(self, tables):
        self.tables = tables  # name -> {key, type, billing, status, Tags, Items (as DynamoDB holds them)}
        self.calls = []

    def describe_table(self, TableName):
        self.calls.append(("DescribeTable", TableName))
        if TableName not in self.tables:
            raise not_found("DescribeTable")
        held = self.tables[TableName]
        key = held.get("key", "id")
        table = {"TableArn": "arn:aws:dynamodb:us-east-1:1:table/" + TableName,
                 "TableStatus": held.get("status", "ACTIVE"),
                 "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
                 "AttributeDefinitions": [{"AttributeName": key, "AttributeType": held.get("type", "S")}]}
        if held.get("billing"):
            table["BillingModeSummary"] = {"BillingMode": held["billing"]}
        return {"Table": table}

    def list_tags_of_resource(self, ResourceArn):
        self.calls.append(("ListTagsOfResource", ResourceArn.split("/")[-1]))
        return {"Tags": self.tables[ResourceArn.split("/")[-1]]["Tags"]}

    def get_item(self, TableName, Key, ConsistentRead):
        """GetItem as DynamoDB answers it: the item whose key attribute has Key's value (numbers by value), or no
        Item; a table that does not exist (or is not ACTIVE yet) is not found."""
        self.calls.append(("GetItem", TableName, ConsistentRead))
        held = self.tables.get(TableName)
        if held is None or held.get("status", "ACTIVE") not in ("ACTIVE", "UPDATING"):
            raise not_found("GetItem")
        key = held.get("key", "id")
        assert list(Key) == [key], "GetItem takes exactly the table's key attributes"
        wanted = TypeDeserializer().deserialize(Key[key])
        for item in held.get("Items", []):
            same_type = key in item and list(item[key]) == list(Key[key])  # {"S": ...} or {"N": ...}
            if same_type and TypeDeserializer().deserialize(item[key]) == wanted:
                return {"Item": item}
        return {}


PARAMETER = {"name": "/app/dev/greeting", "value": "hello", "type": "String"}
SECURE_PARAMETER = {"name": "/app/dev/token", "value": SECURE, "type": "SecureString"}
SECRET_ENTRY = {"name": "app/dev/api-key", "value": SECRET, "description": "API key"}
TABLE = {"name": "app-dev-items", "partition_key": "id", "partition_key_type": "STRING"}


def converged():
    """What the role's writes make of the four entries above."""
    return {
        "ssm": FakeSSM({"/app/dev/greeting": {"Type": "String", "Value": "hello", "Tags": OURS},
                        "/app/dev/token": {"Type": "SecureString", "Value": SECURE, "Tags": OURS}}),
        "secretsmanager": FakeSecrets({"app/dev/api-key": {"Description": "API key", "Value": SECRET, "Tags": OURS}}),
        "dynamodb": FakeDynamoDB({"app-dev-items": {"billing": "PAY_PER_REQUEST", "Tags": OURS}}),
    }


def run(clients, parameters=(PARAMETER, SECURE_PARAMETER), secrets=(SECRET_ENTRY,), tables=(TABLE,), tags=None):
    return runtime_plan.plan(clients, "dev", tags or TAGS, list(parameters), list(secrets), list(tables))


def test_nothing_declared_differs_when_aws_holds_it():
    result = run(converged())
    assert result["differs"] is False and result["diff"] == [] and result["foreign"] == []
    assert result["write"] == {"parameters": [], "secrets": [], "tables": [], "items": []}
    assert [e["changes"] for e in result["parameters"] + result["secrets"] + result["tables"]] == [[]] * 4
    assert all(e["exists"] and e["owned"] for e in result["parameters"] + result["secrets"] + result["tables"])


def test_the_reads_are_the_ones_community_aws_makes():
    clients = converged()
    run(clients)
    assert clients["ssm"].calls == [("DescribeParameters", "/app/dev/greeting"),
                                    ("ListTagsForResource", "/app/dev/greeting"), ("GetParameter", "/app/dev/greeting"),
                                    ("DescribeParameters", "/app/dev/token"), ("ListTagsForResource", "/app/dev/token"),
                                    ("GetParameter", "/app/dev/token")]
    assert clients["secretsmanager"].calls == [("DescribeSecret", "app/dev/api-key"),
                                               ("GetSecretValue", "app/dev/api-key"),
                                               ("GetResourcePolicy", "app/dev/api-key")]
    assert clients["dynamodb"].calls == [("DescribeTable", "app-dev-items"), ("ListTagsOfResource", "app-dev-items")]


def test_absent_resources_are_created_and_their_diff_starts_from_nothing():
    empty = {"ssm": FakeSSM({}), "secretsmanager": FakeSecrets({}), "dynamodb": FakeDynamoDB({})}
    result = run(empty)
    assert result["write"] == {"parameters": ["/app/dev/greeting", "/app/dev/token"], "secrets": ["app/dev/api-key"],
                               "tables": ["app-dev-items"], "items": []}
    assert [e["changes"] for e in result["parameters"] + result["secrets"] + result["tables"]] == [["create"]] * 4
    assert [d["before_header"] for d in result["diff"]] == [
        "SSM parameter /app/dev/greeting (absent)", "SSM parameter /app/dev/token (absent)",
        "secret app/dev/api-key (absent)", "DynamoDB table app-dev-items (absent)"]
    assert all(d["before"] == "" for d in result["diff"])
    assert result["diff"][0]["after"] == (
        "tags.environment: dev\ntags.managed-by: amplify_hosting.ssr\ntype: String\nvalue: hello\n")
    assert "value: (not shown)\n" in result["diff"][1]["after"] and "value: (not shown)\n" in result["diff"][2]["after"]
    assert result["diff"][3]["after"] == ("billing_mode: PAY_PER_REQUEST\npartition_key: id (STRING)\nstatus: ACTIVE\n"
                                          "tags.environment: dev\ntags.managed-by: amplify_hosting.ssr\n")
    assert SECRET not in json.dumps(result) and SECURE not in json.dumps(result)


def test_a_string_value_shows_and_a_secure_value_only_says_it_changes():
    clients = converged()
    clients["ssm"].parameters["/app/dev/greeting"]["Value"] = "hi"
    clients["ssm"].parameters["/app/dev/token"]["Value"] = "old-" + SECURE
    result = run(clients)
    assert [e["changes"] for e in result["parameters"]] == [["value"], ["value"]]
    greeting, token = result["diff"]
    assert "value: hi\n" in greeting["before"] and "value: hello\n" in greeting["after"]
    assert "value: (not shown)\n" in token["before"] and "value: (not shown) (changes)\n" in token["after"]
    assert SECURE not in json.dumps(result)


def test_a_parameter_that_becomes_a_secure_string_hides_its_old_value_too():
    clients = converged()
    result = run(clients, parameters=[dict(PARAMETER, type="SecureString")], secrets=(), tables=())
    assert result["parameters"][0]["changes"] == ["type"]
    assert "value: hello" not in json.dumps(result["diff"])


@pytest.mark.parametrize("held, declared, changes", [
    ({"Description": "old"}, {"description": "new"}, ["description"]),
    ({"Description": "old"}, {}, []),  # not declared: not compared (ssm_parameter compares only a given one)
    ({"Type": "StringList"}, {}, ["type"]),
    ({"Tags": OURS + [{"Key": "extra", "Value": "x"}]}, {}, ["tags"]),  # purged
    ({"Tags": OURS[:1]}, {}, ["tags"]),
])
def test_what_a_parameter_compares(held, declared, changes):
    clients = converged()
    clients["ssm"].parameters["/app/dev/greeting"].update(held)
    result = run(clients, parameters=[dict(PARAMETER, **declared)], secrets=(), tables=())
    assert result["parameters"][0]["changes"] == changes
    assert result["write"]["parameters"] == (["/app/dev/greeting"] if changes else [])


@pytest.mark.parametrize("held, declared, changes", [
    ({"Description": "other"}, {}, ["description"]),
    ({"Description": ""}, {"description": ""}, []),
    ({"KmsKeyId": "arn:aws:kms:us-east-1:1:key/1"}, {}, ["kms_key"]),
    ({"Value": "other"}, {}, ["value"]),
    ({"RotationEnabled": True}, {}, ["rotation"]),
    ({"Policy": '{"Version": "2012-10-17", "Statement": []}'}, {}, ["resource_policy"]),
    ({"Tags": OURS + [{"Key": "extra", "Value": "x"}]}, {}, ["tags"]),
    ({"DeletedDate": "2026-12-01"}, {}, ["restore", "value"]),
])
def test_what_a_secret_compares(held, declared, changes):
    clients = converged()
    clients["secretsmanager"].secrets["app/dev/api-key"].update(held)
    result = run(clients, parameters=(), secrets=[dict(SECRET_ENTRY, **declared)], tables=())
    assert result["secrets"][0]["changes"] == changes
    assert result["write"]["secrets"] == (["app/dev/api-key"] if changes else [])
    assert SECRET not in json.dumps(result)


def test_a_secret_with_another_value_shows_only_that_it_changes():
    clients = converged()
    clients["secretsmanager"].secrets["app/dev/api-key"]["Value"] = "previous-value-44"
    diff = run(clients, parameters=(), tables=())["diff"][0]
    assert "value: (not shown)\n" in diff["before"] and "value: (not shown) (changes)\n" in diff["after"]
    assert "previous-value-44" not in json.dumps(diff) and SECRET not in json.dumps(diff)


@pytest.mark.parametrize("held, changes", [
    ({"billing": "PROVISIONED"}, ["billing_mode"]),
    ({"billing": None}, ["billing_mode"]),  # no BillingModeSummary: provisioned
    ({"status": "CREATING"}, ["status"]),
    ({"key": "sku"}, ["partition_key"]),
    ({"type": "N"}, ["partition_key"]),
    ({"Tags": []}, ["tags"]),
])
def test_what_a_table_compares(held, changes):
    clients = converged()
    clients["dynamodb"].tables["app-dev-items"].update(held)
    result = run(clients, parameters=(), secrets=())
    assert result["tables"][0]["changes"] == changes
    assert result["write"]["tables"] == ["app-dev-items"]


def test_a_look_alike_is_foreign_and_named():
    clients = converged()
    clients["ssm"].parameters["/app/dev/greeting"]["Tags"] = [{"Key": "owner", "Value": "someone"}]
    clients["dynamodb"].tables["app-dev-items"]["Tags"] = [{"Key": "managed-by", "Value": "amplify_hosting.ssr"},
                                                           {"Key": "environment", "Value": "prod"}]
    result = run(clients)
    assert result["foreign"] == [
        "the SSM parameter /app/dev/greeting exists without the tags managed-by=amplify_hosting.ssr, environment=dev",
        "the DynamoDB table app-dev-items exists without the tags managed-by=amplify_hosting.ssr, environment=dev"]
    assert [e["owned"] for e in result["parameters"] + result["tables"]] == [False, True, False]


def test_a_read_that_fails_otherwise_than_not_found_is_raised():
    class Denied(FakeDynamoDB):
        def describe_table(self, TableName):
            raise botocore.exceptions.ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}},
                                                  "DescribeTable")

    with pytest.raises(botocore.exceptions.ClientError):
        run({"dynamodb": Denied({})}, parameters=(), secrets=())


# --- a table's items, compared by dynamodb_items's own functions (purge false) ---------------------------------
HELD_ITEMS = ({"id": {"S": "item-1"}, "title": {"S": "First"}, "price": {"N": "12.5"}, "tags": {"L": [{"S": "a"}]}},
              {"id": {"S": "item-2"}, "title": {"S": "Second"}, "active": {"BOOL": True}},
              {"id": {"S": "not-listed"}, "title": {"S": "Left alone"}})
ITEMS = ({"id": "item-1", "title": "First", "price": 12.5, "tags": ["a"]},
         {"id": "item-2", "title": "Second", "active": True})


def with_items(items=ITEMS, held=HELD_ITEMS, **table):
    """The converged table holding `held` (DynamoDB's form), planned with `items` declared."""
    clients = converged()
    clients["dynamodb"].tables["app-dev-items"].update(table, Items=[dict(item) for item in held])
    return clients, run(clients, parameters=(), secrets=(), tables=[dict(TABLE, items=list(items))])


def test_items_the_table_holds_are_not_written_and_each_is_read_once():
    clients, result = with_items()
    assert result["write"] == {"parameters": [], "secrets": [], "tables": [], "items": []}
    assert result["differs"] is False and result["diff"] == []
    assert result["tables"][0]["items"] == [{"key": {"id": "item-1"}, "action": "unchanged"},
                                            {"key": {"id": "item-2"}, "action": "unchanged"}]
    assert clients["dynamodb"].calls == [("DescribeTable", "app-dev-items"), ("ListTagsOfResource", "app-dev-items"),
                                         ("GetItem", "app-dev-items", True), ("GetItem", "app-dev-items", True)]


@pytest.mark.parametrize("item, action", [
    ({"id": "item-2", "title": "Second", "active": 1}, "updated"),  # 1 is not true
    ({"id": "item-2", "title": "Second"}, "updated"),  # the attribute it lacks is removed: the item is written whole
    ({"id": "item-2", "title": "Second", "active": True, "extra": None}, "updated"),
    ({"id": "item-3", "title": "Third"}, "created"),
])
def test_an_item_that_differs_puts_the_table_in_write_items_with_its_key_and_action(item, action):
    _clients, result = with_items(items=[ITEMS[0], item])
    assert result["write"] == {"parameters": [], "secrets": [], "tables": [], "items": ["app-dev-items"]}
    assert result["tables"][0]["changes"] == []
    assert result["tables"][0]["items"] == [{"key": {"id": "item-1"}, "action": "unchanged"},
                                            {"key": {"id": item["id"]}, "action": action}]
    # dynamodb_items, which the role runs for that table, shows the items' diff: the plan shows it not a second time
    assert result["diff"] == [] and result["differs"] is False


def test_a_number_compares_by_value_as_dynamodb_items_does():
    _clients, result = with_items(items=[dict(ITEMS[0], price=12.50), ITEMS[1]],
                                  held=[dict(HELD_ITEMS[0], price={"N": "12.500"}), HELD_ITEMS[1]])
    assert result["write"]["items"] == [] and [i["action"] for i in result["tables"][0]["items"]] == ["unchanged"] * 2


def test_a_tables_diff_is_its_own_and_its_items_are_in_write_items():
    _clients, result = with_items(items=[dict(ITEMS[0], title="Changed")], Tags=[])
    assert result["write"]["tables"] == result["write"]["items"] == ["app-dev-items"]
    assert [d["before_header"] for d in result["diff"]] == ["DynamoDB table app-dev-items"]


def test_the_items_of_a_table_that_does_not_exist_are_not_read():
    clients = {"dynamodb": FakeDynamoDB({})}
    result = run(clients, parameters=(), secrets=(), tables=[dict(TABLE, items=list(ITEMS))])
    assert clients["dynamodb"].calls == [("DescribeTable", "app-dev-items")]
    assert result["write"] == {"parameters": [], "secrets": [], "tables": ["app-dev-items"], "items": []}
    assert result["tables"][0]["items"] == [] and len(result["diff"]) == 1


@pytest.mark.parametrize("held, items, table_changes", [
    ({"status": "CREATING"}, ITEMS, ["status"]),  # not readable yet: dynamodb_items runs once dynamodb_table waited
    ({"key": "sku"}, ITEMS, ["partition_key"]),  # the items do not fit the table's key: dynamodb_items names that
    ({}, [{"id": "item-1", "ratio": float("nan")}], []),  # a value dynamodb_items does not write: it names it
])
def test_items_that_cannot_be_compared_are_not_read_and_left_to_dynamodb_items(held, items, table_changes):
    clients, result = with_items(items=items, **held)
    assert [c for c in clients["dynamodb"].calls if c[0] == "GetItem"] == []
    assert result["write"]["items"] == ["app-dev-items"] and result["tables"][0]["items"] == []
    # Only the table's own changes are in the diff; the items are dynamodb_items's to show.
    assert result["tables"][0]["changes"] == table_changes
    assert [d["before_header"] for d in result["diff"]] == ["DynamoDB table app-dev-items"] * bool(table_changes)
    assert result["differs"] is bool(table_changes)


def test_a_failed_item_read_names_the_item_and_the_table():
    class Denied(FakeDynamoDB):
        def get_item(self, TableName, Key, ConsistentRead):
            raise botocore.exceptions.ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}},
                                                  "GetItem")

    clients = converged()
    clients["dynamodb"] = Denied(clients["dynamodb"].tables)
    with pytest.raises(runtime_plan.di.DynamoDBItemsError, match='item id="item-1" of DynamoDB table app-dev-items'):
        run(clients, parameters=(), secrets=(), tables=[dict(TABLE, items=list(ITEMS))])
