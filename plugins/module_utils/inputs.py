# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The rules every input is checked by before the first write: one place per resource kind.

The modules call these before any AWS call that writes; the roles call them through the filter
``amplify_hosting.ssr.input_problems`` (plugins/filter/inputs.py), so no rule is copied into Jinja. Each rule
returns the problems it finds as ``option: what is wrong (what is allowed)`` strings; check() raises them.

The limits follow AWS, not the local endpoint:
- Amplify: the botocore service model's shapes (Name, BranchName 1-255; Description 1000; Framework 255;
  EnvKey 255, EnvValue 5500; TagKey 1-128 ``^(?!aws:)[a-zA-Z+-=._:/]+$``, TagValue 256
  ``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*``, at most 50 tags; Repository 1000; BuildSpec 25000; AccessToken 4096)
  and the user guide, "Using environment variables in an Amplify application": no variable name with the
  ``AWS`` prefix, values at most 5500 characters.
- A branch is a Git branch: ``git check-ref-format --branch`` rules (git-check-ref-format(1)).
- Environment variable names: a name the build's shell and the server's process environment can carry, as
  POSIX defines portable names (letters, digits and ``_``, not starting with a digit).
- S3 bucket names: the S3 user guide, "General purpose bucket naming rules".
- Tags of IAM roles and S3 buckets: the IAM user guide, "Tagging IAM resources", and the S3 user guide
  ("Categorizing your storage using tags"): keys 1-128, values up to 256, letters, digits, spaces and
  ``_ . : / = + - @``, no ``aws:`` prefix.
"""

import ipaddress
import re
import unicodedata

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError

# Amplify's model: Name and BranchName 1-255 characters.
NAME_MAX = 255
DESCRIPTION_MAX = 1000
FRAMEWORK_MAX = 255
REPOSITORY_MAX = 1000
BUILD_SPEC_MAX = 25000
ENV_NAME_MAX = 255
ENV_VALUE_MAX = 5500
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
AMPLIFY_TAGS_MAX = 50
# Amplify's TagKey pattern, as its model writes it ("+-=" is the range from "+" to "=").
AMPLIFY_TAG_KEY_RE = re.compile(r"^(?!aws:)[a-zA-Z+-=._:/]+$")
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TAG_PUNCTUATION = set("_.:/=+-@")
# S3 general purpose bucket names.
BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
# git check-ref-format: characters no ref may hold.
GIT_REF_BAD_CHARS = set(" ~^:?*[\\")


def check(problems):
    """Raise one AmplifyError listing `problems` (strings), if any."""
    problems = [p for p in problems if p]
    if problems:
        raise AmplifyError("; ".join(problems))


def _is_string(value):
    return isinstance(value, str)


def name_problems(value, option, max_length=NAME_MAX, what="name"):
    """A name: a non-empty string of at most max_length characters, without surrounding whitespace."""
    if not _is_string(value):
        return ["%s: must be a string (got %s)" % (option, type(value).__name__)]
    if not value.strip():
        return ["%s: must not be empty" % option]
    problems = []
    if value != value.strip():
        problems.append("%s: %r has surrounding whitespace (a %s is matched exactly; remove it)" % (option, value, what))
    if len(value) > max_length:
        problems.append("%s: is %d characters long (at most %d)" % (option, len(value), max_length))
    return problems


def text_problems(value, option, max_length):
    """Free text (a description, a framework): a string of at most max_length characters."""
    if value is None:
        return []
    if not _is_string(value):
        return ["%s: must be a string (got %s)" % (option, type(value).__name__)]
    if len(value) > max_length:
        return ["%s: is %d characters long (at most %d)" % (option, len(value), max_length)]
    return []


def branch_name_problems(value, option="branch_name"):
    """A Git branch name, by `git check-ref-format --branch`, and Amplify's 255 characters."""
    problems = name_problems(value, option, what="branch name")
    if problems:
        return problems
    reasons = []
    if any(ord(c) < 32 or ord(c) == 127 for c in value) or GIT_REF_BAD_CHARS & set(value):
        reasons.append("no spaces, control characters or any of ~ ^ : ? * [ \\")
    if value.startswith("-"):
        reasons.append("it must not start with -")
    if value == "@" or "@{" in value:
        reasons.append("it must not be @ nor hold @{")
    if ".." in value:
        reasons.append("no ..")
    if value.startswith("/") or value.endswith("/") or "//" in value:
        reasons.append("no leading, trailing or double /")
    if value.endswith("."):
        reasons.append("it must not end with .")
    if any(part.startswith(".") or part.endswith(".lock") for part in value.split("/")):
        reasons.append("no part may start with . or end with .lock")
    if reasons:
        return ["%s: %r is not a Git branch name (git check-ref-format --branch: %s)" % (option, value, "; ".join(reasons))]
    return []


def environment_problems(variables, option):
    """Environment variables: names the shell can carry, without Amplify's reserved AWS prefix; values strings
    of at most 5500 characters. A whole number is taken as its digits; true/false, null, lists and maps are
    refused (YAML would make them True, None, "[...]"), never turned into a string nobody meant."""
    if variables is None:
        return []
    if not isinstance(variables, dict):
        return ["%s: must be a map of names to values (got %s)" % (option, type(variables).__name__)]
    problems = []
    for name, value in variables.items():
        if not _is_string(name) or not ENV_NAME_RE.match(name) or len(name) > ENV_NAME_MAX:
            problems.append(
                "%s: %r is not an environment variable name (letters, digits and _, not starting with a digit, at "
                "most %d characters)" % (option, name, ENV_NAME_MAX)
            )
            continue
        if name.startswith("AWS"):
            problems.append("%s: %s starts with AWS, a prefix Amplify keeps for its own variables" % (option, name))
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            problems.append(
                "%s.%s: must be a string (got %s; quote it in YAML, or use to_json for structured data)"
                % (option, name, "null" if value is None else type(value).__name__)
            )
        elif len(str(value)) > ENV_VALUE_MAX:
            problems.append("%s.%s: the value is %d characters long (Amplify takes at most %d)" % (option, name, len(str(value)), ENV_VALUE_MAX))
    return problems


def _tag_text_ok(text):
    for char in text:
        category = unicodedata.category(char)
        if not (category[0] in "LNZ" or char in TAG_PUNCTUATION):
            return False
    return True


def tag_problems(tags, option, service):
    """Tags of an Amplify app or branch (service "amplify"), an IAM role ("iam") or an S3 bucket ("s3")."""
    if tags is None:
        return []
    if not isinstance(tags, dict):
        return ["%s: must be a map of keys to values (got %s)" % (option, type(tags).__name__)]
    problems = []
    if service == "amplify" and len(tags) > AMPLIFY_TAGS_MAX:
        problems.append("%s: %d tags (Amplify takes at most %d)" % (option, len(tags), AMPLIFY_TAGS_MAX))
    for key, value in tags.items():
        if not _is_string(key) or not key or len(key) > TAG_KEY_MAX:
            problems.append("%s: %r is not a tag key (1 to %d characters)" % (option, key, TAG_KEY_MAX))
            continue
        if key.lower().startswith("aws:"):
            problems.append("%s: %r starts with aws:, a prefix AWS keeps for its own tags" % (option, key))
            continue
        if service == "amplify" and not AMPLIFY_TAG_KEY_RE.match(key):
            problems.append("%s: %r is not an Amplify tag key (letters and + , - . / 0-9 : ; < = _ only)" % (option, key))
        elif service != "amplify" and not _tag_text_ok(key):
            problems.append("%s: %r is not a tag key (letters, digits, spaces and _ . : / = + - @)" % (option, key))
        if value is None or isinstance(value, (dict, list, bool)):
            problems.append("%s.%s: must be a string (got %s)" % (option, key, "null" if value is None else type(value).__name__))
            continue
        value = str(value)
        if len(value) > TAG_VALUE_MAX:
            problems.append("%s.%s: the value is %d characters long (at most %d)" % (option, key, len(value), TAG_VALUE_MAX))
        elif not _tag_text_ok(value):
            problems.append("%s.%s: %r holds characters tags cannot (letters, digits, spaces and _ . : / = + - @)" % (option, key, value))
    return problems


def repository_problems(value, option="repository"):
    """An app's repository: an https:// URL of at most 1000 characters (the local compute maps such URLs too)."""
    if value is None or value == "":
        return []
    if not _is_string(value):
        return ["%s: must be a string (got %s)" % (option, type(value).__name__)]
    host = value[len("https://"):].split("/", 1)[0] if value.startswith("https://") else ""
    if not host or value != value.strip() or " " in value:
        return ["%s: %r is not an https:// URL of a Git repository (https://github.com/<owner>/<repo>)" % (option, value)]
    if len(value) > REPOSITORY_MAX:
        return ["%s: is %d characters long (at most %d)" % (option, len(value), REPOSITORY_MAX)]
    return []


def bucket_name_problems(value, option):
    """An S3 general purpose bucket name."""
    if not _is_string(value) or not value:
        return ["%s: must be a bucket name (got %r)" % (option, value)]
    reasons = []
    if not BUCKET_RE.match(value):
        reasons.append("3 to 63 lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit")
    if ".." in value:
        reasons.append("no two adjacent periods")
    try:
        ipaddress.IPv4Address(value)
        reasons.append("not an IP address")
    except ValueError:
        pass
    if value.startswith(BUCKET_PREFIXES):
        reasons.append("not starting with %s" % ", ".join(BUCKET_PREFIXES))
    if value.endswith(BUCKET_SUFFIXES):
        reasons.append("not ending with %s" % ", ".join(BUCKET_SUFFIXES))
    if reasons:
        return ["%s: %r is not an S3 bucket name (%s)" % (option, value, "; ".join(reasons))]
    return []
