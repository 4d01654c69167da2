"""The `factory` command. Subcommands load on first use so `factory --help` stays fast."""

from __future__ import annotations

import importlib
import os

import click

from pipeline import __version__

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

# name → (module:attribute, one-line help shown by `factory --help` without importing it)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("pipeline.commands.init:init", "Install the factory into a repository."),
    "run": ("pipeline.commands.run:run", "Plan, build, review and evaluate a brief locally."),
    "demo": ("pipeline.commands.demo:demo", "The whole pipeline offline, on a scripted model."),
    "memory": ("pipeline.commands.memory:memory", "Lessons: add, search, list, show, forget, import, export, stats, rebuild."),
    "status": ("pipeline.commands.status:status", "Issues, phases, tasks and cost so far."),
    "nightly": ("pipeline.commands.nightly:nightly", "Retry stalled work within budget, consolidate memory, post the daily digest."),
    "report": ("pipeline.commands.report:report", "A self-contained HTML report of an issue or a period."),
    "learn": ("pipeline.commands.learn:learn", "Distil lessons from a merged pull request."),
    "doctor": ("pipeline.commands.doctor:doctor", "What is missing (config, keys, git, sandbox, memory) and how to fix it."),
    "dispatch": ("pipeline.commands.dispatch:dispatch", "Turn a GitHub Actions event into a factory job."),
    "plan": ("pipeline.commands.roles:plan", "Plan an issue: spec, acceptance criteria, tasks."),
    "build": ("pipeline.commands.roles:build", "Build an issue's planned tasks into a draft PR."),
    "review": ("pipeline.commands.roles:review", "Review a factory PR with the panel (or one reviewer)."),
    "evaluate": ("pipeline.commands.roles:evaluate", "Evaluate a factory PR against the acceptance criteria."),
    "respond": ("pipeline.commands.roles:respond", "Answer a factory PR's review and failed evaluation."),
    "detect": ("pipeline.commands.detect:detect", "Judge a role job's outputs and commits before the writer applies them."),
    "apply": ("pipeline.commands.apply:apply", "The writer: validate a role job's outputs, then apply them."),
    "bench": ("pipeline.commands.bench:bench", "Measure the factory's lift over a single agent on tasks with hidden tests."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        target = COMMANDS[cmd_name][0]
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="factory")
def main() -> None:
    """Dark Factory: an autonomous software factory.

    Give it a brief (`factory run "..."`) or a GitHub issue labelled `factory`; it plans,
    builds in a sandbox, has the work reviewed and evaluated, and learns from merged PRs.
    """
    # The repository variable that stops every factory job at once (see the workflow).
    if os.environ.get("FACTORY_ENABLED", "").strip().lower() in ("false", "0", "no", "off"):
        click.echo("FACTORY_ENABLED is false: the factory is stopped; nothing was done.")
        raise click.exceptions.Exit(0)
