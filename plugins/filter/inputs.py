# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""input_problems: the modules' input rules (module_utils/inputs.py), for the roles and playbooks.

The roles check their variables with the same rules the modules apply, before their first write, instead of a
copy of them in Jinja (documentation: input_problems.yml).
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import inputs
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.aws_helpers import validate_iam_identifiers
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.compute_roles import ComputeRoleRef


def _role_name(value, option):
    if not isinstance(value, str) or not value:
        return ["%s: must be an IAM role name (got %r)" % (option, value)]
    problem = validate_iam_identifiers("role", name=value)
    return ["%s: %r is not an IAM role name (up to 64 letters, digits and +=,.@_-: %s)" % (option, value, problem)] if problem else []


def _branches(value, option):
    """Branches as the amplify_app role takes them: each name a Git branch name, its variables (plain and secret)
    by the environment rules, named as option[index].key."""
    if not isinstance(value, list):
        return ["%s: must be a list of branches (got %s)" % (option, type(value).__name__)]
    problems = []
    for index, branch in enumerate(value):
        where = "%s[%d]" % (option, index)
        if not isinstance(branch, dict):
            problems.append("%s: must be a mapping with a name (got %s)" % (where, type(branch).__name__))
            continue
        problems += inputs.branch_name_problems(branch.get("name"), where + ".name")
        for key in ("environment_variables", "secret_environment_variables"):
            problems += inputs.environment_problems(branch.get(key), "%s.%s" % (where, key))
    return problems


def _tags(service):
    return lambda value, option: inputs.tag_problems(value, option, service)


RULES = {
    "name": inputs.name_problems,
    "branch_name": inputs.branch_name_problems,
    "environment": inputs.environment_problems,
    "amplify_tags": _tags("amplify"),
    "iam_tags": _tags("iam"),
    "s3_tags": _tags("s3"),
    "repository": inputs.repository_problems,
    "bucket_name": inputs.bucket_name_problems,
    "role_name": _role_name,
    "amplify_branches": _branches,
}


def input_problems(value, kind, option):
    """The problems of `value` (the option or variable `option`) by the rules of `kind`: a list of strings."""
    if kind not in RULES:
        raise AnsibleFilterError("input_problems: kind must be one of %s, not %r" % (", ".join(sorted(RULES)), kind))
    if not isinstance(option, str) or not option:
        raise AnsibleFilterError("input_problems: option must name the variable checked")
    return RULES[kind](value, option)


def compute_role_problems(roles, value, option, check_mode=False):
    """What keeps the role `value` (a role ARN or name, the variable `option`) from being a compute role, judged
    from `roles` (the iam_roles amazon.aws.iam_role_info returned for its name) by the modules' own judgment
    (ComputeRoleRef.problem, module_utils/compute_roles.py). In check mode a role that does not exist yet is no
    problem (an earlier task may create it)."""
    try:
        ref = ComputeRoleRef(value, option)
    except AmplifyError as e:
        return [e.message]
    role = next((r for r in roles or [] if isinstance(r, dict) and r.get("role_name") == ref.name), None)
    if role is None:
        return [] if check_mode else [ref.missing()]
    problem = ref.problem({"Arn": role.get("arn"), "AssumeRolePolicyDocument": role.get("assume_role_policy_document")})
    return [problem] if problem else []


class FilterModule:
    def filters(self):
        return {"input_problems": input_problems, "compute_role_problems": compute_role_problems}
