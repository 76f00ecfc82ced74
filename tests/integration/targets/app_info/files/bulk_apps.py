"""Create or delete many Amplify apps at once through the endpoint (cheaper than one task per app).

usage: bulk_apps.py create PREFIX COUNT | create-one NAME | delete PREFIX
The endpoint and credentials come from AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
AWS_REGION. Prints the ids created or deleted as a JSON list.
"""

import json
import sys

import boto3


def main(argv):
    client = boto3.client("amplify")
    action, name = argv[1], argv[2]
    if action == "create":
        ids = [client.create_app(name="%s-%03d" % (name, i), platform="WEB")["app"]["appId"] for i in range(int(argv[3]))]
    elif action == "create-one":
        ids = [client.create_app(name=name, platform="WEB")["app"]["appId"]]
    elif action == "delete":
        pages = client.get_paginator("list_apps").paginate()
        ids = [app["appId"] for page in pages for app in page["apps"] if app["name"].startswith(name)]
        for app_id in ids:
            client.delete_app(appId=app_id)
    else:
        raise SystemExit("unknown action " + action)
    print(json.dumps(ids))


if __name__ == "__main__":
    main(sys.argv)
