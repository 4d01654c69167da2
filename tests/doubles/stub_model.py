"""The tests' model: the demo's scripted server plus per-model reply queues, the Anthropic
Messages protocol and its token counting.

Each test scripts the replies per model name; when a script runs out the server answers 500
with a body that says so, so a test that asks for more than it scripted fails loudly.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from doubles import stub_anthropic
from pipeline.demo.model_server import (
    Answer,
    ChatRequest,
    Reply,
    ScriptedServer,
    ToolCall,
    call,
    estimate_tokens,
    text_of,
)

__all__ = ["ANY_MODEL", "ChatRequest", "Reply", "StubModelServer", "ToolCall", "call",
           "estimate_tokens", "prompt_tokens", "text_of", "too_long"]

ANY_MODEL = "*"
"""Queue key whose replies serve any model whose own queue is empty."""


def prompt_tokens(request: ChatRequest) -> int:
    """The request's size as this server counts it (the `prompt_tokens` of its usage)."""
    return estimate_tokens(json.dumps(request.messages) + json.dumps(request.tools))


def too_long(window: int, size: int, names_sizes: bool = True) -> Reply:
    """OpenAI's refusal of a request larger than the model's context window."""
    message = (f"This model's maximum context length is {window} tokens. However, your "
               f"messages resulted in {size} tokens. Please reduce the length of the messages."
               if names_sizes else "The input is too long for this model.")
    return Reply(status=400, error_body={"error": {
        "message": message, "type": "invalid_request_error", "param": "messages",
        "code": "context_length_exceeded"}})


def _bare(model: str) -> str:
    return model.removeprefix("openai/").removeprefix("anthropic/")


class StubModelServer(ScriptedServer):
    """A threaded OpenAI- and Anthropic-compatible server on 127.0.0.1; starts on construction."""

    routes: ClassVar[Mapping[str, str]] = {
        **ScriptedServer.routes,
        stub_anthropic.MESSAGES_PATH: "anthropic",
        stub_anthropic.COUNT_TOKENS_PATH: "count_tokens",
    }

    def __init__(self) -> None:
        self._queues: dict[str, deque[Reply]] = {}
        self._queue_lock = threading.Lock()
        super().__init__(self._pop_queue)
        self.count_tokens: Callable[[dict[str, Any]], int] = stub_anthropic.prompt_tokens
        """Answers Anthropic's `messages/count_tokens`; the bodies land in `token_counts`."""
        self.token_counts: list[dict[str, Any]] = []
        self.window: int | None = None
        """A context window: a larger request gets OpenAI's 400 `context_length_exceeded`."""
        self.window_names_sizes = True
        """Whether that error's message names the window and the request's size."""

    def queue(self, model: str, replies: Iterable[Reply]) -> None:
        """Append replies to the FIFO script of one model (`openai/` prefix optional)."""
        with self._queue_lock:
            self._queues.setdefault(_bare(model), deque()).extend(replies)

    def remaining(self, model: str | None = None) -> int:
        """Scripted replies not yet served, for one model or all of them."""
        with self._queue_lock:
            if model is not None:
                return len(self._queues.get(_bare(model), ()))
            return sum(len(queue) for queue in self._queues.values())

    def requests_for(self, model: str) -> list[ChatRequest]:
        name = _bare(model)
        return [request for request in self.requests if request.model == name]

    def models(self) -> list[str]:
        with self._queue_lock:
            return sorted(name for name in self._queues if name != ANY_MODEL)

    def handle(self, protocol: str, body: dict[str, Any]) -> Answer:
        if protocol == "count_tokens":
            self.token_counts.append(body)
            return 200, {}, {"input_tokens": self.count_tokens(body)}
        return self.answer(body, protocol)

    def reply_to(self, request: ChatRequest) -> Reply:
        if request.body.get("stream"):
            return Reply.error(400, "the stub model does not stream: send stream=false")
        size = prompt_tokens(request)
        if self.window is not None and size > self.window:
            return too_long(self.window, size, self.window_names_sizes)
        return self.responder(request)

    def error_body(self, reply: Reply, protocol: str) -> dict[str, Any]:
        body = super().error_body(reply, protocol)
        return stub_anthropic.error(body) if protocol == "anthropic" else body

    def success_body(self, request: ChatRequest, reply: Reply, number: int) -> dict[str, Any]:
        if request.protocol == "anthropic":
            return stub_anthropic.message(request, reply, number)
        return super().success_body(request, reply, number)

    def _pop_queue(self, request: ChatRequest) -> Reply:
        with self._queue_lock:
            for name in (request.model, ANY_MODEL):
                queue = self._queues.get(name)
                if queue:
                    return queue.popleft()
        served = sum(1 for r in self.requests if r.model == request.model)
        return Reply.error(500, f"stub model script ran out for model {request.model!r} "
                                f"(request {served} for it had no scripted reply)")
