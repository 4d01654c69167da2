"""The cost ledger: what goes in comes out, summed the ways a report needs."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.ledger.store import Call, Ledger, Scope


def _fill(ledger: Ledger) -> None:
    ledger.record(
        Call(
            run_id="r1",
            issue=1,
            role="planner",
            model="a",
            input_tokens=100,
            output_tokens=10,
            cost_usd=0.10,
            cacheable_prompt_tokens=80,
        )
    )
    ledger.record(
        Call(
            run_id="r1",
            issue=1,
            role="generator",
            model="b",
            input_tokens=200,
            cached_input_tokens=150,
            output_tokens=20,
            cost_usd=0.20,
            cacheable_prompt_tokens=180,
            task="t1",
        )
    )
    ledger.record(
        Call(
            run_id="r1",
            issue=1,
            role="generator",
            model="b",
            ok=False,
            error="HTTP 429: slow down",
            task="t1",
        )
    )
    ledger.record(
        Call(
            run_id="r2",
            issue=2,
            role="planner",
            model="a",
            input_tokens=50,
            output_tokens=5,
            cost_usd=0.05,
        )
    )


def test_lives_under_dot_factory(tmp_path: Path) -> None:
    Ledger.for_repo(tmp_path)
    assert (tmp_path / ".factory" / "ledger.db").is_file()


def test_calls_round_trip(tmp_path: Path) -> None:
    ledger = Ledger.for_repo(tmp_path)
    stamp = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    stored = ledger.record(
        Call(
            run_id="r",
            issue=None,
            role="reviewer",
            task=None,
            model="m",
            input_tokens=1,
            cached_input_tokens=2,
            output_tokens=3,
            cost_usd=0.5,
            latency_s=1.25,
            ok=False,
            error="boom",
            cacheable_prompt_tokens=4,
            ts=stamp,
        )
    )
    assert stored.id is not None
    assert ledger.calls() == [stored]
    assert Ledger.for_repo(tmp_path).calls()[0].ts == stamp


def test_totals_by_run_issue_and_day(tmp_path: Path) -> None:
    ledger = Ledger.for_repo(tmp_path)
    _fill(ledger)
    run = ledger.run_totals("r1")
    assert (
        run.calls,
        run.failed,
        run.input_tokens,
        run.cached_input_tokens,
        run.output_tokens,
    ) == (3, 1, 300, 150, 30)
    assert run.cost_usd == pytest.approx(0.30)
    assert run.cacheable_fraction == pytest.approx(260 / 300)
    assert ledger.issue_totals(2).cost_usd == pytest.approx(0.05)
    assert ledger.day_totals().calls == 4
    assert ledger.day_totals(date.today() - timedelta(days=2)).calls == 0
    assert ledger.totals().cost_usd == pytest.approx(0.35)
    assert ledger.run_totals("nobody").cost_usd == 0.0


def test_breakdowns_by_role_and_model(tmp_path: Path) -> None:
    ledger = Ledger.for_repo(tmp_path)
    _fill(ledger)
    roles = ledger.by_role(Scope(run_id="r1"))
    assert sorted(roles) == ["generator", "planner"]
    assert roles["generator"].calls == 2 and roles["generator"].failed == 1
    assert roles["generator"].cost_usd == pytest.approx(0.20)
    models = ledger.by_model()
    assert models["a"].cost_usd == pytest.approx(0.15)
    assert models["b"].input_tokens == 200


def test_calls_filter_and_limit(tmp_path: Path) -> None:
    ledger = Ledger.for_repo(tmp_path)
    _fill(ledger)
    assert [c.role for c in ledger.calls(Scope(issue=1))] == ["planner", "generator", "generator"]
    last = ledger.calls(limit=2)
    assert [(c.run_id, c.ok) for c in last] == [("r1", False), ("r2", True)]


def test_lessons_used(tmp_path: Path) -> None:
    ledger = Ledger.for_repo(tmp_path)
    ledger.record_lesson_used("r1", "generator", "t1", "lesson-a")
    ledger.record_lesson_used("r2", "planner", None, "lesson-b")
    used = ledger.lessons_used("r1")
    assert [(u.role, u.task, u.lesson_id) for u in used] == [("generator", "t1", "lesson-a")]
    assert len(ledger.lessons_used()) == 2


def test_safe_across_threads(tmp_path: Path) -> None:
    ledger = Ledger.for_repo(tmp_path)

    def write(worker: int) -> None:
        for _ in range(25):
            ledger.record(Call(run_id="r", role=f"w{worker}", model="m", cost_usd=0.01))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ledger.run_totals("r").calls == 100
    assert ledger.run_totals("r").cost_usd == pytest.approx(1.0)
