# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the runtime_resources role would change: each declared SSM parameter, secret and DynamoDB table compared
with what AWS has, read once (the runtime_resources_plan module).

The role writes through community.aws's ssm_parameter, secretsmanager_secret and dynamodb_table, and only for
the resources this plan names in `write`. So the comparison here is the one those modules make with the options
the role gives them (community.aws 10.0.0), no more and no less:
- ssm_parameter (overwrite_value=changed, tier Standard): absent; Type; Value; Description when one is declared;
  tags (purged). It does not change the key of an existing SecureString parameter, and neither does this.
- secretsmanager_secret (description default "", no rotation, no replicas, no resource policy): absent; scheduled
  for deletion (restored); Description; KmsKeyId; the value; rotation on; a resource policy; tags (purged).
- dynamodb_table (on demand, wait): absent; not ACTIVE; its partition key (community.aws refuses to change it, and
  so the write fails naming it); billing mode; tags (purged).
- dynamodb_items (no purge), for an existing table's declared items: this collection's own comparison
  (module_utils/dynamodb_items.py, called, not copied): one consistent GetItem per item; an item is written when
  absent or different. The tables whose items differ are in `write.items`; a table that does not exist yet has
  no items to read.

The diff names what changes and never holds a secret's or a SecureString's value: only whether it changes.
"""

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import dynamodb_items as di
from ansible_collections.amplify_hosting.ssr.plugins.module_utils import runtime_resources as rr

HIDDEN = "(not shown)"
KEY_TYPE_SHORT = {"STRING": "S", "NUMBER": "N", "BINARY": "B"}
WHAT = {"parameters": "SSM parameter", "secrets": "secret", "tables": "DynamoDB table"}


def _tags(listing, key="Key", value="Value"):
    return dict((t[key], t[value]) for t in listing or [])


def _tag_changes(current, wanted):
    to_set, to_unset = compare_aws_tags(current or {}, wanted or {}, purge_tags=True)
    return bool(to_set or to_unset)


def _lines(view):
    """A resource's attributes as sorted `key: value` lines (tags one per line), for a line diff."""
    lines = []
    for key in sorted(view):
        if key == "tags":
            lines += ["tags.%s: %s" % (k, v) for k, v in sorted(view["tags"].items())]
        else:
            lines.append("%s: %s" % (key, "(none)" if view[key] is None else view[key]))
    return "".join(line + "\n" for line in lines)


def _value_view(secret, current, wanted, exists):
    """How a value shows in the diff: itself (a String or StringList parameter), else only whether it changes."""
    if not secret:
        return current, wanted
    return HIDDEN, HIDDEN + (" (changes)" if exists and current != wanted else "")


def plan_parameter(ssm, entry, tags):
    name, kind = entry["name"], entry.get("type") or "String"
    found = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}])
    wanted = {"type": kind, "value": entry["value"], "tags": dict(tags)}
    if entry.get("description"):
        wanted["description"] = entry["description"]
    if not found.get("Parameters"):
        return _entry(name, None, wanted, ["create"], secret_value=kind == "SecureString")
    described = found["Parameters"][0]
    current_tags = _tags(ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name).get("TagList"))
    value = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    current = {"type": described.get("Type"), "value": value, "tags": current_tags,
               "arn": described.get("ARN", "")}
    if "description" in wanted:
        current["description"] = described.get("Description", "")
    changes = [key for key in ("type", "value", "description") if key in wanted and wanted[key] != current.get(key)]
    if _tag_changes(current_tags, wanted["tags"]):
        changes.append("tags")
    return _entry(name, current, wanted, changes,
                  secret_value=kind == "SecureString" or current["type"] == "SecureString")


def plan_secret(secretsmanager, entry, tags):
    name = entry["name"]
    wanted = {"description": entry.get("description") or "", "kms_key": entry.get("kms_key") or None,
              "value": entry["value"], "tags": dict(tags), "rotation": False, "resource_policy": False}
    described = rr.read_secret(secretsmanager, name)
    if described is None:
        return _entry(name, None, wanted, ["create"], secret_value=True)
    pending = "DeletedDate" in described
    current = {"description": described.get("Description", ""), "kms_key": described.get("KmsKeyId"),
               "tags": _tags(described.get("Tags")), "rotation": bool(described.get("RotationEnabled", False)),
               "arn": described["ARN"], "scheduled_for_deletion": pending}
    changes = ["restore"] if pending else []
    # A secret scheduled for deletion gives no value until it is restored (secretsmanager_secret restores it, then
    # compares): it is written anyway, and its value counts as changing.
    current["value"] = None if pending else secretsmanager.get_secret_value(SecretId=name).get("SecretString")
    try:
        policy = secretsmanager.get_resource_policy(SecretId=name).get("ResourcePolicy")
    except Exception as e:  # pylint: disable=broad-except
        if rr._error_code(e) != "ResourceNotFoundException":
            raise
        policy = None
    current["resource_policy"] = bool(policy)
    changes += [key for key in ("description", "kms_key", "value", "rotation", "resource_policy")
                if wanted[key] != current[key]]
    if _tag_changes(current["tags"], wanted["tags"]):
        changes.append("tags")
    wanted["scheduled_for_deletion"] = False
    return _entry(name, current, wanted, changes, secret_value=True)


def plan_table(dynamodb, entry, tags):
    name = entry["name"]
    partition_key = "%s (%s)" % (entry.get("partition_key") or "id", entry.get("partition_key_type") or "STRING")
    wanted = {"partition_key": partition_key, "billing_mode": "PAY_PER_REQUEST", "status": "ACTIVE", "tags": dict(tags)}
    table = rr.read_table(dynamodb, name)
    if table is None:
        return dict(_entry(name, None, wanted, ["create"]), items=[], items_write=False)
    types = dict((a["AttributeName"], a["AttributeType"]) for a in table.get("AttributeDefinitions", []))
    hash_key = [k["AttributeName"] for k in table.get("KeySchema", []) if k.get("KeyType") == "HASH"]
    short = dict((v, k) for k, v in KEY_TYPE_SHORT.items())
    current = {"partition_key": "%s (%s)" % (hash_key[0], short.get(types.get(hash_key[0]), "?")) if hash_key else "",
               "billing_mode": (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"),
               "status": table.get("TableStatus"), "arn": table["TableArn"],
               "tags": _tags(dynamodb.list_tags_of_resource(ResourceArn=table["TableArn"]).get("Tags"))}
    changes = [key for key in ("partition_key", "billing_mode", "status") if wanted[key] != current[key]]
    if _tag_changes(current["tags"], wanted["tags"]):
        changes.append("tags")
    return dict(_entry(name, current, wanted, changes), **plan_items(dynamodb, name, table, entry.get("items") or []))


def plan_items(dynamodb, name, table, items):
    """The declared items of the existing table `name` (its DescribeTable `table`) against what it holds, as
    dynamodb_items without purge finds them, by its own functions: `items` ({key, action} per item, as it
    returns them) and `items_write` (it would write one; its diff is dynamodb_items's to show, when it runs).

    Items it would refuse (a key that does not fit the table's, a value it does not write) or a table it cannot
    read yet (not ACTIVE or UPDATING) are not compared: `items_write`, so that dynamodb_items runs, after
    dynamodb_table, and writes them or names the problem as before. A failed GetItem raises DynamoDBItemsError."""
    unread = dict(items=[], items_write=bool(items))
    if not items or table.get("TableStatus", "ACTIVE") not in di.WRITABLE_STATUSES:
        return unread
    schema = di.KeySchema(table)
    try:
        checked = di.checked_items(items)
        di.check_keys(schema, checked)
    except di.DynamoDBItemsError:
        return unread
    planned = di.plan(dynamodb, name, schema, checked, False)
    write = any(action != "unchanged" for action, _key, _old, _new in planned)
    return dict(items=[di.entry(action, key) for action, key, _old, _new in planned], items_write=write)


def _entry(name, current, wanted, changes, secret_value=False):
    """The plan for one resource: exists, tags, arn, what changes, and the before/after views of the diff."""
    after = dict(wanted)
    before = dict(current) if current is not None else None
    if "value" in wanted:
        shown_before, shown_after = _value_view(secret_value, (current or {}).get("value"), wanted["value"],
                                                current is not None)
        after["value"] = shown_after
        if before is not None:
            before["value"] = shown_before
    if before is not None:
        after["arn"] = before["arn"]
    return {"name": name, "exists": current is not None, "tags": (current or {}).get("tags", {}),
            "arn": (current or {}).get("arn", ""), "changes": changes,
            "before": before, "after": after}


def _items_plan(result, entry):
    """A table whose items differ into `write.items`. Their diff is not the plan's: dynamodb_items, which runs for
    that table, shows it (once)."""
    if entry.pop("items_write"):
        result["write"]["items"].append(entry["name"])


def plan(clients, environment, tags, parameters=(), secrets=(), tables=()):
    """Each declared resource against AWS: per kind the entries (name, exists, owned, tags, arn, changes; a
    table's also items), `foreign` (there without our tags: nothing may be written), `write` (per kind, the names
    to write; `items`: the tables whose items dynamodb_items must write), `differs`, and `diff`, one before/after
    per resource that changes (a table's items are dynamodb_items's to show)."""
    result = {
        "parameters": [plan_parameter(clients["ssm"], entry, tags) for entry in parameters],
        "secrets": [plan_secret(clients["secretsmanager"], entry, tags) for entry in secrets],
        "tables": [plan_table(clients["dynamodb"], entry, tags) for entry in tables],
    }
    result["foreign"], result["diff"] = [], []
    result["write"] = {"parameters": [], "secrets": [], "tables": [], "items": []}
    for kind in ("parameters", "secrets", "tables"):
        for entry in result[kind]:
            before, after = entry.pop("before"), entry.pop("after")
            entry["owned"] = entry["exists"] and rr.owned(entry["tags"], environment)
            if entry["exists"] and not entry["owned"]:
                result["foreign"].append("the %s %s exists without the tags %s=%s, environment=%s"
                                         % (WHAT[kind], entry["name"], rr.OWNER_TAG, rr.OWNER, environment))
            if entry["changes"]:
                result["write"][kind].append(entry["name"])
                header = "%s %s" % (WHAT[kind], entry["name"])
                result["diff"].append({"before_header": header + (" (absent)" if before is None else ""),
                                       "after_header": header, "before": _lines(before or {}), "after": _lines(after)})
            if kind == "tables":
                _items_plan(result, entry)
    result["differs"] = bool(result["diff"])
    return result
