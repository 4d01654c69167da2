"""Fixtures for the model layer: a live stub model server, a ledger, a client factory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from doubles.stub_model import StubModelServer

from pipeline.agent.model import ModelClient
from pipeline.config.settings import Budget, Config, Models, Price
from pipeline.ledger.store import Ledger

MODEL = "openai/planner-model"
FALLBACK = "openai/fallback-model"
PRICE = Price(input_per_mtok=3.0, output_per_mtok=15.0)


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger.for_repo(tmp_path)


def build_config(**changes: Any) -> Config:
    models = {
        "default": MODEL,
        "max_retries": 2,
        "request_timeout_s": 5.0,
        **changes.pop("models", {}),
    }
    budget = {"per_job_usd": None, "per_issue_usd": None, **changes.pop("budget", {})}
    return Config(
        models=Models(**models),
        budget=Budget(**budget),
        pricing=changes.pop("pricing", {MODEL: PRICE, FALLBACK: PRICE}),
        **changes,
    )


ClientFactory = Callable[..., ModelClient]


@pytest.fixture
def client(stub: StubModelServer, ledger: Ledger) -> ClientFactory:
    def build(config: Config | None = None, **kwargs: Any) -> ModelClient:
        kwargs.setdefault("run_id", "run-1")
        return ModelClient(config or build_config(), ledger, **kwargs)

    return build


@pytest.fixture
def make_config() -> Callable[..., Config]:
    """`make_config(models={...}, budget={...}, pricing={...})` over test defaults."""
    return build_config


FINISH_TOOL = {
    "type": "function",
    "function": {
        "name": "finish",
        "description": "End the task.",
        "parameters": {
            "type": "object",
            "properties": {"summary": {"type": "string"}},
            "required": ["summary"],
        },
    },
}


@pytest.fixture
def tools() -> list[dict[str, Any]]:
    return [FINISH_TOOL]


@pytest.fixture
def messages() -> list[dict[str, Any]]:
    return [
        {"role": "system", "content": "You are the planner. Use the tools."},
        {"role": "user", "content": "Add a greeting function."},
    ]
