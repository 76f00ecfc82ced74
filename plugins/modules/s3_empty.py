#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: s3_empty
version_added: 0.1.0
short_description: Empty an S3 bucket of the objects a tag marks as yours, or of every object version
description:
  - Deletes object versions and delete markers from O(bucket), every version of them (C(DeleteObjects) with
    version ids, at most 1000 a request), so that the bucket can then be deleted.
  - By default only what carries O(owned_tags) is deleted, and only when B(every) object version in the bucket
    carries them. When any version does not, the module deletes nothing and fails, naming the first 20 keys
    that are not yours and how many there are.
  - With O(force=true) every object version and delete marker is deleted, whatever its tags, and the result
    lists each one deleted.
  - The bucket itself is not deleted; use M(amazon.aws.s3_bucket) with O(amazon.aws.s3_bucket#module:state=absent)
    afterwards. A bucket that does not exist has nothing to empty (RV(exists=false), no change).
author:
  - amplify_hosting.ssr contributors (@amplify-hosting)
options:
  bucket:
    description:
      - The name of the bucket to empty.
    type: str
    required: true
  owned_tags:
    description:
      - The object tags that make an object version yours, for example the ownership tags C(managed-by) with
        V(amplify_hosting.ssr) and C(environment) with V(dev) that M(amplify_hosting.ssr.s3_upload) puts on
        each object it uploads (its O(amplify_hosting.ssr.s3_upload#module:tags)). A version is yours when it
        carries every one of these tags with the same value; other tags do not matter.
      - Required, and not empty, unless O(force=true). Not used with O(force=true).
    type: dict
    default: {}
  force:
    description:
      - Delete every object version and delete marker, whatever its tags (no tag is read).
      - Without it, a bucket holding any object version without O(owned_tags) is refused before anything is
        deleted.
    type: bool
    default: false
  concurrency:
    description:
      - How many object tag sets are read at the same time (C(GetObjectTagging)), between V(1) and V(64).
    type: int
    default: 8
notes:
  - Supports C(check_mode) (the bucket is listed and, without O(force), the tags read, with read calls only;
    RV(deleted) is what would be deleted, and a refusal fails as it would without check mode) and C(diff)
    (the keys, each with the number of its versions and delete markers, before and after).
  - How it reads the bucket. C(ListObjectVersions) pages of up to 1000 entries, all of them (a bucket that was
    never versioned lists each object once, with the version id V(null)). Without O(force), C(GetObjectTagging)
    with the version id, once for each object version. Delete markers hold no data and have no tags - they are
    deleted with the versions (a key that only has delete markers is no object).
  - Objects written to the bucket while the module runs may be left behind (the bucket deletion that follows
    then fails) or, with O(force=true), be deleted.
  - Permissions needed - C(s3:ListBucketVersions) on the bucket; C(s3:GetObjectTagging) and
    C(s3:GetObjectVersionTagging) on the objects (without O(force)); C(s3:DeleteObject) and
    C(s3:DeleteObjectVersion) on the objects.
seealso:
  - module: amplify_hosting.ssr.s3_upload
  - module: amazon.aws.s3_bucket
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amplify_hosting.ssr.boto3
"""

EXAMPLES = r"""
- name: Delete the objects the collection uploaded for dev (fails, deleting nothing, if the bucket holds others)
  amplify_hosting.ssr.s3_empty:
    bucket: compute-role-demo-dev-private
    owned_tags:
      managed-by: amplify_hosting.ssr
      environment: dev

- name: See what would be deleted and what is refused, without failing the play
  amplify_hosting.ssr.s3_empty:
    bucket: compute-role-demo-dev-private
    owned_tags:
      managed-by: amplify_hosting.ssr
      environment: dev
  check_mode: true
  register: scan
  failed_when: false

- name: Show the keys that are not ours
  ansible.builtin.debug:
    msg: "{{ scan.refused_keys }}"

- name: Delete every object version and delete marker, then the bucket
  amplify_hosting.ssr.s3_empty:
    bucket: compute-role-demo-dev-private
    force: true
  register: emptied

- name: Delete the bucket, now empty
  amazon.aws.s3_bucket:
    name: compute-role-demo-dev-private
    state: absent
"""

RETURN = r"""
bucket:
  description: The bucket.
  returned: always
  type: str
  sample: compute-role-demo-dev-private
exists:
  description: Whether the bucket exists. When it does not, nothing is listed or deleted.
  returned: always
  type: bool
  sample: true
force:
  description: Whether every object version was to be deleted, whatever its tags (O(force)).
  returned: always
  type: bool
  sample: false
deleted:
  description:
    - The object versions and delete markers deleted (in check mode, or when refused, that would be deleted),
      sorted by key, each key's newest first. Empty when the module refuses.
  returned: always
  type: list
  elements: dict
  contains:
    key:
      description: The object key.
      type: str
      sample: amplify-logo.png
    version_id:
      description: The version id (V(null) for an object written while the bucket was not versioned).
      type: str
      sample: 3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY
    delete_marker:
      description: Whether this is a delete marker.
      type: bool
      sample: false
deleted_keys:
  description: The distinct keys of RV(deleted), sorted.
  returned: always
  type: list
  elements: str
  sample: [amplify-logo.png]
refused_keys:
  description:
    - Without O(force), the keys that have an object version without O(owned_tags), sorted; the module then
      fails and deletes nothing. Empty otherwise.
  returned: always
  type: list
  elements: str
  sample: [notes/by-hand.txt]
counts:
  description: How many entries were listed, read and deleted.
  returned: always
  type: dict
  contains:
    versions:
      description: Object versions listed.
      type: int
      sample: 2
    delete_markers:
      description: Delete markers listed.
      type: int
      sample: 0
    tags_read:
      description: Object versions whose tags were read (C(GetObjectTagging)).
      type: int
      sample: 2
    deleted:
      description: Length of RV(deleted).
      type: int
      sample: 1
    refused_versions:
      description: Object versions without O(owned_tags) (not yours).
      type: int
      sample: 1
    refused_keys:
      description: Length of RV(refused_keys).
      type: int
      sample: 1
msg:
  description: Why the module refused or failed.
  returned: failure
  type: str
  sample: >-
    bucket compute-role-demo-dev-private holds 1 object(s) without the tags managed-by=amplify_hosting.ssr,
    environment=dev (1 version(s)): notes/by-hand.txt. Nothing was deleted; delete them first, or use force=true
    to delete every object version.
"""

from concurrent.futures import ThreadPoolExecutor

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import client as aws_client

DELETE_BATCH = 1000
MAX_CONCURRENCY = 64
# How many keys a refusal names.
SHOWN_KEYS = 20


class EmptyError(Exception):
    """A problem with the input, reported naming the option."""


class Entry(object):
    """One object version or delete marker, as ListObjectVersions lists it."""

    __slots__ = ("delete_marker", "key", "version_id")

    def __init__(self, key, version_id, delete_marker):
        self.key = key
        self.version_id = version_id
        self.delete_marker = delete_marker

    def result(self):
        return dict(key=self.key, version_id=self.version_id, delete_marker=self.delete_marker)


def check_params(params):
    if not params["force"] and not params["owned_tags"]:
        raise EmptyError("owned_tags: required (the tags that make an object version yours) unless force=true")
    for name, value in params["owned_tags"].items():
        if not isinstance(value, str):
            raise EmptyError("owned_tags: the value of {0} must be a string, not {1!r}".format(name, value))
    if not 1 <= params["concurrency"] <= MAX_CONCURRENCY:
        raise EmptyError(
            "concurrency: must be between 1 and {0}, not {1}".format(MAX_CONCURRENCY, params["concurrency"]))


def entries_of(pages):
    """The Entry of every version and delete marker of ListObjectVersions pages, sorted by key (stable: each
    key's entries in the order listed, newest first within versions and within delete markers)."""
    found = []
    for page in pages:
        found += [Entry(v["Key"], v.get("VersionId") or "null", False) for v in page.get("Versions") or []]
        found += [Entry(m["Key"], m.get("VersionId") or "null", True) for m in page.get("DeleteMarkers") or []]
    return sorted(found, key=lambda entry: entry.key)


def carries(tags, wanted):
    """Whether a tag set ({key: value}) holds every tag of ``wanted`` with the same value."""
    return all(tags.get(key) == value for key, value in wanted.items())


def judge(entries, tags_by_version, owned_tags, force):
    """(to delete, refused keys, refused version count).

    force: everything. Otherwise every version must carry owned_tags (a version missing from tags_by_version
    was gone when its tags were read, and is not deleted); delete markers go with the versions. Any version not
    ours: nothing is deleted."""
    if force:
        return list(entries), [], 0
    refused = [e for e in entries if not e.delete_marker and (e.key, e.version_id) in tags_by_version
               and not carries(tags_by_version[(e.key, e.version_id)], owned_tags)]
    if refused:
        return [], sorted({e.key for e in refused}), len(refused)
    doomed = [e for e in entries if e.delete_marker or (e.key, e.version_id) in tags_by_version]
    return doomed, [], 0


def refusal(bucket, refused_keys, refused_versions, owned_tags):
    shown = refused_keys[:SHOWN_KEYS]
    more = len(refused_keys) - len(shown)
    return (
        "bucket {0} holds {1} object(s) without the tags {2} ({3} version(s)): {4}{5}. Nothing was deleted; "
        "delete them first, or use force=true to delete every object version.".format(
            bucket, len(refused_keys), ", ".join("{0}={1}".format(k, v) for k, v in owned_tags.items()),
            refused_versions, ", ".join(shown), " and {0} more".format(more) if more else "")
    )


def diff_of(entries, doomed):
    """{key: 'N version(s), M delete marker(s)'} before and after the deletion."""

    def describe(listed):
        counts = {}
        for entry in listed:
            versions, markers = counts.get(entry.key, (0, 0))
            counts[entry.key] = (versions, markers + 1) if entry.delete_marker else (versions + 1, markers)
        return {key: "{0} version(s), {1} delete marker(s)".format(v, m) for key, (v, m) in sorted(counts.items())}

    gone = {(e.key, e.version_id) for e in doomed}
    return dict(before=dict(objects=describe(entries)),
                after=dict(objects=describe([e for e in entries if (e.key, e.version_id) not in gone])))


# -- calls ----------------------------------------------------------------------------------------


def list_versions(client, bucket):
    """Every version and delete marker of the bucket (every page)."""
    paginator = client.get_paginator("list_object_versions")
    return entries_of(paginator.paginate(Bucket=bucket))


def read_tags(client, bucket, entries, concurrency):
    """{(key, version id): {tag: value}} of the object versions (delete markers have no tags). A version
    deleted meanwhile (NoSuchKey, NoSuchVersion) is left out."""

    def read(entry):
        try:
            tag_set = client.get_object_tagging(Bucket=bucket, Key=entry.key, VersionId=entry.version_id)["TagSet"]
        except is_boto3_error_code(["NoSuchKey", "NoSuchVersion"]):
            return entry, None
        return entry, {tag["Key"]: tag["Value"] for tag in tag_set}

    versions = [e for e in entries if not e.delete_marker]
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        read_back = list(pool.map(read, versions))
    return {(e.key, e.version_id): tags for e, tags in read_back if tags is not None}


def delete_entries(module, client, bucket, doomed):
    """DeleteObjects with version ids, DELETE_BATCH at a time; fails naming the first error."""
    deleted = []
    for start in range(0, len(doomed), DELETE_BATCH):
        batch = doomed[start:start + DELETE_BATCH]
        try:
            response = client.delete_objects(
                Bucket=bucket,
                Delete={"Objects": [{"Key": e.key, "VersionId": e.version_id} for e in batch], "Quiet": True},
            )
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Failed to delete object versions from bucket {0}".format(bucket),
                                 deleted=[d.result() for d in deleted])
        errors = response.get("Errors") or []
        if errors:
            failed = {(err.get("Key"), err.get("VersionId") or "null") for err in errors}
            deleted += [d for d in batch if (d.key, d.version_id) not in failed]
            first = errors[0]
            module.fail_json(
                msg="Failed to delete {0} object version(s) from bucket {1}; first, {2} (version {3}): {4} {5}".format(
                    len(errors), bucket, first.get("Key"), first.get("VersionId"), first.get("Code"),
                    first.get("Message")),
                deleted=[d.result() for d in deleted],
                failed_keys=sorted({err.get("Key") for err in errors}),
            )
        deleted += batch
    return deleted


def main():
    argument_spec = dict(
        bucket=dict(type="str", required=True),
        owned_tags=dict(type="dict", default={}),
        force=dict(type="bool", default=False),
        concurrency=dict(type="int", default=8),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    bucket = params["bucket"]
    force = params["force"]
    owned_tags = {} if force else params["owned_tags"]
    try:
        check_params(params)
    except EmptyError as e:
        module.fail_json(msg=str(e))

    client = aws_client(module, "s3", max_pool_connections=params["concurrency"] + 2)
    result = dict(bucket=bucket, exists=True, force=force, deleted=[], deleted_keys=[], refused_keys=[],
                  counts=dict(versions=0, delete_markers=0, tags_read=0, deleted=0, refused_versions=0, refused_keys=0))
    try:
        entries = list_versions(client, bucket)
    except is_boto3_error_code("NoSuchBucket"):
        result["exists"] = False
        module.exit_json(changed=False, **result)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Failed to list the object versions of bucket {0}".format(bucket), **result)

    tags_by_version = {}
    if not force:
        try:
            tags_by_version = read_tags(client, bucket, entries, params["concurrency"])
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Failed to read the tags of the objects of bucket {0}".format(bucket), **result)
    doomed, refused_keys, refused_versions = judge(entries, tags_by_version, owned_tags, force)
    versions = len([e for e in entries if not e.delete_marker])
    result["counts"] = dict(versions=versions, delete_markers=len(entries) - versions,
                            tags_read=0 if force else versions, deleted=len(doomed),
                            refused_versions=refused_versions, refused_keys=len(refused_keys))
    result["refused_keys"] = refused_keys
    if refused_keys:
        module.fail_json(msg=refusal(bucket, refused_keys, refused_versions, owned_tags), **result)

    if not module.check_mode:
        delete_entries(module, client, bucket, doomed)
    result["deleted"] = [e.result() for e in doomed]
    result["deleted_keys"] = sorted({e.key for e in doomed})
    module.exit_json(changed=bool(doomed), diff=diff_of(entries, doomed), **result)


if __name__ == "__main__":
    main()
