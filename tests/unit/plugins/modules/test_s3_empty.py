# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""s3_empty without AWS: which versions are ours, the refusal (20 keys and a count), batches of at most 1000,
tag reads by version, and the input checks."""

import botocore.exceptions
import pytest

from ansible_collections.amplify_hosting.ssr.plugins.modules import s3_empty as module

OURS = {"managed-by": "amplify_hosting.ssr", "environment": "dev"}


def entry(key, version, marker=False):
    return module.Entry(key, version, marker)


def plain(entries):
    return [(e.key, e.version_id, e.delete_marker) for e in entries]


def params(**overrides):
    base = {"bucket": "b1", "owned_tags": dict(OURS), "force": False, "concurrency": 8}
    base.update(overrides)
    return base


# --- input -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("overrides, message", [
    ({"owned_tags": {}}, "owned_tags: required (the tags that make an object version yours) unless force=true"),
    ({"owned_tags": {"environment": 1}}, "owned_tags: the value of environment must be a string, not 1"),
    ({"concurrency": 0}, "concurrency: must be between 1 and 64, not 0"),
    ({"concurrency": 65}, "concurrency: must be between 1 and 64, not 65"),
])
def test_bad_input_names_the_option(overrides, message):
    with pytest.raises(module.EmptyError) as e:
        module.check_params(params(**overrides))
    assert str(e.value) == message


def test_force_needs_no_owned_tags():
    assert module.check_params(params(owned_tags={}, force=True)) is None


# --- the listing ---------------------------------------------------------------------------------------------
def test_entries_of_every_page_sorted_by_key_keeping_each_keys_order():
    pages = [
        {"Versions": [{"Key": "b", "VersionId": "b2"}, {"Key": "b", "VersionId": "b1"}],
         "DeleteMarkers": [{"Key": "a", "VersionId": "am"}]},
        {"Versions": [{"Key": "c", "VersionId": "null"}]},
        {},  # an empty bucket's page has neither list
    ]
    assert plain(module.entries_of(pages)) == [("a", "am", True), ("b", "b2", False), ("b", "b1", False),
                                               ("c", "null", False)]


class FakePaginator:
    def __init__(self, pages):
        self.pages = pages
        self.calls = []

    def paginate(self, **kwargs):
        self.calls.append(kwargs)
        return iter(self.pages)


class FakeClient:
    """get_object_tagging from {(key, version): tags or an error code}; delete_objects records each batch and
    answers the Errors given per batch."""

    def __init__(self, tags=None, pages=None, delete_errors=None):
        self.tags = tags or {}
        self.paginator = FakePaginator(pages or [])
        self.delete_errors = list(delete_errors or [])
        self.tag_reads = []
        self.batches = []

    def get_paginator(self, name):
        assert name == "list_object_versions"
        return self.paginator

    def get_object_tagging(self, Bucket, Key, VersionId):
        self.tag_reads.append((Bucket, Key, VersionId))
        found = self.tags[(Key, VersionId)]
        if isinstance(found, str):
            raise botocore.exceptions.ClientError({"Error": {"Code": found, "Message": found}}, "GetObjectTagging")
        return {"TagSet": [{"Key": k, "Value": v} for k, v in found.items()]}

    def delete_objects(self, Bucket, Delete):
        self.batches.append((Bucket, Delete["Quiet"], [(o["Key"], o["VersionId"]) for o in Delete["Objects"]]))
        return {"Errors": self.delete_errors.pop(0)} if self.delete_errors else {}


def test_list_versions_reads_every_page_of_the_bucket():
    client = FakeClient(pages=[{"Versions": [{"Key": "k%d" % i, "VersionId": "v"} for i in range(1000)]},
                               {"Versions": [{"Key": "z", "VersionId": "v"}]}])
    assert len(module.list_versions(client, "b1")) == 1001
    assert client.paginator.calls == [{"Bucket": "b1"}]


def test_tags_are_read_for_each_version_not_for_delete_markers_and_a_version_gone_meanwhile_is_left_out():
    client = FakeClient(tags={("a", "v2"): OURS, ("a", "v1"): {}, ("b", "null"): "NoSuchVersion",
                              ("c", "null"): "NoSuchKey"})
    entries = [entry("a", "v2"), entry("a", "v1"), entry("a", "m", True), entry("b", "null"), entry("c", "null")]
    assert module.read_tags(client, "b1", entries, 4) == {("a", "v2"): OURS, ("a", "v1"): {}}
    assert sorted(client.tag_reads) == [("b1", "a", "v1"), ("b1", "a", "v2"), ("b1", "b", "null"),
                                        ("b1", "c", "null")]


def test_a_tag_read_that_is_refused_is_raised():
    client = FakeClient(tags={("a", "v1"): "AccessDenied"})
    with pytest.raises(botocore.exceptions.ClientError):
        module.read_tags(client, "b1", [entry("a", "v1")], 2)


# --- the judgement -------------------------------------------------------------------------------------------
def test_ours_alone_are_deleted_with_the_delete_markers():
    entries = [entry("a", "v2"), entry("a", "v1"), entry("a", "m", True), entry("gone-only", "m2", True)]
    tags = {("a", "v2"): dict(OURS, extra="kept"), ("a", "v1"): OURS}
    doomed, refused, count = module.judge(entries, tags, OURS, force=False)
    assert plain(doomed) == plain(entries) and refused == [] and count == 0


@pytest.mark.parametrize("foreign_tags", [{}, {"managed-by": "amplify_hosting.ssr", "environment": "staging"},
                                          {"environment": "dev"}, {"managed-by": "someone-else", "environment": "dev"}])
def test_any_version_not_ours_refuses_everything(foreign_tags):
    entries = [entry("a", "v1"), entry("by-hand", "v1"), entry("by-hand", "v0"), entry("z", "m", True)]
    tags = {("a", "v1"): OURS, ("by-hand", "v1"): OURS, ("by-hand", "v0"): foreign_tags}
    doomed, refused, count = module.judge(entries, tags, OURS, force=False)
    # One old version of a key without the tags is enough: nothing is deleted.
    assert doomed == [] and refused == ["by-hand"] and count == 1


def test_force_deletes_everything_whatever_its_tags():
    entries = [entry("a", "v1"), entry("by-hand", "v1"), entry("z", "m", True)]
    doomed, refused, count = module.judge(entries, {}, {}, force=True)
    assert plain(doomed) == plain(entries) and refused == [] and count == 0


def test_a_version_gone_before_its_tags_were_read_is_not_deleted_nor_refused():
    entries = [entry("a", "v1"), entry("b", "v1")]
    doomed, refused, _count = module.judge(entries, {("a", "v1"): OURS}, OURS, force=False)
    assert plain(doomed) == [("a", "v1", False)] and refused == []


@pytest.mark.parametrize("count, named, tail", [(1, 1, ""), (20, 20, ""), (21, 20, " and 1 more"),
                                                (1500, 20, " and 1480 more")])
def test_the_refusal_names_the_first_20_keys_and_the_count(count, named, tail):
    keys = ["k%04d" % i for i in range(count)]
    message = module.refusal("b1", keys, count + 1, OURS)
    assert message == (
        "bucket b1 holds %d object(s) without the tags managed-by=amplify_hosting.ssr, environment=dev (%d version(s)):"
        " %s%s. Nothing was deleted; delete them first, or use force=true to delete every object version."
        % (count, count + 1, ", ".join(keys[:named]), tail))


def test_the_diff_counts_versions_and_markers_per_key_before_and_after():
    entries = [entry("a", "v2"), entry("a", "v1"), entry("a", "m", True), entry("b", "null")]
    diff = module.diff_of(entries, entries[:3])
    b_only = {"b": "1 version(s), 0 delete marker(s)"}
    assert diff == {"before": {"objects": dict(b_only, a="2 version(s), 1 delete marker(s)")},
                    "after": {"objects": b_only}}


# --- deleting ------------------------------------------------------------------------------------------------
class FakeModule:
    class Failed(Exception):
        pass

    def __init__(self):
        self.failure = None

    def fail_json(self, **kwargs):
        self.failure = kwargs
        raise self.Failed()

    def fail_json_aws(self, error, **kwargs):
        self.failure = dict(kwargs, error=error)
        raise self.Failed()


def test_deletes_in_batches_of_at_most_1000_with_version_ids():
    client = FakeClient()
    doomed = [entry("k%04d" % i, "v%d" % (i % 2), i % 7 == 0) for i in range(2500)]
    deleted = module.delete_entries(FakeModule(), client, "b1", doomed)
    assert [len(batch) for _bucket, _quiet, batch in client.batches] == [1000, 1000, 500]
    assert all(bucket == "b1" and quiet is True for bucket, quiet, _batch in client.batches)
    assert [pair for _b, _q, batch in client.batches for pair in batch] == [(e.key, e.version_id) for e in doomed]
    assert deleted == doomed


def test_an_error_in_a_batch_fails_naming_it_and_reports_what_was_deleted():
    client = FakeClient(delete_errors=[[], [{"Key": "k1500", "VersionId": "v", "Code": "AccessDenied",
                                             "Message": "Access Denied"}]])
    doomed = [entry("k%04d" % i if i != 1500 else "k1500", "v") for i in range(2500)]
    fake = FakeModule()
    with pytest.raises(FakeModule.Failed):
        module.delete_entries(fake, client, "b1", doomed)
    assert fake.failure["msg"] == ("Failed to delete 1 object version(s) from bucket b1; first, k1500 (version v): "
                                   "AccessDenied Access Denied")
    assert len(fake.failure["deleted"]) == 1999 and fake.failure["failed_keys"] == ["k1500"]
    assert len(client.batches) == 2  # the third batch is not sent
