#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: s3_upload
version_added: 0.1.0
short_description: Upload a file or a whole directory tree to an S3 bucket, only what differs
description:
  - Uploads a file, or every file of a directory tree, to O(bucket) under O(prefix), in one task and with
    O(concurrency) uploads at a time. Each object gets a content type guessed from its file name and
    server-side encryption (O(encryption)).
  - Only files whose content differs from the object already in the bucket are uploaded, compared by
    checksum; a second identical run uploads nothing and makes no write call.
  - With O(delete=true), objects under O(prefix) that are not in the source are deleted. Objects outside
    O(prefix) are never touched.
  - The files are read on the host the task runs on (usually the controller, in a play on C(localhost)).
author:
  - amplify_hosting.ssr contributors (@amplify-hosting)
options:
  bucket:
    description:
      - The name of the bucket to upload to. It must exist.
    type: str
    required: true
  prefix:
    description:
      - The key prefix (the "folder") the files go under, for example V(site/) or V(site). A V(/) is
        added when missing and leading V(/) are removed; V("") (the default) is the bucket's root.
      - A file of O(src) at C(css/app.css) (relative to the directory) becomes the object
        C(<prefix>css/app.css). When O(src) is a file, its object is C(<prefix><file name>).
    type: str
    default: ""
  src:
    description:
      - A file or a directory to upload. A directory is uploaded with all its files and subdirectories,
        hidden files included; symbolic links to files are followed, links to directories are not.
      - The module fails, naming O(src), when it does not exist.
    type: path
    required: true
  delete:
    description:
      - Delete the objects under O(prefix) that have no file in O(src) (after the uploads). Objects whose
        key ends with V(/) (folder markers) and objects left out by O(include) and O(exclude) are kept.
      - Off by default. Only objects under O(prefix) are ever deleted.
    type: bool
    default: false
  encryption:
    description:
      - The server-side encryption every uploaded object gets. V(AES256) is SSE-S3 (keys managed by S3),
        V(aws:kms) is SSE-KMS with O(kms_key_id) or, without it, the account's C(aws/s3) key.
      - An object whose content matches but whose encryption differs (for example an SSE-S3 object when
        V(aws:kms) is asked for, or another KMS key) is uploaded again.
    type: str
    choices: [AES256, "aws:kms"]
    default: AES256
  kms_key_id:
    description:
      - The KMS key for O(encryption=aws:kms), as a key id, key ARN, alias name (V(alias/name)) or alias ARN.
      - Only with O(encryption=aws:kms).
      - When the key is given as an alias, the module reads the key once (C(kms:DescribeKey)) to compare it
        with the key S3 reports for existing objects.
    type: str
  content_types:
    description:
      - Content types by file name extension, overriding the guess, for example V(.webmanifest) mapped to
        V(application/manifest+json). The extension may be given with or without the leading V(.) and is
        matched without regard to case.
      - Without an entry the type is guessed from Python's built-in table plus common web types (the same on
        every host, whatever its C(/etc/mime.types)), and is V(application/octet-stream) when unknown.
    type: dict
    default: {}
  include:
    description:
      - Only upload files whose path relative to O(src) (with V(/) between directories) matches one of these
        shell-style patterns, for example V(*.html) or V(assets/*). V(*) also matches V(/).
      - With O(delete=true), objects that do not match are not deleted either.
    type: list
    elements: str
    default: []
  exclude:
    description:
      - Skip files whose path relative to O(src) matches one of these shell-style patterns, for example
        V(*.map) or V(.git/*). Applied after O(include).
      - With O(delete=true), objects that match are not deleted either.
    type: list
    elements: str
    default: []
  concurrency:
    description:
      - How many uploads (and object reads) run at the same time. Between V(1) and V(64).
    type: int
    default: 8
  tags:
    description:
      - Tags each uploaded object gets (sent with its C(PutObject) request, so they cost no extra call), for
        example the ownership tags. Tags are not compared; an unchanged object keeps the tags it has.
    type: dict
    default: {}
  force:
    description:
      - Upload every file even when the object in the bucket has the same content, for example to apply a
        changed O(content_types) map to existing objects.
    type: bool
    default: false
notes:
  - Supports C(check_mode) (the plan is made with read calls only; nothing is written) and C(diff) (the keys
    that would be uploaded and deleted).
  - How objects are compared. One C(ListObjectsV2) pass (1000 keys a call) gives each object's size and
    ETag. A missing object, or one of another size, is uploaded without further reads. With
    O(encryption=AES256), an object whose ETag is the MD5 of the local file is unchanged (S3 gives a
    single-request upload encrypted with SSE-S3 its content MD5 as ETag, and an SSE-KMS object another
    ETag); so a tree that has not changed costs one list call per 1000 objects and no other request.
    Otherwise (SSE-KMS objects, whose ETag is not the MD5, and objects uploaded in parts by other tools) the
    object is read with C(HeadObject) and is unchanged when the SHA-256 this module stores in the object's
    C(x-amz-meta-sha256) metadata (or, for objects uploaded by other tools, the object's full-object
    C(ChecksumSHA256)) equals the local file's and its encryption (and KMS key) is the one asked for.
  - Uploads are single C(PutObject) requests (up to 5 GiB a file) with C(ChecksumAlgorithm=SHA256), so S3
    checks the content it receives and stores its SHA-256 checksum.
  - Only content and encryption are compared; a content type or metadata change alone is not detected (use
    O(force=true) once).
  - Permissions needed - C(s3:ListBucket) on the bucket; C(s3:GetObject) (for C(HeadObject)) and
    C(s3:PutObject) on the objects, C(s3:PutObjectTagging) with O(tags), C(s3:DeleteObject) with
    O(delete=true); with SSE-KMS, C(kms:GenerateDataKey) and C(kms:Decrypt) on the key, and
    C(kms:DescribeKey) when O(kms_key_id) is an alias.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amplify_hosting.ssr.boto3
"""

EXAMPLES = r"""
- name: Upload the built site to the bucket's site/ prefix, removing objects the build no longer has
  amplify_hosting.ssr.s3_upload:
    bucket: compute-role-demo-prod-images
    prefix: site/
    src: "{{ playbook_dir }}/build/"
    delete: true
    exclude:
      - "*.map"
  register: site_upload

- name: Show what changed
  ansible.builtin.debug:
    msg: "{{ site_upload.counts }}"

- name: Upload one file with SSE-KMS and an explicit content type
  amplify_hosting.ssr.s3_upload:
    bucket: compute-role-demo-prod-images
    prefix: config
    src: files/site.webmanifest
    encryption: aws:kms
    kms_key_id: alias/compute-role-demo
    content_types:
      .webmanifest: application/manifest+json
"""

RETURN = r"""
uploaded:
  description: The keys uploaded (in check mode, that would be uploaded), sorted.
  returned: always
  type: list
  elements: str
  sample: [site/index.html, site/css/app.css]
deleted:
  description: The keys deleted (in check mode, that would be deleted), sorted. Empty unless O(delete=true).
  returned: always
  type: list
  elements: str
  sample: [site/old.html]
unchanged:
  description: The keys whose object already had the file's content and the encryption asked for, sorted.
  returned: always
  type: list
  elements: str
  sample: [site/img/logo.png]
counts:
  description: How many keys are in RV(uploaded), RV(deleted) and RV(unchanged), and how many objects were read
    with C(HeadObject) to compare them.
  returned: always
  type: dict
  contains:
    uploaded:
      description: Length of RV(uploaded).
      type: int
      sample: 2
    deleted:
      description: Length of RV(deleted).
      type: int
      sample: 1
    unchanged:
      description: Length of RV(unchanged).
      type: int
      sample: 1
    compared_by_head:
      description: How many objects needed a C(HeadObject) call to be compared.
      type: int
      sample: 0
reasons:
  description:
    - Why each key of RV(uploaded) is uploaded - V(new) (no object), V(size), V(checksum) (the content differs, or
      the listing cannot show it equal, as for an SSE-KMS object when SSE-S3 is asked for), V(encryption) (same
      content, other encryption or KMS key) or V(force).
  returned: always
  type: dict
  sample: {"site/index.html": "checksum", "site/css/app.css": "new"}
bucket:
  description: The bucket.
  returned: always
  type: str
  sample: compute-role-demo-prod-images
prefix:
  description: The key prefix as used (with its trailing V(/), or V("") for the root).
  returned: always
  type: str
  sample: site/
"""

import base64
import fnmatch
import hashlib
import mimetypes
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import client as aws_client

SHA256_METADATA = "sha256"
MAX_CONCURRENCY = 64
DELETE_BATCH = 1000

# Common web types missing from (or different in) older Pythons' built-in table.
WEB_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".htm": "text/html",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/vnd.microsoft.icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
    ".txt": "text/plain",
    ".xml": "application/xml",
    ".md": "text/markdown",
    ".gz": "application/gzip",
    ".br": "application/x-brotli",
    ".zst": "application/zstd",
}
DEFAULT_TYPE = "application/octet-stream"
# Python's built-in table only, not the host's /etc/mime.types: the same answer on every host.
_BUILTIN_TYPES = mimetypes.MimeTypes(filenames=())


class UploadError(Exception):
    """A problem with the input or the source, reported naming the option."""


class LocalFile(object):
    """One file of the source: where it is, its key, size, digests and content type."""

    __slots__ = ("path", "key", "size", "md5", "sha256", "content_type")

    def __init__(self, path, key, size, md5, sha256, content_type):
        self.path = path
        self.key = key
        self.size = size
        self.md5 = md5
        self.sha256 = sha256
        self.content_type = content_type

    @property
    def sha256_base64(self):
        return base64.b64encode(bytes.fromhex(self.sha256)).decode("ascii")


# -- the source ----------------------------------------------------------------------------------


def normalize_prefix(prefix):
    """'' for the root, otherwise the prefix without leading '/' and with exactly one trailing '/'."""
    prefix = (prefix or "").lstrip("/")
    if not prefix:
        return ""
    return prefix.rstrip("/") + "/"


def selected(relative, include, exclude):
    """Whether a path relative to the source (with '/' separators) passes the include and exclude patterns."""
    if include and not any(fnmatch.fnmatchcase(relative, pattern) for pattern in include):
        return False
    return not any(fnmatch.fnmatchcase(relative, pattern) for pattern in exclude)


def source_files(src, include=(), exclude=()):
    """(path, relative path) of every file to upload from src, sorted by relative path; and paths skipped.

    A missing src raises UploadError naming src. A file src is its own single entry (filters do not apply).
    """
    if not os.path.exists(src):
        raise UploadError("src: {0} does not exist".format(src))
    if os.path.isfile(src):
        return [(src, os.path.basename(src))], []
    if not os.path.isdir(src):
        raise UploadError("src: {0} is neither a file nor a directory".format(src))
    found = []
    skipped = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for name in files:
            path = os.path.join(root, name)
            relative = os.path.relpath(path, src).replace(os.sep, "/")
            if not os.path.isfile(path):
                skipped.append(path)  # a broken link, a socket, a fifo...
                continue
            if selected(relative, include, exclude):
                found.append((path, relative))
    found.sort(key=lambda item: item[1])
    return found, skipped


def guess_content_type(name, overrides=None):
    """The content type of a file name: the overrides (by extension), common web types, Python's table."""
    extension = os.path.splitext(name)[1].lower()
    for wanted, content_type in (overrides or {}).items():
        wanted = wanted.lower()
        if not wanted.startswith("."):
            wanted = "." + wanted
        if wanted == extension:
            return content_type
    if extension in WEB_TYPES:
        return WEB_TYPES[extension]
    guessed = _BUILTIN_TYPES.guess_type(name, strict=False)[0]
    return guessed or DEFAULT_TYPE


def _md5():
    try:
        return hashlib.md5(usedforsecurity=False)  # pylint: disable=unexpected-keyword-arg
    except TypeError:  # Python < 3.9
        return hashlib.md5()
    except ValueError:  # FIPS mode without MD5: objects are then compared by SHA-256 only
        return None


def digests(path, chunk_size=1024 * 1024):
    """(size, md5 hex or None, sha256 hex) of a file, read once."""
    md5 = _md5()
    sha256 = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(chunk_size)
            if not chunk:
                break
            size += len(chunk)
            sha256.update(chunk)
            if md5 is not None:
                md5.update(chunk)
    return size, (md5.hexdigest() if md5 is not None else None), sha256.hexdigest()


def local_files(src, prefix, include=(), exclude=(), content_types=None):
    """{key: LocalFile} for the source under the (normalised) prefix, and the paths skipped."""
    found, skipped = source_files(src, include, exclude)
    files = {}
    for path, relative in found:
        key = prefix + relative
        size, md5, sha256 = digests(path)
        files[key] = LocalFile(path, key, size, md5, sha256, guess_content_type(relative, content_types))
    return files, skipped


# -- the plan -------------------------------------------------------------------------------------


def plain_md5_etag(etag):
    """The ETag without quotes when it looks like a content MD5 (32 hex digits), else None."""
    etag = (etag or "").strip('"').lower()
    if len(etag) == 32 and all(c in "0123456789abcdef" for c in etag):
        return etag
    return None


def plan(files, remote, encryption, force=False):
    """Decide per local file from the listing alone.

    files: {key: LocalFile}; remote: {key: {"Size": int, "ETag": str}} from ListObjectsV2.
    Returns (upload {key: reason}, head [keys to read before deciding], unchanged [keys]).
    """
    upload = {}
    head = []
    unchanged = []
    for key in sorted(files):
        local = files[key]
        listed = remote.get(key)
        if listed is None:
            upload[key] = "new"
        elif force:
            upload[key] = "force"
        elif listed.get("Size") != local.size:
            upload[key] = "size"
        elif encryption == "AES256" and local.md5 is not None and plain_md5_etag(listed.get("ETag")) is not None:
            # An SSE-S3 (or unencrypted) single-request upload has its MD5 as ETag; an SSE-KMS object does not,
            # and should be SSE-S3 now anyway: either way a different ETag means upload.
            if plain_md5_etag(listed.get("ETag")) == local.md5:
                unchanged.append(key)
            else:
                upload[key] = "checksum"
        else:
            head.append(key)
    return upload, head, unchanged


def decide_from_head(local, head, encryption, kms_key_matches=None):
    """None when the object read with HeadObject is unchanged, else the reason to upload it."""
    stored = (head.get("Metadata") or {}).get(SHA256_METADATA)
    if stored is not None:
        same_content = stored.lower() == local.sha256
    elif head.get("ChecksumSHA256") and head.get("ChecksumType", "FULL_OBJECT") == "FULL_OBJECT":
        same_content = head["ChecksumSHA256"] == local.sha256_base64
    else:
        md5 = plain_md5_etag(head.get("ETag"))
        same_content = encryption == "AES256" and md5 is not None and md5 == local.md5
    if not same_content or head.get("ContentLength", local.size) != local.size:
        return "checksum"
    if head.get("ServerSideEncryption") != encryption:
        return "encryption"
    if encryption == "aws:kms" and kms_key_matches is not None and not kms_key_matches(head.get("SSEKMSKeyId")):
        return "encryption"
    return None


def deletions(remote_keys, files, prefix, include=(), exclude=()):
    """The listed keys under prefix that have no local file, are not folder markers and pass the filters."""
    doomed = []
    for key in sorted(remote_keys):
        if key in files or not key.startswith(prefix) or key.endswith("/"):
            continue
        if selected(key[len(prefix):], include, exclude):
            doomed.append(key)
    return doomed


class KmsKeyMatcher(object):
    """Whether the key S3 reports for an object (usually the key ARN) is the kms_key_id asked for.

    A key id or key ARN is compared as it is; an alias is resolved once with kms:DescribeKey when needed.
    """

    def __init__(self, kms_key_id, describe_key):
        self.kms_key_id = kms_key_id
        self.describe_key = describe_key
        self.resolved = None
        self.lock = threading.Lock()

    def __call__(self, reported):
        if not self.kms_key_id:
            return True
        if not reported:
            return False
        wanted = self.kms_key_id
        if reported == wanted or reported.endswith(":key/" + wanted):
            return True
        if not (wanted.startswith("alias/") or ":alias/" in wanted):
            return False  # a key id or key ARN that is not the object's key
        with self.lock:
            if self.resolved is None:
                key = self.describe_key(wanted)
                self.resolved = set([key.get("KeyId"), key.get("Arn")])
        return reported in self.resolved


# -- AWS ------------------------------------------------------------------------------------------


def list_objects(client, bucket, prefix):
    """{key: {"Size", "ETag"}} for every object under prefix (all pages)."""
    paginator = client.get_paginator("list_objects_v2")
    objects = {}
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            objects[item["Key"]] = {"Size": item.get("Size"), "ETag": item.get("ETag")}
    return objects


def put_params(module, local):
    params = dict(
        Bucket=module.params["bucket"],
        Key=local.key,
        ContentType=local.content_type,
        ServerSideEncryption=module.params["encryption"],
        Metadata={SHA256_METADATA: local.sha256},
        ChecksumAlgorithm="SHA256",
    )
    if module.params["kms_key_id"]:
        params["SSEKMSKeyId"] = module.params["kms_key_id"]
    if module.params["tags"]:
        params["Tagging"] = urlencode(sorted((str(k), str(v)) for k, v in module.params["tags"].items()))
    return params


def run_all(function, items, concurrency):
    """function(item) for every item, concurrency at a time: ([(item, result)], [(item, exception)])."""
    done = []
    failed = []
    if not items:
        return done, failed
    with ThreadPoolExecutor(max_workers=min(concurrency, len(items))) as pool:
        futures = [(item, pool.submit(function, item)) for item in items]
        for item, future in futures:
            try:
                done.append((item, future.result()))
            except Exception as e:  # pylint: disable=broad-except
                failed.append((item, e))
    return done, failed


def fail_with(module, failed, what, **result):
    key, error = failed[0]
    msg = "Failed to {0} {1} object(s) in bucket {2}; first, {3}: {4}".format(
        what, len(failed), module.params["bucket"], key, to_native(error)
    )
    result["failed_keys"] = sorted(k for k, dummy in failed)
    if isinstance(error, (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)):
        module.fail_json_aws(error, msg=msg, **result)
    module.fail_json(msg=msg, **result)


def compare_with_head(module, client, files, keys, kms_key_matches):
    """{key: reason} to upload and [unchanged keys] among keys, read with HeadObject concurrently."""
    bucket = module.params["bucket"]
    encryption = module.params["encryption"]

    def read(key):
        try:
            head = client.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        except is_boto3_error_code(["404", "NoSuchKey", "NotFound"]):
            return "new"  # deleted since it was listed
        return decide_from_head(files[key], head, encryption, kms_key_matches)

    done, failed = run_all(read, keys, module.params["concurrency"])
    if failed:
        fail_with(module, failed, "read")
    upload = dict((key, reason) for key, reason in done if reason is not None)
    unchanged = [key for key, reason in done if reason is None]
    return upload, unchanged


def upload_files(module, client, files, keys):
    def put(key):
        local = files[key]
        with open(local.path, "rb") as body:
            client.put_object(Body=body, **put_params(module, local))

    done, failed = run_all(put, keys, module.params["concurrency"])
    if failed:
        fail_with(module, failed, "upload", uploaded=sorted(k for k, dummy in done))


def delete_objects(module, client, keys):
    deleted = []
    for start in range(0, len(keys), DELETE_BATCH):
        batch = keys[start:start + DELETE_BATCH]
        try:
            response = client.delete_objects(
                Bucket=module.params["bucket"],
                Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
            )
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Failed to delete objects from bucket {0}".format(module.params["bucket"]),
                                 deleted=deleted)
        errors = response.get("Errors") or []
        if errors:
            first = errors[0]
            module.fail_json(
                msg="Failed to delete {0} object(s) from bucket {1}; first, {2}: {3} {4}".format(
                    len(errors), module.params["bucket"], first.get("Key"), first.get("Code"), first.get("Message")
                ),
                deleted=deleted,
                failed_keys=sorted(e.get("Key") for e in errors),
            )
        deleted.extend(batch)
    return deleted


def check_params(params):
    if params["kms_key_id"] and params["encryption"] != "aws:kms":
        raise UploadError("kms_key_id: only with encryption=aws:kms (encryption is {0})".format(params["encryption"]))
    if not 1 <= params["concurrency"] <= MAX_CONCURRENCY:
        raise UploadError("concurrency: must be between 1 and {0}, not {1}".format(MAX_CONCURRENCY, params["concurrency"]))
    for name, value in params["content_types"].items():
        if not isinstance(value, str) or "/" not in value:
            raise UploadError("content_types: {0} must map to a type such as text/html, not {1!r}".format(name, value))


def main():
    argument_spec = dict(
        bucket=dict(type="str", required=True),
        prefix=dict(type="str", default=""),
        src=dict(type="path", required=True),
        delete=dict(type="bool", default=False),
        encryption=dict(type="str", default="AES256", choices=["AES256", "aws:kms"]),
        kms_key_id=dict(type="str"),
        content_types=dict(type="dict", default={}),
        include=dict(type="list", elements="str", default=[]),
        exclude=dict(type="list", elements="str", default=[]),
        concurrency=dict(type="int", default=8),
        tags=dict(type="dict", default={}),
        force=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    bucket = params["bucket"]
    prefix = normalize_prefix(params["prefix"])

    # Everything that can be checked without a call, before any call.
    try:
        check_params(params)
        files, skipped = local_files(params["src"], prefix, params["include"], params["exclude"], params["content_types"])
    except UploadError as e:
        module.fail_json(msg=to_native(e))
    except (IOError, OSError) as e:
        module.fail_json(msg="src: cannot read {0}: {1}".format(params["src"], to_native(e)))
    for path in skipped:
        module.warn("src: skipped {0}, which is not a regular file".format(path))

    # One client shared by the threads (boto3 clients are thread-safe), with a connection for each.
    client = aws_client(module, "s3", max_pool_connections=params["concurrency"] + 2)

    try:
        remote = list_objects(client, bucket, prefix)
    except is_boto3_error_code("NoSuchBucket") as e:
        if not module.check_mode:
            module.fail_json_aws(e, msg="bucket: {0} does not exist".format(bucket))
        module.warn("bucket: {0} does not exist; in check mode every file is planned as new".format(bucket))
        remote = {}
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Failed to list the objects of bucket {0} under {1!r}".format(bucket, prefix))

    upload, head_keys, unchanged = plan(files, remote, params["encryption"], params["force"])

    def describe_key(key_id):
        kms = aws_client(module, "kms")
        try:
            return kms.describe_key(KeyId=key_id)["KeyMetadata"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            raise UploadError("kms_key_id: cannot read key {0} to compare it with the objects' key ({1}); give the key "
                              "ARN or allow kms:DescribeKey".format(key_id, to_native(e)))

    kms_key_matches = KmsKeyMatcher(params["kms_key_id"], describe_key)
    more_upload, more_unchanged = compare_with_head(module, client, files, head_keys, kms_key_matches)
    upload.update(more_upload)
    unchanged = sorted(unchanged + more_unchanged)
    to_upload = sorted(upload)
    to_delete = deletions(remote, files, prefix, params["include"], params["exclude"]) if params["delete"] else []

    if not module.check_mode:
        upload_files(module, client, files, to_upload)
        delete_objects(module, client, to_delete)

    module.exit_json(
        changed=bool(to_upload or to_delete),
        bucket=bucket,
        prefix=prefix,
        uploaded=to_upload,
        deleted=to_delete,
        unchanged=unchanged,
        reasons=upload,
        counts=dict(uploaded=len(to_upload), deleted=len(to_delete), unchanged=len(unchanged), compared_by_head=len(head_keys)),
        diff=dict(before=dict(upload=[], delete=[]), after=dict(upload=to_upload, delete=to_delete)),
    )


if __name__ == "__main__":
    main()
