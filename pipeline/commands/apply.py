"""`factory apply DIR`: the writer. Validates a role job's outputs, then applies them."""

from __future__ import annotations

import os
from pathlib import Path

import click

from pipeline.actions.job import DISABLED, disabled, dispatcher
from pipeline.actions.outputs.apply import apply_dir
from pipeline.config import settings as config_module
from pipeline.core import git
from pipeline.detection.verdict import load as load_verdict
from pipeline.forge.select import open_forge


@click.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True, help="The checkout whose origin receives the commits.")
@click.option("--verdict", "verdict_path", type=click.Path(path_type=Path, dir_okay=False),
              help="The detect job's verdict on these outputs (`factory detect`).")
def apply(directory: Path, repo: Path, verdict_path: Path | None) -> None:
    """Validate the outputs in DIRECTORY (all of them, first), then write them to the forge."""
    if disabled():
        click.echo(DISABLED)
        return
    root = git.repo_root(repo)
    config = config_module.load(root)
    verdict = load_verdict(verdict_path) if verdict_path is not None else None
    forge = open_forge(root)
    result = apply_dir(directory, root, forge, config, os.environ,
                       dispatch=dispatcher(forge, root), verdict=verdict)
    lines = [f"- {line}" for line in result.done] + [f"- skipped: {line}"
                                                     for line in result.skipped]
    click.echo("\n".join(lines))
    if summary := os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(summary, "a", encoding="utf-8") as out:
            out.write(f"### factory apply {directory.name}\n\n" + "\n".join(lines) + "\n")
