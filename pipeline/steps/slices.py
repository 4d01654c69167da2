"""Building in slices, one task per job (Actions): waves of ready tasks, the issue's
integration branch rebuilt the same way by every job, and a task's work carried across slices.

A slice ends at `limits.slice_minutes`: the generator writes a handoff note, the work in
progress is committed to the task branch with the note as its message, and the task's
position (round, stage, feedback) is kept in its checkpoint. The next slice starts from there:
the generator's fresh context opens with that note and the branch's log. A job that dies loses only its own slice: its task is still `building` at the last
checkpoint (or `pending`), and the next wave builds it again from that point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from pipeline.agent.exceptions import RoleFailed, SliceEnded
from pipeline.config.settings import Config
from pipeline.core import git
from pipeline.steps.build import develop
from pipeline.steps.state import Checkpoint, RunState
from pipeline.steps.work import IssueWork


@dataclass
class Wave:
    ready: list[str] = field(default_factory=list)
    """Tasks to build now: pending or mid-way, every dependency passed."""
    blocked: dict[str, str] = field(default_factory=dict)
    """Tasks that cannot be built because a dependency is blocked, with the reason."""

    def done(self, state: RunState) -> bool:
        return not self.ready and state.all_passed


def next_wave(state: RunState) -> Wave:
    assert state.plan is not None
    wave = Wave()
    status = {tid: task.status for tid, task in state.tasks.items()}
    for spec in state.plan.tasks:  # plan order: a dependency is met or blocked before its users
        if status[spec.id] not in ("pending", "building"):
            continue
        stuck = next((d for d in spec.depends_on if status[d] == "blocked"), None)
        if stuck is not None:
            wave.blocked[spec.id] = f"dependency {stuck} is blocked"
            status[spec.id] = "blocked"
        elif all(status[d] == "passed" for d in spec.depends_on):
            wave.ready.append(spec.id)
    return wave


def over_time(state: RunState, config: Config, now: datetime) -> str | None:
    """Why the issue may not build on: its wall-clock limit, when reached."""
    hours = config.limits.issue_hours
    if hours is None:
        return None
    started = datetime.fromisoformat(state.started_at)
    if now - started < timedelta(hours=hours):
        return None
    return (f"the issue's wall-clock limit is reached ({hours:g} h since {state.started_at}; "
            "limits.issue_hours)")


def integrate(repo: Path, state: RunState, path: Path) -> Path:
    """The integration branch as the state knows it: the base plus each passed task, merged
    in plan order with dated merges, so every job rebuilds the very same commits."""
    assert state.plan is not None
    git.ensure_branch(repo, state.integration_branch, state.base_commit)
    git.add_worktree(repo, path, state.integration_branch)
    git.git(path, "reset", "-q", "--hard", state.base_commit)
    for spec in state.plan.tasks:
        task = state.tasks[spec.id]
        message = f"Merge {state.task_branch(spec.id)}: {spec.title}"
        if task.status == "passed" and task.commit and \
                not git.merge(path, task.commit, message, dated=True):
            task.status, task.reason = "blocked", "merge conflict with other tasks"
    return path


def task_worktree(work: IssueWork, task_id: str) -> Path:
    """The task's worktree: its branch as the last checkpoint left it, or a new branch from
    the integration branch."""
    state, task = work.state, work.state.tasks[task_id]
    branch, path = state.task_branch(task_id), work.task_path(task_id)
    git.remove_worktree(work.repo, path)
    if not (task.checkpoint and task.commit and git.branch_exists(work.repo, branch)
            and git.head(work.repo, branch) == task.commit):
        task.checkpoint = None
        git.git(work.repo, "branch", "-f", branch, state.integration_branch)
    return git.add_worktree(work.repo, path, branch)


def build_slice(work: IssueWork, task_id: str) -> str:
    """One slice of work on a task: `passed`, `blocked`, or `checkpoint` (the slice ended)."""
    state, task = work.state, work.state.tasks[task_id]
    assert state.plan is not None
    path = task_worktree(work, task_id)
    resume = task.checkpoint
    note = checkpoint_note(path) if resume else ""
    with work.state_lock:
        task.status, task.reason = "building", None
    work.record(f"{task_id}: building" + (f" from its checkpoint (round {resume.round}, "
                                          f"{resume.stage})" if resume else ""))
    workspace = work.workspace(path)
    try:
        passed, reason = develop(work, task.spec, workspace, state.integration_branch,
                                 state.plan.criteria_of(task.spec), resume=resume, note=note)
    except SliceEnded as ended:
        refused = workspace.commit_check() if workspace.commit_check else None
        checkpoint(work, task_id, path, ended.note, refused)
        return "checkpoint"
    except RoleFailed as exc:
        passed, reason = False, str(exc)
    with work.state_lock:
        task.status, task.reason = ("passed", None) if passed else ("blocked", reason)
        task.commit, task.checkpoint = git.head(path), None
    work.record(f"{task_id}: {task.status}")
    return task.status


WIP = "WIP {task}: checkpoint at the end of slice {slices}"
NO_NOTE = "(no handoff note: the slice ended between steps)"


def checkpoint_note(path: Path) -> str:
    """The handoff note of the checkpoint the task branch stands on: its commit's message."""
    message = git.git(path, "log", "-1", "--format=%B")
    subject, _, body = message.partition("\n\n")
    if not subject.startswith("WIP ") or body.strip() == NO_NOTE:
        return ""
    return body.strip()


def checkpoint(work: IssueWork, task_id: str, path: Path, note: str,
               refused: str | None = None) -> None:
    """Work in progress onto the task branch, with the handoff note as its commit message.
    Work the commit gate refuses (refused) is not kept: the note says so."""
    task = work.state.tasks[task_id]
    mark = task.checkpoint or Checkpoint()
    mark = mark.model_copy(update={"slices": mark.slices + 1})
    if refused:
        git.git(path, "reset", "-q", "--hard", "HEAD")
        git.git(path, "clean", "-q", "-fd")
        note = (f"{note}\n\n" if note else "") + (f"(This slice's changes were not kept: "
                                                  f"{refused})")
    message = f"{WIP.format(task=task_id, slices=mark.slices)}\n\n{note or NO_NOTE}"
    if git.commit_all(path, message) is None:
        name, email = git.FACTORY_AUTHOR
        git.git(path, "-c", f"user.name={name}", "-c", f"user.email={email}", "commit", "-q",
                "--no-verify", "--allow-empty", "-m", message)
    with work.state_lock:
        task.checkpoint, task.commit = Checkpoint.model_validate(mark.model_dump()), git.head(path)
    work.ctx.model.note_event("generator", task_id, "slice",
                              f"slice {mark.slices} ended at round {mark.round} ({mark.stage})")
    work.record(f"{task_id}: slice {mark.slices} ended; checkpoint {task.commit[:8]}")
