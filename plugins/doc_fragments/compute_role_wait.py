# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The wait for IAM propagation of the modules that set compute_role_arn (amplify_hosting.ssr.app and
    # amplify_hosting.ssr.branch); one path decides it for both (module_utils/compute_roles.py).
    DOCUMENTATION = r"""
options:
  wait_timeout:
    description:
      - How many seconds to keep retrying the write that sets O(compute_role_arn) while Amplify answers that
        the role cannot be assumed yet (IAM propagation of a new role or trust policy), with exponential
        backoff and jitter. V(0) tries once. Nothing is written by a refused try.
      - Not used when O(compute_role_arn) is not being set or changed, nor in check mode.
    type: int
    default: 120
    version_added: 0.1.0
"""
