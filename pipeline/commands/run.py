"""`factory run BRIEF`: the whole pipeline on a local repository, no GitHub needed."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from pipeline.core.errors import WorkFailed
from pipeline.local.run import RunOptions, RunOutcome, run_brief
from pipeline.steps.progress import task_table


def ask_at_terminal(questions: list[str]) -> list[str]:
    click.echo("The planner has questions (press Enter to let it assume):", err=True)
    return [click.prompt(f"  {q}", default="", show_default=False, err=True) for q in questions]


def print_summary(console: Console, outcome: RunOutcome) -> None:
    state = outcome.state
    console.print(task_table(state, title=f"Issue #{state.issue}: {state.phase}"))
    costs = Table(title="Model calls this run")
    for column in ("role", "calls", "cost (USD)"):
        costs.add_column(column)
    for role, totals in sorted(outcome.by_role.items()):
        costs.add_row(role, str(totals.calls), f"{totals.cost_usd:.4f}")
    costs.add_row("total", str(outcome.totals.calls), f"{outcome.totals.cost_usd:.4f}")
    console.print(costs)
    if outcome.succeeded:
        console.print(f"[green]Done:[/green] merged {state.integration_branch} into {state.base_branch}.")
    else:
        console.print(f"[red]Not done ({state.phase}):[/red] {state.reason}")


@click.command()
@click.argument("brief", required=False)
@click.option("--repo", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="The git repository to work in.")
@click.option("--model", help="Run every role (reviewers included) on this litellm model.")
@click.option("--budget", type=click.FloatRange(min=0, min_open=True),
              help="Hard cap in USD for this run (overrides budget.per_job_usd).")
@click.option("--workers", type=click.IntRange(1, 32), help="Independent tasks built in parallel.")
@click.option("--resume", is_flag=True, help="Continue the last unfinished run.")
@click.option("--yes", "-y", "assume_yes", is_flag=True,
              help="Never ask clarifying questions; the planner writes its assumptions down.")
def run(brief: str | None, repo: Path, model: str | None, budget: float | None,
        workers: int | None, resume: bool, assume_yes: bool) -> None:
    """Plan, build, review and evaluate BRIEF in the repository, then merge the result."""
    console = Console(stderr=False)
    interactive = not assume_yes and sys.stdin.isatty()
    options = RunOptions(repo=repo, brief=brief, model=model, budget=budget, workers=workers,
                         resume=resume, ask=ask_at_terminal if interactive else None)
    outcome = run_brief(options, console)
    print_summary(console, outcome)
    if not outcome.succeeded:
        raise WorkFailed(f"issue #{outcome.state.issue} is {outcome.state.phase}: {outcome.state.reason}")
