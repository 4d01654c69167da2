"""One role's conversation, kept within its model's input window.

Before each request the conversation is measured against the window (`window.py`). Past
`limits.reset_at` of it, the oldest tool outputs are elided first, each replaced by a one-line
note of what was there. If it is still past the threshold, the agent resets: it asks for a
`handoff(note)` on a conversation cut to fit (`handoff_messages`), then starts over from the
role's brief and that note — never the old tool outputs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, Field

from pipeline.agent.exceptions import ContextExceeded, FormatError, Submitted, ToolError
from pipeline.agent.tools import Toolbox, finishing_tool

if TYPE_CHECKING:
    from pipeline.agent.model import ModelClient

ELIDE_TO = 0.7
"""Eliding goes this far below the threshold, so the next few requests share their prefix."""
ELIDED = ("[elided to keep the conversation within the model's window: {what} returned "
          "{size} characters here; call it again if you still need them]")


class Handoff(Protocol):
    """What a role says at a reset (its prompts), and what it keeps of one."""

    def request(self, slice_ended: bool = False) -> str:
        """The message that asks for the handoff note (at a reset, or as a slice ends)."""

    def resume(self, note: str) -> str:
        """The first message of the fresh context: the brief, the task, the note verbatim
        and the branch's state."""

    def record(self, note: str, why: str) -> None:
        """Keep the note where a person can read it, and count the reset."""


class HandoffArgs(BaseModel):
    note: str = Field(min_length=1, description=(
        "Everything the next context needs to carry on: what is done, what you learned "
        "(files, functions, commands and what they showed), what is left, and the next step."))


HANDOFF = finishing_tool("handoff", "Write the handoff note for your next, fresh context.",
                         HandoffArgs)


@dataclass
class Conversation:
    """The messages of one context, and what keeps them within the window."""

    model: ModelClient
    role: str
    model_name: str | None
    reset_at: float
    messages: list[dict[str, Any]]

    @classmethod
    def start(cls, model: ModelClient, role: str, model_name: str | None, reset_at: float,
              system: str, user: str) -> Conversation:
        return cls(model, role, model_name, reset_at,
                   [{"role": "system", "content": system}, {"role": "user", "content": user}])

    @property
    def progressed(self) -> bool:
        """Whether the model has answered in this context yet."""
        return any(m.get("role") == "assistant" for m in self.messages)

    def size(self, tools: list[dict[str, Any]], messages: list[dict[str, Any]] | None = None
             ) -> int:
        return self.model.count(self.role, self.model_name,
                                self.messages if messages is None else messages, tools)

    @property
    def limit(self) -> int:
        return self.model.context_limit(self.role, self.model_name)

    def crowded(self, tools: list[dict[str, Any]]) -> bool:
        """Past the reset threshold even after eliding the oldest tool outputs."""
        threshold = int(self.limit * self.reset_at)
        if self.size(tools) <= threshold:
            return False
        elide(self.messages, lambda: self.size(tools) <= threshold * ELIDE_TO,
              keep=_last_turn(self.messages))
        return self.size(tools) > threshold

    def fits(self, tools: list[dict[str, Any]]) -> bool:
        return self.size(tools) <= self.limit

    def handoff_messages(self, request: str) -> list[dict[str, Any]]:
        """The conversation cut to fit with the request for a handoff: every tool output
        elided, then the oldest turns dropped, until it fits."""
        tools = [HANDOFF.schema()]
        ask = {"role": "user", "content": request}
        kept = [dict(m) for m in self.messages]
        elide(kept, lambda: self.size(tools, [*kept, ask]) <= self.limit, keep=_last_turn(kept))
        elide(kept, lambda: self.size(tools, [*kept, ask]) <= self.limit, keep=len(kept))
        while len(kept) > 2 and self.size(tools, [*kept, ask]) > self.limit:
            del kept[2:_next_turn(kept, 2)]
        return [*kept, ask]

    def ask_handoff(self, request: str, task: str | None) -> str:
        """The note the model writes when offered only `handoff`; its text if it wrote one
        without the tool; empty when it could not (the next context still gets the branch)."""
        for _ in range(2):
            try:
                reply = self.model.complete(role=self.role, messages=self.handoff_messages(request),
                                            tools=[HANDOFF.schema()], model=self.model_name,
                                            task=task)
            except ContextExceeded:
                continue  # learned a smaller window: cut again and ask once more
            for call in reply.tool_calls:
                if call.name != HANDOFF.name:
                    continue
                try:
                    Toolbox([HANDOFF]).call(call.name, call.arguments, call.raw_arguments)
                except Submitted as done:
                    return str(done.payload.note)
                except (FormatError, ToolError):
                    continue
            return (reply.content or "").strip()
        return ""


def _last_turn(messages: list[dict[str, Any]]) -> int:
    """Index of the last assistant message: its tool results are never elided."""
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].get("role") == "assistant":
            return index
    return len(messages)


def _next_turn(messages: list[dict[str, Any]], start: int) -> int:
    """The end of the turn (an assistant message and its tool results) starting at start."""
    end = start + 1
    while end < len(messages) and messages[end].get("role") == "tool":
        end += 1
    return end


def _calls(messages: list[dict[str, Any]]) -> dict[str, str]:
    """tool_call_id → `name(arguments)` shortened, to say what an elided output was."""
    named: dict[str, str] = {}
    for message in messages:
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {}
            arguments = str(function.get("arguments") or "")
            try:
                parsed = json.loads(arguments)
                if isinstance(parsed, dict):
                    arguments = ", ".join(f"{k}={str(v)[:60]!r}" for k, v in parsed.items()
                                          if k != "content")
            except json.JSONDecodeError:
                arguments = arguments[:60]
            named[str(call.get("id"))] = f"{function.get('name', 'a tool')}({arguments})"
    return named


def elide(messages: list[dict[str, Any]], enough: Callable[[], bool], *, keep: int) -> int:
    """Replace tool outputs before index keep, oldest first, until enough() holds; returns
    how many were elided."""
    names = _calls(messages)
    done = 0
    for index in range(min(keep, len(messages))):
        message = messages[index]
        content = str(message.get("content") or "")
        if message.get("role") != "tool" or content.startswith("[elided"):
            continue
        if enough():
            break
        what = names.get(str(message.get("tool_call_id")), "a tool")
        messages[index] = {**message, "content": ELIDED.format(what=what, size=len(content))}
        done += 1
    return done
