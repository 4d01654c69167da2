"""The baseline: one generator agent on the whole brief, with the factory's tools, model, sandbox
and step limit, and no planner, reviewers or evaluator. Its work is committed on its own branch
and worktree and merged into the branch that was checked out, as a factory run's would be."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from pipeline.agent.exceptions import RoleFailed
from pipeline.agent.workspace import Workspace
from pipeline.config.settings import Config
from pipeline.core import git
from pipeline.core.errors import BudgetExceeded, ModelUnavailable
from pipeline.ledger.store import Ledger
from pipeline.roles.base import RoleContext
from pipeline.roles.generator import BuildInput, generate
from pipeline.roles.schemas import TaskSpec
from pipeline.sandbox.worktree import WorktreeSandbox
from pipeline.steps.setup import check_model_keys, prepare_factory_dir
from pipeline.steps.state import short_title

BRANCH = "factory/single"
TASK_ID = "T1"


@dataclass(frozen=True)
class SingleOutcome:
    phase: str
    """done, blocked (the agent gave up or broke the protocol) or stopped (budget, model)."""
    reason: str | None
    run_id: str


def run_single(repo: Path, brief: str, config: Config) -> SingleOutcome:
    """One generator on brief in repo (a clean git repository), merged back when it finishes."""
    from pipeline.agent.model import ModelClient

    check_model_keys(config)
    factory_dir = prepare_factory_dir(repo)
    run_id = f"single-{uuid.uuid4().hex[:10]}"
    base = git.current_branch(repo)
    path = factory_dir / "worktrees" / "single"
    git.ensure_branch(repo, BRANCH, git.head(repo))
    git.add_worktree(repo, path, BRANCH)
    client = ModelClient(config, Ledger.for_repo(repo), run_id=run_id)
    ctx = RoleContext(config, client, repo, trajectories=factory_dir / "runs" / run_id)
    sandbox = WorktreeSandbox(path, config.sandbox, timeout=config.limits.command_timeout_s)
    task = TaskSpec(id=TASK_ID, title=short_title(brief, 60) or "The brief",
                    description="Do everything the spec above asks, in this one task.")
    try:
        finish = generate(ctx, BuildInput(brief, [], task, Workspace(path, sandbox)))
    except RoleFailed as exc:
        return SingleOutcome("blocked", exc.message, run_id)
    except (BudgetExceeded, ModelUnavailable) as exc:
        return SingleOutcome("stopped", exc.message, run_id)
    if git.commit_all(path, f"{TASK_ID}: {task.title}\n\n{finish.summary}") is None:
        return SingleOutcome("blocked", "the agent finished without changing any file", run_id)
    if not git.merge(repo, BRANCH, f"Merge {BRANCH}: {task.title}"):
        return SingleOutcome("blocked", f"merging {BRANCH} into {base} conflicts", run_id)
    git.remove_worktree(repo, path)
    return SingleOutcome("done", None, run_id)
