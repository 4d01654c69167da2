"""Reviewer: reads the diff (and the whole repo, read-only) with one focus; returns findings."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.agent.tools import finishing_tool
from pipeline.agent.workspace import Workspace
from pipeline.roles.base import RoleContext, run_agent
from pipeline.roles.schemas import Criterion, Review, TaskSpec


@dataclass(frozen=True)
class ReviewInput:
    spec: str
    criteria: list[Criterion]
    task: TaskSpec
    diff: str
    workspace: Workspace
    model: str
    focus: str = "correctness"
    left_out: tuple[str, ...] = ()
    """Files of the change not shown in the diff (too large for the context), to read by tool."""
    omitted: tuple[str, ...] = ()
    """What was dropped from the diff on purpose (deletion-only hunks, deleted or binary files)."""
    changed: tuple[str, ...] = ()
    """The change's files; when given, findings must name one of them or an existing file."""


def review(ctx: RoleContext, given: ReviewInput) -> Review:
    known = set(given.changed)

    def names_real_files(result: Review) -> None:
        unknown = sorted({f.path for f in result.findings if f.path not in known
                          and not (given.workspace.root / f.path).is_file()})
        if known and unknown:
            raise ValueError(f"findings name files that are neither changed nor in the "
                             f"repository: {', '.join(unknown)}; use paths relative to the root")

    finish = finishing_tool("submit_review", "Submit your verdict and findings.", Review,
                            check=names_real_files)
    result: Review = run_agent(
        ctx, role="reviewer", tools=given.workspace.read_only_tools(), finish=finish,
        task=given.task.id, model=given.model,
        variables={"spec": given.spec, "criteria": given.criteria, "task": given.task,
                   "diff": given.diff, "focus": given.focus, "left_out": list(given.left_out),
                   "omitted": list(given.omitted)},
        query=f"{given.focus} review: {given.task.title}", paths=list(given.changed))
    return result
