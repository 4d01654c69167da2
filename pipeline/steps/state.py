"""A run's machine state, kept in the issue's tracking comment so any job can pick it up."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from pipeline.core.errors import BadInput
from pipeline.forge import tracking
from pipeline.forge.protocol import Forge
from pipeline.forge.types import PullRequest
from pipeline.roles.schemas import Plan, TaskSpec

TaskStatus = Literal["pending", "building", "passed", "blocked"]
Phase = Literal["planning", "building", "evaluating", "merging", "done", "blocked", "stopped"]
STATUS_MARK = {"pending": "[ ]", "building": "[ ]", "passed": "[x]", "blocked": "[ ]"}
FEEDBACK_CHARS = 1500
"""A checkpoint keeps the tail of its round's feedback: every task of a wave may hold one."""
RUNS_KEPT = 30


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Checkpoint(BaseModel):
    """Where a task's work stood when a job's slice ended: the next slice goes on from here.
    The handoff note is the message of the checkpoint's commit on the task branch (the
    branch's log is the task's memory between slices), so the state stays small."""

    round: int = 1
    stage: Literal["generating", "checking"] = "generating"
    """`generating`: the generator resumes from the note; `checking`: its change is committed
    and only the review and evaluation of this round remain."""
    feedback: str = ""
    """What this round's generator was told (the previous round's findings)."""
    slices: int = 0
    """Slices that ended on this task so far."""

    @model_validator(mode="after")
    def _capped(self) -> Checkpoint:
        self.feedback = self.feedback[-FEEDBACK_CHARS:]
        return self


class CriterionState(BaseModel):
    """One line of the issue's feature list: only an evaluator's verdict flips `passes`."""

    passes: bool = False
    evidence: str | None = None
    judged_by: str | None = None
    """Which evaluation last set it: `tasks T1, T2` or `the whole issue`."""


class TaskState(BaseModel):
    spec: TaskSpec
    status: TaskStatus = "pending"
    rounds: int = 0
    reason: str | None = None
    commit: str | None = None
    summary: str | None = None
    resets: int = 0
    """Context resets of the roles working on this task (each left a handoff note)."""
    verdicts: dict[str, bool] = Field(default_factory=dict)
    """The task's last evaluation: criterion or check id → met."""
    change: str | None = None
    """The change the panel approved (git.change_id): a PR showing exactly it is not reviewed
    again."""
    checkpoint: Checkpoint | None = None
    """Set while the task is built in slices (Actions); None once it passed or blocked."""
    cost_usd: float = 0.0
    """What the jobs that built this task spent (Actions: the writer adds it to the issue's)."""


class RunState(BaseModel):
    version: int = 1
    issue: int
    brief: str
    base_branch: str
    base_commit: str
    phase: Phase = "planning"
    plan: Plan | None = None
    tasks: dict[str, TaskState] = Field(default_factory=dict)
    criteria: dict[str, CriterionState] = Field(default_factory=dict)
    """The feature list: each acceptance criterion and whether it passes."""
    pr: int | None = None
    final_rounds: int = 0
    reason: str | None = None
    """Why the run is blocked or stopped."""
    runs: list[str] = Field(default_factory=list)
    cost_usd: float = 0.0
    spend: dict[str, list[list[Any]]] = Field(default_factory=dict)
    """What each job spent (its run id → rows per UTC day, role and model: ledger/persisted.py),
    kept here by the writer on Actions, where every job has a ledger of its own; the next jobs
    and nightly absorb it into theirs."""
    resets: int = 0
    """Context resets outside the tasks (planner, the whole issue's evaluation and fixes)."""
    started_at: str = Field(default_factory=now_iso)
    """When the issue's run began: `limits.issue_hours` counts from here."""
    heartbeat: str | None = None
    """The last time a job recorded this state: a stale one means the job died unrecorded."""

    @model_validator(mode="before")
    @classmethod
    def _task_specs(cls, data: Any) -> Any:
        """The tasks' specs are stored once, in the plan (a 60-task state must fit a comment)."""
        if isinstance(data, dict) and isinstance(data.get("plan"), dict):
            specs = {t.get("id"): t for t in data["plan"].get("tasks") or []
                     if isinstance(t, dict)}
            tasks = data.get("tasks")
            if isinstance(tasks, dict):
                data = {**data, "tasks": {
                    tid: ({**task, "spec": specs[tid]} if isinstance(task, dict)
                          and "spec" not in task and tid in specs else task)
                    for tid, task in tasks.items()}}
        return data

    def stored(self) -> dict[str, Any]:
        """The state as saved: the tasks without their specs (the plan has them), the last
        runs only."""
        data = self.model_dump(mode="json", exclude={"tasks": {"__all__": {"spec"}}})
        data["runs"] = data["runs"][-RUNS_KEPT:]
        return data

    def beat(self) -> None:
        self.heartbeat = now_iso()

    def merge_task(self, incoming: RunState, task_id: str) -> None:
        """What one task's job recorded, into this (newer) state of the whole issue: the
        task itself, the cost it added, the feature list it moved, a stop it recorded."""
        mine, theirs = self.tasks.get(task_id), incoming.tasks.get(task_id)
        if mine is None or theirs is None:
            return
        self.cost_usd += max(0.0, theirs.cost_usd - mine.cost_usd)
        self.tasks[task_id] = theirs
        for criterion in theirs.spec.criteria:
            if criterion in incoming.criteria and self.plan is not None:
                serving = self.plan.serving(criterion)
                verdicts = [self.tasks[t].verdicts.get(criterion) for t in serving]
                self.criteria[criterion] = incoming.criteria[criterion].model_copy(
                    update={"passes": all(verdicts)})
        self.spend = {**self.spend, **incoming.spend}
        self.runs = [*self.runs, *(r for r in incoming.runs if r not in self.runs)][-RUNS_KEPT:]
        self.heartbeat = max(self.heartbeat or "", incoming.heartbeat or "") or None
        if incoming.phase in ("stopped", "blocked") and self.phase not in ("done",):
            self.phase, self.reason = incoming.phase, incoming.reason

    @property
    def all_resets(self) -> int:
        return self.resets + sum(t.resets for t in self.tasks.values())

    @property
    def title(self) -> str:
        return short_title(self.brief)

    @property
    def integration_branch(self) -> str:
        return f"factory/issue-{self.issue}"

    def task_branch(self, task_id: str) -> str:
        return f"factory/issue-{self.issue}-{task_id}"

    def set_plan(self, plan: Plan) -> None:
        self.plan = plan
        self.tasks = {t.id: TaskState(spec=t) for t in plan.tasks}
        self.criteria = {c.id: CriterionState() for c in plan.acceptance_criteria}

    def judge(self, results: dict[str, tuple[bool, str]], task_id: str | None) -> None:
        """An evaluator's verdicts (id → (met, evidence)) into the feature list. A task's
        evaluation passes a criterion once every task serving it has judged it met; the whole
        issue's evaluation sets every criterion it judged."""
        assert self.plan is not None
        task = self.tasks.get(task_id) if task_id else None
        if task is None:
            for cid, (met, evidence) in results.items():
                if cid in self.criteria:
                    self.criteria[cid] = CriterionState(passes=met, evidence=evidence,
                                                        judged_by="the whole issue")
            return
        task.verdicts = {cid: met for cid, (met, _) in results.items()}
        for cid in task.spec.criteria:
            if cid not in results or cid not in self.criteria:
                continue
            serving = self.plan.serving(cid)
            met = all(self.tasks[t].verdicts.get(cid) for t in serving)
            self.criteria[cid] = CriterionState(passes=met, evidence=results[cid][1],
                                                judged_by="tasks " + ", ".join(serving))

    def features(self) -> dict[str, object]:
        """The progress file: every criterion with `passes`, every task with its checks."""
        assert self.plan is not None
        return {"issue": self.issue, "title": self.title, "criteria": [
            {"id": c.id, "text": c.text, "tasks": self.plan.serving(c.id),
             **self.criteria.get(c.id, CriterionState()).model_dump()}
            for c in self.plan.acceptance_criteria],
            "tasks": {tid: {"status": t.status, "criteria": t.spec.criteria,
                            "checks": t.spec.checks, "verdicts": t.verdicts}
                      for tid, t in self.tasks.items()}}

    @property
    def all_passed(self) -> bool:
        return bool(self.tasks) and all(t.status == "passed" for t in self.tasks.values())


def issue_of_branch(branch: str) -> int | None:
    """N for an issue's integration branch `factory/issue-<N>`; None for any other branch."""
    prefix = "factory/issue-"
    rest = branch[len(prefix):] if branch.startswith(prefix) else ""
    return int(rest) if rest.isdigit() else None


def issue_of(pr: PullRequest) -> int:
    """The issue a factory PR was built for: its head is `factory/issue-<N>`."""
    issue = issue_of_branch(pr.head)
    if issue is None:
        raise BadInput(f"#{pr.number} is not a factory PR (its head {pr.head} is not "
                       f"factory/issue-<N>)")
    return issue


def short_title(text: str, limit: int = 72) -> str:
    """The first line of text, cut at a word boundary to fit limit characters."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    if len(line) <= limit:
        return line
    cut = line[:limit - 1].rsplit(" ", 1)[0] or line[:limit - 1]
    return cut.rstrip(" ,;:") + "…"


def render_body(state: RunState) -> str:
    phases = ["planning", "building", "evaluating", "merging", "done"]
    reached = phases.index(state.phase) if state.phase in phases else -1
    lines = ["### Dark Factory", "", "**Phases**"]
    for index, phase in enumerate(phases):
        lines.append(f"- [{'x' if index < reached or state.phase == 'done' else ' '}] {phase}")
    if state.plan is not None and state.criteria:
        lines += ["", "**Acceptance criteria**"]
        for criterion in state.plan.acceptance_criteria:
            judged = state.criteria.get(criterion.id, CriterionState())
            lines.append(f"- [{'x' if judged.passes else ' '}] {criterion.id}: "
                         f"{short_title(criterion.text, 100)}")
    if state.tasks:
        lines += ["", "**Tasks**"]
        for task in state.tasks.values():
            note = f" — {task.status}" + (f": {task.reason}" if task.reason else "")
            if task.resets:
                note += f" · {task.resets} context reset{'s' if task.resets > 1 else ''}"
            lines.append(f"- {STATUS_MARK[task.status]} {task.spec.id}: {task.spec.title}{note}")
    if state.reason:
        lines += ["", f"**{state.phase}**: {state.reason}"]
    resets = f" · context resets: {state.all_resets}" if state.all_resets else ""
    lines += ["", f"Cost so far: ${state.cost_usd:.4f}{resets} · runs: "
                  f"{', '.join(state.runs) or '-'}"]
    return "\n".join(lines)


def save(forge: Forge, state: RunState) -> None:
    tracking.upsert(forge, state.issue, render_body(state), state.stored())


def load(forge: Forge, issue: int) -> RunState | None:
    raw = tracking.read_state(forge, issue)
    return RunState.model_validate(raw) if raw else None
