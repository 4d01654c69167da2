"""The digest's Mermaid blocks: well-formed text, and really rendered by the mermaid package in
headless Debian chromium (the way GitHub renders them), awkward labels and values included."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from browser_testlib import needs_browser, render_mermaid

from pipeline.ledger.store import Totals
from pipeline.observe import digest_issue, mermaid
from pipeline.observe.digest import Digest, Line, Rate

BLOCK = re.compile(r"```mermaid\n(.*?)\n```", re.DOTALL)


def busy_digest() -> Digest:
    return Digest(
        day=date(2026, 11, 25),
        planned=[Line(7, 'Add "quoted" | piped @someone title', "2 task(s)")],
        merged=[Line(8, "Ship it", "PR #9")],
        blocked=[Line(10, "Stuck", "stopped: budget spent")],
        cost=Totals(calls=40, cost_usd=1.234567),
        by_role={"planner": Totals(calls=2, cost_usd=0.12), "generator": Totals(cost_usd=0.9),
                 "reviewer": Totals(cost_usd=0.000001), 'odd "role"; #x': Totals(cost_usd=0.2)},
        by_model={"anthropic/claude-sonnet-4-5": Totals(cost_usd=1.0),
                  "ollama/qwen2.5-coder:7b": Totals(cost_usd=0.234567)},
        daily=[(f"11-{d:02d}", 0.00001 * d if d % 3 else 2.5) for d in range(12, 26)],
        per_day_cap=3.0, evaluations=Rate(3, 4), reviews=Rate(1, 2), first_round=Rate(2, 2),
        actions=[{"issue": 10, "action": "skipped", "why": "stopped", "outcome": "over budget"}])


def test_chart_text_is_safe() -> None:
    assert mermaid.number(0.00001) == "0"
    assert mermaid.number(1e-3) == "0.001" and "e" not in mermaid.number(1e-9)
    assert mermaid.label('a "b"\nc #d') == '"a  b  c  d"'
    assert mermaid.pie("Nothing", [("a", 0.0)]) is None
    assert mermaid.bars("t", "USD", []) is None
    chart = mermaid.bars("t", "USD", [("a", 0.0)])
    assert chart is not None and "0 --> 1" in chart


def test_digest_body_has_charts_tables_and_marker() -> None:
    digest = busy_digest()
    body = digest_issue.body(digest)
    charts = BLOCK.findall(body)
    assert [c.split()[0] for c in charts] == ["pie", "pie", "xychart-beta", "pie"]
    assert "reviewer" not in charts[0]  # a slice that rounds to nothing is left out
    assert "@\u200bsomeone" in body and "\\|" in body
    assert digest_issue.parse(body) == {"day": "2026-11-25", "actions": digest.actions}


@needs_browser
def test_every_digest_chart_renders_in_chromium(tmp_path: Path) -> None:
    charts = BLOCK.findall(digest_issue.body(busy_digest()))
    broken = "pie title Broken\n    this is not mermaid"

    results = render_mermaid([*charts, broken], tmp_path)

    assert [r["error"] for r in results[:-1]] == [None] * len(charts)
    assert all(r["ok"] for r in results[:-1])
    assert results[-1]["ok"] is False and results[-1]["error"]
