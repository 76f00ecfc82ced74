# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What differs, what a run changes, and what a module returns.

API shapes as snake_case results (never a secret), what differs between what is wanted and what is there, the
--diff of it, tags, and the converge skeleton the app and branch modules share: write the changes (secret
names marked first), bring the tags, return the result and a diff without secrets.
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import tag_resource
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import untag_resource
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import mark_secret_names
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import mask_diff
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import mask_variables
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import secret_variable_names
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.secrets import tags_with_secret_names

# Keys whose contents are the user's own (environment variable names, tag keys): never re-cased.
USER_KEYED = ["tags", "environmentVariables"]
# Returned by the API but secret or useless to a playbook.
NEVER_RETURNED = ("basicAuthCredentials",)


def _without_secrets(value):
    if isinstance(value, dict):
        return dict((k, _without_secrets(v)) for k, v in value.items() if k not in NEVER_RETURNED)
    if isinstance(value, list):
        return [_without_secrets(v) for v in value]
    return value


def to_snake(resource):
    """An Amplify API structure as a module result: snake_case keys, ISO dates, no secrets at any depth."""
    if resource is None:
        return None
    cleaned = normalize_boto3_result(_without_secrets(resource))
    result = camel_dict_to_snake_dict(cleaned, ignore_list=USER_KEYED)
    # camel_dict_to_snake_dict does not pass ignore_list down: convert the nested config on its own so that
    # its environment variable names stay as they are.
    if isinstance(cleaned.get("autoBranchCreationConfig"), dict):
        result["auto_branch_creation_config"] = camel_dict_to_snake_dict(
            cleaned["autoBranchCreationConfig"], ignore_list=USER_KEYED
        )
    # The values of the variables the resource's secret tag names are never returned either.
    names = secret_variable_names(cleaned.get("tags"))
    if names and isinstance(result.get("environment_variables"), dict):
        result["environment_variables"] = mask_variables(result["environment_variables"], names)
    return result


def default_domain(app_id, app=None):
    """The app's default domain: as read when the app was read, else what Amplify gives every app."""
    if app and app.get("defaultDomain"):
        return app["defaultDomain"]
    return "%s.amplifyapp.com" % app_id


def branch_result(branch, app_id, domain):
    """A branch as a module result, with its app's id and its URL (https://<display name>.<domain>)."""
    result = to_snake(branch) or {}
    if branch is not None:
        display = branch.get("displayName") or branch["branchName"].replace("/", "-")
        result["app_id"] = app_id
        result["url"] = "https://%s.%s" % (display, domain)
        result.setdefault("compute_role_arn", "")
        result.setdefault("tags", {})
    return result


# -- comparing what is wanted with what is there --------------------------------------------------------


def api_params(params, mapping):
    """The API members (by `mapping`, option name -> member name) of the options the user set."""
    return dict((member, params[option]) for option, member in mapping.items() if params.get(option) is not None)


def _normalised(member, value):
    if member == "buildSpec" and isinstance(value, str):
        return value.rstrip()
    if member == "environmentVariables" and isinstance(value, dict):
        return dict((k, str(v)) for k, v in value.items())
    if member == "autoBranchCreationPatterns" and isinstance(value, list):
        return sorted(value)
    if member == "customRules" and isinstance(value, list):
        return [dict((k, v) for k, v in rule.items() if v not in (None, "")) for rule in value]
    return value


def managed_diff(current, changes, mapping, extra_before=None, extra_after=None):
    """A --diff of what the module manages: the options it changes, before and after, by option name."""
    options = dict((member, option) for option, member in mapping.items())
    before = dict((options.get(m, m), (current or {}).get(m)) for m in changes)
    after = dict((options.get(m, m), v) for m, v in changes.items())
    before.update(extra_before or {})
    after.update(extra_after or {})
    return {"before": before, "after": after}


def ensure_tags(client, module, arn, current_tags, tags, purge_tags):
    """Bring the resource's tags to `tags` (None: leave them). Returns (changed, the tags afterwards)."""
    current_tags = current_tags or {}
    if tags is None:
        return False, current_tags
    to_set, to_unset = compare_aws_tags(current_tags, tags, purge_tags)
    if not (to_set or to_unset):
        return False, current_tags
    if not module.check_mode:
        if to_unset:
            untag_resource(client, arn, to_unset)
        if to_set:
            tag_resource(client, arn, to_set)
    after = dict((k, v) for k, v in current_tags.items() if k not in to_unset)
    after.update(to_set)
    return True, after


def changed_params(desired, current):
    """The members of `desired` (None means "leave as is") whose value differs from `current`.

    An empty string asks for a member to be cleared: it differs only when the member is set.
    """
    changes = {}
    for key, value in desired.items():
        if value is None:
            continue
        have = current.get(key)
        if value == "" and not have:
            continue
        if _normalised(key, have) != _normalised(key, value):
            changes[key] = value
    return changes


# -- the converge skeleton of the app and branch modules ---------------------------------------------------


def planned_creation(desired, tags, secret_names, mapping):
    """(tags, diff) of a resource a run creates: `tags` with the secret tag naming `secret_names`, and a diff
    from nothing to `desired` (option names by `mapping`) with the secret values masked."""
    tags = tags_with_secret_names({}, tags, True, secret_names) or {}
    diff = managed_diff({}, desired, mapping, extra_after={"tags": tags})
    diff["before"] = {}
    mask_diff(diff, {}, [], secret_names)
    return tags, diff


def converge(client, module, current, arn, changes, write, tags, purge_tags, secret_names, mapping):
    """Bring an existing app or branch (`current`, ARN `arn`) to `changes` (API members; write(changes) sends
    them) and its tags to `tags` (purge_tags as O(purge_tags)), in the order that never leaves a secret unmarked:
    new secret names join the secret tag before the values are sent; names no longer secret leave it only after.
    Returns (changed, the resource afterwards, a --diff by option name without secrets). In check mode nothing is
    written and the result is what the run would make."""
    after = dict(current)
    tags_now = current.get("tags") or {}
    if changes:
        if module.check_mode:
            after.update(changes)
        else:
            if "environmentVariables" in changes:
                tags_now = mark_secret_names(client, module, arn, tags_now, secret_names)
            after = write(changes)
    # The tags asked for, and the secret tag: the module's own, never purged nor set by O(tags).
    wanted = tags_with_secret_names(current.get("tags"), tags, purge_tags, secret_names)
    tags_after = ensure_tags(client, module, arn, tags_now, wanted, True)[1]
    tags_changed = tags_after != (current.get("tags") or {})
    after["tags"] = tags_after
    extra = ({"tags": current.get("tags") or {}}, {"tags": tags_after}) if tags_changed else ({}, {})
    # No compute role is absent from the API; "" is how results and diffs say so.
    before = dict(current, computeRoleArn=current.get("computeRoleArn") or "")
    diff = managed_diff(before, changes, mapping, extra_before=extra[0], extra_after=extra[1])
    mask_diff(diff, current.get("environmentVariables"), secret_variable_names(current.get("tags")),
              secret_variable_names(tags_after))
    return bool(changes) or tags_changed, after, diff
