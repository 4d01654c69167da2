"""Runs a task DAG: every task whose dependencies passed, up to N at a time, on daemon threads
(so Ctrl-C is never held hostage by a model call in flight)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Mapping, Sequence

Status = Callable[[str], str]


def run_dag(deps: Mapping[str, Sequence[str]], status: Status, work: Callable[[str], None],
            block: Callable[[str, str], None], workers: int) -> None:
    """Call work(task) for every pending task once its dependencies have passed.

    A task whose dependency is blocked is blocked too. The first exception a task raises stops
    new tasks from starting; it is re-raised once the running ones have returned.
    """
    finished: queue.Queue[tuple[str, BaseException | None]] = queue.Queue()
    running: set[str] = set()
    failure: BaseException | None = None

    def launch(task: str) -> None:
        def body() -> None:
            try:
                work(task)
            except BaseException as exc:
                finished.put((task, exc))
            else:
                finished.put((task, None))

        running.add(task)
        threading.Thread(target=body, name=f"task-{task}", daemon=True).start()

    while True:
        if failure is None:
            for task, needs in deps.items():
                if status(task) != "pending" or task in running:
                    continue
                blocked_dep = next((d for d in needs if status(d) == "blocked"), None)
                if blocked_dep is not None:
                    block(task, f"dependency {blocked_dep} is blocked")
                elif all(status(d) == "passed" for d in needs) and len(running) < workers:
                    launch(task)
        if not running:
            break
        task, error = finished.get()
        running.discard(task)
        if error is not None and failure is None:
            failure = error
    if failure is not None:
        raise failure
