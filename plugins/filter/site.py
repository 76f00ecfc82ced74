# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""site_input_problems: an environment's site.yml inputs, checked before its first play makes anything
(documentation: site_input_problems.yml).

The rules are the modules' own (module_utils/inputs.py for names, variables and tags; module_utils/secrets.py for
secret variable names and basic auth), applied to the inventory's ssr_* variables and named after them. Secret
values are never part of a message.
"""

from __future__ import annotations

import os

from ansible.errors import AnsibleFilterError

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import inputs
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.aws_helpers import validate_iam_identifiers
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import basic_auth_value
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import check_secret_variables

STAGES = ("PRODUCTION", "BETA", "DEVELOPMENT", "EXPERIMENTAL", "PULL_REQUEST")
BOOLEAN_WORDS = ("true", "false", "yes", "no", "on", "off", "1", "0")
KEYS = ("stage", "wait_timeout", "release", "commit_id", "environment_variables", "secret_environment_variables",
        "tags", "branch", "role_name", "bucket", "uploads", "basic_auth", "app_basic_auth")


def _raised(check):
    """The message of the AmplifyError check() raises, as a list (empty when it raises none)."""
    try:
        check()
    except AmplifyError as e:
        return [e.message]
    return []


def _secret_problems(plain, secret):
    if not isinstance(secret, dict):
        return ["ssr_secret_environment_variables must be a mapping of names to values"]
    problems = _raised(lambda: check_secret_variables(plain if isinstance(plain, dict) else {}, secret,
                                                      "ssr_secret_environment_variables", "ssr_environment_variables"))
    return problems + inputs.environment_problems(secret, "ssr_secret_environment_variables")


def _basic_auth_problems(name, auth):
    if not isinstance(auth, dict):
        return ["%s must be a mapping {username, password}" % name]
    if not auth:
        return []
    extra = sorted(str(k) for k in auth if k not in ("username", "password"))
    if extra:
        return ["%s takes only username and password (got %s)" % (name, ", ".join(sorted(str(k) for k in auth)))]
    if not all(isinstance(auth.get(k), str) and auth.get(k) for k in ("username", "password")):
        return ["%s: username and password must both be given, as strings, and not empty" % name]
    return _raised(lambda: basic_auth_value(auth, name))


def _uploads_problems(uploads):
    if not isinstance(uploads, list):
        return ["ssr_uploads must be a list of {src, prefix}, each with a src"]
    if any(not isinstance(u, dict) or "src" not in u for u in uploads):
        return ["ssr_uploads must be a list of {src, prefix}, each with a src"]
    missing = [str(u["src"]) for u in uploads if not os.path.exists(str(u["src"]))]
    return ["ssr_uploads: no such file or directory on the controller: " + ", ".join(missing)] if missing else []


def site_input_problems(site):
    """Every problem of one environment's inputs (`site`: the KEYS, as site.yml resolves them)."""
    if not isinstance(site, dict) or set(KEYS) - set(site):
        raise AnsibleFilterError("site_input_problems: give a mapping with the keys %s" % ", ".join(KEYS))
    problems = _secret_problems(site["environment_variables"], site["secret_environment_variables"])
    for name in ("basic_auth", "app_basic_auth"):
        problems += _basic_auth_problems("ssr_" + name, site[name])
    stage = str(site["stage"] or "")
    if stage and stage not in STAGES:
        problems.append("ssr_stage '%s' is not one of %s (or \"\" for Amplify's default)" % (stage, ", ".join(STAGES)))
    wait = site["wait_timeout"]
    if isinstance(wait, bool) or not str(wait).isdigit() or int(str(wait)) < 1:
        problems.append("ssr_wait_timeout must be a whole number of seconds, at least 1 (got '%s')" % wait)
    release = site["release"]
    if not isinstance(release, bool) and str(release).lower() not in BOOLEAN_WORDS:
        problems.append("ssr_release must be true or false (got '%s')" % release)
    elif (release if isinstance(release, bool) else str(release).lower() in ("true", "yes", "on", "1")) and not site["commit_id"]:
        problems.append("ssr_commit_id is required when ssr_release is true (without it every run would start a new release)")
    if not isinstance(site["environment_variables"], dict):
        problems.append("ssr_environment_variables must be a mapping of names to values")
    else:
        problems += inputs.environment_problems(site["environment_variables"], "ssr_environment_variables")
    if not isinstance(site["tags"], dict):
        problems.append("ssr_tags must be a mapping of tag keys to values")
    else:
        problems += inputs.tag_problems(site["tags"], "ssr_tags", "amplify")
    if not str(site["branch"]).strip():
        problems.append("ssr_branch must not be empty")
    else:
        problems += inputs.branch_name_problems(site["branch"], "ssr_branch")
    role_problem = validate_iam_identifiers("role", name=str(site["role_name"])) if site["role_name"] else "empty"
    if role_problem:
        problems.append("ssr_role_name '%s' is not an IAM role name (1-64 of letters, digits and +=,.@_-)" % site["role_name"])
    problems += inputs.bucket_name_problems(site["bucket"], "ssr_bucket")
    problems += _uploads_problems(site["uploads"])
    return problems


class FilterModule:
    def filters(self):
        return {"site_input_problems": site_input_problems}
