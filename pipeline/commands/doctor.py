"""`factory doctor`: what is missing (config, keys, git, sandbox, memory) and how to fix it."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import click

from pipeline.config import settings as config_module
from pipeline.core import git
from pipeline.core.errors import FactoryError, WorkFailed
from pipeline.steps.setup import models_in_use

Level = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Finding:
    level: Level
    area: str
    message: str


def check(repo: Path) -> list[Finding]:
    found: list[Finding] = []
    try:
        root = git.repo_root(repo)
        found.append(Finding("ok", "git", f"repository at {root}, branch "
                             f"{git.current_branch(root)}"))
    except FactoryError as exc:
        return [Finding("fail", "git", exc.message)]
    try:
        config = config_module.load(root)
        found.append(Finding("ok", "config", "factory.yaml is valid" if
                             (root / "factory.yaml").exists() else
                             "no factory.yaml: defaults in use (`factory init` writes one)"))
    except FactoryError as exc:
        return [*found, Finding("fail", "config", exc.message)]
    from pipeline.agent.failures import missing_key

    for model in models_in_use(config):
        variable = missing_key(model)
        found.append(Finding("fail", "keys", f"{model}: set {variable}") if variable
                     else Finding("ok", "keys", f"{model}: credentials present"))
    found.append(sandbox_finding(config))
    precommit = shutil.which("pre-commit") or shutil.which(
        "pre-commit", path=str(Path(sys.executable).parent))
    found.append(Finding("ok" if precommit else "warn", "hooks",
                         f"pre-commit at {precommit}" if precommit else
                         "pre-commit not found: the generator cannot run the repo's hooks"))
    memory = config.memory.url or str(root / ".factory" / "memory")
    found.append(Finding("ok", "memory", f"Qdrant at {memory} (embedding: "
                         f"{config.memory.embedding})"))
    return found


def sandbox_finding(config: config_module.Config) -> Finding:
    from pipeline.sandbox import bwrap

    if config.sandbox.isolation == "none":
        return Finding("warn", "sandbox", "isolation: none — agent commands run unsandboxed, "
                       "with your user's access to this machine (remove it from factory.yaml "
                       "to use bubblewrap)")
    problem = bwrap.problem()
    if problem is not None:
        return Finding("fail", "sandbox", problem)
    return Finding("ok", "sandbox", "bubblewrap works: agent commands see their worktree, "
                   "the system and tools read-only, no home and no network")


@click.command()
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True)
def doctor(repo: Path) -> None:
    """Check config, keys, git, sandbox and memory; say how to fix what is missing."""
    findings = check(repo)
    marks = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}
    for finding in findings:
        click.echo(f"{marks[finding.level]} {finding.area:8} {finding.message}")
    failures = sum(1 for f in findings if f.level == "fail")
    if failures:
        raise WorkFailed(f"{failures} problem(s) to fix before `factory run`")
