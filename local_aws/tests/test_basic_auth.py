"""Basic auth and environment variables as the emulator keeps them: what the collection's secret handling
relies on. Amplify stores basicAuthCredentials (base64 of "user:password") and enableBasicAuth as given and
returns both in CreateApp/GetApp/ListApps and the branch calls (the App and Branch output shapes carry them;
the Terraform AWS provider reads basicAuthCredentials back the same way); validation errors quote a refused
value, masked only for members botocore's model marks sensitive."""

from __future__ import annotations

import base64
import json

from helpers import assert_error, error_of

CREDENTIALS = base64.b64encode(b"preview:s3cret-Pa55word").decode()
ROTATED = base64.b64encode(b"preview:rotated-Pa55word").decode()


def test_app_basic_auth_is_stored_and_returned_as_given(amplify, make_app):
    app = make_app("site", enableBasicAuth=True, basicAuthCredentials=CREDENTIALS)
    assert (app["enableBasicAuth"], app["basicAuthCredentials"]) == (True, CREDENTIALS)
    got = amplify.get_app(appId=app["appId"])["app"]
    assert (got["enableBasicAuth"], got["basicAuthCredentials"]) == (True, CREDENTIALS)
    [listed] = amplify.list_apps()["apps"]
    assert listed["basicAuthCredentials"] == CREDENTIALS
    updated = amplify.update_app(appId=app["appId"], basicAuthCredentials=ROTATED)["app"]
    assert (updated["enableBasicAuth"], updated["basicAuthCredentials"]) == (True, ROTATED)
    off = amplify.update_app(appId=app["appId"], enableBasicAuth=False)["app"]
    assert off["enableBasicAuth"] is False


def test_an_app_or_branch_without_basic_auth_reports_it_off(amplify, make_app, make_branch):
    app = make_app("site")
    assert app["enableBasicAuth"] is False and "basicAuthCredentials" not in app
    branch = make_branch(app["appId"], "main")
    assert branch["enableBasicAuth"] is False and "basicAuthCredentials" not in branch


def test_branch_basic_auth_and_variables_are_stored_and_returned_as_given(amplify, make_app, make_branch):
    app = make_app("site", platform="WEB_COMPUTE")
    variables = {"BUCKET_NAME": "b", "API_KEY": "k" * 5500}
    branch = make_branch(app["appId"], "main", enableBasicAuth=True, basicAuthCredentials=CREDENTIALS,
                         environmentVariables=variables)
    assert (branch["enableBasicAuth"], branch["basicAuthCredentials"], branch["environmentVariables"]) == (True, CREDENTIALS, variables)
    got = amplify.get_branch(appId=app["appId"], branchName="main")["branch"]
    assert (got["basicAuthCredentials"], got["environmentVariables"]) == (CREDENTIALS, variables)
    [listed] = amplify.list_branches(appId=app["appId"])["branches"]
    assert listed["basicAuthCredentials"] == CREDENTIALS
    updated = amplify.update_branch(appId=app["appId"], branchName="main", basicAuthCredentials=ROTATED)["branch"]
    assert updated["basicAuthCredentials"] == ROTATED and updated["environmentVariables"] == variables


def test_refused_credentials_are_not_quoted_but_a_refused_variable_value_is(amplify, make_app, control):
    app = make_app("site", platform="WEB_COMPUTE")
    too_long = base64.b64encode(b"u:" + b"p" * 1600).decode()
    error = error_of(amplify.update_app, appId=app["appId"], basicAuthCredentials=too_long)
    assert_error(error, "BadRequestException")
    assert "basicAuthCredentials" in error["Error"]["Message"] and too_long[:20] not in error["Error"]["Message"]
    # An environment variable is not sensitive in the model: Amplify quotes the value it refuses (cut short),
    # which is why the collection's modules clean such errors of secret variables.
    value = "secret-value-" + "v" * 5500
    error = error_of(amplify.create_branch, appId=app["appId"], branchName="main", environmentVariables={"API_KEY": value})
    assert_error(error, "BadRequestException")
    assert "at 'environmentVariables.API_KEY'" in error["Error"]["Message"] and value[:20] in error["Error"]["Message"]
    assert value not in error["Error"]["Message"]
    # Nothing of it is kept: no branch, and the control API's state and request log do not hold credentials.
    assert amplify.list_branches(appId=app["appId"])["branches"] == []
    make_app("other", enableBasicAuth=True, basicAuthCredentials=CREDENTIALS)
    for text in (json.dumps(control.state()), json.dumps(control.requests())):
        assert CREDENTIALS not in text and "basicAuthCredentials" not in text
