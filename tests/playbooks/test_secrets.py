# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Secrets never appear in the playbooks' output: the access token, basic auth (app and branch) and secret
environment variables, at -vvv, with --diff, under --check, in verify.yml and teardown.yml, and in failed runs.

Each secret is a distinctive sentinel; the whole output (stdout and stderr) is searched for it and for the
forms it takes on the wire (username:password and its base64). The endpoint is read back to show that the
secrets did reach Amplify, so that a run cannot pass by not sending them.
"""

import base64
import json

from conftest import APP_NAME, ENVIRONMENTS, TOKEN
from test_bad_input import account_state

SITE = "playbooks/site.yml"
VERIFY = "playbooks/verify.yml"
TEARDOWN = "playbooks/teardown.yml"
SECRET_TAG = "amplify_hosting.ssr:secret-environment-variables"


def b64(username, password):
    return base64.b64encode(("%s:%s" % (username, password)).encode()).decode()


class Secrets:
    """One set of sentinel secrets, as the inventory variables site.yml takes."""

    def __init__(self, tag, api_key=None):
        self.app_user, self.app_password = "appuser-%s-SENTINEL" % tag, "apppass-%s-SENTINEL-9f2c" % tag
        self.user, self.password = "branchuser-%s-SENTINEL" % tag, "branchpass-%s-SENTINEL-77ad" % tag
        self.api_key = api_key or "apikey-%s-SENTINEL-c0ffee" % tag

    def extra_vars(self):
        return json.dumps({
            "ssr_app_basic_auth": {"username": self.app_user, "password": self.app_password},
            "ssr_basic_auth": {"username": self.user, "password": self.password},
            "ssr_secret_environment_variables": {"API_KEY": self.api_key},
        })

    def forbidden(self):
        """Every string that must not appear in any output (a basic auth username is not secret: not here)."""
        return [
            TOKEN, self.app_password, self.password, self.api_key,
            "%s:%s" % (self.app_user, self.app_password), b64(self.app_user, self.app_password),
            "%s:%s" % (self.user, self.password), b64(self.user, self.password),
        ]


def cut_short(value, secrets):
    """What a quote of `value` cut short still shows of a secret: its first 24 characters, or, for
    username:password (whose username is not secret), the username, ':' and the password's first 8."""
    for user, password in ((secrets.app_user, secrets.app_password), (secrets.user, secrets.password)):
        if value == "%s:%s" % (user, password):
            return "%s:%s" % (user, password[:8])
    return value[:24]


def assert_no_secret(result, *secrets):
    for one in secrets:
        for value in one.forbidden():
            # A value cut short (as AWS validation errors quote them) leaks too: look for its beginning.
            for needle in (value, cut_short(value, one)):
                assert needle not in result.output, "%r was printed by %r" % (needle, result)


def assert_sent(endpoint, secrets, environments=None):
    """The app and each environment's branch carry the secrets, as Amplify stores them."""
    [app] = endpoint.apps()
    app = endpoint.amplify.get_app(appId=app["appId"])["app"]
    assert app["enableBasicAuth"] is True
    assert app["basicAuthCredentials"] == b64(secrets.app_user, secrets.app_password)
    for environment in environments or list(ENVIRONMENTS):
        bucket = "%s-%s-private" % (APP_NAME, environment)
        branch = endpoint.amplify.get_branch(appId=app["appId"], branchName=ENVIRONMENTS[environment])["branch"]
        assert branch["enableBasicAuth"] is True
        assert branch["basicAuthCredentials"] == b64(secrets.user, secrets.password)
        # (With the demo inventory's run-time resources: inventories/local/group_vars/all.yml.)
        assert branch["environmentVariables"] == {
            "BUCKET_NAME": bucket, "OBJECT_KEY": "amplify-logo.png", "API_KEY": secrets.api_key,
            "CONFIG_PARAMETER": "/%s/%s/greeting" % (APP_NAME, environment),
            "SECRET_ID": "%s/%s/api-key" % (APP_NAME, environment),
            "ITEMS_TABLE": "%s-%s-items" % (APP_NAME, environment), "ITEM_ID": "1"}
        assert branch["tags"][SECRET_TAG] == "API_KEY"
    return app


def test_site_sends_the_secrets_prints_none_and_a_rerun_writes_nothing(empty_account, playbook):
    endpoint = empty_account
    secrets = Secrets("first")
    first = playbook(SITE, "-vvv", "--diff", "-e", secrets.extra_vars())
    assert first.returncode == 0, first
    assert_no_secret(first, secrets)
    app = assert_sent(endpoint, secrets)
    # The diffs were printed, with the secrets masked.
    assert first.output.count('"API_KEY": "********"') >= 3, first
    assert '"basic_auth_credentials": "********"' in first.output

    # Same secrets again: nothing to do, and nothing written (the credentials' base64 and the variables are compared).
    mark = endpoint.mark()
    second = playbook(SITE, "-vvv", "--diff", "-e", secrets.extra_vars())
    assert second.returncode == 0, second
    assert {host: second.changed(host) for host in ENVIRONMENTS} == {"dev": 0, "staging": 0, "prod": 0}, second
    assert endpoint.writes_since(mark) == []
    assert_no_secret(second, secrets)

    # Rotated secrets, under --check --diff: reported as changes (masked), nothing written, neither set printed.
    rotated = Secrets("rotated")
    mark = endpoint.mark()
    checked = playbook(SITE, "-vvv", "--check", "--diff", "-e", rotated.extra_vars())
    assert checked.returncode == 0, checked
    assert all(checked.changed(host) > 0 for host in ENVIRONMENTS), checked
    assert endpoint.writes_since(mark) == []
    assert '"basic_auth_credentials": "******** (changed)"' in checked.output
    assert '"API_KEY": "******** (changed)"' in checked.output
    assert_no_secret(checked, secrets, rotated)
    assert_sent(endpoint, secrets)

    # Applied: one UpdateApp and one UpdateBranch per branch, and nothing else.
    mark = endpoint.mark()
    applied = playbook(SITE, "-e", rotated.extra_vars())
    assert applied.returncode == 0, applied
    assert sorted(endpoint.writes_since(mark)) == [("amplify", "UpdateApp")] + [("amplify", "UpdateBranch")] * 3
    assert_no_secret(applied, secrets, rotated)
    assert assert_sent(endpoint, rotated)["appId"] == app["appId"]


def test_check_mode_on_an_empty_account_prints_no_secret_and_writes_nothing(empty_account, playbook):
    endpoint = empty_account
    secrets = Secrets("check")
    mark = endpoint.mark()
    checked = playbook(SITE, "-vvv", "--check", "--diff", "-e", secrets.extra_vars())
    assert checked.returncode == 0, checked
    assert all(checked.changed(host) > 0 for host in ENVIRONMENTS), checked
    assert endpoint.writes_since(mark) == []
    assert endpoint.apps() == []
    assert_no_secret(checked, secrets)


def test_verify_and_teardown_print_no_secret(empty_account, playbook):
    endpoint = empty_account
    secrets = Secrets("read")
    assert playbook(SITE, "-e", secrets.extra_vars()).returncode == 0
    assert_sent(endpoint, secrets)

    # Nothing serves the branches (their repository is not one the endpoint builds): the route's checks are skipped.
    verified = playbook(VERIFY, "-vvv", "--diff", "-e", secrets.extra_vars())
    assert verified.returncode == 0, verified
    assert verified.output.count("checks:        7 passed, 0 failed, 2 skipped") == 3, verified
    # verify read the branches (branch_info), whose secret variable is masked.
    assert '"API_KEY": "********"' in verified.output
    assert_no_secret(verified, secrets)

    confirm = "ssr_teardown_confirm=%s" % APP_NAME
    planned = playbook(TEARDOWN, "-vvv", "--check", "--diff", "-e", confirm)
    assert planned.returncode == 0, planned
    assert_no_secret(planned, secrets)
    assert_sent(endpoint, secrets)

    gone = playbook(TEARDOWN, "-vvv", "--diff", "-e", confirm)
    assert gone.returncode == 0, gone
    assert_no_secret(gone, secrets)
    assert endpoint.apps() == [] and endpoint.role_names() == [] and endpoint.bucket_names() == []


def test_failed_runs_print_no_secret(empty_account, playbook):
    endpoint = empty_account
    # A secret value longer than the 5500 characters Amplify takes: refused by site.yml's input check before
    # anything is made (it used to reach Amplify, after the app was made), naming the variable, not the value.
    too_long = Secrets("long", api_key="apikey-long-SENTINEL-" + "x" * 6000)
    mark = endpoint.mark()
    failed = playbook(SITE, "-vvv", "--diff", "--limit", "dev", "-e", too_long.extra_vars())
    assert failed.returncode != 0 and failed.recap["dev"]["failed"] == 1, failed
    assert_no_secret(failed, too_long)
    assert "ssr_secret_environment_variables.API_KEY: the value is 6021 characters long (Amplify takes at most 5500)" in failed.output, failed
    assert "Nothing was made" in failed.output
    assert endpoint.writes_since(mark) == [] and endpoint.apps() == []

    # Basic auth whose username has a ':' is refused by site.yml's input check before anything is made (the
    # role's own check would refuse it too, later), naming the variable. The account is left as it was.
    secrets = Secrets("colon")
    colon = json.loads(secrets.extra_vars())
    colon["ssr_basic_auth"]["username"] = "colon:user-SENTINEL"
    before = account_state(endpoint)
    mark = endpoint.mark()
    refused = playbook(SITE, "-vvv", "--limit", "dev", "-e", json.dumps(colon))
    assert refused.returncode != 0, refused
    assert "ssr_basic_auth: the username must not contain ':'" in refused.output and "Nothing was made" in refused.output
    assert endpoint.writes_since(mark) == [] and account_state(endpoint) == before
    assert "colon:user-SENTINEL" not in refused.output and "colon:user-SENTI" not in refused.output
    assert_no_secret(refused, secrets)
    assert ("amplify", "CreateBranch") not in endpoint.writes_since(mark)

    # Secret variables of the wrong type: refused by an input check (the role's argument spec at the latest),
    # which names the variable, not the value.
    wrong_type = Secrets("wrongtype")
    variables = json.loads(wrong_type.extra_vars())
    variables["ssr_secret_environment_variables"] = [wrong_type.api_key]
    before = account_state(endpoint)
    mark = endpoint.mark()
    refused_type = playbook(SITE, "-vvv", "--limit", "dev", "-e", json.dumps(variables))
    assert refused_type.returncode != 0, refused_type
    assert "ssr_secret_environment_variables must be a mapping of names to values" in refused_type.output
    assert endpoint.writes_since(mark) == [] and account_state(endpoint) == before
    assert_no_secret(refused_type, wrong_type)
    assert ("amplify", "CreateBranch") not in endpoint.writes_since(mark)

    # The app's basic auth too long for Amplify: site.yml's input check refuses it before anything is made (the
    # app module would refuse it too, before any write, under no_log).
    long_app = Secrets("longapp")
    variables = json.loads(long_app.extra_vars())
    variables["ssr_app_basic_auth"]["password"] = long_app.app_password + "y" * 2000
    before = account_state(endpoint)
    mark = endpoint.mark()
    refused_app = playbook(SITE, "-vvv", "--limit", "dev", "-e", json.dumps(variables))
    assert refused_app.returncode != 0, refused_app
    assert "ssr_app_basic_auth: username and password are too long" in refused_app.output
    assert account_state(endpoint) == before
    assert_no_secret(refused_app, long_app)
    assert endpoint.writes_since(mark) == []
