"""Doing a retry: locally the run resumes in-process; on GitHub the issue is requeued.

A nightly job on Actions holds no write access to the code, so there it hands the issue back
to the role jobs: the tracking comment and the phase label say where to pick it up (what
`/factory retry` reads too), and a workflow_dispatch starts the plan or build job."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rich.console import Console

from pipeline import git
from pipeline.errors import FactoryError
from pipeline.forge.types import phase_label
from pipeline.ledger import Ledger
from pipeline.protocols import Forge
from pipeline.retry import Allowance, Candidate, reset_for_replan
from pipeline.state import RunState, save


@dataclass(frozen=True)
class RetryResult:
    action: str
    """retried, replanned, requeued, replan-queued or failed."""
    phase: str | None
    reason: str | None
    cost_usd: float = 0.0


class Retrier(Protocol):
    def __call__(self, candidate: Candidate, allowance: Allowance) -> RetryResult: ...


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


class LocalResume:
    """The embedded forge: resume the run here, under the allowance, as `factory run --resume`."""

    def __init__(self, repo: Path, forge: Forge, ledger: Ledger,
                 console: Console | None = None) -> None:
        self.repo, self.forge, self.ledger = repo, forge, ledger
        self.console = console or Console(file=io.StringIO())

    def __call__(self, candidate: Candidate, allowance: Allowance) -> RetryResult:
        from pipeline.local_run import RunOptions, run_brief

        state = candidate.view.state
        assert state is not None
        problem = self.unready(state)
        if problem:
            return RetryResult("failed", state.phase, problem)
        before = self.ledger.issue_totals(state.issue).cost_usd
        if candidate.kind == "replan":
            self.forget_branches(state)
            reset_for_replan(state, candidate.new_base, candidate.view.issue.body)
            self.forge.set_labels(state.issue, add=[phase_label("planning")],
                                  remove=[phase_label("blocked")])
            save(self.forge, state)
        try:
            outcome = run_brief(RunOptions(self.repo, resume=True, issue=state.issue,
                                           budget=allowance.budget_usd), self.console)
        except FactoryError as exc:
            spent = self.ledger.issue_totals(state.issue).cost_usd - before
            return RetryResult("failed", state.phase, exc.message, spent)
        spent = self.ledger.issue_totals(state.issue).cost_usd - before
        action = "replanned" if candidate.kind == "replan" else "retried"
        return RetryResult(action, outcome.state.phase, outcome.state.reason, spent)

    def unready(self, state: RunState) -> str | None:
        """Why the checkout cannot take a merge now; checked before anything is changed."""
        if not git.is_clean(self.repo):
            return f"{self.repo} has uncommitted changes: nothing was retried"
        branch = git.current_branch(self.repo)
        if branch != state.base_branch:
            return (f"the checkout is on {branch}, not {state.base_branch}: "
                    "nothing was retried")
        return None

    def forget_branches(self, state: RunState) -> None:
        """The old plan's integration and task branches start from the old base: drop them."""
        worktrees = self.repo / ".factory" / "worktrees"
        prefix = state.integration_branch
        branches = git.git(self.repo, "for-each-ref", "--format=%(refname:short)",
                           "refs/heads/factory/").splitlines()
        for branch in branches:
            if branch == prefix or branch.startswith(prefix + "-"):
                git.remove_worktree(self.repo, worktrees / branch.removeprefix("factory/"))
                git.git(self.repo, "branch", "-D", branch)
