"""ModelClient against the live stub server, through litellm for real."""

from __future__ import annotations

from typing import Any

import pytest
from doubles.stub_model import Reply, StubModelServer, ToolCall, call

from pipeline.agent.model import parse_tool_call
from pipeline.core.errors import BadInput, ModelUnavailable
from pipeline.ledger.store import Ledger

Messages = list[dict[str, Any]]


def test_tool_call_round_trip(
    client: Any, stub: StubModelServer, ledger: Ledger, messages: Messages, tools: Messages
) -> None:
    stub.queue("planner-model", [call("finish", summary="done")])
    reply = client().complete(role="planner", messages=messages, tools=tools, task="t1")
    assert reply.model == "openai/planner-model"
    assert [(c.name, c.arguments, c.error) for c in reply.tool_calls] == [
        ("finish", {"summary": "done"}, None)
    ]
    assert reply.message["role"] == "assistant"
    assert reply.message["tool_calls"][0]["function"] == {
        "name": "finish",
        "arguments": '{"summary": "done"}',
    }
    sent = stub.requests[0]
    assert sent.tool_names() == {"finish"}
    assert sent.body["tool_choice"] == "auto"
    assert sent.last_user_text() == "Add a greeting function."
    assert reply.cost_usd > 0 and reply.input_tokens > 0 and reply.output_tokens > 0
    [recorded] = ledger.calls()
    assert (recorded.role, recorded.task, recorded.ok, recorded.cost_usd) == (
        "planner",
        "t1",
        True,
        reply.cost_usd,
    )


def test_history_round_trips_into_the_next_request(
    client: Any, stub: StubModelServer, messages: Messages, tools: Messages
) -> None:
    stub.queue("planner-model", [call("read_file", path="a.py"), Reply(content="ok")])
    model = client()
    first = model.complete(role="planner", messages=messages, tools=tools)
    history = [
        *messages,
        first.message,
        {"role": "tool", "tool_call_id": first.tool_calls[0].id, "content": "print('hi')"},
    ]
    second = model.complete(role="planner", messages=history, tools=tools)
    assert second.content == "ok" and second.tool_calls == []
    assert "tool_calls" not in second.message
    assert stub.requests[1].tool_results() == ["print('hi')"]


def test_rate_limited_twice_then_answers(
    client: Any, stub: StubModelServer, ledger: Ledger, messages: Messages, tools: Messages
) -> None:
    stub.queue("planner-model", [Reply.error(429), Reply.error(429), Reply(content="hi")])
    reply = client().complete(role="planner", messages=messages, tools=tools)
    assert reply.content == "hi"
    assert len(stub.requests) == 3
    assert [c.ok for c in ledger.calls()] == [False, False, True]
    assert "429" in (ledger.calls()[0].error or "")
    assert ledger.run_totals("run-1").failed == 2


def test_server_error_falls_back(
    client: Any,
    make_config: Any,
    stub: StubModelServer,
    ledger: Ledger,
    messages: Messages,
    tools: Messages,
) -> None:
    config = make_config(
        models={"max_retries": 1, "fallbacks": {"planner": ["openai/fallback-model"]}}
    )
    stub.queue("planner-model", [Reply.error(500), Reply.error(500)])
    stub.queue("fallback-model", [call("finish", summary="from fallback")])
    reply = client(config).complete(role="planner", messages=messages, tools=tools)
    assert reply.model == "openai/fallback-model"
    assert reply.tool_calls[0].arguments == {"summary": "from fallback"}
    assert [(c.model, c.ok) for c in ledger.calls()] == [
        ("openai/planner-model", False),
        ("openai/planner-model", False),
        ("openai/fallback-model", True),
    ]


def test_timeout_is_retried(
    client: Any,
    make_config: Any,
    stub: StubModelServer,
    ledger: Ledger,
    messages: Messages,
    tools: Messages,
) -> None:
    config = make_config(models={"request_timeout_s": 0.3})
    stub.queue("planner-model", [Reply(content="late", delay_s=3), Reply(content="on time")])
    reply = client(config).complete(role="planner", messages=messages, tools=tools)
    assert reply.content == "on time"
    first = ledger.calls()[0]
    assert not first.ok and "timed out" in (first.error or "")


def test_everything_failing_is_model_unavailable(
    client: Any,
    make_config: Any,
    stub: StubModelServer,
    ledger: Ledger,
    messages: Messages,
    tools: Messages,
) -> None:
    config = make_config(
        models={"max_retries": 1, "fallbacks": {"openai/planner-model": ["openai/fallback-model"]}}
    )
    with pytest.raises(ModelUnavailable) as raised:
        client(config).complete(role="planner", messages=messages, tools=tools)
    message = raised.value.format_message()
    assert "\n" not in message
    assert "openai/planner-model" in message and "openai/fallback-model" in message
    assert "script ran out" in message
    assert len(stub.requests) == 4
    assert ledger.run_totals("run-1").failed == 4


def test_client_errors_are_not_retried(
    client: Any, stub: StubModelServer, messages: Messages, tools: Messages
) -> None:
    stub.queue("planner-model", [Reply.error(400, "bad request: no such parameter")])
    with pytest.raises(ModelUnavailable, match="no such parameter"):
        client().complete(role="planner", messages=messages, tools=tools)
    assert len(stub.requests) == 1


def test_unauthorised_names_the_key_variable(
    client: Any, stub: StubModelServer, messages: Messages, tools: Messages
) -> None:
    stub.queue("planner-model", [Reply.error(401, "invalid api key")])
    with pytest.raises(ModelUnavailable, match="OPENAI_API_KEY"):
        client().complete(role="planner", messages=messages, tools=tools)
    assert len(stub.requests) == 1


def test_missing_key_is_named_without_calling(
    client: Any,
    stub: StubModelServer,
    monkeypatch: pytest.MonkeyPatch,
    messages: Messages,
    tools: Messages,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(ModelUnavailable, match="no API key: set OPENAI_API_KEY"):
        client().complete(role="planner", messages=messages, tools=tools)
    assert stub.requests == []


def test_malformed_arguments_become_a_tool_call_error(
    client: Any, stub: StubModelServer, messages: Messages, tools: Messages
) -> None:
    stub.queue(
        "planner-model",
        [
            Reply(tool_calls=[ToolCall("finish")], raw_arguments='{"summary": "unterminated'),
            Reply(tool_calls=[ToolCall("finish", raw_arguments="[1, 2]"), ToolCall("finish")]),
        ],
    )
    model = client()
    broken = model.complete(role="planner", messages=messages, tools=tools).tool_calls[0]
    assert broken.arguments is None and "not valid JSON" in (broken.error or "")
    assert broken.raw_arguments == '{"summary": "unterminated'
    listed, empty = model.complete(role="planner", messages=messages, tools=tools).tool_calls
    assert listed.arguments is None and "JSON object" in (listed.error or "")
    assert empty.arguments == {} and empty.error is None


def test_parse_tool_call_accepts_empty_arguments() -> None:
    assert parse_tool_call("c1", "finish", "").arguments == {}
    assert parse_tool_call("c1", "finish", None).arguments == {}
    assert parse_tool_call("c1", "finish", "7").error == "arguments must be a JSON object, not int"


def test_cost_equals_litellm_completion_cost(
    client: Any, stub: StubModelServer, ledger: Ledger, messages: Messages, tools: Messages
) -> None:
    import litellm

    usage = {
        "prompt_tokens": 1000,
        "completion_tokens": 200,
        "prompt_tokens_details": {"cached_tokens": 0},
    }
    stub.queue("planner-model", [Reply(content="priced", usage=usage)])
    reply = client().complete(role="planner", messages=messages, tools=tools)
    expected = 1000 * 3.0 / 1e6 + 200 * 15.0 / 1e6
    assert reply.cost_usd == pytest.approx(expected)
    assert reply.input_tokens == 1000 and reply.output_tokens == 200
    priced_by_litellm = litellm.completion_cost(
        model="openai/planner-model",
        prompt="",
        completion="",
        custom_cost_per_token=None,
        completion_response=_response(1000, 200),
    )
    assert reply.cost_usd == pytest.approx(priced_by_litellm)
    assert ledger.run_totals("run-1").cost_usd == pytest.approx(expected)


def test_cached_tokens_are_recorded_and_priced(
    client: Any,
    make_config: Any,
    stub: StubModelServer,
    ledger: Ledger,
    messages: Messages,
    tools: Messages,
) -> None:
    from pipeline.config.settings import Price

    price = Price(input_per_mtok=3.0, output_per_mtok=15.0, cached_input_per_mtok=0.3)
    config = make_config(pricing={"openai/planner-model": price})
    usage = {
        "prompt_tokens": 1000,
        "completion_tokens": 100,
        "prompt_tokens_details": {"cached_tokens": 800},
    }
    stub.queue("planner-model", [Reply(content="cached", usage=usage)])
    reply = client(config).complete(role="planner", messages=messages, tools=tools)
    assert reply.cached_input_tokens == 800
    assert reply.cost_usd == pytest.approx((200 * 3.0 + 800 * 0.3 + 100 * 15.0) / 1e6)
    assert ledger.calls()[0].cached_input_tokens == 800


def test_unpriced_model_costs_nothing_and_warns_once(
    client: Any,
    make_config: Any,
    stub: StubModelServer,
    caplog: pytest.LogCaptureFixture,
    messages: Messages,
    tools: Messages,
) -> None:
    config = make_config(models={"default": "openai/nobody-priced-this"}, pricing={})
    stub.queue("nobody-priced-this", [Reply(content="a"), Reply(content="b")])
    model = client(config)
    with caplog.at_level("WARNING", logger="pipeline.agent.model"):
        costs = [
            model.complete(role="planner", messages=messages, tools=tools).cost_usd
            for _ in range(2)
        ]
    assert costs == [0.0, 0.0]
    notes = [r for r in caplog.records if "nobody-priced-this" in r.getMessage()]
    assert len(notes) == 1


def test_spent_is_this_runs_total(
    client: Any, stub: StubModelServer, messages: Messages, tools: Messages
) -> None:
    stub.queue("planner-model", [Reply(content="a"), Reply(content="b")])
    first, other = client(), client(run_id="run-2")
    paid = first.complete(role="planner", messages=messages, tools=tools).cost_usd
    other.complete(role="planner", messages=messages, tools=tools)
    assert first.spent() == pytest.approx(paid)


def test_model_unavailable_is_a_work_failure() -> None:
    assert ModelUnavailable("x").exit_code == 1
    assert BadInput("x").exit_code == 2


def _response(prompt_tokens: int, completion_tokens: int) -> Any:
    import litellm

    return litellm.ModelResponse(
        model="planner-model",
        choices=[
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "x"}}
        ],
        usage={
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    )
