"""Nightly's retry on GitHub: the issue goes back to its phase for the role jobs.

A nightly job on Actions holds no write access to the code, so it hands the issue back to the
role jobs: the tracking comment and the phase label say where to pick it up (what
`/factory retry` reads too), and a workflow_dispatch starts the plan or build job."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.core.errors import FactoryError
from pipeline.forge.protocol import Forge
from pipeline.forge.types import phase_label
from pipeline.nightly.retriers import RetryResult
from pipeline.nightly.select import Allowance, Candidate, reset_for_replan
from pipeline.steps.state import RunState, save


def _requeue_phase(state: RunState) -> str:
    return "planning" if state.plan is None else "building"


class Requeue:
    """GitHub: put the issue back in its phase for the role jobs; no model is called here."""

    def __init__(self, forge: Forge, day: str,
                 dispatch: Callable[[str, int], None] | None = None) -> None:
        """dispatch(command, issue) starts a role job; None leaves that to people or events."""
        self.forge, self.day, self.dispatch = forge, day, dispatch

    def __call__(self, candidate: Candidate, allowance: Allowance) -> RetryResult:
        state = candidate.view.state
        assert state is not None
        if candidate.kind == "replan":
            reset_for_replan(state, candidate.new_base, candidate.view.issue.body)
        phase = _requeue_phase(state)
        state.phase = "planning" if phase == "planning" else "building"
        state.reason = f"requeued by nightly {self.day}: {candidate.why}"
        state.beat()
        self.forge.set_labels(state.issue, add=[phase_label(phase)],
                              remove=[phase_label("blocked")])
        save(self.forge, state)
        action = "replan-queued" if candidate.kind == "replan" else "requeued"
        return RetryResult(action, state.phase, self.start(state))

    def start(self, state: RunState) -> str:
        command = "plan" if state.phase == "planning" else "build"
        if self.dispatch is None:
            return f"{state.reason}; waiting for `/factory retry` or a {command} job"
        try:
            self.dispatch(command, state.issue)
        except FactoryError as exc:
            # Typically a nightly job without `actions: write`: the issue stays requeued.
            return f"{state.reason}; could not start the {command} job: {exc.message}"
        return f"{state.reason}; started the {command} job"
