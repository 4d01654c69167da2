"""Reading failed calls: what to retry, how long to wait, what to tell the user."""

from __future__ import annotations

import email.utils
import threading
import time
from typing import Any

import httpx
import litellm
import pytest
from doubles.stub_model import Reply, StubModelServer

from pipeline.agent import failures
from pipeline.ledger.store import Ledger


def _rate_limited(retry_after: str | None) -> litellm.RateLimitError:
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    response = httpx.Response(
        429, headers=headers, request=httpx.Request("POST", "http://stub/v1/chat/completions")
    )
    return litellm.RateLimitError("slow down", llm_provider="openai", model="m", response=response)


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert failures.retry_after_s(_rate_limited("2.5")) == 2.5
    later = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 50 < (failures.retry_after_s(_rate_limited(later)) or 0) <= 60
    assert failures.retry_after_s(_rate_limited("soon")) is None
    assert failures.retry_after_s(_rate_limited(None)) is None


def test_backoff_honours_retry_after_but_caps_it() -> None:
    assert failures.backoff_s(0, _rate_limited("0.2"), base=0.01) >= 0.2
    assert failures.backoff_s(0, _rate_limited("3600"), base=0.01) == pytest.approx(
        0.01 * failures.MAX_WAIT_FACTOR
    )
    assert failures.backoff_s(3, _rate_limited(None), base=1.0) <= 8.0


def test_what_is_retried() -> None:
    request = httpx.Request("POST", "http://stub")
    assert failures.is_retryable(_rate_limited(None))
    assert failures.is_retryable(litellm.Timeout("slow", model="m", llm_provider="openai"))
    assert failures.is_retryable(
        litellm.InternalServerError("boom", llm_provider="openai", model="m")
    )
    assert not failures.is_retryable(
        litellm.BadRequestError("bad", model="m", llm_provider="openai")
    )
    unauthorised = litellm.AuthenticationError(
        "no", llm_provider="openai", model="m", response=httpx.Response(401, request=request)
    )
    assert not failures.is_retryable(unauthorised)
    assert "OPENAI_API_KEY" in failures.describe(unauthorised, "openai/m", 10)


def test_key_checks_ignore_base_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OLLAMA_API_BASE", raising=False)
    assert failures.missing_key("ollama/llama3") is None
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert failures.missing_key("openai/gpt-5") == "OPENAI_API_KEY"
    assert "GEMINI_API_KEY" in (failures.missing_key("gemini/gemini-2.5-pro") or "")


def test_retry_base_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(failures.RETRY_BASE_ENV, "0.25")
    assert failures.retry_base_s() == 0.25
    monkeypatch.setenv(failures.RETRY_BASE_ENV, "fast")
    assert failures.retry_base_s() == failures.DEFAULT_RETRY_BASE_S


def test_one_client_serves_parallel_workers(
    client: Any,
    stub: StubModelServer,
    ledger: Ledger,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]],
) -> None:
    stub.queue("planner-model", [Reply(content="a", delay_s=0.2), Reply(content="b", delay_s=0.2)])
    model = client()
    answers: list[str | None] = []

    def work(task: str) -> None:
        answers.append(
            model.complete(role="generator", messages=messages, tools=tools, task=task).content
        )

    workers = [threading.Thread(target=work, args=(f"t{n}",)) for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(a or "" for a in answers) == ["a", "b"]
    assert sorted(c.task or "" for c in ledger.calls()) == ["t0", "t1"]
