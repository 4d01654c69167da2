"""`factory bench` results: the record of one run, the JSONL history they are appended to, and the
figures drawn from them — pass rates with Wilson score intervals, the lift with Newcombe's
interval, cost per solved task.

The bench (pipeline/lift) writes the history; `factory report` reads it back."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

HISTORY_FILE = Path(".factory") / "bench" / "history.jsonl"
MODES = ("factory", "single")
Z95 = 1.959963984540054
INTERVAL = "Wilson score interval, 95%"
LIFT_INTERVAL = "Newcombe's hybrid score interval, 95%"

Mode = Literal["factory", "single"]
Outcome = Literal["passed", "failed", "blocked", "stopped", "timeout", "error"]
"""passed: hidden tests green; failed: they were red; blocked / stopped: the run gave up or
spent its budget; timeout: it ran past timeout_minutes; error: the run itself broke."""


class Tokens(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prompt: int = 0
    completion: int = 0


class BenchResult(BaseModel):
    """One task run in one mode: what the bench prints and what the history keeps."""

    model_config = ConfigDict(extra="forbid")
    task: str
    mode: Mode
    repeat: int
    passed: bool
    outcome: Outcome
    failure: str | None
    cost_usd: float
    tokens: Tokens
    model_calls: int
    wall_s: float
    context_resets: int
    budget_usd: float | None
    """The cap this run had (`--budget`, else budget.per_job_usd); the call that crosses it
    completes, so cost_usd may exceed it by one call."""
    calls_by_role: dict[str, int]
    reset_files: list[str]
    """Test and test-runner files the run had changed, put back before the hidden tests ran."""
    isolation: str
    bench_id: str
    model: str
    started: str
    """When the bench began (UTC, ISO 8601); every result of one bench shares it."""


_append_lock = threading.Lock()


def append(path: Path, result: BenchResult) -> None:
    """One line per result, appended as each run ends, so an interrupted bench keeps its runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _append_lock, path.open("a", encoding="utf-8") as handle:
        handle.write(result.model_dump_json() + "\n")


def read_history(path: Path) -> tuple[list[BenchResult], list[str]]:
    """Every result in the history, and a note per line that could not be read."""
    if not path.is_file():
        return [], []
    results, notes = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            results.append(BenchResult.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError):
            notes.append(f"{path}:{number}: not a bench result; skipped")
    return results, notes


def wilson(passed: int, runs: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a pass rate: sound at 0/n and n/n, unlike p ± z·se."""
    if runs == 0:
        return 0.0, 1.0
    rate = passed / runs
    denominator = 1 + z * z / runs
    centre = (rate + z * z / (2 * runs)) / denominator
    half = z * math.sqrt(rate * (1 - rate) / runs + z * z / (4 * runs * runs)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class ModeSummary:
    mode: str
    runs: int
    passed: int
    ci95: tuple[float, float]
    cost_usd: float
    model_calls: int
    prompt_tokens: int
    completion_tokens: int
    wall_s: float

    @property
    def pass_rate(self) -> float:
        return self.passed / self.runs if self.runs else 0.0

    @property
    def cost_per_solved(self) -> float | None:
        return self.cost_usd / self.passed if self.passed else None

    def as_dict(self) -> dict[str, object]:
        return {"runs": self.runs, "passed": self.passed, "pass_rate": self.pass_rate,
                "ci95": list(self.ci95), "cost_usd": self.cost_usd,
                "cost_per_solved_usd": self.cost_per_solved, "model_calls": self.model_calls,
                "tokens": {"prompt": self.prompt_tokens, "completion": self.completion_tokens},
                "wall_s": self.wall_s}


@dataclass(frozen=True)
class Lift:
    """The factory's pass rate minus the single agent's, and what it costs."""

    difference: float
    ci95: tuple[float, float]
    cost_ratio: float | None
    """The factory's total cost over the single agent's (None when the single agent spent 0)."""

    def as_dict(self) -> dict[str, object]:
        return {"pass_rate_difference": self.difference, "ci95": list(self.ci95),
                "cost_ratio": self.cost_ratio}


def summarize_mode(mode: str, results: Sequence[BenchResult]) -> ModeSummary:
    passed = sum(1 for r in results if r.passed)
    return ModeSummary(mode, len(results), passed, wilson(passed, len(results)),
                       sum(r.cost_usd for r in results), sum(r.model_calls for r in results),
                       sum(r.tokens.prompt for r in results),
                       sum(r.tokens.completion for r in results),
                       sum(r.wall_s for r in results))


def lift(factory: ModeSummary, single: ModeSummary) -> Lift:
    low_f, high_f = factory.ci95
    low_s, high_s = single.ci95
    p_f, p_s = factory.pass_rate, single.pass_rate
    difference = p_f - p_s
    low = difference - math.sqrt((p_f - low_f) ** 2 + (high_s - p_s) ** 2)
    high = difference + math.sqrt((high_f - p_f) ** 2 + (p_s - low_s) ** 2)
    ratio = factory.cost_usd / single.cost_usd if single.cost_usd > 0 else None
    return Lift(difference, (max(-1.0, low), min(1.0, high)), ratio)


@dataclass(frozen=True)
class Summary:
    modes: dict[str, ModeSummary]
    lift: Lift | None

    def as_dict(self) -> dict[str, object]:
        return {"interval": INTERVAL, "lift_interval": LIFT_INTERVAL,
                "modes": {name: mode.as_dict() for name, mode in self.modes.items()},
                "lift": self.lift.as_dict() if self.lift else None}


def summarize(results: Iterable[BenchResult]) -> Summary:
    by_mode: dict[str, list[BenchResult]] = {}
    for result in results:
        by_mode.setdefault(result.mode, []).append(result)
    modes = {name: summarize_mode(name, by_mode[name]) for name in MODES if name in by_mode}
    both = "factory" in modes and "single" in modes
    return Summary(modes, lift(modes["factory"], modes["single"]) if both else None)


@dataclass(frozen=True)
class BenchRun:
    """One `factory bench` invocation as the history holds it."""

    bench_id: str
    started: str
    model: str
    tasks: int
    summary: Summary


def bench_runs(results: Iterable[BenchResult]) -> list[BenchRun]:
    """The history grouped by bench, oldest first."""
    groups: dict[str, list[BenchResult]] = {}
    for result in results:
        groups.setdefault(result.bench_id, []).append(result)
    runs = [BenchRun(bench_id, group[0].started, group[0].model,
                     len({r.task for r in group}), summarize(group))
            for bench_id, group in groups.items()]
    return sorted(runs, key=lambda run: run.started)
