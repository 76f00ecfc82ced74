# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The logs_role role's inline policy and input checks, from module_utils/logs_role.py (documentation:
logs_role_policy.yml, logs_role_problems.yml)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import logs_role


def logs_role_policy(partition, account, region=""):
    """The inline policy of the SSR CloudWatch Logs service role (partition and account of the role; region ""
    for every region)."""
    try:
        return logs_role.logs_policy(partition, account, region)
    except ValueError as e:
        raise AnsibleFilterError("logs_role_policy: %s" % e)


def logs_role_problems(variables):
    """Every problem of the logs_role role's variables (the mapping of its logs_role_* variables, without the
    prefix), each naming its variable."""
    if not isinstance(variables, dict):
        raise AnsibleFilterError("logs_role_problems: the input must be a mapping of the role's variables")
    return logs_role.role_problems(variables)


class FilterModule:
    def filters(self):
        return {
            "logs_role_policy": logs_role_policy,
            "logs_role_problems": logs_role_problems,
        }
