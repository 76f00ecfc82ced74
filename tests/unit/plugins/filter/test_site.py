# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""site_input_problems and input_problems: the modules' rules, named after the inventory or role variable."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.amplify_hosting.ssr.plugins.filter.inputs import compute_role_problems
from ansible_collections.amplify_hosting.ssr.plugins.filter.inputs import input_problems
from ansible_collections.amplify_hosting.ssr.plugins.filter.site import site_input_problems

SECRET = "s3cr3t-value-never-shown"


@pytest.fixture
def site(tmp_path):
    image = tmp_path / "logo.png"
    image.write_bytes(b"png")
    return dict(stage="DEVELOPMENT", wait_timeout=600, release=True, commit_id="HEAD", environment_variables={"A": "1"},
                secret_environment_variables={"API_KEY": SECRET}, tags={"team": "web"}, branch="dev",
                role_name="demo-dev-compute", bucket="demo-dev-private", uploads=[{"src": str(image), "prefix": ""}],
                basic_auth={}, app_basic_auth={"username": "ops", "password": SECRET})


def test_good_inputs_have_no_problem(site):
    assert site_input_problems(site) == []


@pytest.mark.parametrize("changes, expected", [
    (dict(stage="STAGING"), "ssr_stage 'STAGING' is not one of PRODUCTION, BETA"),
    (dict(wait_timeout="abc"), "ssr_wait_timeout must be a whole number of seconds, at least 1 (got 'abc')"),
    (dict(wait_timeout=0), "ssr_wait_timeout must be a whole number"),
    (dict(release="maybe"), "ssr_release must be true or false (got 'maybe')"),
    (dict(commit_id=""), "ssr_commit_id is required when ssr_release is true"),
    (dict(environment_variables="A=1"), "ssr_environment_variables must be a mapping of names to values"),
    (dict(environment_variables={"MY VAR": "x"}), "ssr_environment_variables: 'MY VAR' is not an environment variable name"),
    (dict(environment_variables={"DEBUG": True}), "ssr_environment_variables.DEBUG: must be a string (got bool"),
    (dict(tags="team=web"), "ssr_tags must be a mapping of tag keys to values"),
    (dict(tags={"aws:x": "y"}), "ssr_tags: 'aws:x' starts with aws:"),
    (dict(branch=" "), "ssr_branch must not be empty"),
    (dict(branch="my feature"), "ssr_branch: 'my feature' is not a Git branch name"),
    (dict(role_name="bad name!"), "ssr_role_name 'bad name!' is not an IAM role name"),
    (dict(bucket="Bad_Bucket"), "ssr_bucket: 'Bad_Bucket' is not an S3 bucket name"),
    (dict(uploads="logo.png"), "ssr_uploads must be a list of {src, prefix}, each with a src"),
    (dict(uploads=[{"prefix": ""}]), "ssr_uploads must be a list of {src, prefix}, each with a src"),
    (dict(uploads=[{"src": "/nonexistent/logo.png"}]), "ssr_uploads: no such file or directory on the controller: /nonexistent/logo.png"),
    (dict(secret_environment_variables=[SECRET]), "ssr_secret_environment_variables must be a mapping of names to values"),
    (dict(environment_variables={"API_KEY": "x"}), "ssr_secret_environment_variables: API_KEY also in ssr_environment_variables"),
    (dict(secret_environment_variables={"BAD NAME!": SECRET}), "ssr_secret_environment_variables: the name(s) 'BAD NAME!' cannot be recorded"),
    (dict(secret_environment_variables={"API_KEY": SECRET * 300}), "ssr_secret_environment_variables.API_KEY: the value is 7200 characters long"),
    (dict(basic_auth="ops:pw"), "ssr_basic_auth must be a mapping {username, password}"),
    (dict(basic_auth={"username": "ops"}), "ssr_basic_auth: username and password must both be given"),
    (dict(basic_auth={"username": "o:ps", "password": SECRET}), "ssr_basic_auth: the username must not contain ':'"),
    (dict(app_basic_auth={"username": "ops", "password": SECRET, "realm": "x"}),
     "ssr_app_basic_auth takes only username and password (got password, realm, username)"),
    (dict(app_basic_auth={"username": "ops", "password": SECRET * 100}), "ssr_app_basic_auth: username and password are too long"),
])
def test_each_problem_names_the_variable_and_never_a_secret(site, changes, expected):
    site.update(changes)
    problems = site_input_problems(site)
    assert any(p.startswith(expected) for p in problems), problems
    assert not any(SECRET[:12] in p for p in problems)


def test_a_release_turned_off_needs_no_commit(site):
    site.update(release="no", commit_id="")
    assert site_input_problems(site) == []


def test_missing_keys_are_the_callers_error():
    with pytest.raises(AnsibleFilterError, match="give a mapping with the keys"):
        site_input_problems({"stage": ""})


@pytest.mark.parametrize("value, kind, expected", [
    ({"aws:owner": "me"}, "s3_tags", "private_bucket_tags: 'aws:owner' starts with aws:"),
    ("Bad_Bucket", "bucket_name", "private_bucket_tags: 'Bad_Bucket' is not an S3 bucket name"),
    ("bad name!", "role_name", "private_bucket_tags: 'bad name!' is not an IAM role name"),
    ("x" * 65, "role_name", "private_bucket_tags: '" + "x" * 65 + "' is not an IAM role name"),
    ("my feature", "branch_name", "private_bucket_tags: 'my feature' is not a Git branch name"),
    (" app", "name", "private_bucket_tags: ' app' has surrounding whitespace"),
    ({"A B": "1"}, "environment", "private_bucket_tags: 'A B' is not an environment variable name"),
    ({"cost center": "1"}, "amplify_tags", "private_bucket_tags: 'cost center' is not an Amplify tag key"),
    ({"k": "a|b"}, "iam_tags", "private_bucket_tags.k: 'a|b' holds characters"),
    ("git@github.com:a/b", "repository", "private_bucket_tags: 'git@github.com:a/b' is not an https:// URL"),
])
def test_input_problems_applies_the_kinds_rules(value, kind, expected):
    problems = input_problems(value, kind, "private_bucket_tags")
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_input_problems_passes_good_values_and_refuses_unknown_kinds():
    assert input_problems("compute-role-demo-dev-compute", "role_name", "iam_compute_role_name") == []
    with pytest.raises(AnsibleFilterError, match="kind must be one of"):
        input_problems("x", "colour", "opt")
    with pytest.raises(AnsibleFilterError, match="option must name"):
        input_problems("x", "name", "")


def test_input_problems_names_each_branch_by_its_index():
    branches = [{"name": "dev"}, {"name": "a b", "environment_variables": {"X": {"y": 1}}, "secret_environment_variables": {"K": "v" * 5501}}]
    assert input_problems(branches, "amplify_branches", "amplify_app_branches") == [
        "amplify_app_branches[1].name: 'a b' is not a Git branch name (git check-ref-format --branch: "
        "no spaces, control characters or any of ~ ^ : ? * [ \\)",
        "amplify_app_branches[1].environment_variables.X: must be a string (got dict; quote it in YAML, or use to_json for structured data)",
        "amplify_app_branches[1].secret_environment_variables.K: the value is 5501 characters long (Amplify takes at most 5500)",
    ]
    assert input_problems("dev", "amplify_branches", "amplify_app_branches") == ["amplify_app_branches: must be a list of branches (got str)"]


AMPLIFY_TRUST = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
LAMBDA_TRUST = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
ROLE_ARN = "arn:aws:iam::123456789012:role/demo-compute"


def role_read(trust=None, arn=ROLE_ARN):
    return [{"role_name": arn.rsplit("/", 1)[1], "arn": arn, "assume_role_policy_document": trust or AMPLIFY_TRUST}]


@pytest.mark.parametrize("roles, value, check_mode, expected", [
    (role_read(), "demo-compute", False, []),
    (role_read(), ROLE_ARN, False, []),
    ([], "demo-compute", True, []),
    ([], "demo-compute", False, ["amplify_app_compute_role: IAM role 'demo-compute' does not exist in this account"]),
    (role_read(LAMBDA_TRUST), "demo-compute", False,
     ["amplify_app_compute_role: the trust policy of IAM role %s does not let amplify.amazonaws.com assume it; add a "
      "statement allowing sts:AssumeRole to the service principal amplify.amazonaws.com" % ROLE_ARN]),
    (role_read(arn="arn:aws:iam::123456789012:role/x/demo-compute"), ROLE_ARN, False,
     ["amplify_app_compute_role: IAM role %s does not exist; the role named 'demo-compute' in this account is "
      "arn:aws:iam::123456789012:role/x/demo-compute (another path or account)" % ROLE_ARN]),
    ([], "bad name!", False, None),
])
def test_compute_role_problems_judges_what_iam_role_info_read(roles, value, check_mode, expected):
    problems = compute_role_problems(roles, value, "amplify_app_compute_role", check_mode)
    if expected is None:
        assert len(problems) == 1 and problems[0].startswith("amplify_app_compute_role: 'bad name!' is neither an IAM role name")
    else:
        assert problems == expected
