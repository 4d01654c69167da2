"""Plain records the Forge protocol speaks in, the same for GitHub and the embedded forge."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

PHASES = ("planning", "building", "review", "blocked", "done")
NEEDS_HUMAN = "factory:needs-human"
"""A protected path changed, or detection flagged the change: held until a person looks."""
WRITE_ACCESS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
"""GitHub author associations of people who may trigger, and so steer, the factory."""
Verdict = Literal["approve", "changes", "comment"]


def phase_label(phase: str) -> str:
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}; expected one of {', '.join(PHASES)}")
    return f"factory:{phase}"


@dataclass(frozen=True)
class Issue:
    number: int
    title: str
    body: str
    labels: tuple[str, ...] = ()
    state: Literal["open", "closed"] = "open"
    author: str | None = None
    author_association: str | None = None


@dataclass(frozen=True)
class Comment:
    id: int
    number: int
    """The issue or PR the comment belongs to."""
    body: str
    author: str | None = None
    path: str | None = None
    """Set for inline review comments: the file they are anchored to."""
    line: int | None = None
    in_reply_to: int | None = None
    review_id: int | None = None
    by_factory: bool = False
    author_association: str | None = None
    """GitHub's OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE, ...; OWNER locally."""


def may_steer(author: str | None, association: str | None, allowed: Iterable[str] = ()) -> bool:
    """Whether what this author wrote may direct the factory: write access, or allowed_actors."""
    return association in WRITE_ACCESS or (author or "").lower() in {a.lower() for a in allowed}


@dataclass(frozen=True)
class PullRequest:
    number: int
    title: str
    body: str
    head: str
    base: str
    head_sha: str | None = None
    state: Literal["open", "closed"] = "open"
    merged: bool = False
    draft: bool = False
    labels: tuple[str, ...] = ()
    mergeable: bool | None = None
    """Whether head merges into base cleanly; None while unknown (GitHub still computing it,
    or a forge that does not say)."""
    mergeable_state: str | None = None
    """GitHub's word for it: `clean`, `dirty` (conflicts), `blocked` (branch protection), ..."""


@dataclass(frozen=True)
class InlineComment:
    path: str
    line: int
    body: str


@dataclass(frozen=True)
class Review:
    id: int
    pr: int
    commit: str | None
    verdict: Verdict
    body: str
    author: str | None = None
    comments: tuple[InlineComment, ...] = field(default_factory=tuple)
    author_association: str | None = None
    by_factory: bool = False
