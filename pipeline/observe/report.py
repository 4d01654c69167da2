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
from pipeline.observe.bench import HISTORY_FILE, INTERVAL, MODES, BenchRun, bench_runs, read_history
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


@dataclass(frozen=True)
class BenchBar:
    mode: str
    x: float
    """Left edge in the chart's 1000-wide viewBox; the bar is BAR_WIDTH wide."""
    top: float
    """The pass rate's height (the axis runs from y=CHART_TOP at 100% to CHART_BOTTOM at 0%)."""
    low: float
    high: float
    """The 95% interval's ends, as y coordinates."""
    passed: int
    runs: int

    @property
    def height(self) -> float:
        return CHART_BOTTOM - self.top + 0.5  # a sliver shows a 0% bar

    @property
    def middle(self) -> float:
        return self.x + BAR_WIDTH / 2

    @property
    def width(self) -> float:
        return BAR_WIDTH - 2


@dataclass(frozen=True)
class BenchGroup:
    run: BenchRun
    centre: float
    bars: list[BenchBar]


CHART_TOP, CHART_BOTTOM, CHART_LEFT, CHART_RIGHT, BAR_WIDTH = 20.0, 180.0, 60.0, 990.0, 24.0
CHART_RUNS = 20
BENCH_AXIS = [(rate, CHART_BOTTOM - rate * (CHART_BOTTOM - CHART_TOP) / 100) for rate in (0, 50, 100)]
"""(percent, y) of the chart's grid lines."""


def y_of(rate: float) -> float:
    return CHART_BOTTOM - rate * (CHART_BOTTOM - CHART_TOP)


def bench_chart(runs: list[BenchRun]) -> list[BenchGroup]:
    """The last CHART_RUNS benches as groups of bars (one per mode) with interval whiskers."""
    shown = runs[-CHART_RUNS:]
    width = (CHART_RIGHT - CHART_LEFT) / max(len(shown), 1)
    groups = []
    for index, run in enumerate(shown):
        centre = CHART_LEFT + width * (index + 0.5)
        modes = [summary for name in MODES if (summary := run.summary.modes.get(name))]
        start = centre - BAR_WIDTH * len(modes) / 2
        bars = [BenchBar(mode.mode, start + BAR_WIDTH * i, y_of(mode.pass_rate),
                         y_of(mode.ci95[0]), y_of(mode.ci95[1]), mode.passed, mode.runs)
                for i, mode in enumerate(modes)]
        groups.append(BenchGroup(run, centre, bars))
    return groups


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
    bench: list[BenchRun] = field(default_factory=list)
    """`factory bench` runs from the history, oldest first."""
    bench_chart: list[BenchGroup] = field(default_factory=list)
    bench_interval: str = INTERVAL
    bench_axis: list[tuple[int, float]] = field(default_factory=lambda: BENCH_AXIS)


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
    if issue is None:
        results, unreadable = read_history(repo / HISTORY_FILE)
        data.notes += unreadable[:5]
        data.bench = [run for run in bench_runs(results)
                      if since is None or run.started[:10] >= since.isoformat()]
        data.bench_chart = bench_chart(data.bench)
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
