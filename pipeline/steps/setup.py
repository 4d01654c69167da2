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


def models_that_may_answer(config: Config) -> list[str]:
    """Every model a call may end up on: each role's, the panel's, the fallbacks."""
    models = [config.models.for_role(r) for r in ("planner", "generator", "evaluator",
                                                  "learner")]
    if config.detection == "model":
        models.append(config.models.for_role("detector"))
    models += [reviewer.model for reviewer in config.models.panel()]
    models += [m for chain in config.models.fallbacks.values() for m in chain]
    return list(dict.fromkeys(models))


def check_model_keys(config: Config) -> None:
    """Say which variable to set, or which price to give, before anything runs, instead of
    failing mid-plan (or running with budgets silently off)."""
    from pipeline.agent.failures import missing_key
    from pipeline.agent.pricing import known

    for model in models_in_use(config):
        variable = missing_key(model)
        if variable:
            raise BadInput(f"no credentials for {model}: set {variable} (or choose "
                           "another model with --model / FACTORY_MODEL); to see the factory work "
                           "without any key, run `factory demo`")
    if config.budget.per_issue_tokens is not None:
        return
    for model in models_that_may_answer(config):
        if not known(model, config.pricing):
            raise BadInput(f"no price known for {model}, so its calls would cost $0 and no "
                           f"budget would hold: give it one in factory.yaml (pricing: {{{model}: "
                           "{input_per_mtok: …, output_per_mtok: …}}) or set "
                           "budget.per_issue_tokens")


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
