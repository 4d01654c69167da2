"""What the fake GitHub remembers: repositories, issues, PRs, comments, reviews, statuses."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fake_sha(*parts: object) -> str:
    return hashlib.sha1("\0".join(map(str, parts)).encode()).hexdigest()


@dataclass
class User:
    login: str
    id: int
    type: str = "User"
    """`User` or `Bot`."""
    association: str | None = None
    """Their author_association on the repository (None: worked out from who they are)."""


@dataclass
class Label:
    id: int
    name: str
    color: str = "ededed"
    description: str | None = None


@dataclass
class IssueRec:
    number: int
    id: int
    title: str
    body: str | None
    user: User
    labels: list[str] = field(default_factory=list)
    state: str = "open"
    is_pr: bool = False
    created: str = field(default_factory=now)
    updated: str = field(default_factory=now)
    closed: str | None = None
    author_association: str = "OWNER"


@dataclass
class CommentRec:
    id: int
    issue: int
    body: str
    user: User
    created: str = field(default_factory=now)
    updated: str = field(default_factory=now)


@dataclass
class PullRec:
    number: int
    head: str
    head_sha: str
    base: str
    base_sha: str
    draft: bool = False
    merged: bool = False
    merge_sha: str | None = None
    merged_at: str | None = None
    checked: tuple[str, str] | None = None
    """The (head, base) commits mergeability was computed for: another pair is a change, and
    the next read answers `mergeable: null` while GitHub computes it."""
    mergeable: bool | None = None
    """Whether head merges into base without conflicts, for `checked`."""


@dataclass
class ReviewRec:
    id: int
    pr: int
    user: User
    body: str
    state: str
    commit_id: str
    submitted: str = field(default_factory=now)


@dataclass
class ReviewCommentRec:
    id: int
    pr: int
    review_id: int | None
    path: str
    line: int | None
    body: str
    user: User
    commit_id: str
    in_reply_to: int | None = None
    created: str = field(default_factory=now)


@dataclass
class StatusRec:
    id: int
    sha: str
    state: str
    context: str
    description: str | None
    target_url: str | None
    user: User
    created: str = field(default_factory=now)


@dataclass
class Repo:
    owner: User
    name: str
    id: int
    default_branch: str = "main"
    issues: dict[int, IssueRec] = field(default_factory=dict)
    pulls: dict[int, PullRec] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)
    """Keyed by the lower-cased name: GitHub label names are case-insensitive."""
    comments: dict[int, CommentRec] = field(default_factory=dict)
    reviews: dict[int, ReviewRec] = field(default_factory=dict)
    review_comments: dict[int, ReviewCommentRec] = field(default_factory=dict)
    statuses: list[StatusRec] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)
    """Branch name → commit sha, as read from git_dir at every request."""
    git_dir: str = ""
    """A real (bare) repository whose branches are this repository's: what `git push` moves,
    what pull requests are computed from and what merges write to."""
    protected: dict[str, list[str]] = field(default_factory=dict)
    """Branch protection: branch → the status contexts that must be `success` to merge."""

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"

    def next_number(self) -> int:
        return len(self.issues) + 1


class Ids:
    """One counter for every id the fake hands out, so ids never collide across kinds."""

    def __init__(self) -> None:
        self._counter = itertools.count(1001)

    def __call__(self) -> int:
        return next(self._counter)
