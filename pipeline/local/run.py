"""Wiring for a local run: checks before anything is written, the run lock, new or resumed state."""

from __future__ import annotations

import fcntl
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from pipeline.agent.exceptions import RoleFailed
from pipeline.config import settings as config_module
from pipeline.config.settings import Config
from pipeline.core import git
from pipeline.core.errors import BadInput, BudgetExceeded, FactoryError, ModelUnavailable
from pipeline.forge.local import LocalForge
from pipeline.forge.types import phase_label
from pipeline.ledger.store import Ledger, Scope, Totals
from pipeline.local.flow import execute
from pipeline.roles.base import RoleContext
from pipeline.roles.planner import Asker
from pipeline.sandbox import bwrap
from pipeline.steps.progress import Progress
from pipeline.steps.setup import check_model_keys, memory_source, prepare_factory_dir
from pipeline.steps.state import RunState, load, save, short_title
from pipeline.steps.work import IssueWork


@dataclass(frozen=True)
class RunOptions:
    repo: Path
    brief: str | None = None
    model: str | None = None
    budget: float | None = None
    workers: int | None = None
    resume: bool = False
    issue: int | None = None
    """With resume: continue this issue rather than the last unfinished one."""
    ask: Asker | None = None
    config: Config | None = None
    """Used as it is instead of the repository's factory.yaml (`factory bench` gives each task
    run its own); model, budget and workers are then not applied."""


@dataclass(frozen=True)
class RunOutcome:
    state: RunState
    run_id: str
    totals: Totals
    by_role: dict[str, Totals]

    @property
    def succeeded(self) -> bool:
        return self.state.phase == "done"


def effective_config(options: RunOptions, repo: Path) -> Config:
    config = config_module.load(repo, model=options.model)
    budget = config.budget.model_copy(update={"per_job_usd": options.budget}) \
        if options.budget is not None else config.budget
    limits = config.limits.model_copy(update={"workers": options.workers}) \
        if options.workers is not None else config.limits
    return config.model_copy(update={"budget": budget, "limits": limits})


@contextmanager
def run_lock(factory_dir: Path) -> Iterator[None]:
    handle = (factory_dir / "run.lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise BadInput(f"another `factory run` is working in {factory_dir.parent}; wait for it "
                       "or stop it first") from None
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def start_or_resume(forge: LocalForge, repo: Path, options: RunOptions,
                    config: Config) -> RunState:
    if options.resume:
        for issue in reversed(forge.list_issues()):
            if options.issue is not None and issue.number != options.issue:
                continue
            state = load(forge, issue.number)
            if state is not None and state.phase != "done":
                state.reason = None
                return state
        if options.issue is not None:
            raise BadInput(f"issue #{options.issue} has no unfinished run to resume")
        raise BadInput("nothing to resume: every run here has finished; start one with "
                       "`factory run \"brief\"`")
    assert options.brief is not None
    issue = forge.create_issue(short_title(options.brief), options.brief,
                               [config.trigger_label, phase_label("planning")])
    state = RunState(issue=issue.number, brief=options.brief,
                     base_branch=git.current_branch(repo), base_commit=git.head(repo))
    save(forge, state)
    return state


def learn_after_merge(ctx: RoleContext, forge: LocalForge, state: RunState,
                      console: Console) -> None:
    """Lessons from the merged work, and credit for the lessons that helped; never fatal."""
    from pipeline.steps.learn import learn_merged_locally

    try:
        result = learn_merged_locally(ctx, forge, state, git.head(ctx.repo))
        used = sorted({lesson_id for _, _, lesson_id in ctx.used_lessons})
        if used:
            from pipeline.memory.store import open_store

            with open_store(ctx.repo, ctx.config) as store:
                store.record_outcome(used, helpful=True)
    except FactoryError as exc:
        console.print(f"[yellow]Learning from #{state.pr} failed:[/yellow] {exc.message}")
        return
    rejected = f", {len(result.rejected)} rejected" if result.rejected else ""
    console.print(f"Lessons from #{state.pr}: {len(result.added)} added, "
                  f"{len(result.known)} already known{rejected}.")


def validate(options: RunOptions) -> tuple[Path, Config]:
    """Everything that can be wrong with the input, checked before anything is written."""
    if not options.resume and not (options.brief and options.brief.strip()):
        raise BadInput("the brief is empty: say what to build, e.g. factory run \"add a --json flag\"")
    if options.resume and options.brief:
        raise BadInput("give either a brief or --resume, not both")
    if not options.repo.is_dir():
        raise BadInput(f"{options.repo} is not a directory: pass --repo PATH to a git repository")
    repo = git.repo_root(options.repo)
    if not git.has_commits(repo):
        raise BadInput(f"{repo} has no commits yet: commit something first, the factory branches from it")
    git.current_branch(repo)
    if not git.is_clean(repo):
        raise BadInput(f"{repo} has uncommitted changes: commit or stash them first")
    config = options.config if options.config is not None else effective_config(options, repo)
    check_model_keys(config)
    bwrap.require(config.sandbox)
    return repo, config


def run_brief(options: RunOptions, console: Console) -> RunOutcome:
    repo, config = validate(options)
    factory_dir = prepare_factory_dir(repo)
    with run_lock(factory_dir):
        forge = LocalForge(factory_dir / "forge.db")
        ledger = Ledger.for_repo(repo)
        state = start_or_resume(forge, repo, options, config)
        run_id = f"run-{uuid.uuid4().hex[:10]}"
        state.runs.append(run_id)
        from pipeline.agent.model import ModelClient

        client = ModelClient(config, ledger, run_id=run_id, issue=state.issue)
        ctx = RoleContext(config, client, repo, trajectories=factory_dir / "runs" / run_id,
                          lessons=memory_source(repo, config))
        with Progress(console, lambda: ledger.run_totals(run_id)) as progress:
            work = IssueWork(repo, config, forge, ledger, ctx, state, progress,
                              progress.asking(options.ask))
            try:
                execute(work)
            except (BudgetExceeded, ModelUnavailable) as exc:
                work.stop("stopped", f"{exc.message} — continue with `factory run --resume`")
            except RoleFailed as exc:  # the planner or the whole-issue check gave no valid answer
                work.stop("blocked", exc.message)
            except KeyboardInterrupt:
                work.stop("stopped", "interrupted — continue with `factory run --resume`")
                raise
            finally:
                for role, task, lesson_id in ctx.used_lessons:
                    ledger.record_lesson_used(run_id, role, task, lesson_id)
        if state.phase == "done":
            learn_after_merge(ctx, forge, state, console)
        return RunOutcome(state, run_id, ledger.run_totals(run_id),
                          ledger.by_role(Scope(run_id=run_id)))


