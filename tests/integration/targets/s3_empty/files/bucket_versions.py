# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fill a bucket with many object versions through the endpoint in one process, or count what a bucket holds
(a module run per object is slow; the count must not come from the module under test).

Usage: python bucket_versions.py ENDPOINT_URL REGION BUCKET fill COUNT VERSIONS MARKER_EVERY [TAG=VALUE...]
       python bucket_versions.py ENDPOINT_URL REGION BUCKET count
fill writes COUNT keys (object-00000, ...) VERSIONS times each, tagged TAG=VALUE..., then a delete marker on every
MARKER_EVERY-th key (0: none); count prints {"versions": n, "delete_markers": m, "keys": k} (every page).
Credentials come from the environment.
"""

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import boto3
from botocore.config import Config


def fill(client, bucket, count, versions, marker_every, tags):
    tagging = urlencode(tags)

    def put(index):
        key = f"object-{index:05d}"
        for version in range(versions):
            client.put_object(Bucket=bucket, Key=key, Body=f"version {version}".encode(), Tagging=tagging)
        if marker_every and index % marker_every == 0:
            client.delete_object(Bucket=bucket, Key=key)

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(put, range(count)))


def counted(client, bucket):
    versions = markers = 0
    keys = set()
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket):
        versions += len(page.get("Versions", []))
        markers += len(page.get("DeleteMarkers", []))
        keys.update(entry["Key"] for entry in page.get("Versions", []) + page.get("DeleteMarkers", []))
    return {"versions": versions, "delete_markers": markers, "keys": len(keys)}


def main(argv):
    endpoint_url, region, bucket, action = argv[:4]
    client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region,
                          config=Config(max_pool_connections=20, retries={"mode": "standard"}))
    if action == "fill":
        count, versions, marker_every = (int(value) for value in argv[4:7])
        fill(client, bucket, count, versions, marker_every, dict(tag.split("=", 1) for tag in argv[7:]))
    print(json.dumps(counted(client, bucket)))


if __name__ == "__main__":
    main(sys.argv[1:])
