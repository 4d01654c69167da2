"""A bench's input checked before anything is written: the task set, the modes, the model and
its key, where the history goes; then the bench itself, run in a scratch directory."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import get_args

from pipeline.config import settings as config_module
from pipeline.core import git
from pipeline.core.errors import BadInput
from pipeline.ledger.store import utc_now
from pipeline.lift.runner import Bench, Runner
from pipeline.lift.tasks import Task, load_tasks
from pipeline.observe.bench import HISTORY_FILE, BenchResult, Mode
from pipeline.sandbox.worktree import WorktreeSandbox
from pipeline.steps.setup import check_model_keys

MODE_NAMES: tuple[Mode, ...] = get_args(Mode)


@dataclass(frozen=True)
class BenchOptions:
    tasks_dir: Path
    repo: Path = Path(".")
    """Where factory.yaml is read from and the history kept (its git root, if it has one)."""
    model: str | None = None
    modes: str = "factory,single"
    repeat: int = 1
    workers: int = 1
    budget: float | None = None
    """USD per task run; budget.per_job_usd of factory.yaml when None."""
    names: tuple[str, ...] = ()
    """Only these tasks (all when empty)."""
    history: Path | None = None
    keep: bool = False


@dataclass(frozen=True)
class Skipped:
    task: str
    reason: str


def parse_modes(text: str) -> list[Mode]:
    modes: list[Mode] = []
    for word in (part.strip() for part in text.split(",")):
        if word not in MODE_NAMES:
            raise BadInput(f"unknown mode {word!r} in --modes: choose from "
                           + ", ".join(MODE_NAMES) + " (comma-separated)")
        mode = MODE_NAMES[MODE_NAMES.index(word)]
        if mode not in modes:
            modes.append(mode)
    return modes


def home_of(repo: Path) -> Path:
    if not repo.is_dir():
        raise BadInput(f"{repo} is not a directory: pass --repo PATH (where factory.yaml is)")
    found = git.git_result(repo, "rev-parse", "--show-toplevel")
    return Path(found.stdout.strip()) if found.ok else repo.resolve()


def prepare(options: BenchOptions) -> tuple[Bench, list[Skipped]]:
    """The bench to run and the tasks this machine cannot judge; BadInput on any fault."""
    modes = parse_modes(options.modes)
    tasks = load_tasks(options.tasks_dir, options.names)
    root = home_of(options.repo)
    history = options.history or root / HISTORY_FILE
    if history.is_dir():
        raise BadInput(f"--history {history} is a directory: give a file such as history.jsonl")
    config = config_module.load(root, model=options.model)
    check_model_keys(config)
    budget = options.budget if options.budget is not None else config.budget.per_job_usd
    runnable: list[Task] = []
    skipped: list[Skipped] = []
    for task in tasks:
        missing = task.missing()
        if missing:
            skipped.append(Skipped(task.name, "needs " + ", ".join(missing)))
        else:
            runnable.append(task)
    started = utc_now().isoformat(timespec="seconds")
    isolation = "bwrap" if WorktreeSandbox(root, config.sandbox).isolated else "none"
    bench = Bench(tasks=runnable, modes=modes, repeat=options.repeat, workers=options.workers,
                  config=config, budget_usd=budget, work=Path(), history=history,
                  bench_id=f"bench-{started[:19].replace(':', '')}-{uuid.uuid4().hex[:6]}",
                  started=started, isolation=isolation, keep=options.keep)
    return bench, skipped


def run_bench(bench: Bench, on_result: Callable[[BenchResult], None]) -> tuple[list[BenchResult],
                                                                             Path | None]:
    """Every run of the bench in a scratch directory, removed afterwards unless kept (then its
    path is returned with the results)."""
    work = Path(tempfile.mkdtemp(prefix="factory-bench-"))
    try:
        results = Runner(replace(bench, work=work), on_result).run()
    finally:
        if not bench.keep:
            shutil.rmtree(work, ignore_errors=True)
    return results, work if bench.keep else None
