"""IAM policy evaluation as AWS documents it, for the requests of an assumed-role session.

Pure: policy documents and a request context in, a decision out; nothing here reads moto. compute_auth.py
gathers the documents (the role's inline and managed policies, its permissions boundary, a bucket policy)
and the request context, and answers a refusal in the service's own words.

What is implemented, from the IAM User Guide:
- Evaluation within one account ("Policy evaluation logic"): an explicit Deny in any policy wins; otherwise an
  identity-based Allow grants, unless a permissions boundary does not also allow; a resource-based policy grants
  on its own when it names the role *session* (or everyone, "*"), is limited by the boundary when it names the
  role ARN, and only delegates (grants nothing by itself) when it names the account. Cross-account requests
  (resource_account given and different) need both an identity-based and a resource-based Allow.
- Statement matching: Effect, Action/NotAction (case-insensitive, * and ? wildcards), Resource/NotResource (ARN
  wildcards: * and ? stay within a colon-delimited segment unless the * ends a segment), Principal/NotPrincipal.
- Conditions: String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress/NotIpAddress, Arn*, Null, the IfExists
  suffix and the ForAnyValue:/ForAllValues: qualifiers; several values of one key are ORed, several keys and
  operators are ANDed; condition key names are case-insensitive.
- Policy variables (${aws:username}, ${aws:PrincipalTag/team}, ${*}, defaults as ${key, 'value'}) in Resource and
  in string and ARN condition values, for policies of Version 2012-10-17 only (older ones take them literally). A
  variable whose key the request lacks makes its pattern match nothing.

Not implemented: SCPs, RCPs, session policies, VPC endpoint policies, ACLs (none exist in this endpoint).
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

# The phrasings of AWS's enhanced AccessDenied messages ("... is not authorized to perform: ACTION on resource:
# RESOURCE <reason>"), as S3 and the JSON services write them.
IDENTITY_DENY = "with an explicit deny in an identity-based policy"
RESOURCE_DENY = "with an explicit deny in a resource-based policy"
BOUNDARY_DENY = "with an explicit deny in a permissions boundary"
ALLOWED_BY_IDENTITY = "allowed by an identity-based policy"
ALLOWED_BY_RESOURCE = "allowed by a resource-based policy"

VARIABLES_VERSION = "2012-10-17"


def no_identity_allow(action: str) -> str:
    return f"because no identity-based policy allows the {action} action"


def no_boundary_allow(action: str) -> str:
    return f"because no permissions boundary allows the {action} action"


def no_resource_allow(action: str) -> str:
    return f"because no resource-based policy allows the {action} action"


class PolicyError(ValueError):
    """A policy document that is not a JSON object."""


@dataclass
class AuthzRequest:
    """One request to authorize: who (an assumed-role session), what, on which resources, in which context.

    principal_arn: the session ARN, arn:aws:sts::ACCT:assumed-role/ROLE/SESSION. role_arn: the role's own ARN
    (with its path), which resource-based policies may name instead of the session; derived from principal_arn
    (path "/") when left empty. context: the request context keys, e.g. {"aws:SecureTransport": "true"}.
    """

    action: str
    resources: list[str]
    principal_arn: str
    account: str
    context: dict[str, str | list[str]] = field(default_factory=dict)
    role_arn: str = ""


@dataclass(frozen=True)
class Match:
    """A statement that took part in a decision: which policy (its label), which statement, its Sid and Effect."""

    policy: str
    statement: int
    sid: str | None
    effect: str


@dataclass
class Decision:
    """allowed, and why: one of AWS's AccessDenied phrasings when refused (see the constants above).

    resource: the resource the decision is about (the first one refused). matched: the statements that decided
    (the explicit Deny, or the Allows that granted); empty for an implicit deny.
    """

    allowed: bool
    reason: str
    resource: str | None = None
    matched: list[Match] = field(default_factory=list)


# -- documents ------------------------------------------------------------------------------------------
def load_policy(document: Any) -> dict:
    """A policy document as a dict: from a dict, JSON text, JSON bytes, or URL-encoded JSON (as IAM returns it)."""
    if isinstance(document, Mapping):
        return dict(document)
    if isinstance(document, (bytes, bytearray)):
        document = bytes(document).decode("utf-8", "replace")
    if not isinstance(document, str):
        raise PolicyError(f"not a policy document: {type(document).__name__}")
    for text in (document, unquote(document)):
        try:
            value = json.loads(text)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    raise PolicyError("policy document is not a JSON object")


@dataclass
class _Policy:
    label: str
    statements: list[dict]
    variables: bool  # policy variables are substituted (Version 2012-10-17)


def _policy(document: Any, label: str) -> _Policy:
    """A loaded policy; `document` may be a (label, document) pair. Unreadable documents have no statements."""
    if isinstance(document, tuple) and len(document) == 2:
        label, document = document
    try:
        loaded = load_policy(document)
    except PolicyError:
        loaded = {}
    statements = _as_list(loaded.get("Statement"))
    return _Policy(label, [s for s in statements if isinstance(s, Mapping)], loaded.get("Version") == VARIABLES_VERSION)


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


# -- the request context --------------------------------------------------------------------------------
class _Context:
    """Request context keys, looked up case-insensitively; every value a list of strings."""

    def __init__(self, values: Mapping[str, Any] | None):
        self.values: dict[str, list[str]] = {}
        for key, value in (values or {}).items():
            items = value if isinstance(value, (list, tuple, set)) else [value]
            self.values[key.lower()] = [_text(v) for v in items]

    def get(self, key: str) -> list[str] | None:
        return self.values.get(key.lower())

    def single(self, key: str) -> str | None:
        """The key's value when it has exactly one (what a policy variable can stand for)."""
        values = self.get(key)
        return values[0] if values is not None and len(values) == 1 else None


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_NO_CONTEXT = _Context(None)


# -- wildcard patterns ----------------------------------------------------------------------------------
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_SPECIAL_VARIABLES = {"*": "*", "?": "?", "$": "$"}


def _substitute(pattern: str, context: _Context, variables: bool) -> list[tuple[str, bool]] | None:
    """The pattern as (text, literal) pieces: literal pieces came from policy variables and are matched as they
    are, even when they hold * or ?. None when a variable names a key the request lacks (and has no default)."""
    if not variables or "${" not in pattern:
        return [(pattern, False)]
    pieces: list[tuple[str, bool]] = []
    position = 0
    for found in _VARIABLE.finditer(pattern):
        pieces.append((pattern[position:found.start()], False))
        name, _, default = found.group(1).partition(",")
        name = name.strip()
        if name in _SPECIAL_VARIABLES:
            value = _SPECIAL_VARIABLES[name]
        else:
            value = context.single(name)
            if value is None:
                default = default.strip()
                if len(default) >= 2 and default[0] == default[-1] == "'":
                    value = default[1:-1]
                else:
                    return None
        pieces.append((value, True))
        position = found.end()
    pieces.append((pattern[position:], False))
    return pieces


def _regex(pieces: list[tuple[str, bool]], arn_segments: bool) -> str:
    """A regular expression for wildcard pieces. With arn_segments, * and ? do not cross a colon, except a *
    that ends a segment (followed by a colon or the end), which may (IAM User Guide, Resource element)."""
    out = []
    for index, (text, literal) in enumerate(pieces):
        if literal:
            out.append(re.escape(text))
            continue
        for position, char in enumerate(text):
            if char == "*":
                following = text[position + 1:position + 2] or _first_char(pieces[index + 1:])
                ends_segment = following in ("", ":")
                out.append("[^:]*" if arn_segments and not ends_segment else ".*")
            elif char == "?":
                out.append("[^:]" if arn_segments else ".")
            else:
                out.append(re.escape(char))
    return "".join(out)


def _first_char(pieces: list[tuple[str, bool]]) -> str:
    for text, _ in pieces:
        if text:
            return text[0]
    return ""


@functools.lru_cache(maxsize=4096)
def _compiled(regex: str, ignore_case: bool) -> re.Pattern:
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


@functools.lru_cache(maxsize=4096)
def _static(pattern: str, arn_segments: bool, ignore_case: bool) -> re.Pattern:
    """The compiled form of a pattern without policy variables."""
    return _compiled(_regex([(pattern, False)], arn_segments), ignore_case)


def _like(pattern: str, value: str, context: _Context, variables: bool, *, arn_segments: bool = False,
          ignore_case: bool = False) -> bool:
    """Whether `value` matches the wildcard `pattern` (* any run of characters, ? any one), whole."""
    if not variables or "${" not in pattern:
        return _static(pattern, arn_segments, ignore_case).fullmatch(value) is not None
    pieces = _substitute(pattern, context, variables)
    if pieces is None:
        return False
    return _compiled(_regex(pieces, arn_segments), ignore_case).fullmatch(value) is not None


def _action_matches(pattern: str, action: str) -> bool:
    """Action names are case-insensitive; * and ? are wildcards."""
    return isinstance(pattern, str) and _like(pattern, action, _NO_CONTEXT, False, ignore_case=True)


def _resource_matches(pattern: str, resource: str, context: _Context, variables: bool) -> bool:
    if not isinstance(pattern, str):
        return False
    if pattern == "*":
        return True
    return _like(pattern, resource, context, variables, arn_segments=True)


def _arn_like(pattern: str, value: str, context: _Context, variables: bool) -> bool:
    """ArnLike/ArnEquals: each of the six colon-delimited components is matched separately."""
    if pattern == "*":
        return True
    patterns = pattern.split(":", 5)
    values = value.split(":", 5)
    if len(patterns) != 6 or len(values) != 6:
        return False
    return all(_like(p, v, context, variables) for p, v in zip(patterns, values))


# -- conditions -----------------------------------------------------------------------------------------
def _number(text: str) -> float:
    return float(text)


def _date(text: str) -> float:
    """Seconds since the epoch of an ISO 8601 date/time (UTC when it names no zone) or of an epoch number."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


def _compare(parse, test):
    def compare(value: str, expected: str, context: _Context, variables: bool) -> bool:
        try:
            return test(parse(value), parse(expected))
        except (ValueError, TypeError, OverflowError):
            return False
    return compare


def _string(test):
    def compare(value: str, expected: str, context: _Context, variables: bool) -> bool:
        pieces = _substitute(expected, context, variables)
        if pieces is None:
            return False
        return test(value, "".join(text for text, _ in pieces))
    return compare


def _ip(value: str, expected: str, context: _Context, variables: bool) -> bool:
    try:
        return ipaddress.ip_address(value.strip()) in ipaddress.ip_network(expected.strip(), strict=False)
    except ValueError:
        return False


_EQ = _string(lambda a, b: a == b)
_EQ_CI = _string(lambda a, b: a.casefold() == b.casefold())


def _like_value(value: str, expected: str, context: _Context, variables: bool) -> bool:
    return _like(expected, value, context, variables)


def _arn_value(value: str, expected: str, context: _Context, variables: bool) -> bool:
    return _arn_like(expected, value, context, variables)


_BOOL = _string(lambda a, b: a.lower() == b.lower())

# operator: (comparison of one request value with one policy value, negated). A negated operator is true for a
# request value that matches none of the policy's values.
_OPERATORS = {
    "StringEquals": (_EQ, False), "StringNotEquals": (_EQ, True),
    "StringEqualsIgnoreCase": (_EQ_CI, False), "StringNotEqualsIgnoreCase": (_EQ_CI, True),
    "StringLike": (_like_value, False), "StringNotLike": (_like_value, True),
    "NumericEquals": (_compare(_number, lambda a, b: a == b), False),
    "NumericNotEquals": (_compare(_number, lambda a, b: a == b), True),
    "NumericLessThan": (_compare(_number, lambda a, b: a < b), False),
    "NumericLessThanEquals": (_compare(_number, lambda a, b: a <= b), False),
    "NumericGreaterThan": (_compare(_number, lambda a, b: a > b), False),
    "NumericGreaterThanEquals": (_compare(_number, lambda a, b: a >= b), False),
    "DateEquals": (_compare(_date, lambda a, b: a == b), False),
    "DateNotEquals": (_compare(_date, lambda a, b: a == b), True),
    "DateLessThan": (_compare(_date, lambda a, b: a < b), False),
    "DateLessThanEquals": (_compare(_date, lambda a, b: a <= b), False),
    "DateGreaterThan": (_compare(_date, lambda a, b: a > b), False),
    "DateGreaterThanEquals": (_compare(_date, lambda a, b: a >= b), False),
    "Bool": (_BOOL, False),
    "BinaryEquals": (_EQ, False),
    "IpAddress": (_ip, False), "NotIpAddress": (_ip, True),
    "ArnEquals": (_arn_value, False), "ArnLike": (_arn_value, False),
    "ArnNotEquals": (_arn_value, True), "ArnNotLike": (_arn_value, True),
}
_QUALIFIERS = ("", "foranyvalue", "forallvalues")


def conditions_met(block: Any, context: Mapping[str, Any] | _Context, variables: bool = True) -> bool:
    """Whether a statement's Condition block holds in the request context (every operator and key: AND)."""
    if block is None:
        return True
    if not isinstance(block, Mapping):
        return False
    context = context if isinstance(context, _Context) else _Context(context)
    for operator, entries in block.items():
        if not isinstance(operator, str) or not isinstance(entries, Mapping):
            return False
        for key, expected in entries.items():
            if not _condition(operator, key, [_text(v) for v in _as_list(expected)], context, variables):
                return False
    return True


def _condition(operator: str, key: str, expected: list[str], context: _Context, variables: bool) -> bool:
    qualifier, _, name = operator.rpartition(":")
    qualifier = qualifier.lower()
    if qualifier not in _QUALIFIERS:
        return False
    values = context.get(key)
    if name == "Null":
        # true: the key is absent; false: it is present. Several values: any of them.
        return any((v.lower() == "true") == (values is None) for v in expected)
    if_exists = name.endswith("IfExists")
    spec = _OPERATORS.get(name[:-len("IfExists")] if if_exists else name)
    if spec is None:  # an operator IAM would have refused: the condition cannot hold
        return False
    compare, negated = spec
    if values is None:
        if if_exists:
            return True
        if qualifier == "forallvalues":
            return True
        if qualifier == "foranyvalue":
            return False
        return negated
    per_value = []
    for value in values:
        matched = any(compare(value, e, context, variables) for e in expected)
        per_value.append(not matched if negated else matched)
    if qualifier == "forallvalues":
        return all(per_value)
    if qualifier == "foranyvalue":
        return any(per_value)
    # A key with several values and no qualifier: a positive operator needs one value to match, a negated one
    # needs none to match.
    return all(per_value) if negated else any(per_value)


# -- principals -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Who:
    """The requester as a Principal element can name it."""

    session_arn: str = ""
    role_arn: str = ""
    account: str = ""
    partition: str = "aws"
    service: str = ""

    @property
    def layers(self) -> tuple[str, ...]:
        """What a NotPrincipal must list to exclude this requester (see _principal_applies)."""
        if self.service:
            return ("service",)
        return ("session", "role", "account")


_ASSUMED_ROLE = re.compile(r"^arn:([\w-]+):sts::(\d{12}):assumed-role/([^/]+)/(.+)$")


def _who(request: AuthzRequest) -> _Who:
    found = _ASSUMED_ROLE.match(request.principal_arn)
    partition = found.group(1) if found else "aws"
    role_arn = request.role_arn
    if not role_arn and found:
        role_arn = f"arn:{partition}:iam::{found.group(2)}:role/{found.group(3)}"
    return _Who(session_arn=request.principal_arn, role_arn=role_arn, account=request.account, partition=partition)


def _named(element: Any, who: _Who) -> set[str]:
    """Which of the requester's identities a Principal/NotPrincipal element names: everyone, session, role,
    account or service. Principals take no wildcards but a lone "*"."""
    if element == "*":
        return {"everyone"}
    if not isinstance(element, Mapping):
        return set()
    named = set()
    for kind, values in element.items():
        for value in _as_list(values):
            if not isinstance(value, str):
                continue
            if kind == "AWS" and not who.service:
                if value == "*":
                    named.add("everyone")
                elif value == who.session_arn:
                    named.add("session")
                elif value == who.role_arn:
                    named.add("role")
                elif value in (who.account, f"arn:{who.partition}:iam::{who.account}:root"):
                    named.add("account")
            elif kind == "Service" and who.service and value.lower() == who.service.lower():
                named.add("service")
    return named


def _principal_applies(statement: Mapping, who: _Who, boundary_present: bool) -> set[str] | None:
    """The identities through which a resource-based statement applies to the requester, or None.

    NotPrincipal applies to everyone it does not exclude; it excludes a role session only when it lists the
    session, the role and the account (AWS may check each of them: IAM User Guide, NotPrincipal), and never a
    principal with a permissions boundary from a Deny (IAM User Guide, permissions boundaries: "The NotPrincipal
    element with a Deny effect will always deny any IAM principal that has a permissions boundary policy").
    """
    if "Principal" in statement:
        named = _named(statement["Principal"], who)
        return named or None
    if "NotPrincipal" in statement:
        named = _named(statement["NotPrincipal"], who)
        excluded = "everyone" in named or all(layer in named for layer in who.layers)
        boundary_quirk = boundary_present and not who.service and statement.get("Effect") == "Deny"
        if excluded and not boundary_quirk:
            return None
        return {"not-principal"}
    return None  # a resource-based statement without a principal applies to no one


# -- statements -----------------------------------------------------------------------------------------
def _applies(statement: Mapping, action: str, resource: str | None, context: _Context, variables: bool) -> bool:
    """Action/NotAction, Resource/NotResource and Condition: whether the statement covers this request."""
    if "Action" in statement:
        if not any(_action_matches(p, action) for p in _as_list(statement["Action"])):
            return False
    elif "NotAction" in statement:
        if any(_action_matches(p, action) for p in _as_list(statement["NotAction"])):
            return False
    else:
        return False
    if resource is not None:
        if "Resource" in statement:
            if not any(_resource_matches(p, resource, context, variables) for p in _as_list(statement["Resource"])):
                return False
        elif "NotResource" in statement and any(
                _resource_matches(p, resource, context, variables) for p in _as_list(statement["NotResource"])):
            return False
    return conditions_met(statement.get("Condition"), context, variables)


def _effect(statement: Mapping) -> str | None:
    effect = statement.get("Effect")
    return effect if effect in ("Allow", "Deny") else None


def _scan(policies: Iterable[_Policy], action: str, resource: str,
          context: _Context) -> tuple[list[Match], list[Match]]:
    """(Allow matches, Deny matches) of identity-based policies (and boundaries) for one resource."""
    allows, denies = [], []
    for policy in policies:
        for index, statement in enumerate(policy.statements):
            effect = _effect(statement)
            if effect and _applies(statement, action, resource, context, policy.variables):
                match = Match(policy.label, index, statement.get("Sid"), effect)
                (allows if effect == "Allow" else denies).append(match)
    return allows, denies


def _scan_resource_policy(policy: _Policy | None, action: str, resource: str, context: _Context, who: _Who,
                          boundary_present: bool) -> tuple[list[tuple[Match, set[str]]], list[Match]]:
    """(Allow matches with the identities they name, Deny matches) of a resource-based policy."""
    allows, denies = [], []
    if policy is None:
        return allows, denies
    for index, statement in enumerate(policy.statements):
        effect = _effect(statement)
        if not effect:
            continue
        named = _principal_applies(statement, who, boundary_present)
        if named is None or not _applies(statement, action, resource, context, policy.variables):
            continue
        match = Match(policy.label, index, statement.get("Sid"), effect)
        if effect == "Deny":
            denies.append(match)
        else:
            allows.append((match, named))
    return allows, denies


# -- evaluation -----------------------------------------------------------------------------------------
def evaluate(request: AuthzRequest, identity_policies: Iterable[Any], boundary: Any = None,
             resource_policy: Any = None, *, resource_account: str | None = None) -> Decision:
    """Whether an assumed-role session may perform request.action on every one of request.resources.

    identity_policies: the role's policies (documents, or (label, document) pairs for the Decision's matches).
    boundary: the permissions boundary document, None when the role has none. resource_policy: the resource's
    policy (a bucket policy...) or None. resource_account: the account owning the resource, when it may differ
    from the requester's (a cross-account request needs both an identity-based and a resource-based Allow).
    Each resource is decided on its own; the first one refused decides the request.
    """
    context = _Context(request.context)
    who = _who(request)
    identity = [_policy(p, f"identity-based policy {i + 1}") for i, p in enumerate(identity_policies)]
    boundary_policy = _policy(boundary, "permissions boundary") if boundary is not None else None
    resource_based = _policy(resource_policy, "resource-based policy") if resource_policy is not None else None
    cross_account = resource_account is not None and resource_account != request.account
    decision = Decision(True, ALLOWED_BY_IDENTITY)
    for resource in request.resources or ["*"]:
        decision = _decide(request.action, resource, context, who, identity, boundary_policy, resource_based,
                           cross_account)
        if not decision.allowed:
            return decision
    return decision


def _decide(action: str, resource: str, context: _Context, who: _Who, identity: list[_Policy],
            boundary: _Policy | None, resource_based: _Policy | None, cross_account: bool) -> Decision:
    identity_allows, identity_denies = _scan(identity, action, resource, context)
    boundary_allows, boundary_denies = _scan([boundary] if boundary else [], action, resource, context)
    resource_allows, resource_denies = _scan_resource_policy(resource_based, action, resource, context, who,
                                                             boundary is not None)
    # 1. An explicit Deny in any policy.
    if identity_denies:
        return Decision(False, IDENTITY_DENY, resource, identity_denies)
    if boundary_denies:
        return Decision(False, BOUNDARY_DENY, resource, boundary_denies)
    if resource_denies:
        return Decision(False, RESOURCE_DENY, resource, resource_denies)

    within_boundary = boundary is None or bool(boundary_allows)
    if cross_account:
        # Both sides must allow; any principal the resource policy names (the account too) counts.
        if not identity_allows:
            return Decision(False, no_identity_allow(action), resource)
        if not within_boundary:
            return Decision(False, no_boundary_allow(action), resource)
        if not resource_allows:
            return Decision(False, no_resource_allow(action), resource)
        return Decision(True, ALLOWED_BY_IDENTITY, resource, identity_allows + [m for m, _ in resource_allows])

    # 2. Same account, resource-based policy: a grant to the session (or to everyone) is final; a grant to the
    # role ARN is limited by the boundary; a grant to the account only delegates to the identity policies.
    direct = [m for m, named in resource_allows if named & {"session", "everyone", "not-principal"}]
    if direct:
        return Decision(True, ALLOWED_BY_RESOURCE, resource, direct)
    to_role = [m for m, named in resource_allows if "role" in named]
    if to_role:
        if within_boundary:
            return Decision(True, ALLOWED_BY_RESOURCE, resource, to_role)
        return Decision(False, no_boundary_allow(action), resource)
    # 3. Identity-based policies, then the permissions boundary.
    if not identity_allows:
        return Decision(False, no_identity_allow(action), resource)
    if not within_boundary:
        return Decision(False, no_boundary_allow(action), resource)
    return Decision(True, ALLOWED_BY_IDENTITY, resource, identity_allows)


def trust_allows(document: Any, service_principal: str, action: str = "sts:AssumeRole",
                 context: Mapping[str, Any] | None = None) -> bool:
    """Whether a role's trust policy lets an AWS service principal (amplify.amazonaws.com) perform `action`.

    The statement must name the service in Principal (or "*", or leave it out of a NotPrincipal), cover the
    action, and its conditions must hold in `context` (aws:SourceAccount, aws:SourceArn...). An explicit Deny
    wins. An unreadable document allows nothing.
    """
    return _trust_allows(document, _Who(service=service_principal), action, context)


def trust_allows_principal(document: Any, principal_arn: str, account: str, *, role_arn: str = "",
                           action: str = "sts:AssumeRole", context: Mapping[str, Any] | None = None) -> bool:
    """Whether a role's trust policy lets an AWS principal (a root user, an IAM user, an assumed-role session)
    perform `action`: a statement naming the principal's ARN, its role's ARN (`role_arn`, for a session), its account
    (the id or arn:<partition>:iam::<account>:root) or "*", covering the action, whose conditions hold in `context`
    (sts:ExternalId, aws:PrincipalAccount...). An explicit Deny wins. An unreadable document allows nothing.
    """
    found = re.match(r"^arn:([\w-]+):", principal_arn)
    who = _Who(session_arn=principal_arn, role_arn=role_arn, account=account,
               partition=found.group(1) if found else "aws")
    return _trust_allows(document, who, action, context)


def _trust_allows(document: Any, who: _Who, action: str, context: Mapping[str, Any] | None) -> bool:
    try:
        policy = _policy(load_policy(document), "trust policy")
    except PolicyError:
        return False
    values = _Context(context)
    allowed = False
    for statement in policy.statements:
        effect = _effect(statement)
        if not effect or _principal_applies(statement, who, False) is None:
            continue
        if not _applies(statement, action, None, values, policy.variables):
            continue
        if effect == "Deny":
            return False
        allowed = True
    return allowed
