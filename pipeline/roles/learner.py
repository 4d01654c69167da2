"""Learner: a merged PR's history → short, actionable lessons with evidence (no tools)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from pipeline.agent.tools import finishing_tool
from pipeline.memory.lesson import Check
from pipeline.roles.base import RoleContext, run_agent


class LessonProposal(BaseModel):
    kind: Literal["mistake", "fix", "pattern", "preference"]
    trigger: str = Field(min_length=10, max_length=300,
                         description="When the lesson applies: 'when <situation>'.")
    insight: str = Field(min_length=15, max_length=600,
                         description="What to do and why: 'do <action>, because <reason>'.")
    evidence: str = Field(min_length=10, max_length=600,
                          description="What in this PR shows it: a finding, a failed command.")
    tags: list[str] = Field(default_factory=list, max_length=8)
    paths: list[str] = Field(default_factory=list, max_length=10,
                             description="Files or globs the lesson is about.")
    check: Check | None = Field(default=None, description="A regex over added lines that "
                                "catches the mistake in a commit, with a file glob; only if "
                                "precise.")


class Lessons(BaseModel):
    lessons: list[LessonProposal] = Field(max_length=10)


@dataclass(frozen=True)
class LearnInput:
    spec: str
    history: str
    """Findings, evaluations, review threads and failed commands of the PR, as text."""
    diff: str


def propose_lessons(ctx: RoleContext, given: LearnInput) -> list[LessonProposal]:
    finish = finishing_tool("submit_lessons", "Submit the lessons (an empty list if none).",
                            Lessons)
    result: Lessons = run_agent(ctx, role="learner", tools=[], finish=finish,
                                variables={"spec": given.spec, "history": given.history,
                                           "diff": given.diff})
    return result.lessons
