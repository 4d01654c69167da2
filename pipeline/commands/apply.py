"""`factory apply DIR`: the writer. Validates a role job's outputs, then applies them."""

from __future__ import annotations

import os
from pathlib import Path

import click

from pipeline.actions.job import DISABLED, disabled, dispatcher
from pipeline.actions.outputs.batch import apply_all
from pipeline.config import settings as config_module
from pipeline.core import git
from pipeline.forge.select import open_forge


@click.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True, help="The checkout whose origin receives the commits.")
@click.option("--verdict", "verdict_path", type=click.Path(path_type=Path),
              help="The detect job's verdict on these outputs (`factory detect`); for a "
                   "folder of outputs, a folder of verdicts named `<outputs folder>.json`.")
def apply(directory: Path, repo: Path, verdict_path: Path | None) -> None:
    """Validate the outputs in DIRECTORY (all of them, first), then write them to the forge.

    DIRECTORY holds one job's outputs, or one folder per job (the apply job's download)."""
    if disabled():
        click.echo(DISABLED)
        return
    root = git.repo_root(repo)
    config = config_module.load(root)
    forge = open_forge(root)
    result = apply_all(directory, root, forge, config, os.environ,
                       dispatch=dispatcher(forge, root), verdicts=verdict_path)
    lines = [f"- {line}" for line in result.done] + [f"- skipped: {line}"
                                                     for line in result.skipped]
    click.echo("\n".join(lines))
    if summary := os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(summary, "a", encoding="utf-8") as out:
            out.write(f"### factory apply {directory.name}\n\n" + "\n".join(lines) + "\n")
