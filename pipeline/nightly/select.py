"""What nightly picks up again: runs stopped for transient reasons (budget, model outage,
interruption) once they are old enough, and blocked runs whose ground has since moved (the base
branch advanced, or the issue was edited) — re-planned from the new base. Budgets decide last."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pipeline.config.settings import Budget
from pipeline.ledger.store import Ledger
from pipeline.observe.history import IssueView
from pipeline.steps.state import RunState, now_iso

Kind = Literal["retry", "replan"]
BaseHead = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Candidate:
    view: IssueView
    kind: Kind
    why: str
    new_base: str | None = None
    """For a re-plan: the commit the base branch points at now."""


@dataclass(frozen=True)
class Skipped:
    view: IssueView
    why: str


HEARTBEAT_GRACE = timedelta(minutes=15)
"""Beyond its slice, the time a job may take to start, set up and hand its outputs over."""


def silent_for(state: RunState, now: datetime, slice_minutes: float) -> timedelta | None:
    """How long a planning or building run has given no sign of life, when that is longer
    than a job's slice: its job died without recording anything (runner timeout, cancelled,
    killed), or the build it asked for never started."""
    if state.phase not in ("planning", "building") or not state.heartbeat:
        return None
    silence = now - datetime.fromisoformat(state.heartbeat)
    return silence if silence > timedelta(minutes=slice_minutes) + HEARTBEAT_GRACE else None


def select(views: list[IssueView], *, now: datetime, stale_after: timedelta,
           base_head: BaseHead, slice_minutes: float = 45
           ) -> tuple[list[Candidate], list[Skipped]]:
    """Candidates oldest activity first, and stuck issues left alone with the reason."""
    candidates: list[Candidate] = []
    skipped: list[Skipped] = []
    for view in views:
        state = view.state
        if state is None or view.issue.state == "closed":
            continue
        silence = silent_for(state, now, slice_minutes)
        if silence is not None:
            candidates.append(Candidate(view, "retry", f"no sign of life for {_ago(silence)} "
                                        f"while {state.phase}: its job ended unrecorded"))
            continue
        if not view.stuck:
            continue
        if state.phase == "stopped":
            age = now - view.last_activity if view.last_activity else None
            if age is not None and age < stale_after:
                skipped.append(Skipped(view, f"stopped {_ago(age)} ago; retried once older than "
                                             f"{_ago(stale_after)}"))
            else:
                candidates.append(Candidate(view, "retry", state.reason or "stopped"))
            continue
        change = what_changed(view, state, base_head)
        if change is None:
            skipped.append(Skipped(view, f"blocked, nothing changed since: {state.reason or '-'}"))
        else:
            candidates.append(Candidate(view, "replan", change[0], new_base=change[1]))
    oldest = datetime.min.replace(tzinfo=now.tzinfo)
    candidates.sort(key=lambda c: (c.view.last_activity or oldest, c.view.number))
    return candidates, skipped


def what_changed(view: IssueView, state: RunState,
                 base_head: BaseHead) -> tuple[str, str] | None:
    """(why, new base commit) when the blocked run's inputs moved; None when they did not."""
    head = base_head(state.base_branch)
    if head and head != state.base_commit:
        return (f"base branch {state.base_branch} moved from {state.base_commit[:8]} to "
                f"{head[:8]}", head)
    if view.issue.body.strip() and view.issue.body.strip() != state.brief.strip():
        return "the issue was edited since it was planned", head or state.base_commit
    return None


@dataclass(frozen=True)
class Allowance:
    """How much one retry may spend, or why it may not start at all."""

    budget_usd: float | None
    refused: str | None = None


def allowance(view: IssueView, budget: Budget, ledger: Ledger, now: datetime) -> Allowance:
    """Never past the daily cap, never on an issue already at its own cap."""
    room: list[float] = [budget.per_job_usd] if budget.per_job_usd is not None else []
    if budget.per_issue_usd is not None:
        if view.cost_usd >= budget.per_issue_usd:
            return Allowance(None, f"over its budget: ${view.cost_usd:.4f} spent of "
                                   f"${budget.per_issue_usd:.2f} per issue")
        room.append(budget.per_issue_usd - view.cost_usd)
    if budget.per_day_usd is not None:
        spent = ledger.day_totals(now.date()).cost_usd
        if spent >= budget.per_day_usd:
            return Allowance(None, f"daily budget spent: ${spent:.4f} of "
                                   f"${budget.per_day_usd:.2f} today (UTC)")
        room.append(budget.per_day_usd - spent)
    return Allowance(min(room) if room else None)


def reset_for_replan(state: RunState, new_base: str | None, brief: str) -> None:
    """Forget the plan and tasks; keep the issue, its PR and its runs."""
    state.plan, state.tasks, state.final_rounds = None, {}, 0
    state.criteria, state.started_at = {}, now_iso()
    state.brief = brief.strip() or state.brief
    if new_base:
        state.base_commit = new_base
    state.phase, state.reason = "planning", None


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"
