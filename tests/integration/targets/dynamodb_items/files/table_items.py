# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Put items into a DynamoDB table, or print what it holds, through the endpoint with boto3 (what the table holds
must not come from the module under test).

Usage: python table_items.py ENDPOINT_URL REGION TABLE put ITEMS_JSON
       python table_items.py ENDPOINT_URL REGION TABLE dump
put writes each item of the JSON list (PutItem; numbers as their text); dump prints every item (every page of a
Scan), sorted by their JSON text, numbers as ints when whole. Credentials come from the environment.
"""

import json
import sys
from decimal import Decimal

import boto3
from boto3.dynamodb.types import TypeDeserializer
from boto3.dynamodb.types import TypeSerializer


def plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def main(argv):
    endpoint_url, region, table, action = argv[:4]
    client = boto3.client("dynamodb", endpoint_url=endpoint_url, region_name=region)
    if action == "put":
        serializer = TypeSerializer()
        for item in json.loads(argv[4], parse_float=Decimal):
            client.put_item(TableName=table, Item={k: serializer.serialize(v) for k, v in item.items()})
    deserializer = TypeDeserializer()
    found = []
    for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        found += [plain({k: deserializer.deserialize(v) for k, v in item.items()}) for item in page["Items"]]
    print(json.dumps(sorted(found, key=lambda item: json.dumps(item, sort_keys=True))))


if __name__ == "__main__":
    main(sys.argv[1:])
