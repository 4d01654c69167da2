"""Lessons reach the repository as code does: committed to `factory/lessons`, in a draft PR.

`.factory/lessons.jsonl` is the source of truth and is reviewed like code, so the writer never
commits to the default branch: it appends the lessons not already known (ids are
content-derived) on one rolling branch and keeps one PR open for it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from pipeline.actions.outputs import commits
from pipeline.core import git
from pipeline.memory.lesson import Lesson, parse_lines, to_line

BRANCH = "factory/lessons"
FILE = ".factory/lessons.jsonl"


def validate(raw: list[dict[str, Any]]) -> list[Lesson]:
    return [Lesson.model_validate(item) for item in raw]


def _known(repo: Path, commit: str) -> tuple[str, set[str]]:
    result = git.git_result(repo, "show", f"{commit}:{FILE}")
    text = result.stdout if result.ok else ""
    if text and not text.endswith("\n"):
        text += "\n"
    return text, {lesson.id for lesson in parse_lines(text, f"{commit}:{FILE}")}


def start_point(repo: Path) -> str:
    """The open lessons branch, unless a person merged it: then the default branch."""
    branch = commits.remote_sha(repo, BRANCH) if commits.has_origin(repo) else (
        git.head(repo, BRANCH) if git.branch_exists(repo, BRANCH) else None)
    base = git.head(repo)
    if branch and not git.git_result(repo, "merge-base", "--is-ancestor", branch, base).ok:
        return branch
    return base


def commit_lessons(repo: Path, lessons: list[Lesson], pr: int) -> tuple[bool, list[Lesson]]:
    """Push the unknown lessons onto BRANCH: (whether BRANCH waits for a merge, lessons added)."""
    start = start_point(repo)
    text, known = _known(repo, start)
    _, on_default = _known(repo, "HEAD")
    fresh = [x for x in lessons if x.id not in known | on_default]
    fresh = list({x.id: x for x in fresh}.values())
    if not fresh:
        return start != git.head(repo), []
    with tempfile.TemporaryDirectory(prefix="factory-lessons-") as tmp:
        worktree = Path(tmp) / "wt"
        git.git(repo, "worktree", "add", "-q", "--detach", str(worktree), start)
        try:
            target = worktree / FILE
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text + "".join(to_line(x) for x in fresh), encoding="utf-8")
            git.git(worktree, "add", "-f", FILE)
            sha = git.commit_all(worktree, f"factory: {len(fresh)} lesson(s) from #{pr}")
        finally:
            git.git(repo, "worktree", "remove", "--force", str(worktree), check=False)
    assert sha is not None
    commits.push(repo, {BRANCH: sha})
    return True, fresh


def pr_body(lessons: list[Lesson], pr: int) -> str:
    lines = [f"Lessons the factory learned from #{pr}. Merge to make every role read them.", ""]
    lines += [f"- **{x.kind}** `{x.id}` — when {x.trigger}: {x.insight}" for x in lessons]
    return "\n".join(lines)
