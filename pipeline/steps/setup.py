"""What every flow does before a role runs: the model keys checked, `.factory/` ready, the
lesson memory wired to the roles' prompts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.config.settings import Config
from pipeline.core.errors import BadInput
from pipeline.roles.base import LessonSource

FACTORY_GITIGNORE = "# Local factory state; only the lessons are shared.\n*\n!.gitignore\n!lessons.jsonl\n"


def models_in_use(config: Config) -> list[str]:
    models = [config.models.for_role(r) for r in ("planner", "generator", "evaluator")]
    models += [reviewer.model for reviewer in config.models.panel()]
    return list(dict.fromkeys(models))


def check_model_keys(config: Config) -> None:
    """Say which variable to set before anything runs, instead of failing mid-plan."""
    from pipeline.agent.failures import missing_key

    for model in models_in_use(config):
        variable = missing_key(model)
        if variable:
            raise BadInput(f"no credentials for {model}: set {variable} (or choose "
                           "another model with --model / FACTORY_MODEL); to see the factory work "
                           "without any key, run `factory demo`")


def prepare_factory_dir(repo: Path) -> Path:
    factory_dir = repo / ".factory"
    factory_dir.mkdir(exist_ok=True)
    ignore = factory_dir / ".gitignore"
    if not ignore.exists():
        ignore.write_text(FACTORY_GITIGNORE)
    return factory_dir


def memory_source(repo: Path, config: Config) -> LessonSource:
    def lessons(query: str, paths: Sequence[str]) -> tuple[str, list[str]]:
        from pipeline.memory.prompt import lessons_for_prompt

        found = lessons_for_prompt(repo, config, query, paths)
        return found.text, found.ids

    return lessons
