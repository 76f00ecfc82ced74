# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fakes for the compute-role tests of every module (compute_roles is the one path): IAM roles and trust policies."""

import botocore.exceptions

ROLE = "arn:aws:iam::123456789012:role/amplify/site-compute"
OTHER_ROLE = "arn:aws:iam::123456789012:role/other-compute"
NOT_ASSUMABLE = "The compute role provided cannot be assumed by Amplify. Please verify the role exists."
AMPLIFY_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def client_error(code, message, operation):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": message}}, operation)


class Iam:
    """GetRole of the roles given; records the names asked for."""

    def __init__(self, *roles):
        self.roles = dict((role["RoleName"], role) for role in roles)
        self.calls = []

    def get_role(self, RoleName):  # noqa: N803 - boto3 keyword
        self.calls.append(RoleName)
        if RoleName not in self.roles:
            raise client_error("NoSuchEntity", "The role with name %s cannot be found." % RoleName, "GetRole")
        return {"Role": self.roles[RoleName]}


def iam_role(arn=ROLE, trust=None):
    return {"RoleName": arn.rsplit("/", 1)[1], "Arn": arn, "AssumeRolePolicyDocument": trust or AMPLIFY_TRUST}


class RefusesNewRoles:
    """Mixin of a fake Amplify client: a write that sets a compute role is refused `refusals` times, as Amplify
    refuses a role IAM has not propagated to it yet, then accepted."""

    refusals = 0

    def refuse_role(self, operation, params):
        if params.get("computeRoleArn") and self.refusals:
            self.refusals -= 1
            raise client_error("BadRequestException", NOT_ASSUMABLE, operation)


class Params(dict):
    """Module params: an option not set here is None (as an option without default is)."""

    def __missing__(self, key):
        return None


class Module:
    """What the modules use of AnsibleAWSModule: params, check mode, warnings, and an IAM client."""

    def __init__(self, iam=None, check_mode=False, **params):
        self.iam = iam
        self.check_mode = check_mode
        self.params = Params(params)
        self.warnings = []

    def client(self, service, config=None):
        assert service == "iam" and config["retries"]["mode"] == "standard"
        return self.iam

    def warn(self, message):
        self.warnings.append(message)
