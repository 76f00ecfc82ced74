#!/usr/bin/env python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the job target reads or writes through the Amplify API directly, as no module does it.

  amplify_api.py jobs APP_ID BRANCH   the branch's jobs, newest first, as JSON
  amplify_api.py create-app NAME      create an app (even when another has that name); prints its id as JSON
  amplify_api.py apps PREFIX          the ids of the apps whose name starts with PREFIX, as JSON

The endpoint, credentials and region come from the environment (AWS_ENDPOINT_URL, ...).
"""

import json
import sys

import boto3


def main():
    command, args = sys.argv[1], sys.argv[2:]
    client = boto3.client("amplify")
    if command == "jobs":
        pages = client.get_paginator("list_jobs").paginate(appId=args[0], branchName=args[1])
        jobs = [job for page in pages for job in page["jobSummaries"]]
        jobs.sort(key=lambda job: int(job["jobId"]), reverse=True)
        print(json.dumps(jobs, default=str))
    elif command == "create-app":
        print(json.dumps(client.create_app(name=args[0], platform="WEB_COMPUTE")["app"]["appId"]))
    elif command == "apps":
        pages = client.get_paginator("list_apps").paginate()
        print(json.dumps([app["appId"] for page in pages for app in page["apps"] if app["name"].startswith(args[0])]))
    else:
        sys.exit("unknown command %r" % command)


if __name__ == "__main__":
    main()
