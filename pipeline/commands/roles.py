"""`factory plan ISSUE | build ISSUE | review PR | evaluate PR | respond PR [--outputs DIR]`.

Each runs one role against GitHub (GITHUB_REPOSITORY, GITHUB_TOKEN) or, without them, the
embedded forge. With --outputs it writes nothing to the forge: `factory apply DIR` does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from pipeline.actions.job import DISABLED, Job, disabled, finish, open_job
from pipeline.core.errors import BadInput, BudgetExceeded, FactoryError, ModelUnavailable
from pipeline.steps.state import issue_of

OUTPUTS = click.option("--outputs", type=click.Path(path_type=Path, file_okay=False),
                       help="Write the outputs here for `factory apply`, and nothing to the forge.")
REPO = click.option("--repo", type=click.Path(path_type=Path, file_okay=False),
                    default=Path("."), show_default=True, help="The repository's checkout.")
MODEL = click.option("--model", help="Run every role on this litellm model.")


def run_role(role: str, number: int, repo: Path, model: str | None, outputs: Path | None,
             work: Callable[[Job], None], branch: Callable[[Job], str | None]) -> None:
    if disabled():
        click.echo(DISABLED)
        return
    job = open_job(role, number, repo, model)
    try:
        work(job)
    except (BudgetExceeded, ModelUnavailable) as exc:
        # A clean stop: recorded (phase stopped, label factory:blocked, the reason) like any
        # other output. With --outputs the job's product is those outputs, so it exits 0 and
        # the writer applies them; nightly resumes the issue when the budget allows.
        stop_cleanly(job, exc.message)
        finish(job, outputs, branch(job))
        if outputs is None:
            raise
        click.echo(f"stopped: {exc.message}")
        return
    except BadInput:
        raise
    except Exception as exc:
        # Any other failure is recorded too (the job still fails): the workflow uploads the
        # outputs whatever happened, and the writer applies the stop, so the issue says why
        # it stopped and nightly can retry it.
        if outputs is not None and record_failure(job, role, exc):
            finish(job, outputs, branch(job))
        raise
    applied = finish(job, outputs, branch(job))
    for line in job.summary:
        click.echo(line)
    if outputs is not None:
        click.echo(f"Outputs for `factory apply`: {outputs}")
    elif applied is not None:
        for line in applied.done:
            click.echo(f"- {line}")
        for line in applied.skipped:
            click.echo(f"- skipped: {line}")


def record_failure(job: Job, role: str, exc: Exception) -> bool:
    """The failure as a stop in the job's outputs; False when even that cannot be done."""
    what = exc.message if isinstance(exc, FactoryError) else f"{type(exc).__name__}: {exc}"
    try:
        stop_cleanly(job, f"the {role} job failed: {' '.join(what.split())[:300]}")
    except Exception:  # the forge itself is what failed: the job's own error says more
        return False
    return True


def stop_cleanly(job: Job, reason: str) -> None:
    issue = job.number if job.role in ("plan", "build") else issue_of(job.recorder.get_pr(job.number))
    state = job.load(issue)
    if state is not None:
        job.work(state).stop("stopped", reason)


def _issue_branch(job: Job) -> str:
    return f"factory/issue-{job.number}"


def _pr_branch(job: Job) -> str:
    return job.recorder.get_pr(job.number).head


def _none(job: Job) -> None:
    return None


@click.command()
@click.argument("issue", type=int)
@OUTPUTS
@REPO
@MODEL
def plan(issue: int, outputs: Path | None, repo: Path, model: str | None) -> None:
    """Plan ISSUE: spec, acceptance criteria and tasks, kept in its tracking comment."""
    from pipeline.actions.issue_jobs import plan_job

    run_role("plan", issue, repo, model, outputs, plan_job, _none)


@click.command()
@click.argument("issue", type=int)
@OUTPUTS
@click.option("--wave", is_flag=True, help="Only say which tasks are ready (JSON; step outputs "
              "on Actions); integrate the passed ones; open the PR once all passed.")
@click.option("--task", "task_id", metavar="TASK",
              help="Build one slice of this task (limits.slice_minutes), then ask for the "
                   "next wave.")
@REPO
@MODEL
def build(issue: int, outputs: Path | None, wave: bool, task_id: str | None, repo: Path,
          model: str | None) -> None:
    """Build ISSUE's planned tasks on factory/ branches and open its draft PR."""
    from pipeline.actions.build_jobs import task_job, wave_job
    from pipeline.actions.issue_jobs import build_job

    if wave and task_id:
        raise BadInput("--wave and --task exclude each other: the wave names the tasks, a "
                       "task job builds one")
    if wave:
        run_role("build", issue, repo, model, outputs, wave_job, _issue_branch)
    elif task_id:
        run_role("build", issue, repo, model, outputs, lambda job: task_job(job, task_id),
                 lambda job: f"{_issue_branch(job)}-{task_id}")
    else:
        run_role("build", issue, repo, model, outputs, build_job, _issue_branch)


@click.command()
@click.argument("pr", type=int)
@OUTPUTS
@click.option("--panel", "panel_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Merge the reviewers' results found here (the matrix jobs' outputs).")
@REPO
@MODEL
def review(pr: int, outputs: Path | None, panel_dir: Path | None, repo: Path,
           model: str | None) -> None:
    """Review PR with the panel (or one reviewer: FACTORY_REVIEWER=<index>)."""
    from pipeline.actions.pr_jobs import review_job

    run_role("review", pr, repo, model, outputs,
             lambda job: review_job(job, outputs, panel_dir), _none)


@click.command()
@click.argument("pr", type=int)
@OUTPUTS
@REPO
@MODEL
def evaluate(pr: int, outputs: Path | None, repo: Path, model: str | None) -> None:
    """Evaluate every acceptance criterion on PR; merge it if factory.yaml allows."""
    from pipeline.actions.pr_jobs import evaluate_job

    run_role("evaluate", pr, repo, model, outputs, evaluate_job, _pr_branch)


@click.command()
@click.argument("pr", type=int)
@OUTPUTS
@REPO
@MODEL
def respond(pr: int, outputs: Path | None, repo: Path, model: str | None) -> None:
    """Answer PR's review and failed evaluation: fix, reply in threads, review again."""
    from pipeline.actions.pr_jobs import respond_job

    run_role("respond", pr, repo, model, outputs, respond_job, _pr_branch)
