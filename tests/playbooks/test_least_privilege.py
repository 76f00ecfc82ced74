# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Least privilege, proved: verify.yml names each way a compute role was widened out of band, site.yml --check
--diff reports each repair without a write, and site.yml repairs what it owns (issue 15).

The drifts, one kind per environment or two:
- dev: its trust policy also lets another account assume the role, and its grants' inline policy is widened to
  s3:* on *;
- staging: an extra inline policy granting s3:* on *, and an attached managed policy nobody declared;
- prod: a permissions boundary nobody declared.
"""

import json

from conftest import APP_NAME

SITE = "playbooks/site.yml"
VERIFY = "playbooks/verify.yml"
WIDE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
OTHER_ACCOUNT = "arn:aws:iam::999999999999:root"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def role(environment):
    return "%s-%s-compute" % (APP_NAME, environment)


def widen(endpoint):
    """The drifts of the module docstring, made with the endpoint's IAM as an operator would by hand."""
    iam = endpoint.iam
    trust = iam.get_role(RoleName=role("dev"))["Role"]["AssumeRolePolicyDocument"]
    trust["Statement"].append({"Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT}, "Action": "sts:AssumeRole"})
    iam.update_assume_role_policy(RoleName=role("dev"), PolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName=role("dev"), PolicyName=role("dev") + "-grants", PolicyDocument=json.dumps(WIDE))
    iam.put_role_policy(RoleName=role("staging"), PolicyName="added-by-hand", PolicyDocument=json.dumps(WIDE))
    iam.attach_role_policy(RoleName=role("staging"), PolicyArn=ADMIN)
    boundary = iam.create_policy(PolicyName="someone-elses-boundary", PolicyDocument=json.dumps(WIDE))["Policy"]["Arn"]
    iam.put_role_permissions_boundary(RoleName=role("prod"), PermissionsBoundary=boundary)
    return boundary


EXCESS = {
    "dev": [
        "IAM role %s: trust policy statement 2: trusts AWS %s besides amplify.amazonaws.com" % (role("dev"), OTHER_ACCOUNT),
        "IAM role %s: inline policy %s-grants: Allow s3:* on * is beyond what is asked for" % (role("dev"), role("dev")),
        "IAM role %s: inline policy %s-grants: Allow s3:GetObject on arn:aws:s3:::%s-dev-private/* is missing"
        % (role("dev"), role("dev"), APP_NAME),
    ],
    "staging": [
        "IAM role %s: inline policy added-by-hand is not one asked for" % role("staging"),
        "IAM role %s: managed policy %s is attached and not asked for" % (role("staging"), ADMIN),
    ],
}


def test_verify_names_each_excess_site_check_diff_reports_it_and_site_repairs_it(empty_account, playbook):
    endpoint = empty_account
    assert playbook(SITE).returncode == 0
    clean = playbook(VERIFY)
    assert clean.returncode == 0, clean
    assert clean.output.count("least privilege: trusts amplify.amazonaws.com only") == 3, clean

    boundary = widen(endpoint)

    # verify.yml fails in every environment, naming each excess (and the grant the widening replaced).
    mark = endpoint.mark()
    broken = playbook(VERIFY)
    assert broken.returncode != 0 and all(broken.recap[env]["failed"] == 1 for env in ("dev", "staging", "prod")), broken
    assert endpoint.writes_since(mark) == []
    for environment, messages in EXCESS.items():
        for message in messages:
            assert message in broken.output, (message, broken)
    assert ("IAM role %s: has the permissions boundary %s, expected none" % (role("prod"), boundary)) in broken.output

    # site.yml --check --diff reports each repair and writes nothing.
    mark = endpoint.mark()
    check = playbook(SITE, "--check", "--diff")
    assert check.returncode == 0, check
    assert endpoint.writes_since(mark) == []
    assert all(check.changed(env) > 0 for env in ("dev", "staging", "prod")), check
    # The extra inline policy's removal shows as a diff of the role's policies (before: it, after: gone).
    assert "added-by-hand" in check.output, check
    # The widened grants' policy is put back to the generated one: its diff shows s3:* before.
    assert '"s3:*"' in check.output, check

    # site.yml repairs every drift; verify passes; a second run writes nothing.
    repaired = playbook(SITE)
    assert repaired.returncode == 0, repaired
    iam = endpoint.iam
    assert iam.list_role_policies(RoleName=role("staging"))["PolicyNames"] == [role("staging") + "-grants"]
    assert iam.list_attached_role_policies(RoleName=role("staging"))["AttachedPolicies"] == []
    assert "PermissionsBoundary" not in iam.get_role(RoleName=role("prod"))["Role"]
    statements = iam.get_role(RoleName=role("dev"))["Role"]["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in statements] == [{"Service": "amplify.amazonaws.com"}]
    # Exactly the generated grants again: the bucket, and the demo inventory's parameter, secret and table.
    prefix = "arn:aws:%s:us-east-1:123456789012:"
    assert iam.get_role_policy(RoleName=role("dev"), PolicyName=role("dev") + "-grants")["PolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s-dev-private/*" % APP_NAME},
        {"Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParameters"],
         "Resource": prefix % "ssm" + "parameter/%s/dev/greeting" % APP_NAME},
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
         "Resource": prefix % "secretsmanager" + "secret:%s/dev/api-key-??????" % APP_NAME},
        {"Effect": "Allow", "Action": ["dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable",
                                       "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"],
         "Resource": prefix % "dynamodb" + "table/%s-dev-items" % APP_NAME},
        {"Effect": "Allow", "Action": ["dynamodb:Query", "dynamodb:Scan"],
         "Resource": prefix % "dynamodb" + "table/%s-dev-items/index/*" % APP_NAME}]
    assert playbook(VERIFY).returncode == 0
    mark = endpoint.mark()
    again = playbook(SITE)
    assert again.returncode == 0 and endpoint.writes_since(mark) == [], again


def test_site_keeps_foreign_inline_policies_on_request_and_verify_still_reports_them(empty_account, playbook):
    endpoint = empty_account
    assert playbook(SITE, "--limit", "dev").returncode == 0
    endpoint.iam.put_role_policy(RoleName=role("dev"), PolicyName="my-own", PolicyDocument=json.dumps(WIDE))

    kept = playbook(SITE, "--limit", "dev", "-e", "ssr_role_purge_inline_policies=false")
    assert kept.returncode == 0, kept
    assert sorted(endpoint.iam.list_role_policies(RoleName=role("dev"))["PolicyNames"]) == [role("dev") + "-grants", "my-own"]
    reported = playbook(VERIFY, "--limit", "dev")
    assert reported.returncode != 0, reported
    assert "IAM role %s: inline policy my-own is not one asked for" % role("dev") in reported.output, reported

    purged = playbook(SITE, "--limit", "dev")
    assert purged.returncode == 0, purged
    assert endpoint.iam.list_role_policies(RoleName=role("dev"))["PolicyNames"] == [role("dev") + "-grants"]


def test_opt_in_trust_conditions_are_written_and_proved(empty_account, playbook):
    endpoint = empty_account
    account = ("-e", "ssr_role_source_account=123456789012")
    assert playbook(SITE, "--limit", "dev", *account).returncode == 0
    trust = endpoint.iam.get_role(RoleName=role("dev"))["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert playbook(VERIFY, "--limit", "dev", *account).returncode == 0

    # The condition taken away by hand: verify names it, site puts it back.
    del trust["Statement"][0]["Condition"]
    endpoint.iam.update_assume_role_policy(RoleName=role("dev"), PolicyDocument=json.dumps(trust))
    loose = playbook(VERIFY, "--limit", "dev", *account)
    assert loose.returncode != 0, loose
    assert ("IAM role %s: trust policy statement 1: lets amplify.amazonaws.com assume the role without the condition"
            " StringEquals aws:SourceAccount = 123456789012" % role("dev")) in loose.output, loose
    assert playbook(SITE, "--limit", "dev", *account).returncode == 0
    assert playbook(VERIFY, "--limit", "dev", *account).returncode == 0
