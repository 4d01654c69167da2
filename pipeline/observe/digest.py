"""The day's digest: planned, built, merged, blocked, cost, pass rates, lessons, nightly's actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pipeline.core.errors import FactoryError
from pipeline.forge.select import TrackerForge
from pipeline.ledger.store import Ledger, Scope, Totals
from pipeline.memory.lesson import Lesson
from pipeline.observe.history import IssueView, PrRecord, lessons_created, pr_record

HISTORY_DAYS = 14


@dataclass(frozen=True)
class Rate:
    ok: int = 0
    total: int = 0

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.ok + other.ok, self.total + other.total)

    @property
    def text(self) -> str:
        return f"{self.ok}/{self.total} ({100 * self.ok / self.total:.0f}%)" if self.total else "-"


@dataclass(frozen=True)
class Line:
    number: int
    title: str
    note: str


@dataclass
class Digest:
    day: date
    planned: list[Line] = field(default_factory=list)
    built: list[Line] = field(default_factory=list)
    merged: list[Line] = field(default_factory=list)
    blocked: list[Line] = field(default_factory=list)
    cost: Totals = field(default_factory=Totals)
    by_role: dict[str, Totals] = field(default_factory=dict)
    by_model: dict[str, Totals] = field(default_factory=dict)
    daily: list[tuple[str, float]] = field(default_factory=list)
    per_day_cap: float | None = None
    evaluations: Rate = field(default_factory=Rate)
    reviews: Rate = field(default_factory=Rate)
    first_round: Rate = field(default_factory=Rate)
    lessons_added: list[Lesson] = field(default_factory=list)
    lessons_note: str | None = None
    memory: str = "not run"
    actions: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(),
                "planned": [x.number for x in self.planned],
                "built": [x.number for x in self.built],
                "merged": [x.number for x in self.merged],
                "blocked": {str(x.number): x.note for x in self.blocked},
                "cost_usd": round(self.cost.cost_usd, 6),
                "cost_by_role": {k: round(v.cost_usd, 6) for k, v in self.by_role.items()},
                "cost_by_model": {k: round(v.cost_usd, 6) for k, v in self.by_model.items()},
                "evaluation_pass_rate": self.evaluations.text,
                "review_approval_rate": self.reviews.text,
                "first_round_rate": self.first_round.text,
                "lessons_added": [x.id for x in self.lessons_added],
                "memory": self.memory}


def collect(day: date, views: list[IssueView], forge: TrackerForge, ledger: Ledger,
            repo: Path, acted_on: set[int]) -> Digest:
    digest = Digest(day)
    scope = Scope(day=day)
    roles: dict[int, set[str]] = {}
    for call in ledger.calls(scope):
        if call.issue is not None:
            roles.setdefault(call.issue, set()).add(call.role)
    records: list[PrRecord] = []
    for view in views:
        active = view.number in roles or view.number in acted_on
        if view.stuck:
            digest.blocked.append(Line(view.number, view.issue.title,
                                       f"{view.phase}: {view.state.reason if view.state else ''}"))
        if not active or view.state is None:
            continue
        state, did = view.state, roles.get(view.number, set())
        passed = [t for t in state.tasks.values() if t.status == "passed"]
        if "planner" in did:
            digest.planned.append(Line(view.number, view.issue.title, f"{len(state.tasks)} task(s)"))
        if "generator" in did:
            digest.built.append(Line(view.number, view.issue.title,
                                     f"{len(passed)}/{len(state.tasks)} task(s) passed"))
        if state.phase == "done":
            digest.merged.append(Line(view.number, view.issue.title,
                                      f"PR #{state.pr}" if state.pr else "merged"))
        digest.first_round += Rate(sum(1 for t in passed if t.rounds <= 1), len(passed))
        if state.pr is not None:
            records.append(pr_record(forge, state.pr))
    for record in records:
        digest.evaluations += Rate(record.evaluations.get("pass", 0),
                                   sum(record.evaluations.values()))
        digest.reviews += Rate(record.reviews.get("approve", 0),
                               record.reviews.get("approve", 0) + record.reviews.get("changes", 0))
    digest.cost = ledger.totals(scope)
    digest.by_role, digest.by_model = ledger.by_role(scope), ledger.by_model(scope)
    digest.daily = [(d.strftime("%m-%d"), ledger.day_totals(d).cost_usd)
                    for d in (day - timedelta(days=n) for n in range(HISTORY_DAYS - 1, -1, -1))]
    try:
        digest.lessons_added = lessons_created(repo, day)
    except FactoryError as exc:
        digest.lessons_note = f"lessons unreadable: {exc.message}"
    return digest
