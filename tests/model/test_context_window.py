"""The model layer and context windows: a refusal as too long is recognised (litellm's class,
or only the error code in the body), learned from, never retried, never a failed call; a
request known not to fit is never sent; the provider's token counts teach the margin."""

from __future__ import annotations

from pathlib import Path

import pytest
from doubles.stub_model import Reply, StubModelServer

from pipeline.agent.exceptions import ContextExceeded
from pipeline.agent.model import ModelClient
from pipeline.agent.window import UNKNOWN_RATIO
from pipeline.config.settings import Config
from pipeline.ledger.store import Ledger

CLAUDE = "anthropic/claude-sonnet-4-5"


def client(tmp_path: Path, model: str, **limits: object) -> ModelClient:
    config = Config.model_validate({"models": {"default": model, "max_retries": 2},
                                    "limits": limits})
    return ModelClient(config, Ledger(tmp_path / "ledger.db"), run_id="r", retry_base_s=0.01)


def ask(model: ModelClient, text: str) -> None:
    model.complete(role="generator", messages=[{"role": "user", "content": text}], tools=[])


def test_anthropic_prompt_too_long_teaches_the_window(stub: StubModelServer, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "stub-key")
    monkeypatch.setenv("ANTHROPIC_API_BASE", stub.base_url)
    stub.queue(CLAUDE, [Reply.error(400, "prompt is too long: 210845 tokens > 200000 maximum")])
    model = client(tmp_path, CLAUDE)

    with pytest.raises(ContextExceeded) as refused:
        ask(model, "hello " * 300)

    assert refused.value.window == 200_000 and refused.value.requested == 210_845
    assert len(stub.requests) == 1, "a context-window error is not retried"
    window = model.windows.get(CLAUDE)
    assert window.source == "learned" and window.tokens == 200_000
    assert window.limit < refused.value.counted
    assert model.ledger.totals().failed == 0


def test_a_request_known_not_to_fit_is_never_sent(stub: StubModelServer, tmp_path: Path) -> None:
    model = client(tmp_path, "openai/small", context_tokens=1000)
    with pytest.raises(ContextExceeded, match="the window holds"):
        ask(model, "word " * 2000)
    assert stub.requests == []


def test_usage_teaches_how_the_provider_counts(stub: StubModelServer, tmp_path: Path) -> None:
    model = client(tmp_path, "openai/small", context_tokens=10_000)
    assert model.context_limit("generator") == int(10_000 / UNKNOWN_RATIO)
    counted = model.count("generator", None, [{"role": "user", "content": "word " * 400}], [])
    stub.queue("small", [Reply(content="ok", usage={"prompt_tokens": 2 * counted})])
    ask(model, "word " * 400)
    assert model.context_limit("generator") < 10_000 / 2, "twice as many tokens as we count"
