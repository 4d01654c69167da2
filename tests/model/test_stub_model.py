"""The stub model server speaks plain HTTP the way an OpenAI-compatible server does."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from doubles.stub_model import ChatRequest, Reply, StubModelServer, ToolCall, call


def _post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.load(error)


def _chat(model: str = "m", **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": "hi"}], **extra}


def test_tool_calls_in_openai_format() -> None:
    with StubModelServer() as server:
        server.queue("openai/m", [call("finish", summary="ok")])
        status, _, body = _post(f"{server.url}/chat/completions", _chat())
    assert status == 200
    choice = body["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    [tool_call] = choice["message"]["tool_calls"]
    assert tool_call["type"] == "function"
    assert tool_call["function"]["name"] == "finish"
    assert json.loads(tool_call["function"]["arguments"]) == {"summary": "ok"}
    assert body["usage"]["prompt_tokens"] > 0 and body["usage"]["completion_tokens"] > 0


def test_usage_is_deterministic_unless_given() -> None:
    with StubModelServer() as server:
        server.queue(
            "m",
            [
                Reply(content="same"),
                Reply(content="same"),
                Reply(content="x", usage={"prompt_tokens": 7}),
            ],
        )
        usages = [_post(f"{server.url}/chat/completions", _chat())[2]["usage"] for _ in range(3)]
    assert usages[0] == usages[1]
    assert usages[2]["prompt_tokens"] == 7
    assert usages[2]["total_tokens"] == 7 + usages[2]["completion_tokens"]


def test_errors_have_openai_bodies_and_retry_after() -> None:
    with StubModelServer() as server:
        server.queue("m", [Reply.error(429), Reply.error(500, "down")])
        status, headers, body = _post(f"{server.url}/chat/completions", _chat())
        assert status == 429 and headers["Retry-After"] == "1"
        assert body["error"]["type"] == "rate_limit_error"
        status, _, body = _post(f"{server.url}/chat/completions", _chat())
        assert status == 500 and body["error"]["message"] == "down"


def test_running_out_of_script_fails_loudly() -> None:
    with StubModelServer() as server:
        status, _, body = _post(f"{server.url}/chat/completions", _chat("unscripted"))
    assert status == 500
    assert "script ran out" in body["error"]["message"]
    assert "unscripted" in body["error"]["message"]


def test_responder_and_recorded_requests() -> None:
    seen: list[ChatRequest] = []

    def echo(request: ChatRequest) -> Reply:
        seen.append(request)
        return Reply(content=f"{request.model}: {request.last_user_text()}")

    with StubModelServer() as server:
        server.responder = echo
        _, _, body = _post(
            f"{server.url}/chat/completions",
            _chat("x", tools=[{"type": "function", "function": {"name": "t"}}]),
        )
        assert body["choices"][0]["message"]["content"] == "x: hi"
        assert server.requests == seen
        assert seen[0].tool_names() == {"t"}


def test_any_model_queue_and_models_listing() -> None:
    with StubModelServer() as server:
        server.queue("*", [Reply(content="anyone")])
        server.queue("named", [])
        _, _, body = _post(f"{server.url}/chat/completions", _chat("whoever"))
        assert body["choices"][0]["message"]["content"] == "anyone"
        with urllib.request.urlopen(f"{server.url}/models", timeout=10) as response:
            listing = json.load(response)
    assert [m["id"] for m in listing["data"]] == ["named"]


def test_raw_arguments_need_a_tool_call() -> None:
    with pytest.raises(ValueError, match="tool call"):
        Reply(raw_arguments="{")
    reply = Reply(tool_calls=[ToolCall("f")], raw_arguments="{")
    assert reply.raw_arguments == "{"


def test_streaming_is_refused_loudly() -> None:
    with StubModelServer() as server:
        server.queue("m", [Reply(content="never streamed")])
        status, _, body = _post(f"{server.url}/chat/completions", _chat(stream=True))
    assert status == 400 and "does not stream" in body["error"]["message"]
    assert server.remaining("m") == 1
