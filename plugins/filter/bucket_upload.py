# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The bucket_upload role's decisions, in Python (documentation: the sidecar YAML file of each filter).

bucket_upload_plan       each source's full key prefix, and the first input problem argument_specs cannot see
bucket_upload_missing    the sources a stat found missing, or neither a file nor a directory
bucket_upload_failure    the message of a failed upload, naming the source (bucket_upload_sources[i])
bucket_upload_results    what each source uploaded, deleted and left unchanged

Pure data in, data out: no AWS call, no file read. The role's YAML keeps the orchestration.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

SLASHES = re.compile(r"^/+|/+$")


def _sources(sources, name):
    if isinstance(sources, (str, bytes)) or not isinstance(sources, Sequence):
        raise AnsibleFilterError("%s: the sources must be a list of {src, prefix}, got %s" % (name, type(sources).__name__))
    for index, source in enumerate(sources):
        if not isinstance(source, Mapping):
            raise AnsibleFilterError("%s: source %d must be a mapping {src, prefix}, got %s" % (name, index, type(source).__name__))
    return sources


def _text(value):
    return "" if value is None else str(value)


def _whole(value):
    """As Jinja's int filter: the whole number, 0 when it is none."""
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return 0


def full_prefixes(sources, prefix=""):
    """Each source's key prefix: ``prefix``, then the source's own, without outer slashes, joined by '/' and
    ending in '/' ("" when both are empty)."""
    out = []
    for source in sources:
        parts = [SLASHES.sub("", _text(part)) for part in (prefix, source.get("prefix") or "")]
        parts = [part for part in parts if part]
        out.append("/".join(parts) + ("/" if parts else ""))
    return out


def nested_prefixes(sources, prefixes):
    """"<src> (prefix '<inner>') is under <src> (prefix '<outer>')" for each pair of sources whose prefixes lie
    in one another (with delete, one source's deletions would remove the other's files). Equal prefixes are
    named once, the later source under the earlier."""
    out = []
    for outer_index, outer in enumerate(prefixes):
        for inner_index, inner in enumerate(prefixes):
            if inner_index != outer_index and inner.startswith(outer) and (inner != outer or inner_index > outer_index):
                out.append("%s (prefix '%s') is under %s (prefix '%s')" % (
                    _text(sources[inner_index].get("src")), inner, _text(sources[outer_index].get("src")), outer))
    return out


def bucket_upload_plan(sources, bucket="", environment="", prefix="", delete=False, encryption="AES256", kms_key_id="",
                       concurrency=8):
    """{prefixes, nested, problem}: the full prefixes, the nested pairs, and the first problem ("" when none)."""
    sources = _sources(sources, "bucket_upload_plan")
    prefixes = full_prefixes(sources, prefix)
    nested = nested_prefixes(sources, prefixes)
    if not bucket:
        problem = "bucket_upload_bucket must not be empty"
    elif not environment:
        problem = "bucket_upload_environment must not be empty"
    elif not sources:
        problem = "bucket_upload_sources must list at least one source"
    elif kms_key_id and encryption != "aws:kms":
        problem = "bucket_upload_kms_key_id is only for bucket_upload_encryption aws:kms"
    elif not 1 <= _whole(concurrency) <= 64:
        problem = "bucket_upload_concurrency must be between 1 and 64, not %s" % (concurrency,)
    elif boolean(delete, strict=False) and nested:
        problem = "bucket_upload_sources: with bucket_upload_delete each source needs its own prefix, but " + "; ".join(nested)
    else:
        problem = ""
    return {"prefixes": prefixes, "nested": nested, "problem": problem}


def bucket_upload_missing(stats):
    """From the results of a stat loop over the sources (each with its bucket_upload_source): a message for each
    source that does not exist or is neither a file nor a directory."""
    out = []
    for index, found in enumerate(_sources(stats, "bucket_upload_missing")):
        stat = found.get("stat") or {}
        if stat.get("exists") and (stat.get("isreg") or stat.get("isdir")):
            continue
        src = _text((found.get("bucket_upload_source") or {}).get("src"))
        out.append("bucket_upload_sources[%d].src: %s %s" % (
            index, src, "does not exist" if not stat.get("exists") else "is neither a file nor a directory"))
    return out


def bucket_upload_failure(failed):
    """The message of a failed upload loop: each failed source as bucket_upload_sources[i] and its reason."""
    if not isinstance(failed, Mapping):
        raise AnsibleFilterError("bucket_upload_failure: expected the failed result (a mapping), got %s" % type(failed).__name__)
    out = []
    for run in _sources(failed.get("results") or [], "bucket_upload_failure"):
        if not run.get("failed"):
            continue
        msg = _text(run.get("msg"))
        src = _text((run.get("bucket_upload_source") or {}).get("src"))
        out.append("bucket_upload_sources[%s].%s" % (run.get("bucket_upload_index"), msg if msg.startswith("src: ") else "src %s: %s" % (src, msg)))
    return "; ".join(out) if out else _text(failed.get("msg", "the upload failed"))


def bucket_upload_results(runs):
    """{src, prefix, uploaded, deleted, unchanged} of each source, from the upload loop's results."""
    return [{"src": (run.get("bucket_upload_source") or {}).get("src"), "prefix": run.get("prefix"),
             "uploaded": run.get("uploaded"), "deleted": run.get("deleted"), "unchanged": run.get("unchanged")}
            for run in _sources(runs, "bucket_upload_results")]


class FilterModule(object):
    """The bucket_upload role's filters."""

    def filters(self):
        return {
            "bucket_upload_plan": bucket_upload_plan,
            "bucket_upload_missing": bucket_upload_missing,
            "bucket_upload_failure": bucket_upload_failure,
            "bucket_upload_results": bucket_upload_results,
        }
