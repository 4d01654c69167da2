"""The Anthropic Messages wire format for the stub model server (`anthropic/<name>` models).

Enough of it for litellm's Anthropic path and the SDK's token counting to run offline, so
prompt caching can be checked on the wire.
"""

from __future__ import annotations

import json
from typing import Any

from pipeline.demo.model_server import ChatRequest, Reply, estimate_tokens

MESSAGES_PATH = "/v1/messages"
COUNT_TOKENS_PATH = "/v1/messages/count_tokens"


def message(request: ChatRequest, reply: Reply, number: int) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if reply.content:
        content.append({"type": "text", "text": reply.content})
    for index, call in enumerate(reply.tool_calls):
        raw = call.raw_arguments or reply.raw_arguments
        try:
            arguments = call.arguments if raw is None else json.loads(raw)
        except json.JSONDecodeError:
            arguments = {"_raw": raw}
        content.append(
            {
                "type": "tool_use",
                "id": f"toolu_{number}_{index}",
                "name": call.name,
                "input": arguments,
            }
        )
    usage: dict[str, Any] = {
        "input_tokens": prompt_tokens(request.body),
        "output_tokens": estimate_tokens(json.dumps(content)),
        "cache_read_input_tokens": 0,
        "cache_creation_input_tokens": 0,
    }
    usage.update(reply.usage or {})
    return {
        "id": f"msg_stub_{number}",
        "type": "message",
        "role": "assistant",
        "model": request.model,
        "content": content,
        "stop_reason": "tool_use" if reply.tool_calls else "end_turn",
        "stop_sequence": None,
        "usage": usage,
    }


def prompt_tokens(body: dict[str, Any]) -> int:
    parts = (body.get("system"), body.get("messages"), body.get("tools"))
    return estimate_tokens("".join(json.dumps(part) for part in parts if part))


def error(body: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI-style error body in Anthropic's shape."""
    detail = body.get("error", {})
    return {
        "type": "error",
        "error": {
            "type": detail.get("type", "api_error"),
            "message": detail.get("message", "stub error"),
        },
    }
