"""What happened to each factory issue: its run state, cost, last activity, reviews and evaluations.

Read through the Forge protocol and the ledger only, so the same code serves the embedded
forge and GitHub."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from pipeline.forge.select import DIGEST_LABEL, TrackerForge
from pipeline.forge.types import Issue
from pipeline.ledger.store import Ledger, Scope
from pipeline.memory.lesson import LESSONS_FILE, Lesson, read_file
from pipeline.steps.state import RunState, load

_EVALUATION = re.compile(r"^\*\*Evaluation of (?P<subject>.+?): (?P<verdict>pass|fail)\*\*")
_FINDING = re.compile(r"^\*\*(?P<severity>critical|major|minor|nit)\*\*: (?P<title>[^\n]*)")
STUCK_PHASES = ("blocked", "stopped")


@dataclass(frozen=True)
class IssueView:
    issue: Issue
    state: RunState | None
    cost_usd: float
    """The larger of the ledger's figure and the tracking comment's (Actions jobs write both)."""
    last_activity: datetime | None
    """The last model call recorded for the issue; None when the ledger has none."""

    @property
    def number(self) -> int:
        return self.issue.number

    @property
    def phase(self) -> str | None:
        return self.state.phase if self.state else None

    @property
    def stuck(self) -> bool:
        return self.phase in STUCK_PHASES


@dataclass(frozen=True)
class Finding:
    pr: int
    severity: str
    title: str
    path: str
    line: int
    verdict: str


@dataclass
class PrRecord:
    """Reviews and evaluations posted on one factory PR."""

    pr: int
    reviews: dict[str, int] = field(default_factory=dict)
    """verdict → count."""
    evaluations: dict[str, int] = field(default_factory=dict)
    """pass|fail → count."""
    findings: list[Finding] = field(default_factory=list)


def issue_views(forge: TrackerForge, ledger: Ledger, trigger_label: str) -> list[IssueView]:
    views = []
    for issue in forge.list_issues([trigger_label], state="all"):
        if DIGEST_LABEL in issue.labels:
            continue
        state = load(forge, issue.number)
        last = ledger.calls(Scope(issue=issue.number), limit=1)
        cost = max(ledger.issue_totals(issue.number).cost_usd, state.cost_usd if state else 0.0)
        views.append(IssueView(issue, state, cost, last[-1].ts if last else None))
    return views


def pr_record(forge: TrackerForge, pr: int) -> PrRecord:
    record = PrRecord(pr)
    for review in forge.reviews(pr):
        record.reviews[review.verdict] = record.reviews.get(review.verdict, 0) + 1
        for inline in review.comments:
            match = _FINDING.match(inline.body)
            severity, title = (match["severity"], match["title"]) if match else ("note",
                                                                                inline.body[:80])
            record.findings.append(Finding(pr, severity, title.strip(), inline.path, inline.line,
                                           review.verdict))
    for comment in forge.comments(pr):
        found = _EVALUATION.match(comment.body)
        if found and comment.by_factory:
            verdict = found["verdict"]
            record.evaluations[verdict] = record.evaluations.get(verdict, 0) + 1
    return record


def lessons_created(repo: Path, day: date | None = None) -> list[Lesson]:
    """The repository's lessons created on day (every one when day is None)."""
    every = read_file(repo / LESSONS_FILE)
    return every if day is None else [x for x in every if x.created[:10] == day.isoformat()]
