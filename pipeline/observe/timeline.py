"""The phases of each run laid out in time, from the ledger: consecutive calls of one role form a
span, placed on a shared time axis as percentages so the template can draw it as SVG."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pipeline.ledger.store import Call

PHASE_OF_ROLE = {"planner": "planning", "generator": "building", "reviewer": "review",
                 "evaluator": "evaluating", "learner": "learning"}


@dataclass
class Span:
    phase: str
    role: str
    start: datetime
    end: datetime
    calls: int = 0
    cost_usd: float = 0.0
    failed: int = 0
    x: float = 0.0
    """Left edge, percent of the axis."""
    width: float = 0.0
    """Percent of the axis; never drawn thinner than a sliver."""


@dataclass
class Lane:
    issue: int | None
    run_id: str
    spans: list[Span] = field(default_factory=list)


@dataclass
class Timeline:
    lanes: list[Lane] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    phases: list[str] = field(default_factory=list)


def build(calls: list[Call]) -> Timeline:
    lanes: dict[tuple[int | None, str], Lane] = {}
    for call in sorted(calls, key=lambda c: c.ts):
        lane = lanes.setdefault((call.issue, call.run_id), Lane(call.issue, call.run_id))
        began = call.ts - timedelta(seconds=call.latency_s)
        last = lane.spans[-1] if lane.spans else None
        if last is None or last.role != call.role:
            last = Span(PHASE_OF_ROLE.get(call.role, call.role), call.role, began, call.ts)
            lane.spans.append(last)
        last.end = max(last.end, call.ts)
        last.calls += 1
        last.cost_usd += call.cost_usd
        last.failed += 0 if call.ok else 1
    timeline = Timeline(list(lanes.values()))
    for lane in timeline.lanes:  # a phase lasts until the next one begins
        for span, after in zip(lane.spans, lane.spans[1:], strict=False):
            span.end = max(span.end, after.start)
    spans = [s for lane in timeline.lanes for s in lane.spans]
    if not spans:
        return timeline
    timeline.start = min(s.start for s in spans)
    timeline.end = max(s.end for s in spans)
    total = max((timeline.end - timeline.start).total_seconds(), 1.0)
    for span in spans:
        span.x = 100 * (span.start - timeline.start).total_seconds() / total
        span.width = max(100 * (span.end - span.start).total_seconds() / total, 0.4)
        span.x = min(span.x, 100 - span.width)
    timeline.phases = list(dict.fromkeys(s.phase for s in spans))
    return timeline
