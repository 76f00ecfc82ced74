# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Put log events into a log group through the endpoint, as Amplify's compute would (no Ansible module puts
log events).

Usage: python put_events.py ENDPOINT_URL REGION LOG_GROUP EVENTS_JSON ; credentials come from the environment.
EVENTS_JSON is a list of {stream, timestamp (epoch ms), message}. The group must exist; streams are created
when missing. Prints how many events were put.
"""

import json
import sys

import boto3


def main(argv):
    endpoint_url, region, group, events = argv[0], argv[1], argv[2], json.loads(argv[3])
    client = boto3.client("logs", endpoint_url=endpoint_url, region_name=region)
    streams = {}
    for event in events:
        streams.setdefault(event["stream"], []).append({"timestamp": event["timestamp"], "message": event["message"]})
    existing = set()
    for page in client.get_paginator("describe_log_streams").paginate(logGroupName=group):
        existing.update(stream["logStreamName"] for stream in page["logStreams"])
    for stream, batch in streams.items():
        if stream not in existing:
            client.create_log_stream(logGroupName=group, logStreamName=stream)
        client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=sorted(batch, key=lambda e: e["timestamp"]))
    print(len(events))


if __name__ == "__main__":
    main(sys.argv[1:])
