# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the unit tests of the secret options share: a fake module, the app's and branch's parameters."""

import botocore.exceptions

APP_ID = "dabc123"


class FakeModule:
    def __init__(self, params, check_mode=False):
        self.params = params
        self.check_mode = check_mode
        self.warnings = []
        self.no_log_values = set()

    def warn(self, message):
        self.warnings.append(message)


def branch_params(**params):
    defaults = dict(
        state="present", app=APP_ID, branch_name="main", description=None, stage=None, framework=None,
        enable_auto_build=None, environment_variables=None, compute_role_arn=None, wait_timeout=120,
        secret_environment_variables=None, enable_basic_auth=None, basic_auth_credentials=None,
        tags=None, purge_tags=True,
    )
    defaults.update(params)
    return defaults


def app_params(**params):
    defaults = dict(
        state="present", app_id=APP_ID, name=None, description=None, platform=None, repository=None,
        access_token=None, compute_role_arn=None, wait_timeout=120, iam_service_role_arn=None, environment_variables=None,
        build_spec=None, custom_rules=None, enable_branch_auto_build=None, enable_auto_branch_creation=None,
        auto_branch_creation_patterns=None, tags=None, purge_tags=True, creation_tags=None,
        secret_environment_variables=None, enable_basic_auth=None, basic_auth_credentials=None,
    )
    defaults.update(params)
    return defaults


def client_error(code, message, operation):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": message}}, operation)
