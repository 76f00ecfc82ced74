# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Create many branches of an app through the endpoint in one process (a module run per branch is slow).

Usage: python create_branches.py ENDPOINT_URL REGION APP_ID NAME... ; credentials come from the environment.
Prints the names it created, one a line.
"""

import sys

import boto3


def main(argv):
    endpoint_url, region, app_id = argv[:3]
    client = boto3.client("amplify", endpoint_url=endpoint_url, region_name=region)
    for name in argv[3:]:
        created = client.create_branch(appId=app_id, branchName=name, stage="EXPERIMENTAL")["branch"]
        print(created["branchName"])


if __name__ == "__main__":
    main(sys.argv[1:])
