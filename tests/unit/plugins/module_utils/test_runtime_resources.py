# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""runtime_resources without AWS: every input checked by AWS's rules and named, the grants made for what is
declared (and the policy they make, exact), and whose each resource is (owned, foreign, missing)."""

import botocore.exceptions
import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import grants as grant_rules
from ansible_collections.amplify_hosting.ssr.plugins.module_utils import runtime_resources as rr

GOOD = {
    "environment": "dev",
    "parameters": [{"name": "/app/dev/greeting", "value": "hello"},
                   {"name": "/app/dev/token", "value": "t", "type": "SecureString",
                    "kms_key": "1234abcd-12ab-34cd-56ef-1234567890ab"}],
    "secrets": [{"name": "app/dev/api-key", "value": "s3cr3t"}],
    "tables": [{"name": "app-dev-items", "items": [{"id": "1", "title": "one"}, {"id": "2"}]},
               {"name": "app-dev-counters", "partition_key": "n", "partition_key_type": "NUMBER", "access": "read_write",
                "items": [{"n": 1}]}],
    "tags": {"team": "web"},
}


def with_(**changes):
    variables = dict(GOOD)
    variables.update(changes)
    return variables


def test_good_input_has_no_problem():
    assert rr.problems(GOOD) == []


def test_nothing_declared_needs_no_environment():
    assert rr.problems({"environment": ""}) == []
    assert rr.problems({"environment": "", "parameters": [{"name": "/a/b", "value": "x"}]}) == [
        "runtime_resources_environment: must be 1-256 characters (it is the 'environment' tag) (got '')"]


@pytest.mark.parametrize("variables, expected", [
    (with_(parameters=[{"name": "", "value": "x"}]), "runtime_resources_parameters[0].name: must be a parameter name"),
    (with_(parameters=[{"name": "app/dev/x", "value": "x"}]),
     "runtime_resources_parameters[0].name: 'app/dev/x' has a hierarchy, so it must begin with /"),
    (with_(parameters=[{"name": "/app/*", "value": "x"}]),
     "runtime_resources_parameters[0].name: '/app/*' holds characters a parameter name cannot"),
    (with_(parameters=[{"name": "/aws/x", "value": "x"}]), "begins with aws or ssm"),
    (with_(parameters=[{"name": "/a" * 16, "value": "x"}]), "has more than 15 levels"),
    (with_(parameters=[{"name": "/a/b"}]), "runtime_resources_parameters[0].value: must be a non-empty string"),
    (with_(parameters=[{"name": "/a/b", "value": "x" * 4097}]),
     "runtime_resources_parameters[0].value: is 4097 characters long (a standard parameter holds at most 4096)"),
    (with_(parameters=[{"name": "/a/b", "value": "x", "type": "Secret"}]),
     "runtime_resources_parameters[0].type: must be one of String, StringList, SecureString"),
    (with_(parameters=[{"name": "/a/b", "value": "x", "kms_key": "1234abcd-12ab-34cd-56ef-1234567890ab"}]),
     "runtime_resources_parameters[0].kms_key: only a SecureString parameter is encrypted with a key"),
    (with_(parameters=[{"name": "/a/b", "value": "x", "type": "SecureString", "kms_key": "alias/mine"}]),
     "runtime_resources_parameters[0].kms_key: 'alias/mine' is not a KMS key ARN"),
    (with_(parameters=[{"name": "/a/b", "value": "x", "colour": "red"}]), "runtime_resources_parameters[0]: unknown key(s) colour"),
    (with_(parameters=[{"name": "/a/b", "value": "x"}, {"name": "/a/b", "value": "y"}]),
     "runtime_resources_parameters[1].name: '/a/b' is declared twice (also runtime_resources_parameters[0])"),
    (with_(parameters="nope"), "runtime_resources_parameters: must be a list (got str)"),
    (with_(secrets=[{"name": "app/*", "value": "x"}]), "runtime_resources_secrets[0].name: 'app/*' is not a secret name"),
    (with_(secrets=[{"name": "x" * 513, "value": "x"}]), "runtime_resources_secrets[0].name:"),
    (with_(secrets=[{"name": "app/k", "value": ""}]), "runtime_resources_secrets[0].value: must be a non-empty string"),
    (with_(secrets=[{"name": "app/k", "value": "é" * 32769}]), "runtime_resources_secrets[0].value: is 65538 bytes long"),
    (with_(tables=[{"name": "ab"}]), "runtime_resources_tables[0].name: 'ab' is not a DynamoDB table name"),
    (with_(tables=[{"name": "app-items", "partition_key": ""}]), "runtime_resources_tables[0].partition_key: must be an attribute name"),
    (with_(tables=[{"name": "app-items", "partition_key_type": "S"}]), "runtime_resources_tables[0].partition_key_type: must be one of STRING, NUMBER, BINARY"),
    (with_(tables=[{"name": "app-items", "access": "write"}]), "runtime_resources_tables[0].access: must be one of read, read_write"),
    (with_(tables=[{"name": "app-items", "items": [{"title": "x"}]}]), "runtime_resources_tables[0].items[0]: has no id, the table's partition key"),
    (with_(tables=[{"name": "app-items", "items": [{"id": 1}]}]), "runtime_resources_tables[0].items[0].id: must be a string"),
    (with_(tables=[{"name": "app-items", "items": [{"id": "1"}, {"id": "1"}]}]),
     "runtime_resources_tables[0].items[1]: has the same id as runtime_resources_tables[0].items[0]"),
    (with_(tables=[{"name": "app-items", "items": [{"id": "1", "blob": "x" * (400 * 1024)}]}]), "DynamoDB takes items of at most 400 KB"),
    (with_(tags={"aws:owner": "x"}), "runtime_resources_tags: 'aws:owner' starts with aws:"),
])
def test_bad_input_is_named(variables, expected):
    found = rr.problems(variables)
    assert any(expected in problem for problem in found), found


def test_the_prefix_names_the_inventory_variables():
    found = rr.problems(with_(secrets=[{"name": "app/*", "value": "s3cr3t"}]), "ssr_")
    assert found == ["ssr_secrets[0].name: 'app/*' is not a secret name (1-512 letters, digits and /_+=.@-)"]
    assert "s3cr3t" not in " ".join(found)


def test_grants_follow_the_declarations():
    assert rr.grants(GOOD["parameters"], GOOD["secrets"], GOOD["tables"]) == [
        {"kind": "ssm_parameter", "name": "/app/dev/greeting"},
        {"kind": "ssm_parameter", "name": "/app/dev/token", "kms_key": "1234abcd-12ab-34cd-56ef-1234567890ab"},
        {"kind": "secret", "name": "app/dev/api-key"},
        {"kind": "dynamodb_table", "table": "app-dev-items", "access": "read"},
        {"kind": "dynamodb_table", "table": "app-dev-counters", "access": "read_write"},
    ]
    assert rr.grants() == []


def test_the_policy_they_make_is_exact():
    grants = rr.grants([{"name": "/app/dev/greeting", "value": "x"}], [{"name": "app/dev/api-key", "value": "x"}],
                       [{"name": "app-dev-items"}])
    assert grant_rules.grant_problems(grants, "grants", "eu-west-1") == []
    document = grant_rules.grants_policy(grants, "aws", "eu-west-1", "123456789012")
    resources = sorted((tuple(sorted(s["Action"] if isinstance(s["Action"], list) else [s["Action"]])),
                        tuple(sorted(s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])))
                       for s in document["Statement"])
    assert resources == sorted([
        (("ssm:GetParameter", "ssm:GetParameters"), ("arn:aws:ssm:eu-west-1:123456789012:parameter/app/dev/greeting",)),
        (("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"),
         ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/dev/api-key-??????",)),
        (tuple(sorted(grant_rules.TABLE_READ)), ("arn:aws:dynamodb:eu-west-1:123456789012:table/app-dev-items",)),
        (("dynamodb:Query", "dynamodb:Scan"), ("arn:aws:dynamodb:eu-west-1:123456789012:table/app-dev-items/index/*",)),
    ])


# -- whose each resource is ------------------------------------------------------------------------------
def not_found(operation):
    return botocore.exceptions.ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "no"}}, operation)


OURS = [{"Key": "managed-by", "Value": "amplify_hosting.ssr"}, {"Key": "environment", "Value": "dev"}]
STAGING = [{"Key": "managed-by", "Value": "amplify_hosting.ssr"}, {"Key": "environment", "Value": "staging"}]


class FakeSSM:
    def __init__(self, parameters):
        self.parameters = parameters  # name -> tag list

    def describe_parameters(self, ParameterFilters):
        name = ParameterFilters[0]["Values"][0]
        if name not in self.parameters:
            return {"Parameters": []}
        return {"Parameters": [{"Name": name, "Type": "String", "ARN": "arn:aws:ssm:us-east-1:1:parameter" + name}]}

    def list_tags_for_resource(self, ResourceType, ResourceId):
        assert ResourceType == "Parameter"
        return {"TagList": self.parameters[ResourceId]}


class FakeSecrets:
    def __init__(self, secrets):
        self.secrets = secrets  # name -> description

    def describe_secret(self, SecretId):
        if SecretId not in self.secrets:
            raise not_found("DescribeSecret")
        return self.secrets[SecretId]


class FakeDynamoDB:
    def __init__(self, tables):
        self.tables = tables  # name -> tag list

    def describe_table(self, TableName):
        if TableName not in self.tables:
            raise not_found("DescribeTable")
        return {"Table": {"TableArn": "arn:aws:dynamodb:us-east-1:1:table/" + TableName, "TableStatus": "ACTIVE"}}

    def list_tags_of_resource(self, ResourceArn):
        return {"Tags": self.tables[ResourceArn.split("/")[-1]]}


def test_describe_tells_ours_from_others_and_from_missing():
    clients = {
        "ssm": FakeSSM({"/app/dev/greeting": OURS, "/app/dev/lookalike": []}),
        "secretsmanager": FakeSecrets({
            "app/dev/api-key": {"Name": "app/dev/api-key", "ARN": "arn:x:secret:app/dev/api-key-AbCdEf", "Tags": OURS},
            "app/dev/old": {"Name": "app/dev/old", "ARN": "arn:x", "Tags": OURS, "DeletedDate": "2026-12-01"},
            # Asked by name, answered for a longer name (a partial ARN match): not the one asked for.
            "app/dev/short": {"Name": "app/dev/short-AbCdEf", "ARN": "arn:y", "Tags": OURS},
        }),
        "dynamodb": FakeDynamoDB({"app-dev-items": OURS, "app-staging-items": STAGING}),
    }
    found = rr.describe(clients, "dev", ["/app/dev/greeting", "/app/dev/lookalike", "/app/dev/missing"],
                        ["app/dev/api-key", "app/dev/old", "app/dev/short"], ["app-dev-items", "app-staging-items", "nope-items"])
    assert [(p["name"], p["exists"], p["owned"]) for p in found["parameters"]] == [
        ("/app/dev/greeting", True, True), ("/app/dev/lookalike", True, False), ("/app/dev/missing", False, False)]
    assert [(s["name"], s["exists"], s["owned"], s.get("pending_deletion")) for s in found["secrets"]] == [
        ("app/dev/api-key", True, True, False), ("app/dev/old", True, True, True), ("app/dev/short", False, False, None)]
    assert [(t["name"], t["exists"], t["owned"]) for t in found["tables"]] == [
        ("app-dev-items", True, True), ("app-staging-items", True, False), ("nope-items", False, False)]
    assert found["foreign"] == [
        "the SSM parameter /app/dev/lookalike exists without the tags managed-by=amplify_hosting.ssr, environment=dev",
        "the DynamoDB table app-staging-items exists without the tags managed-by=amplify_hosting.ssr, environment=dev",
    ]


def test_describe_raises_what_is_not_a_missing_resource():
    class Denied(FakeDynamoDB):
        def describe_table(self, TableName):
            raise botocore.exceptions.ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}},
                                                  "DescribeTable")

    with pytest.raises(botocore.exceptions.ClientError):
        rr.describe({"dynamodb": Denied({})}, "dev", tables=["app-dev-items"])


@pytest.mark.parametrize("names, kind, expected", [
    (["/ok/name", "bad name"], "parameters", ["parameters[1]: 'bad name' holds characters a parameter name cannot"]),
    (["ok/secret", ""], "secrets", ["secrets[1]: '' is not a secret name (1-512 letters, digits and /_+=.@-)"]),
    (["ok-table", "x"], "tables", ["tables[1]: 'x' is not a DynamoDB table name (3-255 letters, digits and _ . -)"]),
])
def test_names_of_the_info_module_are_checked(names, kind, expected):
    found = rr.name_problems(names, kind, kind)
    assert [p.split(" (letters")[0] if kind == "parameters" else p for p in found] == expected
