"""A commented factory.yaml, written from the config models' own field docs."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from pipeline.config.settings import Config, Reviewer

EXAMPLE_REVIEWERS = [Reviewer(model="anthropic/claude-sonnet-4-5", focus="correctness"),
                     Reviewer(model="openai/gpt-5", focus="security"),
                     Reviewer(model="gemini/gemini-2.5-pro", focus="tests and acceptance criteria")]


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    return json.dumps(value) if isinstance(value, list | dict) else str(value)


def _lines(model: BaseModel, indent: int) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if field.description:
            out += [f"{pad}# {line}" for line in field.description.splitlines()]
        if isinstance(value, BaseModel):
            out.append(f"{pad}{name}:")
            out += _lines(value, indent + 2)
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            out.append(f"{pad}{name}:")
            for item in value:
                fields = [f"{k}: {_scalar(v)}" for k, v in item.model_dump().items()]
                out.append(f"{pad}  - " + f"\n{pad}    ".join(fields))
        else:
            out.append(f"{pad}{name}: {_scalar(value)}")
    return out


def render(config: Config | None = None) -> str:
    config = config or Config()
    if not config.models.reviewers:
        models = config.models.model_copy(update={"reviewers": EXAMPLE_REVIEWERS})
        config = config.model_copy(update={"models": models})
    header = ["# Dark Factory configuration. Every key is optional; these are the defaults.",
              "# Environment overrides: FACTORY_MODEL, FACTORY_TEST_COMMAND, FACTORY_BUDGET_USD,",
              "# FACTORY_WORKERS, FACTORY_EMBEDDING, QDRANT_URL.", ""]
    return "\n".join(header + _lines(config, 0)) + "\n"
