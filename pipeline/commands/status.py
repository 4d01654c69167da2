"""`factory status`: issues, phases, tasks and cost so far, from the local forge and ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from pipeline import git
from pipeline.forge.local import LocalForge
from pipeline.ledger import Ledger
from pipeline.state import RunState, load


def collect(repo: Path) -> list[dict[str, Any]]:
    db = repo / ".factory" / "forge.db"
    if not db.exists():
        return []
    forge, ledger = LocalForge(db), Ledger.for_repo(repo)
    rows = []
    for issue in forge.list_issues():
        state: RunState | None = load(forge, issue.number)
        rows.append({
            "issue": issue.number, "title": issue.title, "state": issue.state,
            "phase": state.phase if state else None,
            "reason": state.reason if state else None,
            "tasks": {t.spec.id: {"title": t.spec.title, "status": t.status, "rounds": t.rounds,
                                  "reason": t.reason}
                      for t in (state.tasks.values() if state else [])},
            "pr": state.pr if state else None,
            "cost_usd": round(ledger.issue_totals(issue.number).cost_usd, 6),
        })
    return rows


@click.command()
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
def status(repo: Path, as_json: bool) -> None:
    """Issues, phases, tasks and cost so far."""
    rows = collect(git.repo_root(repo))
    if as_json:
        click.echo(json.dumps({"issues": rows}, indent=2))
        return
    if not rows:
        click.echo("No factory runs here yet: start one with `factory run \"brief\"`.")
        return
    table = Table(title="Dark Factory")
    for column in ("issue", "title", "phase", "tasks", "cost (USD)", "note"):
        table.add_column(column)
    for row in rows:
        passed = sum(1 for t in row["tasks"].values() if t["status"] == "passed")
        table.add_row(f"#{row['issue']}", row["title"], row["phase"] or "-",
                      f"{passed}/{len(row['tasks'])}", f"{row['cost_usd']:.4f}", row["reason"] or "")
    Console().print(table)
