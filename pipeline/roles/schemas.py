"""What each role hands back, validated: never repaired by regex, never read as approval by default."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

Severity = Literal["critical", "major", "minor", "nit"]
SEVERITY_RANK: dict[str, int] = {"critical": 0, "major": 1, "minor": 2, "nit": 3}
TASK_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$"


class Criterion(BaseModel):
    id: str = Field(pattern=TASK_ID)
    text: str = Field(min_length=3, description="What a user can observe when this holds.")


class TaskSpec(BaseModel):
    id: str = Field(pattern=TASK_ID, description="Short id, e.g. T1; used in branch names.")
    title: str = Field(min_length=3)
    description: str = Field(min_length=3)
    depends_on: list[str] = Field(default_factory=list)
    criteria: list[str] = Field(default_factory=list)
    """The acceptance criteria this task serves (empty for work the factory makes up, such
    as answering a PR's review: that is judged on every criterion)."""
    checks: list[str] = Field(default_factory=list)
    """How the evaluator will know the task is done, agreed when it was planned."""

    def check_criteria(self) -> list[Criterion]:
        """The task's checks as criteria the evaluator judges: ids `<task>-check<n>`."""
        return [Criterion(id=f"{self.id}-check{n}", text=text)
                for n, text in enumerate(self.checks, 1)]


class PlannedTask(TaskSpec):
    """A task as the planner states it: the criteria it serves and its checks are required."""

    criteria: list[str] = Field(min_length=1, description=(
        "Ids of the acceptance criteria this task serves (every criterion needs a task)."))
    checks: list[str] = Field(min_length=1, max_length=8, description=(
        "How the evaluator will know this task is done: observable checks (a command and "
        "its expected output, a file and what it holds), agreed before the build starts."))


class Plan(BaseModel):
    spec: str = Field(min_length=10)
    acceptance_criteria: list[Criterion] = Field(min_length=1)
    tasks: list[PlannedTask] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Plan:
        ids = [t.id for t in self.tasks]
        if len(set(ids)) != len(ids):
            raise ValueError("task ids must be unique")
        crit_ids = [c.id for c in self.acceptance_criteria]
        if len(set(crit_ids)) != len(crit_ids):
            raise ValueError("acceptance criterion ids must be unique")
        known = set(ids)
        for task in self.tasks:
            unknown = [d for d in task.depends_on if d not in known]
            if unknown:
                raise ValueError(f"task {task.id} depends on unknown task(s) {', '.join(unknown)}")
        unknown_criteria = sorted({c for t in self.tasks for c in t.criteria} - set(crit_ids))
        if unknown_criteria:
            raise ValueError("tasks name unknown acceptance criteria "
                             f"{', '.join(unknown_criteria)} (known: {', '.join(crit_ids)})")
        uncovered = [c for c in crit_ids if not any(c in t.criteria for t in self.tasks)]
        if uncovered:
            raise ValueError(f"acceptance criteria {', '.join(uncovered)} are served by no "
                             "task: name each in some task's criteria")
        _check_acyclic({t.id: t.depends_on for t in self.tasks})
        return self

    def criteria_of(self, task: TaskSpec) -> list[Criterion]:
        """What the task's evaluation judges: the criteria it serves, then its checks."""
        served = [c for c in self.acceptance_criteria if c.id in task.criteria]
        return [*served, *task.check_criteria()]

    def serving(self, criterion: str) -> list[str]:
        return [t.id for t in self.tasks if criterion in t.criteria]


def _check_acyclic(graph: dict[str, list[str]]) -> None:
    done: set[str] = set()
    visiting: set[str] = set()

    def visit(node: str) -> None:
        if node in done:
            return
        if node in visiting:
            raise ValueError(f"task dependencies form a cycle through {node}")
        visiting.add(node)
        for dep in graph[node]:
            visit(dep)
        visiting.discard(node)
        done.add(node)

    for node in graph:
        visit(node)


class Questions(BaseModel):
    questions: list[str] = Field(min_length=1, max_length=5)


class Finish(BaseModel):
    summary: str = Field(min_length=3, description="What you changed and why, for the reviewers.")


class Finding(BaseModel):
    path: str
    line: int = Field(ge=0, description="Line in the new version of the file; 0 if file-level.")
    severity: Severity
    title: str = Field(min_length=3)
    body: str = Field(min_length=3)


class Review(BaseModel):
    verdict: Literal["approve", "changes"]
    findings: list[Finding] = Field(default_factory=list)

    @model_validator(mode="after")
    def _changes_need_findings(self) -> Review:
        if self.verdict == "changes" and not self.findings:
            raise ValueError("a 'changes' verdict needs at least one finding")
        return self

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity in ("critical", "major")]


class CriterionResult(BaseModel):
    id: str
    met: bool
    evidence: str = Field(min_length=3, description="What you ran or read, and what it showed.")


class Evaluation(BaseModel):
    verdict: Literal["pass", "fail"]
    criteria: list[CriterionResult] = Field(min_length=1)

    @field_validator("criteria")
    @classmethod
    def _unique(cls, value: list[CriterionResult]) -> list[CriterionResult]:
        ids = [c.id for c in value]
        if len(set(ids)) != len(ids):
            raise ValueError("each criterion id once")
        return value

    @property
    def all_met(self) -> bool:
        return all(c.met for c in self.criteria)


class MergedFinding(BaseModel):
    id: str
    path: str
    line: int
    severity: Severity
    title: str
    body: str
    reviewers: list[str] = Field(default_factory=list)
    """The reviewers (models) that reported this problem; more means more confidence."""
    also: list[str] = Field(default_factory=list)
    """How the other reviewers put it, when their titles differ."""

    @property
    def blocking(self) -> bool:
        return self.severity in ("critical", "major")

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def sort_key(self) -> tuple[Any, ...]:
        return (SEVERITY_RANK[self.severity], -len(self.reviewers), self.path, self.line)
