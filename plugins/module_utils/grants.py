# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A compute role's policies, generated from what is asked for: its trust policy and its grants.

One generator for what is made and what is proved: the iam_compute_role role writes these documents (through
the filters compute_role_trust_policy and compute_role_grants_policy, plugins/filter/grants.py), and the
compute_role_audit module (module_utils/role_audit.py) compares a role with the same documents.

Rules, from AWS:
- The trust policy lets the service principal ``amplify.amazonaws.com`` ``sts:AssumeRole`` (Amplify user guide,
  "Adding an IAM role to an SSR compute"). The optional ``aws:SourceAccount`` / ``aws:SourceArn`` conditions
  are global condition keys (IAM user guide, "AWS global condition context keys").
- A grant gives ``s3:GetObject`` on ``arn:<partition>:s3:::<bucket>/<prefix>*``; ``list`` adds ``s3:ListBucket``
  on the bucket, limited with the ``s3:prefix`` condition (S3 user guide, "Actions, resources, and condition
  keys for Amazon S3"). A prefix holds no wildcard (``*``, ``?``) and no policy variable (``$``): each would
  widen the grant.
- IAM quotas: the inline policies of a role, together, at most 10,240 characters, whitespace not counted
  (IAM user guide, "IAM and AWS STS quotas").
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.iam import validate_iam_identifiers

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import inputs

AMPLIFY_PRINCIPAL = "amplify.amazonaws.com"
POLICY_VERSION = "2012-10-17"
GRANTS_POLICY_SUFFIX = "-grants"
ROLE_POLICY_SIZE_MAX = 10240
ACCESS = ("read", "list")
PREFIX_WIDENING = set("*?$")


def grants_policy_name(role_name):
    """The name of the inline policy holding a role's grants."""
    return role_name + GRANTS_POLICY_SUFFIX


def policy_size(document):
    """The size IAM counts: the JSON characters, whitespace outside strings not counted."""
    return len(json.dumps(document, separators=(",", ":"), ensure_ascii=False))


# -- checks, without a call ----------------------------------------------------------------------------------


def grant_problems(grants, option):
    """What is wrong with a list of grants ({bucket, prefix, access}), each problem naming option[index].key."""
    if not isinstance(grants, list):
        return ["%s: must be a list of grants ({bucket, prefix, access}), not %s" % (option, type(grants).__name__)]
    problems = []
    for index, grant in enumerate(grants):
        where = "%s[%d]" % (option, index)
        if not isinstance(grant, dict):
            problems.append("%s: must be a mapping {bucket, prefix, access}, not %s" % (where, type(grant).__name__))
            continue
        unknown = sorted(set(grant) - {"bucket", "prefix", "access"})
        if unknown:
            problems.append("%s: unknown key(s) %s (a grant has bucket, prefix and access)" % (where, ", ".join(unknown)))
        problems += inputs.bucket_name_problems(grant.get("bucket"), where + ".bucket")
        prefix = grant.get("prefix")
        if prefix is not None and not isinstance(prefix, str):
            problems.append("%s.prefix: must be a string (got %r)" % (where, prefix))
        elif prefix and PREFIX_WIDENING & set(prefix):
            problems.append("%s.prefix: %r contains '*', '?' or '$', which would widen the grant (a prefix is taken"
                            " literally; give the characters before any wildcard)" % (where, prefix))
        access = grant.get("access")
        if access is not None and access not in ACCESS:
            problems.append("%s.access: must be one of %s (got %r)" % (where, ", ".join(ACCESS), access))
    if not problems:
        document = grants_policy(grants)
        if document and policy_size(document) > ROLE_POLICY_SIZE_MAX:
            problems.append("%s: the generated inline policy has %d characters, IAM allows %d for a role's inline"
                            " policies together; use fewer grants or wider prefixes"
                            % (option, policy_size(document), ROLE_POLICY_SIZE_MAX))
    return problems


def policy_arn_problems(value, option, allow_empty=False):
    """A managed policy ARN: arn:<partition>:iam::<aws | 12-digit account>:policy/[path/]<name>."""
    if allow_empty and value == "":
        return []
    details = parse_aws_arn(value) if isinstance(value, str) and value.startswith("arn:") else None
    account = (details or {}).get("account_id") or ""
    if (not details or details["service"] != "iam" or details["region"] or details["resource_type"] != "policy"
            or not (account == "aws" or (len(account) == 12 and account.isdigit()))):
        return ["%s: %r is not a managed policy ARN (arn:<partition>:iam::<aws or account id>:policy/[path/]<name>)%s"
                % (option, value, ", or \"\" for none" if allow_empty else "")]
    return []


def managed_policy_problems(policies, option):
    """Managed policies, each an ARN or a policy name."""
    if not isinstance(policies, list):
        return ["%s: must be a list of managed policy ARNs or names, not %s" % (option, type(policies).__name__)]
    problems = []
    for index, policy in enumerate(policies):
        where = "%s[%d]" % (option, index)
        if isinstance(policy, str) and policy.startswith("arn:"):
            problems += policy_arn_problems(policy, where)
        elif not isinstance(policy, str) or not policy or validate_iam_identifiers("policy", name=policy):
            problems.append("%s: %r is neither a managed policy ARN nor a policy name (1-128 letters, digits and"
                            " +=,.@_-)" % (where, policy))
    return problems


def trust_condition_problems(source_account, source_arn, account_option, arn_option):
    """The optional trust conditions: a 12-digit account id, and an Amplify app ARN (wildcards allowed)."""
    problems = []
    if source_account and not (isinstance(source_account, str) and len(source_account) == 12 and source_account.isdigit()):
        problems.append("%s: must be \"\" or a 12-digit account id (got %r)" % (account_option, source_account))
    if source_arn:
        # Not parse_aws_arn: a wildcard may stand for the region or the account (ArnLike).
        parts = source_arn.split(":", 5) if isinstance(source_arn, str) else []
        if (len(parts) != 6 or parts[0] != "arn" or not parts[1].startswith("aws") or parts[2] != "amplify"
                or not parts[5].startswith("apps/") or len(parts[5]) == len("apps/")):
            problems.append("%s: must be \"\" or an Amplify app ARN such as arn:aws:amplify:eu-west-1:123456789012:"
                            "apps/d1a2b3c4d5e6f7 (wildcards allowed) (got %r)" % (arn_option, source_arn))
    return problems


# -- the documents ---------------------------------------------------------------------------------------------


def trust_conditions(source_account="", source_arn=""):
    """The trust statement's Condition block, {} without conditions."""
    condition = {}
    if source_account:
        condition["StringEquals"] = {"aws:SourceAccount": source_account}
    if source_arn:
        condition["ArnLike"] = {"aws:SourceArn": source_arn}
    return condition


def trust_policy(source_account="", source_arn=""):
    """The trust policy: amplify.amazonaws.com may sts:AssumeRole, under the optional conditions."""
    statement = {"Effect": "Allow", "Principal": {"Service": AMPLIFY_PRINCIPAL}, "Action": "sts:AssumeRole"}
    condition = trust_conditions(source_account, source_arn)
    if condition:
        statement["Condition"] = condition
    return {"Version": POLICY_VERSION, "Statement": [statement]}


def grant_statements(grant, partition="aws"):
    """The statements of one grant."""
    bucket, prefix = grant["bucket"], grant.get("prefix") or ""
    statements = [{"Effect": "Allow", "Action": "s3:GetObject",
                   "Resource": "arn:%s:s3:::%s/%s*" % (partition, bucket, prefix)}]
    if (grant.get("access") or "read") == "list":
        listing = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:%s:s3:::%s" % (partition, bucket)}
        if prefix:
            listing["Condition"] = {"StringLike": {"s3:prefix": prefix + "*"}}
        statements.append(listing)
    return statements


def grants_policy(grants, partition="aws"):
    """The inline policy of the grants (each statement once, in the order given), None without grants."""
    statements = []
    for grant in grants or []:
        for statement in grant_statements(grant, partition):
            if statement not in statements:
                statements.append(statement)
    if not statements:
        return None
    return {"Version": POLICY_VERSION, "Statement": statements}
