"""iam_policy: IAM's evaluation logic, statement matching, conditions and trust policies (no server, no moto)."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from local_aws.iam_policy import (
    BOUNDARY_DENY,
    IDENTITY_DENY,
    RESOURCE_DENY,
    AuthzRequest,
    Match,
    conditions_met,
    evaluate,
    load_policy,
    no_boundary_allow,
    no_identity_allow,
    no_resource_allow,
    trust_allows,
    trust_allows_principal,
)

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/service/compute"
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/compute/branch-main"
OBJECT = "arn:aws:s3:::assets/site/index.html"
GET = "s3:GetObject"


def request(action: str = GET, resource: str = OBJECT, **context) -> AuthzRequest:
    return AuthzRequest(action, [resource], SESSION_ARN, ACCOUNT, dict(context), role_arn=ROLE_ARN)


def policy(*statements: dict, version: str = "2012-10-17") -> dict:
    return {"Version": version, "Statement": list(statements)}


def allow(action="s3:GetObject", resource="arn:aws:s3:::assets/*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action="s3:GetObject", resource="arn:aws:s3:::assets/*", **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


# -- identity-based policies -----------------------------------------------------------------------------
def test_an_identity_policy_that_allows_grants():
    decision = evaluate(request(), [policy(allow(Sid="ReadAssets"))])
    assert decision.allowed
    assert decision.matched == [Match("identity-based policy 1", 0, "ReadAssets", "Allow")]


def test_without_an_allow_the_request_is_implicitly_denied():
    decision = evaluate(request(), [policy(allow(resource="arn:aws:s3:::elsewhere/*"))])
    assert not decision.allowed
    assert decision.reason == "because no identity-based policy allows the s3:GetObject action"
    assert decision.resource == OBJECT and decision.matched == []
    assert evaluate(request(), []).reason == no_identity_allow(GET)


def test_an_explicit_deny_beats_any_allow():
    decision = evaluate(request(), [policy(allow(action="s3:*", resource="*")),
                                    ("labelled", policy(deny(Sid="NoSite", resource="arn:aws:s3:::assets/site/*")))])
    assert not decision.allowed
    assert decision.reason == IDENTITY_DENY == "with an explicit deny in an identity-based policy"
    assert decision.matched == [Match("labelled", 0, "NoSite", "Deny")]


@pytest.mark.parametrize("pattern, allowed", [
    ("s3:GetObject", True),
    ("S3:getobject", True),  # action names are case-insensitive
    ("s3:Get*", True),
    ("s3:?etObject", True),
    ("*", True),
    ("s3:*Object", True),
    ("s3:Put*", False),
    ("s3:GetObjectVersion", False),
    ("s3", False),
])
def test_action_wildcards_and_case(pattern, allowed):
    assert evaluate(request(), [policy(allow(action=pattern))]).allowed is allowed


@pytest.mark.parametrize("pattern, resource, allowed", [
    ("arn:aws:s3:::assets/*", OBJECT, True),
    ("arn:aws:s3:::assets/site/index.html", OBJECT, True),
    ("arn:aws:s3:::Assets/*", OBJECT, False),  # resources are case-sensitive
    ("arn:aws:s3:::assets", OBJECT, False),
    ("arn:aws:s3:::ass?ts/*", OBJECT, True),
    ("arn:aws:s3:::*", OBJECT, True),
    ("*", OBJECT, True),
    # A * inside a segment stays inside it; a * that ends a segment may run past colons (IAM User Guide).
    ("arn:aws:ssm:*:123456789012:parameter/app/*", "arn:aws:ssm:us-east-1:123456789012:parameter/app/db", True),
    ("arn:aws:logs:us-east-1:123456789012:log-group:web*x",
     "arn:aws:logs:us-east-1:123456789012:log-group:web:x", False),
    ("arn:aws:logs:us-east-1:123456789012:log-group:web*x",
     "arn:aws:logs:us-east-1:123456789012:log-group:web-app-x", True),
    ("arn:aws:logs:us-east-1:123456789012:log-group:web:*",
     "arn:aws:logs:us-east-1:123456789012:log-group:web:log-stream:s1", True),
    ("arn:aws:logs:us-east-1:123456789012:log-group:web:*",
     "arn:aws:logs:us-east-1:123456789012:log-group:web", False),
])
def test_resource_wildcards(pattern, resource, allowed):
    assert evaluate(request(resource=resource), [policy(allow(action="*", resource=pattern))]).allowed is allowed


def test_not_action_allows_everything_but_the_actions_it_names():
    everything_but_iam = policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert evaluate(request(), [everything_but_iam]).allowed
    assert not evaluate(request("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/x"), [everything_but_iam]).allowed


def test_not_resource_covers_everything_but_the_resources_it_names():
    deny_outside = {"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::assets", "arn:aws:s3:::assets/*"]}
    policies = [policy(allow(action="s3:*", resource="*"), deny_outside)]
    assert evaluate(request(), policies).allowed
    refused = evaluate(request(resource="arn:aws:s3:::secrets/key"), policies)
    assert (refused.allowed, refused.reason) == (False, IDENTITY_DENY)


def test_every_resource_must_be_allowed():
    both = AuthzRequest(GET, [OBJECT, "arn:aws:s3:::secrets/key"], SESSION_ARN, ACCOUNT, role_arn=ROLE_ARN)
    decision = evaluate(both, [policy(allow())])
    assert not decision.allowed and decision.resource == "arn:aws:s3:::secrets/key"


def test_policies_arrive_as_json_text_or_url_encoded_as_iam_stores_them():
    text = json.dumps(policy(allow()))
    assert load_policy(quote(text)) == load_policy(text) == load_policy(text.encode()) == policy(allow())
    assert evaluate(request(), [quote(text)]).allowed
    # An unreadable document grants nothing (and does not crash the evaluation).
    assert not evaluate(request(), ["{not json"]).allowed


def test_a_single_statement_object_and_single_values():
    assert evaluate(request(), [{"Version": "2012-10-17", "Statement": allow()}]).allowed


# -- policy variables ------------------------------------------------------------------------------------
def test_a_policy_variable_is_substituted_from_the_request_context():
    per_team = policy(allow(resource="arn:aws:s3:::assets/${aws:PrincipalTag/team}/*"))
    assert evaluate(request(**{"aws:PrincipalTag/team": "site"}), [per_team]).allowed
    assert not evaluate(request(**{"aws:PrincipalTag/team": "other"}), [per_team]).allowed


def test_a_variable_whose_key_is_absent_matches_nothing_and_does_not_crash():
    # aws:username is absent for role sessions.
    home = policy(allow(resource="arn:aws:s3:::assets/${aws:username}/*"))
    assert not evaluate(request(), [home]).allowed
    with_default = policy(allow(resource="arn:aws:s3:::assets/${aws:username, 'site'}/*"))
    assert evaluate(request(), [with_default]).allowed


def test_variables_are_literal_text_in_a_2008_policy_and_escapes_are_literal():
    literal = policy(allow(resource="arn:aws:s3:::assets/${aws:username}/*"), version="2008-10-17")
    assert evaluate(request(resource="arn:aws:s3:::assets/${aws:username}/x"), [literal]).allowed
    assert not evaluate(request(resource="arn:aws:s3:::assets/bob/x"), [literal]).allowed
    star = policy(allow(resource="arn:aws:s3:::assets/${*}"))  # ${*} is a literal asterisk
    assert evaluate(request(resource="arn:aws:s3:::assets/*"), [star]).allowed
    assert not evaluate(request(resource="arn:aws:s3:::assets/x"), [star]).allowed


# -- permissions boundaries ------------------------------------------------------------------------------
def test_a_boundary_limits_what_identity_policies_grant():
    everything = policy(allow(action="*", resource="*"))
    ssm_only = policy(allow(action="ssm:*", resource="*"))
    decision = evaluate(request(), [everything], boundary=ssm_only)
    assert not decision.allowed
    assert decision.reason == no_boundary_allow(GET) == "because no permissions boundary allows the s3:GetObject action"
    assert evaluate(request("ssm:GetParameter", "*"), [everything], boundary=ssm_only).allowed


def test_a_boundary_grants_nothing_by_itself():
    decision = evaluate(request(), [], boundary=policy(allow(action="*", resource="*")))
    assert decision.reason == no_identity_allow(GET)


def test_an_explicit_deny_in_the_boundary():
    boundary = policy(allow(action="*", resource="*"), deny())
    decision = evaluate(request(), [policy(allow())], boundary=boundary)
    assert (decision.allowed, decision.reason) == (False, BOUNDARY_DENY)


def test_a_boundary_that_allows_nothing():
    assert evaluate(request(), [policy(allow())], boundary={}).reason == no_boundary_allow(GET)


# -- resource-based policies -----------------------------------------------------------------------------
def bucket_policy(effect: str, principal, action="s3:GetObject", **extra) -> dict:
    return policy({"Effect": effect, "Principal": principal, "Action": action,
                   "Resource": "arn:aws:s3:::assets/*", **extra})


def test_a_resource_policy_naming_the_role_grants_without_any_identity_policy():
    decision = evaluate(request(), [], resource_policy=bucket_policy("Allow", {"AWS": ROLE_ARN}))
    assert decision.allowed and decision.matched[0].policy == "resource-based policy"


@pytest.mark.parametrize("principal", [{"AWS": SESSION_ARN}, "*", {"AWS": "*"}, {"AWS": [OTHER_ACCOUNT, SESSION_ARN]}])
def test_a_grant_to_the_session_or_to_everyone_is_not_limited_by_the_boundary(principal):
    boundary = policy(allow(action="ssm:*", resource="*"))
    assert evaluate(request(), [], boundary=boundary, resource_policy=bucket_policy("Allow", principal)).allowed


def test_a_grant_to_the_role_arn_is_limited_by_the_boundary():
    # IAM User Guide: resource-based policies that grant permissions to an IAM role ARN are limited by an
    # implicit deny in a permissions boundary; a grant to the role session ARN is not.
    boundary = policy(allow(action="ssm:*", resource="*"))
    decision = evaluate(request(), [], boundary=boundary, resource_policy=bucket_policy("Allow", {"AWS": ROLE_ARN}))
    assert (decision.allowed, decision.reason) == (False, no_boundary_allow(GET))


@pytest.mark.parametrize("account", [ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root"])
def test_a_grant_to_the_account_only_delegates_to_the_identity_policies(account):
    grant = bucket_policy("Allow", {"AWS": account})
    assert evaluate(request(), [], resource_policy=grant).reason == no_identity_allow(GET)
    assert evaluate(request(), [policy(allow())], resource_policy=grant).allowed


def test_a_grant_to_someone_else_does_not_apply():
    grant = bucket_policy("Allow", {"AWS": f"arn:aws:iam::{ACCOUNT}:role/other"})
    assert not evaluate(request(), [], resource_policy=grant).allowed
    service = bucket_policy("Allow", {"Service": "cloudfront.amazonaws.com"})
    assert not evaluate(request(), [], resource_policy=service).allowed


def test_an_explicit_deny_in_the_resource_policy_beats_the_identity_allow():
    decision = evaluate(request(), [policy(allow())], resource_policy=bucket_policy("Deny", "*", Sid="Locked"))
    assert (decision.allowed, decision.reason) == (False, RESOURCE_DENY)
    assert decision.matched == [Match("resource-based policy", 0, "Locked", "Deny")]


def test_the_tls_only_deny_applies_only_without_tls():
    tls_only = bucket_policy("Deny", "*", action="s3:*", Condition={"Bool": {"aws:SecureTransport": "false"}})
    assert evaluate(request(**{"aws:SecureTransport": "true"}), [policy(allow())], resource_policy=tls_only).allowed
    refused = evaluate(request(**{"aws:SecureTransport": "false"}), [policy(allow())], resource_policy=tls_only)
    assert refused.reason == RESOURCE_DENY


@pytest.mark.parametrize("listed, denied", [
    ([SESSION_ARN, ROLE_ARN, f"arn:aws:iam::{ACCOUNT}:root"], False),
    ([SESSION_ARN, ROLE_ARN, ACCOUNT], False),
    ([ROLE_ARN], True),  # AWS may check the account and the session too: not excluded
    (["*"], False),
])
def test_not_principal_deny(listed, denied):
    statement = {"Effect": "Deny", "NotPrincipal": {"AWS": listed}, "Action": "s3:*",
                 "Resource": "arn:aws:s3:::assets/*"}
    decision = evaluate(request(), [policy(allow())], resource_policy=policy(statement))
    assert decision.allowed is not denied


def test_not_principal_deny_always_denies_a_principal_with_a_boundary():
    listed = [SESSION_ARN, ROLE_ARN, ACCOUNT]
    statement = {"Effect": "Deny", "NotPrincipal": {"AWS": listed}, "Action": "s3:*",
                 "Resource": "arn:aws:s3:::assets/*"}
    everything = policy(allow(action="*", resource="*"))
    decision = evaluate(request(), [policy(allow())], boundary=everything, resource_policy=policy(statement))
    assert decision.reason == RESOURCE_DENY


def test_cross_account_needs_both_sides():
    identity = [policy(allow())]
    refused = evaluate(request(), identity, resource_account=OTHER_ACCOUNT)
    assert refused.reason == no_resource_allow(GET) == "because no resource-based policy allows the s3:GetObject action"
    grant = bucket_policy("Allow", {"AWS": ACCOUNT})
    assert evaluate(request(), identity, resource_policy=grant, resource_account=OTHER_ACCOUNT).allowed
    alone = evaluate(request(), [], resource_policy=grant, resource_account=OTHER_ACCOUNT)
    assert alone.reason == no_identity_allow(GET)


# -- conditions ------------------------------------------------------------------------------------------
CONTEXT = {
    "aws:SecureTransport": "true",
    "aws:PrincipalAccount": ACCOUNT,
    "aws:PrincipalArn": ROLE_ARN,
    "aws:SourceIp": "127.0.0.1",
    "aws:CurrentTime": "2025-06-01T12:00:00Z",
    "aws:EpochTime": "1748779200",
    "aws:RequestedRegion": "us-east-1",
    "aws:PrincipalTag/team": "Web",
    "s3:max-keys": "100",
    "aws:TagKeys": ["env", "team"],
    "aws:SourceArn": "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
}


@pytest.mark.parametrize("block, met", [
    # String
    ({"StringEquals": {"aws:RequestedRegion": "us-east-1"}}, True),
    ({"StringEquals": {"aws:RequestedRegion": "US-EAST-1"}}, False),
    ({"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}, True),  # values: OR
    ({"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}, False),
    ({"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}, True),
    ({"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "web"}}, True),
    ({"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/team": "WEB"}}, False),
    ({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/service/*"}}, True),
    ({"StringLike": {"aws:RequestedRegion": "us-?ast-1"}}, True),
    ({"StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin*"}}, True),
    ({"StringLike": {"aws:PrincipalTag/team": "${aws:PrincipalTag/team}"}}, True),  # a policy variable
    # ARN: each of the six components on its own (the IAM User Guide's own example: StringLike matches, ArnLike not)
    ({"StringLike": {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"}}, True),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"}}, False),
    ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}, True),
    ({"ArnEquals": {"aws:PrincipalArn": ROLE_ARN}}, True),
    ({"ArnNotEquals": {"aws:PrincipalArn": ROLE_ARN}}, False),
    ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}}, True),
    # Bool, Numeric, Date, IP
    ({"Bool": {"aws:SecureTransport": "true"}}, True),
    ({"Bool": {"aws:SecureTransport": False}}, False),
    ({"NumericLessThanEquals": {"s3:max-keys": "100"}}, True),
    ({"NumericLessThan": {"s3:max-keys": "100"}}, False),
    ({"NumericGreaterThan": {"s3:max-keys": 10}}, True),
    ({"NumericEquals": {"s3:max-keys": "100.0"}}, True),
    ({"NumericNotEquals": {"s3:max-keys": "100"}}, False),
    ({"NumericEquals": {"s3:max-keys": "many"}}, False),
    ({"DateGreaterThan": {"aws:CurrentTime": "2025-01-01T00:00:00Z"}}, True),
    ({"DateLessThan": {"aws:CurrentTime": "2025-01-01"}}, False),
    ({"DateEquals": {"aws:CurrentTime": "1748779200"}}, True),  # epoch seconds
    ({"DateLessThanEquals": {"aws:EpochTime": "2025-06-01T12:00:00+00:00"}}, True),
    ({"DateNotEquals": {"aws:CurrentTime": "2025-06-01T12:00:00Z"}}, False),
    ({"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}, True),
    ({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8::/32"]}}, False),
    ({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, True),
    # Absent keys: not met, except negated operators, IfExists and Null true.
    ({"StringEquals": {"aws:SourceVpc": "vpc-1"}}, False),
    ({"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}, True),
    ({"ArnNotLike": {"aws:SourceArn2": "arn:*"}}, True),
    ({"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}, True),
    ({"StringEqualsIfExists": {"aws:RequestedRegion": "eu-west-1"}}, False),  # present: judged as usual
    ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}, True),
    ({"Null": {"aws:SourceVpc": "true"}}, True),
    ({"Null": {"aws:SourceVpc": "false"}}, False),
    ({"Null": {"aws:SecureTransport": "false"}}, True),
    ({"Null": {"aws:SecureTransport": True}}, False),
    # Set qualifiers on a multi-valued key.
    ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "cost"]}}, True),
    ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["cost"]}}, False),
    ({"ForAnyValue:StringEquals": {"aws:ResourceTagKeys": ["team"]}}, False),  # absent: false
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team", "cost"]}}, True),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}, False),
    ({"ForAllValues:StringEquals": {"aws:ResourceTagKeys": ["env"]}}, True),  # absent: true
    ({"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}, True),
    ({"ForAllValues:StringNotLike": {"aws:TagKeys": "t*"}}, False),
    ({"ForAnyValue:StringNotEquals": {"aws:TagKeys": "env"}}, True),
    # Several keys and operators: all must hold. Key names are case-insensitive.
    ({"Bool": {"AWS:SECURETRANSPORT": "true"}, "StringEquals": {"aws:requestedregion": "us-east-1"}}, True),
    ({"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:RequestedRegion": "eu-west-1"}}, False),
    ({"StringEquals": {"aws:RequestedRegion": "us-east-1", "aws:PrincipalAccount": OTHER_ACCOUNT}}, False),
    # Operators IAM would refuse cannot hold.
    ({"StringSortOf": {"aws:RequestedRegion": "us-east-1"}}, False),
    ({"Sometimes:StringEquals": {"aws:RequestedRegion": "us-east-1"}}, False),
])
def test_conditions(block, met):
    assert conditions_met(block, CONTEXT) is met


def test_a_statement_whose_condition_is_not_met_does_not_apply():
    conditional = policy(allow(Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))
    assert not evaluate(request(**CONTEXT), [conditional]).allowed
    conditional_deny = policy(allow(), deny(Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))
    assert evaluate(request(**CONTEXT), [conditional_deny]).allowed


# -- trust policies --------------------------------------------------------------------------------------
AMPLIFY = "amplify.amazonaws.com"


def trust(*statements: dict) -> str:
    return json.dumps(policy(*statements))


def assume(principal=None, effect="Allow", action="sts:AssumeRole", **extra) -> dict:
    return {"Effect": effect, "Principal": principal or {"Service": AMPLIFY}, "Action": action, **extra}


def test_trust_names_the_service():
    assert trust_allows(trust(assume()), AMPLIFY)
    assert trust_allows(trust(assume({"Service": ["lambda.amazonaws.com", AMPLIFY]})), AMPLIFY)
    assert trust_allows(trust(assume("*")), AMPLIFY)
    assert not trust_allows(trust(assume({"Service": "lambda.amazonaws.com"})), AMPLIFY)
    assert not trust_allows(trust(assume({"AWS": "*"})), AMPLIFY)
    assert not trust_allows(trust(assume({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})), AMPLIFY)


def test_trust_covers_the_action():
    assert trust_allows(trust(assume(action="sts:*")), AMPLIFY)
    assert trust_allows(trust(assume(action=["sts:TagSession", "sts:AssumeRole"])), AMPLIFY)
    assert not trust_allows(trust(assume(action="sts:TagSession")), AMPLIFY)
    assert trust_allows(trust(assume(action="sts:TagSession")), AMPLIFY, action="sts:TagSession")


def test_a_deny_in_the_trust_policy_wins():
    assert not trust_allows(trust(assume(), assume(effect="Deny")), AMPLIFY)
    assert not trust_allows(trust(assume(effect="Deny")), AMPLIFY)


@pytest.mark.parametrize("context, allowed", [
    ({"aws:SourceAccount": ACCOUNT, "aws:SourceArn": f"arn:aws:amplify:us-east-1:{ACCOUNT}:apps/d1"}, True),
    ({"aws:SourceAccount": OTHER_ACCOUNT,
      "aws:SourceArn": f"arn:aws:amplify:us-east-1:{OTHER_ACCOUNT}:apps/d1"}, False),
    ({"aws:SourceAccount": ACCOUNT, "aws:SourceArn": f"arn:aws:amplify:us-east-1:{ACCOUNT}:apps/other"}, False),
    (None, False),  # the keys are absent: the condition is not met
])
def test_trust_with_a_confused_deputy_condition(context, allowed):
    document = trust(assume(Condition={
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:amplify:us-east-1:{ACCOUNT}:apps/d1*"},
    }))
    assert trust_allows(document, AMPLIFY, context=context) is allowed


def test_trust_with_not_principal_and_unreadable_documents():
    # Allow everyone except lambda: amplify is not excluded.
    not_lambda = {"Effect": "Allow", "NotPrincipal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    assert trust_allows(trust(not_lambda), AMPLIFY)
    assert not trust_allows(trust(not_lambda), "lambda.amazonaws.com")
    assert not trust_allows("not json", AMPLIFY)
    assert trust_allows(quote(trust(assume())), AMPLIFY)  # URL-encoded, as IAM returns it


# -- trust policies naming AWS principals (sts:AssumeRole across accounts) ---------------------------------
CALLER_ROOT = f"arn:aws:iam::{OTHER_ACCOUNT}:root"
CALLER_USER = f"arn:aws:iam::{OTHER_ACCOUNT}:user/ci"
CALLER_ROLE = f"arn:aws:iam::{OTHER_ACCOUNT}:role/hop"
CALLER_SESSION = f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/hop/run"


@pytest.mark.parametrize("principal, caller, role_arn, allowed", [
    (OTHER_ACCOUNT, CALLER_ROOT, "", True),
    (CALLER_ROOT, CALLER_USER, "", True),  # the account: any of its principals
    (CALLER_ROOT, CALLER_SESSION, CALLER_ROLE, True),
    (CALLER_USER, CALLER_USER, "", True),
    (CALLER_USER, CALLER_ROOT, "", False),  # a user named: not the account's other principals
    (CALLER_ROLE, CALLER_SESSION, CALLER_ROLE, True),
    (CALLER_SESSION, CALLER_SESSION, CALLER_ROLE, True),
    (CALLER_ROLE, CALLER_USER, "", False),
    (ACCOUNT, CALLER_ROOT, "", False),  # another account
    ("*", CALLER_USER, "", True),
])
def test_trust_names_an_aws_principal(principal, caller, role_arn, allowed):
    document = trust(assume({"AWS": principal}))
    assert trust_allows_principal(document, caller, OTHER_ACCOUNT, role_arn=role_arn) is allowed


def test_an_aws_principal_is_not_a_service_and_a_service_is_not_an_aws_principal():
    assert not trust_allows_principal(trust(assume()), CALLER_ROOT, OTHER_ACCOUNT)
    assert not trust_allows(trust(assume({"AWS": OTHER_ACCOUNT})), AMPLIFY)


@pytest.mark.parametrize("context, allowed", [
    ({"sts:ExternalId": "ext-1"}, True),
    ({"sts:ExternalId": "ext-2"}, False),
    ({}, False),  # no external id given: the condition is not met
])
def test_trust_with_an_external_id(context, allowed):
    document = trust(assume({"AWS": CALLER_ROOT}, Condition={"StringEquals": {"sts:ExternalId": "ext-1"}}))
    assert trust_allows_principal(document, CALLER_ROOT, OTHER_ACCOUNT, context=context) is allowed


def test_a_deny_naming_the_caller_wins_over_an_allow_of_its_account():
    document = trust(assume({"AWS": OTHER_ACCOUNT}), assume({"AWS": CALLER_USER}, effect="Deny"))
    assert not trust_allows_principal(document, CALLER_USER, OTHER_ACCOUNT)
    assert trust_allows_principal(document, CALLER_ROOT, OTHER_ACCOUNT)
    assert not trust_allows_principal("not json", CALLER_ROOT, OTHER_ACCOUNT)
