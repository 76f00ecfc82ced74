# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What an environment's app reads at run time besides its bucket: SSM parameters, Secrets Manager secrets and
DynamoDB tables, as the inventory declares them (the runtime_resources role).

- problems(): every input checked by AWS's documented rules before the first write, each naming its option;
- grants(): the compute role's grants for them (module_utils/grants.py turns them into the inline policy);
- describe(): which of them exist and whose they are (their tags), for site.yml (never take over another's),
  teardown.yml (delete only ours) and verify.yml (present and ours).

Limits, from AWS:
- Parameter names: module_utils/grants.py (Systems Manager user guide, "Parameter Store quotas" and "Creating
  Systems Manager parameters"); a standard parameter's value is at most 4 KB (4096 characters); types String,
  StringList and SecureString; a description at most 1024 characters (PutParameter, botocore's model).
- Secret names: 1-512 of letters, digits and /_+=.@- (CreateSecret). A secret value (SecretString) at most 65,536 bytes; a description at
  most 2048 characters (CreateSecret).
- Table names 3-255 of letters, digits and _ . -; attribute names 1-255 characters; key types S, N, B
  (DynamoDB developer guide, "Supported data types and naming rules"); an item at most 400 KB.
"""

import json

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import grants as grant_rules
from ansible_collections.amplify_hosting.ssr.plugins.module_utils import inputs

OWNER_TAG = "managed-by"
OWNER = "amplify_hosting.ssr"
PARAMETER_TYPES = ("String", "StringList", "SecureString")
PARAMETER_VALUE_MAX = 4096
PARAMETER_DESCRIPTION_MAX = 1024
SECRET_VALUE_MAX = 65536
SECRET_DESCRIPTION_MAX = 2048
KEY_TYPES = ("STRING", "NUMBER", "BINARY")
ATTRIBUTE_NAME_MAX = 255
ITEM_SIZE_MAX = 400 * 1024

KEYS = {
    "parameters": ("name", "value", "type", "kms_key", "description"),
    "secrets": ("name", "value", "kms_key", "description"),
    "tables": ("name", "partition_key", "partition_key_type", "access", "items"),
}


def _is_text(value):
    return isinstance(value, str) and not isinstance(value, bool)


def _common(entry, where, kind):
    if not isinstance(entry, dict):
        return ["%s: must be a mapping, not %s" % (where, type(entry).__name__)]
    unknown = sorted(set(entry) - set(KEYS[kind]))
    if unknown:
        return ["%s: unknown key(s) %s (an entry has %s)" % (where, ", ".join(map(str, unknown)), ", ".join(KEYS[kind]))]
    return []


def _parameter_problems(entry, where):
    problems = grant_rules._ssm_name_problems(entry.get("name"), where, "name")
    value = entry.get("value")
    if not _is_text(value) or not value:
        problems.append("%s.value: must be a non-empty string (got %s)" % (where, type(value).__name__))
    elif len(value) > PARAMETER_VALUE_MAX:
        problems.append("%s.value: is %d characters long (a standard parameter holds at most %d)"
                        % (where, len(value), PARAMETER_VALUE_MAX))
    kind = entry.get("type", "String")
    if kind not in PARAMETER_TYPES:
        problems.append("%s.type: must be one of %s (got %r)" % (where, ", ".join(PARAMETER_TYPES), kind))
    if entry.get("kms_key") not in (None, ""):
        if kind != "SecureString":
            problems.append("%s.kms_key: only a SecureString parameter is encrypted with a key" % where)
        problems += grant_rules._kms_key_problems(entry["kms_key"], where)
    problems += inputs.text_problems(entry.get("description"), where + ".description", PARAMETER_DESCRIPTION_MAX)
    return problems


def _secret_problems(entry, where):
    name, problems = entry.get("name"), []
    if not _is_text(name) or not grant_rules.SECRET_NAME_RE.match(name):
        problems.append("%s.name: %r is not a secret name (1-512 letters, digits and /_+=.@-)" % (where, name))
    value = entry.get("value")
    if not _is_text(value) or not value:
        problems.append("%s.value: must be a non-empty string (got %s)" % (where, type(value).__name__))
    elif len(value.encode("utf-8")) > SECRET_VALUE_MAX:
        problems.append("%s.value: is %d bytes long (a secret holds at most %d)"
                        % (where, len(value.encode("utf-8")), SECRET_VALUE_MAX))
    if entry.get("kms_key") not in (None, ""):
        problems += grant_rules._kms_key_problems(entry["kms_key"], where)
    problems += inputs.text_problems(entry.get("description"), where + ".description", SECRET_DESCRIPTION_MAX)
    return problems


def _item_size(item):
    return len(json.dumps(item, default=str).encode("utf-8"))


def _table_problems(entry, where):
    problems = []
    name = entry.get("name")
    if not _is_text(name) or not grant_rules.TABLE_RE.match(name):
        problems.append("%s.name: %r is not a DynamoDB table name (3-255 letters, digits and _ . -)" % (where, name))
    key = entry.get("partition_key", "id")
    if not _is_text(key) or not 0 < len(key) <= ATTRIBUTE_NAME_MAX:
        problems.append("%s.partition_key: must be an attribute name of 1-%d characters (got %r)"
                        % (where, ATTRIBUTE_NAME_MAX, key))
        key = None
    key_type = entry.get("partition_key_type", "STRING")
    if key_type not in KEY_TYPES:
        problems.append("%s.partition_key_type: must be one of %s (got %r)" % (where, ", ".join(KEY_TYPES), key_type))
    if entry.get("access", "read") not in grant_rules.TABLE_ACCESS:
        problems.append("%s.access: must be one of %s (got %r)"
                        % (where, ", ".join(grant_rules.TABLE_ACCESS), entry.get("access")))
    items = entry.get("items", [])
    if not isinstance(items, list):
        return problems + ["%s.items: must be a list of items (mappings)" % where]
    seen = {}
    for index, item in enumerate(items):
        at = "%s.items[%d]" % (where, index)
        if not isinstance(item, dict):
            problems.append("%s: must be a mapping (an item), not %s" % (at, type(item).__name__))
            continue
        if key is not None and item.get(key) in (None, ""):
            problems.append("%s: has no %s, the table's partition key" % (at, key))
        elif key is not None:
            value = item[key]
            expected = {"STRING": str, "NUMBER": (int, float)}.get(key_type)
            if expected and (isinstance(value, bool) or not isinstance(value, expected)):
                problems.append("%s.%s: must be a %s, the partition key's type (got %r)"
                                % (at, key, key_type.lower(), value))
            elif json.dumps(value, sort_keys=True, default=str) in seen:
                problems.append("%s: has the same %s as %s.items[%d]" % (at, key, where, seen[json.dumps(value, sort_keys=True, default=str)]))
            else:
                seen[json.dumps(value, sort_keys=True, default=str)] = index
        if _item_size(item) > ITEM_SIZE_MAX:
            problems.append("%s: is about %d bytes (DynamoDB takes items of at most 400 KB)" % (at, _item_size(item)))
    return problems


CHECKS = {"parameters": _parameter_problems, "secrets": _secret_problems, "tables": _table_problems}


def problems(variables, prefix="runtime_resources_"):
    """Every problem of the runtime_resources role's variables (a mapping without the prefix), each naming its
    option, e.g. runtime_resources_secrets[0].name."""
    found = []
    environment = variables.get("environment", "")
    declared = any(variables.get(kind) for kind in CHECKS)
    if declared and (not _is_text(environment) or not 0 < len(environment) <= inputs.TAG_VALUE_MAX):
        found.append("%senvironment: must be 1-256 characters (it is the 'environment' tag) (got %r)"
                     % (prefix, environment))
    for kind, check in CHECKS.items():
        option = prefix + kind
        entries = variables.get(kind)
        if entries is None:
            continue
        if not isinstance(entries, list):
            found.append("%s: must be a list (got %s)" % (option, type(entries).__name__))
            continue
        names = {}
        for index, entry in enumerate(entries):
            where = "%s[%d]" % (option, index)
            entry_problems = _common(entry, where, kind)
            if not entry_problems:
                entry_problems = check(entry, where)
                name = entry.get("name")
                if _is_text(name) and name in names:
                    entry_problems.append("%s.name: %r is declared twice (also %s[%d])" % (where, name, option, names[name]))
                elif _is_text(name):
                    names[name] = index
            found += entry_problems
    found += inputs.tag_problems(variables.get("tags") or {}, prefix + "tags", "iam")
    return found


def name_problems(names, kind, option):
    """Names of one kind (parameters, secrets, tables), checked as problems() checks them, each named option[N]."""
    found = []
    for index, name in enumerate(names or []):
        where = "%s[%d]" % (option, index)
        if kind == "parameters":
            found += [p.replace(where + ".name", where) for p in grant_rules._ssm_name_problems(name, where, "name")]
        elif kind == "secrets" and not (_is_text(name) and grant_rules.SECRET_NAME_RE.match(name)):
            found.append("%s: %r is not a secret name (1-512 letters, digits and /_+=.@-)" % (where, name))
        elif kind == "tables" and not (_is_text(name) and grant_rules.TABLE_RE.match(name)):
            found.append("%s: %r is not a DynamoDB table name (3-255 letters, digits and _ . -)" % (where, name))
    return found


def grants(parameters=None, secrets=None, tables=None):
    """The compute role's grants (iam_compute_role_grants entries) for the declared resources: read each
    parameter (and decrypt it through SSM with its customer key), each secret, each table (read or read_write)."""
    found = []
    for entry in parameters or []:
        grant = {"kind": "ssm_parameter", "name": entry["name"]}
        if entry.get("kms_key"):
            grant["kms_key"] = entry["kms_key"]
        found.append(grant)
    for entry in secrets or []:
        grant = {"kind": "secret", "name": entry["name"]}
        if entry.get("kms_key"):
            grant["kms_key"] = entry["kms_key"]
        found.append(grant)
    for entry in tables or []:
        found.append({"kind": "dynamodb_table", "table": entry["name"], "access": entry.get("access", "read")})
    return found


# The service each kind of resource is read with.
SERVICES = (("ssm", "parameters"), ("secretsmanager", "secrets"), ("dynamodb", "tables"))


def module_problems(environment, names):
    """The problems of a module's options: the environment, and the names of each kind (names: kind -> names)."""
    found = [] if environment else ["environment: must not be empty"]
    for kind in ("parameters", "secrets", "tables"):
        found += name_problems(names.get(kind), kind, kind)
    return found


def clients(make_client, names):
    """A client (make_client(service)) per service whose kind has names (names: kind -> names): none for the rest."""
    return dict((service, make_client(service)) for service, kind in SERVICES if names.get(kind))


def owned(tags, environment):
    """Ours for this environment: tagged managed-by=amplify_hosting.ssr and environment=<environment>."""
    return (tags or {}).get(OWNER_TAG) == OWNER and (tags or {}).get("environment") == environment


def _error_code(error):
    return getattr(error, "response", {}).get("Error", {}).get("Code", "")


def describe_parameter(ssm, name):
    found = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}])
    if not found.get("Parameters"):
        return {"name": name, "exists": False, "tags": {}}
    parameter = found["Parameters"][0]
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name).get("TagList", [])
    return {"name": name, "exists": True, "type": parameter.get("Type"), "arn": parameter.get("ARN", ""),
            "tags": dict((t["Key"], t["Value"]) for t in tags)}


def read_secret(secretsmanager, name):
    """DescribeSecret of the secret with this very name, or None."""
    try:
        secret = secretsmanager.describe_secret(SecretId=name)
    except Exception as e:  # pylint: disable=broad-except
        if _error_code(e) == "ResourceNotFoundException":
            return None
        raise
    # A secret asked for by name answers for a secret whose name only starts with it when none has the name itself
    # (a partial ARN match): that one is not ours to report.
    return secret if secret.get("Name") == name else None


def describe_secret(secretsmanager, name):
    secret = read_secret(secretsmanager, name)
    if secret is None:
        return {"name": name, "exists": False, "tags": {}}
    return {"name": name, "exists": True, "arn": secret["ARN"], "pending_deletion": "DeletedDate" in secret,
            "tags": dict((t["Key"], t["Value"]) for t in secret.get("Tags", []))}


def read_table(dynamodb, name):
    """DescribeTable's Table, or None."""
    try:
        return dynamodb.describe_table(TableName=name)["Table"]
    except Exception as e:  # pylint: disable=broad-except
        if _error_code(e) == "ResourceNotFoundException":
            return None
        raise


def describe_table(dynamodb, name):
    table = read_table(dynamodb, name)
    if table is None:
        return {"name": name, "exists": False, "tags": {}}
    tags = dynamodb.list_tags_of_resource(ResourceArn=table["TableArn"]).get("Tags", [])
    return {"name": name, "exists": True, "arn": table["TableArn"], "status": table.get("TableStatus"),
            "tags": dict((t["Key"], t["Value"]) for t in tags)}


def describe(clients, environment, parameters=(), secrets=(), tables=()):
    """Each named resource: exists, its ARN and tags, owned (by this environment), and the foreign ones (there,
    not ours) as messages naming the kind and the name."""
    result = {
        "parameters": [describe_parameter(clients["ssm"], name) for name in parameters],
        "secrets": [describe_secret(clients["secretsmanager"], name) for name in secrets],
        "tables": [describe_table(clients["dynamodb"], name) for name in tables],
    }
    what = {"parameters": "SSM parameter", "secrets": "secret", "tables": "DynamoDB table"}
    result["foreign"] = []
    for kind, found in list(result.items()):
        if kind == "foreign":
            continue
        for entry in found:
            entry["owned"] = entry["exists"] and owned(entry["tags"], environment)
            if entry["exists"] and not entry["owned"]:
                result["foreign"].append("the %s %s exists without the tags %s=%s, environment=%s"
                                         % (what[kind], entry["name"], OWNER_TAG, OWNER, environment))
    return result
