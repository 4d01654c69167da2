"""The local flow of one issue: plan, build its tasks, check the whole issue (with a fix round),
and merge the result into the branch that was checked out."""

from __future__ import annotations

from pipeline.agent.exceptions import RoleFailed
from pipeline.core import git
from pipeline.core.errors import WorkFailed
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


def merge(work: IssueWork) -> None:
    state, repo = work.state, work.repo
    work.record("merging", "merging")
    if git.current_branch(repo) != state.base_branch or not git.is_clean(repo):
        raise WorkFailed(f"{repo} must be on {state.base_branch} with no uncommitted "
                         "changes to merge the result: fix that and run `factory run --resume`")
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
