# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""amazon.aws's helpers the input rules use, imported from amazon.aws when first called.

amazon.aws's ``module_utils.botocore`` (and ``module_utils.iam``, which imports it) import boto3 when they are
loaded: about 0.2 s. The input rules (inputs, grants, logs_role, compute_roles) are also imported by the
collection's filter plugins, and Ansible loads every filter plugin of the collection afresh in the worker process
of each task that uses one of them: imported at the top, boto3 would be loaded again for every such task of every
host, though most of them never call these helpers. Modules load boto3 anyway; the helpers are amazon.aws's own.
"""


def is_boto3_error_code(code, e=None):
    """amazon.aws's module_utils.botocore.is_boto3_error_code (for ``except is_boto3_error_code(...)``)."""
    from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code as amazon_aws_helper

    return amazon_aws_helper(code, e)


def validate_iam_identifiers(resource_type, name=None, path=None):
    """amazon.aws's module_utils.iam.validate_iam_identifiers: what is wrong with an IAM name or path, or None."""
    from ansible_collections.amazon.aws.plugins.module_utils.iam import validate_iam_identifiers as amazon_aws_helper

    return amazon_aws_helper(resource_type, name=name, path=path)
