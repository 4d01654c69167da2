"""`factory report`: one self-contained HTML page (inline CSS, JS and SVG; nothing fetched) for an
issue or a period — phases in time, cost by role and model, review findings, lessons used."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.core.errors import FactoryError
from pipeline.forge.select import TrackerForge
from pipeline.ledger.store import Call, Ledger, Scope, Totals, utc_now
from pipeline.observe.history import Finding, IssueView, issue_views, lessons_created, pr_record
from pipeline.observe.templating import render
from pipeline.observe.timeline import PHASE_OF_ROLE, Timeline, build


@dataclass(frozen=True)
class Bar:
    name: str
    totals: Totals
    share: float
    """Percent of the largest bar."""
    phase: str
    """Colour class: a role's phase; models all share one."""


@dataclass(frozen=True)
class LessonUsed:
    lesson_id: str
    role: str
    task: str | None
    run_id: str
    insight: str


@dataclass
class ReportData:
    title: str
    scope: str
    generated: str
    totals: Totals
    by_role: list[Bar]
    by_model: list[Bar]
    timeline: Timeline
    issues: list[IssueView] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    evaluations: dict[str, int] = field(default_factory=dict)
    lessons: list[LessonUsed] = field(default_factory=list)
    failures: list[Call] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def sum_calls(calls: Iterable[Call]) -> Totals:
    items = list(calls)
    return Totals(calls=len(items), failed=sum(1 for c in items if not c.ok),
                  input_tokens=sum(c.input_tokens for c in items),
                  cached_input_tokens=sum(c.cached_input_tokens for c in items),
                  output_tokens=sum(c.output_tokens for c in items),
                  cost_usd=sum(c.cost_usd for c in items),
                  latency_s=sum(c.latency_s for c in items),
                  cacheable_prompt_tokens=sum(c.cacheable_prompt_tokens for c in items))


def bars(calls: list[Call], key: str) -> list[Bar]:
    groups: dict[str, list[Call]] = {}
    for call in calls:
        groups.setdefault(str(getattr(call, key)), []).append(call)
    totals = {name: sum_calls(group) for name, group in groups.items()}
    top = max((t.cost_usd for t in totals.values()), default=0.0)
    return [Bar(name, t, 100 * t.cost_usd / top if top else 0.0,
                PHASE_OF_ROLE.get(name, "other") if key == "role" else "planning")
            for name, t in sorted(totals.items(), key=lambda kv: -kv[1].cost_usd)]


def scoped_calls(ledger: Ledger, issue: int | None, since: date | None) -> list[Call]:
    calls = ledger.calls(Scope(issue=issue))
    return [c for c in calls if since is None or c.ts.date() >= since]


def collect(repo: Path, forge: TrackerForge | None, ledger: Ledger, trigger_label: str, *,
            issue: int | None = None, since: date | None = None) -> ReportData:
    calls = scoped_calls(ledger, issue, since)
    scope = (f"issue #{issue}" if issue is not None
             else f"since {since.isoformat()}" if since else "all time")
    data = ReportData(title=f"Dark Factory report — {scope}", scope=scope,
                      generated=utc_now().isoformat(timespec="seconds"),
                      totals=sum_calls(calls), by_role=bars(calls, "role"),
                      by_model=bars(calls, "model"), timeline=build(calls),
                      failures=[c for c in calls if not c.ok][-20:])
    if forge is not None:
        touched = {c.issue for c in calls}
        views = issue_views(forge, ledger, trigger_label)
        data.issues = [v for v in views if (v.number == issue if issue is not None
                                            else since is None or v.number in touched)]
        for view in data.issues:
            if view.state is not None and view.state.pr is not None:
                record = pr_record(forge, view.state.pr)
                data.findings += record.findings
                for verdict, count in record.evaluations.items():
                    data.evaluations[verdict] = data.evaluations.get(verdict, 0) + count
    data.lessons = lessons_used(repo, ledger, calls, data.notes)
    return data


def lessons_used(repo: Path, ledger: Ledger, calls: list[Call], notes: list[str]) -> list[LessonUsed]:
    try:
        text = {x.id: x.insight for x in lessons_created(repo)}
    except FactoryError as exc:
        text = {}
        notes.append(f"lessons unreadable: {exc.message}")
    used: list[LessonUsed] = []
    for run_id in dict.fromkeys(c.run_id for c in calls):
        for use in ledger.lessons_used(run_id):
            used.append(LessonUsed(use.lesson_id, use.role, use.task, run_id,
                                   text.get(use.lesson_id, "(no longer in lessons.jsonl)")))
    return used


def html(data: ReportData) -> str:
    return render("report.html.j2", r=data)
