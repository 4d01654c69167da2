"""`factory learn PR`: lessons from a merged pull request of the local forge, into memory."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import click

from pipeline.config import settings as config_module
from pipeline.core import git
from pipeline.core.errors import BadInput
from pipeline.forge.local import LocalForge
from pipeline.ledger.store import Ledger
from pipeline.roles.base import RoleContext
from pipeline.steps.state import issue_of, load


@click.command()
@click.argument("pr", type=int)
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True)
@click.option("--model", help="Run the learner on this litellm model.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--outputs", type=click.Path(path_type=Path, file_okay=False),
              help="Write the lessons as outputs for `factory apply`, and nothing to the forge.")
def learn(pr: int, repo: Path, model: str | None, as_json: bool, outputs: Path | None) -> None:
    """Distil lessons from merged pull request PR into .factory/lessons.jsonl and the index.

    On GitHub (GITHUB_REPOSITORY set) or with --outputs, the lessons go through the writer:
    proposed on the `factory/lessons` branch in a draft PR."""
    from pipeline.agent.model import ModelClient
    from pipeline.forge.select import on_github
    from pipeline.steps.learn import learn_merged_locally

    if on_github() or outputs is not None:
        from pipeline.actions.pr_jobs import learn_job
        from pipeline.commands.roles import run_role

        run_role("learn", pr, repo, model, outputs, learn_job, lambda _job: None)
        return

    root = git.repo_root(repo)
    db = root / ".factory" / "forge.db"
    if not db.exists():
        raise BadInput(f"no factory state in {root}: run `factory run` there first")
    forge = LocalForge(db)
    pull = forge.get_pr(pr)
    issue = issue_of(pull)
    state = load(forge, issue)
    if state is None or state.plan is None:
        raise BadInput(f"#{pr} is not a factory pull request with a plan")
    state.pr = pr
    config = config_module.load(root, model=model)
    ctx = RoleContext(config, ModelClient(config, Ledger.for_repo(root),
                                          run_id=f"learn-{uuid.uuid4().hex[:8]}", issue=issue),
                      root)
    merge = git.git(root, "log", "-1", "--format=%H", "--grep", f"Merge {pull.head}:",
                    state.base_branch)
    result = learn_merged_locally(ctx, forge, state, merge or None)
    if as_json:
        click.echo(json.dumps({"pr": pr, "added": result.added, "known": result.known,
                               "rejected": [{"trigger": t, "why": w} for t, w in result.rejected]}))
        return
    click.echo(f"#{pr}: {len(result.added)} lesson(s) added, {len(result.known)} already known, "
               f"{len(result.rejected)} rejected")
    for trigger, why in result.rejected:
        click.echo(f"  rejected: {trigger[:70]} — {why}")
