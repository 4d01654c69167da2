"""What every role job shares: its forge (recording), model, state, and how it ends.

A job reads the real forge (GitHub from GITHUB_* variables, else the embedded one) through a
RecordingForge, so whatever it wants written becomes outputs. With `--outputs DIR` they are
saved there for `factory apply`; without, the job applies them itself through the same writer.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
from pipeline.forge import tracking
from pipeline.forge.protocol import Forge
from pipeline.forge.select import open_forge
from pipeline.ledger.persisted import absorb, persisted
from pipeline.ledger.store import Ledger, utc_now
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
    issue: int | None = None
    """The issue the job works for, once its state was read."""
    spent_by: list[str] = field(default_factory=list)
    """Run ids whose spend these outputs carry: the job's, and its review matrix's."""

    def __post_init__(self) -> None:
        self.spent_by.append(self.run_id)

    def work(self, state: RunState, scope: str | None = None) -> IssueWork:
        progress = Progress(Console(stderr=True), lambda: self.ledger.run_totals(self.run_id))
        state.runs.append(self.run_id)
        return IssueWork(self.repo, self.config, self.recorder, self.ledger, self.ctx, state,
                         progress, scope=scope)

    def load(self, issue: int) -> RunState | None:
        """The issue's state; what its earlier jobs spent goes into this job's ledger (each
        Actions job starts with an empty one), so the issue's cap counts them, and this job's
        calls count as the issue's."""
        self.issue = issue
        self.ctx.model.work_for(issue)
        state = load(self.recorder, issue)
        if state is not None:
            absorb(self.ledger, state.spend, issue)
        return state

    def state(self, issue: int) -> RunState:
        state = self.load(issue)
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
    if config.budget.per_day_usd is not None:
        absorb_today(forge, ledger)
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
        "refs": refs, "summary": summary, "issue": job.issue,
        "spend": persisted(job.ledger, job.spent_by)})
    schema.save(directory, outputs)
    return outputs


def finish(job: Job, outputs: Path | None, branches: str | None = None) -> Applied | None:
    """Save the outputs for the writer, or (no --outputs) apply them here, validated the same."""
    if outputs is not None:
        collect(job, outputs, branches)
        return None
    with tempfile.TemporaryDirectory(prefix="factory-out-") as tmp:
        collect(job, Path(tmp), branches)
        detector = detection_model(job)
        verdict = detect_dir(Path(tmp), job.repo, job.config, os.environ, detector)
        if detector is not None:
            verdict.spend = persisted(job.ledger, [detector.model.run_id])
        return apply_dir(Path(tmp), job.repo, job.forge, job.config, os.environ,
                         dispatch=dispatcher(job.forge, job.repo), verdict=verdict)


def absorb_today(forge: Forge, ledger: Ledger) -> None:
    """On GitHub, what every job spent today, for `budget.per_day_usd`: the tracking comments
    the writers edited today keep it (one request per hundred of them). The embedded forge's
    runs share one ledger, which knows already."""
    from pipeline.forge.github import GitHubForge

    if not isinstance(forge, GitHubForge):
        return
    midnight = datetime.combine(utc_now().date(), datetime.min.time(), UTC)
    for comment in forge.comments_since(midnight):
        state = tracking.parse_state(comment.body) if comment.by_factory else None
        spend = (state or {}).get("spend")
        if isinstance(spend, dict):
            absorb(ledger, spend, comment.number)


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
