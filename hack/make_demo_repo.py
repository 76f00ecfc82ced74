#!/usr/bin/env python3
"""Make the demo's Git repository: the example app as the repository Amplify would clone.

    python3 hack/make_demo_repo.py examples/nextjs-compute-role-demo .tmp/repos/nextjs-compute-role-demo

The files git tracks under the example (not its Python tests) are committed once, with a fixed author and
date, on the branches main, dev and staging: the same files always give the same commit id, so a second
`make demo` releases nothing new and the local compute's build cache is reused. A changed example gives a new
commit. `make demo` maps the inventory's repository URL to this path (local-aws repository), the local
counterpart of connecting a GitHub repository to the app.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

BRANCHES = ("main", "dev", "staging")
IDENTITY = {"GIT_AUTHOR_NAME": "amplify_hosting.ssr demo", "GIT_AUTHOR_EMAIL": "demo@example.invalid",
            "GIT_COMMITTER_NAME": "amplify_hosting.ssr demo", "GIT_COMMITTER_EMAIL": "demo@example.invalid",
            "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, **IDENTITY, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


def main(source: str, destination: str) -> int:
    source_dir, dest = Path(source).resolve(), Path(destination).resolve()
    top = Path(git("rev-parse", "--show-toplevel", cwd=source_dir))
    files = [f for f in git("ls-files", "--cached", "--others", "--exclude-standard", ".", cwd=source_dir).splitlines()
             if not f.startswith("tests/")]
    staging = dest.with_name(dest.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    git("init", "--quiet", "--initial-branch=main", cwd=staging)
    for name in files:
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source_dir / name, target)
    git("add", "--all", cwd=staging)
    git("commit", "--quiet", "--no-gpg-sign", "-m", f"The example app ({source_dir.relative_to(top)})", cwd=staging)
    for branch in BRANCHES[1:]:
        git("branch", branch, cwd=staging)
    head = git("rev-parse", "HEAD", cwd=staging)
    if dest.exists() and (dest / ".git").is_dir() and git("rev-parse", "HEAD", cwd=dest) == head:
        shutil.rmtree(staging)  # unchanged: keep the repository as it is
    else:
        shutil.rmtree(dest, ignore_errors=True)
        staging.rename(dest)
    print(head)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
