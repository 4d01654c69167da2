"""The jobs that work on a factory PR: review, evaluate, respond, and learn once merged.

The chain on GitHub (each arrow a workflow_dispatch the writer sends): build → review;
review approves → evaluate, else → respond; evaluate passes → merge (only with `auto_merge`)
→ learn, fails → respond; respond passes → merge, else the issue is blocked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.actions import panel_jobs as panel
from pipeline.actions.issue_jobs import save_pr_tracking
from pipeline.actions.job import Job
from pipeline.actions.outputs import commits
from pipeline.agent.workspace import Workspace
from pipeline.core import git
from pipeline.core.errors import BadInput
from pipeline.forge.types import PullRequest
from pipeline.ledger.persisted import absorb
from pipeline.review.panel import PanelInput
from pipeline.review.report import post_panel
from pipeline.roles.schemas import TaskSpec
from pipeline.steps.evaluate import evaluate_change
from pipeline.steps.respond import respond_to_pr
from pipeline.steps.review import review_change
from pipeline.steps.state import RunState, issue_of
from pipeline.steps.work import IssueWork, first_line

NOT_MET = "acceptance criteria not met: "


@dataclass
class PrWork:
    pr: PullRequest
    state: RunState
    path: Path
    """A worktree of the PR's head branch."""
    head: str


def open_pr_work(job: Job) -> PrWork:
    pr = job.recorder.get_pr(job.number)
    state = job.state(issue_of(pr))
    if pr.state != "open":
        raise BadInput(f"#{pr.number} is {'merged' if pr.merged else 'closed'}: nothing to do")
    state.pr = pr.number
    path = job.checkout(pr.head)
    return PrWork(pr, state, path, git.head(path))


def panel_input(work: PrWork, workspace: Workspace) -> PanelInput:
    plan = work.state.plan
    assert plan is not None
    task = TaskSpec(id=f"PR{work.pr.number}", title=work.pr.title or "the pull request",
                    description=plan.spec)
    return PanelInput(plan.spec, plan.acceptance_criteria, task,
                      git.diff(work.path, work.pr.base), workspace,
                      focus_paths=git.changed_files(work.path, work.pr.base))


def base_ref(work: PrWork) -> str:
    """The PR's base as origin has it (a job's checkout may lag behind)."""
    remote = f"refs/remotes/origin/{work.pr.base}"
    found = git.git_result(work.path, "rev-parse", "--verify", "--quiet", remote)
    return remote if found.ok else work.pr.base


def reviewed_as_task(work: PrWork) -> str | None:
    """The task whose approved change the PR shows exactly (a one-task issue), if any."""
    change = git.change_id(work.path, base_ref(work), work.head)
    return next((task.spec.id for task in work.state.tasks.values()
                 if task.status == "passed" and task.change == change), None)


def review_job(job: Job, outputs: Path | None, panel_dir: Path | None) -> None:
    work = open_pr_work(job)
    reviewer = os.environ.get("FACTORY_REVIEWER", "")
    task = reviewed_as_task(work)
    if task is not None:
        job.summary.append(f"#{work.pr.number} shows exactly {task}'s change, which the panel "
                           "approved: not reviewed again.")
        if not reviewer or panel_dir is not None:
            job.recorder.dispatch("evaluate", work.pr.number)
        return
    given = panel_input(work, Workspace(work.path))
    if reviewer and panel_dir is None:
        if outputs is None:
            raise BadInput("FACTORY_REVIEWER runs one reviewer of the panel: give --outputs DIR "
                           "for its result, merged by `factory review PR --panel DIR`")
        index = panel.reviewer_index(reviewer, job.config)
        one = panel.run_one(job.ctx, given, index, work.head, outputs)
        job.summary.append(f"Reviewer {index}: {one.verdict}, {len(one.findings)} finding(s).")
        return
    if panel_dir is not None:
        results, spend = panel.read_results(panel_dir, work.head)
        job.spent_by += absorb(job.ledger, spend, work.state.issue)
        combined = panel.combine(job.config, results)
        result, _ = post_panel(job.recorder, work.pr.number, "pr", work.head, combined,
                               given.diff)
    else:
        result = review_change(job.ctx, job.recorder, work.pr.number, "pr", work.head, given)
    job.summary.append(f"Panel on #{work.pr.number}: {result.verdict}, "
                       f"{len(result.findings)} finding(s), {len(result.blocking)} blocking.")
    job.recorder.dispatch("evaluate" if result.passed else "respond", work.pr.number)


def conclude(job: Job, issue: IssueWork, work: PrWork) -> None:
    """Everything passed: merge where factory.yaml allows it, else leave it to a person."""
    state = work.state
    if not job.config.auto_merge:
        state.reason = "every check passed: a person reviews and merges (auto_merge is off)"
        issue.record(state.reason, "merging")
        job.summary.append(state.reason)
        return
    job.recorder.merge_pr(work.pr.number, f"Merge {work.pr.head}: {state.title}",
                          sha=work.head)
    job.recorder.close_issue(state.issue)
    state.reason = None
    issue.record(f"merged into {work.pr.base}", "done")
    job.recorder.dispatch("learn", work.pr.number)
    job.summary.append(f"Merged #{work.pr.number} into {work.pr.base}.")


def up_to_date(job: Job, work: PrWork) -> str | None:
    """Make sure the PR merges: when GitHub says it conflicts with its base (after waiting for
    GitHub to know), merge the base into it here, so what is evaluated is what merges. None
    when it merges (the head may have moved), else why it cannot."""
    pr = job.recorder.get_pr(work.pr.number, wait_mergeable=True)
    if pr.mergeable is not False:
        return None
    conflicts = git.merge_conflicts(work.path, base_ref(work), f"Merge {pr.base} into {pr.head}")
    if conflicts:
        return (f"{pr.head} conflicts with {pr.base} (in {', '.join(conflicts[:10])}): "
                f"{pr.base} moved since the plan; nightly plans it again from there")
    work.head = git.head(work.path)
    job.summary.append(f"Merged {pr.base} into {pr.head}: it conflicted on GitHub.")
    return None


def evaluate_job(job: Job) -> None:
    work = open_pr_work(job)
    plan = work.state.plan
    assert plan is not None
    issue = job.work(work.state)
    issue.record("evaluating the whole issue", "evaluating")
    stuck = up_to_date(job, work)
    if stuck is not None:
        issue.stop("blocked", stuck)
        save_pr_tracking(job, work.state)
        return
    outcome = evaluate_change(issue, plan.acceptance_criteria, issue.workspace(work.path),
                              "the whole issue")
    job.recorder.set_status(work.head, "success" if outcome.passed else "failure",
                            "factory/evaluate",
                            "all acceptance criteria met" if outcome.passed else "criteria not met")
    if outcome.passed:
        conclude(job, issue, work)
    elif work.state.final_rounds >= job.config.limits.review_rounds:
        issue.stop("blocked", f"{NOT_MET}after {work.state.final_rounds} respond round(s): "
                      f"{first_line(outcome.failures())}")
    else:
        work.state.reason = NOT_MET + outcome.failures()
        issue.record("the evaluation failed: the generator responds", "evaluating")
        job.recorder.dispatch("respond", work.pr.number)
    save_pr_tracking(job, work.state)


def respond_job(job: Job) -> None:
    work = open_pr_work(job)
    state, plan = work.state, work.state.plan
    assert plan is not None
    reason = state.reason or ""
    evaluation = reason.removeprefix(NOT_MET) if reason.startswith(NOT_MET) else ""
    issue = job.work(state)
    state.final_rounds += 1
    issue.record(f"responding (round {state.final_rounds})", "evaluating")
    outcome = respond_to_pr(job.ctx, job.recorder, work.pr.number,
                            issue.workspace(work.path), plan, base=work.pr.base,
                            evaluation=evaluation)
    job.summary.append(f"Respond on #{work.pr.number}: {len(outcome.commits)} commit(s), "
                       f"{len(outcome.replied)} thread(s) answered.")
    work.head = git.head(work.path)
    if outcome.passed:
        conclude(job, issue, work)
    else:
        issue.stop("blocked", outcome.reason or "the review still asks for changes")
    save_pr_tracking(job, state)


def learn_job(job: Job) -> None:
    from pipeline.memory.store import open_store
    from pipeline.steps.learn import learn_from_pr

    pr = job.recorder.get_pr(job.number)
    issue = issue_of(pr)
    state = job.state(issue)
    assert state.plan is not None
    commits.track_remote_branches(job.repo, pr.head)
    diff = git.git(job.repo, "diff", state.base_commit, pr.head) \
        if git.branch_exists(job.repo, pr.head) else ""
    result = learn_from_pr(job.ctx, job.recorder, pr.number, default_branch=state.base_branch,
                           spec=state.plan.spec, diff=diff, merge_commit=None,
                           repo_name=job.repo.name, issue=issue, trajectories=[])
    with open_store(job.repo, job.config) as store:
        # Known here may still be unknown on the lessons branch: the writer decides.
        lessons = [found for i in [*result.added, *result.known]
                   if (found := store.get(i)) is not None]
    if lessons:
        job.recorder.propose_lessons(pr.number, [x.model_dump(mode="json") for x in lessons])
    job.summary.append(f"Lessons from #{pr.number}: {len(lessons)} proposed, "
                       f"{len(result.known)} known, {len(result.rejected)} rejected.")
