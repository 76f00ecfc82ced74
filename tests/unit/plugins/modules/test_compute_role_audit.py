# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""compute_role_audit without AWS: every input checked (each naming its option) before a client is made, the
role read with GetRole and the policy listings, and what fail_on fails on."""

import json
from urllib.parse import quote

import botocore.exceptions
import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import grants
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.modules import compute_role_audit as module

ARN = "arn:aws:iam::123456789012:role/demo-dev-compute"
GRANTS = [{"bucket": "site-private", "prefix": "img/", "access": "read"}]
POLICY = "demo-dev-compute-grants"
S3_READ = {"PolicyName": "AmazonS3ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}


def params(**overrides):
    base = dict(role="demo-dev-compute", grants=[dict(g) for g in GRANTS], grants_policy_name=None,
                inline_policies={}, managed_policies=[], permissions_boundary=None, source_account="", source_arn="",
                fail_on="any")
    base.update(overrides)
    return base


# --- input ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("overrides, message", [
    (dict(role="demo dev"), "role: 'demo dev' is neither an IAM role name"),
    (dict(role="arn:aws:iam::123456789012:user/x"), "role: 'arn:aws:iam::123456789012:user/x' is not an IAM role ARN"),
    (dict(grants=[{"bucket": "site-private", "prefix": "img/*", "access": "read"}]),
     "grants[0].prefix: 'img/*' contains '*', '?' or '$', which would widen the grant"),
    (dict(grants=[{"bucket": "Site", "prefix": "", "access": "read"}]), "grants[0].bucket: 'Site' is not an S3 bucket"),
    (dict(managed_policies=["AmazonS3ReadOnlyAccess", "not a name"]),
     "managed_policies[1]: 'not a name' is neither a managed policy ARN nor a policy name"),
    (dict(permissions_boundary="arn:aws:iam::123456789012:role/b"),
     "permissions_boundary: 'arn:aws:iam::123456789012:role/b' is not a managed policy ARN"),
    (dict(source_account="12345"), "source_account: must be \"\" or a 12-digit account id (got '12345')"),
    (dict(source_arn="arn:aws:s3:::site-private"), "source_arn: must be \"\" or an Amplify app ARN"),
    (dict(grants_policy_name="bad name"), "grants_policy_name: 'bad name' is not an IAM policy name"),
    (dict(inline_policies={"bad name": {"Statement": []}}), "inline_policies.bad name: 'bad name' is not an IAM policy"
                                                            " name"),
    (dict(inline_policies={"own": "{not json"}), "inline_policies.own: not JSON"),
    (dict(inline_policies={"own": {"Version": "2012-10-17"}}),
     "inline_policies.own: must be a policy document (a mapping with Statement)"),
    (dict(inline_policies={POLICY: {"Statement": []}}),
     "inline_policies: holds demo-dev-compute-grants, the name of the grants' policy (grants_policy_name)"),
    (dict(grants_policy_name="mine", inline_policies={"mine": {"Statement": []}}),
     "inline_policies: holds mine, the name of the grants' policy (grants_policy_name)"),
])
def test_bad_input_names_the_option(overrides, message):
    with pytest.raises(AmplifyError) as e:
        module.check_params(params(**overrides))
    assert e.value.message.startswith(message), e.value.message


def test_every_problem_in_one_message():
    with pytest.raises(AmplifyError) as e:
        module.check_params(params(source_account="1", source_arn="x", permissions_boundary="b"))
    assert [p.split(":")[0] for p in e.value.message.split("; ")] == [
        "permissions_boundary", "source_account", "source_arn"]


def test_good_input_passes_with_inline_documents_parsed():
    ref, documents = module.check_params(params(
        role=ARN, inline_policies={"own": json.dumps({"Statement": []}), "other": {"Statement": []}},
        managed_policies=["AmazonS3ReadOnlyAccess"], permissions_boundary="", source_account="123456789012",
        source_arn="arn:aws:amplify:*:123456789012:apps/*"))
    assert (ref.name, ref.arn) == ("demo-dev-compute", ARN)
    assert documents == {"own": {"Statement": []}, "other": {"Statement": []}}
    # Without grants, the grants' policy name is free for an inline policy.
    assert module.check_params(params(grants=[], inline_policies={POLICY: {"Statement": []}}))[1] == {
        POLICY: {"Statement": []}}


# --- a fake IAM ----------------------------------------------------------------------------------------------
def client_error(code, operation):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": code}}, operation)


class Iam:
    """get_role, get_role_policy and the list_role_policies / list_attached_role_policies paginators over one role
    (None: no role), the listings in pages of `page` items; every call recorded."""

    def __init__(self, role=None, inline=None, attached=(), page=1, error=None):
        self.role, self.inline, self.attached = role, dict(inline or {}), list(attached)
        self.page, self.error = page, error
        self.calls = []

    def get_role(self, RoleName):  # noqa: N803 - boto3 keyword
        self.calls.append(("get_role", RoleName))
        if self.error:
            raise self.error
        if self.role is None or self.role["RoleName"] != RoleName:
            raise client_error("NoSuchEntity", "GetRole")
        return {"Role": self.role}

    def get_role_policy(self, RoleName, PolicyName):  # noqa: N803 - boto3 keywords
        self.calls.append(("get_role_policy", RoleName, PolicyName))
        return {"RoleName": RoleName, "PolicyName": PolicyName, "PolicyDocument": self.inline[PolicyName]}

    def get_paginator(self, operation):
        items, key = {"list_role_policies": (sorted(self.inline), "PolicyNames"),
                      "list_attached_role_policies": (self.attached, "AttachedPolicies")}[operation]
        iam = self

        class Paginator:
            def paginate(self, **kwargs):
                iam.calls.append((operation, kwargs))
                return iter([{key: items[i:i + iam.page]} for i in range(0, max(len(items), 1), iam.page)])

        return Paginator()


def iam_role(arn=ARN, trust=None, boundary=""):
    role = {"RoleName": arn.rsplit("/", 1)[1], "Arn": arn, "Path": "/",
            "AssumeRolePolicyDocument": quote(json.dumps(grants.trust_policy() if trust is None else trust))}
    if boundary:
        role["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
    return role


def compliant_iam(**overrides):
    base = dict(role=iam_role(), inline={POLICY: quote(json.dumps(grants.grants_policy(GRANTS)))})
    base.update(overrides)
    return Iam(**base)


def run(iam, **overrides):
    ref, documents = module.check_params(params(**overrides))
    return module.run(params(**overrides), iam, ref, documents)


# --- run -----------------------------------------------------------------------------------------------------
def test_a_compliant_role_has_no_finding():
    iam = compliant_iam(inline={POLICY: quote(json.dumps(grants.grants_policy(GRANTS))), "own": {"Statement": []}},
                        attached=[S3_READ])
    result = run(iam, inline_policies={"own": {"Statement": []}}, managed_policies=["AmazonS3ReadOnlyAccess"])
    assert result == {
        "exists": True, "role_arn": ARN, "compliant": True, "findings": [], "excess": [], "missing": [],
        "expected": {"trust_conditions": {}, "inline_policies": {"own": {"Statement": []},
                                                                 POLICY: grants.grants_policy(GRANTS)},
                     "managed_policies": ["AmazonS3ReadOnlyAccess"], "permissions_boundary": None},
        "found": {"trust_policy": grants.trust_policy(),
                  "inline_policies": {"own": {"Statement": []}, POLICY: grants.grants_policy(GRANTS)},
                  "managed_policies": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"], "permissions_boundary": ""},
    }
    # Every page of both listings read, each inline policy got once; nothing else.
    assert [c[0] for c in iam.calls] == ["get_role", "list_role_policies", "get_role_policy", "get_role_policy",
                                         "list_attached_role_policies"]
    assert ("list_role_policies", {"RoleName": "demo-dev-compute"}) in iam.calls


def test_a_widened_role_names_each_excess_and_what_is_missing():
    widened = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    iam = compliant_iam(role=iam_role(boundary="arn:aws:iam::aws:policy/PowerUserAccess"),
                        inline={POLICY: widened, "extra": widened}, attached=[S3_READ])
    result = run(iam, permissions_boundary="")
    assert not result["compliant"]
    assert result["excess"] == [
        "IAM role demo-dev-compute: inline policy demo-dev-compute-grants: Allow s3:* on * is beyond what is asked for",
        "IAM role demo-dev-compute: inline policy extra is not one asked for (%s)"
        % json.dumps(widened, sort_keys=True, separators=(",", ":")),
        "IAM role demo-dev-compute: managed policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess is attached and"
        " not asked for",
    ]
    assert result["missing"] == [
        "IAM role demo-dev-compute: inline policy demo-dev-compute-grants: Allow s3:GetObject on"
        " arn:aws:s3:::site-private/img/* is missing",
        "IAM role demo-dev-compute: has the permissions boundary arn:aws:iam::aws:policy/PowerUserAccess, expected"
        " none",
    ]
    # Policy by policy (by name), each one's excess before what it lacks.
    assert [f["kind"] for f in result["findings"]] == ["statement", "statement", "inline_policy", "managed_policy",
                                                       "boundary"]


def test_the_grants_are_expected_in_the_roles_partition_under_the_name_given():
    arn = "arn:aws-cn:iam::123456789012:role/demo-dev-compute"
    iam = Iam(role=iam_role(arn), inline={"mine": grants.grants_policy(GRANTS, "aws-cn")})
    result = run(iam, role=arn, grants_policy_name="mine")
    assert result["compliant"], result["findings"]
    assert result["expected"]["inline_policies"] == {"mine": grants.grants_policy(GRANTS, "aws-cn")}


def test_a_missing_role_is_a_finding_and_nothing_else_is_read():
    iam = Iam()
    result = run(iam)
    assert result == {"exists": False, "role_arn": "", "compliant": False,
                      "findings": [{"kind": "role", "excess": False,
                                    "message": "role: IAM role 'demo-dev-compute' does not exist in this account"}],
                      "excess": [], "missing": ["role: IAM role 'demo-dev-compute' does not exist in this account"],
                      "expected": result["expected"], "found": {}}
    assert result["expected"]["inline_policies"] == {POLICY: grants.grants_policy(GRANTS)}
    assert iam.calls == [("get_role", "demo-dev-compute")]


@pytest.mark.parametrize("found", ["arn:aws:iam::123456789012:role/ssr/demo-dev-compute",
                                   "arn:aws:iam::999999999999:role/demo-dev-compute"])
def test_an_arn_naming_another_path_or_account_fails(found):
    iam = compliant_iam(role=iam_role(found))
    with pytest.raises(AmplifyError) as e:
        run(iam, role=ARN)
    assert e.value.message == ("role: IAM role %s does not exist; the role named 'demo-dev-compute' in this account is"
                               " %s (another path or account)" % (ARN, found))
    assert [c[0] for c in iam.calls] == ["get_role", "list_role_policies", "get_role_policy",
                                         "list_attached_role_policies"]


def test_an_error_reading_the_role_names_it():
    with pytest.raises(AmplifyError) as e:
        run(Iam(error=client_error("AccessDenied", "GetRole")))
    assert e.value.message == "Failed to get IAM role demo-dev-compute"
    assert e.value.exception.response["Error"]["Code"] == "AccessDenied"


# --- main: fail_on, and no client before the input is checked -------------------------------------------------
class Exited(Exception):
    pass


class FakeModule:
    """AnsibleAWSModule as main() uses it; the params are FakeModule.next_params, the last one made FakeModule.last."""

    def __init__(self, argument_spec, supports_check_mode):
        self.argument_spec, self.supports_check_mode = argument_spec, supports_check_mode
        self.params = dict(FakeModule.next_params)
        self.region = "eu-west-1"
        FakeModule.last = self

    def require_botocore_at_least(self, version, reason=None):
        pass

    def exit_json(self, **result):
        raise Exited(dict(result, failed=False))

    def fail_json(self, msg, **result):
        raise Exited(dict(result, failed=True, msg=msg))

    def fail_json_aws_error(self, error):
        self.fail_json(msg=error.message)


@pytest.fixture
def main(monkeypatch):
    clients = []

    def client(module_, service):
        clients.append(service)
        return FakeModule.iam

    monkeypatch.setattr(module, "AnsibleAWSModule", FakeModule)
    monkeypatch.setattr(module, "aws_client", client)

    def call(iam, **overrides):
        FakeModule.next_params, FakeModule.iam = params(**overrides), iam
        with pytest.raises(Exited) as e:
            module.main()
        return e.value.args[0], clients

    return call


def test_main_refuses_bad_input_before_a_client_is_made(main):
    result, clients = main(compliant_iam(), source_account="12345")
    assert result["failed"] and result["msg"].startswith("source_account: ")
    assert clients == []


def test_main_passes_a_compliant_role_unchanged(main):
    result, clients = main(compliant_iam())
    assert not result["failed"] and result["changed"] is False and result["compliant"]
    assert clients == ["iam"]
    assert FakeModule.last.supports_check_mode
    assert set(FakeModule.last.argument_spec) == set(params())


@pytest.mark.parametrize("fail_on, failed", [("any", True), ("excess", True), ("never", False)])
def test_fail_on_an_excess(main, fail_on, failed):
    iam = compliant_iam(attached=[S3_READ])
    result = main(iam, fail_on=fail_on)[0]
    assert result["failed"] is failed
    assert result["excess"] == ["IAM role demo-dev-compute: managed policy"
                                " arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess is attached and not asked for"]
    if failed:
        assert result["msg"] == "1 finding(s): " + result["excess"][0]


@pytest.mark.parametrize("fail_on, failed", [("any", True), ("excess", False), ("never", False)])
def test_fail_on_something_missing(main, fail_on, failed):
    result = main(compliant_iam(inline={}), fail_on=fail_on)[0]
    assert result["failed"] is failed and result["excess"] == []
    assert result["missing"] == ["IAM role demo-dev-compute: inline policy demo-dev-compute-grants is missing"]


@pytest.mark.parametrize("fail_on, failed", [("any", True), ("excess", True), ("never", False)])
def test_a_missing_role_fails_unless_fail_on_never(main, fail_on, failed):
    result = main(Iam(), fail_on=fail_on)[0]
    assert result["failed"] is failed and result["exists"] is False
    if failed:
        assert result["msg"] == "1 finding(s): role: IAM role 'demo-dev-compute' does not exist in this account"


# --- grants outside S3: the module's region and the role's account --------------------------------------------
def test_grants_outside_s3_are_expected_in_the_modules_region_and_the_roles_account():
    table = [{"kind": "dynamodb_table", "table": "items"}]
    arn = "arn:aws-us-gov:iam::210987654321:role/demo-dev-compute"
    expected = grants.grants_policy(table, "aws-us-gov", "us-gov-west-1", "210987654321")
    assert expected["Statement"][0]["Resource"] == "arn:aws-us-gov:dynamodb:us-gov-west-1:210987654321:table/items"
    iam = Iam(role=iam_role(arn), inline={POLICY: expected})
    ref, documents = module.check_params(params(grants=table), "us-gov-west-1")
    result = module.run(params(grants=table), iam, ref, documents, "us-gov-west-1")
    assert result["compliant"], result["findings"]
    # The same table in another region is not what the role has.
    ref, documents = module.check_params(params(grants=table), "us-gov-east-1")
    other = module.run(params(grants=table), iam, ref, documents, "us-gov-east-1")
    assert not other["compliant"] and other["excess"], other


def test_a_grant_outside_s3_without_a_region_names_the_region_option():
    with pytest.raises(AmplifyError) as e:
        module.check_params(params(grants=[{"kind": "secret", "name": "db"}]), None)
    assert e.value.message == "grants[0]: needs a region: set its region, or the region option"
