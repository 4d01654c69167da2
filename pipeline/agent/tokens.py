"""Counting prompt tokens: litellm's tokenizer, cached per message, or Anthropic's exact count
when it matters.

A conversation only grows, so each call would otherwise tokenize everything it sent before
again (twice: once for the budget, once for the cacheable prefix). Counts are kept per message
(and per tool list) under a digest of its JSON; a call counts only what is new."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from typing import Any, cast

CACHE_ENTRIES = 16_384


class _Counts:
    """A bounded, thread-safe LRU of (model, digest of a JSON value) → tokens."""

    def __init__(self, size: int = CACHE_ENTRIES) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, bytes], int] = OrderedDict()

    def get(self, model: str, value: Any, measure: Any) -> int:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
        key = (model, hashlib.blake2b(text.encode(), digest_size=16).digest())
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        counted = measure(text)
        with self._lock:
            self._entries[key] = counted
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return counted


_counts = _Counts()


def _litellm_count(model: str, messages: list[dict[str, Any]],
                   tools: list[dict[str, Any]] | None, text: str) -> int:
    import litellm

    try:
        return int(litellm.token_counter(model=model, messages=messages,
                                         tools=cast(Any, tools) or None))
    except Exception:  # an odd message shape must not stop a call; the estimate is close enough
        return max(1, len(text) // 4)


def message_tokens(model: str, message: dict[str, Any]) -> int:
    return _counts.get(model, message,
                       lambda text: _litellm_count(model, [message], None, text))


def tools_tokens(model: str, tools: list[dict[str, Any]]) -> int:
    if not tools:
        return 0
    return _counts.get(model, tools, lambda text: _litellm_count(model, [], tools, text))


def count(model: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> int:
    """litellm's count for this model (the sum of its messages' counts, each tokenized once);
    a characters/4 estimate for what it cannot count."""
    return sum(message_tokens(model, m) for m in messages) + tools_tokens(model, tools)


def anthropic_exact(
    model: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]]
) -> int | None:
    """Anthropic's own count (`messages.count_tokens`); None when it cannot be had."""
    if not model.startswith("anthropic/") or not os.environ.get("ANTHROPIC_API_KEY"):
        return None
    try:
        import anthropic

        system, converted = to_anthropic(messages)
        extra: dict[str, Any] = {"system": system} if system else {}
        if tools:
            extra["tools"] = [_anthropic_tool(tool) for tool in tools]
        client = anthropic.Anthropic(max_retries=0, timeout=10)
        result = client.messages.count_tokens(
            model=model.removeprefix("anthropic/"), messages=cast(Any, converted), **extra
        )
        return int(result.input_tokens)
    except Exception:  # any failure falls back to litellm's count, as documented
        return None


def _anthropic_tool(tool: dict[str, Any]) -> dict[str, Any]:
    function = tool.get("function", tool)
    return {
        "name": function["name"],
        "description": function.get("description", ""),
        "input_schema": function.get("parameters") or {"type": "object", "properties": {}},
    }


def _text(content: Any) -> str:
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return "" if content is None else str(content)


def to_anthropic(messages: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """OpenAI chat messages → Anthropic's (system, messages), consecutive roles merged."""
    system: list[str] = []
    out: list[dict[str, Any]] = []
    for message in messages:
        role = message.get("role")
        if role == "system":
            system.append(_text(message.get("content")))
            continue
        blocks: list[dict[str, Any]] = []
        if role == "tool":
            role = "user"
            blocks.append(
                {
                    "type": "tool_result",
                    "tool_use_id": message.get("tool_call_id", ""),
                    "content": _text(message.get("content")),
                }
            )
        else:
            text = _text(message.get("content"))
            if text:
                blocks.append({"type": "text", "text": text})
            for call in message.get("tool_calls") or []:
                try:
                    arguments = json.loads(call["function"].get("arguments") or "{}")
                except json.JSONDecodeError:
                    arguments = {}
                blocks.append(
                    {
                        "type": "tool_use",
                        "id": call.get("id", ""),
                        "name": call["function"]["name"],
                        "input": arguments if isinstance(arguments, dict) else {},
                    }
                )
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        elif blocks:
            out.append({"role": role, "content": blocks})
    return "\n\n".join(system), out
