"""Where the endpoint corrects moto so that it answers as the real service does."""

from __future__ import annotations

from helpers import trust_policy


def test_update_role_keeps_the_members_a_request_leaves_out(iam):
    iam.create_role(RoleName="kept-fields", AssumeRolePolicyDocument=trust_policy("amplify.amazonaws.com"),
                    Description="first", MaxSessionDuration=7200)
    iam.update_role(RoleName="kept-fields", Description="second")
    role = iam.get_role(RoleName="kept-fields")["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("second", 7200)
    iam.update_role(RoleName="kept-fields", MaxSessionDuration=10800)
    role = iam.get_role(RoleName="kept-fields")["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("second", 10800)
