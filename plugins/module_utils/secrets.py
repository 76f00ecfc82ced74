# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Secrets: basic auth credentials and secret environment variables, never in any output.

Where a secret is masked (results, diffs, errors) and how the names of the secret environment variables are
recorded (a tag of the app or branch) is decided here, for every module.
"""

import base64
import re

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import tag_resource

# Amplify returns basicAuthCredentials (base64 of "username:password") in GetApp/GetBranch; it is compared
# with the value a run would send, internally, and never returned (NEVER_RETURNED). Environment variables
# have no secret flag in Amplify: the names of the secret ones are recorded in a tag of the app or branch
# (SECRET_VARIABLES_TAG), so that every module that returns the app or branch masks their values.

# What a secret value is replaced with in results and diffs (the mask Ansible uses for no_log values).
SECRET_MASK = "********"
# In a diff: a secret the run changes (or, in check mode, would change).
SECRET_CHANGED_MASK = "******** (changed)"
# Tag of an app or branch: the names of its secret environment variables, space separated.
SECRET_VARIABLES_TAG = "amplify_hosting.ssr:secret-environment-variables"
# Amplify tag values: at most 256 of letters, digits, spaces and _.:/=+-@ (spaces separate the names).
SECRET_NAME_RE = re.compile(r"^[\w.:/=+@-]+$")
TAG_VALUE_MAX = 256
BASIC_AUTH_MAX = 2000
# The API members that carry secrets; Amplify's validation errors quote the values they refuse.
SECRET_MEMBERS = ("basicAuthCredentials", "environmentVariables", "accessToken", "oauthToken")
_QUOTED_VALUE_RE = re.compile(r"Value '(.*?)' at '([^']*)'", re.S)


def secret_variable_names(tags):
    """The names of the secret environment variables a resource's tags record (sorted, maybe empty)."""
    value = (tags or {}).get(SECRET_VARIABLES_TAG) if isinstance(tags, dict) else None
    return sorted(set((value or "").split()))


def mask_variables(variables, names):
    """`variables` with the value of each name in `names` replaced with SECRET_MASK."""
    return dict((k, SECRET_MASK if k in names else v) for k, v in (variables or {}).items())


def basic_auth_value(credentials, option="basic_auth_credentials"):
    """basicAuthCredentials as Amplify takes it: base64 of "username:password". Errors never show them."""
    username = (credentials or {}).get("username") or ""
    password = (credentials or {}).get("password") or ""
    if not username or not password:
        raise AmplifyError("%s: username and password must both be given and not empty" % option)
    if ":" in username:
        raise AmplifyError("%s: the username must not contain ':' (basic auth sends username:password)" % option)
    value = base64.b64encode(("%s:%s" % (username, password)).encode("utf-8")).decode("ascii")
    if len(value) > BASIC_AUTH_MAX:
        raise AmplifyError(
            "%s: username and password are too long (Amplify takes at most %d characters of base64, about %d of"
            " username:password)" % (option, BASIC_AUTH_MAX, BASIC_AUTH_MAX * 3 // 4)
        )
    return value


def basic_auth_credentials_spec():
    """The argument spec of the basic_auth_credentials option of the app and branch modules. The username is
    not secret (no_log would mask it everywhere in the output, branch names and URLs too); the password is,
    and basic_auth_secrets() adds the forms the pair takes on the wire."""
    return dict(
        type="dict",
        options=dict(
            username=dict(type="str", required=True, no_log=False),
            password=dict(type="str", required=True, no_log=True),
        ),
    )


def basic_auth_secrets(credentials):
    """The strings no output may show for these credentials: the password, username:password and its base64
    (not the username alone, which is not secret)."""
    if not credentials or not credentials.get("username") or not credentials.get("password"):
        return []
    plain = "%s:%s" % (credentials["username"], credentials["password"])
    encoded = base64.b64encode(plain.encode("utf-8")).decode("ascii")
    return [credentials["password"], plain, encoded]


def basic_auth_params(params):
    """enableBasicAuth and basicAuthCredentials (base64 of username:password) as the options
    enable_basic_auth and basic_auth_credentials ask: credentials turn basic auth on unless enable_basic_auth
    is false; enable_basic_auth alone turns it on or off, leaving the credentials as they are."""
    wanted = {}
    if params.get("enable_basic_auth") is not None:
        wanted["enableBasicAuth"] = params["enable_basic_auth"]
    if params.get("basic_auth_credentials"):
        wanted["basicAuthCredentials"] = basic_auth_value(params["basic_auth_credentials"])
        wanted.setdefault("enableBasicAuth", True)
    return wanted


def check_basic_auth(current, desired):
    """Basic auth turned on needs credentials: given now, or already set (Amplify returns them)."""
    if desired.get("enableBasicAuth") and not desired.get("basicAuthCredentials") and not (current or {}).get("basicAuthCredentials"):
        raise AmplifyError("enable_basic_auth: basic auth needs credentials and none are set; give basic_auth_credentials")


def secret_option_values(params):
    """Every string of a module's secret options that no output may show, in the forms a request carries them
    (the access token, basic auth in each form, the secret variables' values)."""
    values = basic_auth_secrets(params.get("basic_auth_credentials"))
    values += [str(v) for v in (params.get("secret_environment_variables") or {}).values()]
    if params.get("access_token"):
        values.append(params["access_token"])
    return [v for v in values if v]


def stored_secret_values(resource):
    """The current values of the environment variables the secret tag of an app or branch names."""
    names = secret_variable_names((resource or {}).get("tags"))
    variables = (resource or {}).get("environmentVariables") or {}
    return [str(variables[name]) for name in names if name in variables and str(variables[name])]


def note_stored_secrets(module, resource):
    """Mask, in whatever the module outputs, the values of the secret variables the app or branch already has:
    a run that does not give secret_environment_variables re-sends them, and an error may quote them."""
    values = stored_secret_values(resource)
    if values:
        module.no_log_values.update(values)


def run_scrubbed(module, run):
    """run() (the module's work) with no secret in its output: the wire forms of the secret options join the
    values Ansible masks (module.no_log_values), and an AmplifyError is re-raised without any of those nor
    the values Amplify's validation errors quote for the members that carry secrets, without the original
    (which may quote the request) as cause or context."""
    module.no_log_values.update(secret_option_values(module.params))
    try:
        return run()
    except AmplifyError as e:
        scrubbed = scrub_error(e, module.no_log_values)
    raise scrubbed


def mark_secret_names(client, module, arn, current_tags, names):
    """Before a write that sends secret values: the names in `names` the secret tag lacks are added to it
    (none removed; that waits until after the write), so that a secret is never stored unmarked even if the
    write or the run fails after this. Returns the tags afterwards."""
    current_tags = current_tags or {}
    marked = secret_variable_names(current_tags)
    if names is None or module.check_mode or set(names) <= set(marked):
        return current_tags
    value = " ".join(sorted(set(marked) | set(names)))
    if len(value) > TAG_VALUE_MAX:  # too long with the names the write drops: the names it keeps
        value = " ".join(sorted(names))
    tag_resource(client, arn, {SECRET_VARIABLES_TAG: value})
    return dict(current_tags, **{SECRET_VARIABLES_TAG: value})


def check_secret_variables(plain, secret, option="secret_environment_variables",
                           plain_option="environment_variables"):
    """Fail (naming the options: `option` for the secret variables, `plain_option` for the others) on what can be
    checked before any call: a name in both, and names the secret tag cannot record."""
    if secret is None:
        return
    both = sorted(set(plain or {}) & set(secret))
    if both:
        raise AmplifyError(
            "%s: %s also in %s; give each variable in one of them" % (option, ", ".join(both), plain_option)
        )
    bad = sorted(name for name in secret if not SECRET_NAME_RE.match(name))
    if bad:
        raise AmplifyError(
            "%s: the name(s) %s cannot be recorded in the tag %s (letters, digits and _ . : / = + - @ only)"
            % (option, ", ".join(repr(name) for name in bad), SECRET_VARIABLES_TAG)
        )
    if len(" ".join(sorted(secret))) > TAG_VALUE_MAX:
        raise AmplifyError(
            "%s: the names take more than the %d characters the tag %s can hold"
            % (option, TAG_VALUE_MAX, SECRET_VARIABLES_TAG)
        )


def split_environment(current_variables, current_tags, plain, secret):
    """(variables, secret names) a run asks for, from environment_variables (`plain`) and
    secret_environment_variables (`secret`); (None, None) when neither is given: the variables are left alone.

    The variables are two parts: the secret ones (those the secret tag of the app or branch names) and the
    others. Each option replaces its own part; the part of an option not given is kept, less any name the
    given option now sets. Values are compared and sent as strings.
    """
    if plain is None and secret is None:
        return None, None
    check_secret_variables(plain, secret)
    current = current_variables or {}
    marked = set(secret_variable_names(current_tags))
    plain = None if plain is None else dict((k, str(v)) for k, v in plain.items())
    secret = None if secret is None else dict((k, str(v)) for k, v in secret.items())
    if plain is None:
        plain = dict((k, v) for k, v in current.items() if k not in marked and k not in secret)
    if secret is None:
        secret = dict((k, v) for k, v in current.items() if k in marked and k not in plain)
    variables = dict(plain)
    variables.update(secret)
    return variables, sorted(secret)


def tags_with_secret_names(current_tags, tags, purge_tags, names):
    """The tags the resource is to have (give them to ensure_tags with purge_tags=True; None: leave the tags):
    `tags` as the tags options ask (None: the current ones; purge_tags=False: merged into the current ones),
    with SECRET_VARIABLES_TAG listing `names` (None: kept as it is; []: removed). The secret tag is the
    module's own: O(tags) and O(purge_tags) never set or remove it."""
    if tags is None and names is None:
        return None
    current = current_tags or {}
    if tags is None:
        wanted = dict(current)
    elif purge_tags:
        wanted = dict(tags)
    else:
        wanted = dict(current)
        wanted.update(tags)
    wanted.pop(SECRET_VARIABLES_TAG, None)
    value = current.get(SECRET_VARIABLES_TAG) if names is None else " ".join(names)
    if value:
        wanted[SECRET_VARIABLES_TAG] = value
    return wanted


def mask_diff(diff, current_variables, names_before, names_after):
    """A managed_diff() without secrets: basic_auth_credentials masked, and the values of the environment
    variables secret before or after the run (a value the run changes shows as SECRET_CHANGED_MASK)."""
    before, after = diff.get("before") or {}, diff.get("after") or {}
    if "basic_auth_credentials" in after:
        had = before.get("basic_auth_credentials")
        before["basic_auth_credentials"] = SECRET_MASK if had else ""
        after["basic_auth_credentials"] = SECRET_CHANGED_MASK if had else SECRET_MASK
    hidden = set(names_before or []) | set(names_after or [])
    if isinstance(before.get("environment_variables"), dict):
        before["environment_variables"] = mask_variables(before["environment_variables"], hidden)
    if isinstance(after.get("environment_variables"), dict):
        current = current_variables or {}
        after["environment_variables"] = dict(
            (k, (SECRET_CHANGED_MASK if k in current and str(current[k]) != str(v) else SECRET_MASK)
             if k in (names_after or []) else v)
            for k, v in after["environment_variables"].items()
        )
    return diff


def _scrub_text(text, secrets):
    def quoted(match):
        if match.group(2).split(".")[0] in SECRET_MEMBERS:
            return "Value '%s' at '%s'" % (SECRET_MASK, match.group(2))
        return match.group(0)

    text = _QUOTED_VALUE_RE.sub(quoted, text)
    for secret in sorted(set(s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, SECRET_MASK)
    return text


def _scrub(value, secrets):
    if isinstance(value, dict):
        return dict((k, _scrub(v, secrets)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_scrub(v, secrets) for v in value]
    if isinstance(value, str):
        return _scrub_text(value, secrets)
    return value


def scrub_error(error, secrets):
    """`error` (an AmplifyError) as it may be shown after a call that carried secrets: without any of the
    strings in `secrets`, and without the values Amplify's validation errors quote for the members that carry
    secrets ("Value '...' at 'environmentVariables.X'"), which may be cut short and so escape the first."""
    exception = error.exception
    if hasattr(exception, "response") and hasattr(exception, "operation_name"):  # a botocore ClientError
        exception = type(exception)(_scrub(exception.response, secrets), exception.operation_name)
    elif exception is not None:
        exception = AmplifyError(_scrub_text(str(exception), secrets))
    return AmplifyError(_scrub_text(error.message or "", secrets), exception=exception, **_scrub(error.kwargs, secrets))
