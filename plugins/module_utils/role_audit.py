# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Least privilege, proved: a compute role compared with what was asked for, every excess named.

``audit(role, inline_policies, attached_policies, expected)`` judges what IAM returned for a role (GetRole,
GetRolePolicy for each of ListRolePolicies, ListAttachedRolePolicies) against ``expected``:

- ``trust_conditions``: the conditions every statement trusting Amplify must carry ({} for none). Any Allow
  statement of the trust policy naming another principal, or an action other than ``sts:AssumeRole`` (or
  using NotPrincipal / NotAction) is an excess; Deny statements only take away, and are not judged.
- ``inline_policies``: {name: document} the role may hold, and no other. Each document is compared
  statement by statement, each Allow statement taken apart into its (action, resource, condition) triples:
  a triple the role has and the document does not is an excess; one the document has and the role lacks is
  missing. Actions compare without case (IAM's rule), resources and conditions exactly; no wildcard is read
  as covering anything but itself, so ``s3:Get*`` where ``s3:GetObject`` was asked is an excess.
- ``managed_policies``: the managed policies (ARNs or names) the role may have attached, and no other.
- ``permissions_boundary``: the boundary's ARN, "" for none, None for not judged.

Each finding is {"kind", "excess", "message"}: ``excess`` is True where the role can do more than asked, False
where it lacks something asked for (the app may then fail, but no privilege is exceeded).
"""

import json

from urllib.parse import unquote

from ansible_collections.amplify_hosting.ssr.plugins.module_utils.grants import AMPLIFY_PRINCIPAL

ASSUME_ROLE = "sts:assumerole"


def as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def policy_document(value):
    """A policy document from IAM (a dict, or JSON that may be URL-encoded, as IAM's API returns it)."""
    if isinstance(value, dict):
        return value
    text = str(value or "")
    try:
        return json.loads(text)
    except ValueError:
        return json.loads(unquote(text))


def compact(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _finding(kind, excess, message):
    return {"kind": kind, "excess": excess, "message": message}


# -- the trust policy ---------------------------------------------------------------------------------------


def _condition_values(condition, key):
    """The values the Condition block requires of the condition key, one set per operator (any operator but a
    negated one, such as StringNotEquals; keys compare without case)."""
    values = []
    for operator, operands in (condition or {}).items():
        if isinstance(operands, dict) and "Not" not in str(operator):
            for name, value in operands.items():
                if name.lower() == key.lower():
                    values.append({str(v) for v in as_list(value)})
    return values


def audit_trust(document, conditions, label):
    findings, trusting = [], []
    for index, statement in enumerate(as_list(document.get("Statement"))):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        where = "%s: trust policy statement %d" % (label, index + 1)
        for key in ("NotPrincipal", "NotAction"):
            if key in statement:
                findings.append(_finding("trust", True, "%s: Allow with %s %s lets more than amplify.amazonaws.com"
                                         " sts:AssumeRole" % (where, key, compact(statement[key]))))
        principal = statement.get("Principal")
        principals = ([("*", "*")] if principal == "*" else
                      [(kind, str(v)) for kind, values in (principal or {}).items() for v in as_list(values)]
                      if isinstance(principal, dict) else [])
        others = [p for p in principals if p != ("Service", AMPLIFY_PRINCIPAL)]
        if others:
            findings.append(_finding("trust", True, "%s: trusts %s besides amplify.amazonaws.com"
                                     % (where, ", ".join("%s %s" % p for p in others))))
        actions = [str(a) for a in as_list(statement.get("Action"))]
        extra = [a for a in actions if a.lower() != ASSUME_ROLE]
        if extra:
            findings.append(_finding("trust", True, "%s: allows %s besides sts:AssumeRole" % (where, ", ".join(extra))))
        if ("Service", AMPLIFY_PRINCIPAL) in principals or principal == "*":
            if any(a.lower() in (ASSUME_ROLE, "sts:*", "*") for a in actions):
                trusting.append((where, statement.get("Condition") or {}))
    if not trusting:
        findings.append(_finding("trust", False, "%s: its trust policy does not allow amplify.amazonaws.com to"
                                 " sts:AssumeRole" % label))
    for where, condition in trusting:
        for operator, operands in sorted((conditions or {}).items()):
            for key, value in sorted(operands.items()):
                # A list of values ([ours, another]) lets each: only exactly the value asked for restricts.
                if {str(value)} not in _condition_values(condition, key):
                    findings.append(_finding("trust", True, "%s: lets amplify.amazonaws.com assume the role without"
                                             " the condition %s %s = %s" % (where, operator, key, value)))
    return findings


# -- permissions: inline policies -----------------------------------------------------------------------------


def _condition_form(condition):
    """A Condition block in one form: a list of one value is that value (IAM reads both alike), several values
    sorted (their order does not count)."""
    if not isinstance(condition, dict):
        return condition
    return {operator: {key: (value[0] if len(value) == 1 else sorted(value, key=str))
                       if isinstance(value, list) else value for key, value in operands.items()}
            if isinstance(operands, dict) else operands for operator, operands in condition.items()}


def statement_triples(statement):
    """{key: triple}: the (effect, action, resource, condition) triples of a statement, keyed by their comparable
    form (the action without case); a statement with NotAction / NotResource / Principal stays whole (it cannot
    be taken apart into triples)."""
    condition = compact(_condition_form(statement.get("Condition") or {}))
    if any(key in statement for key in ("NotAction", "NotResource", "Principal", "NotPrincipal")):
        whole = compact({k: v for k, v in statement.items() if k != "Sid"})
        return {("whole", whole, "", ""): ("whole", whole, "", "")}
    triples = {}
    for action in as_list(statement.get("Action")):
        for resource in as_list(statement.get("Resource")):
            triple = (statement.get("Effect", ""), str(action), str(resource), condition)
            triples[(triple[0], triple[1].lower(), triple[2], condition)] = triple
    return triples


def policy_triples(document):
    triples = {}
    for statement in as_list((document or {}).get("Statement")):
        if isinstance(statement, dict):
            triples.update(statement_triples(statement))
    return triples


def describe_triple(triple):
    effect, action, resource, condition = triple
    if effect == "whole":
        return "the statement %s" % action
    text = "%s %s on %s" % (effect, action, resource)
    return text + (" if %s" % condition if condition != "{}" else "")


def audit_inline(found, expected, label):
    """found, expected: {name: document}."""
    findings = []
    for name in sorted(found):
        if name not in expected:
            findings.append(_finding("inline_policy", True, "%s: inline policy %s is not one asked for (%s)"
                                     % (label, name, compact(found[name]))))
            continue
        have, want = policy_triples(found[name]), policy_triples(expected[name])
        for key in sorted(set(have) - set(want)):
            triple = have[key]
            # A Deny only takes away: one the role has beyond the asked-for document is no excess.
            deny = triple[0] == "Deny" or (triple[0] == "whole" and json.loads(triple[1]).get("Effect") == "Deny")
            excess = not deny
            findings.append(_finding("statement", excess, "%s: inline policy %s: %s is beyond what is asked for"
                                     % (label, name, describe_triple(triple))))
        for key in sorted(set(want) - set(have)):
            triple = want[key]
            findings.append(_finding("statement", False, "%s: inline policy %s: %s is missing"
                                     % (label, name, describe_triple(triple))))
    for name in sorted(set(expected) - set(found)):
        findings.append(_finding("inline_policy", False, "%s: inline policy %s is missing" % (label, name)))
    return findings


# -- permissions: managed policies and the boundary -------------------------------------------------------------


def _declares(declared, attached):
    return attached.get("PolicyArn") in declared or attached.get("PolicyName") in declared


def audit_managed(attached, declared, label):
    findings = []
    for policy in sorted(attached, key=lambda p: p.get("PolicyArn", "")):
        if not _declares(declared, policy):
            findings.append(_finding("managed_policy", True, "%s: managed policy %s is attached and not asked for"
                                     % (label, policy.get("PolicyArn"))))
    for name in declared:
        if not any(name in (p.get("PolicyArn"), p.get("PolicyName")) for p in attached):
            findings.append(_finding("managed_policy", False, "%s: managed policy %s is not attached" % (label, name)))
    return findings


def audit_boundary(role, wanted, label):
    if wanted is None:
        return []
    found = ((role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")) or ""
    if found == wanted:
        return []
    if not found:
        return [_finding("boundary", True, "%s: has no permissions boundary, expected %s" % (label, wanted))]
    if not wanted:
        return [_finding("boundary", False, "%s: has the permissions boundary %s, expected none" % (label, found))]
    return [_finding("boundary", True, "%s: has the permissions boundary %s, expected %s" % (label, found, wanted))]


def audit(role, inline_policies, attached_policies, expected):
    """Every finding on the role (a GetRole Role), in the order trust, inline, managed, boundary."""
    label = "IAM role %s" % role.get("RoleName")
    trust = policy_document(role.get("AssumeRolePolicyDocument"))
    found = {name: policy_document(document) for name, document in inline_policies.items()}
    return (audit_trust(trust, expected.get("trust_conditions") or {}, label)
            + audit_inline(found, expected.get("inline_policies") or {}, label)
            + audit_managed(attached_policies, expected.get("managed_policies") or [], label)
            + audit_boundary(role, expected.get("permissions_boundary"), label))
