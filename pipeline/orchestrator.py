"""`factory run`: plan a brief, build its tasks in parallel worktrees, review and evaluate each,
check the whole issue, and merge the result into the branch that was checked out.

Every transition is saved to the issue's tracking comment, so a killed run resumes."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from pipeline import git
from pipeline.agent.exceptions import RoleFailed
from pipeline.agent.workspace import Workspace
from pipeline.config import Config
from pipeline.errors import WorkFailed
from pipeline.forge.types import phase_label
from pipeline.ledger import Ledger
from pipeline.progress import Progress
from pipeline.protocols import Forge
from pipeline.review import PanelInput, PanelResult, panel_feedback, review_change
from pipeline.roles.base import RoleContext
from pipeline.roles.evaluator import EvalInput, EvalOutcome, evaluate
from pipeline.roles.generator import BuildInput, generate
from pipeline.roles.planner import Asker, PlanInput, plan
from pipeline.roles.schemas import Criterion, TaskSpec
from pipeline.sandbox import WorktreeSandbox
from pipeline.scheduler import run_dag
from pipeline.state import Phase, RunState, save

PHASE_LABEL = {"planning": "planning", "building": "building", "evaluating": "review",
               "merging": "review", "done": "done", "blocked": "blocked", "stopped": "blocked"}


@dataclass
class Pipeline:
    repo: Path
    config: Config
    forge: Forge
    ledger: Ledger
    ctx: RoleContext
    state: RunState
    progress: Progress
    ask: Asker | None = None

    def __post_init__(self) -> None:
        self._state_lock = threading.RLock()
        self._git_lock = threading.Lock()
        self.worktrees = self.repo / ".factory" / "worktrees"

    # state ------------------------------------------------------------------------------
    def record(self, activity: str, phase: Phase | None = None) -> None:
        with self._state_lock:
            if phase is not None and phase != self.state.phase:
                self.forge.set_labels(self.state.issue, add=[phase_label(PHASE_LABEL[phase])],
                                      remove=[phase_label(PHASE_LABEL[self.state.phase])])
                self.state.phase = phase
            self.state.cost_usd = self.ledger.issue_totals(self.state.issue).cost_usd
            save(self.forge, self.state)
            self.progress.update(self.state, activity)

    def workspace(self, path: Path) -> Workspace:
        sandbox = WorktreeSandbox(path, self.config.sandbox,
                                  timeout=self.config.limits.command_timeout_s)
        return Workspace(path, sandbox)

    # the run ----------------------------------------------------------------------------
    def execute(self) -> None:
        """The whole run: plan, build, check the issue, merge. Each phase is also an entry
        point of its own, for forges where the phases run as separate jobs (GitHub)."""
        if self.state.plan is None:
            self.plan()
        if self.build() and self.check_issue():
            self.merge()

    def build(self) -> bool:
        """The integration branch and its PR, then every task; False when any is blocked."""
        self.prepare_integration()
        self.record("building tasks", "building")
        for task in self.state.tasks.values():
            if task.status == "building":  # a killed run left it half done: start it over
                task.status = "pending"
        assert self.state.plan is not None
        run_dag({t.id: t.depends_on for t in self.state.plan.tasks},
                status=lambda task_id: self.state.tasks[task_id].status,
                work=self.build_task, block=self.block_task,
                workers=self.config.limits.workers)
        blocked = [t for t in self.state.tasks.values() if t.status != "passed"]
        if blocked:
            self.stop("blocked", "tasks blocked: " + "; ".join(
                f"{t.spec.id} ({t.reason})" for t in blocked))
            return False
        return True

    def stop(self, phase: Phase, reason: str) -> None:
        with self._state_lock:
            self.state.reason = reason
        self.record(reason, phase)

    def plan(self) -> None:
        self.record("planning", "planning")
        result = plan(self.ctx, PlanInput(self.state.brief, Workspace(self.repo)), self.ask)
        with self._state_lock:
            self.state.set_plan(result.plan)
        self.record(f"planned {len(result.plan.tasks)} task(s)")

    def prepare_integration(self) -> None:
        state = self.state
        git.ensure_branch(self.repo, state.integration_branch, state.base_commit)
        git.add_worktree(self.repo, self.worktrees / f"issue-{state.issue}",
                         state.integration_branch)
        if state.pr is None:
            assert state.plan is not None
            pr = self.forge.open_pr(state.integration_branch, state.base_branch,
                                    f"factory: {state.title}",
                                    state.plan.spec, draft=True)
            state.pr = pr.number

    # one task ---------------------------------------------------------------------------
    def block_task(self, task_id: str, reason: str) -> None:
        with self._state_lock:
            task = self.state.tasks[task_id]
            task.status, task.reason = "blocked", reason
        self.record(f"{task_id} blocked: {reason}")

    def build_task(self, task_id: str) -> None:
        state, task = self.state, self.state.tasks[task_id]
        branch, path = state.task_branch(task_id), self.worktrees / f"issue-{state.issue}-{task_id}"
        with self._git_lock:
            git.remove_worktree(self.repo, path)
            git.git(self.repo, "branch", "-f", branch, state.integration_branch)
            git.add_worktree(self.repo, path, branch)
        with self._state_lock:
            task.status, task.rounds, task.reason = "building", 0, None
        self.record(f"{task_id}: building")
        workspace = self.workspace(path)
        own = [Criterion(id=task_id, text=f"{task.spec.title}: {task.spec.description}")]
        try:
            passed, reason = self.develop(task.spec, workspace, state.integration_branch, own)
        except RoleFailed as exc:
            passed, reason = False, str(exc)
        if passed:
            with self._git_lock:
                merged = git.merge(self.worktrees / f"issue-{state.issue}", branch,
                                   f"Merge {branch}: {task.spec.title}")
            passed, reason = merged, None if merged else "merge conflict with other tasks"
        with self._state_lock:
            task.status = "passed" if passed else "blocked"
            task.reason = reason
            task.commit = git.head(path)
        self.record(f"{task_id}: {task.status}")

    def develop(self, spec: TaskSpec, workspace: Workspace, base: str,
                criteria: list[Criterion], feedback: str = "") -> tuple[bool, str | None]:
        """Generator → commit → review → evaluation, round after round, until it passes."""
        plan_ = self.state.plan
        assert plan_ is not None
        reason = "no rounds ran"
        for round_number in range(1, self.config.limits.eval_rounds + 1):
            self.set_rounds(spec.id, round_number)
            self.record(f"{spec.id}: generating (round {round_number})")
            finish = generate(self.ctx, BuildInput(plan_.spec, plan_.acceptance_criteria, spec,
                                                   workspace, feedback))
            hooks = self.run_hooks(workspace)
            if hooks:
                feedback = reason = f"The repository's pre-commit hooks failed:\n{hooks}"
                continue
            with self._git_lock:
                git.commit_all(workspace.root, f"{spec.id}: {spec.title}\n\n{finish.summary}")
            if git.git(workspace.root, "rev-list", "--count", f"{base}..HEAD") == "0":
                feedback = reason = "You finished without changing any file."
                continue
            self.set_summary(spec.id, finish.summary)
            self.record(f"{spec.id}: reviewing")
            verdict = self.review(spec, workspace, base)
            self.record(f"{spec.id}: evaluating")
            outcome = evaluate(self.ctx, EvalInput(plan_.spec, criteria, workspace,
                                                   subject=f"task {spec.id}: {spec.title}",
                                                   task=spec.id))
            self.post_evaluation(spec.id, outcome)
            if outcome.passed and verdict.passed:
                return True, None
            feedback = findings_text(verdict, outcome)
            reason = f"after {round_number} round(s): {first_line(feedback)}"
        return False, reason

    def run_hooks(self, workspace: Workspace) -> str | None:
        """The repository's pre-commit hooks on the change, in the sandbox: their report if
        they fail because of the change, None if they pass (or pre-commit itself broke)."""
        from pipeline.hooks.precommit_config import is_framework_error, run_precommit

        result = run_precommit(workspace.root, sandbox=workspace.sandbox,
                               timeout=self.config.limits.command_timeout_s)
        if result.ok:
            return None
        if is_framework_error(result):
            self.record(f"pre-commit could not run its hooks: {first_line(result.stdout)}")
            return None
        return (result.stdout + result.stderr)[-6000:]

    def set_rounds(self, task_id: str, rounds: int) -> None:
        with self._state_lock:
            if task_id in self.state.tasks:
                self.state.tasks[task_id].rounds = rounds
            else:
                self.state.final_rounds = rounds

    def set_summary(self, task_id: str, summary: str) -> None:
        with self._state_lock:
            if task_id in self.state.tasks:
                self.state.tasks[task_id].summary = summary

    def review(self, spec: TaskSpec, workspace: Workspace, base: str) -> PanelResult:
        """The review panel on the task's change, posted once per commit as one review."""
        plan_ = self.state.plan
        assert plan_ is not None and self.state.pr is not None
        given = PanelInput(plan_.spec, plan_.acceptance_criteria, spec,
                           git.diff(workspace.root, base), Workspace(workspace.root),
                           focus_paths=git.changed_files(workspace.root, base))
        return review_change(self.ctx, self.forge, self.state.pr, spec.id,
                             git.head(workspace.root), given)

    def post_evaluation(self, subject: str, outcome: EvalOutcome) -> None:
        assert self.state.pr is not None
        rows = "\n".join(f"| {c.id} | {'yes' if c.met else 'no'} | {c.evidence} |"
                         for c in outcome.evaluation.criteria)
        self.forge.post_comment(
            self.state.pr,
            f"**Evaluation of {subject}: {'pass' if outcome.passed else 'fail'}** "
            f"(tests exit {outcome.tests.returncode})\n\n| criterion | met | evidence |\n"
            f"|---|---|---|\n{rows}")

    # the whole issue --------------------------------------------------------------------
    def check_issue(self) -> bool:
        """Evaluate every acceptance criterion on the integrated work; fix rounds if needed."""
        plan_, state = self.state.plan, self.state
        assert plan_ is not None
        self.record("evaluating the whole issue", "evaluating")
        workspace = self.workspace(self.worktrees / f"issue-{state.issue}")
        outcome = evaluate(self.ctx, EvalInput(plan_.spec, plan_.acceptance_criteria, workspace,
                                               subject="the whole issue"))
        self.post_evaluation("the whole issue", outcome)
        if outcome.passed:
            return True
        fix = TaskSpec(id="fix", title="Make every acceptance criterion hold",
                       description="The integrated work fails the checks below; fix it.")
        try:
            passed, reason = self.develop(fix, workspace, state.base_commit,
                                          plan_.acceptance_criteria,
                                          f"Evaluation failed:\n{outcome.failures()}")
        except RoleFailed as exc:
            passed, reason = False, str(exc)
        if not passed:
            self.stop("blocked", f"acceptance criteria not met: {reason}")
        return passed

    def merge(self) -> None:
        state = self.state
        self.record("merging", "merging")
        if git.current_branch(self.repo) != state.base_branch or not git.is_clean(self.repo):
            raise WorkFailed(f"{self.repo} must be on {state.base_branch} with no uncommitted "
                             "changes to merge the result: fix that and run `factory run --resume`")
        if not git.merge(self.repo, state.integration_branch,
                         f"Merge {state.integration_branch}: {state.title}"):
            self.stop("blocked", f"merging {state.integration_branch} into {state.base_branch} "
                      "conflicts: merge it yourself")
            return
        for task_id in state.tasks:
            git.remove_worktree(self.repo, self.worktrees / f"issue-{state.issue}-{task_id}")
        git.remove_worktree(self.repo, self.worktrees / f"issue-{state.issue}")
        assert state.pr is not None
        self.forge.merge_pr(state.pr, f"merged into {state.base_branch}")
        self.forge.close_issue(state.issue)
        with self._state_lock:
            state.reason = None
        self.record(f"merged into {state.base_branch}", "done")


def first_line(text: str) -> str:
    """The first line that says something (headings such as 'Evaluation failed:' skipped)."""
    lines = [line.strip("- ").strip() for line in text.splitlines() if line.strip()]
    return next((line for line in lines if not line.endswith(":")), lines[0] if lines else "")[:200]


def findings_text(verdict: PanelResult, outcome: EvalOutcome) -> str:
    lines = []
    if not outcome.passed:
        lines += ["Evaluation failed:", outcome.failures()]
    if review := panel_feedback(verdict):
        lines.append(review)
    return "\n".join(lines)
