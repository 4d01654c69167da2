"""`factory detect DIR --verdict FILE`: the detect job. Judges a role job's outputs and commits
(static checks; with `detection: model`, a model too) and writes the verdict for the writer.

It exits 0 with a verdict either way — clean or not, the writer must show it and, if it is not
clean, hold the work; only a failure to judge exits non-zero, and then the writer never runs.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import click

from pipeline.actions.job import DISABLED, disabled


@click.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--verdict", "verdict_path", type=click.Path(path_type=Path, dir_okay=False),
              required=True, help="Where to write the verdict (outside DIRECTORY: the writer "
                                  "trusts nothing a role job wrote).")
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True, help="A checkout of the repository (read-only access).")
def detect(directory: Path, verdict_path: Path, repo: Path) -> None:
    """Judge the outputs in DIRECTORY before the writer may apply them."""
    from pipeline.actions.outputs.detect import detect_dir
    from pipeline.config import settings as config_module
    from pipeline.core import git
    from pipeline.detection.judge import model_context
    from pipeline.detection.verdict import render, save
    from pipeline.ledger.store import Ledger
    from pipeline.steps.setup import check_model_keys, prepare_factory_dir

    if disabled():
        click.echo(DISABLED)
        return
    root = git.repo_root(repo)
    config = config_module.load(root)
    model = None
    if config.detection == "model":
        detector = config.models.for_role("detector")
        check_model_keys(config.model_copy(update={"models": config.models.model_copy(
            update={"default": detector, "reviewers": [], "planner": None, "generator": None,
                    "evaluator": None})}))
        factory_dir = prepare_factory_dir(root)
        run_id = f"detect-{uuid.uuid4().hex[:8]}"
        model = model_context(config, Ledger.for_repo(root), root, run_id=run_id, issue=None,
                              trajectories=factory_dir / "runs" / run_id)
    verdict = detect_dir(directory, root, config, os.environ, model)
    if model is not None:
        from pipeline.ledger.persisted import persisted

        verdict.spend = persisted(model.model.ledger, [model.model.run_id])
    save(verdict, verdict_path)
    click.echo(render(verdict))
    if summary := os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(summary, "a", encoding="utf-8") as out:
            out.write(f"### factory detect {directory.name}\n\n{render(verdict)}\n")
