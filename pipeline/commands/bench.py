"""`factory bench TASKS_DIR`: the factory against a single agent on tasks with hidden tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from pipeline.core.errors import WorkFailed
from pipeline.lift.runner import Bench
from pipeline.lift.setup import BenchOptions, Skipped, prepare, run_bench
from pipeline.observe.bench import INTERVAL, LIFT_INTERVAL, BenchResult, Summary, summarize


def percent(rate: float) -> str:
    return f"{100 * rate:.0f}%"


def money(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def one_line(result: BenchResult) -> str:
    verdict = "passed" if result.passed else f"{result.outcome}: {result.failure}"
    return (f"{result.task} · {result.mode} #{result.repeat}: {verdict} "
            f"(${result.cost_usd:.4f}, {result.model_calls} calls, {result.wall_s:.1f} s)")


def runs_table(results: Sequence[BenchResult]) -> Table:
    """One row per task and mode; figures are means over the repeats."""
    table = Table(title="Runs (means over repeats)")
    for column in ("task", "mode", "passed", "USD", "calls", "tokens in/out", "wall s",
                   "resets", "why not"):
        table.add_column(column, justify="right" if column in ("USD", "calls", "wall s",
                                                                "resets") else "left")
    groups: dict[tuple[str, str], list[BenchResult]] = {}
    for result in results:
        groups.setdefault((result.task, result.mode), []).append(result)
    for (task, mode), runs in groups.items():
        n = len(runs)
        failures = [r.failure for r in runs if not r.passed and r.failure]
        table.add_row(task, mode, f"{sum(r.passed for r in runs)}/{n}",
                      money(sum(r.cost_usd for r in runs) / n),
                      f"{sum(r.model_calls for r in runs) / n:g}",
                      f"{sum(r.tokens.prompt for r in runs) // n}/"
                      f"{sum(r.tokens.completion for r in runs) // n}",
                      f"{sum(r.wall_s for r in runs) / n:.1f}",
                      str(sum(r.context_resets for r in runs)),
                      failures[0][:90] if failures else "")
    return table


def summary_table(summary: Summary) -> Table:
    table = Table(title=f"Pass rate per mode ({INTERVAL})")
    for column in ("mode", "passed", "pass rate", "95% CI", "USD", "USD per solved task",
                   "calls", "wall s"):
        table.add_column(column)
    for name, mode in summary.modes.items():
        low, high = mode.ci95
        table.add_row(name, f"{mode.passed}/{mode.runs}", percent(mode.pass_rate),
                      f"{percent(low)}–{percent(high)}", money(mode.cost_usd),
                      money(mode.cost_per_solved), str(mode.model_calls), f"{mode.wall_s:.1f}")
    return table


def lift_line(summary: Summary) -> str:
    if summary.lift is None:
        return "Lift: run both modes (--modes factory,single) to measure it."
    lift = summary.lift
    low, high = lift.ci95
    cost = (f"the factory spent {lift.cost_ratio:.2f}× what the single agent did"
            if lift.cost_ratio is not None else "the single agent spent nothing")
    return (f"Lift (factory − single): {100 * lift.difference:+.0f} points, 95% CI "
            f"{100 * low:+.0f} to {100 * high:+.0f} ({LIFT_INTERVAL}); {cost}.")


def print_report(console: Console, bench: Bench, results: Sequence[BenchResult],
                 skipped: Sequence[Skipped], summary: Summary) -> None:
    console.print(runs_table(results))
    console.print(summary_table(summary))
    console.print(lift_line(summary), highlight=False, soft_wrap=True)
    for item in skipped:
        console.print(f"Skipped {item.task}: {item.reason}", highlight=False, soft_wrap=True)
    console.print(f"Results appended to {bench.history}", highlight=False, soft_wrap=True)


def payload(bench: Bench, results: Sequence[BenchResult], skipped: Sequence[Skipped],
            summary: Summary, kept: Path | None) -> dict[str, object]:
    return {"bench_id": bench.bench_id, "model": bench.model, "started": bench.started,
            "budget_usd": bench.budget_usd, "isolation": bench.isolation,
            "history": str(bench.history), "work_dir": str(kept) if kept else None,
            "results": [r.model_dump() for r in results],
            "skipped": [{"task": s.task, "reason": s.reason} for s in skipped],
            "summary": summary.as_dict()}


@click.command()
@click.argument("tasks_dir", type=click.Path(path_type=Path))
@click.option("--model", help="Run every role, and the single agent, on this litellm model.")
@click.option("--modes", default="factory,single", show_default=True,
              help="Comma-separated: factory (the whole pipeline), single (one generator agent).")
@click.option("--repeat", type=click.IntRange(1, 100), default=1, show_default=True,
              help="Runs of every task in every mode.")
@click.option("--workers", type=click.IntRange(1, 32), default=1, show_default=True,
              help="Runs in parallel.")
@click.option("--budget", type=click.FloatRange(min=0, min_open=True),
              help="Cap in USD for each run (default: budget.per_job_usd of factory.yaml).")
@click.option("--tasks", "names", metavar="A,B", help="Only these tasks (comma-separated).")
@click.option("--repo", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="Where factory.yaml is read and the history kept.")
@click.option("--history", type=click.Path(path_type=Path),
              help="The JSONL file results are appended to [default: .factory/bench/history.jsonl].")
@click.option("--keep", is_flag=True, help="Keep every run's repository, log and test output.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def bench(tasks_dir: Path, model: str | None, modes: str, repeat: int, workers: int,
          budget: float | None, names: str | None, repo: Path, history: Path | None,
          keep: bool, as_json: bool) -> None:
    """Measure the factory's lift over a single agent on the tasks in TASKS_DIR (each a
    task.yaml, repo/ and hidden/ tests; see bench/tasks/README.md)."""
    chosen = tuple(n.strip() for n in names.split(",") if n.strip()) if names else ()
    setup, skipped = prepare(BenchOptions(tasks_dir, repo, model, modes, repeat, workers, budget,
                                          chosen, history, keep))
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    for item in skipped:
        err.print(f"Skipping {item.task}: {item.reason}")
    if not setup.tasks:
        raise WorkFailed(f"no task in {tasks_dir} can run on this machine: see the reasons above")
    if setup.isolation == "none":
        err.print("[yellow]sandbox.isolation is none: agent commands could read the hidden "
                  "tests on disk; these results are not trustworthy.[/yellow]")
    cap = f"${setup.budget_usd:g}" if setup.budget_usd is not None else "no cap"
    err.print(f"Bench {setup.bench_id}: {len(setup.tasks)} task(s) × {', '.join(setup.modes)} × "
              f"{repeat}, model {setup.model}, {cap} per run")
    results, kept = run_bench(setup, lambda result: err.print(one_line(result)))
    summary = summarize(results)
    if as_json:
        click.echo(json.dumps(payload(setup, results, skipped, summary, kept), indent=1))
        return
    print_report(Console(), setup, results, skipped, summary)
    if kept:
        click.echo(f"Runs kept in {kept}")
