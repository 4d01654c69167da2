"""`factory report`: write a self-contained HTML report of an issue or a period."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from pipeline.config import settings as config_module
from pipeline.core import git
from pipeline.core.errors import BadInput
from pipeline.forge.select import on_github, open_forge
from pipeline.ledger.store import Ledger
from pipeline.observe.dashboard import has_local_runs
from pipeline.observe.report import collect, html


def parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise BadInput(f"--since {value!r} is not a date: use YYYY-MM-DD") from None


@click.command()
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True)
@click.option("--issue", type=click.IntRange(min=1), help="Report on this issue only.")
@click.option("--since", metavar="YYYY-MM-DD", help="Report on model calls from this UTC day on.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the page (default .factory/reports/<scope>.html); - for stdout.")
def report(repo: Path, issue: int | None, since: str | None, out: Path | None) -> None:
    """A self-contained HTML report (no network needed to open it): phases over time, cost by
    role and model, review findings and lessons used."""
    from pipeline.steps.setup import prepare_factory_dir

    if issue is not None and since is not None:
        raise BadInput("give --issue or --since, not both")
    day = parse_day(since)
    root = git.repo_root(repo)
    config = config_module.load(root)
    forge = open_forge(root) if on_github() or has_local_runs(root) else None
    if issue is not None and (forge is None or issue not in
                              {i.number for i in forge.list_issues([config.trigger_label],
                                                                   state="all")}):
        raise BadInput(f"issue #{issue} is not a factory issue here: `factory status` lists them")
    prepare_factory_dir(root)
    data = collect(root, forge, Ledger.for_repo(root), config.trigger_label, issue=issue,
                   since=day)
    page = html(data)
    if out is not None and str(out) == "-":
        click.echo(page, nl=False)
        return
    name = f"issue-{issue}" if issue is not None else f"since-{day}" if day else "all"
    target = out or root / ".factory" / "reports" / f"{name}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    click.echo(str(target))
