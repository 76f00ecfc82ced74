"""ListObjectVersions pages as S3 does (moto_patches.page_object_versions_as_s3_does): at most 1000 entries a
page, every version and delete marker exactly once when NextKeyMarker/NextVersionIdMarker are followed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import chain

import pytest
from helpers import error_of


def _versioned_bucket(s3, name):
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})


def _put_versions(s3, bucket, keys, versions_each):
    """Each key written versions_each times, in parallel across keys; returns {key: [version ids, oldest first]}."""

    def put(key):
        return key, [s3.put_object(Bucket=bucket, Key=key, Body=b"%d" % n)["VersionId"] for n in range(versions_each)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        return dict(pool.map(put, keys))


def _walk(s3, bucket, **params):
    """Follow IsTruncated with NextKeyMarker/NextVersionIdMarker; every page as the client received it."""
    pages, markers = [], {}
    while True:
        page = s3.list_object_versions(Bucket=bucket, **params, **markers)
        pages.append(page)
        if not page["IsTruncated"]:
            return pages
        assert page.get("NextKeyMarker"), page
        markers = {"KeyMarker": page["NextKeyMarker"]}
        if page.get("NextVersionIdMarker"):
            markers["VersionIdMarker"] = page["NextVersionIdMarker"]
        assert len(pages) < 100, "the listing does not end"


def _entries(page):
    """(key, version id, delete marker?) of a page's versions and delete markers: by key, each key's delete
    markers (in this file always its newest entries) before its versions, each list in the order listed."""
    listed = [(m["Key"], m["VersionId"], True) for m in page.get("DeleteMarkers", [])]
    listed += [(v["Key"], v["VersionId"], False) for v in page.get("Versions", [])]
    return sorted(listed, key=lambda entry: entry[0])  # stable: each key's versions stay newest first


@pytest.fixture()
def fast_s3(make_client):
    return make_client("s3", max_pool_connections=20)


def test_more_than_1000_versions_page_by_1000_and_every_version_is_listed_once(fast_s3):
    s3 = fast_s3
    _versioned_bucket(s3, "many-versions")
    keys = [f"object-{i:04d}" for i in range(600)]
    written = _put_versions(s3, "many-versions", keys, 2)
    # A delete marker on every 100th key: 1206 entries in all.
    markers = {key: s3.delete_object(Bucket="many-versions", Key=key)["VersionId"] for key in keys[::100]}

    for params in ({}, {"MaxKeys": 5000}, {"MaxKeys": 1000}):
        pages = _walk(s3, "many-versions", **params)
        assert [len(_entries(p)) for p in pages] == [1000, 206], params
        assert all(p["MaxKeys"] in (1000, params.get("MaxKeys")) for p in pages)
        listed = [entry for page in pages for entry in _entries(page)]
        expected = []
        for key in keys:
            expected += [(key, markers[key], True)] if key in markers else []
            expected += [(key, version, False) for version in reversed(written[key])]
        assert listed == expected, params


def test_small_pages_resume_after_the_markers_in_the_middle_of_a_key(s3):
    _versioned_bucket(s3, "small-pages")
    written = {key: [s3.put_object(Bucket="small-pages", Key=key, Body=b"x")["VersionId"] for _ in range(3)]
               for key in ("a", "b", "c")}
    expected = [(key, version, False) for key in ("a", "b", "c") for version in reversed(written[key])]
    for size in (1, 2, 4, 8, 9, 10):
        pages = _walk(s3, "small-pages", MaxKeys=size)
        assert all(len(_entries(p)) <= size for p in pages)
        assert [entry for page in pages for entry in _entries(page)] == expected, size
        assert len(pages) == -(-9 // size), (size, len(pages))
    # Exactly one version of each key is the latest: the last one written.
    versions = s3.list_object_versions(Bucket="small-pages")["Versions"]
    assert sorted((v["Key"], v["VersionId"]) for v in versions if v["IsLatest"]) == [
        (key, written[key][-1]) for key in ("a", "b", "c")]


def test_a_page_ends_with_its_last_entry_as_the_next_markers(s3):
    _versioned_bucket(s3, "next-markers")
    written = {key: [s3.put_object(Bucket="next-markers", Key=key, Body=b"x")["VersionId"] for _ in range(2)]
               for key in ("a", "b")}
    page = s3.list_object_versions(Bucket="next-markers", MaxKeys=3)
    assert page["IsTruncated"] is True
    assert (page["NextKeyMarker"], page["NextVersionIdMarker"]) == ("b", written["b"][1])
    last = s3.list_object_versions(Bucket="next-markers", MaxKeys=3, KeyMarker="b", VersionIdMarker=written["b"][1])
    assert _entries(last) == [("b", written["b"][0], False)]
    assert last["IsTruncated"] is False and "NextKeyMarker" not in last


def test_a_key_marker_alone_starts_after_every_version_of_that_key(s3):
    _versioned_bucket(s3, "key-marker")
    written = {key: [s3.put_object(Bucket="key-marker", Key=key, Body=b"x")["VersionId"] for _ in range(2)]
               for key in ("a", "c")}
    after_a = s3.list_object_versions(Bucket="key-marker", KeyMarker="a")
    assert _entries(after_a) == [("c", written["c"][1], False), ("c", written["c"][0], False)]
    # A marker key that does not exist (deleted between pages): the next key is listed whole.
    after_b = s3.list_object_versions(Bucket="key-marker", KeyMarker="b")
    assert _entries(after_b) == _entries(after_a)


def test_a_version_marker_that_is_gone_resumes_after_its_key_not_at_the_end(s3):
    _versioned_bucket(s3, "gone-marker")
    written = {key: [s3.put_object(Bucket="gone-marker", Key=key, Body=b"x")["VersionId"] for _ in range(2)]
               for key in ("a", "b")}
    page = s3.list_object_versions(Bucket="gone-marker", MaxKeys=1)
    assert (page["NextKeyMarker"], page["NextVersionIdMarker"]) == ("a", written["a"][1])
    # That version is deleted before the next page is read: the listing goes on with the next key.
    s3.delete_object(Bucket="gone-marker", Key="a", VersionId=written["a"][1])
    rest = s3.list_object_versions(Bucket="gone-marker", KeyMarker="a", VersionIdMarker=written["a"][1])
    assert _entries(rest) == [("b", written["b"][1], False), ("b", written["b"][0], False)]


def test_a_version_marker_needs_a_key_marker(s3):
    _versioned_bucket(s3, "lonely-marker")
    error = error_of(s3.list_object_versions, Bucket="lonely-marker", VersionIdMarker="some-version")
    assert error["Error"]["Code"] == "InvalidArgument"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_an_unversioned_bucket_pages_with_the_null_version(s3):
    s3.create_bucket(Bucket="unversioned")
    for key in ("a", "b", "c"):
        s3.put_object(Bucket="unversioned", Key=key, Body=b"x")
    pages = _walk(s3, "unversioned", MaxKeys=2)
    assert [entry for page in pages for entry in _entries(page)] == [(k, "null", False) for k in ("a", "b", "c")]
    assert pages[0]["NextVersionIdMarker"] == "null"


def test_common_prefixes_count_as_one_entry_and_are_listed_once(s3):
    _versioned_bucket(s3, "prefixes")
    for key in ("a.txt", "logs/1", "logs/2", "logs/3", "site/index.html", "z.txt"):
        s3.put_object(Bucket="prefixes", Key=key, Body=b"x")
    pages = _walk(s3, "prefixes", Delimiter="/", MaxKeys=2)
    listed = [[c["Prefix"] for c in p.get("CommonPrefixes", [])] + [k for k, _v, _m in _entries(p)] for p in pages]
    assert sorted(chain.from_iterable(listed)) == ["a.txt", "logs/", "site/", "z.txt"]
    assert all(len(page) <= 2 for page in listed)
    assert pages[0]["NextKeyMarker"] == "logs/" and "NextVersionIdMarker" not in pages[0]
