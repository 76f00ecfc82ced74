# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The README's commands work as shown, from the repository root in a fresh shell (issue 18): each
`ansible-playbook -i inventories/local ...` line of the README's bash blocks is run as written, with no AWS_*
variable and no ANSIBLE_CONFIG in the environment (only .venv/bin on PATH, as the README says). When the suite's
endpoint is not the README's (port 4566), only AWS_ENDPOINT_URL points the inventory at it."""

import os
import re
import shlex
import subprocess

from conftest import ROOT

README = ROOT / "README.md"


def readme_commands():
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(), re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("ansible-playbook -i inventories/local ")]


def fresh_shell_env(endpoint_url):
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_")))
    env["PATH"] = "%s:%s" % (ROOT / ".venv" / "bin", env.get("PATH", ""))
    env["HOME"] = os.environ.get("HOME", "/root")
    if not endpoint_url.rstrip("/").endswith(":4566"):
        env["AWS_ENDPOINT_URL"] = endpoint_url
    return env


def test_the_readme_shows_the_commands_it_promises():
    commands = readme_commands()
    assert len(commands) == 5, commands
    assert any("site.yml --check --diff" in c for c in commands) and any("teardown.yml" in c for c in commands)


def test_each_readme_command_runs_as_written_in_a_fresh_shell(empty_account):
    env = fresh_shell_env(empty_account.url)
    for command in readme_commands():
        mark = empty_account.mark()
        done = subprocess.run(shlex.split(command), cwd=str(ROOT), env=env, capture_output=True, text=True,
                              timeout=900, check=False)
        output = done.stdout + done.stderr
        assert done.returncode == 0, "%s -> rc %d\n%s" % (command, done.returncode, output[-4000:])
        assert "Unable to locate credentials" not in output
        if "--check" in command or "verify.yml" in command:
            assert empty_account.writes_since(mark) == [], command
    # The last command tore everything down.
    assert empty_account.apps() == [] and empty_account.bucket_names() == []
