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
- An ``ssm_parameter`` grant gives ``ssm:GetParameter`` and ``ssm:GetParameters`` on the parameter, or for a
  path on every parameter under it, plus ``ssm:GetParametersByPath`` on the path itself, which is what that
  action is authorized against (Systems Manager user guide, "How Parameter Store authorizes parameter
  retrieval"). With a customer managed key (SecureString), ``kms:Decrypt`` on that key, only through SSM
  (``kms:ViaService`` ``ssm.<region>.<DNS suffix>``; "How AWS Systems Manager Parameter Store uses AWS KMS").
- A ``secret`` grant gives ``secretsmanager:GetSecretValue`` and ``DescribeSecret`` on
  ``secret:<name>-??????``: Secrets Manager appends a hyphen and six characters to a secret's ARN (Secrets
  Manager user guide, "Secret ARNs" and "Permissions policy examples"); with a customer managed key,
  ``kms:Decrypt`` through Secrets Manager only.
- A ``dynamodb_table`` grant gives the reads (``read``), or the reads and item writes (``read_write``), on the
  table, and ``Query``/``Scan`` on its indexes (``table/<name>/index/*``) (DynamoDB developer guide, "Using
  identity-based policies with Amazon DynamoDB").
- A ``statement`` grant is a statement of the user's, checked: Action and Resource present; ``*`` (or
  ``service:*``) on every resource refused without ``allow_wildcard``.
- Statements with the same effect, actions and condition are merged into one, with their resources.
- IAM quotas: the inline policies of a role, together, at most 10,240 characters, whitespace not counted
  (IAM user guide, "IAM and AWS STS quotas").
"""

import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import inputs
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.aws_helpers import validate_iam_identifiers

AMPLIFY_PRINCIPAL = "amplify.amazonaws.com"
POLICY_VERSION = "2012-10-17"
GRANTS_POLICY_SUFFIX = "-grants"
ROLE_POLICY_SIZE_MAX = 10240
ACCESS = ("read", "list")
TABLE_ACCESS = ("read", "read_write")
PREFIX_WIDENING = set("*?$")
REGION_OPTION = "the role's region (iam_compute_role_region)"
# The kinds of grant, and the keys each takes ("kind" besides; a grant without kind is an S3 grant).
KINDS = {
    "s3": ("bucket", "prefix", "access"),
    "ssm_parameter": ("name", "path", "kms_key", "region", "account"),
    "secret": ("name", "kms_key", "region", "account"),
    "dynamodb_table": ("table", "access", "region", "account"),
    "statement": ("statement", "allow_wildcard"),
}
REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")
ACCOUNT_RE = re.compile(r"^[0-9]{12}$")
# Parameter Store: names of letters, digits, . - _ and /, at most 1011 characters and 15 levels, not beginning
# with aws or ssm (Systems Manager user guide, "Parameter Store: naming constraints").
SSM_NAME_RE = re.compile(r"^[A-Za-z0-9_./-]+$")
SSM_NAME_MAX = 1011
SSM_LEVELS_MAX = 15
# Secrets Manager: 1-512 letters, digits and /_+=.@- (CreateSecret, Name).
SECRET_NAME_RE = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
# DynamoDB: 3-255 letters, digits, _ . - (the botocore model's TableName).
TABLE_RE = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
KMS_KEY_ID_RE = re.compile(r"^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")
ACTION_RE = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*?]+$")
# The reads of a table (on the table), of its indexes (Query and Scan are what an index takes), and the writes.
TABLE_READ = ["dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable", "dynamodb:GetItem",
              "dynamodb:Query", "dynamodb:Scan"]
TABLE_INDEX_READ = ["dynamodb:Query", "dynamodb:Scan"]
TABLE_WRITE = ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
# The DNS suffix of each partition's endpoints (botocore's endpoints.json), for kms:ViaService.
DNS_SUFFIX = {"aws": "amazonaws.com", "aws-cn": "amazonaws.com.cn", "aws-us-gov": "amazonaws.com",
              "aws-iso": "c2s.ic.gov", "aws-iso-b": "sc2s.sgov.gov", "aws-iso-e": "cloud.adc-e.uk",
              "aws-iso-f": "csp.hci.ic.gov"}


def grants_policy_name(role_name):
    """The name of the inline policy holding a role's grants."""
    return role_name + GRANTS_POLICY_SUFFIX


def policy_size(document):
    """The size IAM counts: the JSON characters, whitespace outside strings not counted."""
    return len(json.dumps(document, separators=(",", ":"), ensure_ascii=False))


# -- checks, without a call ----------------------------------------------------------------------------------


def _is_text(value):
    return isinstance(value, str) and not isinstance(value, bool)


def _location_problems(grant, where, region, region_option):
    """A grant outside S3 names a region and an account: its own, else the ones given (None: known later)."""
    problems = []
    own_region, own_account = grant.get("region"), grant.get("account")
    if own_region is not None and not (_is_text(own_region) and REGION_RE.match(own_region)):
        problems.append("%s.region: %r is not an AWS region (for example eu-west-1)" % (where, own_region))
    if own_account is not None and not (_is_text(own_account) and ACCOUNT_RE.match(own_account)):
        problems.append("%s.account: %r is not a 12-digit account id" % (where, own_account))
    if own_region is None and not region:
        problems.append("%s: needs a region: set its region, or %s" % (where, region_option))
    return problems


def _kms_key_problems(value, where):
    if value is None:
        return []
    if _is_text(value) and value.startswith("arn:"):
        details = parse_aws_arn(value)
        if details and details["service"] == "kms" and details["resource_type"] == "key" and details["region"]:
            return []
    elif _is_text(value) and KMS_KEY_ID_RE.match(value):
        return []
    return ["%s.kms_key: %r is not a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>) or key id; an"
            " alias cannot be granted kms:Decrypt" % (where, value)]


def _ssm_name_problems(value, where, what):
    if not _is_text(value) or not value:
        return ["%s.%s: must be a parameter %s (got %r)" % (where, what, what, value)]
    problems = []
    if not SSM_NAME_RE.match(value):
        problems.append("%s.%s: %r holds characters a parameter name cannot (letters, digits, . - _ and /; no"
                        " wildcard)" % (where, what, value))
    if len(value) > SSM_NAME_MAX:
        problems.append("%s.%s: is %d characters long (at most %d)" % (where, what, len(value), SSM_NAME_MAX))
    first = value.lstrip("/").split("/")[0].lower()
    if first.startswith(("aws", "ssm")):
        problems.append("%s.%s: %r begins with aws or ssm, which Parameter Store reserves" % (where, what, value))
    if "/" in value and not value.startswith("/"):
        problems.append("%s.%s: %r has a hierarchy, so it must begin with / (a fully qualified name)"
                        % (where, what, value))
    if value.strip("/").count("/") + 1 > SSM_LEVELS_MAX:
        problems.append("%s.%s: %r has more than %d levels" % (where, what, value, SSM_LEVELS_MAX))
    if what == "path" and (not value.startswith("/") or not value.strip("/")):
        problems.append("%s.path: %r must begin with / and name at least one level (the root path would grant every"
                        " parameter)" % (where, value))
    return problems


def _statement_problems(grant, where):
    statement = grant.get("statement")
    if not isinstance(statement, dict):
        return ["%s.statement: must be a policy statement (a mapping with Action and Resource)" % where]
    problems = []
    unknown = sorted(set(statement) - {"Sid", "Effect", "Action", "Resource", "Condition"})
    if unknown:
        problems.append("%s.statement: %s not allowed (a grant's statement has Effect, Action, Resource and"
                        " Condition)" % (where, ", ".join(unknown)))
    if statement.get("Effect", "Allow") not in ("Allow", "Deny"):
        problems.append("%s.statement.Effect: must be Allow or Deny (got %r)" % (where, statement.get("Effect")))
    for key in ("Action", "Resource"):
        values = statement.get(key)
        values = [values] if _is_text(values) else values
        if not isinstance(values, list) or not values or not all(_is_text(v) and v for v in values):
            problems.append("%s.statement.%s: must be a string or a non-empty list of strings" % (where, key))
    if problems:
        return problems
    actions = [statement["Action"]] if _is_text(statement["Action"]) else statement["Action"]
    resources = [statement["Resource"]] if _is_text(statement["Resource"]) else statement["Resource"]
    bad = [a for a in actions if a != "*" and not ACTION_RE.match(a)]
    if bad:
        problems.append("%s.statement.Action: %s not of the form service:Action" % (where, ", ".join(bad)))
    if "Condition" in statement and not isinstance(statement["Condition"], dict):
        problems.append("%s.statement.Condition: must be a mapping" % where)
    everything = [a for a in actions if a == "*" or a.endswith(":*")]
    if everything and "*" in resources and grant.get("allow_wildcard") is not True:
        problems.append("%s.statement: %s on every resource (*) is refused; name the resources, or set"
                        " allow_wildcard: true on the grant to allow it" % (where, ", ".join(everything)))
    if statement.get("Effect", "Allow") == "Allow" and "*" in actions and grant.get("allow_wildcard") is not True:
        problems.append("%s.statement.Action: * allows every action; name them, or set allow_wildcard: true" % where)
    return problems


def _one_grant_problems(grant, where, region, region_option):
    kind = grant.get("kind", "s3")
    if kind not in KINDS:
        return ["%s.kind: must be one of %s (got %r)" % (where, ", ".join(KINDS), kind)]
    problems = []
    unknown = sorted(set(grant) - set(KINDS[kind]) - {"kind"})
    if unknown:
        problems.append("%s: unknown key(s) %s (a grant of kind %s has %s)" % (where, ", ".join(unknown), kind,
                                                                               ", ".join(KINDS[kind])))
    if kind == "s3":
        problems += inputs.bucket_name_problems(grant.get("bucket"), where + ".bucket")
        prefix = grant.get("prefix")
        if prefix is not None and not _is_text(prefix):
            problems.append("%s.prefix: must be a string (got %r)" % (where, prefix))
        elif prefix and PREFIX_WIDENING & set(prefix):
            problems.append("%s.prefix: %r contains '*', '?' or '$', which would widen the grant (a prefix is taken"
                            " literally; give the characters before any wildcard)" % (where, prefix))
        if grant.get("access") is not None and grant.get("access") not in ACCESS:
            problems.append("%s.access: must be one of %s (got %r)" % (where, ", ".join(ACCESS), grant.get("access")))
        return problems
    if kind == "statement":
        if grant.get("allow_wildcard") is not None and not isinstance(grant.get("allow_wildcard"), bool):
            problems.append("%s.allow_wildcard: must be true or false" % where)
        return problems + _statement_problems(grant, where)
    problems += _location_problems(grant, where, region, region_option)
    if kind == "ssm_parameter":
        if ("name" in grant) == ("path" in grant):
            problems.append("%s: an ssm_parameter grant names either a parameter (name) or a path (path)" % where)
        else:
            what = "name" if "name" in grant else "path"
            problems += _ssm_name_problems(grant[what], where, what)
        problems += _kms_key_problems(grant.get("kms_key"), where)
    elif kind == "secret":
        name = grant.get("name")
        if not _is_text(name) or not SECRET_NAME_RE.match(name):
            problems.append("%s.name: %r is not a secret name (1-512 letters, digits and /_+=.@-; no wildcard)"
                            % (where, name))
        problems += _kms_key_problems(grant.get("kms_key"), where)
    elif kind == "dynamodb_table":
        if not _is_text(grant.get("table")) or not TABLE_RE.match(grant["table"]):
            problems.append("%s.table: %r is not a DynamoDB table name (3-255 letters, digits and _ . -)"
                            % (where, grant.get("table")))
        if grant.get("access") is not None and grant["access"] not in TABLE_ACCESS:
            problems.append("%s.access: must be one of %s (got %r)" % (where, ", ".join(TABLE_ACCESS), grant["access"]))
    return problems


def grant_problems(grants, option, region=None, account=None, partition="aws", region_option=REGION_OPTION):
    """What is wrong with a list of grants, each problem naming option[index].key; then the size of the policy
    they make (IAM's limit), measured in `partition`, `region` and `account` (stand-ins while unknown). A grant
    outside S3 without a region of its own needs `region` (the option `region_option`; True: known later)."""
    if not isinstance(grants, list):
        return ["%s: must be a list of grants, not %s" % (option, type(grants).__name__)]
    problems = []
    for index, grant in enumerate(grants):
        where = "%s[%d]" % (option, index)
        if not isinstance(grant, dict):
            problems.append("%s: must be a mapping (a grant), not %s" % (where, type(grant).__name__))
            continue
        problems += _one_grant_problems(grant, where, region, region_option)
    if not problems:
        stand_in = region if _is_text(region) and region else "us-east-1"
        document = grants_policy(grants, partition, stand_in, account or "123456789012")
        if document and policy_size(document) > ROLE_POLICY_SIZE_MAX:
            problems.append("%s: the generated inline policy has %d characters, IAM allows %d for a role's inline"
                            " policies together; use fewer grants, wider prefixes or paths"
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


def _statement(actions, resources, condition=None, effect="Allow"):
    statement = {"Effect": effect, "Action": actions, "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def _kms_statements(grant, service, partition, region, account):
    key = grant.get("kms_key")
    if not key:
        return []
    if not key.startswith("arn:"):
        key = "arn:%s:kms:%s:%s:key/%s" % (partition, region, account, key)
    via = "%s.%s.%s" % (service, region, DNS_SUFFIX.get(partition, "amazonaws.com"))
    return [_statement(["kms:Decrypt"], [key], {"StringEquals": {"kms:ViaService": via}})]


def grant_statements(grant, partition="aws", region=None, account=None):
    """The statements of one grant (Action and Resource as lists; merged and shortened by grants_policy)."""
    kind = grant.get("kind", "s3")
    if kind == "s3":
        bucket, prefix = grant["bucket"], grant.get("prefix") or ""
        statements = [_statement(["s3:GetObject"], ["arn:%s:s3:::%s/%s*" % (partition, bucket, prefix)])]
        if (grant.get("access") or "read") == "list":
            statements.append(_statement(["s3:ListBucket"], ["arn:%s:s3:::%s" % (partition, bucket)],
                                         {"StringLike": {"s3:prefix": prefix + "*"}} if prefix else None))
        return statements
    if kind == "statement":
        given = grant["statement"]
        statement = _statement(given["Action"] if isinstance(given["Action"], list) else [given["Action"]],
                               given["Resource"] if isinstance(given["Resource"], list) else [given["Resource"]],
                               given.get("Condition"), given.get("Effect", "Allow"))
        if given.get("Sid"):
            statement = dict({"Sid": given["Sid"]}, **statement)
        return [statement]
    region, account = grant.get("region") or region, grant.get("account") or account
    if not region or not account:
        raise ValueError("a %s grant needs a region and an account" % kind)
    if kind == "ssm_parameter":
        base = "arn:%s:ssm:%s:%s:parameter" % (partition, region, account)
        if "name" in grant:
            name = grant["name"] if grant["name"].startswith("/") else "/" + grant["name"]
            statements = [_statement(["ssm:GetParameter", "ssm:GetParameters"], [base + name])]
        else:
            path = "/" + grant["path"].strip("/")
            # GetParametersByPath is authorized against the path asked for, not the parameters it returns.
            statements = [_statement(["ssm:GetParametersByPath"], [base + path]),
                          _statement(["ssm:GetParameter", "ssm:GetParameters"], [base + path + "/*"])]
        return statements + _kms_statements(grant, "ssm", partition, region, account)
    if kind == "secret":
        arn = "arn:%s:secretsmanager:%s:%s:secret:%s-??????" % (partition, region, account, grant["name"])
        return ([_statement(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], [arn])]
                + _kms_statements(grant, "secretsmanager", partition, region, account))
    table = "arn:%s:dynamodb:%s:%s:table/%s" % (partition, region, account, grant["table"])
    write = (grant.get("access") or "read") == "read_write"
    return [_statement(TABLE_READ + (TABLE_WRITE if write else []), [table]),
            _statement(TABLE_INDEX_READ, [table + "/index/*"])]


def _short(values):
    return values[0] if len(values) == 1 else values


def grants_policy(grants, partition="aws", region=None, account=None):
    """The inline policy of the grants, None without grants. Statements that share their effect, actions and
    condition are merged into one with their resources; each resource once, in the order given."""
    merged = []
    for grant in grants or []:
        for statement in grant_statements(grant, partition, region, account):
            same = None if "Sid" in statement else next(
                (m for m in merged if "Sid" not in m and m["Effect"] == statement["Effect"]
                 and m["Action"] == statement["Action"] and m.get("Condition") == statement.get("Condition")), None)
            if same is None:
                merged.append(dict(statement, Resource=list(statement["Resource"])))
            else:
                same["Resource"] += [r for r in statement["Resource"] if r not in same["Resource"]]
    if not merged:
        return None
    return {"Version": POLICY_VERSION,
            "Statement": [dict(m, Action=_short(m["Action"]), Resource=_short(m["Resource"])) for m in merged]}
