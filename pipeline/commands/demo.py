"""`factory demo`: the real pipeline, offline and keyless, on a bundled sample and scripted model."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from unittest.mock import patch

import click
import yaml
from rich.console import Console
from rich.panel import Panel

from pipeline.commands.run import print_summary
from pipeline.core import git
from pipeline.core.errors import BadInput, WorkFailed
from pipeline.local.run import RunOptions, run_brief
from pipeline.sandbox import bwrap

SAMPLE = Path(__file__).resolve().parent.parent / "demo" / "sample"
DEMO_MODEL = "openai/scripted-demo"


def demo_config(test_command: str, isolation: str = "bwrap") -> dict[str, object]:
    return {
        "sandbox": {"isolation": isolation},
        "models": {"default": DEMO_MODEL, "max_retries": 2},
        # Prices of a typical frontier model, so the cost columns show realistic figures.
        "pricing": {DEMO_MODEL: {"input_per_mtok": 3.0, "output_per_mtok": 15.0}},
        "budget": {"per_job_usd": 1.0},
        "test_command": test_command,
    }


def prepare_sample(target: Path, test_command: str, isolation: str = "bwrap") -> Path:
    if target.exists() and any(target.iterdir()):
        raise BadInput(f"{target} is not empty: pass --dir with a new or empty directory")
    shutil.copytree(SAMPLE, target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    (target / "factory.yaml").write_text(
        "# Written by `factory demo`: every role on the bundled scripted model.\n"
        + yaml.safe_dump(demo_config(test_command, isolation), sort_keys=False))
    git.git(target, "init", "-q", "-b", "main")
    git.git(target, "add", "-A")
    git.git(target, "-c", "user.name=Demo", "-c", "user.email=demo@localhost", "commit", "-qm",
            "wordstats: count_words")
    return target


@click.command()
@click.option("--dir", "directory", type=click.Path(path_type=Path),
              help="Where to create the sample project (default: a new temp directory).")
@click.option("--workers", type=click.IntRange(1, 32), default=2, show_default=True)
def demo(directory: Path | None, workers: int) -> None:
    """Run the whole pipeline offline on a bundled sample project, against a bundled scripted
    model server (a script, not a real model), through the same code path as `factory run`."""
    from pipeline.demo.model_server import ScriptedServer
    from pipeline.demo.script import BRIEF, demo_script, test_command

    console = Console()
    target = directory or Path(tempfile.mkdtemp(prefix="factory-demo-")) / "wordstats"
    # The script is bundled and known, so the demo may run it without bubblewrap (and says so).
    unsandboxed = bwrap.problem()
    repo = prepare_sample(target, test_command(), "none" if unsandboxed else "bwrap")
    console.print(Panel.fit(
        "[bold]This is a demo with a SCRIPTED model, not a real one.[/bold]\n"
        "A local server answers every model call from a script, over the HTTP\n"
        "protocol a real provider speaks. Everything else is the real factory:\n"
        "planning, worktrees, sandboxed commands, review, evaluation, merging, ledger.\n"
        f"Sample project: {repo}", title="factory demo"))
    if unsandboxed:
        console.print(f"[yellow]Running the demo's scripted commands UNSANDBOXED[/yellow]: "
                      f"{unsandboxed}. `factory run` refuses to do this with a real model.")
    console.print(f"[bold]Brief:[/bold] {BRIEF}\n")
    with ScriptedServer(demo_script()) as server, patch.dict(os.environ, {
            "OPENAI_API_BASE": server.url, "OPENAI_API_KEY": "scripted-demo-needs-no-key"}):
        outcome = run_brief(RunOptions(repo=repo, brief=BRIEF, workers=workers), console)
    print_summary(console, outcome)
    console.print(f"\nSee the result: [bold]cd {repo} && git log --oneline --graph[/bold]")
    if not outcome.succeeded:
        raise WorkFailed(f"the demo did not finish: {outcome.state.reason}")
