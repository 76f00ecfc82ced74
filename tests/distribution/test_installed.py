# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The built tarball installed into a fresh collections path, its playbooks run by name against the local
endpoint: `ansible-playbook amplify_hosting.ssr.site`, `.verify` and `.teardown`, from a project directory
outside the repository with a copy of inventories/local, as a user of the installed collection runs them.

With DISTRIBUTION_BIN (make distribution-tests), every ansible command comes from a fresh venv holding only
`pip install ansible` and the collection's Python requirements (meta/ee-requirements.txt: boto3, botocore), not
this repository's test venv: amazon.aws and community.aws are the ansible package's own.
"""

import json
import os
import shutil
import tarfile

import boto3
import pytest
from conftest import ROOT, USER_BIN as BIN, run, user_env
from local_aws.control import Control
from packaging.specifiers import SpecifierSet

APP_NAME = "compute-role-demo"
OWNERSHIP = {"managed-by": "amplify_hosting.ssr", "environment": "dev"}
ROLE, BUCKET = "%s-dev-compute" % APP_NAME, "%s-dev-private" % APP_NAME
LOGS_ROLE = "%s-us-east-1-logs" % APP_NAME  # the app's CloudWatch Logs service role (site.yml, logs_role)
MODULES = ["amplify_role", "app", "app_info", "branch", "branch_info", "compute_log_info", "compute_role",
           "compute_role_audit", "dynamodb_items", "job", "runtime_resources_info", "runtime_resources_plan", "s3_empty", "s3_upload"]


@pytest.fixture(scope="module")
def endpoint():
    url = os.environ.get("AWS_ENDPOINT_URL", "")
    if not url.startswith("http://127.0.0.1:"):
        pytest.fail("AWS_ENDPOINT_URL must name the local endpoint (run the suite with `make distribution-tests`)")
    return url


@pytest.fixture(scope="module")
def project(tmp_path_factory, tarball):
    """A user's project: the tarball installed alone into a fresh collections path, inventories/local copied,
    and an ansible.cfg of its own (so no configuration of this repository, nor ~/.ansible/collections, is used)."""
    base = tmp_path_factory.mktemp("user")
    collections = base / "collections"
    run([BIN / "ansible-galaxy", "collection", "install", "--offline", "--no-deps", "-p", collections, tarball],
        cwd=base, env=user_env(BIN))
    project = base / "project"
    project.mkdir()
    shutil.copytree(ROOT / "inventories" / "local", project / "inventory")
    (project / "ansible.cfg").write_text("[defaults]\nstdout_callback = ansible.builtin.default\n")
    env = user_env(BIN, ANSIBLE_CONFIG=str(project / "ansible.cfg"), ANSIBLE_COLLECTIONS_PATH=str(collections),
                   ANSIBLE_CALLBACK_RESULT_FORMAT="json")
    return {"dir": project, "collections": collections, "env": env}


def playbook(project, name, *args):
    command = [BIN / "ansible-playbook", "-i", "inventory", name, "--limit", "dev"] + list(args)
    return run(command, cwd=project["dir"], env=project["env"], timeout=900)


def test_tarball_leaves_out_what_needs_the_local_endpoint(tarball):
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    for needed in ("playbooks/site.yml", "playbooks/verify.yml", "playbooks/teardown.yml",
                   "playbooks/files/amplify-logo.png", "playbooks/vars/environment.yml",
                   "playbooks/tasks/check_inputs.yml", "meta/runtime.yml", "meta/execution-environment.yml",
                   "inventories/example/hosts.yml", "docs/installing.md", "CHANGELOG.rst"):
        assert needed in names, needed
    for left_out in ("ansible.cfg", "inventories/local", "extensions", "tests/integration", "tests/playbooks",
                     "tests/distribution", "tests/browser", "local_aws", "examples", "Makefile", "requirements.txt",
                     ".ruff_cache", ".pytest_cache"):
        assert not any(name == left_out or name.startswith(left_out + "/") for name in names), left_out
    assert not any("__pycache__" in name or ".pytest_cache" in name for name in names)


def test_installed_collection_is_the_one_used(project):
    listed = json.loads(run([BIN / "ansible-galaxy", "collection", "list", "amplify_hosting.ssr", "--format", "json"],
                            cwd=project["dir"], env=project["env"], stdout_only=True))
    assert list(listed) == [str(project["collections"] / "ansible_collections")], listed
    docs = json.loads(run([BIN / "ansible-doc", "--json"] + ["amplify_hosting.ssr.%s" % m for m in MODULES],
                          cwd=project["dir"], env=project["env"], stdout_only=True))
    for module in MODULES:
        requirements = docs["amplify_hosting.ssr.%s" % module]["doc"]["requirements"]
        assert "botocore >= 1.36.22" in requirements and "boto3 >= 1.36.22" in requirements, (module, requirements)
        assert not any("1.34.0" in requirement for requirement in requirements), (module, requirements)


def test_dependencies_are_declared_and_found(project):
    """The installed MANIFEST.json declares amazon.aws and community.aws >= 10.0.0 (galaxy.yml), and where the user
    runs (the ansible package's collections, found on the Python path) each is there in a version that satisfies it."""
    manifest = project["collections"] / "ansible_collections" / "amplify_hosting" / "ssr" / "MANIFEST.json"
    declared = json.loads(manifest.read_text())["collection_info"]["dependencies"]
    assert declared == {"amazon.aws": ">=10.0.0", "community.aws": ">=10.0.0"}, declared
    for fqcn, spec in declared.items():
        listed = json.loads(run([BIN / "ansible-galaxy", "collection", "list", fqcn, "--format", "json"],
                                cwd=project["dir"], env=project["env"], stdout_only=True))
        versions = [found[fqcn]["version"] for found in listed.values()]
        assert versions and SpecifierSet(spec).contains(versions[0]), (fqcn, spec, listed)


def test_site_verify_teardown_by_name_from_the_installed_collection(endpoint, project):
    Control(endpoint).reset()
    session = boto3.session.Session(region_name="us-east-1")
    iam, s3, amplify = (session.client(name, endpoint_url=endpoint) for name in ("iam", "s3", "amplify"))

    playbook(project, "amplify_hosting.ssr.site")
    tags = {tag["Key"]: tag["Value"] for tag in iam.list_role_tags(RoleName=ROLE)["Tags"]}
    assert tags == OWNERSHIP
    assert sorted(role["RoleName"] for role in iam.list_roles()["Roles"]) == sorted([ROLE, LOGS_ROLE])
    # The logs role is the app's, shared by its environments: its environment tag names the app.
    assert {tag["Key"]: tag["Value"] for tag in iam.list_role_tags(RoleName=LOGS_ROLE)["Tags"]} == dict(
        OWNERSHIP, environment=APP_NAME)
    assert [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]] == [BUCKET]
    # The image the playbook uploads comes from its own files/ directory, inside the installed collection.
    assert [obj["Key"] for obj in s3.list_objects_v2(Bucket=BUCKET)["Contents"]] == ["amplify-logo.png"]
    apps = [app for app in amplify.list_apps()["apps"] if app["name"] == APP_NAME]
    assert len(apps) == 1, apps
    assert apps[0]["iamServiceRoleArn"] == "arn:aws:iam::123456789012:role/%s" % LOGS_ROLE
    branches = amplify.list_branches(appId=apps[0]["appId"])["branches"]
    assert [(b["branchName"], b["computeRoleArn"]) for b in branches] == [
        ("dev", "arn:aws:iam::123456789012:role/%s" % ROLE)]

    verified = playbook(project, "amplify_hosting.ssr.verify")
    assert "0 failed" in verified and "failed=0" in verified, verified[-3000:]

    playbook(project, "amplify_hosting.ssr.teardown", "-e", "ssr_teardown_confirm=%s" % APP_NAME)
    assert iam.list_roles()["Roles"] == []
    assert s3.list_buckets()["Buckets"] == []
    assert [app for app in amplify.list_apps()["apps"] if app["name"] == APP_NAME] == []
