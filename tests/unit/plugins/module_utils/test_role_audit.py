# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Least privilege, proved: each way a role can hold more than asked (an excess) or less (missing) is a finding
naming it; what is the same in another form (case of an action, a string for a list, URL-encoded JSON) is none."""

import copy
import json
from urllib.parse import quote

import pytest

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import grants
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.role_audit import audit

ACCOUNT = "123456789012"
APP_ARN = "arn:aws:amplify:eu-west-1:123456789012:apps/d1a2b3c4d5e6f7"
BOUNDARY = "arn:aws:iam::123456789012:policy/boundary"
GRANTS = [{"bucket": "site-private", "prefix": "img/", "access": "list"}]
POLICY = "r1-grants"
AMPLIFY = {"Service": "amplify.amazonaws.com"}


def role(trust=None, boundary=""):
    found = {"RoleName": "r1", "Arn": "arn:aws:iam::123456789012:role/r1",
             "AssumeRolePolicyDocument": grants.trust_policy() if trust is None else trust}
    if boundary:
        found["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
    return found


def expected(conditions=None, inline=None, managed=None, boundary=None):
    return {"trust_conditions": conditions or {},
            "inline_policies": {POLICY: grants.grants_policy(GRANTS)} if inline is None else inline,
            "managed_policies": managed or [], "permissions_boundary": boundary}


def grants_policy(*extra, drop=0):
    """The generated grants' policy with statements added (and the first `drop` taken away)."""
    document = copy.deepcopy(grants.grants_policy(GRANTS))
    document["Statement"] = document["Statement"][drop:] + list(extra)
    return document


def findings(trust=None, inline=None, attached=(), has_boundary="", **wanted):
    return audit(role(trust, has_boundary), {POLICY: grants.grants_policy(GRANTS)} if inline is None else inline,
                 list(attached), expected(**wanted))


def trusting(**statement):
    return {"Version": "2012-10-17", "Statement": [dict({"Effect": "Allow", "Principal": AMPLIFY,
                                                         "Action": "sts:AssumeRole"}, **statement)]}


def plain(found):
    return [(f["kind"], f["excess"]) for f in found]


def test_the_generated_role_is_compliant():
    assert findings() == []
    assert audit(role(grants.trust_policy(ACCOUNT, APP_ARN), BOUNDARY), {POLICY: grants.grants_policy(GRANTS)}, [],
                 expected(grants.trust_conditions(ACCOUNT, APP_ARN), boundary=BOUNDARY)) == []


# --- the trust policy ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("principal, named", [
    ({"AWS": "arn:aws:iam::999999999999:root", "Service": "amplify.amazonaws.com"},
     "AWS arn:aws:iam::999999999999:root"),
    ({"AWS": ["999999999999", "*"], "Service": "amplify.amazonaws.com"}, "AWS 999999999999, AWS *"),
    ({"Service": ["amplify.amazonaws.com", "lambda.amazonaws.com"]}, "Service lambda.amazonaws.com"),
    ({"Federated": "cognito-identity.amazonaws.com", "Service": ["amplify.amazonaws.com"]},
     "Federated cognito-identity.amazonaws.com"),
    ("*", "* *"),
])
def test_another_principal_beside_amplify_is_an_excess(principal, named):
    assert findings(trusting(Principal=principal)) == [
        {"kind": "trust", "excess": True,
         "message": "IAM role r1: trust policy statement 1: trusts %s besides amplify.amazonaws.com" % named}]


@pytest.mark.parametrize("principal", [{"AWS": "arn:aws:iam::999999999999:root"}, {"AWS": "*"},
                                       {"Service": "lambda.amazonaws.com"}])
def test_another_principal_instead_of_amplify_is_an_excess_and_the_trust_missing(principal):
    assert plain(findings(trusting(Principal=principal))) == [("trust", True), ("trust", False)]


def test_a_second_statement_for_another_principal_is_named_by_its_number():
    trust = trusting()
    trust["Statement"].append({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                               "Action": "sts:AssumeRole"})
    assert [f["message"] for f in findings(trust)] == [
        "IAM role r1: trust policy statement 2: trusts AWS arn:aws:iam::999999999999:root besides"
        " amplify.amazonaws.com"]


@pytest.mark.parametrize("action, named", [
    (["sts:AssumeRole", "sts:TagSession"], "sts:TagSession"),
    (["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"], "sts:SetSourceIdentity, sts:TagSession"),
    ("sts:*", "sts:*"),
    ("*", "*"),
])
def test_another_action_is_an_excess(action, named):
    assert findings(trusting(Action=action)) == [
        {"kind": "trust", "excess": True,
         "message": "IAM role r1: trust policy statement 1: allows %s besides sts:AssumeRole" % named}]


def test_the_action_compares_without_case():
    assert findings(trusting(Action="STS:assumerole")) == []


@pytest.mark.parametrize("statement, key", [
    ({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"},
     "NotPrincipal"),
    ({"Effect": "Allow", "Principal": AMPLIFY, "NotAction": "sts:TagSession"}, "NotAction"),
])
def test_not_principal_and_not_action_are_an_excess(statement, key):
    trust = trusting()
    trust["Statement"].append(statement)
    found = findings(trust)
    assert found[0] == {"kind": "trust", "excess": True, "message":
                        "IAM role r1: trust policy statement 2: Allow with %s %s lets more than amplify.amazonaws.com"
                        " sts:AssumeRole" % (key, json.dumps(statement[key], separators=(",", ":")))}
    assert all(f["excess"] for f in found)


def test_a_deny_in_the_trust_policy_is_not_judged():
    trust = trusting()
    trust["Statement"].append({"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "*"})
    assert findings(trust) == []


@pytest.mark.parametrize("trust", [
    {"Version": "2012-10-17", "Statement": []},
    trusting(Effect="Deny"),
    trusting(Principal={"Service": "lambda.amazonaws.com"}),
    trusting(Action="sts:TagSession"),
])
def test_a_role_amplify_may_not_assume_is_missing_its_trust(trust):
    found = findings(trust)
    assert found[-1] == {"kind": "trust", "excess": False, "message":
                         "IAM role r1: its trust policy does not allow amplify.amazonaws.com to sts:AssumeRole"}


def test_a_missing_condition_is_an_excess_naming_operator_key_and_value():
    assert findings(conditions=grants.trust_conditions(ACCOUNT, APP_ARN)) == [
        {"kind": "trust", "excess": True, "message": "IAM role r1: trust policy statement 1: lets amplify.amazonaws.com"
         " assume the role without the condition ArnLike aws:SourceArn = %s" % APP_ARN},
        {"kind": "trust", "excess": True, "message": "IAM role r1: trust policy statement 1: lets amplify.amazonaws.com"
         " assume the role without the condition StringEquals aws:SourceAccount = %s" % ACCOUNT},
    ]


@pytest.mark.parametrize("condition", [
    {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    {"StringLike": {"aws:SourceAccount": ACCOUNT}},
    {"StringEquals": {"AWS:SOURCEACCOUNT": ACCOUNT}},  # condition keys compare without case
    {"StringEquals": {"aws:SourceAccount": [ACCOUNT]}},
    {"StringEquals": {"aws:SourceAccount": ACCOUNT}, "ArnLike": {"aws:SourceArn": APP_ARN}},  # more: narrower
])
def test_a_condition_present_under_any_operator_passes(condition):
    assert findings(trusting(Condition=condition), conditions={"StringEquals": {"aws:SourceAccount": ACCOUNT}}) == []


def test_the_arn_condition_passes_under_another_arn_operator():
    assert findings(trusting(Condition={"ArnEquals": {"aws:sourcearn": APP_ARN}}),
                    conditions={"ArnLike": {"aws:SourceArn": APP_ARN}}) == []


@pytest.mark.parametrize("condition", [
    {},
    {"StringEquals": {"aws:SourceAccount": "999999999999"}},
    {"StringLike": {"aws:SourceAccount": "*"}},
    {"StringNotEquals": {"aws:SourceAccount": ACCOUNT}},  # the opposite: every other account
    {"StringEquals": {"aws:SourceAccount": [ACCOUNT, "999999999999"]}},  # either account
    {"StringEquals": {"aws:SourceArn": ACCOUNT}},  # another key
])
def test_a_condition_that_does_not_restrict_to_the_value_is_an_excess(condition):
    found = findings(trusting(Condition=condition), conditions={"StringEquals": {"aws:SourceAccount": ACCOUNT}})
    assert plain(found) == [("trust", True)]
    assert found[0]["message"].endswith("without the condition StringEquals aws:SourceAccount = %s" % ACCOUNT)


def test_each_statement_trusting_amplify_must_carry_the_condition():
    trust = trusting(Condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}})
    trust["Statement"].append(trusting()["Statement"][0])
    assert [f["message"] for f in findings(trust, conditions=grants.trust_conditions(ACCOUNT))] == [
        "IAM role r1: trust policy statement 2: lets amplify.amazonaws.com assume the role without the condition"
        " StringEquals aws:SourceAccount = %s" % ACCOUNT]


@pytest.mark.parametrize("encode", [json.dumps, lambda d: quote(json.dumps(d))])
def test_a_trust_policy_as_json_or_url_encoded_json_is_read(encode):
    assert findings(encode(grants.trust_policy())) == []
    assert plain(findings(encode(trusting(Principal={"AWS": "*"})))) == [("trust", True), ("trust", False)]


# --- inline policies ---------------------------------------------------------------------------------------------
def test_an_inline_policy_not_asked_for_is_an_excess_showing_it():
    foreign = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}
    assert findings(inline={POLICY: grants.grants_policy(GRANTS), "extra": foreign}) == [
        {"kind": "inline_policy", "excess": True, "message": "IAM role r1: inline policy extra is not one asked for"
         " (%s)" % json.dumps(foreign, sort_keys=True, separators=(",", ":"))}]


def test_a_widened_statement_is_an_excess_and_what_it_replaced_missing():
    widened = grants_policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, drop=1)
    assert findings(inline={POLICY: widened}) == [
        {"kind": "statement", "excess": True,
         "message": "IAM role r1: inline policy r1-grants: Allow s3:* on * is beyond what is asked for"},
        {"kind": "statement", "excess": False,
         "message": "IAM role r1: inline policy r1-grants: Allow s3:GetObject on arn:aws:s3:::site-private/img/* is"
         " missing"},
    ]


@pytest.mark.parametrize("statement, described", [
    ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site-public/*"},
     "Allow s3:GetObject on arn:aws:s3:::site-public/*"),
    ({"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::site-private/img/*"},
     "Allow s3:Get* on arn:aws:s3:::site-private/img/*"),
    ({"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::site-private/img/*"},
     "Allow s3:PutObject on arn:aws:s3:::site-private/img/*"),
    ({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::site-private"},
     "Allow s3:ListBucket on arn:aws:s3:::site-private"),  # without the prefix condition
])
def test_an_extra_action_or_resource_is_an_excess(statement, described):
    assert findings(inline={POLICY: grants_policy(statement)}) == [
        {"kind": "statement", "excess": True,
         "message": "IAM role r1: inline policy r1-grants: %s is beyond what is asked for" % described}]


def test_a_missing_grant_is_missing_not_an_excess():
    assert findings(inline={POLICY: grants_policy(drop=1)}) == [
        {"kind": "statement", "excess": False,
         "message": "IAM role r1: inline policy r1-grants: Allow s3:GetObject on arn:aws:s3:::site-private/img/* is"
         " missing"}]
    assert findings(inline={}) == [
        {"kind": "inline_policy", "excess": False, "message": "IAM role r1: inline policy r1-grants is missing"}]


def test_a_deny_beyond_the_document_is_not_an_excess():
    found = findings(inline={POLICY: grants_policy(
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
        {"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"})})
    assert plain(found) == [("statement", False), ("statement", False)]
    assert found[0]["message"] == "IAM role r1: inline policy r1-grants: Deny s3:DeleteObject on * is beyond what is" \
                                  " asked for"


def test_a_not_action_allow_stays_whole_and_is_an_excess():
    statement = {"Sid": "x", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    assert findings(inline={POLICY: grants_policy(statement)}) == [
        {"kind": "statement", "excess": True, "message": "IAM role r1: inline policy r1-grants: the statement"
         ' {"Effect":"Allow","NotAction":"iam:*","Resource":"*"} is beyond what is asked for'}]


def test_the_same_policy_in_other_forms_has_no_finding():
    document = {"Version": "2012-10-17", "Statement": [
        # Actions without case, lists of one for strings, one statement for the two grants' statements.
        {"Sid": "Read", "Effect": "Allow", "Action": ["S3:GETOBJECT"], "Resource": ["arn:aws:s3:::site-private/img/*"]},
        {"Effect": "Allow", "Action": "s3:listbucket", "Resource": "arn:aws:s3:::site-private",
         "Condition": {"StringLike": {"s3:prefix": ["img/*"]}}},
    ]}
    assert findings(inline={POLICY: document}) == []
    assert findings(inline={POLICY: json.dumps(document)}) == []
    assert findings(inline={POLICY: quote(json.dumps(document))}) == []


def test_statements_split_into_actions_and_resources_compare_with_one_statement():
    wanted = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": ["arn:aws:s3:::a/*",
                                                                                            "arn:aws:s3:::b/*"]}]}
    have = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": action, "Resource": resource}
        for action in ("s3:GetObjectVersion", "s3:GetObject") for resource in ("arn:aws:s3:::b/*", "arn:aws:s3:::a/*")]}
    assert audit(role(), {"own": have}, [], expected(inline={"own": wanted})) == []


def test_a_condition_in_another_order_of_values_is_the_same():
    wanted = {"Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::a",
                             "Condition": {"StringLike": {"s3:prefix": ["x/*", "y/*"]}}}]}
    have = copy.deepcopy(wanted)
    have["Statement"][0]["Condition"]["StringLike"]["s3:prefix"] = ["y/*", "x/*"]
    assert audit(role(), {"own": have}, [], expected(inline={"own": wanted})) == []
    have["Statement"][0]["Condition"]["StringLike"]["s3:prefix"] = ["y/*", "x/*", "z/*"]
    assert plain(audit(role(), {"own": have}, [], expected(inline={"own": wanted}))) == [
        ("statement", True), ("statement", False)]


# --- managed policies and the boundary ---------------------------------------------------------------------------
S3_READ = {"PolicyName": "AmazonS3ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}


def test_an_attached_policy_not_asked_for_is_an_excess():
    assert findings(attached=[S3_READ]) == [
        {"kind": "managed_policy", "excess": True, "message": "IAM role r1: managed policy"
         " arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess is attached and not asked for"}]


@pytest.mark.parametrize("declared", ["AmazonS3ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"])
def test_an_attached_policy_declared_by_name_or_arn_passes(declared):
    assert findings(attached=[S3_READ], managed=[declared]) == []


def test_a_declared_policy_not_attached_is_missing():
    assert findings(managed=["AWSXRayDaemonWriteAccess"]) == [
        {"kind": "managed_policy", "excess": False,
         "message": "IAM role r1: managed policy AWSXRayDaemonWriteAccess is not attached"}]


def test_a_boundary_not_asked_about_is_not_judged():
    assert findings(has_boundary=BOUNDARY, boundary=None) == []
    assert findings(has_boundary="", boundary=None) == []


@pytest.mark.parametrize("found, wanted, finding", [
    ("", "", None),
    (BOUNDARY, BOUNDARY, None),
    (BOUNDARY, "", ("boundary", False, "IAM role r1: has the permissions boundary %s, expected none" % BOUNDARY)),
    ("", BOUNDARY, ("boundary", True, "IAM role r1: has no permissions boundary, expected %s" % BOUNDARY)),
    ("arn:aws:iam::aws:policy/PowerUserAccess", BOUNDARY,
     ("boundary", True, "IAM role r1: has the permissions boundary arn:aws:iam::aws:policy/PowerUserAccess,"
      " expected %s" % BOUNDARY)),
])
def test_the_boundary(found, wanted, finding):
    wanted_findings = [] if finding is None else [{"kind": finding[0], "excess": finding[1], "message": finding[2]}]
    assert findings(has_boundary=found, boundary=wanted) == wanted_findings


def test_the_findings_come_trust_inline_managed_boundary():
    found = audit(role(trusting(Principal={"AWS": "*"})), {POLICY: grants_policy(drop=1), "extra": grants_policy()},
                  [S3_READ], expected(boundary=BOUNDARY))
    assert plain(found) == [("trust", True), ("trust", False), ("inline_policy", True), ("statement", False),
                            ("managed_policy", True), ("boundary", True)]
