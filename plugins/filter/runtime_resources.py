# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The runtime_resources role's input checks and the compute role's grants for what it makes, from
module_utils/runtime_resources.py (documentation: runtime_resources_problems.yml, runtime_resources_grants.yml)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import runtime_resources


def runtime_resources_problems(variables, prefix="runtime_resources_"):
    """Every problem of the run-time resources (a mapping of environment, parameters, secrets, tables and tags),
    each naming its option as prefix + key."""
    if not isinstance(variables, dict):
        raise AnsibleFilterError("runtime_resources_problems: the input must be a mapping of the role's variables")
    return runtime_resources.problems(variables, prefix)


def runtime_resources_grants(variables):
    """The compute role's grants (iam_compute_role_grants entries) for the declared parameters, secrets and tables
    (a mapping with those keys), once they are valid."""
    if not isinstance(variables, dict):
        raise AnsibleFilterError("runtime_resources_grants: the input must be a mapping of parameters, secrets and tables")
    found = runtime_resources.problems(dict(variables, environment=variables.get("environment") or "-"), "")
    if found:
        raise AnsibleFilterError("runtime_resources_grants: %s" % "; ".join(found))
    return runtime_resources.grants(variables.get("parameters"), variables.get("secrets"), variables.get("tables"))


class FilterModule:
    def filters(self):
        return {
            "runtime_resources_problems": runtime_resources_problems,
            "runtime_resources_grants": runtime_resources_grants,
        }
