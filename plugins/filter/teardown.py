# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a teardown may delete (documentation: teardown_selection.yml, teardown_branches_left.yml).

teardown_selection: what the teardown role may delete, from what it read.

Pure data in, data out: the role's read tasks (app_info, branch_info, s3_bucket_info, s3_empty in check mode,
iam_role_info, runtime_resources_info) register their results, and this filter decides, from those results alone,
which app, branches, bucket, IAM role, SSM parameters, secrets and DynamoDB tables are the environment's, which are
look-alikes left alone, what the plan is, and why nothing may be deleted (a bucket holding objects this collection did
not upload for the environment, without force). The role calls it again after each read; a result that is not read
yet (or skipped) counts as found nothing.

teardown_branches_left: the branches left in an app once environments are torn down (playbooks/teardown.yml deletes
the app when none is left).
"""

from __future__ import annotations


from ansible.errors import AnsibleFilterError

from ansible_collections.amplify_hosting.ssr.plugins.plugin_utils.ownership import (
    MANAGED_BY,
    carries,
    expect,
    expect_items,
    ownership_tags,
    plain,
    tags_of,
    to_json,
)

NAME = "teardown_selection"
MODES = ("clear_roles", "delete_branches", "delete_app")
# How many keys a refused bucket's message names.
SHOWN_KEYS = 20
# The run-time resources (runtime_resources_info's result keys), as the messages name them, in the order delete.yml
# deletes them.
RUNTIME_KINDS = (("parameters", "SSM parameter"), ("secrets", "secret"), ("tables", "DynamoDB table"))
# Secrets Manager's recovery window (DeleteSecret: RecoveryWindowInDays 7 to 30; 0 here means
# ForceDeleteWithoutRecovery, deleted at once).
RECOVERY_DAYS_MIN = 7
RECOVERY_DAYS_MAX = 30


def _listed(result, key, what):
    """The list ``key`` of a registered result (``[]`` when the task was skipped or has not run)."""
    expect(result, "mapping", what, NAME)
    return expect_items(result.get(key, []), "mapping", "%s.%s" % (what, key), NAME)


def _by_name(branch):
    # As Jinja's sort(attribute='branch_name'): case-insensitive, stable.
    name = branch.get("branch_name", "")
    return name.lower() if isinstance(name, str) else name


def split_apps(apps, app, environment, mode):
    """The apps with id or name ``app`` (the id first): the collection's, the environment's, and the others.

    delete_app needs the app's own environment tag; the other modes only need managed-by on the app, as one app
    holds the branches of several environments (they decide per branch)."""
    named = [a for a in apps if a.get("app_id") == app]
    named += [a for a in apps if a.get("name") == app and a.get("app_id") != app]
    managed = [a for a in named if tags_of(a).get("managed-by") == MANAGED_BY]
    in_environment = [a for a in managed if carries(tags_of(a), ownership_tags(environment))]
    kept = in_environment if mode == "delete_app" else managed
    kept_ids = [a.get("app_id") for a in kept]
    foreign = [a for a in named if a.get("app_id") not in kept_ids]
    return managed, in_environment, foreign


def choose_apps(managed, in_environment, holding_ids, mode):
    """delete_app: the app tagged for the environment. Else the collection's apps holding a branch of
    teardown_branches tagged for it; else the one tagged for it; else the only one."""
    if mode == "delete_app":
        return in_environment
    if holding_ids:
        return [a for a in managed if a.get("app_id") in holding_ids]
    if in_environment:
        return in_environment
    return managed if len(managed) == 1 else []


def holding_app_ids(listings, branches, environment):
    """The app ids whose branch listing holds a branch of ``branches`` tagged for the environment."""
    wanted = ownership_tags(environment)
    ids = []
    for index, listing in enumerate(listings):
        expect(listing, "mapping", "app_branch_listings.results[%d]" % index, NAME)
        if "branches" not in listing:
            continue
        listed = expect_items(listing["branches"], "mapping", "app_branch_listings.results[%d].branches" % index, NAME)
        if any(b.get("branch_name") in branches and carries(tags_of(b), wanted) for b in listed):
            ids.append(expect(listing.get("item"), "mapping", "app_branch_listings.results[%d].item" % index, NAME)
                       .get("app_id"))
    return ids


def _owned_resource(found, key, wanted):
    return bool(found) and carries(tags_of(found[0], key), wanted)


def bucket_refusal(bucket, environment, foreign_keys, foreign_versions):
    """The refusal of a bucket holding objects without the environment's ownership tags: the first SHOWN_KEYS
    keys, and how many there are."""
    shown = foreign_keys[:SHOWN_KEYS]
    more = len(foreign_keys) - len(shown)
    return ("teardown_bucket: bucket %s holds %d object(s) (%d version(s)) without the tags managed-by=%s"
            " environment=%s, which this collection did not upload: %s%s. The teardown deletes only the objects it"
            " uploaded; delete or move the others, or set teardown_force_empty_bucket=true to delete every object"
            " with the bucket. Nothing was deleted; this environment's branch, bucket and IAM role are kept."
            % (bucket, len(foreign_keys), foreign_versions, MANAGED_BY, environment, ", ".join(shown),
               " and %d more" % more if more else ""))


def refusals(decision, environment, app, mode, bucket):
    """Why the teardown must not delete anything (the checks of main.yml, in their order); [] when it may."""
    found = []
    owned_apps = decision["owned_apps"]
    if len(owned_apps) > 1:
        if mode == "delete_app":
            which = "are tagged for environment %s" % environment
        else:
            which = ("are tagged managed-by=%s and hold branches of teardown_branches tagged for environment %s"
                     " (or, none doing so, are tagged for it)" % (MANAGED_BY, environment))
        found.append("teardown_app: %s matches %d apps (%s) that %s; give the app id instead. Nothing was deleted."
                     % (app, len(owned_apps), ", ".join(str(a.get("app_id")) for a in owned_apps), which))
    if decision["foreign_app_branches"]:
        found.append("teardown_amplify_mode=delete_app: app %s has branches without the tags managed-by=%s and"
                     " environment=%s (%s); deleting the app would delete them. Use"
                     " teardown_amplify_mode=delete_branches with teardown_branches instead. Nothing was deleted."
                     % (decision["app_id"], MANAGED_BY, environment, ", ".join(decision["foreign_app_branches"])))
    if decision["bucket_foreign_keys"]:
        found.append(bucket_refusal(bucket, environment, decision["bucket_foreign_keys"],
                                    decision["bucket_foreign_versions"]))
    return found


def _scanned(object_scan):
    """What s3_empty (check mode) found: (entries to delete, their keys, foreign keys, foreign version count)."""
    scan = expect({} if object_scan is None else object_scan, "mapping", "object_scan", NAME)
    entries = expect_items(scan.get("deleted", []), "mapping", "object_scan.deleted", NAME)
    keys = expect_items(scan.get("deleted_keys", []), "string", "object_scan.deleted_keys", NAME)
    foreign = expect_items(scan.get("refused_keys", []), "string", "object_scan.refused_keys", NAME)
    counts = expect(scan.get("counts", {}), "mapping", "object_scan.counts", NAME)
    return entries, keys, foreign, counts.get("refused_versions", len(foreign))


def bucket_step(bucket, entries, keys, force):
    """The plan's line for emptying the bucket ('' when there is nothing to delete)."""
    if not entries:
        return ""
    markers = len([e for e in entries if e.get("delete_marker")])
    what = "delete the %d object version(s) and %d delete marker(s) of %d key(s)" % (
        len(entries) - markers, markers, len(keys))
    if force:
        return "%s in bucket %s: every object, whatever its tags (teardown_force_empty_bucket)" % (what, bucket)
    return "%s that this collection uploaded to bucket %s" % (what, bucket)


def valid_recovery_days(days):
    """Whether ``days`` is a Secrets Manager recovery window the role takes: 0 (deleted at once) or 7 to 30."""
    return (isinstance(days, int) and not isinstance(days, bool)
            and (days == 0 or RECOVERY_DAYS_MIN <= days <= RECOVERY_DAYS_MAX))


def _runtime_found(runtime_info, names):
    """Per kind, the entries runtime_resources_info registered for the names asked for, in their order (a name it
    did not report, or a read not made, counts as not found); each name once."""
    info = expect({} if runtime_info is None else runtime_info, "mapping", "runtime_info", NAME)
    found = {}
    for kind, _what in RUNTIME_KINDS:
        entries = _listed(info, kind, "runtime_info")
        by_name = {}
        for entry in entries:
            by_name.setdefault(entry.get("name"), entry)
        found[kind] = [by_name[name] for name in dict.fromkeys(names[kind]) if name in by_name]
    return found


def runtime_decision(environment, names, recovery_days, runtime_info):
    """The SSM parameters, secrets and tables that are the environment's (owned_*: the names to delete;
    pending_secrets: its secrets already scheduled for deletion, left as they are unless recovery_days is 0),
    the look-alikes and pending secrets left alone (skipped), and the plan's lines, in delete.yml's order."""
    wanted = ownership_tags(environment)
    found = _runtime_found(runtime_info, names)
    owned = {kind: [e for e in found[kind] if e.get("exists") and carries(tags_of(e), wanted)]
             for kind, _what in RUNTIME_KINDS}
    pending = [e.get("name") for e in owned["secrets"] if e.get("pending_deletion")]
    decision = {
        "owned_parameters": [e.get("name") for e in owned["parameters"]],
        "owned_secrets": [e.get("name") for e in owned["secrets"]
                          if recovery_days == 0 or e.get("name") not in pending],
        "pending_secrets": pending if recovery_days else [],
        "owned_tables": [e.get("name") for e in owned["tables"]],
    }
    skipped = []
    for kind, what in RUNTIME_KINDS:
        leaving = " with its items" if kind == "tables" else ""
        skipped += ["%s %s: not tagged managed-by=%s environment=%s (its tags: %s); left untouched%s"
                    % (what, e.get("name"), MANAGED_BY, environment, to_json(tags_of(e)), leaving)
                    for e in found[kind] if e.get("exists") and not carries(tags_of(e), wanted)]
    skipped += ["secret %s: already scheduled for deletion (Secrets Manager deletes it when its recovery window ends);"
                " left as it is (teardown_secret_recovery_days=0 deletes it at once)" % name
                for name in decision["pending_secrets"]]
    plan = ["delete SSM parameter %s" % name for name in decision["owned_parameters"]]
    for name in decision["owned_secrets"]:
        if recovery_days:
            plan.append("delete secret %s after a recovery window of %d days (restorable until then; site.yml"
                        " restores it)" % (name, recovery_days))
        else:
            plan.append("delete secret %s at once, without recovery (teardown_secret_recovery_days=0%s)"
                        % (name, "; it was scheduled for deletion" if name in pending else ""))
    plan += ["delete DynamoDB table %s with its items" % name for name in decision["owned_tables"]]
    return decision, skipped, plan


def teardown_selection(environment, app="", branches=None, mode="delete_branches", bucket="", role_name="",
                       force_empty_bucket=False, app_listing=None, app_branch_listings=None, branch_listing=None,
                       bucket_info=None, object_scan=None, role_info=None, app_role_info=None, parameters=None,
                       secrets=None, tables=None, secret_recovery_days=RECOVERY_DAYS_MIN, runtime_info=None):
    """What is this environment's, what is left alone (skipped), what is deleted or cleared (plan), and why
    nothing may be deleted (refusals)."""
    expect(environment, "string", "the environment (input)", NAME)
    if not environment.strip():
        raise AnsibleFilterError("%s: the environment (input) must not be empty" % NAME)
    expect(app, "string", "app", NAME)
    expect(bucket, "string", "bucket", NAME)
    expect(role_name, "string", "role_name", NAME)
    branches = expect_items([] if branches is None else branches, "string", "branches", NAME)
    if mode not in MODES:
        raise AnsibleFilterError("%s: mode must be one of %s, got %r" % (NAME, ", ".join(MODES), mode))
    runtime_names = {"parameters": parameters, "secrets": secrets, "tables": tables}
    for kind in runtime_names:
        runtime_names[kind] = expect_items([] if runtime_names[kind] is None else runtime_names[kind], "string",
                                           kind, NAME)
    if not valid_recovery_days(secret_recovery_days):
        raise AnsibleFilterError("%s: secret_recovery_days must be 0 or %d to %d (give teardown_secret_recovery_days"
                                 " | int), got %r" % (NAME, RECOVERY_DAYS_MIN, RECOVERY_DAYS_MAX,
                                                      secret_recovery_days))
    wanted = ownership_tags(environment)
    tag_text = "managed-by=%s environment=%s" % (MANAGED_BY, environment)
    not_tagged = ": not tagged %s (its tags: " % tag_text

    # --- Amplify: the app and its branches ---
    apps = _listed({} if app_listing is None else app_listing, "apps", "app_listing")
    managed, in_environment, foreign_apps = split_apps(apps, app, environment, mode)
    listings = _listed({} if app_branch_listings is None else app_branch_listings, "results", "app_branch_listings")
    owned_apps = choose_apps(managed, in_environment, holding_app_ids(listings, branches, environment), mode)
    chosen = owned_apps[0] if len(owned_apps) == 1 else {}
    app_id = chosen.get("app_id", "")
    app_compute_role = chosen.get("compute_role_arn") or ""
    # The collection's apps with that id or name that are not chosen: none of their branches is this run's.
    owned_ids = [a.get("app_id") for a in owned_apps]
    unchosen = ([a for a in managed if a.get("app_id") not in owned_ids]
                if mode != "delete_app" and len(owned_apps) <= 1 else [])

    all_branches = _listed({} if branch_listing is None else branch_listing, "branches", "branch_listing")
    owned_names = [b.get("branch_name") for b in all_branches if carries(tags_of(b), wanted)]
    named = sorted((b for b in all_branches if b.get("branch_name") in branches), key=_by_name)
    owned_branches = [b for b in named if b.get("branch_name") in owned_names]
    foreign_branches = [b for b in named if b.get("branch_name") not in owned_names]
    foreign_app_branches = ([b.get("branch_name") for b in all_branches if b.get("branch_name") not in owned_names]
                            if mode == "delete_app" else [])

    # --- S3 and IAM ---
    buckets = _listed({} if bucket_info is None else bucket_info, "buckets", "bucket_info")
    bucket_owned = _owned_resource(buckets, "bucket_tagging", wanted)
    if not isinstance(force_empty_bucket, bool):
        raise AnsibleFilterError("%s: force_empty_bucket must be a boolean (give teardown_force_empty_bucket | bool),"
                                 " got %r" % (NAME, force_empty_bucket))
    bucket_objects, bucket_keys, foreign_keys, foreign_versions = _scanned(object_scan)
    roles = _listed({} if role_info is None else role_info, "iam_roles", "role_info")
    role_owned = _owned_resource(roles, "tags", wanted)

    # The app's default compute role is cleared when it names this environment's IAM role (the app must not be
    # left naming a role this environment deletes; another environment's default is not this one's to clear),
    # or (delete_branches) when this run deletes the app's last branches. Never for delete_app (the app goes).
    app_roles = [r for r in _listed({} if app_role_info is None else app_role_info, "iam_roles", "app_role_info")
                 if app_compute_role and r.get("arn") == app_compute_role]
    owned_branch_names = [b.get("branch_name") for b in owned_branches]
    deletes_last_branches = (mode == "delete_branches" and bool(owned_branches)
                             and all(b.get("branch_name") in owned_branch_names for b in all_branches))
    clear_app_role = (mode != "delete_app" and bool(app_compute_role)
                      and (_owned_resource(app_roles, "tags", wanted) or deletes_last_branches))

    # --- What is left alone, and why ---
    skipped = ["app %s (%s)%s%s); left untouched with its branches"
               % (a.get("app_id"), a.get("name"), not_tagged, to_json(a.get("tags", {}))) for a in foreign_apps]
    skipped += ["app %s (%s, tags %s): holds no branch of teardown_branches tagged %s; left untouched"
                % (a.get("app_id"), a.get("name"), to_json(a.get("tags", {})), tag_text) for a in unchosen]
    skipped += ["branch %s of app %s%s%s); left untouched"
                % (b.get("branch_name"), app_id, not_tagged, to_json(b.get("tags", {}))) for b in foreign_branches]
    if buckets and not bucket_owned:
        skipped.append("bucket %s%s%s); left untouched with its objects"
                       % (bucket, not_tagged, to_json(buckets[0].get("bucket_tagging", {}))))
    if roles and not role_owned:
        skipped.append("IAM role %s%s%s); left untouched with its policies"
                       % (role_name, not_tagged, to_json(roles[0].get("tags", {}))))
    runtime, runtime_skipped, runtime_plan = runtime_decision(environment, runtime_names, secret_recovery_days,
                                                              runtime_info)
    skipped += runtime_skipped

    # --- What is deleted or cleared, in the order delete.yml does it ---
    plan = []
    if mode == "clear_roles":
        plan += ["clear the compute-role override of branch %s of app %s (%s)"
                 % (b.get("branch_name"), app_id, b["compute_role_arn"])
                 for b in owned_branches if b.get("compute_role_arn")]
    elif mode == "delete_branches":
        plan += ["delete branch %s of app %s" % (b.get("branch_name"), app_id) for b in owned_branches]
    if clear_app_role:
        plan.append("clear the default compute role of app %s (%s)" % (app_id, app_compute_role))
    if mode == "delete_app" and app_id:
        plan.append("delete app %s (%s) with its branches" % (app_id, app))
    emptying = bucket_step(bucket, bucket_objects, bucket_keys, force_empty_bucket)
    if emptying and not foreign_keys:
        plan.append(emptying)
    if bucket_owned:
        plan.append("delete bucket %s" % bucket)
    if role_owned:
        plan.append("delete IAM role %s with its inline policies and managed policy attachments" % role_name)
    plan += runtime_plan

    decision = plain({
        "managed_apps": managed,
        "owned_apps": owned_apps,
        "app_id": app_id,
        "app_compute_role": app_compute_role,
        "owned_branches": owned_branches,
        "foreign_app_branches": foreign_app_branches,
        "bucket_owned": bucket_owned,
        "ownership_tags": wanted,
        "bucket_objects": bucket_objects,
        "bucket_keys": bucket_keys,
        "bucket_foreign_keys": foreign_keys,
        "bucket_foreign_versions": foreign_versions,
        "role_owned": role_owned,
        "clear_app_role": clear_app_role,
        "owned_parameters": runtime["owned_parameters"],
        "owned_secrets": runtime["owned_secrets"],
        "pending_secrets": runtime["pending_secrets"],
        "owned_tables": runtime["owned_tables"],
        "secret_recovery_days": secret_recovery_days,
        "skipped": skipped,
        "plan": plan,
    })
    decision["refusals"] = refusals(decision, environment, app, mode, bucket)
    return decision


def teardown_branches_left(branches, leaving=None, check_mode=False):
    """The branches left in an app once the environments ``leaving`` are torn down (teardown.yml deletes an app
    only when none is left). Outside check mode the listing is read after their teardown: every branch is left.
    Under check mode nothing was deleted: a branch tagged managed-by for one of ``leaving`` counts as gone."""
    name = "teardown_branches_left"
    branches = expect_items(branches, "mapping", "the branches (input)", name)
    leaving = expect_items([] if leaving is None else leaving, "string", "leaving", name)
    if not check_mode:
        return plain(branches)
    unmanaged = [b for b in branches if "managed-by" not in tags_of(b)]
    staying = [b for b in branches if "managed-by" in tags_of(b) and tags_of(b).get("environment") not in leaving]
    return plain(unmanaged + staying)


class FilterModule(object):
    """The teardown role's selection, and the teardown playbook's branches left in an app."""

    def filters(self):
        return {NAME: teardown_selection, "teardown_branches_left": teardown_branches_left}
