# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The parts of the s3_upload module that decide without AWS: the source, content types, the plan, deletions."""

import hashlib

import pytest

from ansible_collections.amplify_hosting.ssr.plugins.modules import s3_upload


def local(key, data=b"hello"):
    return s3_upload.LocalFile(
        "/src/" + key, key, len(data), hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest(), "text/plain"
    )


def listed(data=b"hello", etag=None):
    return {"Size": len(data), "ETag": '"%s"' % (etag or hashlib.md5(data).hexdigest())}


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "index.html").write_bytes(b"<html></html>")
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "app.css").write_bytes(b"body {}")
    (tmp_path / "img" / "icons").mkdir(parents=True)
    (tmp_path / "img" / "icons" / "logo.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / "app.js.map").write_bytes(b"{}")
    (tmp_path / ".hidden").write_bytes(b"x")
    return tmp_path


@pytest.mark.parametrize(
    "given, expected",
    [("", ""), (None, ""), ("/", ""), ("site", "site/"), ("site/", "site/"), ("/a/b//", "a/b/"), ("a/b", "a/b/")],
)
def test_normalize_prefix(given, expected):
    assert s3_upload.normalize_prefix(given) == expected


def test_source_files_walks_the_tree_sorted_with_posix_keys(tree):
    found, skipped = s3_upload.source_files(str(tree))
    assert [relative for dummy, relative in found] == [
        ".hidden", "app.js.map", "css/app.css", "img/icons/logo.png", "index.html"
    ]
    assert skipped == []


def test_source_files_include_and_exclude(tree):
    found, dummy = s3_upload.source_files(str(tree), include=["*.css", "*.png", "*.map"], exclude=["*.map"])
    assert [relative for dummy, relative in found] == ["css/app.css", "img/icons/logo.png"]


def test_source_file_is_its_own_entry(tree):
    found, dummy = s3_upload.source_files(str(tree / "css" / "app.css"))
    assert found == [(str(tree / "css" / "app.css"), "app.css")]


def test_missing_source_names_src(tmp_path):
    with pytest.raises(s3_upload.UploadError, match=r"^src: .*nope does not exist"):
        s3_upload.source_files(str(tmp_path / "nope"))


def test_broken_link_is_skipped(tree):
    (tree / "dangling").symlink_to(tree / "gone")
    found, skipped = s3_upload.source_files(str(tree))
    assert "dangling" not in [relative for dummy, relative in found]
    assert skipped == [str(tree / "dangling")]


def test_local_files_keys_digests_and_types(tree):
    files, dummy = s3_upload.local_files(str(tree), "site/")
    index = files["site/index.html"]
    assert index.size == 13
    assert index.md5 == hashlib.md5(b"<html></html>").hexdigest()
    assert index.sha256 == hashlib.sha256(b"<html></html>").hexdigest()
    assert index.content_type == "text/html"
    assert files["site/img/icons/logo.png"].content_type == "image/png"
    assert files["site/css/app.css"].content_type == "text/css"


@pytest.mark.parametrize(
    "name, overrides, expected",
    [
        ("index.html", None, "text/html"),
        ("INDEX.HTML", None, "text/html"),
        ("data.json", None, "application/json"),
        ("logo.png", None, "image/png"),
        ("app.js", None, "text/javascript"),
        ("font.woff2", None, "font/woff2"),
        ("photo.jpg", None, "image/jpeg"),
        ("archive.tar.gz", None, "application/gzip"),
        ("noextension", None, "application/octet-stream"),
        ("thing.unknownext", None, "application/octet-stream"),
        ("site.webmanifest", {".webmanifest": "application/x-custom"}, "application/x-custom"),
        ("page.html", {"HTML": "text/html; charset=utf-8"}, "text/html; charset=utf-8"),
    ],
)
def test_guess_content_type(name, overrides, expected):
    assert s3_upload.guess_content_type(name, overrides) == expected


def test_plain_md5_etag():
    assert s3_upload.plain_md5_etag('"5EB63BBBE01EEED093CB22BB8F5ACDC3"') == "5eb63bbbe01eeed093cb22bb8f5acdc3"
    assert s3_upload.plain_md5_etag('"5eb63bbbe01eeed093cb22bb8f5acdc3-2"') is None
    assert s3_upload.plain_md5_etag(None) is None


def test_plan_with_sse_s3_needs_only_the_listing():
    files = {
        "p/new": local("p/new"),
        "p/same": local("p/same"),
        "p/edited": local("p/edited", b"world"),
        "p/longer": local("p/longer", b"hello!"),
        "p/multipart": local("p/multipart"),
    }
    remote = {
        "p/same": listed(),
        "p/edited": listed(b"hello"),
        "p/longer": listed(b"hello"),
        "p/multipart": listed(etag="0123456789abcdef0123456789abcdef-3"),
        "p/orphan": listed(),
    }
    upload, head, unchanged = s3_upload.plan(files, remote, "AES256")
    assert upload == {"p/new": "new", "p/edited": "checksum", "p/longer": "size"}
    assert head == ["p/multipart"]
    assert unchanged == ["p/same"]


def test_plan_with_sse_kms_reads_objects_of_the_same_size():
    files = {"k/same": local("k/same"), "k/longer": local("k/longer", b"hello!"), "k/new": local("k/new")}
    remote = {"k/same": listed(), "k/longer": listed()}
    upload, head, unchanged = s3_upload.plan(files, remote, "aws:kms")
    assert upload == {"k/longer": "size", "k/new": "new"}
    assert head == ["k/same"]
    assert unchanged == []


def test_plan_force_uploads_everything_listed():
    files = {"a": local("a"), "b": local("b")}
    upload, head, unchanged = s3_upload.plan(files, {"a": listed()}, "AES256", force=True)
    assert upload == {"a": "force", "b": "new"}
    assert (head, unchanged) == ([], [])


def test_plan_without_md5_reads_objects():
    file = local("a")
    file.md5 = None  # FIPS host
    upload, head, unchanged = s3_upload.plan({"a": file}, {"a": listed()}, "AES256")
    assert (upload, head, unchanged) == ({}, ["a"], [])


def head(data=b"hello", sse="AES256", key_id=None, metadata=True, checksum=None, etag=None):
    result = {"ContentLength": len(data), "ServerSideEncryption": sse, "ETag": '"%s"' % (etag or "f" * 32)}
    result["Metadata"] = {"sha256": hashlib.sha256(data).hexdigest()} if metadata else {}
    if key_id:
        result["SSEKMSKeyId"] = key_id
    if checksum:
        result["ChecksumSHA256"] = checksum
    return result


def test_decide_from_head_by_stored_sha256():
    assert s3_upload.decide_from_head(local("a"), head(), "AES256") is None
    assert s3_upload.decide_from_head(local("a"), head(b"other"), "AES256") == "checksum"
    assert s3_upload.decide_from_head(local("a"), head(sse="aws:kms"), "AES256") == "encryption"
    assert s3_upload.decide_from_head(local("a"), head(), "aws:kms") == "encryption"


def test_decide_from_head_by_s3_checksum_for_objects_of_other_tools():
    file = local("a")
    assert s3_upload.decide_from_head(file, head(metadata=False, checksum=file.sha256_base64), "AES256") is None
    composite = dict(head(metadata=False, checksum=file.sha256_base64), ChecksumType="COMPOSITE")
    assert s3_upload.decide_from_head(file, composite, "AES256") == "checksum"
    assert s3_upload.decide_from_head(file, head(metadata=False), "AES256") == "checksum"
    assert s3_upload.decide_from_head(file, head(metadata=False, etag=file.md5), "AES256") is None
    # An SSE-KMS object's ETag is no MD5: never trusted as one.
    assert s3_upload.decide_from_head(file, head(metadata=False, etag=file.md5, sse="aws:kms"), "aws:kms") == "checksum"


def test_decide_from_head_kms_key():
    arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    calls = []

    def describe_key(key_id):
        calls.append(key_id)
        return {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "Arn": arn}

    by_id = s3_upload.KmsKeyMatcher("1234abcd-12ab-34cd-56ef-1234567890ab", describe_key)
    by_alias = s3_upload.KmsKeyMatcher("alias/site", describe_key)
    any_key = s3_upload.KmsKeyMatcher(None, describe_key)
    kms_object = head(sse="aws:kms", key_id=arn)
    assert s3_upload.decide_from_head(local("a"), kms_object, "aws:kms", by_id) is None
    assert calls == []
    assert s3_upload.decide_from_head(local("a"), kms_object, "aws:kms", by_alias) is None
    assert s3_upload.decide_from_head(local("a"), head(sse="aws:kms", key_id=arn.replace("1234abcd", "ffffffff")),
                                      "aws:kms", by_alias) == "encryption"
    assert calls == ["alias/site"]  # resolved once
    assert s3_upload.decide_from_head(local("a"), head(sse="aws:kms", key_id="anything"), "aws:kms", any_key) is None
    other = head(sse="aws:kms", key_id=arn.replace("1234abcd", "ffffffff"))
    assert s3_upload.decide_from_head(local("a"), other, "aws:kms", s3_upload.KmsKeyMatcher(arn, describe_key)) == "encryption"
    assert calls == ["alias/site"]  # a key ARN is never resolved


def test_deletions_stay_under_the_prefix_and_respect_filters():
    files = {"site/index.html": local("site/index.html")}
    remote = ["site/index.html", "site/old.html", "site/a/b.map", "site/folder/", "site2/x", "other/site/y"]
    assert s3_upload.deletions(remote, files, "site/") == ["site/a/b.map", "site/old.html"]
    assert s3_upload.deletions(remote, files, "site/", exclude=["*.map"]) == ["site/old.html"]
    assert s3_upload.deletions(remote, files, "site/", include=["*.html"]) == ["site/old.html"]
    assert s3_upload.deletions(["x", "y/z"], {"x": local("x")}, "") == ["y/z"]


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(kms_key_id="alias/x"), "^kms_key_id: only with encryption=aws:kms"),
        (dict(concurrency=0), "^concurrency: must be between 1 and 64"),
        (dict(concurrency=65), "^concurrency: must be between 1 and 64"),
        (dict(content_types={".x": "nonsense"}), "^content_types: .x must map to a type"),
    ],
)
def test_check_params(overrides, message):
    params = dict(kms_key_id=None, encryption="AES256", concurrency=8, content_types={})
    params.update(overrides)
    with pytest.raises(s3_upload.UploadError, match=message):
        s3_upload.check_params(params)


def test_run_all_collects_results_and_errors():
    def work(item):
        if item == 3:
            raise ValueError("three")
        return item * 2

    done, failed = s3_upload.run_all(work, [1, 2, 3, 4], 2)
    assert sorted(done) == [(1, 2), (2, 4), (4, 8)]
    assert [(item, str(error)) for item, error in failed] == [(3, "three")]
    assert s3_upload.run_all(work, [], 4) == ([], [])
