# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""teardown_selection: which resources are the environment's, what is left alone, the plan and the refusals."""

import re

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.amplify_hosting.ssr.plugins.filter.teardown import (
    FilterModule,
    teardown_branches_left,
    teardown_selection,
)

OURS = {"managed-by": "amplify_hosting.ssr", "environment": "dev"}
MANAGED_STAGING = {"managed-by": "amplify_hosting.ssr", "environment": "staging"}
ROLE_ARN = "arn:aws:iam::123456789012:role/demo-dev-compute"


def app(app_id, name="demo", tags=None, role=""):
    found = {"app_id": app_id, "name": name, "compute_role_arn": role}
    if tags is not None:
        found["tags"] = tags
    return found


def branch(name, tags=None, role=""):
    found = {"branch_name": name, "compute_role_arn": role}
    if tags is not None:
        found["tags"] = tags
    return found


def listing(app_id, *branches):
    return {"item": app(app_id), "branches": list(branches)}


def select(**kwargs):
    kwargs.setdefault("app", "demo")
    return teardown_selection("dev", **kwargs)


def test_the_filter_is_registered_under_its_name():
    assert FilterModule().filters() == {"teardown_selection": teardown_selection,
                                        "teardown_branches_left": teardown_branches_left}


def test_nothing_named_or_nothing_read_plans_nothing():
    decision = teardown_selection("dev")
    assert decision["plan"] == [] and decision["skipped"] == [] and decision["refusals"] == []
    assert decision["app_id"] == "" and decision["bucket_owned"] is False and decision["role_owned"] is False
    # A skipped read registers no data: it counts as found nothing.
    assert teardown_selection("dev", app_listing={"skipped": True}, bucket_info={"skipped": True})["plan"] == []


@pytest.mark.parametrize("environment, kwargs, message", [
    ("", {}, "the environment (input) must not be empty"),
    (3, {}, "the environment (input) must be a string, got int"),
    ("dev", {"mode": "delete_all"}, "mode must be one of clear_roles, delete_branches, delete_app, got 'delete_all'"),
    ("dev", {"branches": "dev"}, "branches must be a list, got str"),
    ("dev", {"branches": ["dev", 1]}, "branches[1] must be a string, got int"),
    ("dev", {"app_listing": []}, "app_listing must be a mapping, got list"),
    ("dev", {"app_listing": {"apps": ["demo"]}}, "app_listing.apps[0] must be a mapping, got str"),
    ("dev", {"app_branch_listings": {"results": [{"branches": [branch("dev", OURS)], "item": "a1"}]},
             "branches": ["dev"]},
     "app_branch_listings.results[0].item must be a mapping, got str"),
    ("dev", {"object_scan": {"deleted_keys": "a"}}, "object_scan.deleted_keys must be a list, got str"),
    ("dev", {"object_scan": {"refused_keys": [1]}}, "object_scan.refused_keys[0] must be a string, got int"),
    ("dev", {"object_scan": {"deleted": ["a"]}}, "object_scan.deleted[0] must be a mapping, got str"),
    ("dev", {"force_empty_bucket": "false"},
     "force_empty_bucket must be a boolean (give teardown_force_empty_bucket | bool), got 'false'"),
    ("dev", {"parameters": "/demo/dev/greeting"}, "parameters must be a list, got str"),
    ("dev", {"secrets": [None]}, "secrets[0] must be a string, got NoneType"),
    ("dev", {"tables": {"demo-dev-items": {}}}, "tables must be a list, got dict"),
    ("dev", {"runtime_info": []}, "runtime_info must be a mapping, got list"),
    ("dev", {"runtime_info": {"secrets": ["demo/dev/api-key"]}}, "runtime_info.secrets[0] must be a mapping, got str"),
])
def test_bad_input_is_refused_with_a_message_naming_it(environment, kwargs, message):
    with pytest.raises(AnsibleFilterError, match="^teardown_selection: %s$" % re.escape(message)):
        teardown_selection(environment, **kwargs)


# --- delete_app: the app must carry both tags -------------------------------------------------------------
def test_delete_app_takes_the_app_tagged_for_the_environment_and_skips_the_look_alikes():
    apps = [app("a1", tags=MANAGED_STAGING), app("a2", tags=OURS), app("a3", tags={}),
            app("a4", name="other", tags=OURS)]
    decision = select(mode="delete_app", app_listing={"apps": apps},
                      branch_listing={"branches": [branch("dev", OURS)]})
    assert decision["owned_apps"] == [apps[1]] and decision["app_id"] == "a2"
    assert decision["managed_apps"] == [apps[0], apps[1]]
    assert decision["plan"] == ["delete app a2 (demo) with its branches"]
    assert decision["skipped"] == [
        'app a1 (demo): not tagged managed-by=amplify_hosting.ssr environment=dev (its tags: '
        '{"managed-by": "amplify_hosting.ssr", "environment": "staging"}); left untouched with its branches',
        'app a3 (demo): not tagged managed-by=amplify_hosting.ssr environment=dev (its tags: {}); '
        'left untouched with its branches',
    ]
    assert decision["refusals"] == [] and decision["clear_app_role"] is False


def test_an_app_id_matches_before_a_name_and_an_app_without_tags_is_a_look_alike():
    apps = [app("demo2", name="x", tags=OURS), app("a9", name="demo2")]
    decision = teardown_selection("dev", app="demo2", mode="delete_app", app_listing={"apps": apps})
    assert decision["app_id"] == "demo2"
    assert decision["skipped"] == ["app a9 (demo2): not tagged managed-by=amplify_hosting.ssr environment=dev "
                                   "(its tags: {}); left untouched with its branches"]


def test_delete_app_is_refused_while_the_app_holds_another_environments_branch():
    decision = select(mode="delete_app", app_listing={"apps": [app("a1", tags=OURS)]},
                      branch_listing={"branches": [branch("prod", MANAGED_STAGING), branch("dev", OURS), branch("qa")]})
    assert decision["foreign_app_branches"] == ["prod", "qa"]
    assert decision["refusals"] == [
        "teardown_amplify_mode=delete_app: app a1 has branches without the tags managed-by=amplify_hosting.ssr and "
        "environment=dev (prod, qa); deleting the app would delete them. Use teardown_amplify_mode=delete_branches "
        "with teardown_branches instead. Nothing was deleted."]


def test_two_apps_tagged_for_the_environment_are_ambiguous_for_delete_app():
    decision = select(mode="delete_app", app_listing={"apps": [app("a1", tags=OURS), app("a2", tags=OURS)]})
    assert decision["app_id"] == "" and "delete app" not in " ".join(decision["plan"])
    assert decision["refusals"] == ["teardown_app: demo matches 2 apps (a1, a2) that are tagged for environment dev; "
                                    "give the app id instead. Nothing was deleted."]


# --- shared apps: clear_roles and delete_branches ----------------------------------------------------------
def test_the_app_holding_the_environments_branches_is_chosen_over_the_one_tagged_for_it():
    apps = [app("a1", tags=OURS), app("a2", tags=MANAGED_STAGING), app("a3", tags={"managed-by": "someone"})]
    decision = select(branches=["dev"], app_listing={"apps": apps}, app_branch_listings={"results": [
        listing("a1", branch("dev", MANAGED_STAGING)),
        listing("a2", branch("dev", OURS)),
        {"item": app("a3"), "skipped": True},
    ]})
    assert decision["app_id"] == "a2"
    assert decision["skipped"] == [
        'app a3 (demo): not tagged managed-by=amplify_hosting.ssr environment=dev (its tags: {"managed-by": '
        '"someone"}); left untouched with its branches',
        'app a1 (demo, tags {"managed-by": "amplify_hosting.ssr", "environment": "dev"}): holds no branch of '
        'teardown_branches tagged managed-by=amplify_hosting.ssr environment=dev; left untouched',
    ]


def test_without_a_holding_app_the_one_tagged_for_the_environment_is_chosen():
    apps = [app("a1", tags=MANAGED_STAGING), app("a2", tags=OURS)]
    decision = select(branches=["dev"], app_listing={"apps": apps},
                      app_branch_listings={"results": [listing("a1"), listing("a2", branch("main", OURS))]})
    assert decision["app_id"] == "a2"


def test_the_only_managed_app_is_chosen_whatever_its_environment():
    decision = select(branches=["dev"], app_listing={"apps": [app("a1", tags=MANAGED_STAGING)]})
    assert decision["app_id"] == "a1" and decision["refusals"] == []


def test_several_managed_apps_and_no_reason_to_choose_one_chooses_none():
    apps = [app("a1", tags=MANAGED_STAGING), app("a2", tags=MANAGED_STAGING)]
    decision = select(branches=["dev"], app_listing={"apps": apps})
    assert decision["owned_apps"] == [] and decision["app_id"] == "" and decision["refusals"] == []
    assert [s.split(" (")[0] for s in decision["skipped"]] == ["app a1", "app a2"]


def test_two_apps_holding_the_environments_branches_are_ambiguous():
    apps = [app("a1", tags=MANAGED_STAGING), app("a2", tags=MANAGED_STAGING)]
    decision = select(branches=["dev"], app_listing={"apps": apps}, app_branch_listings={"results": [
        listing("a1", branch("dev", OURS)), listing("a2", branch("dev", OURS))]})
    assert decision["app_id"] == "" and decision["skipped"] == []
    assert decision["refusals"] == [
        "teardown_app: demo matches 2 apps (a1, a2) that are tagged managed-by=amplify_hosting.ssr and hold branches "
        "of teardown_branches tagged for environment dev (or, none doing so, are tagged for it); give the app id "
        "instead. Nothing was deleted."]


def test_delete_branches_deletes_only_the_named_branches_tagged_for_the_environment_sorted_by_name():
    branches = [branch("main", OURS), branch("dev", MANAGED_STAGING), branch("Beta", OURS), branch("alpha", OURS)]
    decision = select(branches=["dev", "alpha", "Beta"], app_listing={"apps": [app("a1", tags=OURS)]},
                      branch_listing={"branches": branches})
    assert [b["branch_name"] for b in decision["owned_branches"]] == ["alpha", "Beta"]
    assert decision["plan"] == ["delete branch alpha of app a1", "delete branch Beta of app a1"]
    assert decision["skipped"] == [
        'branch dev of app a1: not tagged managed-by=amplify_hosting.ssr environment=dev (its tags: '
        '{"managed-by": "amplify_hosting.ssr", "environment": "staging"}); left untouched']
    assert decision["foreign_app_branches"] == [] and decision["clear_app_role"] is False


def test_clear_roles_clears_only_the_overrides_that_are_set():
    branches = [branch("dev", OURS, role=ROLE_ARN), branch("dev2", OURS)]
    decision = select(mode="clear_roles", branches=["dev", "dev2"], app_listing={"apps": [app("a1", tags=OURS)]},
                      branch_listing={"branches": branches})
    assert decision["plan"] == ["clear the compute-role override of branch dev of app a1 (%s)" % ROLE_ARN]


# --- the app's default compute role ------------------------------------------------------------------------
def role(arn=ROLE_ARN, tags=None):
    return {"iam_roles": [{"arn": arn, "role_name": arn.split("/")[-1], "tags": OURS if tags is None else tags}]}


@pytest.mark.parametrize("mode, branches, app_role, cleared", [
    # The role it names is this environment's: cleared (clear_roles or delete_branches).
    ("clear_roles", [branch("dev", OURS), branch("prod", MANAGED_STAGING)], role(), True),
    ("delete_branches", [branch("dev", OURS), branch("prod", MANAGED_STAGING)], role(), True),
    # Another environment's role, other branches left: kept.
    ("delete_branches", [branch("dev", OURS), branch("prod", MANAGED_STAGING)], role(tags=MANAGED_STAGING), False),
    # A role with another ARN than the app's (read under the same name) does not count.
    ("delete_branches", [branch("dev", OURS), branch("prod", MANAGED_STAGING)], role(arn=ROLE_ARN + "x"), False),
    # This run deletes the app's last branches: cleared, whoever's role it is.
    ("delete_branches", [branch("dev", OURS)], role(tags=MANAGED_STAGING), True),
    ("delete_branches", [branch("dev", OURS)], {}, True),
    # clear_roles never deletes branches.
    ("clear_roles", [branch("dev", OURS)], role(tags=MANAGED_STAGING), False),
])
def test_the_app_default_role_is_cleared_when_it_is_this_environments_or_the_last_branches_go(
        mode, branches, app_role, cleared):
    decision = select(mode=mode, branches=["dev"],
                      app_listing={"apps": [app("a1", tags=MANAGED_STAGING, role=ROLE_ARN)]},
                      branch_listing={"branches": branches}, app_role_info=app_role)
    assert decision["app_compute_role"] == ROLE_ARN
    assert decision["clear_app_role"] is cleared
    line = "clear the default compute role of app a1 (%s)" % ROLE_ARN
    assert (line in decision["plan"]) is cleared


def test_delete_app_never_clears_the_app_default_role():
    decision = select(mode="delete_app", app_listing={"apps": [app("a1", tags=OURS, role=ROLE_ARN)]},
                      app_role_info=role())
    assert decision["clear_app_role"] is False


def test_an_app_without_a_default_role_has_nothing_to_clear():
    decision = select(branches=["dev"], app_listing={"apps": [app("a1", tags=OURS)]},
                      branch_listing={"branches": [branch("dev", OURS)]})
    assert decision["app_compute_role"] == "" and decision["clear_app_role"] is False


# --- the bucket and the IAM role ---------------------------------------------------------------------------
def scan(deleted=(), refused=(), refused_versions=None):
    """What amplify_hosting.ssr.s3_empty (check mode) registers: deleted [(key, version id, delete marker)],
    refused keys."""
    entries = [{"key": k, "version_id": v, "delete_marker": m} for k, v, m in deleted]
    return {"changed": bool(entries), "deleted": entries, "deleted_keys": sorted(set(k for k, _v, _m in deleted)),
            "refused_keys": list(refused),
            "counts": {"refused_versions": len(refused) if refused_versions is None else refused_versions}}


OWNED_BUCKET = {"buckets": [{"name": "b1", "bucket_tagging": dict(OURS, extra="x")}]}
TWO_OBJECTS = [("a.png", "v2", False), ("a.png", "v1", False), ("a.png", "m1", True), ("b.png", "null", False)]


@pytest.mark.parametrize("force, step", [
    (False, "delete the 3 object version(s) and 1 delete marker(s) of 2 key(s) that this collection uploaded to "
            "bucket b1"),
    (True, "delete the 3 object version(s) and 1 delete marker(s) of 2 key(s) in bucket b1: every object, whatever "
           "its tags (teardown_force_empty_bucket)"),
])
def test_an_owned_bucket_and_role_are_deleted_in_order_after_amplify(force, step):
    decision = teardown_selection("dev", bucket="b1", role_name="r1", force_empty_bucket=force,
                                  bucket_info=OWNED_BUCKET, object_scan=scan(TWO_OBJECTS), role_info=role())
    assert decision["bucket_owned"] is True and decision["role_owned"] is True and decision["refusals"] == []
    assert decision["plan"] == [step, "delete bucket b1",
                                "delete IAM role r1 with its inline policies and managed policy attachments"]
    assert decision["bucket_keys"] == ["a.png", "b.png"] and decision["bucket_foreign_keys"] == []
    assert [o["version_id"] for o in decision["bucket_objects"]] == ["v2", "v1", "m1", "null"]
    assert decision["ownership_tags"] == OURS


def test_an_empty_owned_bucket_is_deleted_without_an_objects_step():
    decision = teardown_selection("dev", bucket="b1", bucket_info=OWNED_BUCKET, object_scan=scan())
    assert decision["plan"] == ["delete bucket b1"] and decision["refusals"] == []


def test_look_alike_bucket_and_role_are_skipped_with_their_tags():
    decision = teardown_selection("dev", bucket="b1", role_name="r1",
                                  bucket_info={"buckets": [{"name": "b1"}]},
                                  role_info=role(tags={"environment": "dev"}))
    assert decision["plan"] == []
    assert decision["skipped"] == [
        "bucket b1: not tagged managed-by=amplify_hosting.ssr environment=dev (its tags: {}); "
        "left untouched with its objects",
        'IAM role r1: not tagged managed-by=amplify_hosting.ssr environment=dev (its tags: {"environment": "dev"}); '
        "left untouched with its policies",
    ]


@pytest.mark.parametrize("keys, versions, listed", [
    (["by-hand.txt"], 1, "by-hand.txt"),
    (["k%02d" % i for i in range(20)], 40, ", ".join("k%02d" % i for i in range(20))),
    (["k%02d" % i for i in range(25)], 26, ", ".join("k%02d" % i for i in range(20)) + " and 5 more"),
])
def test_a_bucket_holding_objects_not_tagged_for_the_environment_is_refused_naming_20_keys(keys, versions, listed):
    decision = teardown_selection("dev", bucket="b1", bucket_info=OWNED_BUCKET,
                                  object_scan=scan(refused=keys, refused_versions=versions))
    assert decision["refusals"] == [
        "teardown_bucket: bucket b1 holds %d object(s) (%d version(s)) without the tags managed-by=amplify_hosting.ssr "
        "environment=dev, which this collection did not upload: %s. The teardown deletes only the objects it uploaded;"
        " delete or move the others, or set teardown_force_empty_bucket=true to delete every object with the bucket."
        " Nothing was deleted; this environment's branch, bucket and IAM role are kept."
        % (len(keys), versions, listed)]
    assert decision["bucket_foreign_keys"] == keys and decision["bucket_objects"] == []
    # The plan says what would go once the refusal is resolved: the bucket, not objects it may not delete.
    assert decision["plan"] == ["delete bucket b1"]


def test_a_refused_scan_with_objects_to_delete_plans_no_objects_step():
    # s3_empty reports nothing to delete when it refuses; should it ever list both, the refusal wins.
    decision = teardown_selection("dev", bucket="b1", bucket_info=OWNED_BUCKET,
                                  object_scan=scan(TWO_OBJECTS, refused=["x"]))
    assert decision["plan"] == ["delete bucket b1"] and len(decision["refusals"]) == 1


def test_objects_tagged_for_the_environment_alone_are_not_refused():
    decision = teardown_selection("dev", bucket="b1", bucket_info=OWNED_BUCKET, object_scan=scan(TWO_OBJECTS))
    assert decision["refusals"] == []


def test_refusals_come_in_the_order_the_role_checks():
    decision = select(mode="delete_app", bucket="b1",
                      app_listing={"apps": [app("a1", tags=OURS), app("a2", tags=OURS)]},
                      branch_listing={"branches": [branch("prod")]},
                      bucket_info={"buckets": [{"bucket_tagging": OURS}]}, object_scan=scan(refused=["a"]))
    assert [r.split(":")[0] for r in decision["refusals"]] == [
        "teardown_app", "teardown_amplify_mode=delete_app", "teardown_bucket"]


# --- SSM parameters, secrets and DynamoDB tables (runtime_resources_info) ---------------------------------
def found(name, tags=None, **extra):
    """One entry of runtime_resources_info's result: there (with its tags), or not (tags None)."""
    if tags is None:
        return {"name": name, "exists": False, "owned": False, "tags": {}}
    return dict({"name": name, "exists": True, "owned": tags == OURS, "tags": tags, "arn": "arn:" + name}, **extra)


RUNTIME = {
    "parameters": [found("/demo/dev/greeting", OURS, type="String"), found("/demo/dev/untagged", {}, type="String"),
                   found("/demo/dev/gone")],
    "secrets": [found("demo/dev/api-key", OURS, pending_deletion=False),
                found("demo/dev/staging-key", MANAGED_STAGING, pending_deletion=False)],
    "tables": [found("demo-dev-items", dict(OURS, extra="x"), status="ACTIVE"),
               found("demo-dev-other", {"environment": "dev"}, status="ACTIVE")],
}
RUNTIME_NAMES = {kind: [entry["name"] for entry in entries] for kind, entries in RUNTIME.items()}


def test_the_parameters_secrets_and_tables_tagged_for_the_environment_are_deleted_after_the_iam_role():
    decision = teardown_selection("dev", role_name="r1", role_info=role(), runtime_info=RUNTIME, **RUNTIME_NAMES)
    assert decision["owned_parameters"] == ["/demo/dev/greeting"]
    assert decision["owned_secrets"] == ["demo/dev/api-key"] and decision["pending_secrets"] == []
    assert decision["owned_tables"] == ["demo-dev-items"]
    assert decision["secret_recovery_days"] == 7 and decision["refusals"] == []
    assert decision["plan"] == [
        "delete IAM role r1 with its inline policies and managed policy attachments",
        "delete SSM parameter /demo/dev/greeting",
        "delete secret demo/dev/api-key after a recovery window of 7 days (restorable until then; site.yml "
        "restores it)",
        "delete DynamoDB table demo-dev-items with its items",
    ]
    # The look-alikes (untagged, another environment's, managed-by missing) are left, each with its tags; a name
    # that does not exist is neither deleted nor reported.
    assert decision["skipped"] == [
        "SSM parameter /demo/dev/untagged: not tagged managed-by=amplify_hosting.ssr environment=dev (its tags: {}); "
        "left untouched",
        'secret demo/dev/staging-key: not tagged managed-by=amplify_hosting.ssr environment=dev (its tags: '
        '{"managed-by": "amplify_hosting.ssr", "environment": "staging"}); left untouched',
        'DynamoDB table demo-dev-other: not tagged managed-by=amplify_hosting.ssr environment=dev (its tags: '
        '{"environment": "dev"}); left untouched with its items',
    ]


def test_only_the_names_asked_for_count_each_once_and_a_read_not_made_finds_nothing():
    decision = teardown_selection("dev", parameters=["/demo/dev/greeting", "/demo/dev/greeting"], secrets=[],
                                  tables=["demo-dev-missing"], runtime_info=RUNTIME)
    assert decision["owned_parameters"] == ["/demo/dev/greeting"]
    assert decision["owned_secrets"] == [] and decision["owned_tables"] == []
    assert decision["plan"] == ["delete SSM parameter /demo/dev/greeting"] and decision["skipped"] == []
    # The names, but no read registered (or a skipped one): nothing planned.
    for runtime_info in ({}, {"skipped": True, "changed": False}, None):
        assert teardown_selection("dev", runtime_info=runtime_info, **RUNTIME_NAMES)["plan"] == []


@pytest.mark.parametrize("days, plan, pending", [
    # A secret already scheduled for deletion is left as it is: Secrets Manager deletes it when its window ends.
    (7, [], ["demo/dev/api-key"]),
    (30, [], ["demo/dev/api-key"]),
    # 0 deletes it at once, without recovery.
    (0, ["delete secret demo/dev/api-key at once, without recovery (teardown_secret_recovery_days=0; it was "
         "scheduled for deletion)"], []),
])
def test_a_secret_already_scheduled_for_deletion_is_deleted_again_only_with_no_recovery(days, plan, pending):
    info = {"secrets": [found("demo/dev/api-key", OURS, pending_deletion=True)]}
    decision = teardown_selection("dev", secrets=["demo/dev/api-key"], secret_recovery_days=days, runtime_info=info)
    assert decision["plan"] == plan and decision["pending_secrets"] == pending
    assert decision["owned_secrets"] == ([] if pending else ["demo/dev/api-key"])
    assert decision["skipped"] == [
        "secret demo/dev/api-key: already scheduled for deletion (Secrets Manager deletes it when its recovery "
        "window ends); left as it is (teardown_secret_recovery_days=0 deletes it at once)"] * len(pending)


@pytest.mark.parametrize("days, line", [
    (0, "delete secret demo/dev/api-key at once, without recovery (teardown_secret_recovery_days=0)"),
    (7, "delete secret demo/dev/api-key after a recovery window of 7 days (restorable until then; site.yml "
        "restores it)"),
    (30, "delete secret demo/dev/api-key after a recovery window of 30 days (restorable until then; site.yml "
         "restores it)"),
])
def test_the_secret_recovery_window_is_0_or_7_to_30_days(days, line):
    decision = teardown_selection("dev", secrets=["demo/dev/api-key"], secret_recovery_days=days,
                                  runtime_info={"secrets": RUNTIME["secrets"]})
    assert decision["plan"] == [line] and decision["secret_recovery_days"] == days


@pytest.mark.parametrize("days", [-1, 1, 6, 31, 7.0, "7", True, None])
def test_any_other_recovery_window_is_refused(days):
    message = ("teardown_selection: secret_recovery_days must be 0 or 7 to 30 (give teardown_secret_recovery_days "
               "| int), got %r" % (days,))
    with pytest.raises(AnsibleFilterError, match="^%s$" % re.escape(message)):
        teardown_selection("dev", secret_recovery_days=days)


def test_a_refusal_keeps_the_parameters_secrets_and_tables_in_the_plan_but_refuses_the_run():
    # The plan says what would go once the refusal is resolved; main.yml deletes nothing while refusals are left.
    decision = teardown_selection("dev", bucket="b1", bucket_info=OWNED_BUCKET, object_scan=scan(refused=["x"]),
                                  runtime_info=RUNTIME, **RUNTIME_NAMES)
    assert len(decision["refusals"]) == 1 and decision["plan"][0] == "delete bucket b1"
    assert decision["plan"][1:] == teardown_selection("dev", runtime_info=RUNTIME, **RUNTIME_NAMES)["plan"]


# --- teardown_branches_left (playbooks/teardown.yml) -------------------------------------------------------
LEFT = [branch("dev", OURS), branch("prod", MANAGED_STAGING), branch("main"), branch("qa", {"managed-by": "x"})]


def test_outside_check_mode_every_branch_listed_is_left():
    assert teardown_branches_left(LEFT, leaving=["dev", "staging"]) == LEFT
    assert teardown_branches_left([], leaving=["dev"], check_mode=True) == []


def test_under_check_mode_the_branches_of_the_environments_leaving_count_as_gone():
    assert teardown_branches_left(LEFT, leaving=["dev"], check_mode=True) == [LEFT[2], LEFT[1], LEFT[3]]
    assert teardown_branches_left(LEFT, leaving=["dev", "staging"], check_mode=True) == [LEFT[2], LEFT[3]]


@pytest.mark.parametrize("args, kwargs, message", [
    (["dev"], {}, "the branches (input) must be a list, got str"),
    ([LEFT], {"leaving": "dev"}, "leaving must be a list, got str"),
])
def test_bad_input_to_the_branches_left_is_refused(args, kwargs, message):
    with pytest.raises(AnsibleFilterError, match="^teardown_branches_left: %s$" % re.escape(message)):
        teardown_branches_left(*args, **kwargs)
