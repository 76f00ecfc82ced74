# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""amplify_role without AWS: one read, the exact writes that make a role as declared, refusals before any write."""

import json
from urllib.parse import quote

import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import amplify_role
from ansible_collections.amplify_hosting.ssr.plugins.module_utils import grants
from ansible_collections.amplify_hosting.ssr.plugins.module_utils import logs_role

NAME = "demo-dev-compute"
ARN = "arn:aws:iam::123456789012:role/" + NAME
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "amplify.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}
READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                "Resource": "arn:aws:s3:::demo-dev-private/*"}]}
OURS = [{"Key": "managed-by", "Value": "amplify_hosting.ssr"}, {"Key": "environment", "Value": "dev"}]
BOUNDARY = "arn:aws:iam::123456789012:policy/boundary"


def role(**changes):
    found = {"RoleName": NAME, "Arn": ARN, "Path": "/", "MaxSessionDuration": 3600, "Description": "compute",
             "AssumeRolePolicyDocument": quote(json.dumps(TRUST)), "Tags": list(OURS)}
    found.update(changes)
    return found


def current(inline=None, managed=(), **changes):
    return {"role": role(**changes), "managed": sorted(managed), "inline": dict(inline or {})}


def desired(**changes):
    options = dict(name=NAME, path="/", trust=TRUST, tags={}, environment="dev", description="compute",
                   max_session_duration=3600, boundary="", inline={NAME + "-grants": READ}, purge_inline=True)
    options.update(changes)
    return amplify_role.Desired(**options)


def operations(writes):
    return [operation for operation, _params in writes]


def test_a_new_role_is_created_with_its_tags_trust_and_policies_in_one_pass():
    writes = amplify_role.plan({}, desired(managed=["arn:aws:iam::aws:policy/ReadOnly"], boundary=BOUNDARY,
                                           max_session_duration=7200))
    assert operations(writes) == ["create_role", "attach_role_policy", "put_role_policy"]
    create = writes[0][1]
    assert json.loads(create["AssumeRolePolicyDocument"]) == TRUST
    assert create["Tags"] == [{"Key": "managed-by", "Value": "amplify_hosting.ssr"}, {"Key": "environment", "Value": "dev"}]
    assert (create["PermissionsBoundary"], create["MaxSessionDuration"], create["Description"]) == (BOUNDARY, 7200, "compute")
    assert json.loads(writes[2][1]["PolicyDocument"]) == READ


def test_a_role_as_declared_needs_no_write_whatever_the_order_and_encoding_iam_returns():
    shuffled = {"Statement": [dict(READ["Statement"][0], Action=["s3:GetObject"])], "Version": "2012-10-17"}
    assert amplify_role.plan(current({NAME + "-grants": shuffled}), desired()) == []


def test_each_difference_is_one_write_and_nothing_else_is_written():
    found = current({NAME + "-grants": READ, "added-by-hand": READ}, managed=["arn:aws:iam::aws:policy/Extra"],
                    Description="old", MaxSessionDuration=7200, PermissionsBoundary={"PermissionsBoundaryArn": BOUNDARY},
                    Tags=OURS + [{"Key": "team", "Value": "web"}],
                    AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    writes = amplify_role.plan(found, desired())
    assert writes == [
        ("update_assume_role_policy", {"RoleName": NAME, "PolicyDocument": json.dumps(TRUST)}),
        ("update_role", {"RoleName": NAME, "Description": "compute", "MaxSessionDuration": 3600}),
        ("delete_role_permissions_boundary", {"RoleName": NAME}),
        ("untag_role", {"RoleName": NAME, "TagKeys": ["team"]}),
        ("detach_role_policy", {"RoleName": NAME, "PolicyArn": "arn:aws:iam::aws:policy/Extra"}),
        ("delete_role_policy", {"RoleName": NAME, "PolicyName": "added-by-hand"}),
    ]


def test_options_not_given_leave_the_role_as_it_is():
    found = current({NAME + "-grants": READ, "kept": READ}, Description="theirs", MaxSessionDuration=7200,
                    PermissionsBoundary={"PermissionsBoundaryArn": BOUNDARY})
    assert amplify_role.plan(found, desired(description=None, max_session_duration=None, boundary=None,
                                            purge_inline=False)) == []


def test_a_policy_declared_none_is_removed_and_others_are_kept_without_purge():
    found = current({NAME + "-grants": READ, "kept": READ})
    writes = amplify_role.plan(found, desired(inline={NAME + "-grants": None}, purge_inline=False))
    assert writes == [("delete_role_policy", {"RoleName": NAME, "PolicyName": NAME + "-grants"})]


def test_a_changed_policy_is_put_again():
    wider = {"Version": "2012-10-17", "Statement": [dict(READ["Statement"][0], Resource="*")]}
    writes = amplify_role.plan(current({NAME + "-grants": wider}), desired())
    assert operations(writes) == ["put_role_policy"] and json.loads(writes[0][1]["PolicyDocument"]) == READ


def test_a_role_without_the_ownership_tag_is_refused_before_any_write():
    with pytest.raises(amplify_role.Foreign):
        amplify_role.plan(current(Tags=[{"Key": "environment", "Value": "dev"}]), desired())


def test_a_role_under_another_path_keeps_it_with_a_warning():
    found = current({NAME + "-grants": READ}, Path="/other/")
    assert amplify_role.plan(found, desired()) == []
    assert "keeps /other/" in amplify_role.path_warning(found, desired())
    assert amplify_role.path_warning(current({NAME + "-grants": READ}), desired()) is None
    assert amplify_role.after(found, desired(), [], ARN)["path"] == "/other/"


def test_the_generated_policies_are_those_of_the_role_account_and_partition():
    arn = "arn:aws-cn:iam::210987654321:role/" + NAME
    made = amplify_role.generated_policies(NAME, arn, grants=[{"kind": "ssm_parameter", "name": "/demo/dev/a"}],
                                           grants_region="cn-north-1", logs_policy=True, logs_region="cn-north-1")
    assert made == {
        NAME + "-grants": grants.grants_policy([{"kind": "ssm_parameter", "name": "/demo/dev/a"}], "aws-cn",
                                               "cn-north-1", "210987654321"),
        NAME + "-logs": logs_role.logs_policy("aws-cn", "210987654321", "cn-north-1"),
    }
    assert "arn:aws-cn:ssm:cn-north-1:210987654321:parameter/demo/dev/a" in json.dumps(made)
    assert amplify_role.generated_policies(NAME, arn, grants=[]) == {NAME + "-grants": None}
    assert amplify_role.generated_policies(NAME, arn) == {}


def test_the_diff_shows_the_role_before_and_as_it_will_be():
    found = current({NAME + "-grants": READ, "added-by-hand": READ}, Tags=OURS + [{"Key": "team", "Value": "web"}])
    wanted = desired()
    writes = amplify_role.plan(found, wanted)
    before, after = amplify_role.before(found), amplify_role.after(found, wanted, writes, ARN)
    assert set(before["inline_policies"]) == {NAME + "-grants", "added-by-hand"}
    assert after["inline_policies"] == {NAME + "-grants": READ}
    assert before["tags"]["team"] == "web" and "team" not in after["tags"]
    assert after["trust_policy"] == TRUST == before["trust_policy"]
    assert amplify_role.after({}, wanted, amplify_role.plan({}, wanted), ARN)["max_session_duration"] == 3600


@pytest.mark.parametrize("changes, option", [
    (dict(name="bad name"), "name"),
    (dict(path="no-slashes"), "path"),
    (dict(environment=""), "environment"),
    (dict(tags={"aws:x": "y"}), "tags"),
    (dict(trust_policy='{"Version": "2012-10-17"}'), "trust_policy"),
    (dict(managed_policies=["not a policy"]), "managed_policies"),
    (dict(permissions_boundary="AmazonS3ReadOnlyAccess"), "permissions_boundary"),
    (dict(max_session_duration=60), "max_session_duration"),
    (dict(inline_policies={"bad name": READ}), "inline_policies"),
    (dict(inline_policies={"ok": "not json"}), "inline_policies.ok"),
    (dict(grants=[{"prefix": "assets/"}]), "grants"),
    (dict(grants=[{"kind": "ssm_parameter", "name": "/a"}]), "grants_region"),
    (dict(logs_policy_region="Nowhere"), "logs_policy_region"),
])
def test_each_bad_option_is_named(changes, option):
    params = dict(name=NAME, path="/", environment="dev", tags={}, trust_policy=json.dumps(TRUST), managed_policies=[],
                  permissions_boundary="", max_session_duration=3600, description=None, inline_policies={},
                  grants=None, grants_region=None, logs_policy_region="")
    assert amplify_role.problems(params) == []
    params.update(changes)
    found = amplify_role.problems(params)
    assert found and any(problem.startswith(option) or option in problem for problem in found), found
