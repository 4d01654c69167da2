"""Prompt caching: mark the stable prefix for Anthropic, and measure it for every model.

Anthropic caches a prompt up to each `cache_control` breakpoint. Marking the system message
(tools come before it, so they are covered) and the conversation's last message means every
call writes its whole prompt to the cache and the next call of the same conversation, which
only appends to it, reads all of that back.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

EPHEMERAL = {"type": "ephemeral"}


def uses_prompt_caching(model: str) -> bool:
    return model.startswith("anthropic/")


def _mark_blocks(message: dict[str, Any]) -> None:
    content = message.get("content")
    if isinstance(content, str) and content:
        message["content"] = [{"type": "text", "text": content, "cache_control": EPHEMERAL}]
    elif isinstance(content, list) and content and isinstance(content[-1], dict):
        content[-1] = {**content[-1], "cache_control": EPHEMERAL}
    else:
        message["cache_control"] = EPHEMERAL


def mark_cacheable(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy of messages with breakpoints on the last system message and the last message."""
    marked = copy.deepcopy(messages)
    systems = [i for i, m in enumerate(marked) if m.get("role") == "system"]
    targets = {systems[-1]} if systems else set()
    if marked:
        targets.add(len(marked) - 1)
    for index in targets:
        message = marked[index]
        if message.get("role") == "tool":
            # litellm carries a tool result's breakpoint at the message level.
            message["cache_control"] = EPHEMERAL
        else:
            _mark_blocks(message)
    return marked


def _common_prefix(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> int:
    length = 0
    for left, right in zip(a, b, strict=False):
        if left != right:
            break
        length += 1
    return length


def _leading_system(messages: list[dict[str, Any]]) -> int:
    length = 0
    for message in messages:
        if message.get("role") != "system":
            break
        length += 1
    return length


class PrefixTracker:
    """Remembers each conversation's last prompt to measure the prefix the next one shares."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[tuple[str, str | None], list[dict[str, Any]]] = {}

    def shared(self, key: tuple[str, str | None], messages: list[dict[str, Any]]) -> int:
        """How many leading messages are cacheable: those the previous call also sent,
        or at least the system messages (with the tools, always part of the prefix)."""
        with self._lock:
            previous = self._last.get(key)
        shared = _common_prefix(previous, messages) if previous is not None else 0
        return max(shared, _leading_system(messages))

    def remember(self, key: tuple[str, str | None], messages: list[dict[str, Any]]) -> None:
        with self._lock:
            self._last[key] = copy.deepcopy(messages)


def scaled(prompt_tokens: int, prefix_counted: int, full_counted: int) -> int:
    """The provider's prompt tokens times the prefix's share under our own tokenizer, so
    the cacheable fraction does not depend on which tokenizer the provider used."""
    if full_counted <= 0 or prompt_tokens <= 0:
        return 0
    return min(
        prompt_tokens, round(prompt_tokens * min(prefix_counted, full_counted) / full_counted)
    )
