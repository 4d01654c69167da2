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


def review(ctx: RoleContext, given: ReviewInput) -> Review:
    finish = finishing_tool("submit_review", "Submit your verdict and findings.", Review)
    result: Review = run_agent(
        ctx, role="reviewer", tools=given.workspace.read_only_tools(), finish=finish,
        task=given.task.id, model=given.model,
        variables={"spec": given.spec, "criteria": given.criteria, "task": given.task,
                   "diff": given.diff, "focus": given.focus, "left_out": list(given.left_out)},
        query=f"{given.focus} review: {given.task.title}")
    return result
