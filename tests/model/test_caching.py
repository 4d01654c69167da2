"""Prompt caching: breakpoints on the wire for Anthropic, and the cacheable share for all."""

from __future__ import annotations

import copy
import subprocess
import sys
from typing import Any

import pytest
from doubles.stub_model import Reply, StubModelServer, call

from pipeline.agent import caching, tokens
from pipeline.core.errors import BudgetExceeded
from pipeline.ledger.store import Ledger

Messages = list[dict[str, Any]]
CLAUDE = "anthropic/claude-sonnet-4-5"


@pytest.fixture
def claude(stub: StubModelServer, monkeypatch: pytest.MonkeyPatch) -> StubModelServer:
    """The stub also answers Anthropic's Messages API, for litellm and for the SDK."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", "stub-key")
    monkeypatch.setenv("ANTHROPIC_API_BASE", stub.base_url)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", stub.base_url)
    return stub


def _marked(block_or_message: dict[str, Any]) -> bool:
    return block_or_message.get("cache_control") == {"type": "ephemeral"}


def test_mark_cacheable_marks_system_and_last_message_only(messages: Messages) -> None:
    original = copy.deepcopy(messages)
    history = [
        *messages,
        {"role": "assistant", "content": None, "tool_calls": []},
        {"role": "tool", "tool_call_id": "c1", "content": "output"},
    ]
    marked = caching.mark_cacheable(history)
    assert (
        _marked(marked[0]["content"][0])
        and marked[0]["content"][0]["text"] == original[0]["content"]
    )
    assert marked[1] == original[1]
    assert _marked(marked[3])
    assert messages == original


def test_anthropic_breakpoints_reach_the_wire_and_cache_reads_are_recorded(
    client: Any,
    make_config: Any,
    claude: StubModelServer,
    ledger: Ledger,
    messages: Messages,
    tools: Messages,
) -> None:
    claude.queue(
        CLAUDE,
        [
            call("read_file", path="a.py"),
            Reply(content="done", usage={"cache_read_input_tokens": 40}),
        ],
    )
    model = client(make_config(models={"default": CLAUDE}, pricing={}))
    first = model.complete(role="generator", messages=messages, tools=tools)
    history = [
        *messages,
        first.message,
        {"role": "tool", "tool_call_id": first.tool_calls[0].id, "content": "x = 1"},
    ]
    second = model.complete(role="generator", messages=history, tools=tools)
    assert second.cached_input_tokens == 40
    assert [c.cached_input_tokens for c in ledger.calls()] == [0, 40]
    for request in claude.requests:
        assert request.protocol == "anthropic"
        assert _marked(request.body["system"][-1])
        last_blocks = request.messages[-1]["content"]
        assert _marked(last_blocks[-1])
        earlier = [b for m in request.messages[:-1] for b in m["content"] if _marked(b)]
        assert earlier == []
    assert history[-1] == {
        "role": "tool",
        "tool_call_id": first.tool_calls[0].id,
        "content": "x = 1",
    }
    assert second.cost_usd > 0  # litellm's own price for this Claude model


def test_cacheable_prompt_tokens_are_measured_for_every_model(
    client: Any,
    stub: StubModelServer,
    ledger: Ledger,
    messages: Messages,
    tools: Messages,
) -> None:
    stub.queue(
        "planner-model",
        [call("list_files", path="."), call("read_file", path="a"), Reply(content="done")],
    )
    model = client()
    history = list(messages)
    for _ in range(3):
        reply = model.complete(role="planner", messages=history, tools=tools, task="t1")
        history += [reply.message, {"role": "tool", "tool_call_id": "c", "content": "x" * 400}]
    first, second, third = ledger.calls()
    # each call can reuse what the previous call sent: system + tools first, then more
    assert 0 < first.cacheable_prompt_tokens < first.input_tokens
    assert first.cacheable_prompt_tokens < second.cacheable_prompt_tokens
    assert second.cacheable_prompt_tokens < third.cacheable_prompt_tokens < third.input_tokens
    assert ledger.run_totals("run-1").cacheable_prompt_tokens == sum(
        c.cacheable_prompt_tokens for c in (first, second, third)
    )


def test_prefix_tracker_counts_messages_shared_with_the_previous_call(
    messages: Messages,
) -> None:
    tracker = caching.PrefixTracker()
    key = ("generator", "t1")
    assert tracker.shared(key, messages) == 1  # the system message, before any history
    tracker.remember(key, messages)
    longer = [*messages, {"role": "assistant", "content": "a"}, {"role": "user", "content": "b"}]
    assert tracker.shared(key, longer) == 2
    tracker.remember(key, longer)
    assert tracker.shared(key, [*longer, {"role": "user", "content": "c"}]) == 4
    assert tracker.shared(("generator", "t2"), longer) == 1


def test_exact_anthropic_count_when_the_budget_is_tight(
    client: Any,
    make_config: Any,
    claude: StubModelServer,
    messages: Messages,
    tools: Messages,
) -> None:
    claude.count_tokens = lambda body: 5_000_000  # far more than litellm's estimate
    config = make_config(models={"default": CLAUDE}, pricing={})
    with pytest.raises(BudgetExceeded, match="5000000 tokens"):
        client(config, budget_usd=0.0001).complete(role="planner", messages=messages, tools=tools)
    assert len(claude.token_counts) == 1
    assert claude.token_counts[0]["system"] == messages[0]["content"]
    assert claude.requests == []


def test_no_exact_count_when_the_budget_is_roomy(
    client: Any,
    make_config: Any,
    claude: StubModelServer,
    messages: Messages,
    tools: Messages,
) -> None:
    claude.queue(CLAUDE, [Reply(content="fine")])
    config = make_config(models={"default": CLAUDE}, pricing={})
    client(config, budget_usd=5.0).complete(role="planner", messages=messages, tools=tools)
    assert claude.token_counts == []


def test_exact_count_failure_falls_back_to_litellm(
    monkeypatch: pytest.MonkeyPatch, messages: Messages, tools: Messages
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "k")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    assert tokens.anthropic_exact(CLAUDE, messages, tools) is None
    assert tokens.anthropic_exact("openai/x", messages, tools) is None
    assert tokens.count(CLAUDE, messages, tools) > 0


def test_to_anthropic_merges_tool_results_into_user_turns() -> None:
    system, converted = tokens.to_anthropic(
        [
            {"role": "system", "content": "rules"},
            {"role": "user", "content": "go"},
            {
                "role": "assistant",
                "content": "looking",
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "a", "arguments": "{}"}},
                    {
                        "id": "c2",
                        "type": "function",
                        "function": {"name": "b", "arguments": "{bad"},
                    },
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "one"},
            {"role": "tool", "tool_call_id": "c2", "content": "two"},
        ]
    )
    assert system == "rules"
    assert [m["role"] for m in converted] == ["user", "assistant", "user"]
    assert [b["type"] for b in converted[1]["content"]] == ["text", "tool_use", "tool_use"]
    assert [b["tool_use_id"] for b in converted[2]["content"]] == ["c1", "c2"]


def test_importing_the_model_layer_does_not_import_litellm() -> None:
    code = (
        "import pipeline.agent.model, pipeline.ledger.store, pipeline.demo.model_server; "
        "import sys; assert 'litellm' not in sys.modules, 'litellm imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
