"""`factory nightly`: the scheduled job (also `workflow_dispatch`), runnable by hand locally."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from pipeline.config import settings as config_module
from pipeline.core import git
from pipeline.core.errors import BadInput, WorkFailed
from pipeline.forge.select import on_github, open_forge
from pipeline.ledger.store import Ledger
from pipeline.nightly.run import NightlyOptions, NightlyReport, run_nightly


def resolve_repo(repo: Path) -> Path:
    """The repository root; on Actions without a checkout, the directory itself."""
    if not repo.is_dir():
        raise BadInput(f"{repo} is not a directory: pass --repo PATH")
    try:
        return git.repo_root(repo)
    except BadInput:
        if on_github():
            return repo.resolve()
        raise


def print_report(report: NightlyReport) -> None:
    console = Console()
    table = Table(title=f"Nightly {report.day}")
    for column in ("issue", "action", "why", "outcome"):
        table.add_column(column)
    for action in report.actions:
        table.add_row(f"#{action['issue']}", action["action"], action["why"],
                      action.get("outcome") or "")
    if report.actions:
        console.print(table)
    else:
        console.print("Nothing to retry or re-plan.")
    verb = "created" if report.digest_created else "updated"
    console.print(f"Memory: {report.memory}")
    console.print(f"Digest issue #{report.digest_issue} {verb}.")


@click.command()
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True)
@click.option("--stale-hours", type=click.FloatRange(min=0), default=2.0, show_default=True,
              help="Retry a stopped run only once its last model call is this old.")
@click.option("--max-retries", type=click.IntRange(min=0), default=5, show_default=True,
              help="Retries and re-plans started in one night at most.")
@click.option("--no-consolidate", is_flag=True, help="Leave memory consolidation out.")
@click.option("--json", "as_json", is_flag=True, help="One JSON summary on stdout.")
def nightly(repo: Path, stale_hours: float, max_retries: int, no_consolidate: bool,
            as_json: bool) -> None:
    """Retry stalled work within budget, re-plan what changed, consolidate memory, post the digest.

    Works on the embedded forge, or on GitHub when GITHUB_REPOSITORY and GITHUB_TOKEN are set
    (there, retries are requeued for the role jobs rather than run in this job).
    """
    from pipeline.nightly.retriers import Retrier
    from pipeline.steps.setup import prepare_factory_dir

    root = resolve_repo(repo)
    config = config_module.load(root)
    prepare_factory_dir(root)
    forge, ledger = open_forge(root), Ledger.for_repo(root)
    options = NightlyOptions(timedelta(hours=stale_hours), max_retries, not no_consolidate)
    retrier: Retrier
    if on_github():
        from datetime import UTC, datetime

        from pipeline.actions.job import dispatcher
        from pipeline.actions.requeue import Requeue

        retrier = Requeue(forge, datetime.now(UTC).date().isoformat(), dispatcher(forge, root))
    else:
        from pipeline.local.resume import LocalResume

        retrier = LocalResume(root, forge, ledger)
    report = run_nightly(root, config, forge, ledger, retrier, options)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        print_report(report)
    if report.errors:
        raise WorkFailed("nightly finished with errors: " + "; ".join(report.errors))
