#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the amplify_hosting.ssr collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: compute_role_audit
version_added: 0.1.0
short_description: Prove that an Amplify Hosting compute role grants no more than asked for
description:
  - Reads an IAM role (its trust policy, inline policies, attached managed policies and permissions boundary)
    and compares it with what it should be, naming each excess and each lack in RV(findings).
  - Works on any role, made by this collection or not. For a role made by the C(amplify_hosting.ssr.iam_compute_role)
    role, give the same O(grants), O(managed_policies), O(permissions_boundary), O(source_account) and
    O(source_arn); the inline policy expected is then the one that role writes (the same generator).
  - Excess (RV(excess)) is what lets the role do more than asked, which least privilege forbids. In the trust
    policy, an Allow statement naming a principal other than the service C(amplify.amazonaws.com), an action
    other than C(sts:AssumeRole), C(NotPrincipal) or C(NotAction), or trusting Amplify without an asked-for
    condition. In the permissions, an inline policy not asked for; in an asked-for inline policy, any Allow of
    an action on a resource (under a condition) the expected document does not have; a managed policy attached
    and not asked for; a permissions boundary missing or replaced.
  - Missing (RV(missing)) is what was asked for and is not there (the app may fail, but no privilege is
    exceeded); a boundary found where none was asked for is reported here too.
  - Statements are compared action by action and resource by resource. Actions compare without case, as IAM
    does; resources and conditions exactly. A wildcard covers only itself here, so C(s3:Get*) where
    C(s3:GetObject) was asked for is an excess.
  - Read-only; check mode returns the same as a normal run.
author:
  - amplify_hosting.ssr contributors (@amplify-hosting)
options:
  role:
    description:
      - The IAM role, by name or ARN. With an ARN, a role with that name and another ARN (another path or
        account) fails.
    type: str
    required: true
  grants:
    description:
      - The grants the role should have, as the C(iam_compute_role_grants) of the
        C(amplify_hosting.ssr.iam_compute_role) role. They are expected as one inline policy named
        O(grants_policy_name), made in the role's partition and, for grants outside S3 that name no region or
        account of their own, in the module's O(region) and the role's account.
      - Each grant is a mapping whose C(kind) says what it grants. V(s3) (the default) - C(bucket), C(prefix)
        (no wildcard; V("") the whole bucket), C(access) V(read) (C(s3:GetObject) on C(<bucket>/<prefix>*)) or
        V(list) (also C(s3:ListBucket) under the C(s3:prefix) condition). V(ssm_parameter) - C(name) (one
        parameter) or C(path) (every parameter under it, and C(ssm:GetParametersByPath) on the path),
        C(kms_key) (a customer managed key for SecureString parameters, C(kms:Decrypt) through SSM only).
        V(secret) - C(name) (its ARN with the C(-??????) suffix Secrets Manager appends), C(kms_key).
        V(dynamodb_table) - C(table), C(access) V(read) or V(read_write) (on the table, and C(Query)/C(Scan)
        on its indexes). V(statement) - C(statement), a policy statement of your own (C(Action) and
        C(Resource) required; C(*) on C(*) refused unless C(allow_wildcard=true)). The kinds outside S3 also
        take C(region) and C(account).
      - Statements with the same effect, actions and condition are one statement with their resources.
      - Empty (the default) expects no such inline policy.
    type: list
    elements: dict
    default: []
  grants_policy_name:
    description: The name of the inline policy holding O(grants). Default C(<role name>-grants), the name the
      iam_compute_role role gives it.
    type: str
  inline_policies:
    description:
      - Other inline policies the role should have, by name, each the policy document (a mapping, or JSON text).
      - Any inline policy of the role that is neither here nor O(grants_policy_name) is an excess.
    type: dict
    default: {}
  managed_policies:
    description:
      - The managed policies the role may have attached, by ARN or name. Any other attached one is an excess.
    type: list
    elements: str
    default: []
  permissions_boundary:
    description:
      - The ARN of the managed policy the role should have as permissions boundary, or V("") for none.
      - Not given, the boundary is not judged.
    type: str
  source_account:
    description:
      - The account id every trust statement allowing Amplify must require with the condition key
        C(aws:SourceAccount). V("") (the default) asks for no such condition.
    type: str
    default: ""
  source_arn:
    description:
      - The Amplify app ARN (wildcards allowed) every trust statement allowing Amplify must require with the
        condition key C(aws:SourceArn). V("") (the default) asks for no such condition.
    type: str
    default: ""
  fail_on:
    description:
      - V(any) fails when there is any finding, V(excess) only when there is an excess, V(never) returns the
        findings and does not fail (a missing role is then a finding too).
    type: str
    choices: [any, excess, never]
    default: any
notes:
  - Needs C(iam:GetRole), C(iam:ListRolePolicies), C(iam:GetRolePolicy) and C(iam:ListAttachedRolePolicies) on
    the role.
  - Every input is checked before the first call; a failure names the option.
  - Throttling and 5xx answers are retried by botocore in standard mode (10 tries per call unless
    O(aws_config) says otherwise), as in the collection's other modules.
seealso:
  - module: amazon.aws.iam_role_info
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amplify_hosting.ssr.boto3
"""

EXAMPLES = r"""
- name: Prove that the dev compute role can only read its bucket
  amplify_hosting.ssr.compute_role_audit:
    role: compute-role-demo-dev-compute
    grants:
      - bucket: compute-role-demo-dev-private
    permissions_boundary: ""

- name: Audit a role made by hand, with its own inline policy, and list what it has too much of
  amplify_hosting.ssr.compute_role_audit:
    role: arn:aws:iam::123456789012:role/service-role/my-ssr-role
    inline_policies:
      read-config:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: ssm:GetParameter
            Resource: arn:aws:ssm:eu-west-1:123456789012:parameter/my-app/*
    managed_policies: [AmazonDynamoDBReadOnlyAccess]
    fail_on: never
  register: audit

- name: Show the excess
  ansible.builtin.debug:
    msg: "{{ audit.excess }}"
"""

RETURN = r"""
exists:
  description: Whether the role exists (a missing role fails unless O(fail_on=never)).
  returned: always
  type: bool
  sample: true
role_arn:
  description: The role's ARN; V("") when it does not exist.
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:role/compute-role-demo-dev-compute
compliant:
  description: Whether the role is exactly what was asked for (no finding).
  returned: always
  type: bool
  sample: false
findings:
  description: Every finding, trust policy first, then inline policies, managed policies and the boundary.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: V(role), V(trust), V(inline_policy), V(statement), V(managed_policy) or V(boundary).
      type: str
      sample: statement
    excess:
      description: Whether the finding lets the role do more than asked.
      type: bool
      sample: true
    message:
      description: The finding in words, naming the role and the policy.
      type: str
      sample: "IAM role compute-role-demo-dev-compute: inline policy compute-role-demo-dev-compute-grants: Allow s3:* on * is beyond what is asked for"
excess:
  description: The messages of the findings that are an excess.
  returned: always
  type: list
  elements: str
  sample: ["IAM role compute-role-demo-dev-compute: inline policy extra is not one asked for ({...})"]
missing:
  description: The messages of the findings that are something asked for and not there.
  returned: always
  type: list
  elements: str
  sample: []
expected:
  description: What the role was compared with.
  returned: always
  type: dict
  contains:
    trust_conditions:
      description: The conditions each trust statement allowing Amplify must carry.
      type: dict
      sample: {}
    inline_policies:
      description: The inline policies expected, by name (the grants' policy included).
      type: dict
      sample: {"compute-role-demo-dev-compute-grants": {"Version": "2012-10-17", "Statement": []}}
    managed_policies:
      description: The managed policies that may be attached.
      type: list
      elements: str
      sample: []
    permissions_boundary:
      description: The boundary expected (V("") for none); null when not judged.
      type: str
      sample: ""
found:
  description: What the role has; empty when it does not exist.
  returned: always
  type: dict
  contains:
    trust_policy:
      description: The trust policy.
      type: dict
      sample: {"Version": "2012-10-17", "Statement": []}
    inline_policies:
      description: The inline policies, by name.
      type: dict
      sample: {}
    managed_policies:
      description: The ARNs of the attached managed policies.
      type: list
      elements: str
      sample: []
    permissions_boundary:
      description: The boundary's ARN, V("") for none.
      type: str
      sample: ""
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.iam import validate_iam_identifiers
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.amplify_hosting.ssr.plugins.module_utils import grants as grants_utils
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import MINIMUM_BOTOCORE
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.amplify import AmplifyError
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.compute_roles import ComputeRoleRef
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.compute_roles import parse_role_arn
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.compute_roles import read_role_policies
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.inputs import check
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.retry import client as aws_client
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.role_audit import audit
from ansible_collections.amplify_hosting.ssr.plugins.module_utils.role_audit import policy_document


def _inline_documents(value):
    """The inline_policies option, each document parsed; problems named inline_policies.NAME."""
    documents, problems = {}, []
    for name, document in value.items():
        where = "inline_policies.%s" % name
        problem = validate_iam_identifiers("policy", name=name)
        if problem:
            problems.append("%s: %r is not an IAM policy name (%s)" % (where, name, problem))
        if isinstance(document, str):
            try:
                document = json.loads(document)
            except ValueError as e:
                problems.append("%s: not JSON (%s)" % (where, e))
                continue
        if not isinstance(document, dict) or "Statement" not in document:
            problems.append("%s: must be a policy document (a mapping with Statement)" % where)
            continue
        documents[name] = document
    return documents, problems


def check_params(params, region=None):
    """(ComputeRoleRef, inline documents): every input checked before a call, failures naming the option."""
    try:
        ref = ComputeRoleRef(params["role"], "role")
    except AmplifyError as e:
        raise AmplifyError(e.message) from None
    documents, problems = _inline_documents(params["inline_policies"])
    problems += grants_utils.grant_problems(params["grants"], "grants", region, region_option="the region option")
    problems += grants_utils.managed_policy_problems(params["managed_policies"], "managed_policies")
    if params["permissions_boundary"] is not None:
        problems += grants_utils.policy_arn_problems(params["permissions_boundary"], "permissions_boundary",
                                                     allow_empty=True)
    problems += grants_utils.trust_condition_problems(params["source_account"], params["source_arn"],
                                                      "source_account", "source_arn")
    name = params["grants_policy_name"]
    if name is not None and validate_iam_identifiers("policy", name=name):
        problems.append("grants_policy_name: %r is not an IAM policy name" % name)
    if params["grants"] and (name or grants_utils.grants_policy_name(ref.name)) in documents:
        problems.append("inline_policies: holds %s, the name of the grants' policy (grants_policy_name)"
                        % (name or grants_utils.grants_policy_name(ref.name)))
    check(problems)
    return ref, documents


def expectation(params, ref, documents, role_arn, region=None):
    """What the role should be. The grants' policy is made in the role's partition; grants outside S3 in
    `region` and the role's account unless they name their own."""
    inline = dict(documents)
    if params["grants"]:
        partition, account = (parse_role_arn(role_arn) or ("aws", None))[:2]
        name = params["grants_policy_name"] or grants_utils.grants_policy_name(ref.name)
        inline[name] = grants_utils.grants_policy(params["grants"], partition, region, account)
    return {
        "trust_conditions": grants_utils.trust_conditions(params["source_account"], params["source_arn"]),
        "inline_policies": inline,
        "managed_policies": list(params["managed_policies"]),
        "permissions_boundary": params["permissions_boundary"],
    }


def run(params, iam, ref, documents, region=None):
    role, inline, attached = read_role_policies(iam, ref.name)
    if role is None:
        finding = {"kind": "role", "excess": False, "message": ref.missing()}
        return dict(exists=False, role_arn="", compliant=False, findings=[finding], excess=[], missing=[finding["message"]],
                    expected=expectation(params, ref, documents, ref.arn or "", region), found={})
    if ref.arn and role["Arn"] != ref.arn:
        raise AmplifyError(ref.problem(role))
    expected = expectation(params, ref, documents, role["Arn"], region)
    findings = audit(role, inline, attached, expected)
    return dict(
        exists=True,
        role_arn=role["Arn"],
        compliant=not findings,
        findings=findings,
        excess=[f["message"] for f in findings if f["excess"]],
        missing=[f["message"] for f in findings if not f["excess"]],
        expected=expected,
        found={
            "trust_policy": policy_document(role.get("AssumeRolePolicyDocument")),
            "inline_policies": inline,
            "managed_policies": [p.get("PolicyArn") for p in attached],
            "permissions_boundary": (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn") or "",
        },
    )


def main():
    argument_spec = dict(
        role=dict(type="str", required=True),
        # Each grant's keys depend on its kind: checked by grant_problems (module_utils/grants.py).
        grants=dict(type="list", elements="dict", default=[]),
        grants_policy_name=dict(type="str"),
        inline_policies=dict(type="dict", default={}),
        managed_policies=dict(type="list", elements="str", default=[]),
        permissions_boundary=dict(type="str"),
        source_account=dict(type="str", default=""),
        source_arn=dict(type="str", default=""),
        fail_on=dict(type="str", choices=["any", "excess", "never"], default="any"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    module.require_botocore_at_least(MINIMUM_BOTOCORE, reason="by every module of this collection")
    try:
        # Every input is checked before the client is made (no call with a bad option).
        ref, documents = check_params(module.params, module.region)
        result = run(module.params, aws_client(module, "iam"), ref, documents, module.region)
    except AmplifyError as e:
        module.fail_json_aws_error(e)

    fail_on = module.params["fail_on"]
    failing = result["findings"] if fail_on == "any" else [f for f in result["findings"] if f["excess"]] if fail_on == "excess" else []
    if failing or (fail_on != "never" and not result["exists"]):
        messages = [f["message"] for f in (failing or result["findings"])]
        module.fail_json(msg="%d finding(s): %s" % (len(messages), "; ".join(messages)), **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
