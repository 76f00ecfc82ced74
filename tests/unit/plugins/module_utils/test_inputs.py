# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The input rules (AWS's documented constraints): each bad input is named, as `option: what is wrong (what is
allowed)`, and each good one passes."""

import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import inputs
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError


@pytest.mark.parametrize("value", ["site", "compute-role-demo", "x" * 255, "名前"])
def test_good_names(value):
    assert inputs.name_problems(value, "name") == []


@pytest.mark.parametrize("value, expected", [
    ("", "name: must not be empty"),
    ("   ", "name: must not be empty"),
    (" site", "name: ' site' has surrounding whitespace"),
    ("site\n", "name: 'site\\n' has surrounding whitespace"),
    ("x" * 256, "name: is 256 characters long (at most 255)"),
    (12, "name: must be a string (got int)"),
])
def test_bad_names(value, expected):
    problems = inputs.name_problems(value, "name")
    assert len(problems) == 1 and problems[0].startswith(expected)


@pytest.mark.parametrize("value", ["main", "dev", "feature/login", "release-1.2", "v2.0", "a" * 255, "user@host"])
def test_git_branch_names(value):
    assert inputs.branch_name_problems(value) == []


@pytest.mark.parametrize("value, reason", [
    ("feature login", "no spaces"),
    ("a~b", "~ ^ :"),
    ("a:b", "~ ^ :"),
    ("wild*", "~ ^ :"),
    ("tab\tname", "control characters"),
    ("-dash", "must not start with -"),
    ("@", "@{"),
    ("a@{1}", "@{"),
    ("a..b", "no .."),
    ("/lead", "no leading, trailing or double /"),
    ("trail/", "no leading, trailing or double /"),
    ("a//b", "no leading, trailing or double /"),
    ("end.", "must not end with ."),
    (".hidden", "start with . or end with .lock"),
    ("a/.hidden", "start with . or end with .lock"),
    ("main.lock", "start with . or end with .lock"),
])
def test_not_git_branch_names(value, reason):
    problems = inputs.branch_name_problems(value)
    assert len(problems) == 1 and problems[0].startswith("branch_name: %r is not a Git branch name" % value)
    assert reason in problems[0]


def test_a_branch_name_too_long_for_amplify():
    assert inputs.branch_name_problems("b" * 300, "branch") == ["branch: is 300 characters long (at most 255)"]


def test_good_environment_variables():
    assert inputs.environment_problems({"BUCKET": "b", "_X1": "", "RETRIES": 3, "V": "x" * 5500}, "environment_variables") == []
    assert inputs.environment_problems(None, "environment_variables") == []


@pytest.mark.parametrize("variables, expected", [
    ({"HAS SPACE": "x"}, "environment_variables: 'HAS SPACE' is not an environment variable name"),
    ({"1ST": "x"}, "environment_variables: '1ST' is not an environment variable name"),
    ({"": "x"}, "environment_variables: '' is not an environment variable name"),
    ({"AWS_REGION": "x"}, "environment_variables: AWS_REGION starts with AWS, a prefix Amplify keeps"),
    ({"CONFIG": {"a": 1}}, "environment_variables.CONFIG: must be a string (got dict"),
    ({"LIST": [1]}, "environment_variables.LIST: must be a string (got list"),
    ({"DEBUG": True}, "environment_variables.DEBUG: must be a string (got bool"),
    ({"EMPTY": None}, "environment_variables.EMPTY: must be a string (got null"),
    ({"RATIO": 0.5}, "environment_variables.RATIO: must be a string (got float"),
    ({"BIG": "x" * 5501}, "environment_variables.BIG: the value is 5501 characters long (Amplify takes at most 5500)"),
    ("A=1", "environment_variables: must be a map of names to values (got str)"),
])
def test_bad_environment_variables(variables, expected):
    problems = inputs.environment_problems(variables, "environment_variables")
    assert len(problems) == 1 and problems[0].startswith(expected)


def test_a_secret_value_too_long_names_the_secret_option_never_the_value():
    problems = inputs.environment_problems({"API_KEY": "s3cr3t" * 1000}, "secret_environment_variables")
    assert problems == ["secret_environment_variables.API_KEY: the value is 6000 characters long (Amplify takes at most 5500)"]


@pytest.mark.parametrize("service", ["amplify", "iam", "s3"])
def test_good_tags(service):
    assert inputs.tag_problems({"environment": "dev", "managed-by": "amplify_hosting.ssr", "a/b:c": "x y_z@1"}, "tags", service) == []


@pytest.mark.parametrize("service", ["amplify", "iam", "s3"])
@pytest.mark.parametrize("tags, expected", [
    ({"aws:owner": "me"}, "tags: 'aws:owner' starts with aws:"),
    ({"AWS:owner": "me"}, "tags: 'AWS:owner' starts with aws:"),
    ({"": "x"}, "tags: '' is not a tag key (1 to 128"),
    ({"k" * 129: "x"}, "is not a tag key (1 to 128"),
    ({"team": "v" * 257}, "tags.team: the value is 257 characters long (at most 256)"),
    ({"team": "a|b"}, "tags.team: 'a|b' holds characters tags cannot"),
    ({"team": {"a": 1}}, "tags.team: must be a string (got dict)"),
    ({"team": None}, "tags.team: must be a string (got null)"),
])
def test_bad_tags(service, tags, expected):
    problems = inputs.tag_problems(tags, "tags", service)
    assert len(problems) == 1 and expected in problems[0]


def test_amplify_tag_keys_follow_amplifys_own_pattern():
    assert inputs.tag_problems({"cost center": "1"}, "tags", "iam") == []
    assert inputs.tag_problems({"cost center": "1"}, "tags", "amplify")[0].startswith("tags: 'cost center' is not an Amplify tag key")
    assert len(inputs.tag_problems(dict(("k%d" % i, "v") for i in range(51)), "tags", "amplify")) == 1


@pytest.mark.parametrize("value", [None, "", "https://github.com/example/nextjs-compute-role-demo", "https://gitlab.com/a/b.git"])
def test_good_repositories(value):
    assert inputs.repository_problems(value) == []


@pytest.mark.parametrize("value", ["github.com/example/demo", "git@github.com:example/demo.git", "http://github.com/a/b",
                                   "https://", " https://github.com/a/b", "https://github.com/a b"])
def test_repositories_that_are_not_https_urls(value):
    assert inputs.repository_problems(value)[0].startswith("repository: %r is not an https:// URL" % value)


@pytest.mark.parametrize("value", ["compute-role-demo-dev-private", "abc", "a.b-c", "x" * 63])
def test_good_bucket_names(value):
    assert inputs.bucket_name_problems(value, "bucket") == []


@pytest.mark.parametrize("value, reason", [
    ("ab", "3 to 63"), ("x" * 64, "3 to 63"), ("Upper", "3 to 63"), ("under_score", "3 to 63"), ("-lead", "3 to 63"),
    ("trail-", "3 to 63"), ("a..b", "no two adjacent periods"), ("192.168.5.4", "not an IP address"),
    ("xn--bucket", "not starting with"), ("sthree-x", "not starting with"), ("amzn-s3-demo-x", "not starting with"),
    ("b-s3alias", "not ending with"), ("b--ol-s3", "not ending with"), ("b.mrap", "not ending with"),
    ("b--x-s3", "not ending with"), ("b--table-s3", "not ending with"),
])
def test_bad_bucket_names(value, reason):
    problems = inputs.bucket_name_problems(value, "private_bucket_name")
    assert len(problems) == 1 and problems[0].startswith("private_bucket_name: %r is not an S3 bucket name" % value)
    assert reason in problems[0]


def test_text_limits():
    assert inputs.text_problems("d" * 1000, "description", 1000) == []
    assert inputs.text_problems("d" * 1001, "description", 1000) == ["description: is 1001 characters long (at most 1000)"]
    assert inputs.text_problems(None, "description", 1000) == []


def test_check_raises_every_problem_at_once():
    with pytest.raises(AmplifyError) as raised:
        inputs.check(["a: one", "", "b: two"])
    assert raised.value.message == "a: one; b: two"
    inputs.check([])
