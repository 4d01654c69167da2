"""Seeded history for the nightly, status and report tests: issues with run states in a forge,
model calls in the ledger at chosen times, and scripted replies that finish a resumed run."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from doubles.stub_model import Reply, call

from pipeline.forge.select import TrackerForge
from pipeline.forge.types import phase_label
from pipeline.ledger.store import Call, Ledger
from pipeline.roles.schemas import Criterion, Plan, PlannedTask
from pipeline.steps.state import Phase, RunState, TaskState, save
from pipeline.steps.work import PHASE_LABEL

MODEL = "openai/scripted"
PY = sys.executable
CODE = {"A1": ("subtract", "def subtract(a: int, b: int) -> int:\n    return a - b\n"),
        "D1": ("multiply", "def multiply(a: int, b: int) -> int:\n    return a * b\n")}


def now() -> datetime:
    return datetime.now(UTC)


def plan_for(task: str) -> Plan:
    name = CODE[task][0]
    return Plan(spec=f"Add {name} to the calc package.",
                acceptance_criteria=[Criterion(id="AC1", text=f"calc.{name} exists")],
                tasks=[PlannedTask(id=task, title=name, description=f"calc/{name}.py",
                                   criteria=["AC1"], checks=[f"calc/{name}.py exists"])])


def seed_issue(forge: TrackerForge, title: str, phase: Phase, *, base_commit: str,
               task: str | None = "A1", reason: str | None = None, cost: float = 0.0,
               task_status: str = "pending", pr: int | None = None) -> RunState:
    """An issue as `factory run` leaves it: labels, and its state in the tracking comment."""
    issue = forge.create_issue(title, title, ["factory", phase_label(PHASE_LABEL[phase])])
    state = RunState(issue=issue.number, brief=title, base_branch="main",
                     base_commit=base_commit, phase=phase, reason=reason, cost_usd=cost, pr=pr,
                     runs=[f"run-seed{issue.number}"])
    if task is not None:
        state.set_plan(plan_for(task))
        state.tasks[task] = TaskState(spec=state.tasks[task].spec, status=task_status,  # type: ignore[arg-type]
                                      rounds=1 if task_status == "passed" else 0)
    save(forge, state)
    return state


def seed_call(ledger: Ledger, issue: int | None, *, at: datetime, cost: float,
              role: str = "generator", model: str = MODEL, ok: bool = True,
              run_id: str | None = None, error: str | None = None) -> None:
    ledger.record(Call(run_id=run_id or f"run-seed{issue}", role=role, model=model, issue=issue,
                       input_tokens=1000, cached_input_tokens=200, output_tokens=100,
                       cost_usd=cost, latency_s=0.5, ok=ok, error=error, ts=at))


def hours_ago(hours: float) -> datetime:
    return now() - timedelta(hours=hours)


def finishing_scripts() -> dict[tuple[object, ...], Sequence[Reply]]:
    """Replies that take task A1 (resumed) or a re-plan to D1 through to a merge."""
    scripts: dict[tuple[object, ...], Sequence[Reply]] = {("planner",): [
        call("submit_plan", spec=plan_for("D1").spec,
             acceptance_criteria=[{"id": "AC1", "text": "calc.multiply exists"}],
             tasks=[{"id": "D1", "title": "multiply", "description": "calc/multiply.py",
                     "criteria": ["AC1"], "checks": ["calc/multiply.py exists"]}])]}
    for task, (name, code) in CODE.items():
        scripts[("generator", task)] = [call("write_file", path=f"calc/{name}.py", content=code),
                                        call("finish", summary=f"added {name}")]
        scripts[("reviewer", task)] = [call("submit_review", verdict="approve", findings=[])]
        scripts[("evaluator", task)] = [call("submit_evaluation", verdict="pass", criteria=[
            {"id": "AC1", "met": True, "evidence": f"calc/{name}.py is there"},
            {"id": f"{task}-check1", "met": True, "evidence": f"calc/{name}.py is there"}])]
    scripts[("evaluator", None)] = [call("submit_evaluation", verdict="pass", criteria=[
        {"id": "AC1", "met": True, "evidence": "checked"}])]
    return scripts


def write_lessons(repo: Path, created: str) -> None:
    from pipeline.memory.lesson import LESSONS_FILE, Lesson, write_file

    write_file(repo / LESSONS_FILE, [Lesson(
        kind="pattern", trigger="when adding a calc operation",
        insight="give it its own module and a unittest", created=created)])
