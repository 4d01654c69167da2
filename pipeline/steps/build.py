"""The build step: each task on its own branch and worktree, generator → commit → review →
evaluation, round after round, merged into the issue's integration branch when it passes.
Tasks run as a DAG, independent ones in parallel."""

from __future__ import annotations

from pipeline.agent.exceptions import RoleFailed, SliceEnded
from pipeline.agent.workspace import Workspace
from pipeline.core import git
from pipeline.roles.generator import BuildInput, generate
from pipeline.roles.schemas import Criterion, TaskSpec
from pipeline.steps.dag import run_dag
from pipeline.steps.evaluate import evaluate_change, findings_text
from pipeline.steps.review import review_task
from pipeline.steps.state import Checkpoint
from pipeline.steps.work import IssueWork, first_line


def build_tasks(work: IssueWork) -> bool:
    """The integration branch, then every task (the PR opens with the first merged task);
    False when any is blocked."""
    prepare_integration(work)
    work.record("building tasks", "building")
    for task in work.state.tasks.values():
        if task.status == "building":  # a killed run left it half done: start it over
            task.status = "pending"
    assert work.state.plan is not None
    run_dag({t.id: t.depends_on for t in work.state.plan.tasks},
            status=lambda task_id: work.state.tasks[task_id].status,
            work=lambda task_id: build_task(work, task_id),
            block=lambda task_id, reason: block_task(work, task_id, reason),
            workers=work.config.limits.workers)
    blocked = [t for t in work.state.tasks.values() if t.status != "passed"]
    if blocked:
        work.stop("blocked", "tasks blocked: " + "; ".join(
            f"{t.spec.id} ({t.reason})" for t in blocked))
        return False
    return True


def prepare_integration(work: IssueWork) -> None:
    state = work.state
    git.ensure_branch(work.repo, state.integration_branch, state.base_commit)
    git.add_worktree(work.repo, work.integration_path, state.integration_branch)
    work.open_pr_once_committed()  # a resumed run whose tasks merged before the PR opened


def block_task(work: IssueWork, task_id: str, reason: str) -> None:
    with work.state_lock:
        task = work.state.tasks[task_id]
        task.status, task.reason = "blocked", reason
    work.record(f"{task_id} blocked: {reason}")


def build_task(work: IssueWork, task_id: str) -> None:
    state, task = work.state, work.state.tasks[task_id]
    branch, path = state.task_branch(task_id), work.task_path(task_id)
    with work.git_lock:
        git.remove_worktree(work.repo, path)
        git.git(work.repo, "branch", "-f", branch, state.integration_branch)
        git.add_worktree(work.repo, path, branch)
    with work.state_lock:
        task.status, task.rounds, task.reason = "building", 0, None
    work.record(f"{task_id}: building")
    workspace = work.workspace(path)
    assert state.plan is not None
    try:
        passed, reason = develop(work, task.spec, workspace, state.integration_branch,
                                 state.plan.criteria_of(task.spec))
    except RoleFailed as exc:
        passed, reason = False, str(exc)
    if passed:
        with work.git_lock:
            task.change = git.change_id(path, state.integration_branch)
            merged = git.merge(work.integration_path, branch,
                               f"Merge {branch}: {task.spec.title}")
        passed, reason = merged, None if merged else "merge conflict with other tasks"
    with work.state_lock:
        task.status = "passed" if passed else "blocked"
        task.reason = reason
        task.commit = git.head(path)
    if passed:
        work.open_pr_once_committed()
    work.record(f"{task_id}: {task.status}")


def develop(work: IssueWork, spec: TaskSpec, workspace: Workspace, base: str,
            criteria: list[Criterion], feedback: str = "",
            resume: Checkpoint | None = None, note: str = "") -> tuple[bool, str | None]:
    """Generator → commit → review → evaluation, round after round, until it passes.

    resume: where an earlier slice stopped (Actions); the generator goes on from its note, or
    only the review and evaluation are left. SliceEnded leaves the task's position recorded
    (`IssueWork.at`) for the checkpoint."""
    plan = work.state.plan
    assert plan is not None
    reason = "no rounds ran"
    first = resume.round if resume else 1
    feedback = resume.feedback if resume else feedback
    checking = resume is not None and resume.stage == "checking"
    for round_number in range(first, work.config.limits.eval_rounds + 1):
        work.set_rounds(spec.id, round_number)
        if not checking:
            work.at(spec.id, round_number, "generating", feedback)
            if work.slice_over():
                raise SliceEnded(note)
            work.record(f"{spec.id}: generating (round {round_number})")
            finish = generate(work.ctx, BuildInput(plan.spec, plan.acceptance_criteria, spec,
                                                   workspace, feedback, resume_note=note))
            note = ""
            hooks = run_hooks(work, workspace)
            if hooks:
                feedback = reason = f"The repository's pre-commit hooks failed:\n{hooks}"
                continue
            refused = workspace.commit_check() if workspace.commit_check else None
            if refused:  # the hooks may have changed files since finish was accepted
                feedback = reason = refused
                continue
            with work.git_lock:
                git.commit_all(workspace.root, f"{spec.id}: {spec.title}\n\n{finish.summary}")
            if git.git_result(workspace.root, "diff", "--quiet", base, "HEAD").ok:
                feedback = reason = "You finished without changing any file."
                continue
            work.set_summary(spec.id, finish.summary)
        checking = False
        work.at(spec.id, round_number, "checking", feedback)
        if work.slice_over():
            raise SliceEnded("")
        work.record(f"{spec.id}: reviewing")
        verdict = review_task(work, spec, workspace, base)
        work.record(f"{spec.id}: evaluating")
        outcome = evaluate_change(work, criteria, workspace, f"task {spec.id}: {spec.title}",
                                  task=spec.id)
        if outcome.passed and verdict.passed:
            return True, None
        feedback = findings_text(verdict, outcome)
        reason = f"after {round_number} round(s): {first_line(feedback)}"
    return False, reason


def run_hooks(work: IssueWork, workspace: Workspace) -> str | None:
    """The repository's pre-commit hooks on the change, in the sandbox: their report if they
    fail because of the change, None if they pass (or pre-commit itself broke)."""
    from pipeline.precommit.precommit_config import is_framework_error, run_precommit

    assert workspace.sandbox is not None, "the generator's workspace always has a sandbox"
    result = run_precommit(workspace.root, sandbox=workspace.sandbox,
                           timeout=work.config.limits.command_timeout_s)
    if result.ok:
        return None
    if is_framework_error(result):
        work.record(f"pre-commit could not run its hooks: {first_line(result.stdout)}")
        return None
    return (result.stdout + result.stderr)[-6000:]
