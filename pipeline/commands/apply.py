"""`factory apply DIR`: the writer. Validates a role job's outputs, then applies them."""

from __future__ import annotations

import os
from pathlib import Path

import click

from pipeline import config as config_module
from pipeline import git
from pipeline.jobs.context import DISABLED, disabled, dispatcher
from pipeline.observe.forges import open_forge
from pipeline.outputs.apply import apply_dir


@click.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True, help="The checkout whose origin receives the commits.")
def apply(directory: Path, repo: Path) -> None:
    """Validate the outputs in DIRECTORY (all of them, first), then write them to the forge."""
    if disabled():
        click.echo(DISABLED)
        return
    root = git.repo_root(repo)
    config = config_module.load(root)
    forge = open_forge(root)
    result = apply_dir(directory, root, forge, config, os.environ,
                       dispatch=dispatcher(forge, root))
    lines = [f"- {line}" for line in result.done] + [f"- skipped: {line}"
                                                     for line in result.skipped]
    click.echo("\n".join(lines))
    if summary := os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(summary, "a", encoding="utf-8") as out:
            out.write(f"### factory apply {directory.name}\n\n" + "\n".join(lines) + "\n")
