"""`factory status`: a dashboard of issues, phases, tasks, costs and recent failures."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from rich.console import Console
from rich.live import Live

from pipeline.config import settings as config_module
from pipeline.core import git
from pipeline.forge.select import on_github, open_forge
from pipeline.ledger.store import Ledger
from pipeline.observe.dashboard import Snapshot, has_local_runs, render, snapshot


def take(repo: Path) -> Snapshot:
    from pipeline.steps.setup import prepare_factory_dir

    config = config_module.load(repo)
    prepare_factory_dir(repo)  # the ledger lives there; its .gitignore keeps the checkout clean
    forge = open_forge(repo) if on_github() or has_local_runs(repo) else None
    return snapshot(forge, Ledger.for_repo(repo), config)


@click.command()
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.option("--watch", is_flag=True, help="Keep the dashboard on screen, refreshed.")
@click.option("--interval", type=click.FloatRange(min=0.1), default=2.0, show_default=True,
              help="Seconds between refreshes with --watch.")
@click.option("--refreshes", type=click.IntRange(min=1), hidden=True,
              help="Stop --watch after this many refreshes (for tests).")
def status(repo: Path, as_json: bool, watch: bool, interval: float,
           refreshes: int | None) -> None:
    """Issues, phases, tasks, costs and recent failures."""
    root = git.repo_root(repo)
    if as_json:
        click.echo(json.dumps(take(root).to_dict(), indent=2))
        return
    console = Console()
    if not watch:
        console.print(render(take(root)))
        return
    shown = 0
    try:
        with Live(render(take(root)), console=console, auto_refresh=False) as live:
            while refreshes is None or shown < refreshes:
                time.sleep(interval)
                live.update(render(take(root)), refresh=True)
                shown += 1
    except KeyboardInterrupt:
        pass
