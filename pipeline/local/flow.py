"""The local flow of one issue: plan, build its tasks, check the whole issue (with a fix round),
and merge the result into the branch that was checked out."""

from __future__ import annotations

import os

from pipeline.agent.exceptions import RoleFailed
from pipeline.core import git
from pipeline.core.errors import WorkFailed
from pipeline.detection.changes import between
from pipeline.detection.judge import judge, model_context
from pipeline.detection.verdict import SECTION, Verdict, render
from pipeline.forge import tracking
from pipeline.forge.types import NEEDS_HUMAN
from pipeline.roles.schemas import TaskSpec
from pipeline.steps.build import build_tasks, develop
from pipeline.steps.evaluate import evaluate_change
from pipeline.steps.plan import plan_issue
from pipeline.steps.work import IssueWork


def execute(work: IssueWork) -> None:
    """The whole run: plan, build, check the issue, merge."""
    if work.state.plan is None:
        plan_issue(work)
    if build_tasks(work) and check_issue(work):
        merge(work)


def check_issue(work: IssueWork) -> bool:
    """Evaluate every acceptance criterion on the integrated work; fix rounds if needed."""
    plan, state = work.state.plan, work.state
    assert plan is not None
    work.record("evaluating the whole issue", "evaluating")
    workspace = work.workspace(work.integration_path)
    outcome = evaluate_change(work, plan.acceptance_criteria, workspace, "the whole issue")
    if outcome.passed:
        return True
    fix = TaskSpec(id="fix", title="Make every acceptance criterion hold",
                   description="The integrated work fails the checks below; fix it.",
                   criteria=[c.id for c in plan.acceptance_criteria])
    try:
        passed, reason = develop(work, fix, workspace, state.base_commit,
                                 plan.acceptance_criteria,
                                 f"Evaluation failed:\n{outcome.failures()}")
    except RoleFailed as exc:
        passed, reason = False, str(exc)
    if not passed:
        work.stop("blocked", f"acceptance criteria not met: {reason}")
    return passed


def detect(work: IssueWork) -> Verdict:
    """The detection verdict on what the merge would bring in, shown on the tracking comment."""
    state = work.state
    model = None
    if work.config.detection == "model":
        model = model_context(work.config, work.ledger, work.repo,
                              run_id=f"detect-{state.runs[-1] if state.runs else state.issue}",
                              issue=state.issue, trajectories=work.ctx.trajectories)
    change = between(work.repo, state.integration_branch, state.base_branch,
                     state.integration_branch)
    verdict = judge([change], work.config, os.environ, model=model)
    tracking.set_section(work.forge, state.issue, SECTION, render(verdict))
    return verdict


def merge(work: IssueWork) -> None:
    state, repo = work.state, work.repo
    work.record("merging", "merging")
    if git.current_branch(repo) != state.base_branch or not git.is_clean(repo):
        raise WorkFailed(f"{repo} must be on {state.base_branch} with no uncommitted "
                         "changes to merge the result: fix that and run `factory run --resume`")
    verdict = detect(work)
    if not verdict.clean:  # never merged automatically: a person looks first
        assert state.pr is not None
        work.forge.set_labels(state.issue, add=[NEEDS_HUMAN])
        work.forge.set_labels(state.pr, add=[NEEDS_HUMAN])
        found = "; ".join(dict.fromkeys(f"{f.kind} {f.where}" for f in verdict.findings))
        work.stop("blocked", f"held for a person ({NEEDS_HUMAN}), not merged: {found}. Review "
                  f"{state.integration_branch} and merge it yourself if it is fine")
        return
    if not git.merge(repo, state.integration_branch,
                     f"Merge {state.integration_branch}: {state.title}"):
        work.stop("blocked", f"merging {state.integration_branch} into {state.base_branch} "
                  "conflicts: merge it yourself")
        return
    for task_id in state.tasks:
        git.remove_worktree(repo, work.task_path(task_id))
    git.remove_worktree(repo, work.integration_path)
    assert state.pr is not None
    work.forge.merge_pr(state.pr, f"merged into {state.base_branch}")
    work.forge.close_issue(state.issue)
    with work.state_lock:
        state.reason = None
    work.record(f"merged into {state.base_branch}", "done")
