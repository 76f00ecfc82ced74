# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The SSR CloudWatch Logs service role's inline policy, and the checks of the logs_role role's inputs.

Rules, from AWS:
- An SSR app needs an IAM service role that Amplify assumes to write its compute logs to CloudWatch Logs; a role
  of one's own needs ``logs:CreateLogStream``, ``logs:CreateLogGroup``, ``logs:DescribeLogGroups`` and
  ``logs:PutLogEvents`` (Amplify Hosting user guide, "Adding a service role with permissions to access
  CloudWatch Logs"). The guide names the actions only, no resources.
- Amplify writes an app's compute logs to the log group ``/aws/amplify/<app id>`` of the app's account and
  region (Amplify Hosting user guide, "Monitoring"); the role is made before the app (the app is given its ARN),
  so the group is scoped to ``/aws/amplify/*``.
- CreateLogGroup and CreateLogStream are authorized against the log group, PutLogEvents against the log stream
  ``log-group:<name>:log-stream:<stream>`` (Service Authorization Reference, CloudWatch Logs; CloudWatch Logs
  user guide, "CloudWatch Logs resources and operations": ``log-group:<name>:*`` for the actions on a group's
  streams). ``log-group:/aws/amplify/*`` covers the group and every stream in it.
- DescribeLogGroups lists log groups: it is not authorized against a log group ARN, so it is granted on ``*``
  (it reads names and settings, never events).
"""

import re

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import grants
from ansible_collections.amplify_hosting.ssr.plugins.module_utils import inputs
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.aws_helpers import validate_iam_identifiers

POLICY_SUFFIX = "-logs"
LOG_GROUP_PREFIX = "/aws/amplify/"
GROUP_ACTIONS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
LIST_ACTIONS = ["logs:DescribeLogGroups"]
PARTITION_RE = re.compile(r"^aws(-[a-z]+)*$")
ROLE_ARN_RE = re.compile(r"^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")


def logs_policy_name(role_name):
    """The name of the role's one inline policy."""
    return role_name + POLICY_SUFFIX


def logs_policy(partition, account, region=""):
    """The inline policy: the three log-group actions on the Amplify log groups (of `region`, every region for
    ""), of `account`, in `partition`; DescribeLogGroups on "*"."""
    problems = location_problems(partition, account, region)
    if problems:
        raise ValueError("; ".join(problems))
    groups = "arn:%s:logs:%s:%s:log-group:%s*" % (partition, region or "*", account, LOG_GROUP_PREFIX)
    return {
        "Version": grants.POLICY_VERSION,
        "Statement": [
            {"Effect": "Allow", "Action": list(GROUP_ACTIONS), "Resource": groups},
            {"Effect": "Allow", "Action": list(LIST_ACTIONS), "Resource": "*"},
        ],
    }


def location_problems(partition, account, region, prefix=""):
    problems = []
    if not (isinstance(partition, str) and PARTITION_RE.match(partition)):
        problems.append("%spartition: %r is not an AWS partition (aws, aws-cn, aws-us-gov...)" % (prefix, partition))
    if not (isinstance(account, str) and grants.ACCOUNT_RE.match(account)):
        problems.append("%saccount: %r is not a 12-digit account id" % (prefix, account))
    if region and not (isinstance(region, str) and grants.REGION_RE.match(region)):
        problems.append("%sregion: %r is not an AWS region (for example eu-west-1)" % (prefix, region))
    return problems


def _path_problems(path, option):
    problem = validate_iam_identifiers("role", path=path) if isinstance(path, str) else "not a string"
    return ["%s: must be '/' or start and end with '/', at most 512 characters of letters, digits and +=,.@_- (got %r)"
            % (option, path)] if problem else []


def role_problems(variables, prefix="logs_role_"):
    """Every problem of the logs_role role's variables (a mapping of its variables without the prefix), each
    naming its variable. With enabled false nothing else is checked; with an existing_arn only that ARN is."""
    get = variables.get
    enabled = get("enabled", True)
    if not isinstance(enabled, bool):
        return ["%senabled: must be true or false (got %r)" % (prefix, enabled)]
    if not enabled:
        return []
    existing = get("existing_arn", "")
    if existing:
        if not (isinstance(existing, str) and ROLE_ARN_RE.match(existing)):
            return ["%sexisting_arn: must be \"\" or an IAM role ARN such as arn:aws:iam::123456789012:role/my-logs"
                    " (got %r)" % (prefix, existing)]
        return []
    problems = []
    name = get("name", "")
    problem = validate_iam_identifiers("role", name=name) if isinstance(name, str) and name else "empty"
    if problem:
        problems.append("%sname: %r is not an IAM role name (1-64 letters, digits and +=,.@_-); it is required unless"
                        " %sexisting_arn is given or %senabled is false" % (prefix, name, prefix, prefix))
    environment = get("environment", "")
    if not isinstance(environment, str) or not 0 < len(environment) <= inputs.TAG_VALUE_MAX:
        problems.append("%senvironment: must be 1-256 characters (it is the 'environment' tag) (got %r)"
                        % (prefix, environment))
    region = get("region", "")
    if region and not (isinstance(region, str) and grants.REGION_RE.match(region)):
        problems.append("%sregion: %r is not an AWS region (for example eu-west-1), or \"\" for every region"
                        % (prefix, region))
    problems += _path_problems(get("path", "/"), prefix + "path")
    problems += inputs.tag_problems(get("tags", {}), prefix + "tags", "iam")
    return problems
