# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ownership tags, and plain data, for the collection's filter plugins (controller side, no AWS).

A resource is an environment's when it carries both ownership tags: ``managed-by: amplify_hosting.ssr`` and
``environment: <the environment>``. The roles that create resources put them there; teardown and verify read
them back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

MANAGED_BY = "amplify_hosting.ssr"


def ownership_tags(environment):
    """The two tags that make a resource ``environment``'s, in the order the messages show them."""
    return {"managed-by": MANAGED_BY, "environment": environment}


def tags_of(resource, key="tags"):
    """A resource's tags, ``{}`` when it has none (missing or not a mapping)."""
    tags = resource.get(key) if isinstance(resource, Mapping) else None
    return tags if isinstance(tags, Mapping) else {}


def ownership_subset(tags, wanted):
    """The tags among ``tags`` that are ownership tags, in the resource's own order."""
    return {key: value for key, value in tags.items() if key in wanted}


def carries(tags, wanted):
    """Whether ``tags`` holds every tag of ``wanted`` with the same value."""
    return all(key in tags and tags[key] == value for key, value in wanted.items())


def to_json(value):
    """JSON as the ``to_json`` filter writes it (same separators, ASCII only)."""
    return json.dumps(plain(value))


def plain(value):
    """The value as plain dicts, lists and scalars (templated containers and tagged strings included)."""
    if isinstance(value, Mapping):
        return {plain(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


def expect(value, kind, what, filter_name):
    """``value`` when it is a ``kind`` (``"mapping"``, ``"list"``, ``"string"``), else an AnsibleFilterError
    naming ``what`` and the filter."""
    checks = {"mapping": Mapping, "list": (list, tuple), "string": str}
    if not isinstance(value, checks[kind]):
        raise AnsibleFilterError(
            "%s: %s must be a %s, got %s" % (filter_name, what, kind, type(value).__name__)
        )
    return value


def expect_items(values, kind, what, filter_name):
    """``values`` (a list) when each element is a ``kind``."""
    expect(values, "list", what, filter_name)
    for index, value in enumerate(values):
        expect(value, kind, "%s[%d]" % (what, index), filter_name)
    return values
