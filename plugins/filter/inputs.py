# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""input_problems: the modules' input rules (module_utils/inputs.py), for the roles and playbooks.

The roles check their variables with the same rules the modules apply, before their first write, instead of a
copy of them in Jinja (documentation: input_problems.yml).
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.amazon.aws.plugins.module_utils.iam import validate_iam_identifiers

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import inputs


def _role_name(value, option):
    if not isinstance(value, str) or not value:
        return ["%s: must be an IAM role name (got %r)" % (option, value)]
    problem = validate_iam_identifiers("role", name=value)
    return ["%s: %r is not an IAM role name (up to 64 letters, digits and +=,.@_-: %s)" % (option, value, problem)] if problem else []


def _tags(service):
    return lambda value, option: inputs.tag_problems(value, option, service)


RULES = {
    "name": lambda value, option: inputs.name_problems(value, option),
    "branch_name": inputs.branch_name_problems,
    "environment": inputs.environment_problems,
    "amplify_tags": _tags("amplify"),
    "iam_tags": _tags("iam"),
    "s3_tags": _tags("s3"),
    "repository": inputs.repository_problems,
    "bucket_name": inputs.bucket_name_problems,
    "role_name": _role_name,
}


def input_problems(value, kind, option):
    """The problems of `value` (the option or variable `option`) by the rules of `kind`: a list of strings."""
    if kind not in RULES:
        raise AnsibleFilterError("input_problems: kind must be one of %s, not %r" % (", ".join(sorted(RULES)), kind))
    if not isinstance(option, str) or not option:
        raise AnsibleFilterError("input_problems: option must name the variable checked")
    return RULES[kind](value, option)


class FilterModule:
    def filters(self):
        return {"input_problems": input_problems}
