# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The Python requirements of this collection's modules, in place of amazon.aws.boto3 (botocore >= 1.34.0):
    # the compute-role calls need botocore 1.36.22 (MINIMUM_BOTOCORE in module_utils/amplify.py), and
    # meta/ee-requirements.txt asks execution environments for the same.
    DOCUMENTATION = r"""
options: {}
requirements:
  - python >= 3.9
  - boto3 >= 1.36.22
  - botocore >= 1.36.22
"""
