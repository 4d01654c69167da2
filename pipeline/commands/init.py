"""`factory init`: install the factory into a repository without clobbering anything there."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.commands.init_github import install_workflow, settings_text
from pipeline.config import template as config_template
from pipeline.core import git
from pipeline.precommit.precommit_config import ensure_factory_hooks

GITIGNORE_LINES = ["# Dark Factory: local state stays local, the lessons are shared.",
                   ".factory/*", "!.factory/lessons.jsonl"]


def ensure_gitignore(repo: Path) -> bool:
    path = repo / ".gitignore"
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    missing = [line for line in GITIGNORE_LINES[1:] if line not in existing.splitlines()]
    if not missing:
        return False
    prefix = "" if not existing or existing.endswith("\n") else "\n"
    path.write_text(existing + prefix + "\n".join([GITIGNORE_LINES[0], *missing]) + "\n",
                    encoding="utf-8")
    return True


def install(repo: Path) -> list[str]:
    """Write what is missing; return one line per thing done or left alone."""
    done: list[str] = []
    config_path = repo / "factory.yaml"
    if config_path.exists():
        done.append("factory.yaml exists: left as it is")
    else:
        config_path.write_text(config_template.render(), encoding="utf-8")
        done.append("wrote factory.yaml (commented defaults)")
    done.append("added .factory/ to .gitignore" if ensure_gitignore(repo)
                else ".gitignore already ignores .factory/")
    done.append("added the factory hooks to .pre-commit-config.yaml (then: pre-commit install)"
                if ensure_factory_hooks(repo) else ".pre-commit-config.yaml already has the "
                "factory hooks")
    done.append(install_workflow(repo))
    return done


@click.command()
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True, help="The git repository to install into.")
def init(repo: Path) -> None:
    """Install the factory into a repository: factory.yaml and .gitignore entries."""
    root = git.repo_root(repo)
    for line in install(root):
        click.echo(f"- {line}")
    click.echo("\n" + settings_text(root))
    click.echo("\nNext: set a model key (e.g. ANTHROPIC_API_KEY), then "
               "`factory run \"what to build\"`, or try `factory demo`.")
