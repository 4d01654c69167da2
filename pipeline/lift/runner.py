"""Running a bench: every task in every mode, `repeat` times, each run in a fresh git repository
made from the task's `repo/` and a process of its own held to the task's time limit; then the
run's cost read from its ledger and its final state judged with the hidden tests."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config.settings import Budget, Config
from pipeline.core import git, proc
from pipeline.core.errors import FactoryError
from pipeline.ledger.store import LEDGER_FILE, Ledger
from pipeline.lift.judge import JUNK, judge
from pipeline.lift.tasks import Task
from pipeline.lift.worker import Job, JobResult
from pipeline.observe.bench import BenchResult, Mode, Outcome, Tokens, append

OUTCOME_OF_PHASE: dict[str, Outcome] = {"blocked": "blocked", "stopped": "stopped",
                                        "error": "error"}


@dataclass(frozen=True)
class Bench:
    """Everything one `factory bench` needs, checked before anything is written."""

    tasks: list[Task]
    modes: list[Mode]
    repeat: int
    workers: int
    config: Config
    """The configuration every run starts from (factory.yaml, --model)."""
    budget_usd: float | None
    work: Path
    history: Path
    bench_id: str
    started: str
    isolation: str
    """How agent commands are isolated: `bwrap`, or `none` (then the hidden tests on disk are
    within the agent's reach, and the results say so)."""
    keep: bool = False

    @property
    def model(self) -> str:
        return self.config.models.default


def run_config(bench: Bench, task: Task) -> Config:
    """One run's configuration: the task's test command, the per-task budget as the only cap,
    and a memory of its own (a user's lesson server must neither help nor learn from a run)."""
    budget = Budget(per_job_usd=bench.budget_usd, per_issue_usd=None, per_day_usd=None)
    memory = bench.config.memory.model_copy(update={"url": None, "embedding": "none"})
    return bench.config.model_copy(update={"test_command": task.test_command,
                                           "budget": budget, "memory": memory})


def prepare_repo(task: Task, repo: Path) -> None:
    """Only `repo/` goes into a run: copied, made a git repository, committed on main."""
    shutil.copytree(task.repo, repo, ignore=shutil.ignore_patterns(*JUNK), symlinks=True)
    git.git(repo, "init", "-q", "-b", "main")
    git.commit_all(repo, f"{task.name}: the starting repository")


@dataclass(frozen=True)
class Spend:
    cost_usd: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model_calls: int = 0
    context_resets: int = 0
    calls_by_role: dict[str, int] = field(default_factory=dict)


def spend(repo: Path) -> Spend:
    """What the run recorded in its own ledger (its repository is fresh, so all of it)."""
    path = repo / LEDGER_FILE
    if not path.is_file():
        return Spend()
    ledger = Ledger(path)
    totals = ledger.totals()
    by_role = {role: t.calls - t.failed for role, t in ledger.by_role().items()}
    return Spend(totals.cost_usd, totals.input_tokens, totals.output_tokens,
                 totals.calls - totals.failed, len(ledger.events(kind="reset")), by_role)


@dataclass(frozen=True)
class Ran:
    outcome: Outcome
    failure: str | None
    wall_s: float = 0.0
    reset_files: list[str] = field(default_factory=list)


class Runner:
    def __init__(self, bench: Bench, on_result: Callable[[BenchResult], None]) -> None:
        self.bench = bench
        self.on_result = on_result
        self.interrupted = threading.Event()
        self._groups: set[int] = set()
        self._lock = threading.Lock()

    def run(self) -> list[BenchResult]:
        jobs = [(task, mode, repeat) for repeat in range(1, self.bench.repeat + 1)
                for task in self.bench.tasks for mode in self.bench.modes]
        results: list[BenchResult] = []
        with ThreadPoolExecutor(max_workers=self.bench.workers) as pool:
            futures = [pool.submit(self.run_one, *job) for job in jobs]
            try:
                for future in as_completed(futures):
                    result = future.result()
                    if result is not None:
                        results.append(result)
            except BaseException:
                self.stop()
                pool.shutdown(cancel_futures=True)
                raise
        order = {(t.name, m, r): i for i, (t, m, r) in enumerate(jobs)}
        return sorted(results, key=lambda r: order[(r.task, r.mode, r.repeat)])

    def stop(self) -> None:
        """Kill every run in flight (Ctrl-C): their results are not recorded."""
        self.interrupted.set()
        with self._lock:
            for group in self._groups:
                with suppress(ProcessLookupError):
                    os.killpg(group, signal.SIGKILL)

    def _started(self, group: int) -> None:
        with self._lock:
            self._groups.add(group)
        if self.interrupted.is_set():
            self.stop()

    def run_one(self, task: Task, mode: Mode, repeat: int) -> BenchResult | None:
        """One run, recorded; None when the bench was interrupted before it ended."""
        if self.interrupted.is_set():
            return None
        name = f"{task.name}-{mode}-{repeat}"
        run_dir = self.bench.work / "runs" / name
        try:
            ran = self.run_and_judge(task, mode, name, run_dir)
        except (FactoryError, OSError) as exc:  # the bench's own machinery, not the run
            message = exc.message if isinstance(exc, FactoryError) else str(exc)
            ran = Ran("error", f"the bench could not run or judge it: {message[:300]}")
        if self.interrupted.is_set():
            return None
        used = spend(run_dir / "repo")
        result = BenchResult(
            task=task.name, mode=mode, repeat=repeat, passed=ran.outcome == "passed",
            outcome=ran.outcome, failure=ran.failure, cost_usd=used.cost_usd,
            tokens=Tokens(prompt=used.prompt_tokens, completion=used.completion_tokens),
            model_calls=used.model_calls, wall_s=round(ran.wall_s, 2),
            context_resets=used.context_resets, budget_usd=self.bench.budget_usd,
            calls_by_role=used.calls_by_role, reset_files=ran.reset_files,
            isolation=self.bench.isolation,
            bench_id=self.bench.bench_id, model=self.bench.model, started=self.bench.started)
        append(self.bench.history, result)
        self.on_result(result)
        return result

    def run_and_judge(self, task: Task, mode: Mode, name: str, run_dir: Path) -> Ran:
        repo = run_dir / "repo"
        run_dir.mkdir(parents=True)
        prepare_repo(task, repo)
        config = run_config(self.bench, task)
        job = Job(mode=mode, repo=repo, brief=task.spec.brief, config=config,
                  result=run_dir / "result.json")
        (run_dir / "job.json").write_text(job.model_dump_json(), encoding="utf-8")
        groups: list[int] = []

        def started(group: int) -> None:
            groups.append(group)
            self._started(group)

        began = time.monotonic()
        done = proc.run([sys.executable, "-m", "pipeline.lift.worker", str(run_dir / "job.json")],
                        timeout=task.spec.timeout_minutes * 60, started=started)
        wall = time.monotonic() - began
        with self._lock:  # reaped: its id may be reused, so it must never be killed again
            self._groups.difference_update(groups)
        (run_dir / "log.txt").write_text(done.stdout + done.stderr, encoding="utf-8")
        outcome, failure = self.ended(done, job, task)
        if outcome != "passed" or self.interrupted.is_set():
            return Ran(outcome, failure, wall)
        judged = self.bench.work / "judge" / name
        verdict = judge(repo, judged, task.repo, task.hidden, task.test_command, config)
        (run_dir / "hidden-tests.txt").write_text(verdict.output, encoding="utf-8")
        if not self.bench.keep:
            git.remove_worktree(repo, judged)
        return Ran("passed" if verdict.passed else "failed", verdict.reason, wall,
                   verdict.reset_files)

    @staticmethod
    def ended(done: proc.Result, job: Job, task: Task) -> tuple[Outcome, str | None]:
        """How the run ended: `passed` here means only that it finished and is to be judged."""
        if done.timed_out:
            return "timeout", f"ran past its {task.spec.timeout_minutes:g}-minute limit"
        if not job.result.is_file():
            lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
            return "error", f"the run crashed (exit {done.returncode}): {lines[-1][:300]}"
        ended = JobResult.model_validate_json(job.result.read_text(encoding="utf-8"))
        if ended.phase == "done":
            return "passed", None
        return OUTCOME_OF_PHASE.get(ended.phase, "blocked"), ended.reason or ended.phase
