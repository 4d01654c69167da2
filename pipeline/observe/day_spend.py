"""What the factory spent today across Actions jobs, kept in the day's digest issue.

Every Actions job starts with an empty ledger, so no job can see what the others spent. The
writer adds each job's cost to the hidden marker of the day's digest issue (once per outputs),
and the next jobs, and nightly, read it back for `budget.per_day_usd`."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pipeline.forge.select import DIGEST_LABEL, TrackerForge
from pipeline.forge.tracking import hidden
from pipeline.observe.digest_issue import day_title, find_day, parse

MAX_JOBS = 300
PLACEHOLDER = ("The factory's spend today so far is recorded here; `factory nightly` writes the "
               "day's digest into this issue.")


def today() -> date:
    return datetime.now(UTC).date()


def spent(forge: TrackerForge, day: date) -> float:
    issue = find_day(forge, day)
    state = parse(issue.body) if issue else None
    return float((state or {}).get("spent_usd") or 0.0)


def add(forge: TrackerForge, day: date, cost_usd: float, job_key: str) -> bool:
    """Count one job's cost into the day; False when that job was counted already."""
    issue = find_day(forge, day)
    state = (parse(issue.body) if issue else None) or {"day": day.isoformat(), "actions": []}
    jobs = [str(key) for key in state.get("jobs") or []]
    if job_key in jobs:
        return False
    state = {**state, "spent_usd": round(float(state.get("spent_usd") or 0.0) + cost_usd, 6),
             "jobs": [*jobs, job_key][-MAX_JOBS:]}
    if issue is None:
        forge.create_issue(day_title(day), f"{PLACEHOLDER}\n\n{hidden('digest', state)}",
                           [DIGEST_LABEL])
    else:
        visible = issue.body.split("<!-- factory:digest ", 1)[0].rstrip()
        forge.edit_issue(issue.number, body=f"{visible}\n\n{hidden('digest', state)}\n")
    return True
