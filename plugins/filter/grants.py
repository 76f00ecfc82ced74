# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The iam_compute_role role's documents and input checks, from module_utils/grants.py (documentation:
compute_role_trust_policy.yml, compute_role_grants_policy.yml, iam_compute_role_problems.yml).

The role writes the documents the compute_role_audit module proves the role against: one generator for both.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import grants
from ansible_collections.amplify_hosting.ssr.plugins.module_utils import inputs
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.aws_helpers import validate_iam_identifiers

PREFIX = "iam_compute_role_"
SESSION_MIN = 3600
SESSION_MAX = 43200


def compute_role_trust_policy(source_account="", source_arn=""):
    """The trust policy: amplify.amazonaws.com may sts:AssumeRole, under the optional conditions."""
    problems = grants.trust_condition_problems(source_account, source_arn, "source_account", "source_arn")
    if problems:
        raise AnsibleFilterError("compute_role_trust_policy: " + "; ".join(problems))
    return grants.trust_policy(source_account, source_arn)


def compute_role_grants_policy(value, partition="aws", region="", account=""):
    """The inline policy of the grants (in `partition`; grants outside S3 in `region` and `account` unless they
    name their own); None without grants."""
    problems = grants.grant_problems(value, "grants", region or None, account or None, partition, "the region argument")
    if problems:
        raise AnsibleFilterError("compute_role_grants_policy: " + "; ".join(problems))
    try:
        return grants.grants_policy(value, partition, region or None, account or None)
    except ValueError as e:
        raise AnsibleFilterError("compute_role_grants_policy: %s (give region and account)" % e)


def _path_problems(path, option):
    problem = validate_iam_identifiers("role", path=path) if isinstance(path, str) else "not a string"
    return ["%s: must be '/' or start and end with '/', at most 512 characters of letters, digits and +=,.@_- (got %r)"
            % (option, path)] if problem else []


def iam_compute_role_problems(variables):
    """Every problem of the iam_compute_role role's variables (the mapping of its iam_compute_role_* variables,
    without the prefix), each naming its variable, in the order of the role's argument specification."""
    if not isinstance(variables, dict):
        raise AnsibleFilterError("iam_compute_role_problems: the input must be a mapping of the role's variables")
    get = variables.get
    name = get("name")
    problems = []
    problem = validate_iam_identifiers("role", name=name) if isinstance(name, str) and name else "empty"
    if problem:
        problems.append("%sname: %r is not an IAM role name (1-64 letters, digits and +=,.@_-)" % (PREFIX, name))
    environment = get("environment")
    if not isinstance(environment, str) or not 0 < len(environment) <= inputs.TAG_VALUE_MAX:
        problems.append("%senvironment: must be 1-256 characters (it is the 'environment' tag) (got %r)"
                        % (PREFIX, environment))
    region = get("region", "")
    if region and not (isinstance(region, str) and grants.REGION_RE.match(region)):
        problems.append("%sregion: %r is not an AWS region (for example eu-west-1)" % (PREFIX, region))
    problems += grants.grant_problems(get("grants", []), PREFIX + "grants", region or None,
                                      region_option=PREFIX + "region")
    problems += grants.managed_policy_problems(get("managed_policies", []), PREFIX + "managed_policies")
    problems += grants.trust_condition_problems(get("source_account", ""), get("source_arn", ""),
                                                PREFIX + "source_account", PREFIX + "source_arn")
    problems += _path_problems(get("path", "/"), PREFIX + "path")
    problems += grants.policy_arn_problems(get("permissions_boundary", ""), PREFIX + "permissions_boundary",
                                           allow_empty=True)
    duration = get("max_session_duration", SESSION_MIN)
    whole = str(duration).isdigit() and not isinstance(duration, bool)
    if not whole or not SESSION_MIN <= int(duration) <= SESSION_MAX:
        problems.append("%smax_session_duration: must be %d to %d seconds (got %r)"
                        % (PREFIX, SESSION_MIN, SESSION_MAX, duration))
    problems += inputs.tag_problems(get("tags", {}), PREFIX + "tags", "iam")
    return problems


class FilterModule:
    def filters(self):
        return {
            "compute_role_trust_policy": compute_role_trust_policy,
            "compute_role_grants_policy": compute_role_grants_policy,
            "iam_compute_role_problems": iam_compute_role_problems,
        }
