# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The basic auth credentials of an app (amplify_hosting.ssr.app) or a branch (amplify_hosting.ssr.branch).
    DOCUMENTATION = r"""
options:
  basic_auth_credentials:
    description:
      - The basic auth username and password. Amplify takes them as the base64 of C(username:password).
      - Amplify returns that base64 value; the module compares it, internally, with the one it would send, so a
        run that changes nothing writes nothing and a new username or password is an update. It is never
        returned, and a diff shows V(********) (V(******** (changed)) for a change).
      - The password is never logged (give it from ansible-vault or the environment), nor are
        C(username:password) and its base64. The username is not secret and may show in the output (as the
        invocation's O(basic_auth_credentials.username)); marking it secret would mask every occurrence of it,
        a branch name or URL too.
    type: dict
    suboptions:
      username:
        description: The username; it must not contain V(:). Not secret.
        type: str
        required: true
      password:
        description: The password. Never logged.
        type: str
        required: true
"""
