# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The execution environment example (examples/execution-environment) and the collection's EE metadata.

`ansible-builder create` makes the build context (no container build: no registry for base images here).
Its galaxy stage is then done by hand (the requirements file's tarball installed into a collections path, with
amazon.aws and community.aws from the venv's ansible package in place of their download) and its builder stage
runs the context's own introspect.py over it, as `ansible-builder build` would: the Python requirements it writes
must hold boto3 and botocore >= 1.36.22.
"""

import json
import re
import shutil

import yaml
from conftest import BIN, ROOT, TARBALL_NAME, run, user_env
from packaging.requirements import Requirement
from packaging.version import Version

EXAMPLE = ROOT / "examples" / "execution-environment"
MINIMUM = "1.36.22"  # MINIMUM_BOTOCORE in plugins/module_utils/amplify.py


def test_minimum_matches_the_modules():
    source = (ROOT / "plugins" / "module_utils" / "amplify.py").read_text()
    assert re.search(r'^MINIMUM_BOTOCORE = "%s"$' % re.escape(MINIMUM), source, re.M)


def build_context(tmp_path, tarball):
    """The example beside the built tarball, and the context `ansible-builder create` makes from it."""
    project = tmp_path / "ee"
    shutil.copytree(EXAMPLE, project)
    shutil.copy(tarball, project / tarball.name)
    context = tmp_path / "context"
    run([BIN / "ansible-builder", "create", "--file", "execution-environment.yml", "--context", context,
         "--output-filename", "Containerfile"], cwd=project, env=user_env())
    return context


def introspected(context, tmp_path, dependencies):
    """The galaxy stage (collections of _build/requirements.yml) and the builder stage's introspection.
    dependencies: {"amazon.aws": <its directory>, ...}, what the real stage downloads."""
    build = context / "_build"
    requirements = yaml.safe_load((build / "requirements.yml").read_text())["collections"]
    files = [entry["name"] for entry in requirements if entry.get("type") == "file"]
    assert files == ["collections/%s" % TARBALL_NAME], requirements
    assert (build / files[0]).is_file(), "the tarball is not in the build context"
    assert {"name": "amazon.aws", "version": ">=10.0.0"} in requirements
    assert {"name": "community.aws", "version": ">=10.0.0"} in requirements
    collections = tmp_path / "share" / "ansible" / "collections"
    # The stage runs in /build with requirements.yml there: the tarball's path is relative to it.
    run([BIN / "ansible-galaxy", "collection", "install", "--offline", "--no-deps", "-p", collections, files[0]],
        cwd=build)
    # The collections the tarball depends on are the ones the requirements file names, with the same versions.
    manifest = collections / "ansible_collections" / "amplify_hosting" / "ssr" / "MANIFEST.json"
    declared = json.loads(manifest.read_text())["collection_info"]["dependencies"]
    named = {entry["name"]: entry.get("version") for entry in requirements if entry.get("type") != "file"}
    assert named == declared, (named, declared)
    # Those collections (which the real stage downloads) from the venv's ansible package.
    for fqcn, path in dependencies.items():
        namespace, name = fqcn.split(".")
        (collections / "ansible_collections" / namespace).mkdir(parents=True, exist_ok=True)
        (collections / "ansible_collections" / namespace / name).symlink_to(path)
    pip = tmp_path / "requirements.txt"
    run([BIN / "python", build / "scripts" / "introspect.py", "introspect", collections, "--write-pip", pip],
        cwd=tmp_path)
    lines = [line for line in pip.read_text().splitlines() if line.strip()]
    return [(Requirement(line.split("#")[0].strip()), line.split("# from collection ")[-1]) for line in lines]


def test_builder_context_installs_the_collection_with_botocore_1_36_22(tmp_path, tarball, amazon_aws,
                                                                       community_aws):
    context = build_context(tmp_path, tarball)
    containerfile = (context / "Containerfile").read_text()
    assert 'ARG ANSIBLE_INSTALL_REFS="ansible-core>=2.17.0,<2.20 ansible-runner"' in containerfile
    assert "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml" in containerfile
    assert "introspect.py introspect" in containerfile

    requirements = introspected(context, tmp_path, {"amazon.aws": amazon_aws, "community.aws": community_aws})
    ours = {str(req) for req, collection in requirements if collection == "amplify_hosting.ssr"}
    assert ours == {"boto3>=%s" % MINIMUM, "botocore>=%s" % MINIMUM}, requirements
    # The dependencies' own requirements are installed too (each collection's requirements.txt).
    for dependency in ("amazon.aws", "community.aws"):
        theirs = {req.name for req, collection in requirements if collection == dependency}
        assert {"boto3", "botocore"} <= theirs, (dependency, requirements)
    # What pip will be asked for, all collections together, admits 1.36.22 and nothing older.
    for package in ("boto3", "botocore"):
        specifiers = [req.specifier for req, dummy in requirements if req.name == package]
        assert all(spec.contains(Version(MINIMUM)) for spec in specifiers), specifiers
        assert not all(spec.contains(Version("1.36.21")) for spec in specifiers), specifiers
        assert not all(spec.contains(Version("1.34.0")) for spec in specifiers), specifiers


def test_collection_metadata_names_its_requirements_file(tarball, tmp_path):
    """meta/execution-environment.yml (in the tarball) points at the file with the minimums, not at the
    repository's requirements.txt (the development venv's pins, left out of the tarball)."""
    collections = tmp_path / "collections"
    run([BIN / "ansible-galaxy", "collection", "install", "--offline", "--no-deps", "-p", collections, tarball],
        cwd=tmp_path)
    installed = collections / "ansible_collections" / "amplify_hosting" / "ssr"
    meta = yaml.safe_load((installed / "meta" / "execution-environment.yml").read_text())
    assert meta["version"] == 1 and set(meta["dependencies"]) == {"python"}, meta
    python = installed / meta["dependencies"]["python"]
    lines = [line for line in python.read_text().splitlines() if line and not line.startswith("#")]
    assert sorted(lines) == ["boto3>=%s" % MINIMUM, "botocore>=%s" % MINIMUM]
    assert not (installed / "requirements.txt").exists()
