"""Nightly's retry on the embedded forge: the run resumes here, as `factory run --resume`."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from pipeline.core import git
from pipeline.core.errors import FactoryError
from pipeline.forge.protocol import Forge
from pipeline.forge.types import phase_label
from pipeline.ledger.store import Ledger
from pipeline.local.run import RunOptions, run_brief
from pipeline.nightly.retriers import RetryResult
from pipeline.nightly.select import Allowance, Candidate, reset_for_replan
from pipeline.steps.state import RunState, save


class LocalResume:
    """The embedded forge: resume the run here, under the allowance, as `factory run --resume`."""

    def __init__(self, repo: Path, forge: Forge, ledger: Ledger,
                 console: Console | None = None) -> None:
        self.repo, self.forge, self.ledger = repo, forge, ledger
        self.console = console or Console(file=io.StringIO())

    def __call__(self, candidate: Candidate, allowance: Allowance) -> RetryResult:
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
