"""What every role job shares: its forge (recording), model, state, and how it ends.

A job reads the real forge (GitHub from GITHUB_* variables, else the embedded one) through a
RecordingForge, so whatever it wants written becomes outputs. With `--outputs DIR` they are
saved there for `factory apply`; without, the job applies them itself through the same writer.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from rich.console import Console

from pipeline.actions.outputs import commits, schema
from pipeline.actions.outputs.apply import Applied, Dispatcher, apply_dir
from pipeline.actions.outputs.detect import detect_dir
from pipeline.actions.outputs.recording import RecordingForge
from pipeline.config import settings as config_module
from pipeline.config.settings import Config
from pipeline.core import git
from pipeline.core.errors import BadInput
from pipeline.detection.judge import model_context
from pipeline.forge.local import LocalForge
from pipeline.forge.protocol import Forge
from pipeline.forge.select import open_forge
from pipeline.ledger.store import Ledger, Totals
from pipeline.roles.base import RoleContext
from pipeline.sandbox import bwrap
from pipeline.steps.progress import Progress
from pipeline.steps.state import RunState, load
from pipeline.steps.work import IssueWork

RUNS_AGENT_COMMANDS = ("build", "evaluate", "respond")
"""The jobs whose agents run commands, so need a sandbox (the rest only read)."""
DISABLED = "FACTORY_ENABLED is false: the factory is stopped; nothing was done."


def disabled(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return env.get("FACTORY_ENABLED", "").strip().lower() in ("false", "0", "no", "off")


def trigger_snapshot(number: int) -> dict[str, Any] | None:
    """The issue or PR text as the triggering event carried it, if it is about number."""
    from pipeline.actions.events import snapshot

    path = os.environ.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    found = snapshot(payload) if isinstance(payload, dict) else {}
    return found if found.get("number") == number else None


class CarriedLedger:
    """The job's ledger, with the issue's cost from earlier jobs added to its total."""

    def __init__(self, inner: Ledger, issue: int, earlier_usd: float) -> None:
        self.inner, self.issue, self.earlier_usd = inner, issue, earlier_usd

    def issue_totals(self, issue: int) -> Totals:
        totals = self.inner.issue_totals(issue)
        if issue != self.issue:
            return totals
        return dataclasses.replace(totals, cost_usd=totals.cost_usd + self.earlier_usd)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@dataclass
class Job:
    role: str
    number: int
    repo: Path
    config: Config
    forge: Forge
    recorder: RecordingForge
    ledger: Ledger
    ctx: RoleContext
    run_id: str
    summary: list[str] = field(default_factory=list)
    earlier_usd: float | None = None
    """The issue's cost before this job, from its tracking state (Actions jobs only)."""

    def work(self, state: RunState) -> IssueWork:
        progress = Progress(Console(stderr=True), lambda: self.ledger.run_totals(self.run_id))
        state.runs.append(self.run_id)
        ledger = self.ledger
        if not isinstance(self.forge, LocalForge):
            # Each Actions job starts with an empty ledger: the cost of earlier jobs is in the
            # state as this job found it (later saves include this job's own spend).
            if self.earlier_usd is None:
                self.earlier_usd = state.cost_usd
                self.ctx.model.budget.carry(self.earlier_usd)
            ledger = cast(Ledger, CarriedLedger(self.ledger, state.issue, self.earlier_usd))
        return IssueWork(self.repo, self.config, self.recorder, ledger, self.ctx, state, progress)

    def state(self, issue: int) -> RunState:
        state = load(self.recorder, issue)
        if state is None or state.plan is None:
            raise BadInput(f"#{issue} has no plan yet: run `factory plan {issue}` first")
        return state

    def checkout(self, branch: str) -> Path:
        """A worktree of branch (fetched from origin if this checkout lacks it)."""
        commits.track_remote_branches(self.repo, branch)
        if not git.branch_exists(self.repo, branch):
            raise BadInput(f"branch {branch} exists neither here nor on origin")
        path = self.repo / ".factory" / "worktrees" / branch.replace("/", "-")
        return git.add_worktree(self.repo, path, branch)


def open_job(role: str, number: int, repo: Path, model: str | None) -> Job:
    from pipeline.agent.model import ModelClient
    from pipeline.steps.setup import check_model_keys, memory_source, prepare_factory_dir

    root = git.repo_root(repo)
    config = config_module.load(root, model=model)
    check_model_keys(config)
    if role in RUNS_AGENT_COMMANDS:
        bwrap.require(config.sandbox)
    factory_dir = prepare_factory_dir(root)
    forge = open_forge(root)
    ledger = Ledger.for_repo(root)
    run_id = f"{role}-{uuid.uuid4().hex[:8]}"
    client = ModelClient(config, ledger, run_id=run_id, issue=number)
    if config.budget.per_day_usd is not None and not isinstance(forge, LocalForge):
        from pipeline.observe import day_spend

        client.budget.carry_day(day_spend.spent(forge, day_spend.today()))
    ctx = RoleContext(config, client, root, trajectories=factory_dir / "runs" / run_id,
                      lessons=memory_source(root, config))
    return Job(role, number, root, config, forge, RecordingForge(forge), ledger, ctx, run_id)


def collect(job: Job, directory: Path, branches: str | None) -> schema.Outputs:
    directory.mkdir(parents=True, exist_ok=True)
    refs = commits.changed_refs(job.repo, branches) if branches else {}
    if refs:
        commits.write_bundle(job.repo, refs, directory / schema.BUNDLE_FILE)
    totals = job.ledger.run_totals(job.run_id)
    summary = "\n".join([f"### factory {job.role} #{job.number}", "", *job.summary, "",
                         f"Model calls: {totals.calls}, cost ${totals.cost_usd:.4f}"])
    outputs = schema.Outputs.model_validate({
        "role": job.role, "number": job.number, "ops": job.recorder.operations(),
        "refs": refs, "summary": summary, "cost_usd": totals.cost_usd})
    schema.save(directory, outputs)
    return outputs


def finish(job: Job, outputs: Path | None, branches: str | None = None) -> Applied | None:
    """Save the outputs for the writer, or (no --outputs) apply them here, validated the same."""
    if outputs is not None:
        collect(job, outputs, branches)
        return None
    with tempfile.TemporaryDirectory(prefix="factory-out-") as tmp:
        collect(job, Path(tmp), branches)
        verdict = detect_dir(Path(tmp), job.repo, job.config, os.environ, detection_model(job))
        return apply_dir(Path(tmp), job.repo, job.forge, job.config, os.environ,
                         dispatch=dispatcher(job.forge, job.repo), verdict=verdict)


def detection_model(job: Job) -> RoleContext | None:
    """The detection pass's own context (its own budget), with `detection: model`."""
    if job.config.detection != "model":
        return None
    return model_context(job.config, job.ledger, job.repo, run_id=f"detect-{job.run_id}",
                         issue=job.number if job.role in ("plan", "build") else None,
                         trajectories=job.ctx.trajectories)


def dispatcher(forge: Forge, repo: Path) -> Dispatcher | None:
    """workflow_dispatch of the factory workflow on GitHub; None on the embedded forge."""
    from pipeline.forge.github import GitHubForge
    from pipeline.templates import WORKFLOW_PATH

    if not isinstance(forge, GitHubForge):
        return None
    ref = os.environ.get("GITHUB_REF_NAME") or commits.default_branch(repo)
    workflow = Path(WORKFLOW_PATH).name

    def start(command: str, number: int) -> None:
        forge.dispatch_workflow(workflow, ref, {"command": command, "number": str(number)})

    return start
