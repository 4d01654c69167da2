"""The bench's figures: Wilson intervals and Newcombe's interval for the lift, checked against
published values, and the summary a history yields."""

from __future__ import annotations

from pathlib import Path

import pytest
from lift_testlib import result

from pipeline.ledger.store import Call, Event, Ledger
from pipeline.lift.runner import Spend, spend
from pipeline.observe.bench import (
    bench_runs,
    lift,
    summarize,
    summarize_mode,
    wilson,
)


@pytest.mark.parametrize(("passed", "runs", "low", "high"), [
    # Newcombe (1998), Statistics in Medicine 17:857, table I: Wilson score intervals.
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_published_intervals(passed: int, runs: int, low: float,
                                            high: float) -> None:
    assert wilson(passed, runs) == pytest.approx((low, high), abs=1e-4)


def test_wilson_of_nothing_says_nothing() -> None:
    assert wilson(0, 0) == (0.0, 1.0)
    assert wilson(5, 5)[1] == 1.0 and wilson(0, 5)[0] == 0.0


def test_lift_uses_newcombes_hybrid_score_interval() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 - 48/80, 95% CI
    # 0.0524 to 0.3339 by method 10.
    factory = [result(f"t{i}", "factory", i < 56, 1.0) for i in range(70)]
    single = [result(f"t{i}", "single", i < 48, 0.5) for i in range(80)]

    measured = lift(summarize_mode("factory", factory), summarize_mode("single", single))

    assert measured.difference == pytest.approx(0.2)
    assert measured.ci95 == pytest.approx((0.0524, 0.3339), abs=1e-4)
    assert measured.cost_ratio == pytest.approx(70 / 40)


def test_summary_per_mode_and_per_bench() -> None:
    history = [result("a", "factory", True, 0.3), result("b", "factory", False, 0.1),
               result("a", "single", False, 0.05), result("b", "single", False, 0.05),
               result("a", "factory", True, 0.2, bench="b2", started="2026-02-01T00:00:00+00:00",
                      model="openai/other")]

    summary = summarize(history[:4])

    factory, single = summary.modes["factory"], summary.modes["single"]
    assert (factory.passed, factory.runs, factory.pass_rate) == (1, 2, 0.5)
    assert factory.cost_per_solved == pytest.approx(0.4) and single.cost_per_solved is None
    assert summary.lift is not None and summary.lift.difference == 0.5
    assert summary.lift.cost_ratio == pytest.approx(4.0)
    assert summary.as_dict()["interval"] == "Wilson score interval, 95%"

    runs = bench_runs(reversed(history))
    assert [(r.bench_id, r.model, r.tasks) for r in runs] == [("b1", "openai/m", 2),
                                                              ("b2", "openai/other", 1)]
    assert runs[1].summary.lift is None


def test_a_runs_spend_comes_from_its_own_ledger(tmp_path: Path) -> None:
    ledger = Ledger.for_repo(tmp_path)
    for role, ok in (("planner", True), ("generator", True), ("generator", False),
                     ("generator", True)):
        ledger.record(Call(run_id="r1", role=role, model="openai/m", input_tokens=100,
                           output_tokens=10, cost_usd=0.01 if ok else 0.0, ok=ok))
    ledger.record_event(Event("r1", "generator", "reset", "window 60% full"))
    ledger.record_event(Event("r1", "generator", "slice", "45 minutes"))

    used = spend(tmp_path)

    assert (used.model_calls, used.context_resets) == (3, 1)
    assert used.calls_by_role == {"planner": 1, "generator": 2}
    assert used.cost_usd == pytest.approx(0.03) and used.prompt_tokens == 400
    assert spend(tmp_path / "nothing-ran") == Spend()
