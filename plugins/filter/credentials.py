# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An environment's credential settings checked, which environment reads the account of each one's credentials,
and its default session name, from module_utils/credentials.py (documentation: credential_problems.yml,
credential_readers.yml, credential_session_name.yml)."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import credentials


def credential_problems(settings):
    """Every problem of one environment's credential settings, each naming its inventory variable."""
    if not isinstance(settings, dict):
        raise AnsibleFilterError("credential_problems: the input must be a mapping of the credential variables")
    return credentials.problems(settings)


def credential_readers(environments):
    """{host: the host that reads the account of its credentials ("" for a host assuming a role)}."""
    if not isinstance(environments, list) or not all(isinstance(e, Mapping) for e in environments):
        raise AnsibleFilterError("credential_readers: the input must be a list of mappings, one per environment")
    return credentials.readers(environments)


def credential_session_name(environment):
    """The default role session name of an environment."""
    return credentials.session_name(environment)


class FilterModule:
    def filters(self):
        return {
            "credential_problems": credential_problems,
            "credential_readers": credential_readers,
            "credential_session_name": credential_session_name,
        }
