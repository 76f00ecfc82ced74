# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection as its users get it: the tarball `ansible-galaxy collection build` makes from this checkout.

`make distribution-tests` starts the local endpoint and exports AWS_ENDPOINT_URL and dummy credentials. Every
command here runs outside the repository, without its ansible.cfg (which finds the checkout itself as the
collection), so only the tarball's contents can be used.
"""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Where a user's ansible comes from for test_installed.py: DISTRIBUTION_BIN, a fresh venv with only the ansible
# package and the collection's Python requirements (make distribution-tests makes it), else this venv.
USER_BIN = Path(os.environ["DISTRIBUTION_BIN"]) if os.environ.get("DISTRIBUTION_BIN") else BIN
GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text())
TARBALL_NAME = "%s-%s-%s.tar.gz" % (GALAXY["namespace"], GALAXY["name"], GALAXY["version"])


def user_env(bin_dir=BIN, **extra):
    """The environment of a user's shell: the venv's tools (bin_dir) on PATH, no ANSIBLE_* setting of this
    repository, no PYTHONPATH."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_") and key != "PYTHONPATH"}
    env["PATH"] = "%s:%s" % (bin_dir, env.get("PATH", ""))
    env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_DEPRECATION_WARNINGS="0")
    env.update(extra)
    return env


def run(command, cwd, env=None, timeout=600, stdout_only=False):
    """Run a command, fail the test with its output unless it exits 0; return what it printed (its standard
    output alone with stdout_only, for JSON)."""
    completed = subprocess.run([str(part) for part in command], cwd=str(cwd), env=env or user_env(),
                               capture_output=True, text=True, timeout=timeout, check=False)
    output = completed.stdout + completed.stderr
    shown = " ".join(map(str, command))
    assert completed.returncode == 0, "%s -> rc %s\n%s" % (shown, completed.returncode, output[-6000:])
    return completed.stdout if stdout_only else output


@pytest.fixture(scope="session")
def tarball(tmp_path_factory):
    """The collection built from this checkout, as `ansible-galaxy collection build` writes it."""
    out = tmp_path_factory.mktemp("build")
    run([BIN / "ansible-galaxy", "collection", "build", "--output-path", out, ROOT], cwd=out)
    path = out / TARBALL_NAME
    assert path.is_file(), sorted(p.name for p in out.iterdir())
    return path


def bundled(namespace, name):
    """The directory of a collection as the venv's ansible package carries it (found at run time)."""
    package = importlib.import_module("ansible_collections.%s.%s" % (namespace, name))
    return Path(package.__file__).parent if package.__file__ else Path(list(package.__path__)[0])


@pytest.fixture(scope="session")
def amazon_aws():
    """amazon.aws as the venv's ansible package carries it (the tarball is installed with --no-deps)."""
    return bundled("amazon", "aws")


@pytest.fixture(scope="session")
def community_aws():
    """community.aws as the venv's ansible package carries it (the tarball is installed with --no-deps)."""
    return bundled("community", "aws")
