"""What a person watching `factory run` sees: live phase, tasks, model calls and cost."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from pipeline.ledger.store import Totals
from pipeline.steps.state import RunState

STYLE = {"pending": "dim", "building": "yellow", "passed": "green", "blocked": "red"}


def task_table(state: RunState, title: str | None = None) -> Table:
    table = Table(title=title, expand=False)
    for column in ("task", "title", "status", "rounds", "note"):
        table.add_column(column)
    for task in state.tasks.values():
        table.add_row(task.spec.id, task.spec.title,
                      Text(task.status, style=STYLE[task.status]), str(task.rounds),
                      task.reason or task.summary or "")
    return table


class Progress:
    """A rich live view on a terminal; plain lines otherwise (CI logs, pipes)."""

    def __init__(self, console: Console, totals: Callable[[], Totals]) -> None:
        self.console = console
        self.totals = totals
        self.state: RunState | None = None
        self.activity = "starting"
        self._lock = threading.Lock()
        self._live: Live | None = None

    def __enter__(self) -> Progress:
        if self.console.is_terminal:
            self._live = Live(get_renderable=self._render, console=self.console,
                              refresh_per_second=4, transient=True)
            self._live.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._live is not None:
            self._live.__exit__(kind, error, trace)

    def asking(self, ask: Callable[[list[str]], list[str]] | None
               ) -> Callable[[list[str]], list[str]] | None:
        """The same question-asker, with the live view paused while the person answers."""
        if ask is None or self._live is None:
            return ask
        live = self._live

        def paused(questions: list[str]) -> list[str]:
            live.stop()
            try:
                return ask(questions)
            finally:
                live.start()

        return paused

    def update(self, state: RunState, activity: str) -> None:
        with self._lock:
            self.state = state.model_copy(deep=True)
            self.activity = activity
        if self._live is None:
            self.console.print(f"[{state.phase}] {activity}", highlight=False, markup=False)

    def _render(self) -> Group:
        with self._lock:
            state, activity = self.state, self.activity
        totals = self.totals()
        header = Text.assemble(("Dark Factory ", "bold"),
                               (f"{state.phase if state else 'starting'}", "cyan"),
                               f" · {activity} · model calls {totals.calls}"
                               f" · ${totals.cost_usd:.4f}")
        return Group(header, task_table(state)) if state and state.tasks else Group(header)
