# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An IAM role Amplify Hosting assumes (a compute role, the logs service role), made exactly as declared in one
module run: the amplify_role module.

The roles iam_compute_role and logs_role used amazon.aws's iam_role_info, iam_role and iam_policy for this: three
module runs, each reading the role again (about 12 IAM reads on a run that changes nothing). Here the role is
read once (GetRole, ListAttachedRolePolicies, ListRolePolicies, GetRolePolicy for each inline policy), compared,
and only what differs is written:

- ownership: an existing role without the tag managed-by=amplify_hosting.ssr is never changed (``Foreign``);
- the trust policy (UpdateAssumeRolePolicy), the description and the maximum session duration (UpdateRole), the
  permissions boundary (Put/DeleteRolePermissionsBoundary), tags, exactly (TagRole/UntagRole);
- managed policies, exactly (Attach/DetachRolePolicy);
- inline policies: each declared one with its document (PutRolePolicy), None for one that must not exist, and,
  with ``purge_inline``, no other (DeleteRolePolicy). Two of them depend on the role's account and partition,
  known once the role is read (or, for a new one, from the caller's identity): a compute role's grants
  (``<name>-grants``, grants.grants_policy, the document compute_role_audit proves the role against) and the
  logs role's policy (``<name>-logs``, logs_role.logs_policy).

Policies compare as IAM reads them (amazon.aws's compare_policies: order and single-item lists do not count).
A role's path cannot change (IAM has no call for it): a different one is warned about, as amazon.aws's iam_role
does, and the role keeps its own.
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.iam import convert_managed_policy_names_to_arns
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import grants as grants_rules
from ansible_collections.amplify_hosting.ssr.plugins.module_utils import logs_role
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.aws_helpers import validate_iam_identifiers
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.compute_roles import read_role_policies
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.grants import managed_policy_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.grants import policy_arn_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import TAG_VALUE_MAX
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import tag_problems
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.runtime_resources import OWNER
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.runtime_resources import OWNER_TAG
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.role_audit import policy_document


class Foreign(Exception):
    """The role exists and is not ours: nothing was written."""


def desired_tags(tags, environment):
    return dict(tags or {}, **{OWNER_TAG: OWNER, "environment": environment})


def read(iam, name):
    """The role as IAM has it ({} when absent): GetRole's role, "managed" (ARNs), "inline" ({name: document})."""
    role, inline, attached = read_role_policies(iam, name)
    if role is None:
        return {}
    return dict(role=role, managed=sorted(p["PolicyArn"] for p in attached), inline=inline)


def _view(role, managed, inline):
    """What the diff shows of a role (None for absent)."""
    if role is None:
        return {}
    return dict(
        path=role.get("Path"),
        description=role.get("Description", ""),
        max_session_duration=role.get("MaxSessionDuration"),
        permissions_boundary=(role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn", ""),
        trust_policy=policy_document(role.get("AssumeRolePolicyDocument") or "{}"),
        tags=boto3_tag_list_to_ansible_dict(role.get("Tags") or []),
        managed_policies=sorted(managed),
        inline_policies=inline,
    )


class Desired(object):
    """The role as declared. description, max_session_duration and boundary None: not managed ("" boundary: none).
    inline: {name: document, or None for must not exist}; purge_inline: no other inline policy."""

    def __init__(self, name, path, trust, tags, environment, managed=(), description=None, max_session_duration=None,
                 boundary=None, inline=None, purge_inline=False):
        self.name, self.path, self.trust = name, path or "/", policy_document(trust)
        self.tags = desired_tags(tags, environment)
        self.managed = sorted(set(managed or []))
        self.description, self.max_session_duration, self.boundary = description, max_session_duration, boundary
        self.inline = dict((k, None if v is None else policy_document(v)) for k, v in (inline or {}).items())
        self.purge_inline = purge_inline


def generated_policies(name, arn, grants=None, grants_region=None, logs_policy=False, logs_region=""):
    """The inline policies made from the role's ARN: {name: document, or None for must not exist}."""
    partition, account = arn.split(":")[1], arn.split(":")[4]
    policies = {}
    if grants is not None:
        policies[grants_rules.grants_policy_name(name)] = grants_rules.grants_policy(
            grants, partition, grants_region or None, account)
    if logs_policy:
        policies[logs_role.logs_policy_name(name)] = logs_role.logs_policy(partition, account, logs_region or "")
    return policies


def plan(current, desired):
    """The writes that make `current` (read()) `desired`, as (operation, parameters) in the order to make them.

    Raises Foreign, before any write, for a role that is not ours. Another path is not a difference: IAM cannot
    change it (path_warning() says so, as amazon.aws's iam_role does)."""
    name = desired.name
    if not current:
        create = dict(RoleName=name, Path=desired.path, AssumeRolePolicyDocument=json.dumps(desired.trust),
                      Tags=ansible_dict_to_boto3_tag_list(desired.tags))
        if desired.description:
            create["Description"] = desired.description
        if desired.max_session_duration:
            create["MaxSessionDuration"] = desired.max_session_duration
        if desired.boundary:
            create["PermissionsBoundary"] = desired.boundary
        writes = [("create_role", create)]
        writes += [("attach_role_policy", dict(RoleName=name, PolicyArn=arn)) for arn in desired.managed]
        writes += [("put_role_policy", dict(RoleName=name, PolicyName=policy, PolicyDocument=json.dumps(document)))
                   for policy, document in sorted(desired.inline.items()) if document is not None]
        return writes

    role = current["role"]
    tags = boto3_tag_list_to_ansible_dict(role.get("Tags") or [])
    if tags.get(OWNER_TAG) != OWNER:
        raise Foreign(name)

    writes = []
    if compare_policies(policy_document(role.get("AssumeRolePolicyDocument") or "{}"), desired.trust):
        writes.append(("update_assume_role_policy", dict(RoleName=name, PolicyDocument=json.dumps(desired.trust))))
    update = {}
    if desired.description is not None and desired.description != role.get("Description", ""):
        update["Description"] = desired.description
    if desired.max_session_duration is not None and desired.max_session_duration != role.get("MaxSessionDuration"):
        update["MaxSessionDuration"] = desired.max_session_duration
    if update:
        writes.append(("update_role", dict(RoleName=name, **update)))
    boundary = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn", "")
    if desired.boundary is not None and desired.boundary != boundary:
        if desired.boundary:
            writes.append(("put_role_permissions_boundary", dict(RoleName=name, PermissionsBoundary=desired.boundary)))
        else:
            writes.append(("delete_role_permissions_boundary", dict(RoleName=name)))
    to_set, to_unset = compare_aws_tags(tags, desired.tags, purge_tags=True)
    if to_unset:
        writes.append(("untag_role", dict(RoleName=name, TagKeys=sorted(to_unset))))
    if to_set:
        writes.append(("tag_role", dict(RoleName=name, Tags=ansible_dict_to_boto3_tag_list(to_set))))
    writes += [("detach_role_policy", dict(RoleName=name, PolicyArn=arn))
               for arn in current["managed"] if arn not in desired.managed]
    writes += [("attach_role_policy", dict(RoleName=name, PolicyArn=arn))
               for arn in desired.managed if arn not in current["managed"]]
    for policy in sorted(current["inline"]):
        declared = policy in desired.inline
        if (declared and desired.inline[policy] is None) or (not declared and desired.purge_inline):
            writes.append(("delete_role_policy", dict(RoleName=name, PolicyName=policy)))
    for policy, document in sorted(desired.inline.items()):
        if document is not None and (policy not in current["inline"]
                                     or compare_policies(current["inline"][policy], document)):
            writes.append(("put_role_policy", dict(RoleName=name, PolicyName=policy,
                                                   PolicyDocument=json.dumps(document))))
    return writes


def path_warning(current, desired):
    """The warning for a role found under another path than declared (None when it is not)."""
    path = (current.get("role") or {}).get("Path", "/")
    if current and path != desired.path:
        return ("path: IAM cannot change the path of the existing role %s: it keeps %s (%s was given)"
                % (desired.name, path, desired.path))
    return None


def after(current, desired, writes, arn):
    """What the diff shows of the role once the writes are made (every managed attribute as declared)."""
    role = dict(current.get("role") or {"Path": desired.path}, Arn=arn, AssumeRolePolicyDocument=desired.trust,
                Tags=ansible_dict_to_boto3_tag_list(desired.tags))
    if desired.description is not None:
        role["Description"] = desired.description
    if desired.max_session_duration is not None:
        role["MaxSessionDuration"] = desired.max_session_duration
    elif not current:
        role["MaxSessionDuration"] = 3600  # IAM's default for a new role
    if desired.boundary is not None:
        role["PermissionsBoundary"] = {"PermissionsBoundaryArn": desired.boundary} if desired.boundary else {}
    inline = dict(current.get("inline") or {})
    for operation, params in writes:
        if operation == "delete_role_policy":
            inline.pop(params["PolicyName"], None)
        elif operation == "put_role_policy":
            inline[params["PolicyName"]] = json.loads(params["PolicyDocument"])
    return _view(role, desired.managed, inline)


def before(current):
    return _view(current.get("role"), current.get("managed", []), current.get("inline", {})) if current else {}


@IAMErrorHandler.common_error_handler("write the role")
def _write(iam, operation, params):
    return getattr(iam, operation)(**params)


def apply(iam, writes):
    """Make the writes in order; the ARN of a role the first of them created (else None)."""
    arn = None
    for operation, params in writes:
        answer = _write(iam, operation, params)
        if operation == "create_role":
            arn = answer["Role"]["Arn"]
    return arn


def managed_arns(iam, policies):
    """Managed policies given as ARNs or names, as ARNs (names looked up as amazon.aws's iam_role does)."""
    return convert_managed_policy_names_to_arns(iam, list(policies or []))


# -- inputs, checked before any call (IAM CreateRole, UpdateRole and PutRolePolicy's documented limits) ----------
SESSION_MIN, SESSION_MAX = 3600, 43200
DESCRIPTION_MAX = 1000


def _document_problems(value, option):
    try:
        document = policy_document(value)
    except (TypeError, ValueError):
        document = None
    if not isinstance(document, dict) or "Statement" not in document:
        return ["%s: must be a policy document (a mapping, or its JSON, with a Statement)" % option]
    return []


def problems(params):
    """Every problem of the amplify_role module's options, each naming its option."""
    found = []
    for option, kind in (("name", "name"), ("path", "path")):
        value = params.get(option)
        if not isinstance(value, str) or not value or validate_iam_identifiers("role", **{kind: value}):
            found.append("%s: %r is not an IAM role %s (%s)" % (
                option, value, kind, "1-64 letters, digits and +=,.@_-" if kind == "name"
                else "'/' or /<segments>/, at most 512 letters, digits and +=,.@_-"))
    if not params.get("environment") or len(params["environment"]) > TAG_VALUE_MAX:
        found.append("environment: must be 1-%d characters (it is the role's 'environment' tag)" % TAG_VALUE_MAX)
    found += tag_problems(params.get("tags") or {}, "tags", "iam")
    found += _document_problems(params.get("trust_policy"), "trust_policy")
    found += managed_policy_problems(params.get("managed_policies") or [], "managed_policies")
    if params.get("permissions_boundary") is not None:
        found += policy_arn_problems(params["permissions_boundary"], "permissions_boundary", allow_empty=True)
    duration = params.get("max_session_duration")
    if duration is not None and not SESSION_MIN <= duration <= SESSION_MAX:
        found.append("max_session_duration: must be %d to %d seconds (got %r)" % (SESSION_MIN, SESSION_MAX, duration))
    if params.get("description") is not None and len(params["description"]) > DESCRIPTION_MAX:
        found.append("description: at most %d characters" % DESCRIPTION_MAX)
    if params.get("grants") is not None:
        found += grants_rules.grant_problems(params["grants"], "grants", params.get("grants_region") or None,
                                             region_option="grants_region")
    if params.get("logs_policy_region") and not grants_rules.REGION_RE.match(params["logs_policy_region"]):
        found.append("logs_policy_region: %r is not an AWS region (for example eu-west-1), or \"\" for every region"
                     % params["logs_policy_region"])
    for policy, document in sorted((params.get("inline_policies") or {}).items()):
        if validate_iam_identifiers("policy", name=policy):
            found.append("inline_policies: %r is not a policy name (1-128 letters, digits and +=,.@_-)" % policy)
        elif document is not None:
            found += _document_problems(document, "inline_policies.%s" % policy)
    return found
