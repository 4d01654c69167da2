"""The cost ledger: what goes in comes out, summed the ways a report needs."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.ledger.persisted import SpendRow, absorb, persisted
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


def test_spend_persisted_by_one_ledger_is_absorbed_by_another_once(tmp_path: Path) -> None:
    job = Ledger(tmp_path / "job.db")
    at = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    for cost in (0.25, 0.5):
        job.record(Call(run_id="build-1", issue=4, role="generator", model="m", ts=at,
                        input_tokens=100, cached_input_tokens=10, output_tokens=20,
                        cost_usd=cost))
    job.record(Call(run_id="build-1", issue=4, role="generator", model="m", ts=at, ok=False,
                    error="HTTP 500"))
    job.record(Call(run_id="build-1", issue=4, role="reviewer", model="n", ts=at, cost_usd=0.1))
    record = persisted(job, ["build-1", "nothing-spent"])
    assert list(record) == ["build-1"]
    assert [SpendRow.from_json(row) for row in record["build-1"]] == [
        SpendRow("2026-03-01", "generator", "m", 3, 1, 200, 20, 40, 0.75),
        SpendRow("2026-03-01", "reviewer", "n", 1, 0, 0, 0, 0, 0.1)]

    nightly = Ledger(tmp_path / "nightly.db")
    assert absorb(nightly, json.loads(json.dumps(record)), issue=4) == ["build-1"]
    assert absorb(nightly, record, issue=4) == []  # the same job's spend, kept once
    assert absorb(job, record, issue=4) == []  # a ledger holding the calls themselves
    whole = nightly.issue_totals(4)
    assert (whole.calls, whole.failed, whole.input_tokens, whole.output_tokens) == (4, 1, 200, 40)
    assert abs(whole.cost_usd - 0.85) < 1e-9 and nightly.day_totals(at.date()) == whole
    assert nightly.by_role()["generator"].calls == 3


def test_rows_that_do_not_parse_are_skipped_and_old_ledgers_gain_the_column(
        tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:  # a ledger written before rows could be absorbed
        db.execute("CREATE TABLE calls (id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, "
                   "day TEXT NOT NULL, run_id TEXT NOT NULL, issue INTEGER, role TEXT NOT NULL,"
                   " task TEXT, model TEXT NOT NULL, input_tokens INTEGER NOT NULL, "
                   "cached_input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, "
                   "cost_usd REAL NOT NULL, latency_s REAL NOT NULL, ok INTEGER NOT NULL, "
                   "error TEXT, cacheable_prompt_tokens INTEGER NOT NULL)")
        db.execute("INSERT INTO calls VALUES (NULL, '2026-03-01T00:00:00+00:00', '2026-03-01', "
                   "'old', 1, 'planner', NULL, 'm', 1, 0, 1, 0.5, 0.1, 1, NULL, 0)")
    ledger = Ledger(path)

    assert absorb(ledger, {"x": [["not a day", "r", "m", 1, 0, 1, 0, 1, 9.0], ["short"]]},
                  issue=1) == ["x"]
    assert ledger.totals().calls == 1 and ledger.totals().cost_usd == 0.5
