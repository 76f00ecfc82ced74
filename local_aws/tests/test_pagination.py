"""ListApps, ListBranches and ListJobs page with nextToken/maxResults within the real page limits."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from helpers import assert_error, error_of


@dataclass
class Listing:
    method: str      # boto3 method
    member: str      # the list in the output
    key: str         # what identifies an item
    page_limit: int  # the model's maxResults maximum
    params: dict     # the listing's own input (appId, branchName)
    expected: list   # every item's key, in listing order


def _apps(amplify, make_app, make_repo_app, control):
    control.configure(apps_per_region=200)
    ids = [make_app(f"app-{i}")["appId"] for i in range(105)]
    return Listing("list_apps", "apps", "appId", 100, {}, ids)


def _branches(amplify, make_app, make_repo_app, control):
    control.configure(branches_per_app=60)
    app_id = make_app()["appId"]
    names = [amplify.create_branch(appId=app_id, branchName=f"b{i}")["branch"]["branchName"] for i in range(55)]
    return Listing("list_branches", "branches", "branchName", 50, {"appId": app_id}, names)


def _jobs(amplify, make_app, make_repo_app, control):
    app_id = make_repo_app()["appId"]
    amplify.create_branch(appId=app_id, branchName="main")
    params = {"appId": app_id, "branchName": "main"}
    ids = [amplify.start_job(**params, jobType="RELEASE")["jobSummary"]["jobId"] for _ in range(55)]
    return Listing("list_jobs", "jobSummaries", "jobId", 50, params, ids[::-1])  # newest first


@pytest.fixture(params=[_apps, _branches, _jobs], ids=["apps", "branches", "jobs"])
def listing(request, amplify, make_app, make_repo_app, control) -> Listing:
    return request.param(amplify, make_app, make_repo_app, control)


def walk(amplify, listing: Listing, **extra) -> list[list[str]]:
    """Follow nextToken to the end; return each page's keys."""
    pages, token = [], None
    while True:
        page = getattr(amplify, listing.method)(**listing.params, **extra, **({"nextToken": token} if token else {}))
        pages.append([item[listing.key] for item in page[listing.member]])
        token = page.get("nextToken")
        if not token:
            return pages


def test_default_pages_are_the_page_limit(amplify, listing):
    pages = walk(amplify, listing)
    assert [len(p) for p in pages] == [listing.page_limit, len(listing.expected) - listing.page_limit]
    assert [key for page in pages for key in page] == listing.expected


@pytest.mark.parametrize("max_results", [1, 7, 50])
def test_max_results_pages_cover_everything_once(amplify, listing, max_results):
    pages = walk(amplify, listing, maxResults=max_results)
    assert all(len(p) == max_results for p in pages[:-1]) and 0 < len(pages[-1]) <= max_results
    keys = [key for page in pages for key in page]
    assert len(keys) == len(set(keys))
    assert keys == listing.expected


def test_max_results_above_the_model_maximum_is_refused(amplify, listing):
    error = error_of(getattr(amplify, listing.method), **listing.params, maxResults=listing.page_limit + 1)
    assert_error(error, "BadRequestException",
                 "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: "
                 "Member must have value less than or equal to %d" % (listing.page_limit + 1, listing.page_limit))


def test_the_model_maximum_itself_is_accepted(amplify, listing):
    pages = walk(amplify, listing, maxResults=listing.page_limit)
    assert len(pages[0]) == listing.page_limit


def test_boto3_paginator(amplify, listing):
    paginator = amplify.get_paginator(listing.method)
    pages = list(paginator.paginate(**listing.params, PaginationConfig={"PageSize": 20}))
    total = len(listing.expected)
    assert [len(p[listing.member]) for p in pages] == [min(20, total - start) for start in range(0, total, 20)]
    keys = [item[listing.key] for page in pages for item in page[listing.member]]
    assert keys == listing.expected
    everything = paginator.paginate(**listing.params).build_full_result()
    assert [item[listing.key] for item in everything[listing.member]] == listing.expected
