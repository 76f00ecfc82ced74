"""Which build specification a release runs, and the shell script it becomes.

Amplify Hosting reads the build commands from, in this order (Amplify Hosting user guide, "Configuring the
build settings for an app"): the branch's own build spec, the `amplify.yml` at the root of the repository,
then the build spec saved in the app's settings. With none of them, Amplify detects the framework; for a
Next.js app that is `npm ci` then `npm run build`, which is what this endpoint runs.

Only what a Next.js SSR app needs is understood: `frontend.phases.{preBuild,build,postBuild}.commands`,
`frontend.artifacts.baseDirectory` and `version`. A monorepo spec (`applications:`) or a backend phase is
refused by name, so that a build never silently does less than Amplify would.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

import yaml

PHASES = ("preBuild", "build", "postBuild")
DEFAULT_COMMANDS = {"preBuild": ["npm ci"], "build": ["npm run build"], "postBuild": []}
DEFAULT_BASE_DIRECTORY = ".next"


class BuildSpecError(ValueError):
    """The build spec cannot be run; the message says where and why."""


@dataclass(frozen=True)
class BuildSpec:
    source: str  # "branch buildSpec", "amplify.yml", "app buildSpec" or "default (Next.js)"
    text: str  # what the source said, for the build log and the build cache key
    commands: dict  # phase -> [command, ...]
    base_directory: str

    def script(self) -> str:
        """A bash script running every phase's commands in one shell, as Amplify does (variables set by one
        command are seen by the next), echoing each command the way Amplify's build log does."""
        lines = ["set -eo pipefail"]
        for phase in PHASES:
            commands = self.commands.get(phase) or []
            if not commands:
                continue
            lines.append(f"echo {shlex.quote('## Starting phase ' + phase)}")
            for command in commands:
                lines.append(f"echo {shlex.quote('# Executing command: ' + command)}")
                lines.append(command)
        lines.append("echo '## Build completed'")
        return "\n".join(lines) + "\n"


def choose(branch_spec: str | None, repository_file: str | None, app_spec: str | None) -> BuildSpec:
    """The build spec a release runs (see the module's docstring for the order)."""
    for source, text in (("branch buildSpec", branch_spec), ("amplify.yml", repository_file), ("app buildSpec", app_spec)):
        if text and text.strip():
            return parse(text, source)
    return BuildSpec("default (Next.js)", "", dict(DEFAULT_COMMANDS), DEFAULT_BASE_DIRECTORY)


def parse(text: str, source: str) -> BuildSpec:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BuildSpecError(f"{source}: not valid YAML ({exc})") from exc
    if not isinstance(document, dict):
        raise BuildSpecError(f"{source}: expected a mapping with version and frontend")
    if "applications" in document:
        raise BuildSpecError(f"{source}: monorepo build specs (applications:) are not supported by the local compute")
    if "backend" in document:
        raise BuildSpecError(f"{source}: backend phases are not supported by the local compute")
    frontend = document.get("frontend")
    if not isinstance(frontend, dict):
        raise BuildSpecError(f"{source}: no frontend section")
    phases = frontend.get("phases") or {}
    if not isinstance(phases, dict):
        raise BuildSpecError(f"{source}: frontend.phases must be a mapping")
    unknown = sorted(set(phases) - set(PHASES))
    if unknown:
        raise BuildSpecError(f"{source}: unknown phase(s) {', '.join(unknown)} (known: {', '.join(PHASES)})")
    commands = {}
    for phase in PHASES:
        entry = phases.get(phase) or {}
        listed = entry.get("commands", []) if isinstance(entry, dict) else None
        if not isinstance(listed, list) or not all(isinstance(c, (str, int, float)) for c in listed):
            raise BuildSpecError(f"{source}: frontend.phases.{phase}.commands must be a list of commands")
        commands[phase] = [str(c) for c in listed]
    artifacts = frontend.get("artifacts") or {}
    base = artifacts.get("baseDirectory", DEFAULT_BASE_DIRECTORY) if isinstance(artifacts, dict) else None
    if not isinstance(base, str) or not base or base.startswith("/") or ".." in base.split("/"):
        raise BuildSpecError(f"{source}: frontend.artifacts.baseDirectory must be a relative path in the repository")
    return BuildSpec(source, text, commands, base.rstrip("/"))
