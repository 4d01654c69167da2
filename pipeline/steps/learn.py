"""From a merged PR to lessons in memory: gather its history, ask the learner, filter, store.

Lessons are written only from PRs merged into the default branch, with provenance; their ids
are content-derived, so learning from the same PR twice adds nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core import git
from pipeline.core.errors import BadInput
from pipeline.forge.protocol import Forge
from pipeline.forge.types import may_steer
from pipeline.memory.lesson import Lesson, Source
from pipeline.roles.base import RoleContext
from pipeline.roles.learner import LearnInput, propose_lessons
from pipeline.steps.state import RunState

FAILED_RUN = re.compile(r"^exit code ([1-9]\d*)")


@dataclass
class LearnResult:
    pr: int
    added: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    """(trigger, why) for proposals that were not stored."""


def failed_commands(trajectories: list[Path], limit: int = 6) -> list[str]:
    """Commands the agents ran that failed, from their saved conversations."""
    found: list[str] = []
    for path in trajectories:
        try:
            messages = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        calls = {c["id"]: c for m in messages if m.get("role") == "assistant"
                 for c in (m.get("tool_calls") or [])}
        for message in messages:
            content = message.get("content")
            if message.get("role") != "tool" or not isinstance(content, str):
                continue
            if FAILED_RUN.match(content) and message.get("tool_call_id") in calls:
                command = calls[message["tool_call_id"]]["function"]["arguments"]
                found.append(f"{command[:300]} → {content[:600]}")
    return found[:limit]


def pr_history(forge: Forge, pr: int, trajectories: list[Path],
               allowed: Iterable[str] = ()) -> str:
    """What happened on the PR, as said by the factory and by people who may steer it:
    a stranger's comment must not become a lesson."""
    def heard(author: str | None, association: str | None, by_factory: bool) -> bool:
        return by_factory or may_steer(author, association, allowed)

    parts: list[str] = []
    for review in forge.reviews(pr):
        if not heard(review.author, review.author_association, review.by_factory):
            continue
        parts.append(f"Review ({review.verdict}) by {review.author}:\n{review.body}")
        parts += [f"  inline {c.path}:{c.line}: {c.body}" for c in review.comments]
    threads = [c for c in forge.review_comments(pr)
               if (c.in_reply_to is not None or not c.by_factory)
               and heard(c.author, c.author_association, c.by_factory)]
    parts += [f"Thread comment by {c.author} on {c.path}:{c.line}: {c.body}" for c in threads]
    parts += [f"Comment by {c.author}:\n{c.body}" for c in forge.comments(pr)
              if heard(c.author, c.author_association, c.by_factory)]
    parts += [f"Failed command: {line}" for line in failed_commands(trajectories)]
    return "\n\n".join(parts)[-30_000:]


def learn_from_pr(ctx: RoleContext, forge: Forge, pr_number: int, *, default_branch: str,
                  spec: str, diff: str, merge_commit: str | None, repo_name: str,
                  issue: int | None, trajectories: list[Path]) -> LearnResult:
    pr = forge.get_pr(pr_number)
    if not pr.merged:
        raise BadInput(f"#{pr_number} is not merged: lessons come only from merged pull requests")
    if pr.base != default_branch:
        raise BadInput(f"#{pr_number} was merged into {pr.base}, not {default_branch}: lessons "
                       "come only from the default branch")
    proposals = propose_lessons(ctx, LearnInput(spec, pr_history(forge, pr_number, trajectories,
                                                               ctx.config.allowed_actors),
                                                diff))
    by = ctx.config.models.for_role("learner")
    lessons = [Lesson(**p.model_dump(), source=Source(repo=repo_name, issue=issue, pr=pr_number,
                                                       commit=merge_commit, by=by))
               for p in proposals]
    result = LearnResult(pr=pr_number)
    if not lessons:
        return result
    from pipeline.memory.store import open_store
    from pipeline.memory.vetting import rejection_reason

    with open_store(ctx.repo, ctx.config) as store:
        fresh: list[Lesson] = []
        for lesson in lessons:
            if store.get(lesson.id) is not None:
                result.known.append(lesson.id)
            elif why := rejection_reason(lesson, store):
                result.rejected.append((lesson.trigger, why))
            else:
                fresh.append(lesson)
        result.added = store.add(fresh)
    return result


def local_trajectories(repo: Path, runs: list[str]) -> list[Path]:
    """The saved conversations of the given local runs."""
    folder = repo / ".factory" / "runs"
    return [path for run in runs for path in sorted((folder / run).glob("*.json"))]


def learn_merged_locally(ctx: RoleContext, forge: Forge, state: RunState,
                         merge_commit: str | None) -> LearnResult:
    """Lessons from a run's PR merged in the local repository: the merge's diff and the runs'
    saved conversations are its history."""
    assert state.plan is not None and state.pr is not None
    diff = git.git(ctx.repo, "diff", f"{merge_commit}^1", merge_commit) if merge_commit else ""
    return learn_from_pr(ctx, forge, state.pr, default_branch=state.base_branch,
                         spec=state.plan.spec, diff=diff, merge_commit=merge_commit,
                         repo_name=ctx.repo.name, issue=state.issue,
                         trajectories=local_trajectories(ctx.repo, state.runs))
