# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The bucket_upload role's filters: full prefixes, the input checks and their order, missing sources, the
failure message naming the source, and the per-source results."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.amplify_hosting.ssr.plugins.filter.bucket_upload import (
    FilterModule,
    bucket_upload_failure,
    bucket_upload_missing,
    bucket_upload_plan,
    bucket_upload_results,
)

GOOD = {"bucket": "demo-dev-private", "environment": "dev"}


def plan(sources, **options):
    return bucket_upload_plan(sources, **dict(GOOD, **options))


def test_the_role_finds_every_filter_by_name():
    assert sorted(FilterModule().filters()) == [
        "bucket_upload_failure", "bucket_upload_missing", "bucket_upload_plan", "bucket_upload_results"]


@pytest.mark.parametrize("prefix, own, full", [
    ("", "", ""),
    ("", None, ""),
    ("web", "", "web/"),
    ("", "static", "static/"),
    ("web", "static", "web/static/"),
    ("/web/", "/static//", "web/static/"),
    ("//", "///", ""),
    ("a/b", "c/d/", "a/b/c/d/"),
])
def test_a_full_prefix_joins_the_role_prefix_and_the_source_prefix_without_outer_slashes(prefix, own, full):
    source = {"src": "/site"} if own is None else {"src": "/site", "prefix": own}
    assert plan([source], prefix=prefix)["prefixes"] == [full]


def test_good_inputs_have_no_problem():
    result = plan([{"src": "/a", "prefix": "a"}, {"src": "/b", "prefix": "b"}], delete=True, encryption="aws:kms",
                  kms_key_id="alias/site", concurrency=64)
    assert result == {"prefixes": ["a/", "b/"], "nested": [], "problem": ""}


@pytest.mark.parametrize("options, problem", [
    ({"bucket": ""}, "bucket_upload_bucket must not be empty"),
    ({"environment": ""}, "bucket_upload_environment must not be empty"),
    ({"kms_key_id": "alias/site"}, "bucket_upload_kms_key_id is only for bucket_upload_encryption aws:kms"),
    ({"kms_key_id": "alias/site", "encryption": "AES256"}, "bucket_upload_kms_key_id is only for bucket_upload_encryption aws:kms"),
    ({"concurrency": 0}, "bucket_upload_concurrency must be between 1 and 64, not 0"),
    ({"concurrency": 65}, "bucket_upload_concurrency must be between 1 and 64, not 65"),
    ({"concurrency": "9x"}, "bucket_upload_concurrency must be between 1 and 64, not 9x"),
])
def test_each_problem_has_its_message(options, problem):
    assert plan([{"src": "/site"}], **options)["problem"] == problem


def test_no_source_is_a_problem():
    assert plan([])["problem"] == "bucket_upload_sources must list at least one source"


def test_the_first_problem_in_the_order_of_the_options_is_the_one_named():
    result = bucket_upload_plan([], bucket="", environment="", kms_key_id="k", concurrency=0)
    assert result["problem"] == "bucket_upload_bucket must not be empty"
    result = bucket_upload_plan([], bucket="b", environment="", kms_key_id="k", concurrency=0)
    assert result["problem"] == "bucket_upload_environment must not be empty"
    result = bucket_upload_plan([{"src": "/a"}], bucket="b", environment="e", kms_key_id="k", concurrency=0)
    assert result["problem"] == "bucket_upload_kms_key_id is only for bucket_upload_encryption aws:kms"


NESTED = [{"src": "/site", "prefix": "web"}, {"src": "/extra", "prefix": "web/extra"}, {"src": "/other", "prefix": "other"}]


def test_nested_prefixes_are_named_inner_under_outer():
    result = plan(NESTED)
    assert result["nested"] == ["/extra (prefix 'web/extra/') is under /site (prefix 'web/')"]
    # Without delete they do not fight: no problem.
    assert result["problem"] == ""


@pytest.mark.parametrize("delete", [True, "yes", "true", 1])
def test_nested_prefixes_with_delete_are_a_problem(delete):
    assert plan(NESTED, delete=delete)["problem"] == (
        "bucket_upload_sources: with bucket_upload_delete each source needs its own prefix, but "
        "/extra (prefix 'web/extra/') is under /site (prefix 'web/')")


def test_equal_prefixes_are_named_once_the_later_under_the_earlier():
    result = plan([{"src": "/one", "prefix": "p/"}, {"src": "/two", "prefix": "/p"}], delete=True)
    assert result["nested"] == ["/two (prefix 'p/') is under /one (prefix 'p/')"]


def test_the_root_prefix_holds_every_other_and_all_pairs_are_named():
    sources = [{"src": "/a", "prefix": "x/y"}, {"src": "/root"}, {"src": "/b", "prefix": "x"}]
    assert plan(sources, delete=True)["nested"] == [
        "/a (prefix 'x/y/') is under /root (prefix '')",
        "/b (prefix 'x/') is under /root (prefix '')",
        "/a (prefix 'x/y/') is under /b (prefix 'x/')",
    ]


def test_prefixes_compare_by_whole_segments_as_they_end_in_a_slash():
    # "web2/" does not start with "web/": not nested.
    assert plan([{"src": "/a", "prefix": "web"}, {"src": "/b", "prefix": "web2"}])["nested"] == []


@pytest.mark.parametrize("sources", ["/site", {"src": "/site"}, ["/site"], None])
def test_sources_that_are_not_a_list_of_mappings_are_refused(sources):
    with pytest.raises(AnsibleFilterError, match="bucket_upload_plan"):
        bucket_upload_plan(sources, **GOOD)


def stat(src, exists=True, isreg=False, isdir=False):
    found = {"exists": exists}
    if exists:
        found.update(isreg=isreg, isdir=isdir)
    return {"bucket_upload_source": {"src": src}, "stat": found}


def test_missing_sources_are_named_by_index_and_path():
    stats = [stat("/file", isreg=True), stat("/nowhere", exists=False), stat("/dir", isdir=True), stat("/dev/null")]
    assert bucket_upload_missing(stats) == [
        "bucket_upload_sources[1].src: /nowhere does not exist",
        "bucket_upload_sources[3].src: /dev/null is neither a file nor a directory",
    ]


def test_sources_that_all_exist_are_not_missing():
    assert bucket_upload_missing([stat("/file", isreg=True), stat("/dir", isdir=True)]) == []


def run(index, src, failed=False, msg="", **result):
    found = {"bucket_upload_index": index, "bucket_upload_source": {"src": src}, "failed": failed, **result}
    if msg:
        found["msg"] = msg
    return found


def test_a_failed_upload_names_the_source_by_index():
    failed = {"msg": "One or more items failed", "results": [
        run(0, "/site"),
        run(1, "/logo.png", failed=True, msg="AccessDenied: PutObject"),
        run(2, "/gone", failed=True, msg="src: /gone does not exist"),
    ]}
    assert bucket_upload_failure(failed) == (
        "bucket_upload_sources[1].src /logo.png: AccessDenied: PutObject; "
        "bucket_upload_sources[2].src: /gone does not exist")


def test_a_failure_without_failed_items_keeps_its_own_message():
    assert bucket_upload_failure({"msg": "the loop could not be templated"}) == "the loop could not be templated"
    assert bucket_upload_failure({"msg": "x", "results": [run(0, "/site")]}) == "x"
    assert bucket_upload_failure({}) == "the upload failed"


def test_the_failure_filter_needs_the_failed_result():
    with pytest.raises(AnsibleFilterError, match="bucket_upload_failure"):
        bucket_upload_failure(["not", "a", "result"])


def test_the_results_keep_each_source_and_what_it_did():
    runs = [run(0, "/site", prefix="web/", uploaded=["web/a"], deleted=[], unchanged=["web/b"], changed=True),
            run(1, "/logo.png", prefix="", uploaded=[], deleted=["old"], unchanged=["logo.png"])]
    assert bucket_upload_results(runs) == [
        {"src": "/site", "prefix": "web/", "uploaded": ["web/a"], "deleted": [], "unchanged": ["web/b"]},
        {"src": "/logo.png", "prefix": "", "uploaded": [], "deleted": ["old"], "unchanged": ["logo.png"]},
    ]
