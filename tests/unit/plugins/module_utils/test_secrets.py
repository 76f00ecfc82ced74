# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Basic auth and secret environment variables in the app and branch modules (and module_utils): what is
sent to Amplify, what is compared, and that no secret is ever in a result, a diff or an error."""

import base64
import json

import botocore.exceptions
import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import secrets
from ansible_collections.amplify_hosting.ssr.plugins.module_utils import results
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import SECRET_CHANGED_MASK
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
USER = "preview-user"
PASSWORD = "s3cret-Pa55word"
ENCODED = base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode()
API_KEY = "api-key-0123456789abcdef"
SECRETS = [USER, PASSWORD, "%s:%s" % (USER, PASSWORD), ENCODED, API_KEY]


def assert_secret_free(value):
    text = json.dumps(value, default=str)
    for secret in SECRETS:
        assert secret not in text, "%r in %s" % (secret, text)


class FakeAmplify:
    """An Amplify client holding one SSR app and its branches, recording every call."""

    def __init__(self, branches=None, app=None):
        self.app = dict({"appId": APP_ID, "appArn": APP_ARN, "name": "site", "platform": "WEB_COMPUTE",
                         "environmentVariables": {}, "enableBasicAuth": False, "tags": {}}, **(app or {}))
        self.branches = dict((b["branchName"], b) for b in (branches or []))
        self.calls = []

    def writes(self):
        return [call for call in self.calls if not call[0].startswith(("get_", "list_"))]

    def get_app(self, appId):  # noqa: N803 - boto3 keyword
        self.calls.append(("get_app", appId))
        return {"app": dict(self.app)}

    def update_app(self, appId, **params):  # noqa: N803 - boto3 keyword
        self.calls.append(("update_app", params))
        self.app.update(params)
        return {"app": dict(self.app)}

    def get_branch(self, appId, branchName):  # noqa: N803 - boto3 keywords
        self.calls.append(("get_branch", branchName))
        if branchName not in self.branches:
            raise client_error("NotFoundException", "Branch %s not found." % branchName, "GetBranch")
        return {"branch": dict(self.branches[branchName])}

    def create_branch(self, appId, branchName, **params):  # noqa: N803 - boto3 keywords
        self.calls.append(("create_branch", dict(params)))
        branch = dict(params, branchName=branchName, branchArn="%s/branches/%s" % (APP_ARN, branchName))
        self.branches[branchName] = branch
        return {"branch": dict(branch)}

    def update_branch(self, appId, branchName, **params):  # noqa: N803 - boto3 keywords
        self.calls.append(("update_branch", dict(params)))
        self.branches[branchName].update(params)
        return {"branch": dict(self.branches[branchName])}

    def tag_resource(self, resourceArn, tags):  # noqa: N803 - boto3 keyword
        self.calls.append(("tag_resource", dict(tags)))

    def untag_resource(self, resourceArn, tagKeys):  # noqa: N803 - boto3 keyword
        self.calls.append(("untag_resource", sorted(tagKeys)))


def stored_branch(**attrs):
    branch = {"branchName": "main", "branchArn": "%s/branches/main" % APP_ARN, "enableBasicAuth": True,
              "basicAuthCredentials": ENCODED, "environmentVariables": {"BUCKET": "b", "API_KEY": API_KEY},
              "tags": {"env": "dev", SECRET_VARIABLES_TAG: "API_KEY"}}
    branch.update(attrs)
    return branch


def run_branch(client, check_mode=False, **params):
    module = FakeModule(branch_params(**params), check_mode)
    return branch_module.ensure_present(client, module)


SECRET_OPTIONS = dict(
    environment_variables={"BUCKET": "b"},
    secret_environment_variables={"API_KEY": API_KEY},
    basic_auth_credentials={"username": USER, "password": PASSWORD},
    tags={"env": "dev"},
)


# -- module_utils ----------------------------------------------------------------------------------------


def test_basic_auth_value_is_the_base64_of_user_colon_password():
    assert secrets.basic_auth_value({"username": USER, "password": PASSWORD}) == ENCODED
    assert secrets.basic_auth_value({"username": "ü", "password": "p:w"}) == base64.b64encode("ü:p:w".encode()).decode()


@pytest.mark.parametrize(
    "credentials, message",
    [
        ({"username": "", "password": PASSWORD}, "must both be given and not empty"),
        ({"username": USER, "password": ""}, "must both be given and not empty"),
        ({"username": "a:b", "password": PASSWORD}, "must not contain ':'"),
        ({"username": USER, "password": "p" * 1500}, "too long"),
    ],
)
def test_basic_auth_value_refuses_without_showing_the_secret(credentials, message):
    with pytest.raises(AmplifyError, match="^basic_auth_credentials: .*" + message) as raised:
        secrets.basic_auth_value(credentials)
    assert PASSWORD not in raised.value.message and "a:b" not in raised.value.message


def test_basic_auth_params():
    credentials = {"username": USER, "password": PASSWORD}
    assert secrets.basic_auth_params({"basic_auth_credentials": credentials, "enable_basic_auth": None}) == {
        "basicAuthCredentials": ENCODED, "enableBasicAuth": True}
    assert secrets.basic_auth_params({"basic_auth_credentials": credentials, "enable_basic_auth": False}) == {
        "basicAuthCredentials": ENCODED, "enableBasicAuth": False}
    assert secrets.basic_auth_params({"basic_auth_credentials": None, "enable_basic_auth": False}) == {"enableBasicAuth": False}
    assert secrets.basic_auth_params({"basic_auth_credentials": None, "enable_basic_auth": None}) == {}


def test_check_basic_auth_needs_credentials_given_or_set():
    secrets.check_basic_auth({"basicAuthCredentials": ENCODED}, {"enableBasicAuth": True})
    secrets.check_basic_auth(None, {"enableBasicAuth": True, "basicAuthCredentials": ENCODED})
    secrets.check_basic_auth(None, {"enableBasicAuth": False})
    with pytest.raises(AmplifyError, match="^enable_basic_auth: basic auth needs credentials"):
        secrets.check_basic_auth({"enableBasicAuth": False}, {"enableBasicAuth": True})


def test_split_environment_each_option_replaces_its_own_part():
    current = {"PLAIN": "1", "OLD_PLAIN": "2", "API_KEY": "k", "OLD_SECRET": "s"}
    tags = {SECRET_VARIABLES_TAG: "API_KEY OLD_SECRET"}
    split = secrets.split_environment
    assert split(current, tags, None, None) == (None, None)
    # Both: exactly these.
    assert split(current, tags, {"PLAIN": 3}, {"API_KEY": "k2"}) == ({"PLAIN": "3", "API_KEY": "k2"}, ["API_KEY"])
    # Plain only: the secret part is kept.
    assert split(current, tags, {"PLAIN": "1"}, None) == (
        {"PLAIN": "1", "API_KEY": "k", "OLD_SECRET": "s"}, ["API_KEY", "OLD_SECRET"])
    # Secret only: the plain part is kept, less a name that is now secret.
    assert split(current, tags, None, {"OLD_PLAIN": "x"}) == ({"PLAIN": "1", "OLD_PLAIN": "x"}, ["OLD_PLAIN"])
    # A secret variable given as plain becomes plain.
    assert split(current, tags, {"API_KEY": "k"}, None) == ({"API_KEY": "k", "OLD_SECRET": "s"}, ["OLD_SECRET"])
    # {} removes a part; an app or branch without the tag has no secret part.
    assert split(current, tags, {}, {}) == ({}, [])
    assert split(current, {}, None, {"S": "v"}) == (dict(current, S="v"), ["S"])


@pytest.mark.parametrize(
    "plain, secret, message",
    [
        ({"API_KEY": "a"}, {"API_KEY": "b"}, "API_KEY also in environment_variables"),
        (None, {"HAS SPACE": "v"}, "cannot be recorded in the tag"),
        (None, {"A$": "v"}, "cannot be recorded in the tag"),
        (None, dict(("N%03d_%s" % (i, "X" * 20), "v") for i in range(20)), "more than the 256 characters"),
    ],
)
def test_split_environment_refuses_naming_the_options(plain, secret, message):
    with pytest.raises(AmplifyError, match="^secret_environment_variables: .*" + message) as raised:
        secrets.split_environment({}, {}, plain, secret)
    assert "'b'" not in raised.value.message and "'v'" not in raised.value.message


def test_tags_with_secret_names_keeps_the_secret_tag_apart_from_tags_and_purge():
    current = {"env": "dev", "team": "web", SECRET_VARIABLES_TAG: "A"}
    tags_with = secrets.tags_with_secret_names
    assert tags_with(current, None, True, None) is None
    assert tags_with(current, {"env": "dev"}, True, None) == {"env": "dev", SECRET_VARIABLES_TAG: "A"}
    assert tags_with(current, {"env": "prod"}, False, None) == {"env": "prod", "team": "web", SECRET_VARIABLES_TAG: "A"}
    assert tags_with(current, None, True, ["A", "B"]) == {"env": "dev", "team": "web", SECRET_VARIABLES_TAG: "A B"}
    assert tags_with(current, None, True, []) == {"env": "dev", "team": "web"}
    assert tags_with(current, {"env": "dev"}, False, []) == {"env": "dev", "team": "web"}
    # O(tags) cannot set it either.
    assert tags_with({}, {SECRET_VARIABLES_TAG: "X"}, True, None) == {}


def test_to_snake_masks_the_variables_the_secret_tag_names_and_drops_basic_auth():
    result = results.to_snake(stored_branch())
    assert result["environment_variables"] == {"BUCKET": "b", "API_KEY": SECRET_MASK}
    assert "basic_auth_credentials" not in result and result["enable_basic_auth"] is True
    assert_secret_free(result)
    # Without the tag nothing is masked.
    assert results.to_snake(stored_branch(tags={}))["environment_variables"]["API_KEY"] == API_KEY


def test_mask_diff():
    diff = {"before": {"basic_auth_credentials": ENCODED, "environment_variables": {"API_KEY": API_KEY, "P": "1"}},
            "after": {"basic_auth_credentials": "bmV3", "environment_variables": {"API_KEY": "new", "NEW": "n", "P": "2"}}}
    secrets.mask_diff(diff, {"API_KEY": API_KEY, "P": "1"}, ["API_KEY"], ["API_KEY", "NEW"])
    assert diff == {
        "before": {"basic_auth_credentials": SECRET_MASK, "environment_variables": {"API_KEY": SECRET_MASK, "P": "1"}},
        "after": {"basic_auth_credentials": SECRET_CHANGED_MASK,
                  "environment_variables": {"API_KEY": SECRET_CHANGED_MASK, "NEW": SECRET_MASK, "P": "2"}},
    }
    created = {"before": {}, "after": {"basic_auth_credentials": ENCODED}}
    assert secrets.mask_diff(created, {}, [], None)["after"] == {"basic_auth_credentials": SECRET_MASK}


def test_scrub_error_removes_secrets_and_the_values_validation_errors_quote():
    quoted = API_KEY[:12] + "..."  # AWS cuts long values short: the whole secret is not in the message
    message = "1 validation error detected: Value '%s' at 'environmentVariables.API_KEY' failed; Value 'x' at 'stage' failed" % quoted
    error = botocore.exceptions.ClientError(
        {"Error": {"Code": "BadRequestException", "Message": message}, "Echo": {"password": PASSWORD}}, "UpdateBranch")
    scrubbed = secrets.scrub_error(AmplifyError("Failed to update branch", exception=error), SECRETS)
    text = str(scrubbed) + json.dumps(scrubbed.exception.response)
    assert API_KEY[:12] not in text and PASSWORD not in text
    assert "Value '%s' at 'environmentVariables.API_KEY'" % SECRET_MASK in text
    assert "Value 'x' at 'stage'" in text  # what is not secret stays
    assert scrubbed.exception.operation_name == "UpdateBranch"
    assert scrubbed.exception.response["Error"]["Code"] == "BadRequestException"
    assert scrubbed.message == "Failed to update branch"
    plain = secrets.scrub_error(AmplifyError("token %s refused" % PASSWORD), SECRETS)
    assert plain.message == "token %s refused" % SECRET_MASK and plain.exception is None


def test_secret_option_values():
    params = {"basic_auth_credentials": {"username": USER, "password": PASSWORD},
              "secret_environment_variables": {"API_KEY": API_KEY, "N": 5}, "access_token": "ghp_x"}
    # Every secret but the username, which is not secret (no_log would mask it everywhere).
    assert sorted(secrets.secret_option_values(params)) == sorted([s for s in SECRETS if s != USER] + ["5", "ghp_x"])
    assert secrets.secret_option_values({}) == []


# -- the branch module -----------------------------------------------------------------------------------


def test_branch_created_with_basic_auth_and_secrets_in_one_call_and_returned_without_them():
    client = FakeAmplify()
    result = run_branch(client, **SECRET_OPTIONS)
    assert client.writes() == [("create_branch", {
        "environmentVariables": {"BUCKET": "b", "API_KEY": API_KEY},
        "enableBasicAuth": True,
        "basicAuthCredentials": ENCODED,
        "tags": {"env": "dev", SECRET_VARIABLES_TAG: "API_KEY"},
    })]
    assert result["changed"] is True
    assert result["branch"]["environment_variables"] == {"BUCKET": "b", "API_KEY": SECRET_MASK}
    assert result["diff"]["after"]["basic_auth_credentials"] == SECRET_MASK
    assert result["diff"]["after"]["environment_variables"]["API_KEY"] == SECRET_MASK
    assert_secret_free(result)


def test_branch_check_mode_creates_nothing_and_shows_no_secret():
    client = FakeAmplify()
    result = run_branch(client, check_mode=True, **SECRET_OPTIONS)
    assert client.writes() == [] and result["changed"] is True
    assert result["branch"]["enable_basic_auth"] is True
    assert_secret_free(result)


def test_branch_with_the_same_secrets_is_unchanged_with_one_read_and_no_write():
    client = FakeAmplify([stored_branch()])
    result = run_branch(client, **SECRET_OPTIONS)
    assert result["changed"] is False
    assert client.calls == [("get_branch", "main")]
    assert_secret_free(result)


def test_branch_with_a_new_password_or_secret_value_is_one_update_with_a_masked_diff():
    client = FakeAmplify([stored_branch()])
    options = dict(SECRET_OPTIONS)
    options.update(basic_auth_credentials={"username": USER, "password": "new-Pa55word"},
                   secret_environment_variables={"API_KEY": "new-api-key-value"})
    result = run_branch(client, **options)
    new_encoded = base64.b64encode(("%s:new-Pa55word" % USER).encode()).decode()
    assert client.writes() == [("update_branch", {
        "basicAuthCredentials": new_encoded, "environmentVariables": {"BUCKET": "b", "API_KEY": "new-api-key-value"}})]
    assert result["diff"]["before"] == {"basic_auth_credentials": SECRET_MASK,
                                        "environment_variables": {"BUCKET": "b", "API_KEY": SECRET_MASK}}
    assert result["diff"]["after"] == {"basic_auth_credentials": SECRET_CHANGED_MASK,
                                       "environment_variables": {"BUCKET": "b", "API_KEY": SECRET_CHANGED_MASK}}
    text = json.dumps(result)
    assert "new-Pa55word" not in text and new_encoded not in text and "new-api-key-value" not in text
    assert_secret_free(result)


def test_branch_plain_variables_alone_keep_the_secret_ones_and_the_tag():
    client = FakeAmplify([stored_branch()])
    result = run_branch(client, environment_variables={"BUCKET": "c"}, tags={"env": "dev"})
    assert client.writes() == [("update_branch", {"environmentVariables": {"BUCKET": "c", "API_KEY": API_KEY}})]
    assert result["branch"]["tags"] == {"env": "dev", SECRET_VARIABLES_TAG: "API_KEY"}
    assert_secret_free(result)


def test_branch_secret_variables_removed_with_their_tag():
    client = FakeAmplify([stored_branch()])
    result = run_branch(client, secret_environment_variables={})
    assert client.writes() == [("update_branch", {"environmentVariables": {"BUCKET": "b"}}),
                               ("untag_resource", [SECRET_VARIABLES_TAG])]
    assert result["branch"]["tags"] == {"env": "dev"}
    assert_secret_free(result)


def test_branch_basic_auth_turned_off_without_credentials():
    client = FakeAmplify([stored_branch()])
    result = run_branch(client, enable_basic_auth=False)
    assert client.writes() == [("update_branch", {"enableBasicAuth": False})]
    assert result["diff"] == {"before": {"enable_basic_auth": True}, "after": {"enable_basic_auth": False}}


def test_branch_basic_auth_turned_on_needs_credentials_before_any_write():
    client = FakeAmplify([stored_branch(enableBasicAuth=False, basicAuthCredentials=None)])
    with pytest.raises(AmplifyError, match="^enable_basic_auth: "):
        run_branch(client, enable_basic_auth=True)
    assert client.writes() == []


def test_branch_refuses_a_name_in_both_options_before_any_call():
    client = FakeAmplify([stored_branch()])
    with pytest.raises(AmplifyError, match="^secret_environment_variables: API_KEY also in environment_variables"):
        branch_module.desired_state(branch_params(environment_variables={"API_KEY": "a"}, secret_environment_variables={"API_KEY": "b"}))
    assert client.calls == []


def test_branch_deleted_shows_no_secret_in_its_diff():
    client = FakeAmplify([stored_branch()])
    client.delete_branch = lambda appId, branchName: client.calls.append(("delete_branch", branchName))  # noqa: N803
    module = FakeModule(branch_params(state="absent"))
    result = branch_module.ensure_absent(client, module)
    assert result["changed"] is True and result["diff"]["before"]["environment_variables"]["API_KEY"] == SECRET_MASK
    assert_secret_free(result)


# -- the app module --------------------------------------------------------------------------------------


def test_app_same_secrets_unchanged_new_ones_one_update_and_tags_never_purge_the_secret_tag():
    client = FakeAmplify(app={"enableBasicAuth": True, "basicAuthCredentials": ENCODED,
                              "environmentVariables": {"API_KEY": API_KEY}, "tags": {"managed-by": "x", SECRET_VARIABLES_TAG: "API_KEY"}})
    options = dict(secret_environment_variables={"API_KEY": API_KEY}, basic_auth_credentials={"username": USER, "password": PASSWORD},
                   tags={"managed-by": "x"}, purge_tags=True)
    result = app_module.ensure_present(client, FakeModule(app_params(**options)))
    assert result["changed"] is False and client.writes() == []
    assert_secret_free(result)

    options["secret_environment_variables"] = {"API_KEY": "rotated-key-value"}
    result = app_module.ensure_present(client, FakeModule(app_params(**options)))
    assert client.writes() == [("update_app", {"environmentVariables": {"API_KEY": "rotated-key-value"}})]
    assert result["app"]["environment_variables"] == {"API_KEY": SECRET_MASK}
    assert result["diff"]["after"]["environment_variables"] == {"API_KEY": SECRET_CHANGED_MASK}
    assert "rotated-key-value" not in json.dumps(result)
    assert_secret_free(result)
