"""One digest issue per UTC day: found again by its label and date, edited in place.

Its body ends with a hidden marker holding what nightly did that day, so a second run the
same day adds to the record instead of replacing it."""

from __future__ import annotations

from datetime import date
from typing import Any

from pipeline.forge.select import DIGEST_LABEL, TrackerForge
from pipeline.forge.tracking import hidden, read_hidden
from pipeline.forge.types import Issue
from pipeline.observe import mermaid
from pipeline.observe.digest import Digest
from pipeline.observe.templating import render


def day_title(day: date) -> str:
    return f"Factory digest {day.isoformat()}"


def title(digest: Digest) -> str:
    return day_title(digest.day)


def charts(digest: Digest) -> list[str]:
    found = [
        mermaid.pie("Cost by role (USD)",
                    [(role, t.cost_usd) for role, t in digest.by_role.items()]),
        mermaid.pie("Cost by model (USD)",
                    [(model, t.cost_usd) for model, t in digest.by_model.items()]),
        mermaid.bars(f"Daily cost, last {len(digest.daily)} days (USD)", "USD", digest.daily,
                     digest.per_day_cap),
        mermaid.pie("Issues today", [("planned", len(digest.planned)),
                                     ("built", len(digest.built)),
                                     ("merged", len(digest.merged)),
                                     ("blocked", len(digest.blocked))]),
    ]
    return [chart for chart in found if chart]


def body(digest: Digest) -> str:
    state = {"day": digest.day.isoformat(), "actions": digest.actions}
    return render("digest.md.j2", d=digest, charts=charts(digest),
                  marker=hidden("digest", state))


def parse(text: str) -> dict[str, Any] | None:
    return read_hidden("digest", text)


def find(forge: TrackerForge, digest: Digest) -> Issue | None:
    return find_day(forge, digest.day)


def find_day(forge: TrackerForge, day: date) -> Issue | None:
    """The day's digest: labelled, and naming the day in its marker or title; oldest first."""
    for issue in sorted(forge.list_issues([DIGEST_LABEL], state="all"), key=lambda i: i.number):
        state = parse(issue.body)
        if (state or {}).get("day") == day.isoformat() or issue.title == day_title(day):
            return issue
    return None


def earlier_actions(issue: Issue | None) -> list[dict[str, Any]]:
    state = parse(issue.body) if issue else None
    actions = (state or {}).get("actions")
    return [a for a in actions if isinstance(a, dict)] if isinstance(actions, list) else []


def merge_actions(earlier: list[dict[str, Any]],
                  now: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Earlier runs' actions then this run's; a repeat of the same (issue, action, why) once."""
    seen, merged = set(), []
    for action in [*earlier, *now]:
        key = (action.get("issue"), action.get("action"), action.get("why"))
        if key not in seen:
            seen.add(key)
            merged.append(action)
    return merged


def upsert(forge: TrackerForge, digest: Digest) -> tuple[int, bool]:
    """(issue number, created?) after writing the day's digest."""
    existing = find(forge, digest)
    digest.actions = merge_actions(earlier_actions(existing), digest.actions)
    text = body(digest)
    if existing is None:
        return forge.create_issue(title(digest), text, [DIGEST_LABEL]).number, True
    if existing.body != text:
        forge.edit_issue(existing.number, body=text)
    return existing.number, False
