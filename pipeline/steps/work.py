"""One issue's work in progress: the run state, the forge it is recorded on, and the context
every step shares. Every transition is saved to the issue's tracking comment, so a killed job
or run resumes where it stopped."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipeline.agent.workspace import Workspace
from pipeline.config.settings import Config
from pipeline.core import git
from pipeline.forge.protocol import Forge
from pipeline.forge.types import phase_label
from pipeline.ledger.store import Ledger
from pipeline.roles.base import RoleContext
from pipeline.roles.planner import Asker
from pipeline.sandbox.worktree import WorktreeSandbox
from pipeline.steps.gate import commit_refusal
from pipeline.steps.progress import Progress
from pipeline.steps.state import Checkpoint, Phase, RunState, save, short_title

SUMMARY_CHARS = 300
PHASE_LABEL = {"planning": "planning", "building": "building", "evaluating": "review",
               "merging": "review", "done": "done", "blocked": "blocked", "stopped": "blocked"}


@dataclass
class IssueWork:
    repo: Path
    config: Config
    forge: Forge
    ledger: Ledger
    ctx: RoleContext
    state: RunState
    progress: Progress
    ask: Asker | None = None
    scope: str | None = None
    """The one task this work is about (a build job on Actions): what it spends is the task's."""

    def __post_init__(self) -> None:
        self.state_lock = threading.RLock()
        self.git_lock = threading.Lock()
        self.worktrees = self.repo / ".factory" / "worktrees"
        self.ctx.on_reset = self.count_reset
        self.waiting: list[Callable[[int], object]] = []
        """Posts for the issue's PR made before it could be opened, in order."""
        self.waiting_reviews: list[str] = []
        """The bodies of the panel reviews among them (a task's next review compares)."""
        scoped = self.state.tasks.get(self.scope) if self.scope else None
        self._spent_before = (self.state.cost_usd, scoped.cost_usd if scoped else 0.0)

    def post_on_pr(self, post: Callable[[int], object]) -> None:
        """post(PR number) now, or once the PR is opened (its branch has no commits yet). A
        task's own build job on Actions ends before its PR is opened: it posts on the issue."""
        with self.state_lock:
            if self.state.pr is None and self.scope is None:
                self.waiting.append(post)
                return
            number = self.state.pr or self.state.issue
        post(number)

    def open_pr_once_committed(self) -> None:
        """Open the issue's draft PR as soon as its branch has a commit over the base (GitHub
        opens none before), then post what waited for it."""
        with self.state_lock:
            state = self.state
            if state.pr is not None or git.git(
                    self.repo, "rev-list", "--count",
                    f"{state.base_commit}..{state.integration_branch}") == "0":
                return
            assert state.plan is not None
            state.pr = self.forge.open_pr(state.integration_branch, state.base_branch,
                                          f"factory: {state.title}", state.plan.spec,
                                          draft=True).number
            waiting, self.waiting = self.waiting, []
            for post in waiting:
                post(state.pr)

    @property
    def integration_path(self) -> Path:
        return self.worktrees / f"issue-{self.state.issue}"

    def task_path(self, task_id: str) -> Path:
        return self.worktrees / f"issue-{self.state.issue}-{task_id}"

    def record(self, activity: str, phase: Phase | None = None) -> None:
        with self.state_lock:
            if phase is not None and phase != self.state.phase:
                self.forge.set_labels(self.state.issue, add=[phase_label(PHASE_LABEL[phase])],
                                      remove=[phase_label(PHASE_LABEL[self.state.phase])])
                self.state.phase = phase
            self.state.cost_usd = self.ledger.issue_totals(self.state.issue).cost_usd
            scoped = self.state.tasks.get(self.scope) if self.scope else None
            if scoped is not None:
                issue_before, task_before = self._spent_before
                scoped.cost_usd = task_before + max(0.0, self.state.cost_usd - issue_before)
            self.state.beat()
            save(self.forge, self.state)
            self.write_features()
            self.progress.update(self.state, activity)

    def write_features(self) -> None:
        """The issue's progress file, `.factory/progress/issue-<N>.json`, for people and
        tools; the run state (the tracking comment on GitHub) holds the same."""
        if self.state.plan is None:
            return
        path = self.repo / ".factory" / "progress" / f"issue-{self.state.issue}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.state.features(), indent=1, ensure_ascii=False),
                        encoding="utf-8")

    def stop(self, phase: Phase, reason: str) -> None:
        with self.state_lock:
            self.state.reason = reason
        self.record(reason, phase)

    def workspace(self, path: Path) -> Workspace:
        sandbox = WorktreeSandbox(path, self.config.sandbox,
                                  timeout=self.config.limits.command_timeout_s)
        workspace = Workspace(path, sandbox)
        base = self.state.base_commit
        workspace.commit_check = lambda: commit_refusal(path, base, self.config)
        return workspace

    def set_rounds(self, task_id: str, rounds: int) -> None:
        with self.state_lock:
            if task_id in self.state.tasks:
                self.state.tasks[task_id].rounds = rounds
            else:
                self.state.final_rounds = rounds

    def count_reset(self, role: str, task_id: str | None, _note: str, why: str) -> None:
        """A role's context was reset (its note is kept under .factory/runs/)."""
        with self.state_lock:
            task = self.state.tasks.get(task_id) if task_id else None
            if task is not None:
                task.resets += 1
            else:
                self.state.resets += 1
        self.record(f"{task_id + ': ' if task_id else ''}{role} context reset ({why})")

    def at(self, task_id: str, round_number: int, stage: Literal["generating", "checking"],
           feedback: str) -> None:
        """Where a task's development stands, for the checkpoint if the slice ends now."""
        with self.state_lock:
            task = self.state.tasks.get(task_id)
            if task is not None:
                slices = task.checkpoint.slices if task.checkpoint else 0
                task.checkpoint = Checkpoint(round=round_number, stage=stage,
                                             feedback=feedback, slices=slices)

    def slice_over(self) -> bool:
        return self.ctx.deadline is not None and self.ctx.deadline.passed()

    def set_summary(self, task_id: str, summary: str) -> None:
        """The generator's summary, shortened for the state (the commit message has it all)."""
        with self.state_lock:
            if task_id in self.state.tasks:
                self.state.tasks[task_id].summary = short_title(summary, SUMMARY_CHARS)


def first_line(text: str) -> str:
    """The first line that says something (headings such as 'Evaluation failed:' skipped)."""
    lines = [line.strip("- ").strip() for line in text.splitlines() if line.strip()]
    return next((line for line in lines if not line.endswith(":")), lines[0] if lines else "")[:200]
