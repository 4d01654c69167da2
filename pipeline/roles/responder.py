"""Responder: the generator answering a review — fixes what it agrees with, answers each thread.

It has the generator's tools and ends with the same `finish`, whose optional `replies` carry
one answer per review thread."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from pipeline.agent.tools import finishing_tool
from pipeline.agent.workspace import Workspace
from pipeline.roles.base import RoleContext, repo_overview, run_agent
from pipeline.roles.schemas import Criterion, Finish, MergedFinding, TaskSpec


class ThreadReply(BaseModel):
    thread: int = Field(description="The id of the thread you answer, as listed.")
    fixed: bool = Field(description="True when your change fixes what the thread asks for.")
    reply: str = Field(min_length=3, description="What you changed, or why you did not.")


class RespondFinish(Finish):
    replies: list[ThreadReply] = Field(default_factory=list)
    """One answer per thread listed in the task."""


@dataclass(frozen=True)
class Thread:
    id: int
    """The thread's first comment: replies go to it."""
    path: str | None
    line: int | None
    by_person: bool
    """Started or last spoken in by a person: outranks the panel."""
    messages: list[tuple[str, str]]
    """(author, text), oldest first."""
    finding: MergedFinding | None = None


@dataclass(frozen=True)
class RespondInput:
    spec: str
    criteria: list[Criterion]
    task: TaskSpec
    workspace: Workspace
    findings: list[MergedFinding]
    threads: list[Thread] = field(default_factory=list)
    evaluation: str = ""
    """The last evaluation's failures, empty when it passed (or has not run)."""
    notes: list[tuple[str, str]] = field(default_factory=list)
    """(author, text) of people's review summaries: no thread to answer, but they count."""


def respond(ctx: RoleContext, given: RespondInput) -> RespondFinish:
    ws = given.workspace
    listed = {t.id for t in given.threads}

    def answers_known_threads(result: RespondFinish) -> None:
        unknown = sorted({r.thread for r in result.replies} - listed)
        if unknown:
            raise ValueError(f"no thread {unknown}: answer only the threads listed "
                             f"({sorted(listed) or 'none'})")

    def ready(args: RespondFinish) -> None:
        answers_known_threads(args)
        ws.ready_to_commit()

    finish = finishing_tool("finish", "Declare the review answered: a summary of the change, "
                            "and one reply per listed thread.", RespondFinish, check=ready)
    people = [t for t in given.threads if t.by_person]
    panel = [t for t in given.threads if not t.by_person]
    result: RespondFinish = run_agent(
        ctx, role="responder", tools=[*ws.read_only_tools(), *ws.write_tools(), ws.run_tool()],
        finish=finish, task=given.task.id,
        variables={"spec": given.spec, "criteria": given.criteria, "task": given.task,
                   "findings": given.findings, "people": people, "panel_threads": panel,
                   "evaluation": given.evaluation, "notes": given.notes,
                   "repo_files": repo_overview(ws),
                   "test_command": ctx.config.test_command},
        query="\n".join([given.task.title, *(f.title for f in given.findings)]),
        paths=sorted({f.path for f in given.findings}), branch=ws.root)
    return result
