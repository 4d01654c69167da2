"""What every role shares: the context it runs in and the one way to run its agent."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.agent.deadline import Deadline
from pipeline.agent.loop import Agent
from pipeline.agent.tools import Tool, Toolbox
from pipeline.agent.workspace import PathArg, Workspace
from pipeline.config.settings import Config
from pipeline.roles import prompts
from pipeline.roles.handoff import NoteKeeper, ResetHook, RoleHandoff

if TYPE_CHECKING:
    from pipeline.agent.model import ModelClient

LessonSource = Callable[[str, Sequence[str]], tuple[str, list[str]]]


def no_lessons(_query: str, _paths: Sequence[str]) -> tuple[str, list[str]]:
    return "", []


@dataclass
class RoleContext:
    config: Config
    model: ModelClient
    repo: Path
    """The target repository's root: prompt overrides and lessons live there."""
    trajectories: Path | None = None
    lessons: LessonSource = no_lessons
    """(query, paths) → (prompt text, lesson ids); ids are recorded as used."""
    used_lessons: list[tuple[str, str | None, str]] = field(default_factory=list)
    """(role, task, lesson id) for every lesson injected, for the ledger."""
    on_reset: ResetHook | None = None
    """Told of every context reset (role, task, note, why): the run state counts them."""
    deadline: Deadline | None = None
    """When this job's slice ends; None when it has no slices."""


def repo_overview(workspace: Workspace, limit: int = 200) -> str:
    listing = workspace.list_files(PathArg(path="."))
    lines = listing.splitlines()
    return "\n".join(lines[:limit]) + (f"\n[... {len(lines) - limit} more files]"
                                       if len(lines) > limit else "")


def run_agent(ctx: RoleContext, *, role: str, variables: dict[str, Any], tools: Sequence[Tool],
              finish: Tool, task: str | None = None, model: str | None = None,
              query: str = "", paths: Sequence[str] = (), branch: Path | None = None,
              resume_note: str = "", sliced: bool = False) -> Any:
    """The role's agent to its finishing tool. branch: the worktree whose state a fresh
    context is shown after a reset; resume_note: a handoff note from an earlier slice, to
    start from instead of the plain opening; sliced: the role stops with SliceEnded (and its
    note) when the job's slice ends."""
    lesson_text, lesson_ids = ctx.lessons(query, paths) if query else ("", [])
    ctx.used_lessons.extend((role, task, lesson_id) for lesson_id in lesson_ids)
    system, user = prompts.render(role, {**variables, "lessons": lesson_text}, ctx.repo)
    toolbox = Toolbox([*tools, finish], ctx.config.limits.tool_output_chars)
    name = f"{role}-{task}" if task else role
    if model:
        name += "-" + model.replace("/", "_")
    keeper = NoteKeeper(ctx.model, ctx.trajectories / "handoffs" if ctx.trajectories else None,
                        ctx.on_reset)
    handoff = RoleHandoff(role, task, user, ctx.repo, branch, keeper)
    agent = Agent(ctx.model, toolbox, role=role, finish=finish.name,
                  max_steps=ctx.config.limits.max_steps,
                  format_retries=ctx.config.limits.format_retries, task=task, model_name=model,
                  trajectory=ctx.trajectories / f"{name}.json" if ctx.trajectories else None,
                  handoff=handoff, reset_at=ctx.config.limits.reset_at,
                  deadline=ctx.deadline if sliced else None)
    return agent.run(system, handoff.resume(resume_note) if resume_note else user)
