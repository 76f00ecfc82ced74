# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""runtime_plan without AWS: what differs, as community.aws's modules would find it, and a diff without secrets."""

import json

import botocore.exceptions
import pytest

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
        self.tables = tables  # name -> {key, type, billing, status, Tags}
        self.calls = []

    def describe_table(self, TableName):
        self.calls.append(("DescribeTable", TableName))
        if TableName not in self.tables:
            raise not_found("DescribeTable")
        held = self.tables[TableName]
        table = {"TableArn": "arn:aws:dynamodb:us-east-1:1:table/" + TableName, "TableStatus": held.get("status", "ACTIVE"),
                 "KeySchema": [{"AttributeName": held.get("key", "id"), "KeyType": "HASH"}],
                 "AttributeDefinitions": [{"AttributeName": held.get("key", "id"), "AttributeType": held.get("type", "S")}]}
        if held.get("billing"):
            table["BillingModeSummary"] = {"BillingMode": held["billing"]}
        return {"Table": table}

    def list_tags_of_resource(self, ResourceArn):
        self.calls.append(("ListTagsOfResource", ResourceArn.split("/")[-1]))
        return {"Tags": self.tables[ResourceArn.split("/")[-1]]["Tags"]}


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
    assert result["write"] == {"parameters": [], "secrets": [], "tables": []}
    assert [e["changes"] for e in result["parameters"] + result["secrets"] + result["tables"]] == [[]] * 4
    assert all(e["exists"] and e["owned"] for e in result["parameters"] + result["secrets"] + result["tables"])


def test_the_reads_are_the_ones_community_aws_makes():
    clients = converged()
    run(clients)
    assert clients["ssm"].calls == [("DescribeParameters", "/app/dev/greeting"), ("ListTagsForResource", "/app/dev/greeting"),
                                    ("GetParameter", "/app/dev/greeting"), ("DescribeParameters", "/app/dev/token"),
                                    ("ListTagsForResource", "/app/dev/token"), ("GetParameter", "/app/dev/token")]
    assert clients["secretsmanager"].calls == [("DescribeSecret", "app/dev/api-key"), ("GetSecretValue", "app/dev/api-key"),
                                               ("GetResourcePolicy", "app/dev/api-key")]
    assert clients["dynamodb"].calls == [("DescribeTable", "app-dev-items"), ("ListTagsOfResource", "app-dev-items")]


def test_absent_resources_are_created_and_their_diff_starts_from_nothing():
    empty = {"ssm": FakeSSM({}), "secretsmanager": FakeSecrets({}), "dynamodb": FakeDynamoDB({})}
    result = run(empty)
    assert result["write"] == {"parameters": ["/app/dev/greeting", "/app/dev/token"], "secrets": ["app/dev/api-key"],
                               "tables": ["app-dev-items"]}
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
