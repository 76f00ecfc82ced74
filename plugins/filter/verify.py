# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The verify role's judging (documentation: verify_input_problems.yml, verify_targets.yml, verify_verdict.yml).

Pure data in, data out: the role's tasks read the bucket, the objects, the IAM role, the app and its branches,
GET each branch's /api/image and read the compute log, registering what they found. These filters decide:

- verify_input_problems: what is wrong with the role's variables (before anything is read);
- verify_targets: what to read or fetch next (the app, the URL of each branch's /api/image, the branches that
  answered, the route's log line, the app's logs role and its expected inline policy), from what was read so far;
- verify_verdict: every check's verdict (verify_problems, verify_passed, verify_skipped) and verify_summary.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from urllib.parse import unquote_plus, urlsplit

from ansible.errors import AnsibleFilterError

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import grants
from ansible_collections.amplify_hosting.ssr.plugins.module_utils import logs_role as logs_role_utils
from ansible_collections.amplify_hosting.ssr.plugins.module_utils import runtime_resources as runtime_utils
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.compute_roles import parse_role_arn
from ansible_collections.amplify_hosting.ssr.plugins.plugin_utils.ownership import (
    expect,
    expect_items,
    ownership_subset,
    ownership_tags,
    plain,
    tags_of,
    to_json,
)

BLOCK_PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+")
REFUSED = (401, 403)
# Answers that mean nothing serves the branch at that address: no answer at all (-1); 421 Misdirected Request (the
# server reached serves no site for that host name, RFC 9110); the local endpoint's 404 "Nothing serves branch
# <name> of app <id> on this endpoint: ..." for a branch its compute runs no server for.
NOT_SERVED_STATUSES = (-1, 421)
NOT_SERVED_BODY = re.compile(r"^Nothing serves branch ")
UNRESOLVED = re.compile(r"not known|nodename nor servname|name resolution|No address associated|getaddrinfo")
# The run-time resources (runtime_resources_info): the kinds in the order they are judged, and what each is called.
RUNTIME_KINDS = (("parameters", "SSM parameter", "parameter"), ("secrets", "secret", "secret"),
                 ("tables", "DynamoDB table", "table"))
IAM_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")


def _first(items):
    return items[0] if items else {}


def _get(value, *path, default=None):
    """value[path[0]][path[1]]..., ``default`` where a level is missing or not a mapping."""
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return default
        value = value[key]
    return value


def _truncate(text, length):
    """As Jinja's truncate(length): kept when at most length + 5 characters, else cut at a word, with '...'."""
    if len(text) <= length + 5:
        return text
    return text[:length - 3].rsplit(" ", 1)[0] + "..."


def _ownership_problem(label, tags, wanted):
    found = ownership_subset(tags, wanted)
    if found == wanted:
        return []
    return ["%s: ownership tags are %s, expected %s" % (label, to_json(found), to_json(wanted))]


def _int(value, what, filter_name):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise AnsibleFilterError("%s: %s must be a number, got %r" % (filter_name, what, value))


def _float(value, what, filter_name):
    try:
        return float(value)
    except (TypeError, ValueError):
        raise AnsibleFilterError("%s: %s must be a number, got %r" % (filter_name, what, value))


# --- verify_input_problems ------------------------------------------------------------------------------------
def verify_input_problems(names, branches=None, object_url_template="", compute_log_retries=0, compute_log_delay=0,
                          expected_image="", image=None, role_policy=None, runtime_resources=None, logs_role=""):
    """What is wrong with the role's variables, one message per failed check, in the order the role checks."""
    name = "verify_input_problems"
    expect(names, "mapping", "the names (input)", name)
    branches = expect_items([] if branches is None else branches, "mapping", "branches", name)
    problems = []
    empty = [key for key, value in names.items() if not str(value or "").strip()]
    if empty:
        problems.append("%s must not be empty" % ", ".join(empty))
    not_arns = [b for b in branches if not ROLE_ARN.match(str(b.get("compute_role_arn", "")))]
    if not_arns:
        problems.append("verify_branches: the compute_role_arn of branch(es) %s is not an IAM role ARN (got %s)"
                        % (", ".join(str(b.get("name")) for b in not_arns),
                           ", ".join(str(b.get("compute_role_arn")) for b in not_arns)))
    if "{bucket}" not in object_url_template or "{key}" not in object_url_template:
        problems.append("verify_s3_object_url_template must contain {bucket} and {key} (got '%s')"
                        % object_url_template)
    if (_int(compute_log_retries, "compute_log_retries", name) < 0
            or _float(compute_log_delay, "compute_log_delay", name) < 0):
        problems.append("verify_compute_log_retries and verify_compute_log_delay must be 0 or more (got %s and %s)"
                        % (compute_log_retries, compute_log_delay))
    if expected_image and not _get(image, "stat", "isreg", default=False):
        problems.append("verify_expected_image: %s is not a file" % expected_image)
    policy = expect({} if role_policy is None else role_policy, "mapping", "role_policy", name)
    # The region of grants outside S3 is the play's (compute_role_audit's region), known to the module only.
    problems += grants.grant_problems(policy.get("grants", []), "verify_role_grants", region=True)
    problems += grants.managed_policy_problems(policy.get("managed_policies", []), "verify_role_managed_policies")
    problems += grants.policy_arn_problems(policy.get("permissions_boundary", ""), "verify_role_permissions_boundary",
                                           allow_empty=True)
    problems += grants.trust_condition_problems(policy.get("source_account", ""), policy.get("source_arn", ""),
                                                "verify_role_source_account", "verify_role_source_arn")
    inline = policy.get("inline_policies", {})
    if not isinstance(inline, Mapping):
        problems.append("verify_role_inline_policies: must be a mapping of policy names to documents")
    declared = expect({} if runtime_resources is None else runtime_resources, "mapping", "runtime_resources", name)
    for kind, _label, _one in RUNTIME_KINDS:
        names_of_kind = expect_items(declared.get(kind) or [], "string", "runtime_resources.%s" % kind, name)
        problems += runtime_utils.name_problems(names_of_kind, kind, "verify_" + kind)
    if logs_role and not (isinstance(logs_role, str) and (IAM_ROLE_NAME.match(logs_role)
                                                          or logs_role_utils.ROLE_ARN_RE.match(logs_role))):
        problems.append('verify_logs_role: must be "", an IAM role name or an IAM role ARN such as'
                        " arn:aws:iam::123456789012:role/my-logs (got %r)" % (logs_role,))
    return problems


# --- verify_targets ---------------------------------------------------------------------------------------------
def _image_get(item, found):
    """Where a branch's /api/image is fetched from. Every name under .localhost is loopback (RFC 6761); browsers
    resolve such names themselves, this machine's resolver does not: for those URLs the GET connects to 127.0.0.1
    at the URL's port and sends the URL's host (with the port) as the Host header, as a browser would."""
    url = re.sub(r"/+$", "", str(item.get("url") or found.get("url") or "")) + "/api/image"
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise AnsibleFilterError("verify_targets: branch %s: bad URL %s (%s)" % (item.get("name"), url, error))
    if re.match(r".*[.]localhost$", parts.hostname or ""):
        connect = "%s://127.0.0.1:%s%s%s" % (parts.scheme, port, parts.path, "?" + parts.query if parts.query else "")
        return {"name": item.get("name"), "url": url, "connect": connect, "host": "%s:%s" % (parts.hostname, port)}
    return {"name": item.get("name"), "url": url, "connect": url, "host": ""}


def _unserved(answers):
    """The branches nothing serves (their GET is skipped, or failed with verify_require_app_url)."""
    names = [_get(a, "item", "name") for a in answers if a.get("status") in NOT_SERVED_STATUSES]
    return names + [_get(a, "item", "name") for a in answers
                    if a.get("status") == 404 and isinstance(a.get("body"), str) and NOT_SERVED_BODY.search(a["body"])]


def _logs_role_targets(logs_role, logs_role_info, app_match):
    """The logs role to read by name ("" for none, or for an ARN: a role of the user's, only compared with the
    app's), and the inline policy it must have, by name, once it was read and the app found: the logs_role
    role's document in the role's partition and account, for the log groups of the app's region."""
    name = logs_role if logs_role and not logs_role.startswith("arn:") else ""
    role = _first(_get(logs_role_info, "iam_roles", default=[]) or [])
    location = parse_role_arn(role.get("arn")) if name and role else None
    app_arn = str(app_match.get("app_arn") or "").split(":")
    region = app_arn[3] if len(app_arn) > 5 and app_arn[2] == "amplify" else ""
    policies = {}
    if location and region:
        try:
            document = logs_role_utils.logs_policy(location[0], location[1], region)
            policies = {logs_role_utils.logs_policy_name(name): document}
        except ValueError as error:
            raise AnsibleFilterError("verify_targets: the logs role %s: %s" % (name, error))
    return {"logs_role_name": name, "logs_role_policies": policies}


def verify_targets(app, apps=None, branches=None, branch_listing=None, bucket="", object_keys=None,
                   image_answers=None, logs_role="", logs_role_info=None):
    """What to read and fetch: the app (by id, else by name), each branch's GET of /api/image, which answers
    mean the branch is served, the line the route logs for the request, and the app's logs role."""
    name = "verify_targets"
    expect(app, "string", "the app (input)", name)
    apps = expect_items([] if apps is None else apps, "mapping", "apps", name)
    branches = expect_items([] if branches is None else branches, "mapping", "branches", name)
    listing = expect_items([] if branch_listing is None else branch_listing, "mapping", "branch_listing", name)
    object_keys = expect_items([] if object_keys is None else object_keys, "string", "object_keys", name)
    answers = expect_items([] if image_answers is None else image_answers, "mapping", "image_answers", name)
    expect(logs_role, "string", "logs_role", name)
    expect({} if logs_role_info is None else logs_role_info, "mapping", "logs_role_info", name)
    matches = [a for a in apps if a.get("app_id") == app] or [a for a in apps if a.get("name") == app]
    app_id = matches[0].get("app_id", "") if len(matches) == 1 else ""
    gets = []
    if app_id:
        listed = {b.get("branch_name"): b for b in reversed(listing)}
        gets = [_image_get(item, listed[item.get("name")]) for item in branches if item.get("name") in listed]
    unserved = _unserved(answers)
    # What the route logs for the request: "[api/image] s3://<bucket>/<key>: 200, ..." or
    # "[api/image] GetObject s3://<bucket>/<key> failed: ...". Any key of the bucket without object_keys.
    location = "s3://%s/%s" % (bucket, object_keys[0] if object_keys else "")
    logs = _logs_role_targets(logs_role, logs_role_info, matches[0] if app_id else {})
    return plain(dict(logs, **{
        "app_matches": matches,
        "app_id": app_id,
        "gets": gets,
        "unserved": unserved,
        "served": [a for a in answers if _get(a, "item", "name") not in unserved],
        "log_group": "/aws/amplify/%s" % app_id,
        "route_location": location,
        "route_line_re": r"^\[api/image\] .*" + re.escape(location) + ("[: ]" if object_keys else ""),
    }))


# --- verify_verdict ---------------------------------------------------------------------------------------------
class _Verdict(object):
    def __init__(self):
        self.problems, self.passed, self.skipped = [], [], []

    def judge(self, problems, passed):
        """Problems when there are any, else the check passed."""
        self.problems += problems
        if not problems:
            self.passed.append(passed)


def _judge_bucket(verdict, bucket, found, wanted):
    label = "bucket %s" % bucket
    if not found:
        return verdict.judge(["%s: does not exist" % label], None)
    configuration = _get(found, "public_access_block", "PublicAccessBlockConfiguration", default={})
    on = [key for key, value in configuration.items() if value]
    flags_off = [flag for flag in BLOCK_PUBLIC_ACCESS_FLAGS if flag not in on]
    rule = _first(_get(found, "bucket_ownership_controls", "OwnershipControls", "Rules", default=[]))
    ownership = _get(rule, "ObjectOwnership", default="not set")
    problems = []
    if flags_off:
        problems.append("%s: Block Public Access flag(s) off: %s" % (label, ", ".join(flags_off)))
    if ownership != "BucketOwnerEnforced":
        problems.append("%s: ACLs are not disabled (object ownership is %s, expected BucketOwnerEnforced)"
                        % (label, ownership))
    problems += _ownership_problem(label, tags_of(found, "bucket_tagging"), wanted)
    verdict.judge(problems, "%s: all four Block Public Access flags on, ACLs disabled, tagged" % label)


def _judge_objects(verdict, bucket, objects, anonymous):
    verdict.problems += ["s3://%s/%s: does not exist (or cannot be read with the caller's credentials)"
                         % (bucket, o.get("item")) for o in objects if "object_info" not in o]
    for answer in anonymous:
        key, status = _get(answer, "item", "item"), answer.get("status")
        if status in REFUSED:
            verdict.passed.append("s3://%s/%s: anonymous GET refused" % (bucket, key))
        else:
            how = "no answer: %s" % answer.get("msg", "") if status == -1 else "answered %s" % status
            verdict.problems.append("s3://%s/%s: anonymous GET %s was not refused (%s, expected 403)"
                                    % (bucket, key, answer.get("url"), how))


def trusts_amplify(document):
    """Whether an Allow statement of the trust policy lets amplify.amazonaws.com sts:AssumeRole."""
    statements = _get(document, "Statement", default=[])
    for statement in [statements] if isinstance(statements, Mapping) else statements:
        if not isinstance(statement, Mapping) or statement.get("Effect", "") != "Allow":
            continue
        principal = statement.get("Principal")
        service = principal.get("Service", []) if isinstance(principal, Mapping) else []
        action = statement.get("Action", [])
        service = [service] if isinstance(service, str) else service
        action = [action] if isinstance(action, str) else action
        if "amplify.amazonaws.com" in service and any(a in action for a in ("sts:AssumeRole", "sts:*", "*")):
            return True
    return False


def _judge_role(verdict, role_name, found, wanted):
    label = "IAM role %s" % role_name
    if not found:
        return verdict.judge(["%s: does not exist" % label], None)
    document = found.get("assume_role_policy_document", {})
    if not isinstance(document, Mapping):
        try:
            document = json.loads(unquote_plus(str(document)))
        except ValueError as error:
            raise AnsibleFilterError("verify_verdict: %s: the trust policy is not JSON (%s)" % (label, error))
    problems = []
    if not trusts_amplify(document):
        problems.append("%s: its trust policy does not allow amplify.amazonaws.com to sts:AssumeRole (trust policy: %s)"
                        % (label, to_json(document)))
    problems += _ownership_problem(label, tags_of(found), wanted)
    verdict.judge(problems, "%s: trusts amplify.amazonaws.com, tagged" % label)


def _judge_least_privilege(verdict, role_name, found, audit):
    """The compute_role_audit module's findings (fail_on=never): each excess, and each grant that is missing.
    Its "does not exist" and "does not trust Amplify" findings are _judge_role's, not repeated here."""
    if not found or not audit:
        return
    if audit.get("failed") or "findings" not in audit:
        return verdict.judge(["IAM role %s: the least-privilege audit failed: %s" % (role_name, audit.get("msg", ""))],
                             None)
    repeated = [f for f in audit["findings"] if f.get("kind") == "role" or (f.get("kind") == "trust" and not f.get("excess"))]
    problems = [str(f.get("message")) for f in audit["findings"] if f not in repeated]
    expected = audit.get("expected") or {}
    verdict.judge(problems, "IAM role %s: least privilege: trusts amplify.amazonaws.com only, with exactly the inline"
                  " policies asked for (%s), the managed policies asked for (%s), and the boundary asked for (%s)"
                  % (role_name, ", ".join(sorted(expected.get("inline_policies") or {})) or "none",
                     ", ".join(expected.get("managed_policies") or []) or "none",
                     "not judged" if expected.get("permissions_boundary") is None
                     else expected.get("permissions_boundary") or "none"))


def _judge_runtime_resources(verdict, environment, declared, found, wanted):
    """One check for the SSM parameters, secrets and tables declared (none declared, no check): each exists,
    carries the ownership tags of the environment and, for a secret, is not scheduled for deletion."""
    names = dict((kind, list(declared.get(kind) or [])) for kind, _label, _one in RUNTIME_KINDS)
    if not any(names.values()):
        return
    if found.get("failed") or any(kind not in found for kind in names):
        return verdict.judge(["run-time resources of %s: could not be read: %s"
                              % (environment, found.get("msg") or "runtime_resources_info did not run")], None)
    problems = []
    for kind, label, _one in RUNTIME_KINDS:
        entries = expect_items(found[kind], "mapping", "runtime_resources_info.%s" % kind, "verify_verdict")
        by_name = dict((entry.get("name"), entry) for entry in entries)
        for name in names[kind]:
            entry, what = by_name.get(name, {}), "%s %s" % (label, name)
            if not entry.get("exists"):
                problems.append("%s: does not exist" % what)
                continue
            problems += _ownership_problem(what, tags_of(entry), wanted)
            if entry.get("pending_deletion"):
                problems.append("%s: is scheduled for deletion" % what)
    verdict.judge(problems, "run-time resources: %s present and tagged for %s"
                  % (", ".join("%d %s(s)" % (len(names[kind]), one) for kind, _label, one in RUNTIME_KINDS),
                     environment))


def _judge_logs_role(verdict, logs_role, app, role_info, policies, audit):
    """One check of the app's CloudWatch Logs service role (logs_role "" : none). By name: the app's
    iamServiceRoleArn is that role, which exists and, by compute_role_audit, trusts Amplify only and holds
    exactly the logs_role role's inline policy and no managed policy. By ARN (a role of the user's): the app's
    iamServiceRoleArn is that ARN, nothing more. Not judged when the app is not found (its own check fails)."""
    if not logs_role or not app:
        return
    label = "app %s (%s): CloudWatch Logs service role (iamServiceRoleArn)" % (app.get("name"), app.get("app_id"))
    actual = app.get("iam_service_role_arn") or ""
    if logs_role.startswith("arn:"):
        problems = [] if actual == logs_role else ["%s is %s, expected %s" % (label, actual or "not set", logs_role)]
        return verdict.judge(problems, "%s is %s (a role of your own: not audited)" % (label, logs_role))
    role = _first(role_info.get("iam_roles") or [])
    if not role:
        problems = ["IAM role %s (the app's CloudWatch Logs service role): does not exist" % logs_role]
        if actual.rsplit("/", 1)[-1] != logs_role:
            problems.append("%s is %s, expected the role %s" % (label, actual or "not set", logs_role))
        return verdict.judge(problems, None)
    problems = []
    if actual != role.get("arn"):
        problems.append("%s is %s, expected %s" % (label, actual or "not set", role.get("arn")))
    if not policies:
        problems.append("IAM role %s (the app's CloudWatch Logs service role): not audited: the app's region is"
                        " unknown (its ARN is %s)" % (logs_role, app.get("app_arn") or "not known"))
    elif not audit or audit.get("failed") or "findings" not in audit:
        problems.append("IAM role %s: the least-privilege audit of the app's CloudWatch Logs service role failed: %s"
                        % (logs_role, audit.get("msg") or "it did not run"))
    else:
        # Its "does not exist" finding is the role read's; everything else, a lack included, is a problem here.
        problems += [str(f.get("message")) for f in audit["findings"] if f.get("kind") != "role"]
    verdict.judge(problems, "%s is %s: trusts amplify.amazonaws.com only, with exactly the inline policy %s and no"
                  " managed policy" % (label, role.get("arn"), ", ".join(sorted(policies))))


def _judge_app(verdict, app, matches):
    if not matches:
        verdict.problems.append("Amplify app %s: not found (neither an app id nor an app name)" % app)
    elif len(matches) > 1:
        verdict.problems.append("Amplify app %s: the name matches several apps (%s); give the id"
                                % (app, ", ".join(str(a.get("app_id")) for a in matches)))


def _effective_role(found, app):
    """The role the branch's compute runs with, and where it comes from."""
    own, default = found.get("compute_role_arn") or "", app.get("compute_role_arn") or ""
    if own:
        return own, "its own override"
    if default:
        return default, "the app's default"
    return "", "neither the branch nor the app has one"


def _judge_branches(verdict, app, branches, listed, wanted):
    for item in branches:
        label = "branch %s of app %s (%s)" % (item.get("name"), app.get("name"), app.get("app_id"))
        found = listed.get(item.get("name"), {})
        if not found:
            verdict.judge(["%s: does not exist" % label], None)
            continue
        effective, source = _effective_role(found, app)
        problems = []
        if effective != item.get("compute_role_arn"):
            problems.append("%s: runs with %s (%s), expected %s"
                            % (label, effective or "no compute role", source, item.get("compute_role_arn")))
        problems += _ownership_problem(label, tags_of(found), wanted)
        verdict.judge(problems, "%s: runs with %s (%s), tagged" % (label, item.get("compute_role_arn"), source))


def _why_not_served(answer, timeout):
    """Why nothing serves the branch, in words; the client's own error in brackets."""
    get, status = answer.get("item", {}), answer.get("status")
    host = urlsplit(str(get.get("url", ""))).hostname
    netloc = urlsplit(str(get.get("connect", ""))).netloc
    error = str(answer.get("msg", "no answer"))
    if status == 421:
        return ("nothing serves it at %s (%s answered 421 Misdirected Request: it serves no site for that host name)"
                % (host, netloc))
    if status == 404:
        body = _truncate(str(answer.get("body", "")).strip(), 300)
        return "nothing serves it at %s (%s answered 404: %s)" % (host, netloc, body)
    if UNRESOLVED.search(error):
        return "its host name %s does not resolve (not deployed, or no network; %s)" % (host, error)
    if re.search(r"[Cc]onnection refused", error):
        return "nothing listens at %s (%s)" % (netloc, error)
    if re.search(r"timed out|[Tt]imeout", error):
        return "no answer from %s within %s s (%s)" % (host, timeout, error)
    return "no answer from %s (%s)" % (host, error)


def _route_error(answer):
    """The route answers its failures as JSON {error, code} (code: the AWS error, e.g. AccessDenied)."""
    body = answer.get("json")
    if not isinstance(body, Mapping) or not (body.get("code") or body.get("error")):
        return ""
    return (": the route /api/image failed" + (" with %s" % body["code"] if body.get("code") else "")
            + (" (%s)" % body["error"] if body.get("error") else ""))


def _judge_images(verdict, answers, files, unserved, expected_image, image, require_app_url, timeout):
    expected_checksum = _get(image, "stat", "checksum")
    for index, answer in enumerate(answers):
        get = answer.get("item", {})
        label = "branch %s: GET %s" % (get.get("name"), get.get("url"))
        status = answer.get("status")
        if get.get("name") in unserved:
            why = _why_not_served(answer, timeout)
            if require_app_url:
                verdict.problems.append("%s: the branch does not answer: %s, and verify_require_app_url is true"
                                        % (label, why))
            else:
                verdict.skipped.append("%s: skipped, the branch does not answer: %s (set verify_require_app_url to fail"
                                       " instead)" % (label, why))
            continue
        stat = _get(files[index] if index < len(files) else {}, "stat", default={})
        same_bytes = not expected_image or stat.get("checksum", "") == expected_checksum
        if status != 200:
            verdict.problems.append("%s: answered %s, expected 200%s" % (label, status, _route_error(answer)))
        elif not same_bytes:
            verdict.problems.append("%s: answered 200 but the body (%s bytes) differs from %s (%s bytes)"
                                    % (label, stat.get("size", 0), expected_image, _get(image, "stat", "size")))
        else:
            verdict.passed.append("%s: 200 with the expected bytes" % label)


def _judge_logs(verdict, logs, targets, started_ms):
    for log in logs:
        get = _get(log, "item", "item", default={})
        label = "branch %s: GET %s: compute log" % (get.get("name"), get.get("url"))
        messages = [str(event.get("message", "")) for event in log.get("events", [])]
        lines = [m for m in messages if re.search(targets["route_line_re"], m)]
        if lines:
            verdict.passed.append('%s: the route logged "%s" (%s)'
                                  % (label, _truncate(lines[0], 200), targets["log_group"]))
        elif "events" not in log:
            verdict.problems.append("%s: could not read %s (CloudWatch Logs): %s"
                                    % (label, targets["log_group"], log.get("msg", "")))
        else:
            if not log.get("exists"):
                found = "the log group does not exist"
            elif messages:
                found = "the route logged only: " + " | ".join(_truncate(m, 200) for m in messages)
            else:
                found = "the branch logged no line of the route"
            verdict.problems.append(
                "branch %s: no compute log line for GET %s in %s (CloudWatch Logs): expected a line of the route naming"
                " %s after %s (read %s times); %s"
                % (get.get("name"), get.get("url"), targets["log_group"], targets["route_location"],
                   time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(started_ms) // 1000)),
                   log.get("attempts", 1), found))


def _runtime_summary(declared, found):
    """Each declared run-time resource: kind (parameter, secret, table), name, exists."""
    entries = []
    for kind, _label, one in RUNTIME_KINDS:
        by_name = dict((e.get("name"), e) for e in found.get(kind) or [] if isinstance(e, Mapping))
        entries += [{"kind": one, "name": name, "exists": bool(_get(by_name, name, "exists", default=False))}
                    for name in declared.get(kind) or []]
    return entries


def _summary(environment, bucket, buckets, role, objects, app_match, branches, listed, runtime):
    entries = []
    for item in branches:
        found = listed.get(item.get("name"), {})
        entries.append({
            "name": item.get("name"),
            "exists": bool(found),
            "effective_compute_role_arn": _effective_role(found, app_match)[0] if found else "",
            "url": item.get("url") or found.get("url", ""),
        })
    return {
        "environment": environment,
        "role_arn": role.get("arn", ""),
        "bucket": bucket if buckets else "",
        "objects": [o.get("item") for o in objects if not o.get("failed")],
        "app_id": app_match.get("app_id", ""),
        "app_compute_role_arn": (app_match.get("compute_role_arn") or "") if app_match else "",
        "app_service_role_arn": (app_match.get("iam_service_role_arn") or "") if app_match else "",
        "branches": entries,
        "runtime_resources": runtime,
    }


def verify_verdict(environment, bucket="", object_keys=None, role_name="", app="", branches=None, expected_image="",
                   image=None, require_app_url=False, app_url_timeout=5, compute_log=True, bucket_info=None,
                   objects=None, anonymous=None, role_info=None, apps=None, branch_listing=None, image_answers=None,
                   image_files=None, compute_logs=None, get_started_ms=0, role_audit=None, runtime_resources=None,
                   runtime_resources_info=None, logs_role="", logs_role_info=None, logs_role_audit=None):
    """Every check's verdict, in the role's order: problems, passed, skipped; and the summary."""
    name = "verify_verdict"
    expect(environment, "string", "the environment (input)", name)
    for what, value in (("bucket_info", bucket_info), ("role_info", role_info), ("image", image),
                        ("role_audit", role_audit), ("runtime_resources", runtime_resources),
                        ("runtime_resources_info", runtime_resources_info), ("logs_role_info", logs_role_info),
                        ("logs_role_audit", logs_role_audit)):
        expect({} if value is None else value, "mapping", what, name)
    declared = runtime_resources or {}
    for kind, _label, _one in RUNTIME_KINDS:
        expect_items(declared.get(kind) or [], "string", "runtime_resources.%s" % kind, name)
    lists = {}
    for what, value in (("objects", objects), ("anonymous", anonymous), ("image_answers", image_answers),
                        ("image_files", image_files), ("compute_logs", compute_logs)):
        lists[what] = expect_items([] if value is None else value, "mapping", what, name)
    wanted = ownership_tags(environment)
    targets = verify_targets(app, apps=apps, branches=branches, branch_listing=branch_listing, bucket=bucket,
                             object_keys=object_keys, image_answers=lists["image_answers"], logs_role=logs_role,
                             logs_role_info=logs_role_info)
    branches = [] if branches is None else branches
    listed = {b.get("branch_name"): b for b in reversed(branch_listing or [])}
    buckets = expect_items((bucket_info or {}).get("buckets", []), "mapping", "bucket_info.buckets", name)
    role = _first(expect_items((role_info or {}).get("iam_roles", []), "mapping", "role_info.iam_roles", name))
    app_match = targets["app_matches"][0] if targets["app_id"] else {}

    verdict = _Verdict()
    _judge_bucket(verdict, bucket, _first(buckets), wanted)
    _judge_objects(verdict, bucket, lists["objects"], lists["anonymous"])
    _judge_role(verdict, role_name, role, wanted)
    _judge_least_privilege(verdict, role_name, role, role_audit or {})
    _judge_runtime_resources(verdict, environment, declared, runtime_resources_info or {}, wanted)
    _judge_app(verdict, app, targets["app_matches"])
    _judge_logs_role(verdict, logs_role, app_match, logs_role_info or {}, targets["logs_role_policies"],
                     logs_role_audit or {})
    if app_match:
        _judge_branches(verdict, app_match, branches, listed, wanted)
    _judge_images(verdict, lists["image_answers"], lists["image_files"], targets["unserved"], expected_image,
                  image or {}, require_app_url, app_url_timeout)
    _judge_logs(verdict, lists["compute_logs"], targets, get_started_ms)
    if compute_log:
        verdict.skipped += ["branch %s: compute log check skipped: nothing served its GET of /api/image (above)" % n
                            for n in targets["unserved"]]
    return plain({
        "problems": verdict.problems,
        "passed": verdict.passed,
        "skipped": verdict.skipped,
        "summary": _summary(environment, bucket, buckets, role, lists["objects"], app_match, branches, listed,
                            _runtime_summary(declared, runtime_resources_info or {})),
    })


class FilterModule(object):
    """The verify role's judging."""

    def filters(self):
        return {
            "verify_input_problems": verify_input_problems,
            "verify_targets": verify_targets,
            "verify_verdict": verify_verdict,
        }
