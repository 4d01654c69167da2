"""The jobs that work on an issue: plan it, then build it into a draft PR."""

from __future__ import annotations

from pipeline.actions import pr_tracking
from pipeline.actions.job import Job, trigger_snapshot
from pipeline.actions.outputs import commits
from pipeline.core import git
from pipeline.core.sanitize import sanitize
from pipeline.forge.types import phase_label
from pipeline.steps.build import build_tasks
from pipeline.steps.plan import plan_issue
from pipeline.steps.slices import integrate
from pipeline.steps.state import RunState


def brief_of(job: Job) -> str:
    """The issue as it read when the factory was triggered (later edits are not picked up)."""
    said = trigger_snapshot(job.number)
    if said is not None:
        title, body = said["title"], said["body"]
    else:
        issue = job.recorder.get_issue(job.number)
        title, body = sanitize(issue.title), sanitize(issue.body)
    return f"{title}\n\n{body}".strip()


def plan_job(job: Job) -> None:
    issue = job.number
    state = job.load(issue)
    if state is None:
        state = RunState(issue=issue, brief=brief_of(job),
                         base_branch=git.current_branch(job.repo), base_commit=git.head(job.repo))
    work = job.work(state)
    if state.plan is None:
        job.recorder.set_labels(issue, add=[phase_label("planning")])
        plan_issue(work)
    assert state.plan is not None
    job.summary.append(f"Planned #{issue}: {len(state.plan.tasks)} task(s).")
    job.recorder.dispatch("build", issue)


def save_pr_tracking(job: Job, state: RunState) -> None:
    """The PR's tracking comment, as the writer will find and edit it (no read here)."""
    assert state.pr is not None
    job.recorder.track(state.pr, pr_tracking.text(state.issue, state.phase, state.reason),
                       pr_tracking.state(state.issue, state.phase))


def build_job(job: Job) -> None:
    state = job.state(job.number)
    if state.phase == "done":
        job.summary.append(f"#{job.number} is done already.")
        return
    commits.track_remote_branches(job.repo, state.integration_branch)
    work = job.work(state)
    if not state.all_passed and git.branch_exists(job.repo, state.integration_branch):
        # A writer that died after pushing but before saving the state leaves origin's branch
        # ahead of the state: the tasks it calls pending are built again, on the base plus
        # the passed tasks only (else the generator finds its work done and changes nothing).
        integrate(job.repo, state, work.integration_path)
    passed = build_tasks(work)
    job.summary.append("Tasks: " + ", ".join(f"{t.spec.id} {t.status}"
                                              for t in state.tasks.values()))
    if passed and state.pr is not None:
        work.record("built: the review panel is next", "evaluating")
        job.recorder.dispatch("review", state.pr)
    if state.pr is not None:
        save_pr_tracking(job, state)
