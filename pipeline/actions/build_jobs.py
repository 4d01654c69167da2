"""The build on Actions, one task per job (`factory build N --wave`, `--task T`).

The wave job reads the state, rebuilds the integration branch from the passed tasks and says
which tasks are ready: the workflow runs one build job per ready task (a matrix bounded by
`limits.workers`). Each task job works one slice on its task (`steps/slices.py`) and asks for
the next wave; the task jobs of one workflow run share the dispatch key, so the writer starts
one. The wave that finds every task passed pushes the integration branch and opens the PR."""

from __future__ import annotations

import json
import math
import os
import time

import click

from pipeline.actions.issue_jobs import save_pr_tracking
from pipeline.actions.job import Job
from pipeline.actions.outputs import commits
from pipeline.agent.deadline import Deadline
from pipeline.core.errors import BadInput
from pipeline.ledger.store import utc_now
from pipeline.steps.build import block_task
from pipeline.steps.slices import build_slice, integrate, next_wave, over_time
from pipeline.steps.state import RunState
from pipeline.steps.work import IssueWork

SETTLED = ("done", "stopped", "blocked", "evaluating", "merging")
"""Phases in which there is nothing to build: a stop or a failure is applied, or it is built."""
JOB_MINUTES_BEYOND_SLICE = 30
"""A task job's timeout beyond its slice: setup, the last step, review and evaluation."""
clock = time.monotonic
"""What a task job's slice is measured with."""


def wave_key() -> str | None:
    """The next-wave dispatch key shared by the task jobs of one workflow run."""
    run, attempt = os.environ.get("GITHUB_RUN_ID"), os.environ.get("GITHUB_RUN_ATTEMPT", "1")
    return f"wave-{run}-{attempt}" if run else None


def export(tasks: list[str], job: Job) -> None:
    """The matrix for the workflow: printed, and as step outputs where Actions reads them."""
    minutes = math.ceil(job.config.limits.slice_minutes) + JOB_MINUTES_BEYOND_SLICE
    values = {"tasks": json.dumps(tasks), "workers": str(job.config.limits.workers),
              "minutes": str(minutes)}
    click.echo(json.dumps({**values, "tasks": tasks}))
    if path := os.environ.get("GITHUB_OUTPUT"):
        with open(path, "a", encoding="utf-8") as out:
            out.writelines(f"{key}={value}\n" for key, value in values.items())


def wave_job(job: Job) -> None:
    state = job.state(job.number)
    ready = next_tasks(job, state)
    job.summary.append(f"Wave of #{job.number}: " + (", ".join(ready) or "nothing to build")
                       + f" (phase {state.phase})")
    export(ready, job)


def next_tasks(job: Job, state: RunState) -> list[str]:
    if state.phase in SETTLED:
        return []
    commits.track_remote_branches(job.repo, state.integration_branch)
    work = job.work(state)
    late = over_time(state, job.config, utc_now())
    if late:
        work.stop("blocked", late)
        return []
    integrate(job.repo, state, work.integration_path)
    wave = next_wave(state)
    for task_id, why in wave.blocked.items():
        block_task(work, task_id, why)
    if wave.ready:
        work.record(f"wave: building {', '.join(wave.ready)}", "building")
        return wave.ready
    if wave.done(state):
        open_for_review(job, work)
        return []
    blocked = [t for t in state.tasks.values() if t.status == "blocked"]
    work.stop("blocked", "tasks blocked: " + "; ".join(f"{t.spec.id} ({t.reason})"
                                                        for t in blocked))
    return []


def open_for_review(job: Job, work: IssueWork) -> None:
    """Every task passed: the integration branch (pushed by the writer) gets its draft PR."""
    state = work.state
    assert state.plan is not None
    if state.pr is None:
        pr = job.recorder.open_pr(state.integration_branch, state.base_branch,
                                  f"factory: {state.title}", state.plan.spec, draft=True)
        state.pr = pr.number
    work.record("built: the review panel is next", "evaluating")
    job.recorder.dispatch("review", state.pr)
    save_pr_tracking(job, state)


def task_job(job: Job, task_id: str) -> None:
    state = job.state(job.number)
    task = state.tasks.get(task_id)
    if task is None:
        raise BadInput(f"#{job.number} has no task {task_id!r}: its tasks are "
                       f"{', '.join(state.tasks) or 'none'}")
    job.recorder.scope(job.number, task_id)
    if state.phase in SETTLED or task.status in ("passed", "blocked"):
        job.summary.append(f"{task_id} is {task.status} (phase {state.phase}): nothing to do.")
        job.recorder.dispatch("build", job.number, wave_key())
        return
    work = job.work(state, scope=task_id)
    late = over_time(state, job.config, utc_now())
    if late:
        work.stop("blocked", late)
        return
    job.ctx.deadline = Deadline.after(job.config.limits.slice_minutes * 60, clock)
    commits.track_remote_branches(job.repo, state.integration_branch)
    integrate(job.repo, state, work.integration_path)
    outcome = build_slice(work, task_id)
    job.summary.append(f"{task_id}: {outcome}" + (f" ({task.reason})" if task.reason else ""))
    job.recorder.dispatch("build", job.number, wave_key())
