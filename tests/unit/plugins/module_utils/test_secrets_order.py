# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The order of the writes that carry secret environment variables (a new secret name is in the secret tag
before its value is sent; a name leaves the tag only after the update), and the scrubbing of errors and
output when a run re-sends the secrets an app or branch already has (run_scrubbed, note_stored_secrets)."""

import json

import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import secrets
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import SECRET_MASK
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import SECRET_VARIABLES_TAG
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.modules import app as app_module
from ansible_collections.amplify_hosting.ssr.plugins.modules import branch as branch_module
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.module_utils.secret_fakes import FakeModule
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.module_utils.secret_fakes import app_params
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.module_utils.secret_fakes import branch_params
from ansible_collections.amplify_hosting.ssr.tests.unit.plugins.module_utils.secret_fakes import client_error

APP_ID = "dabc123"
APP_ARN = "arn:aws:amplify:us-east-1:123456789012:apps/%s" % APP_ID
BRANCH_ARN = "%s/branches/main" % APP_ARN
API_KEY = "api-key-0123456789abcdef"
NEW_SECRET = "new-secret-value-4242"


class FakeAmplify:
    """One SSR app with a branch "main" (secret API_KEY, plain BUCKET); records every call, and its
    TagResource or Update* can be made to fail."""

    def __init__(self):
        self.resources = {
            APP_ARN: {"appId": APP_ID, "appArn": APP_ARN, "name": "site", "platform": "WEB_COMPUTE",
                      "environmentVariables": {"BUCKET": "b", "API_KEY": API_KEY},
                      "tags": {"env": "dev", SECRET_VARIABLES_TAG: "API_KEY"}},
            BRANCH_ARN: {"branchName": "main", "branchArn": BRANCH_ARN,
                         "environmentVariables": {"BUCKET": "b", "API_KEY": API_KEY},
                         "tags": {"env": "dev", SECRET_VARIABLES_TAG: "API_KEY"}},
        }
        self.calls = []
        self.fail = {}

    def writes(self):
        return [call for call in self.calls if not call[0].startswith(("get_", "list_"))]

    def _maybe_fail(self, name, operation):
        if name in self.fail:
            raise client_error("BadRequestException", self.fail[name], operation)

    def get_app(self, appId):  # noqa: N803 - boto3 keyword
        self.calls.append(("get_app", appId))
        return {"app": json.loads(json.dumps(self.resources[APP_ARN]))}

    def get_branch(self, appId, branchName):  # noqa: N803 - boto3 keywords
        self.calls.append(("get_branch", branchName))
        return {"branch": json.loads(json.dumps(self.resources[BRANCH_ARN]))}

    def update_app(self, appId, **params):  # noqa: N803 - boto3 keyword
        self.calls.append(("update_app", dict(params)))
        self._maybe_fail("update", "UpdateApp")
        self.resources[APP_ARN].update(params)
        return {"app": json.loads(json.dumps(self.resources[APP_ARN]))}

    def update_branch(self, appId, branchName, **params):  # noqa: N803 - boto3 keywords
        self.calls.append(("update_branch", dict(params)))
        self._maybe_fail("update", "UpdateBranch")
        self.resources[BRANCH_ARN].update(params)
        return {"branch": json.loads(json.dumps(self.resources[BRANCH_ARN]))}

    def tag_resource(self, resourceArn, tags):  # noqa: N803 - boto3 keyword
        self.calls.append(("tag_resource", dict(tags)))
        self._maybe_fail("tag", "TagResource")
        self.resources[resourceArn]["tags"].update(tags)

    def untag_resource(self, resourceArn, tagKeys):  # noqa: N803 - boto3 keyword
        self.calls.append(("untag_resource", sorted(tagKeys)))
        for key in tagKeys:
            self.resources[resourceArn]["tags"].pop(key, None)

    def stored(self, arn):
        """The secret names the resource's tag records, and its variables."""
        resource = self.resources[arn]
        return secrets.secret_variable_names(resource["tags"]), resource["environmentVariables"]


def run(kind, client, module):
    ensure = branch_module.ensure_present if kind == "branch" else app_module.ensure_present
    return secrets.run_scrubbed(module, lambda: ensure(client, module))


def module_for(kind, **options):
    return FakeModule(branch_params(**options) if kind == "branch" else app_params(**options))


UPDATE = {"branch": "update_branch", "app": "update_app"}
ARN = {"branch": BRANCH_ARN, "app": APP_ARN}


# -- B1: a secret is marked before its value is sent ------------------------------------------------------


@pytest.mark.parametrize("kind", ["branch", "app"])
def test_a_new_secret_name_is_tagged_before_its_value_is_sent(kind):
    client = FakeAmplify()
    secrets = {"API_KEY": API_KEY, "NEW_SECRET": NEW_SECRET}
    result = run(kind, client, module_for(kind, secret_environment_variables=secrets))
    assert client.writes() == [
        ("tag_resource", {SECRET_VARIABLES_TAG: "API_KEY NEW_SECRET"}),
        (UPDATE[kind], {"environmentVariables": {"BUCKET": "b", "API_KEY": API_KEY, "NEW_SECRET": NEW_SECRET}}),
    ]
    assert client.stored(ARN[kind]) == (["API_KEY", "NEW_SECRET"], {"BUCKET": "b", "API_KEY": API_KEY, "NEW_SECRET": NEW_SECRET})
    assert result["changed"] is True
    assert result[kind]["tags"] == {"env": "dev", SECRET_VARIABLES_TAG: "API_KEY NEW_SECRET"}
    assert result["diff"]["before"]["tags"][SECRET_VARIABLES_TAG] == "API_KEY"
    assert NEW_SECRET not in json.dumps(result)


@pytest.mark.parametrize("kind", ["branch", "app"])
def test_a_plain_variable_made_secret_is_tagged_before_the_update(kind):
    client = FakeAmplify()
    result = run(kind, client, module_for(kind, environment_variables={}, secret_environment_variables={"API_KEY": API_KEY, "BUCKET": "b2"}))
    assert [call[0] for call in client.writes()] == ["tag_resource", UPDATE[kind]]
    assert client.writes()[0] == ("tag_resource", {SECRET_VARIABLES_TAG: "API_KEY BUCKET"})
    assert result[kind]["environment_variables"] == {"API_KEY": SECRET_MASK, "BUCKET": SECRET_MASK}


@pytest.mark.parametrize("kind", ["branch", "app"])
def test_tag_resource_failing_leaves_no_secret_stored_unmarked(kind):
    client = FakeAmplify()
    client.fail["tag"] = "TagResource refused"
    with pytest.raises(AmplifyError):
        run(kind, client, module_for(kind, secret_environment_variables={"API_KEY": API_KEY, "NEW_SECRET": NEW_SECRET}))
    assert [call[0] for call in client.writes()] == ["tag_resource"]  # the update was never sent
    names, variables = client.stored(ARN[kind])
    assert names == ["API_KEY"] and "NEW_SECRET" not in variables


@pytest.mark.parametrize("kind", ["branch", "app"])
def test_the_update_failing_after_the_tag_leaves_the_names_marked(kind):
    client = FakeAmplify()
    client.fail["update"] = "update refused"
    with pytest.raises(AmplifyError):
        run(kind, client, module_for(kind, secret_environment_variables={"API_KEY": API_KEY, "NEW_SECRET": NEW_SECRET}))
    names, variables = client.stored(ARN[kind])
    assert names == ["API_KEY", "NEW_SECRET"] and variables == {"BUCKET": "b", "API_KEY": API_KEY}


@pytest.mark.parametrize("kind", ["branch", "app"])
def test_a_secret_name_made_plain_leaves_the_tag_only_after_the_update(kind):
    client = FakeAmplify()
    client.resources[ARN[kind]]["environmentVariables"]["OTHER"] = "o-secret-value"
    client.resources[ARN[kind]]["tags"][SECRET_VARIABLES_TAG] = "API_KEY OTHER"
    run(kind, client, module_for(kind, environment_variables={"BUCKET": "b", "API_KEY": "now-plain"},
                                 secret_environment_variables={"OTHER": "o-secret-value"}))
    assert client.writes() == [
        (UPDATE[kind], {"environmentVariables": {"BUCKET": "b", "API_KEY": "now-plain", "OTHER": "o-secret-value"}}),
        ("tag_resource", {SECRET_VARIABLES_TAG: "OTHER"}),
    ]
    client = FakeAmplify()
    client.fail["update"] = "update refused"
    with pytest.raises(AmplifyError):
        run(kind, client, module_for(kind, secret_environment_variables={}))
    assert client.stored(ARN[kind])[0] == ["API_KEY"]  # still marked while its value is still stored


def test_check_mode_marks_nothing():
    client = FakeAmplify()
    module = FakeModule(branch_params(secret_environment_variables={"API_KEY": API_KEY, "NEW_SECRET": NEW_SECRET}), check_mode=True)
    result = secrets.run_scrubbed(module, lambda: branch_module.ensure_present(client, module))
    assert client.writes() == [] and result["changed"] is True


# -- B2: the secrets a run re-sends without being given them -------------------------------------------------


@pytest.mark.parametrize("kind", ["branch", "app"])
def test_stored_secrets_resent_with_plain_variables_are_scrubbed_from_errors_and_masked(kind):
    client = FakeAmplify()
    # Amplify quotes a value it refuses (here the whole request, as an echo would): the stored API_KEY is in it.
    client.fail["update"] = "1 validation error: Value '%s' at 'stage' failed; request had %s" % (API_KEY[:16], API_KEY)
    module = module_for(kind, environment_variables={"BUCKET": "c"})
    with pytest.raises(AmplifyError) as raised:
        run(kind, client, module)
    sent = [call for call in client.writes() if call[0] == UPDATE[kind]]
    assert sent == [(UPDATE[kind], {"environmentVariables": {"BUCKET": "c", "API_KEY": API_KEY}})]  # re-sent
    text = str(raised.value) + json.dumps(raised.value.exception.response)
    assert API_KEY not in text and "request had %s" % SECRET_MASK in text
    assert raised.value.__cause__ is None and raised.value.__context__ is None  # the original (unscrubbed) is not chained
    assert API_KEY in module.no_log_values  # Ansible masks it in any output of the module


def test_quoted_secret_member_values_are_scrubbed_even_without_secret_options():
    client = FakeAmplify()
    client.resources[BRANCH_ARN]["tags"] = {}  # no secret at all, in the options or stored
    client.fail["update"] = "Value 'abcd-partial' at 'environmentVariables.BUCKET' failed"
    module = module_for("branch", environment_variables={"BUCKET": "c"})
    with pytest.raises(AmplifyError) as raised:
        run("branch", client, module)
    text = str(raised.value) + json.dumps(raised.value.exception.response)
    assert "abcd-partial" not in text and "Value '%s' at 'environmentVariables.BUCKET'" % SECRET_MASK in text
    assert module.no_log_values == set()


def test_stored_secret_values():
    resource = {"environmentVariables": {"A": "1", "B": "", "C": "3"}, "tags": {SECRET_VARIABLES_TAG: "A B MISSING"}}
    assert secrets.stored_secret_values(resource) == ["1"]
    assert secrets.stored_secret_values(None) == []


def test_basic_auth_username_is_not_secret_but_the_password_and_wire_forms_are():
    spec = secrets.basic_auth_credentials_spec()
    assert spec.get("no_log") is not True
    assert spec["options"]["username"]["no_log"] is False and spec["options"]["password"]["no_log"] is True
    values = secrets.secret_option_values({"basic_auth_credentials": {"username": "preview", "password": "pw-1"}})
    assert "preview" not in values and "pw-1" in values and "preview:pw-1" in values
