# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The verify role's filters: the input checks, what to read and fetch, and each check's verdict."""

import json
import re
from urllib.parse import quote

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.amplify_hosting.ssr.plugins.filter import verify
from ansible_collections.amplify_hosting.ssr.plugins.filter.verify import (
    FilterModule,
    trusts_amplify,
    verify_input_problems,
    verify_targets,
    verify_verdict,
)

OURS = {"managed-by": "amplify_hosting.ssr", "environment": "dev"}
ROLE_ARN = "arn:aws:iam::123456789012:role/demo-dev-compute"
OTHER_ARN = "arn:aws:iam::123456789012:role/other"
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
NAMES = {"verify_environment": "dev", "verify_bucket": "b1", "verify_role_name": "r1", "verify_app": "demo"}
TEMPLATE = "https://{bucket}.s3.{region}.amazonaws.com/{key}"


def test_the_filters_are_registered_under_their_names():
    assert FilterModule().filters() == {"verify_input_problems": verify_input_problems,
                                        "verify_targets": verify_targets, "verify_verdict": verify_verdict}


# --- verify_input_problems ---------------------------------------------------------------------------------------
def test_right_variables_have_no_problem():
    assert verify_input_problems(NAMES, branches=[{"name": "dev", "compute_role_arn": ROLE_ARN}],
                                 object_url_template=TEMPLATE, compute_log_retries=20, compute_log_delay=0.5,
                                 expected_image="/tmp/x.png", image={"stat": {"exists": True, "isreg": True}}) == []


def test_each_wrong_variable_is_named_in_the_order_the_role_checks():
    problems = verify_input_problems(
        dict(NAMES, verify_bucket=" ", verify_app=None), object_url_template="https://{bucket}/x",
        branches=[{"name": "dev", "compute_role_arn": ROLE_ARN}, {"name": "prod", "compute_role_arn": "role/x"},
                  {"name": "qa", "compute_role_arn": "arn:aws:iam::12345:role/x"}],
        compute_log_retries=-1, compute_log_delay=0.5, expected_image="/tmp/dir", image={"stat": {"isreg": False}})
    assert problems == [
        "verify_bucket, verify_app must not be empty",
        "verify_branches: the compute_role_arn of branch(es) prod, qa is not an IAM role ARN (got role/x, "
        "arn:aws:iam::12345:role/x)",
        "verify_s3_object_url_template must contain {bucket} and {key} (got 'https://{bucket}/x')",
        "verify_compute_log_retries and verify_compute_log_delay must be 0 or more (got -1 and 0.5)",
        "verify_expected_image: /tmp/dir is not a file",
    ]


@pytest.mark.parametrize("retries, delay, ok", [(0, 0, True), (0, -0.1, False), ("3", "1.5", True)])
def test_the_compute_log_pacing_must_not_be_negative(retries, delay, ok):
    problems = verify_input_problems(NAMES, object_url_template=TEMPLATE, compute_log_retries=retries,
                                     compute_log_delay=delay)
    assert (problems == []) is ok


def test_a_missing_image_is_not_a_file_and_no_image_is_not_checked():
    assert verify_input_problems(NAMES, object_url_template=TEMPLATE, expected_image="/nope",
                                 image={"skipped": True}) == ["verify_expected_image: /nope is not a file"]
    assert verify_input_problems(NAMES, object_url_template=TEMPLATE, expected_image="") == []


@pytest.mark.parametrize("args, kwargs, message", [
    (["dev"], {}, "the names (input) must be a mapping, got str"),
    ([NAMES], {"branches": {"name": "dev"}}, "branches must be a list, got dict"),
    ([NAMES], {"object_url_template": TEMPLATE, "compute_log_retries": "many"}, "compute_log_retries must be a number"),
    ([NAMES], {"object_url_template": TEMPLATE, "compute_log_delay": None}, "compute_log_delay must be a number"),
])
def test_bad_input_to_the_input_check_is_refused(args, kwargs, message):
    with pytest.raises(AnsibleFilterError, match="^verify_input_problems: " + re.escape(message)):
        verify_input_problems(*args, **kwargs)


# --- verify_targets ----------------------------------------------------------------------------------------------
APP = {"app_id": "d1", "name": "demo", "compute_role_arn": ""}


def test_the_app_is_found_by_id_before_name_and_must_be_unique():
    apps = [{"app_id": "demo", "name": "x"}, {"app_id": "d2", "name": "demo"}]
    assert verify_targets("demo", apps=apps)["app_id"] == "demo"
    assert verify_targets("x", apps=apps)["app_id"] == "demo"
    assert verify_targets("d9", apps=apps)["app_id"] == ""
    ambiguous = verify_targets("demo", apps=[APP, dict(APP, app_id="d3")])
    assert ambiguous["app_id"] == "" and len(ambiguous["app_matches"]) == 2 and ambiguous["gets"] == []
    assert verify_targets("demo", apps=[])["app_matches"] == []


@pytest.mark.parametrize("item_url, amplify_url, get", [
    # Amplify's URL, fetched as it is.
    ("", "https://dev.d1.amplifyapp.com", {"url": "https://dev.d1.amplifyapp.com/api/image",
                                           "connect": "https://dev.d1.amplifyapp.com/api/image", "host": ""}),
    # The branch's own URL wins; trailing slashes go.
    ("http://example.com/base//", "https://x", {"url": "http://example.com/base/api/image",
                                                "connect": "http://example.com/base/api/image", "host": ""}),
    # .localhost: connect to 127.0.0.1 at the URL's port, the host as Host header; the query is kept.
    ("http://dev.d1.localhost:4566", "", {"url": "http://dev.d1.localhost:4566/api/image",
                                          "connect": "http://127.0.0.1:4566/api/image",
                                          "host": "dev.d1.localhost:4566"}),
    ("https://dev.d1.localhost/?a=1", "", {"url": "https://dev.d1.localhost/?a=1/api/image",
                                           "connect": "https://127.0.0.1:443/?a=1/api/image",
                                           "host": "dev.d1.localhost:443"}),
    ("http://dev.d1.localhost", "", {"url": "http://dev.d1.localhost/api/image",
                                     "connect": "http://127.0.0.1:80/api/image", "host": "dev.d1.localhost:80"}),
])
def test_where_each_branch_image_is_fetched_from(item_url, amplify_url, get):
    targets = verify_targets("demo", apps=[APP], branches=[{"name": "dev", "url": item_url}, {"name": "gone"}],
                             branch_listing=[{"branch_name": "dev", "url": amplify_url}, {"branch_name": "main"}])
    assert targets["gets"] == [dict(get, name="dev")]


def test_the_query_of_a_localhost_url_is_kept_after_the_path():
    targets = verify_targets("demo", apps=[APP], branches=[{"name": "dev", "url": "http://a.localhost:8/p?q=1"}],
                             branch_listing=[{"branch_name": "dev"}])
    # The URL ends with /api/image after the query, as the role always built it.
    assert targets["gets"][0]["connect"] == "http://127.0.0.1:8/p?q=1/api/image"


def test_a_bad_port_in_a_branch_url_is_refused():
    with pytest.raises(AnsibleFilterError, match="^verify_targets: branch dev: bad URL http://a:x/api/image"):
        verify_targets("demo", apps=[APP], branches=[{"name": "dev", "url": "http://a:x"}],
                       branch_listing=[{"branch_name": "dev"}])


def answer(name, status, **fields):
    return dict(fields, status=status, item={"name": name, "url": "http://%s.d1.localhost:1/api/image" % name,
                                             "connect": "http://127.0.0.1:1/api/image", "host": "x"})


def test_what_nothing_serves_and_what_is_served():
    answers = [answer("a", 404, body="Nothing serves branch a of app d1"), answer("b", -1), answer("c", 200),
               answer("d", 421), answer("e", 404, body="Not Found"), answer("f", 500)]
    targets = verify_targets("demo", image_answers=answers)
    # No answer and 421 first, then the endpoint's 404.
    assert targets["unserved"] == ["b", "d", "a"]
    assert [a["item"]["name"] for a in targets["served"]] == ["c", "e", "f"]


@pytest.mark.parametrize("keys, line, matches", [
    (["img.png"], "[api/image] s3://b.1/img.png: 200, 10 bytes", True),
    (["img.png"], "[api/image] GetObject s3://b.1/img.png failed: AccessDenied", True),
    (["img.png"], "[api/image] s3://b.1/img.pngx: 200", False),
    (["img.png"], "[api/image] s3://bx1/img.png: 200", False),
    ([], "[api/image] s3://b.1/other.png: 200", True),
    (["img.png"], "x [api/image] s3://b.1/img.png: 200", False),
])
def test_the_route_line_names_the_first_key(keys, line, matches):
    targets = verify_targets("demo", apps=[APP], bucket="b.1", object_keys=keys)
    assert bool(re.search(targets["route_line_re"], line)) is matches
    assert targets["log_group"] == "/aws/amplify/d1"


def test_bad_input_to_the_targets_is_refused():
    with pytest.raises(AnsibleFilterError, match=r"^verify_targets: apps\[0\] must be a mapping, got str"):
        verify_targets("demo", apps=["demo"])
    with pytest.raises(AnsibleFilterError, match=r"^verify_targets: the app \(input\) must be a string"):
        verify_targets(None)


# --- verify_verdict ----------------------------------------------------------------------------------------------
def good_bucket(**overrides):
    bucket = {"name": "b1", "bucket_tagging": dict(OURS, team="x"),
              "public_access_block": {"PublicAccessBlockConfiguration": {
                  "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                  "RestrictPublicBuckets": True}},
              "bucket_ownership_controls": {"OwnershipControls": {"Rules": [
                  {"ObjectOwnership": "BucketOwnerEnforced"}]}}}
    bucket.update(overrides)
    return {"buckets": [bucket]}


def good_role(**overrides):
    role = {"arn": ROLE_ARN, "assume_role_policy_document": TRUST, "tags": OURS}
    role.update(overrides)
    return {"iam_roles": [role]}


def judge(**kwargs):
    base = dict(bucket="b1", object_keys=["img.png"], role_name="r1", app="demo",
                branches=[{"name": "dev", "compute_role_arn": ROLE_ARN, "url": ""}],
                bucket_info=good_bucket(), role_info=good_role(), apps=[dict(APP, compute_role_arn=ROLE_ARN)],
                branch_listing=[{"branch_name": "dev", "tags": OURS, "url": "https://dev.d1.amplifyapp.com"}],
                objects=[{"item": "img.png", "object_info": [{}], "failed": False}],
                anonymous=[{"item": {"item": "img.png"}, "status": 403, "url": "https://b1/img.png"}])
    base.update(kwargs)
    return verify_verdict("dev", **base)


def test_a_converged_environment_passes_every_check_and_is_summed_up():
    verdict = judge()
    assert verdict["problems"] == [] and verdict["skipped"] == []
    assert verdict["passed"] == [
        "bucket b1: all four Block Public Access flags on, ACLs disabled, tagged",
        "s3://b1/img.png: anonymous GET refused",
        "IAM role r1: trusts amplify.amazonaws.com, tagged",
        "branch dev of app demo (d1): runs with %s (the app's default), tagged" % ROLE_ARN,
    ]
    assert verdict["summary"] == {
        "environment": "dev", "role_arn": ROLE_ARN, "bucket": "b1", "objects": ["img.png"], "app_id": "d1",
        "app_compute_role_arn": ROLE_ARN, "app_service_role_arn": "",
        "branches": [{"name": "dev", "exists": True, "effective_compute_role_arn": ROLE_ARN,
                      "url": "https://dev.d1.amplifyapp.com"}],
        "runtime_resources": [],
    }


def test_nothing_found_fails_each_check_and_sums_up_nothing():
    verdict = judge(bucket_info={"buckets": []}, objects=[], anonymous=[], role_info={"iam_roles": []}, apps=[],
                    branch_listing=[])
    assert verdict["problems"] == ["bucket b1: does not exist", "IAM role r1: does not exist",
                                   "Amplify app demo: not found (neither an app id nor an app name)"]
    assert verdict["passed"] == []
    assert verdict["summary"] == {"environment": "dev", "role_arn": "", "bucket": "", "objects": [], "app_id": "",
                                  "app_compute_role_arn": "", "app_service_role_arn": "", "branches": [
                                      {"name": "dev", "exists": False, "effective_compute_role_arn": "", "url": ""}],
                                  "runtime_resources": []}


def test_an_open_bucket_names_each_flag_off_the_acls_and_the_tags():
    verdict = judge(bucket_info=good_bucket(
        public_access_block={"PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": False}},
        bucket_ownership_controls={}, bucket_tagging={"environment": "prod", "team": "x"}))
    assert verdict["problems"] == [
        "bucket b1: Block Public Access flag(s) off: IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets",
        "bucket b1: ACLs are not disabled (object ownership is not set, expected BucketOwnerEnforced)",
        'bucket b1: ownership tags are {"environment": "prod"}, expected '
        '{"managed-by": "amplify_hosting.ssr", "environment": "dev"}',
    ]
    assert not [p for p in verdict["passed"] if p.startswith("bucket")]


def test_acls_enabled_names_the_object_ownership():
    verdict = judge(bucket_info=good_bucket(bucket_ownership_controls={"OwnershipControls": {"Rules": [
        {"ObjectOwnership": "ObjectWriter"}]}}))
    assert verdict["problems"] == ["bucket b1: ACLs are not disabled (object ownership is ObjectWriter, expected "
                                   "BucketOwnerEnforced)"]


def test_objects_missing_or_readable_anonymously_are_problems():
    verdict = judge(objects=[{"item": "a"}, {"item": "b", "object_info": []}, {"item": "c", "object_info": []}],
                    anonymous=[{"item": {"item": "b"}, "status": 200, "url": "https://b1/b"},
                               {"item": {"item": "c"}, "status": -1, "url": "https://b1/c", "msg": "refused"},
                               {"item": {"item": "d"}, "status": 401, "url": "https://b1/d"}])
    assert verdict["problems"] == [
        "s3://b1/a: does not exist (or cannot be read with the caller's credentials)",
        "s3://b1/b: anonymous GET https://b1/b was not refused (answered 200, expected 403)",
        "s3://b1/c: anonymous GET https://b1/c was not refused (no answer: refused, expected 403)",
    ]
    assert "s3://b1/d: anonymous GET refused" in verdict["passed"]


@pytest.mark.parametrize("statement, trusts", [
    ({"Effect": "Allow", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:AssumeRole"}, True),
    ({"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com", "amplify.amazonaws.com"]},
      "Action": ["sts:TagSession", "sts:*"]}, True),
    ({"Effect": "Allow", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "*"}, True),
    ({"Effect": "Deny", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:AssumeRole"}, False),
    ({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}, False),
    ({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}, False),
    ({"Effect": "Allow", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:TagSession"}, False),
    ({"Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:AssumeRole"}, False),
    ("not a statement", False),
])
def test_which_trust_policies_let_amplify_assume_the_role(statement, trusts):
    assert trusts_amplify({"Statement": [statement]}) is trusts
    if isinstance(statement, dict):
        assert trusts_amplify({"Statement": statement}) is trusts


def test_a_url_encoded_trust_policy_is_read_and_an_untrusting_one_shown():
    encoded = quote(json.dumps(TRUST))
    assert judge(role_info=good_role(assume_role_policy_document=encoded))["problems"] == []
    deny = {"Statement": [{"Effect": "Deny", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "*"}]}
    verdict = judge(role_info=good_role(assume_role_policy_document=deny, tags={}))
    assert verdict["problems"] == [
        "IAM role r1: its trust policy does not allow amplify.amazonaws.com to sts:AssumeRole (trust policy: %s)"
        % json.dumps(deny),
        'IAM role r1: ownership tags are {}, expected {"managed-by": "amplify_hosting.ssr", "environment": "dev"}',
    ]


def test_a_trust_policy_that_is_not_json_is_refused():
    with pytest.raises(AnsibleFilterError, match="^verify_verdict: IAM role r1: the trust policy is not JSON"):
        judge(role_info=good_role(assume_role_policy_document="%7Bnot"))


def test_an_app_name_matching_several_apps_is_a_problem_and_no_branch_is_judged():
    verdict = judge(apps=[APP, dict(APP, app_id="d2")])
    assert verdict["problems"] == ["Amplify app demo: the name matches several apps (d1, d2); give the id"]
    assert verdict["summary"]["app_id"] == "" and verdict["summary"]["branches"][0]["exists"] is True
    assert not [p for p in verdict["passed"] if p.startswith("branch")]


@pytest.mark.parametrize("found, app_role, message", [
    (None, ROLE_ARN, "branch dev of app demo (d1): does not exist"),
    ({"compute_role_arn": OTHER_ARN}, ROLE_ARN,
     "branch dev of app demo (d1): runs with %s (its own override), expected %s" % (OTHER_ARN, ROLE_ARN)),
    ({}, OTHER_ARN,
     "branch dev of app demo (d1): runs with %s (the app's default), expected %s" % (OTHER_ARN, ROLE_ARN)),
    ({}, "", "branch dev of app demo (d1): runs with no compute role (neither the branch nor the app has one), "
             "expected %s" % ROLE_ARN),
    ({"compute_role_arn": ROLE_ARN, "tags": {"managed-by": "amplify_hosting.ssr"}}, "",
     'branch dev of app demo (d1): ownership tags are {"managed-by": "amplify_hosting.ssr"}, expected '
     '{"managed-by": "amplify_hosting.ssr", "environment": "dev"}'),
])
def test_each_branch_problem(found, app_role, message):
    listing = [] if found is None else [dict({"branch_name": "dev", "tags": OURS}, **found)]
    verdict = judge(apps=[dict(APP, compute_role_arn=app_role)], branch_listing=listing)
    assert verdict["problems"] == [message]


def test_a_branch_override_passes_as_its_own():
    verdict = judge(branch_listing=[{"branch_name": "dev", "tags": OURS, "compute_role_arn": ROLE_ARN}],
                    apps=[dict(APP, compute_role_arn=OTHER_ARN)])
    assert "branch dev of app demo (d1): runs with %s (its own override), tagged" % ROLE_ARN in verdict["passed"]
    assert verdict["summary"]["branches"][0]["effective_compute_role_arn"] == ROLE_ARN


# --- /api/image and the compute log ------------------------------------------------------------------------------
IMAGE = {"stat": {"size": 10, "checksum": "abc"}}


def image_judge(answers, files=None, **kwargs):
    kwargs.setdefault("compute_log", False)
    return judge(image_answers=answers, image_files=files or [{}] * len(answers), expected_image="/tmp/img.png",
                 image=IMAGE, **kwargs)


def test_an_image_with_the_expected_bytes_passes_and_other_bytes_fail():
    verdict = image_judge([answer("dev", 200), answer("main", 200)],
                          [{"stat": {"size": 10, "checksum": "abc"}}, {"stat": {"size": 3, "checksum": "zzz"}}])
    assert "branch dev: GET http://dev.d1.localhost:1/api/image: 200 with the expected bytes" in verdict["passed"]
    assert verdict["problems"] == ["branch main: GET http://main.d1.localhost:1/api/image: answered 200 but the body "
                                   "(3 bytes) differs from /tmp/img.png (10 bytes)"]


def test_without_an_expected_image_any_200_passes():
    verdict = judge(image_answers=[answer("dev", 200)], image_files=[{"stat": {"checksum": "x"}}], compute_log=False)
    assert verdict["problems"] == [] and verdict["passed"][-1].endswith("200 with the expected bytes")


@pytest.mark.parametrize("fields, said", [
    ({}, ""),
    ({"json": {"code": "AccessDenied", "error": "Could not read s3://b1/img.png"}},
     ": the route /api/image failed with AccessDenied (Could not read s3://b1/img.png)"),
    ({"json": {"code": "NoSuchKey"}}, ": the route /api/image failed with NoSuchKey"),
    ({"json": {"error": "boom"}}, ": the route /api/image failed (boom)"),
    ({"json": {"other": 1}}, ""),
    ({"json": ["not", "a", "mapping"]}, ""),
])
def test_a_failed_answer_names_the_route_error(fields, said):
    verdict = image_judge([answer("dev", 500, **fields)])
    assert verdict["problems"] == ["branch dev: GET http://dev.d1.localhost:1/api/image: answered 500, expected 200"
                                   + said]


LONG = "Nothing serves branch dev of app d1 on this endpoint: " + "word " * 80


@pytest.mark.parametrize("fields, why", [
    ({"status": 421}, "nothing serves it at dev.d1.localhost (127.0.0.1:1 answered 421 Misdirected Request: it "
                      "serves no site for that host name)"),
    ({"status": 404, "body": "Nothing serves branch dev of app d1 on this endpoint \n"},
     "nothing serves it at dev.d1.localhost (127.0.0.1:1 answered 404: Nothing serves branch dev of app d1 on this "
     "endpoint)"),
    ({"status": 404, "body": LONG}, "nothing serves it at dev.d1.localhost (127.0.0.1:1 answered 404: "
                                    + LONG[:297].rsplit(" ", 1)[0] + "...)"),
    ({"status": -1, "msg": "Status code was -1: [Errno -2] Name or service not known"},
     "its host name dev.d1.localhost does not resolve (not deployed, or no network; Status code was -1: [Errno -2] "
     "Name or service not known)"),
    ({"status": -1, "msg": "Status code was -1: [Errno 111] Connection refused"},
     "nothing listens at 127.0.0.1:1 (Status code was -1: [Errno 111] Connection refused)"),
    ({"status": -1, "msg": "Status code was -1: The read operation timed out"},
     "no answer from dev.d1.localhost within 5 s (Status code was -1: The read operation timed out)"),
    ({"status": -1, "msg": "Status code was -1: odd"}, "no answer from dev.d1.localhost (Status code was -1: odd)"),
    ({"status": -1}, "no answer from dev.d1.localhost (no answer)"),
])
def test_a_branch_nothing_serves_is_skipped_saying_why_or_failed_when_required(fields, why):
    status = fields.pop("status")
    skipped = image_judge([answer("dev", status, **fields)])
    get = "branch dev: GET http://dev.d1.localhost:1/api/image"
    assert skipped["problems"] == []
    assert skipped["skipped"] == [get + ": skipped, the branch does not answer: " + why
                                  + " (set verify_require_app_url to fail instead)"]
    required = image_judge([answer("dev", status, **fields)], require_app_url=True)
    assert required["problems"] == [
        get + ": the branch does not answer: " + why + ", and verify_require_app_url is true"]
    assert required["skipped"] == []


def test_the_compute_log_check_is_noted_as_skipped_where_the_get_was():
    answers = [answer("dev", 421), answer("main", -1)]
    assert image_judge(answers, compute_log=True)["skipped"][2:] == [
        "branch dev: compute log check skipped: nothing served its GET of /api/image (above)",
        "branch main: compute log check skipped: nothing served its GET of /api/image (above)"]
    assert len(image_judge(answers, compute_log=False)["skipped"]) == 2


def log(name, **fields):
    return dict(fields, item=answer(name, 200))


LINE = "[api/image] s3://b1/img.png: 200, 10 bytes"


@pytest.mark.parametrize("entry, problem, passed", [
    (log("dev", events=[{"message": "[api/image] other"}, {"message": LINE}], exists=True), None,
     'branch dev: GET http://dev.d1.localhost:1/api/image: compute log: the route logged "%s" (/aws/amplify/d1)'
     % LINE),
    (log("dev", msg="AccessDeniedException"),
     "branch dev: GET http://dev.d1.localhost:1/api/image: compute log: could not read /aws/amplify/d1 "
     "(CloudWatch Logs): AccessDeniedException", None),
    (log("dev", events=[], exists=False, attempts=21),
     "branch dev: no compute log line for GET http://dev.d1.localhost:1/api/image in /aws/amplify/d1 (CloudWatch "
     "Logs): expected a line of the route naming s3://b1/img.png after 2024-01-01T00:00:00Z (read 21 times); "
     "the log group does not exist", None),
    (log("dev", events=[{"message": "[api/image] s3://b1/other.png: 200"}, {"message": "[api/image] " + "x" * 300}],
         exists=True),
     "branch dev: no compute log line for GET http://dev.d1.localhost:1/api/image in /aws/amplify/d1 (CloudWatch "
     "Logs): expected a line of the route naming s3://b1/img.png after 2024-01-01T00:00:00Z (read 1 times); the "
     "route logged only: [api/image] s3://b1/other.png: 200 | [api/image]...", None),
    (log("dev", events=[], exists=True),
     "branch dev: no compute log line for GET http://dev.d1.localhost:1/api/image in /aws/amplify/d1 (CloudWatch "
     "Logs): expected a line of the route naming s3://b1/img.png after 2024-01-01T00:00:00Z (read 1 times); the "
     "branch logged no line of the route", None),
])
def test_each_compute_log_verdict(entry, problem, passed):
    verdict = judge(image_answers=[answer("dev", 200)], image_files=[{"stat": {}}], compute_logs=[entry],
                    get_started_ms=1704067200999)
    assert verdict["problems"] == ([] if problem is None else [problem])
    assert [p for p in verdict["passed"] if ": compute log: " in p] == ([] if passed is None else [passed])


def test_a_long_route_line_is_truncated_at_a_word():
    line = LINE + " " + "word " * 60
    verdict = judge(image_answers=[answer("dev", 200)], image_files=[{"stat": {}}],
                    compute_logs=[log("dev", events=[{"message": line}], exists=True)])
    said = re.search(r'the route logged "(.*)" \(', verdict["passed"][-1]).group(1)
    assert said.endswith("...") and len(said) <= 200 and line.startswith(said[:-3])


def test_the_truncation_keeps_text_up_to_five_characters_over():
    assert verify._truncate("a" * 205, 200) == "a" * 205
    assert verify._truncate("abc " * 60, 200) == ("abc " * 60)[:197].rsplit(" ", 1)[0] + "..."


@pytest.mark.parametrize("kwargs, message", [
    ({"bucket_info": []}, "bucket_info must be a mapping, got list"),
    ({"objects": {}}, "objects must be a list, got dict"),
    ({"compute_logs": ["x"]}, r"compute_logs\[0\] must be a mapping, got str"),
    ({"role_info": {"iam_roles": "r1"}}, "role_info.iam_roles must be a list, got str"),
])
def test_bad_input_to_the_verdict_is_refused(kwargs, message):
    with pytest.raises(AnsibleFilterError, match="^verify_verdict: " + message):
        judge(**kwargs)


# --- least privilege: verify_input_problems(role_policy=...) and verify_verdict(role_audit=...) ------------------
ROLE_POLICY = {"grants": [{"bucket": "site-private", "prefix": "img/", "access": "list"}],
               "managed_policies": ["AmazonS3ReadOnlyAccess"], "permissions_boundary": "",
               "source_account": "123456789012", "source_arn": "arn:aws:amplify:*:123456789012:apps/*",
               "inline_policies": {}}


def test_right_role_policy_variables_have_no_problem():
    assert verify_input_problems(NAMES, object_url_template=TEMPLATE, role_policy=ROLE_POLICY) == []
    assert verify_input_problems(NAMES, object_url_template=TEMPLATE, role_policy={}) == []


def test_each_wrong_role_policy_variable_is_named():
    problems = verify_input_problems(NAMES, object_url_template=TEMPLATE, role_policy={
        "grants": [{"bucket": "site-private", "prefix": "img/*"}], "managed_policies": ["not a name"],
        "permissions_boundary": "boundary", "source_account": "1", "source_arn": "arn:aws:s3:::x",
        "inline_policies": ["own"]})
    assert [p.split(":")[0] for p in problems] == [
        "verify_role_grants[0].prefix", "verify_role_managed_policies[0]", "verify_role_permissions_boundary",
        "verify_role_source_account", "verify_role_source_arn", "verify_role_inline_policies"]
    assert problems[-1] == "verify_role_inline_policies: must be a mapping of policy names to documents"


def test_a_role_policy_that_is_not_a_mapping_is_refused():
    with pytest.raises(AnsibleFilterError, match="^verify_input_problems: role_policy must be a mapping, got list"):
        verify_input_problems(NAMES, object_url_template=TEMPLATE, role_policy=[])


def audited(*findings, **expected):
    """A compute_role_audit result (fail_on=never) with these findings, each (kind, excess, message)."""
    found = [{"kind": kind, "excess": excess, "message": message} for kind, excess, message in findings]
    return {"changed": False, "failed": False, "exists": True, "compliant": not found, "findings": found,
            "expected": dict({"trust_conditions": {}, "inline_policies": {"r1-grants": {}},
                              "managed_policies": [], "permissions_boundary": None}, **expected)}


LEAST = ("IAM role r1: least privilege: trusts amplify.amazonaws.com only, with exactly the inline policies asked"
         " for (%s), the managed policies asked for (%s), and the boundary asked for (%s)")


def test_a_compliant_audit_passes_saying_what_was_proved():
    verdict = judge(role_audit=audited())
    assert verdict["problems"] == []
    assert verdict["passed"][2:4] == ["IAM role r1: trusts amplify.amazonaws.com, tagged",
                                      LEAST % ("r1-grants", "none", "not judged")]
    verdict = judge(role_audit=audited(inline_policies={"b": {}, "a": {}}, permissions_boundary="",
                                       managed_policies=["AmazonS3ReadOnlyAccess", "X"]))
    assert LEAST % ("a, b", "AmazonS3ReadOnlyAccess, X", "none") in verdict["passed"]
    boundary = "arn:aws:iam::123456789012:policy/boundary"
    assert LEAST % ("none", "none", boundary) in judge(role_audit=audited(
        inline_policies={}, permissions_boundary=boundary))["passed"]


def test_without_an_audit_nothing_is_judged_of_least_privilege():
    assert not [p for p in judge()["passed"] if "least privilege" in p]
    assert not [p for p in judge(role_audit={})["passed"] if "least privilege" in p]


def test_each_finding_is_a_problem_and_the_check_does_not_pass():
    verdict = judge(role_audit=audited(
        ("statement", True, "IAM role r1: inline policy r1-grants: Allow s3:* on * is beyond what is asked for"),
        ("managed_policy", False, "IAM role r1: managed policy X is not attached"),
        ("trust", True, "IAM role r1: trust policy statement 1: trusts AWS * besides amplify.amazonaws.com")))
    assert verdict["problems"] == [
        "IAM role r1: inline policy r1-grants: Allow s3:* on * is beyond what is asked for",
        "IAM role r1: managed policy X is not attached",
        "IAM role r1: trust policy statement 1: trusts AWS * besides amplify.amazonaws.com"]
    assert not [p for p in verdict["passed"] if "least privilege" in p]


def test_what_the_role_check_already_says_is_not_repeated():
    deny = {"Statement": [{"Effect": "Deny", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "*"}]}
    verdict = judge(role_info=good_role(assume_role_policy_document=deny), role_audit=audited(
        ("trust", False, "IAM role r1: its trust policy does not allow amplify.amazonaws.com to sts:AssumeRole"),
        ("role", False, "role: IAM role 'r1' does not exist in this account")))
    assert verdict["problems"] == [
        "IAM role r1: its trust policy does not allow amplify.amazonaws.com to sts:AssumeRole (trust policy: %s)"
        % json.dumps(deny)]
    # Nothing else found: least privilege holds for what the audit could judge.
    assert LEAST % ("r1-grants", "none", "not judged") in verdict["passed"]


def test_no_role_no_least_privilege_verdict():
    verdict = judge(role_info={"iam_roles": []}, role_audit=audited(("statement", True, "never shown")))
    assert "never shown" not in verdict["problems"]
    assert "IAM role r1: does not exist" in verdict["problems"]


@pytest.mark.parametrize("audit", [
    {"failed": True, "msg": "Failed to get IAM role r1: AccessDenied"},
    {"failed": False, "msg": "Failed to get IAM role r1: AccessDenied"},  # no findings: it did not run through
])
def test_a_failed_audit_is_a_problem_naming_why(audit):
    verdict = judge(role_audit=audit)
    assert verdict["problems"] == [
        "IAM role r1: the least-privilege audit failed: Failed to get IAM role r1: AccessDenied"]


def test_a_role_audit_that_is_not_a_mapping_is_refused():
    with pytest.raises(AnsibleFilterError, match="^verify_verdict: role_audit must be a mapping, got list"):
        judge(role_audit=[])


# --- the run-time resources: verify_input_problems(runtime_resources=...), verify_verdict(runtime_resources...) --
DECLARED = {"parameters": ["/demo/dev/greeting"], "secrets": ["demo/dev/api-key"], "tables": ["demo-dev-items"]}


def resources(**overrides):
    """A runtime_resources_info result: the DECLARED resources, all present and ours, with overrides by kind."""
    found = {
        "changed": False,
        "parameters": [{"name": "/demo/dev/greeting", "exists": True, "owned": True, "tags": OURS, "type": "String",
                        "arn": "arn:aws:ssm:us-east-1:123456789012:parameter/demo/dev/greeting"}],
        "secrets": [{"name": "demo/dev/api-key", "exists": True, "owned": True, "tags": dict(OURS, team="x"),
                     "pending_deletion": False,
                     "arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:demo/dev/api-key-AbCdEf"}],
        "tables": [{"name": "demo-dev-items", "exists": True, "owned": True, "tags": OURS, "status": "ACTIVE",
                    "arn": "arn:aws:dynamodb:us-east-1:123456789012:table/demo-dev-items"}],
        "foreign": [],
    }
    found.update(overrides)
    return found


def test_right_run_time_resource_and_logs_role_variables_have_no_problem():
    for logs_role in ("", "demo-us-east-1-logs", "arn:aws:iam::123456789012:role/service-role/my-logs"):
        assert verify_input_problems(NAMES, object_url_template=TEMPLATE, runtime_resources=DECLARED,
                                     logs_role=logs_role) == []
    assert verify_input_problems(NAMES, object_url_template=TEMPLATE,
                                 runtime_resources={"parameters": [], "secrets": None}) == []


@pytest.mark.parametrize("logs_role", ["my logs", "x" * 65, "arn:aws:iam::12345:role/x", "role/x",
                                       "arn:aws:s3:::bucket"])
def test_a_logs_role_that_is_neither_a_name_nor_a_role_arn_is_named(logs_role):
    assert verify_input_problems(NAMES, object_url_template=TEMPLATE, logs_role=logs_role) == [
        'verify_logs_role: must be "", an IAM role name or an IAM role ARN such as '
        "arn:aws:iam::123456789012:role/my-logs (got %r)" % logs_role]


def test_each_wrong_run_time_resource_name_is_named():
    problems = verify_input_problems(NAMES, object_url_template=TEMPLATE, runtime_resources={
        "parameters": ["/ok", "no//double"], "secrets": ["bad name!"], "tables": ["ab"]})
    assert [p.split(":")[0] for p in problems] == ["verify_parameters[1]", "verify_secrets[0]", "verify_tables[0]"]
    assert problems[1] == "verify_secrets[0]: 'bad name!' is not a secret name (1-512 letters, digits and /_+=.@-)"
    assert problems[2] == "verify_tables[0]: 'ab' is not a DynamoDB table name (3-255 letters, digits and _ . -)"


@pytest.mark.parametrize("kwargs, message", [
    ({"runtime_resources": []}, "runtime_resources must be a mapping, got list"),
    ({"runtime_resources": {"tables": [1]}}, r"runtime_resources.tables\[0\] must be a string, got int"),
])
def test_bad_run_time_resources_to_the_input_check_are_refused(kwargs, message):
    with pytest.raises(AnsibleFilterError, match="^verify_input_problems: " + message):
        verify_input_problems(NAMES, object_url_template=TEMPLATE, **kwargs)


def test_without_run_time_resources_there_is_no_check_and_the_count_is_as_before():
    before = judge()
    for declared in (None, {}, {"parameters": [], "secrets": [], "tables": []}):
        verdict = judge(runtime_resources=declared, runtime_resources_info={})
        assert verdict["passed"] == before["passed"] and verdict["problems"] == [] and verdict["skipped"] == []
        assert verdict["summary"]["runtime_resources"] == []


def test_run_time_resources_present_and_ours_pass_as_one_check():
    verdict = judge(runtime_resources=DECLARED, runtime_resources_info=resources())
    assert verdict["problems"] == []
    assert len(verdict["passed"]) == len(judge()["passed"]) + 1
    assert verdict["passed"][3] == ("run-time resources: 1 parameter(s), 1 secret(s), 1 table(s) present and tagged"
                                    " for dev")
    assert verdict["summary"]["runtime_resources"] == [
        {"kind": "parameter", "name": "/demo/dev/greeting", "exists": True},
        {"kind": "secret", "name": "demo/dev/api-key", "exists": True},
        {"kind": "table", "name": "demo-dev-items", "exists": True}]
    only_tables = judge(runtime_resources={"tables": ["demo-dev-items"]},
                        runtime_resources_info=resources(parameters=[], secrets=[]))
    assert "run-time resources: 0 parameter(s), 0 secret(s), 1 table(s) present and tagged for dev" \
        in only_tables["passed"]


def test_each_missing_foreign_or_deleted_run_time_resource_is_named():
    verdict = judge(
        runtime_resources={"parameters": ["/demo/dev/greeting", "/demo/dev/other"], "secrets": ["demo/dev/api-key"],
                           "tables": ["demo-dev-items"]},
        runtime_resources_info=resources(
            parameters=[{"name": "/demo/dev/greeting", "exists": False, "owned": False, "tags": {}},
                        {"name": "/demo/dev/other", "exists": True, "owned": False, "tags": {"team": "x"}}],
            secrets=[{"name": "demo/dev/api-key", "exists": True, "owned": True, "tags": OURS,
                      "pending_deletion": True}],
            tables=[{"name": "demo-dev-items", "exists": True, "owned": False,
                     "tags": {"managed-by": "amplify_hosting.ssr", "environment": "prod"}}]))
    assert verdict["problems"] == [
        "SSM parameter /demo/dev/greeting: does not exist",
        'SSM parameter /demo/dev/other: ownership tags are {}, expected '
        '{"managed-by": "amplify_hosting.ssr", "environment": "dev"}',
        "secret demo/dev/api-key: is scheduled for deletion",
        'DynamoDB table demo-dev-items: ownership tags are {"managed-by": "amplify_hosting.ssr", "environment": '
        '"prod"}, expected {"managed-by": "amplify_hosting.ssr", "environment": "dev"}',
    ]
    assert not [p for p in verdict["passed"] if p.startswith("run-time resources")]
    assert [r["exists"] for r in verdict["summary"]["runtime_resources"]] == [False, True, True, True]


@pytest.mark.parametrize("found, why", [
    ({"failed": True, "msg": "Failed to read the run-time resources of environment dev: AccessDenied"},
     "Failed to read the run-time resources of environment dev: AccessDenied"),
    ({}, "runtime_resources_info did not run"),
])
def test_run_time_resources_that_could_not_be_read_are_a_problem(found, why):
    verdict = judge(runtime_resources=DECLARED, runtime_resources_info=found)
    assert verdict["problems"] == ["run-time resources of dev: could not be read: " + why]


@pytest.mark.parametrize("kwargs, message", [
    ({"runtime_resources": ["x"]}, "runtime_resources must be a mapping, got list"),
    ({"runtime_resources": {"secrets": "x"}}, "runtime_resources.secrets must be a list, got str"),
    ({"runtime_resources": DECLARED, "runtime_resources_info": resources(tables=["x"])},
     r"runtime_resources_info.tables\[0\] must be a mapping, got str"),
    ({"logs_role_audit": []}, "logs_role_audit must be a mapping, got list"),
])
def test_bad_run_time_resources_or_logs_role_input_to_the_verdict_is_refused(kwargs, message):
    with pytest.raises(AnsibleFilterError, match="^verify_verdict: " + message):
        judge(**kwargs)


# --- the app's CloudWatch Logs service role: verify_targets(logs_role...) and verify_verdict(logs_role...) ------
LOGS_ROLE = "demo-us-east-1-logs"
LOGS_ARN = "arn:aws:iam::123456789012:role/" + LOGS_ROLE
APP_ARN = "arn:aws:amplify:us-east-1:123456789012:apps/d1"
LOGS_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
     "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/amplify/*"},
    {"Effect": "Allow", "Action": ["logs:DescribeLogGroups"], "Resource": "*"}]}


def logs_role_found(arn=LOGS_ARN):
    return {"iam_roles": [{"arn": arn, "role_name": arn.rsplit("/", 1)[-1], "assume_role_policy_document": TRUST}]}


@pytest.mark.parametrize("logs_role, found, app, name, policies", [
    ("", logs_role_found(), dict(APP, app_arn=APP_ARN), "", {}),
    # A role of the user's (an ARN): only compared with the app's, never read.
    (LOGS_ARN, logs_role_found(), dict(APP, app_arn=APP_ARN), "", {}),
    # By name: read first; the policy once the role's ARN (partition, account) and the app's region are known.
    (LOGS_ROLE, {}, dict(APP, app_arn=APP_ARN), LOGS_ROLE, {}),
    (LOGS_ROLE, {"skipped": True}, dict(APP, app_arn=APP_ARN), LOGS_ROLE, {}),
    (LOGS_ROLE, logs_role_found(), APP, LOGS_ROLE, {}),
    (LOGS_ROLE, logs_role_found(), dict(APP, app_arn=APP_ARN), LOGS_ROLE, {LOGS_ROLE + "-logs": LOGS_POLICY}),
    (LOGS_ROLE, logs_role_found("arn:aws-cn:iam::210987654321:role/path/" + LOGS_ROLE),
     dict(APP, app_arn="arn:aws-cn:amplify:cn-north-1:210987654321:apps/d1"), LOGS_ROLE,
     {LOGS_ROLE + "-logs": {"Version": "2012-10-17", "Statement": [
         dict(LOGS_POLICY["Statement"][0],
              Resource="arn:aws-cn:logs:cn-north-1:210987654321:log-group:/aws/amplify/*"),
         LOGS_POLICY["Statement"][1]]}}),
])
def test_which_logs_role_is_read_and_the_policy_it_must_hold(logs_role, found, app, name, policies):
    targets = verify_targets("demo", apps=[app], logs_role=logs_role, logs_role_info=found)
    assert targets["logs_role_name"] == name
    assert targets["logs_role_policies"] == policies


def test_no_logs_policy_is_expected_before_the_app_is_found():
    targets = verify_targets("other", apps=[dict(APP, app_arn=APP_ARN)], logs_role=LOGS_ROLE,
                             logs_role_info=logs_role_found())
    assert targets["app_id"] == "" and targets["logs_role_policies"] == {}


def logs_audited(*findings):
    """A compute_role_audit result for the logs role with these findings, each (kind, excess, message)."""
    return dict(audited(*findings), expected={"trust_conditions": {}, "inline_policies": {LOGS_ROLE + "-logs": {}},
                                              "managed_policies": [], "permissions_boundary": None})


LOGS_LABEL = "app demo (d1): CloudWatch Logs service role (iamServiceRoleArn)"
LOGS_PASSED = ("%s is %s: trusts amplify.amazonaws.com only, with exactly the inline policy %s-logs and no managed"
               " policy" % (LOGS_LABEL, LOGS_ARN, LOGS_ROLE))


def logs_judge(service_role=LOGS_ARN, logs_role=LOGS_ROLE, found=None, audit=None, **app):
    application = dict(dict(APP, compute_role_arn=ROLE_ARN, app_arn=APP_ARN), **app)
    if service_role is not None:
        application["iam_service_role_arn"] = service_role
    return judge(apps=[application], logs_role=logs_role, logs_role_info=logs_role_found() if found is None else found,
                 logs_role_audit=logs_audited() if audit is None else audit)


def test_without_a_logs_role_there_is_no_check():
    assert logs_judge(logs_role="")["passed"] == judge()["passed"]


def test_the_app_with_its_logs_role_as_made_passes_as_one_check():
    verdict = logs_judge()
    assert verdict["problems"] == []
    assert verdict["passed"] == judge()["passed"][:3] + [LOGS_PASSED] + judge()["passed"][3:]
    assert verdict["summary"]["app_service_role_arn"] == LOGS_ARN


@pytest.mark.parametrize("service_role, said", [
    (None, "not set"), ("", "not set"),
    ("arn:aws:iam::123456789012:role/other", "arn:aws:iam::123456789012:role/other")])
def test_an_app_with_another_service_role_or_none_fails(service_role, said):
    verdict = logs_judge(service_role=service_role)
    assert verdict["problems"] == ["%s is %s, expected %s" % (LOGS_LABEL, said, LOGS_ARN)]
    assert LOGS_PASSED not in verdict["passed"]


def test_a_widened_logs_role_fails_naming_each_excess():
    verdict = logs_judge(audit=logs_audited(
        ("role", False, "role: never repeated"),
        ("inline_policy", True, "IAM role %s: inline policy extra is not one asked for" % LOGS_ROLE),
        ("managed_policy", True, "IAM role %s: managed policy arn:aws:iam::aws:policy/AdministratorAccess is "
                                 "attached and not asked for" % LOGS_ROLE),
        ("trust", True,
         "IAM role %s: trust policy statement 1: trusts AWS * besides amplify.amazonaws.com" % LOGS_ROLE),
        ("statement", False, "IAM role %s: inline policy %s-logs: Allow logs:PutLogEvents on ... is missing"
         % (LOGS_ROLE, LOGS_ROLE))))
    assert verdict["problems"] == [
        "IAM role %s: inline policy extra is not one asked for" % LOGS_ROLE,
        "IAM role %s: managed policy arn:aws:iam::aws:policy/AdministratorAccess is attached and not asked for"
        % LOGS_ROLE,
        "IAM role %s: trust policy statement 1: trusts AWS * besides amplify.amazonaws.com" % LOGS_ROLE,
        "IAM role %s: inline policy %s-logs: Allow logs:PutLogEvents on ... is missing" % (LOGS_ROLE, LOGS_ROLE)]
    assert LOGS_PASSED not in verdict["passed"]


@pytest.mark.parametrize("audit, why", [
    ({"failed": True, "msg": "Failed to read the policies of IAM role x"}, "Failed to read the policies of IAM role x"),
    ({}, "it did not run"),
])
def test_a_failed_logs_role_audit_is_a_problem(audit, why):
    assert logs_judge(audit=audit)["problems"] == [
        "IAM role %s: the least-privilege audit of the app's CloudWatch Logs service role failed: %s"
        % (LOGS_ROLE, why)]


def test_a_missing_logs_role_fails_and_says_when_the_app_has_another():
    assert logs_judge(found={"iam_roles": []})["problems"] == [
        "IAM role %s (the app's CloudWatch Logs service role): does not exist" % LOGS_ROLE]
    assert logs_judge(found={"iam_roles": []}, service_role="")["problems"] == [
        "IAM role %s (the app's CloudWatch Logs service role): does not exist" % LOGS_ROLE,
        "%s is not set, expected the role %s" % (LOGS_LABEL, LOGS_ROLE)]


def test_an_app_without_its_arn_cannot_have_its_logs_role_audited():
    verdict = logs_judge(app_arn="")
    assert verdict["problems"] == ["IAM role %s (the app's CloudWatch Logs service role): not audited: the app's "
                                   "region is unknown (its ARN is not known)" % LOGS_ROLE]


def test_a_logs_role_of_ones_own_is_only_compared_with_the_app():
    own = "arn:aws:iam::123456789012:role/service-role/my-logs"
    # Neither read nor audited: what was registered for them does not count.
    verdict = logs_judge(service_role=own, logs_role=own, found={"skipped": True}, audit={"skipped": True})
    assert verdict["problems"] == []
    assert "%s is %s (a role of your own: not audited)" % (LOGS_LABEL, own) in verdict["passed"]
    assert logs_judge(service_role=LOGS_ARN, logs_role=own)["problems"] == [
        "%s is %s, expected %s" % (LOGS_LABEL, LOGS_ARN, own)]


def test_no_app_no_logs_role_verdict():
    verdict = judge(apps=[], logs_role=LOGS_ROLE, logs_role_info=logs_role_found(), logs_role_audit=logs_audited())
    assert verdict["problems"] == ["Amplify app demo: not found (neither an app id nor an app name)"]
    assert not [p for p in verdict["passed"] if "CloudWatch Logs service role" in p]
