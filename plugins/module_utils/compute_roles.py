# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Compute roles: the one place where an option naming one is decided.

The compute_role module's ``role``, and the app and branch modules' ``compute_role_arn``, all take one path:

1. ``ComputeRoleRef(value, option)`` parses the option once, without a call: a role ARN (amazon.aws's
   parse_aws_arn and validate_iam_identifiers) or a role name. Errors name the option.
2. ``ref.resolve(module, iam, resource_arn)``: one GetRole. The role must exist (with that ARN) and trust
   amplify.amazonaws.com. In check mode a role that does not exist yet is a warning, and its ARN the one it
   would have (an earlier task of the same run may create it).
3. ``write_with_role(write, role_arn, target, wait_timeout, option)``: the write that sets the role, retried
   while Amplify answers that it cannot assume the role yet (IAM propagation), up to wait_timeout seconds.

amazon.aws's get_iam_role is not used for the read: its AWSRetry would retry on top of botocore's (retry.py).
"""

import json

from urllib.parse import unquote

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # the modules report a missing botocore (AnsibleAWSModule)

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.aws_helpers import is_boto3_error_code
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.aws_helpers import validate_iam_identifiers
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import Backoff
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.role_audit import policy_document

AMPLIFY_PRINCIPAL = "amplify.amazonaws.com"
SSR_PLATFORMS = ("WEB_COMPUTE", "WEB_DYNAMIC")
ROLE_ARN_FORM = "arn:<partition>:iam::<12-digit account id>:role/[path/]<name>"
# Backoff between tries while IAM propagates a role to Amplify: doubling from PROPAGATION_FIRST_DELAY up to
# PROPAGATION_MAX_DELAY seconds, each pause a random half to all of that, never past the wait timeout.
PROPAGATION_FIRST_DELAY = 1.0
PROPAGATION_MAX_DELAY = 15.0


# -- parsing, without a call ----------------------------------------------------------------------------


def parse_role_arn(arn):
    """(partition, account id, path, role name) of an IAM role ARN, or None when it is not one."""
    details = parse_aws_arn(arn) if isinstance(arn, str) and arn.startswith("arn:") else None
    if not details or details["service"] != "iam" or details["region"] or details["resource_type"] != "role":
        return None
    account = details["account_id"]
    if len(account) != 12 or not account.isdigit():
        return None
    path, slash, name = details["resource_id"].rpartition("/")
    path = "/%s/" % path if slash else "/"
    if validate_iam_identifiers("role", name=name, path=path):
        return None
    return details["partition"], account, path, name


def check_role_arn(value, option, allow_empty=False):
    """Raise an AmplifyError naming `option` unless `value` is an IAM role ARN ("" allowed when clearing)."""
    if value is None or (allow_empty and value == ""):
        return
    if parse_role_arn(value) is None:
        raise AmplifyError("%s: %r is not an IAM role ARN (%s)" % (option, value, ROLE_ARN_FORM))


def check_compute_platform(platform, option="compute_role_arn"):
    """Compute roles are for SSR apps: raise an AmplifyError naming `option` for any other platform."""
    if platform not in SSR_PLATFORMS:
        raise AmplifyError(
            "%s: compute roles are only for server-side rendered apps (platform %s); the platform is %s"
            % (option, " or ".join(SSR_PLATFORMS), platform)
        )


class ComputeRoleRef:
    """An option naming a compute role by ARN or by name (unique in an account, whatever its path), parsed once."""

    def __init__(self, value, option):
        self.value = value
        self.option = option
        if ":" in value:
            parsed = parse_role_arn(value)
            if parsed is None:
                raise AmplifyError("%s: %r is not an IAM role ARN (%s) nor a role name" % (option, value, ROLE_ARN_FORM))
            self.arn, self.name = value, parsed[3]
        else:
            problem = validate_iam_identifiers("role", name=value)
            if problem:
                raise AmplifyError(
                    "%s: %r is neither an IAM role name (up to 64 letters, digits and +=,.@_-: %s) nor a role ARN"
                    % (option, value, problem)
                )
            self.arn, self.name = None, value

    def matches(self, arn):
        """Whether this names the role `arn`."""
        if self.arn:
            return self.arn == arn
        parsed = parse_role_arn(arn)
        return parsed is not None and parsed[3] == self.name

    def planned_arn(self, resource_arn):
        """The ARN the role has or would have, in the partition and account of `resource_arn` (the app or
        branch it is for) when named by name (path /): for a role check mode cannot read yet. For an app
        not made yet (no `resource_arn`), the name as given."""
        if self.arn:
            return self.arn
        if not resource_arn:
            return self.value
        parts = resource_arn.split(":")
        return "arn:%s:iam::%s:role/%s" % (parts[1], parts[4], self.name)

    def missing(self):
        """The problem of a role that does not exist."""
        return "%s: IAM role %r does not exist in this account" % (self.option, self.arn or self.name)

    def problem(self, role):
        """What keeps `role` (as IAM returns it: Arn, AssumeRolePolicyDocument), the one with this name, from being
        this compute role: another ARN, or a trust policy Amplify may not assume; None when it can be."""
        if self.arn and role.get("Arn") != self.arn:
            return "%s: IAM role %s does not exist; %s" % (self.option, self.arn, _unlike(self.arn, role.get("Arn")))
        if not trust_allows_amplify(role.get("AssumeRolePolicyDocument")):
            return (
                "%s: the trust policy of IAM role %s does not let %s assume it; add a statement allowing "
                "sts:AssumeRole to the service principal %s" % (self.option, role.get("Arn"), AMPLIFY_PRINCIPAL, AMPLIFY_PRINCIPAL)
            )
        return None

    def read(self, iam, missing_ok=False):
        """The IAM role, once it is known to exist (with this ARN) and to trust Amplify; an AmplifyError naming
        the option otherwise (problem()). One GetRole. With missing_ok, None when no role has the name."""
        try:
            role = iam.get_role(RoleName=self.name)["Role"]
        except is_boto3_error_code("NoSuchEntity"):
            if missing_ok:
                return None
            raise AmplifyError(self.missing()) from None
        except (ClientError, BotoCoreError) as e:  # pylint: disable=duplicate-except
            raise AmplifyError("Failed to get IAM role %s" % self.name, exception=e) from e
        problem = self.problem(role)
        if problem:
            raise AmplifyError(problem)
        return role

    def account_problem(self, resource_arn):
        """A role given by ARN in another account than the app's, or None. Amplify takes only a role of the app's
        own account: the caller passes it with iam:PassRole, which passes a role to a service of the same account
        only (IAM User Guide, "Grant a user permissions to pass a role to an AWS service")."""
        if not (self.arn and resource_arn):
            return None
        role_account, app_account = parse_role_arn(self.arn)[1], resource_arn.split(":")[4]
        if role_account == app_account:
            return None
        return ("%s: IAM role %s is in account %s, and the app %s in account %s: Amplify takes only a role of the "
                "app's own account" % (self.option, self.arn, role_account, resource_arn.split("/")[1], app_account))

    def resolve(self, module, iam, resource_arn):
        """The role's ARN, checked by read() (and first, that it is in the account of the app, `resource_arn`). In
        check mode a role that does not exist is a warning, and the ARN the one it would have (planned_arn): an
        earlier task of the run may be what creates it."""
        problem = self.account_problem(resource_arn)
        if problem:
            raise AmplifyError(problem)
        role = self.read(iam, missing_ok=module.check_mode)
        if role is not None:
            return role["Arn"]
        module.warn(
            "%s: IAM role %s does not exist (yet); check mode reports the association as if an earlier task of the "
            "run created it, and a real run fails unless one does" % (self.option, self.value)
        )
        return self.planned_arn(resource_arn)


def _unlike(wanted, found):
    """Why the role found by name is not the ARN asked for: another partition, or another path or account."""
    w, f = parse_role_arn(wanted), parse_role_arn(found)
    if w[0] != f[0]:
        return "%r is a role in partition %s, and these credentials are in partition %s (%s)" % (w[3], w[0], f[0], found)
    return "the role named %r in this account is %s (another path or account)" % (w[3], found)


# -- the trust policy -------------------------------------------------------------------------------------


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def trust_allows_amplify(document):
    """True when the trust policy lets amplify.amazonaws.com sts:AssumeRole and no Deny takes it away.

    A Deny with a Condition (say, deny unless aws:SourceAccount is ours) depends on the request, which only
    IAM can judge: it does not count against the role here.
    """
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            try:
                document = json.loads(unquote(document))
            except ValueError:
                return False
    allowed = False
    for statement in _as_list((document or {}).get("Statement")):
        actions = [action.lower() for action in _as_list(statement.get("Action"))]
        if not any(action in ("sts:assumerole", "sts:*", "*") for action in actions):
            continue
        principal = statement.get("Principal") or {}
        services = _as_list(principal.get("Service")) if isinstance(principal, dict) else []
        if AMPLIFY_PRINCIPAL not in services and principal != "*":
            continue
        if statement.get("Effect") == "Deny":
            if statement.get("Condition"):
                continue
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed


def effective_compute_role(app, branch=None):
    """The role the branch's compute runs with: the branch override, else the app's default ("" for none)."""
    if branch and branch.get("computeRoleArn"):
        return branch["computeRoleArn"]
    return (app or {}).get("computeRoleArn") or ""


# -- writing a role while IAM propagates it ---------------------------------------------------------------


def is_propagation_error(error):
    """True for Amplify's answer to a role IAM has not yet made visible to it."""
    response = getattr(error, "response", {}) or {}
    info = response.get("Error", {})
    return info.get("Code") == "BadRequestException" and "cannot be assumed" in (info.get("Message") or "").lower()


def write_with_role(write, role_arn, target, wait_timeout, option):
    """write() (a call that sets `role_arn` on `target`, described for messages), retried while Amplify answers
    that the role cannot be assumed yet (IAM propagation of a new role or trust policy), for up to wait_timeout
    seconds (0: one try); returns what write() returns. No role (`role_arn` empty): write() once. Any other error
    is raised at once; giving up raises an AmplifyError naming `option`. Each refused try wrote nothing, so giving
    up leaves nothing half made.
    """
    if not role_arn:
        return write()
    backoff = Backoff(wait_timeout, PROPAGATION_FIRST_DELAY, PROPAGATION_MAX_DELAY)
    while True:
        try:
            return write()
        except AmplifyError as e:
            if not is_propagation_error(e.exception):
                raise
            if not backoff.pause():
                raise AmplifyError(
                    "%s: Amplify still cannot assume IAM role %s for %s after %d seconds (%d tries); IAM "
                    "propagation of a new role or trust policy may need longer: raise wait_timeout (now %d)"
                    % (option, role_arn, target, round(backoff.elapsed()), backoff.pauses + 1, wait_timeout),
                    exception=e.exception,
                ) from None


def read_role_policies(iam, name):
    """(role, {inline name: document}, attached policies) of the IAM role `name`, or (None, {}, []) when no role
    has the name: GetRole, ListRolePolicies, GetRolePolicy for each inline policy, ListAttachedRolePolicies (every
    page). What compute_role_audit judges and amplify_role compares; an AmplifyError for any other failure."""
    try:
        role = iam.get_role(RoleName=name)["Role"]
    except is_boto3_error_code("NoSuchEntity"):
        return None, {}, []
    except (ClientError, BotoCoreError) as e:  # pylint: disable=duplicate-except
        raise AmplifyError("Failed to get IAM role %s" % name, exception=e) from e
    try:
        names = []
        for page in iam.get_paginator("list_role_policies").paginate(RoleName=name):
            names += page["PolicyNames"]
        inline = {policy: policy_document(iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"])
                  for policy in names}
        attached = []
        for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=name):
            attached += page["AttachedPolicies"]
    except (ClientError, BotoCoreError) as e:
        raise AmplifyError("Failed to read the policies of IAM role %s" % name, exception=e) from e
    return role, inline, attached
