"""The task DAG: order, blocking, the worker cap and failures, without timing: threads meet at
barriers, so the tests say what happened, not how long it took."""

from __future__ import annotations

import threading

import pytest

from pipeline.steps.dag import run_dag


def make(deps: dict[str, list[str]], fail: set[str] = frozenset()):  # type: ignore[no-untyped-def]
    status = dict.fromkeys(deps, "pending")
    order: list[str] = []
    lock = threading.Lock()

    def work(task: str) -> None:
        with lock:
            order.append(task)
            status[task] = "building"
        with lock:
            status[task] = "blocked" if task in fail else "passed"

    def block(task: str, reason: str) -> None:
        status[task] = "blocked"

    return status, order, work, block


def test_dependencies_run_first() -> None:
    deps = {"T1": [], "T2": ["T1"], "T3": ["T1"], "T4": ["T2", "T3"]}
    status, order, work, block = make(deps)
    run_dag(deps, status.__getitem__, work, block, workers=2)
    assert order[0] == "T1" and order[-1] == "T4" and set(status.values()) == {"passed"}


def test_blocked_dependency_blocks_dependents() -> None:
    deps = {"T1": [], "T2": ["T1"], "T3": []}
    status, _order, work, block = make(deps, fail={"T1"})
    run_dag(deps, status.__getitem__, work, block, workers=1)
    assert status == {"T1": "blocked", "T2": "blocked", "T3": "passed"}


def test_n_at_once_and_never_more() -> None:
    """Tasks finish only in pairs (a barrier of two): with fewer than two workers the barrier
    would break; a third running task would show in the peak."""
    deps = {f"T{i}": [] for i in range(6)}
    status = dict.fromkeys(deps, "pending")
    running, peak, lock = [0], [0], threading.Lock()
    pair = threading.Barrier(2, timeout=10)

    def work(task: str) -> None:
        with lock:
            status[task] = "building"
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        pair.wait()
        with lock:
            running[0] -= 1
            status[task] = "passed"

    run_dag(deps, status.__getitem__, work, lambda t, r: None, workers=2)
    assert peak[0] == 2 and set(status.values()) == {"passed"}


def test_a_failure_stops_new_tasks_and_is_raised() -> None:
    deps = {"T1": [], "T2": ["T1"]}
    status = dict.fromkeys(deps, "pending")

    def work(task: str) -> None:
        status[task] = "building"
        raise RuntimeError("budget spent")

    with pytest.raises(RuntimeError, match="budget spent"):
        run_dag(deps, status.__getitem__, work, lambda t, r: None, workers=2)
    assert status["T2"] == "pending"
