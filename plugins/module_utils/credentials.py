# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which credentials an environment's AWS calls use, as the inventory names them (playbooks/tasks/credentials.yml):
its own (aws_profile, or aws_access_key and aws_secret_key, or boto3's chain), or a session of the role
ssr_assume_role_arn assumed with them (optionally with ssr_assume_role_external_id and
ssr_assume_role_session_name). Every setting is checked here before any call, each problem naming its variable.

Rules, from AWS and amazon.aws:
- AssumeRole (STS API Reference; botocore's sts model): RoleArn an IAM role's ARN of 20-2048 characters;
  RoleSessionName 2-64 of letters, digits and _+=,.@-; ExternalId 2-1224 of letters, digits and _+=,.@:/-.
- amazon.aws refuses a profile together with access keys ("Passing both a profile and access tokens is not
  supported", module_utils/botocore.py).
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.arn import validate_aws_arn

SESSION_NAME_RE = re.compile(r"^[\w+=,.@-]{2,64}$", re.ASCII)
EXTERNAL_ID_RE = re.compile(r"^[\w+=,.@:/-]{2,1224}$", re.ASCII)
ROLE_ARN_MAX = 2048


def _given(value):
    return value not in (None, "")


def session_name(environment):
    """The default session name for an environment: amplify-hosting-ssr-<environment>, with the characters STS
    does not take replaced by '-', at most 64 characters (CloudTrail shows it as the caller's session)."""
    return re.sub(r"[^\w+=,.@-]", "-", "amplify-hosting-ssr-%s" % environment, flags=re.ASCII)[:64]


def problems(settings):
    """Every problem of one environment's credential settings (a mapping of aws_profile, aws_access_key,
    aws_secret_key, ssr_assume_role_arn, ssr_assume_role_external_id, ssr_assume_role_session_name), each naming
    its variable; [] when all is well."""
    found = []
    profile = settings.get("aws_profile")
    if profile is not None and (not isinstance(profile, str) or not profile.strip()):
        found.append("aws_profile: must name a profile of the AWS config (got %r)" % (profile,))
    elif _given(profile) and (_given(settings.get("aws_access_key")) or _given(settings.get("aws_secret_key"))):
        found.append("aws_profile: set together with aws_access_key/aws_secret_key; give one or the other "
                     "(amazon.aws takes a profile or access keys, not both)")
    arn = settings.get("ssr_assume_role_arn")
    if _given(arn):
        if not isinstance(arn, str) or len(arn) > ROLE_ARN_MAX or not validate_aws_arn(
                arn, service="iam", resource_type="role", region=""):
            found.append("ssr_assume_role_arn: %r is not an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)"
                         % (arn,))
        elif not re.match(r"^\d{12}$", arn.split(":")[4]):
            found.append("ssr_assume_role_arn: %r does not name a 12-digit account" % (arn,))
    for option, pattern, rule in (
            ("ssr_assume_role_external_id", EXTERNAL_ID_RE, "2-1224 letters, digits and _+=,.@:/-"),
            ("ssr_assume_role_session_name", SESSION_NAME_RE, "2-64 letters, digits and _+=,.@-")):
        value = settings.get(option)
        if not _given(value):
            continue
        if not _given(arn):
            found.append("%s: is set without ssr_assume_role_arn, the role it is for" % option)
        elif not isinstance(value, str) or not pattern.match(value):
            found.append("%s: must be %s (STS AssumeRole)" % (option, rule))
    return found


def readers(environments):
    """Which environment reads the account of each one's credentials (sts:GetCallerIdentity), so that the run
    reads it once per credential source: `environments` is a list of mappings (the hosts' variables: their
    inventory_hostname, aws_profile, aws_access_key, aws_endpoint_url, ssr_assume_role_arn), in play order.
    Returns {host: the first host with the same profile, access key and endpoint}; "" for a host that assumes a
    role (its account is the role ARN's: AssumeRole returned a session of that role)."""
    found, first = {}, {}
    for environment in environments:
        get = environment.get
        if _given(get("ssr_assume_role_arn")):
            found[get("inventory_hostname")] = ""
            continue
        source = tuple(str(get(key) or "") for key in ("aws_profile", "aws_access_key", "aws_endpoint_url"))
        found[get("inventory_hostname")] = first.setdefault(source, get("inventory_hostname"))
    return found
