# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fakes the module_utils tests share: an Amplify client with just enough of the API, a module, trust policies."""

import botocore.exceptions

ROLE = "arn:aws:iam::123456789012:role/amplify-compute-role"
APP_ARN = "arn:aws:amplify:us-east-1:123456789012:apps/dabc"


def trust(effect="Allow", service="amplify.amazonaws.com", action="sts:AssumeRole"):
    return {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Principal": {"Service": service}, "Action": action}]}


def client_error(code, message="", operation="GetApp"):
    """A botocore ClientError as the Amplify client raises it."""
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": message}}, operation)


class FakeClient:
    """Just enough of an Amplify client: get_app, a list_apps paginator, tag_resource and untag_resource."""

    def __init__(self, apps, get_error=None):
        self.apps = apps
        self.get_error = get_error
        self.calls = []

    def get_app(self, appId):  # noqa: N803 - boto3 keyword
        self.calls.append(("get_app", appId))
        if self.get_error:
            raise self.get_error
        for app in self.apps:
            if app["appId"] == appId:
                return {"app": app}
        raise client_error("NotFoundException", "App %s not found." % appId)

    def get_paginator(self, operation):
        client = self

        class Pages:
            def __init__(self, **params):
                self.params = params

            def build_full_result(self):
                client.calls.append((operation, self.params))
                return {"apps": list(client.apps)}

        class Paginator:
            def paginate(self, **params):
                return Pages(**params)

        return Paginator()

    def get_branch(self, appId, branchName):  # noqa: N803 - boto3 keywords
        self.calls.append(("get_branch", appId, branchName))
        for app in self.apps:
            if app["appId"] == appId and branchName in app.get("_branches", ()):
                return {"branch": {"branchName": branchName}}
        raise client_error("NotFoundException", "Branch %s not found." % branchName, "GetBranch")

    def tag_resource(self, resourceArn, tags):  # noqa: N803 - boto3 keyword
        self.calls.append(("tag_resource", resourceArn, tags))

    def untag_resource(self, resourceArn, tagKeys):  # noqa: N803 - boto3 keyword
        self.calls.append(("untag_resource", resourceArn, sorted(tagKeys)))


class FakeModule:
    def __init__(self, check_mode):
        self.check_mode = check_mode


def list_apps_paginator(list_apps):
    """A list_apps paginator (what client.get_paginator("list_apps") returns) whose full result lists list_apps()."""

    class Pages:
        def paginate(self, **params):
            return self

        def build_full_result(self):
            return {"apps": list_apps()}

    return Pages()
