"""A scripted model: a real HTTP server speaking OpenAI chat completions, tool calls included.

litellm reaches it as `openai/<name>` with `api_base` (or `OPENAI_API_BASE`) set to `server.url`.
Each test scripts the replies per model name; when a script runs out the server answers 500
with a body that says so, so a test that asks for more than it scripted fails loudly.
"""

from __future__ import annotations

import itertools
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
}
ANY_MODEL = "*"
"""Queue key whose replies serve any model whose own queue is empty."""


@dataclass
class ToolCall:
    """One tool call the scripted model makes."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    raw_arguments: str | None = None
    """Sent verbatim instead of `arguments` (for malformed JSON)."""


@dataclass
class Reply:
    """One scripted answer: content and/or tool calls, or an HTTP error."""

    content: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    delay_s: float = 0
    status: int = 200
    raw_arguments: str | None = None
    """Sent verbatim as the arguments of every tool call (for malformed JSON)."""
    usage: dict[str, Any] | None = None
    """Overrides the computed usage (keys merged), e.g. prompt_tokens_details."""
    error_body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.raw_arguments is not None and not self.tool_calls:
            raise ValueError("raw_arguments needs a tool call to carry it")

    @classmethod
    def error(
        cls,
        status: int,
        message: str | None = None,
        *,
        retry_after: float | None = None,
        delay_s: float = 0,
    ) -> Reply:
        """An OpenAI-style error; 429 carries Retry-After (1 second unless given)."""
        headers: dict[str, str] = {}
        if status == 429:
            headers["Retry-After"] = f"{1 if retry_after is None else retry_after:g}"
        elif retry_after is not None:
            headers["Retry-After"] = f"{retry_after:g}"
        kind = _ERROR_TYPES.get(status, "server_error" if status >= 500 else "api_error")
        body = {
            "error": {
                "message": message or f"stub model: scripted HTTP {status}",
                "type": kind,
                "param": None,
                "code": str(status),
            }
        }
        return cls(status=status, error_body=body, headers=headers, delay_s=delay_s)


def call(name: str, /, **arguments: Any) -> Reply:
    """A reply that makes exactly one tool call: `call("finish", summary="done")`."""
    return Reply(tool_calls=[ToolCall(name, arguments)])


def _text_of(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


@dataclass
class ChatRequest:
    """One chat-completion request the server received."""

    model: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]]
    body: dict[str, Any]
    protocol: str = "openai"
    """`openai` (chat completions) or `anthropic` (Messages API: its own message shapes)."""

    def tool_names(self) -> set[str]:
        return {tool.get("function", tool).get("name", "") for tool in self.tools}

    def last_message(self) -> dict[str, Any]:
        return self.messages[-1] if self.messages else {}

    def last_user_text(self) -> str:
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return _text_of(message.get("content"))
        return ""

    def system_text(self) -> str:
        if self.protocol == "anthropic":
            return _text_of(self.body.get("system"))
        return "\n".join(
            _text_of(m.get("content")) for m in self.messages if m.get("role") == "system"
        )

    def tool_results(self) -> list[str]:
        """The contents of the tool messages, in order."""
        return [_text_of(m.get("content")) for m in self.messages if m.get("role") == "tool"]

    def text(self) -> str:
        """Every message's text joined, for loose assertions."""
        return "\n".join(_text_of(m.get("content")) for m in self.messages)


def _bare(model: str) -> str:
    return model.removeprefix("openai/").removeprefix("anthropic/")


def estimate_tokens(text: str) -> int:
    """The stub's deterministic token count: about four characters a token."""
    return max(1, math.ceil(len(text) / 4))


Responder = Callable[[ChatRequest], Reply]


def _default_count(body: dict[str, Any]) -> int:
    from pipeline.testing import stub_anthropic

    return stub_anthropic.prompt_tokens(body)


class StubModelServer:
    """A threaded OpenAI-compatible server on 127.0.0.1; starts on construction."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, deque[Reply]] = {}
        self._requests: list[ChatRequest] = []
        self._ids = itertools.count(1)
        self._closing = threading.Event()
        self.responder: Responder = self._pop_queue
        self.count_tokens: Callable[[dict[str, Any]], int] = _default_count
        """Answers Anthropic's `messages/count_tokens`; the bodies land in `token_counts`."""
        self.token_counts: list[dict[str, Any]] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        host, port = self._httpd.server_address[:2]
        self.base_url = f"http://{host!s}:{port}"
        self.url = f"{self.base_url}/v1"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="stub-model",
            daemon=True,
        )
        self._thread.start()

    def queue(self, model: str, replies: Iterable[Reply]) -> None:
        """Append replies to the FIFO script of one model (`openai/` prefix optional)."""
        name = _bare(model)
        with self._lock:
            self._queues.setdefault(name, deque()).extend(replies)

    def remaining(self, model: str | None = None) -> int:
        """Scripted replies not yet served, for one model or all of them."""
        with self._lock:
            if model is not None:
                return len(self._queues.get(_bare(model), ()))
            return sum(len(queue) for queue in self._queues.values())

    @property
    def requests(self) -> list[ChatRequest]:
        with self._lock:
            return list(self._requests)

    def requests_for(self, model: str) -> list[ChatRequest]:
        name = _bare(model)
        return [request for request in self.requests if request.model == name]

    def close(self) -> None:
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> StubModelServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _pop_queue(self, request: ChatRequest) -> Reply:
        with self._lock:
            for name in (request.model, ANY_MODEL):
                queue = self._queues.get(name)
                if queue:
                    return queue.popleft()
            served = sum(1 for r in self._requests if r.model == request.model)
        return Reply.error(
            500,
            f"stub model script ran out for model {request.model!r} "
            f"(request {served} for it had no scripted reply)",
        )

    def _record(self, request: ChatRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _answer(
        self, body: dict[str, Any], protocol: str = "openai"
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        from pipeline.testing import stub_anthropic

        request = ChatRequest(
            model=str(body.get("model", "")),
            messages=list(body.get("messages") or []),
            tools=list(body.get("tools") or []),
            body=body,
            protocol=protocol,
        )
        self._record(request)
        try:
            if body.get("stream"):
                reply = Reply.error(400, "the stub model does not stream: send stream=false")
            else:
                reply = self.responder(request)
        except Exception as exc:  # a broken responder must fail the test, not hang it
            reply = Reply.error(500, f"stub responder raised {type(exc).__name__}: {exc}")
        if reply.delay_s and self._closing.wait(reply.delay_s):
            return 503, {}, {"error": {"message": "stub model closing", "type": "server_error"}}
        if reply.status != 200:
            body_out = reply.error_body or Reply.error(reply.status).error_body or {}
            if protocol == "anthropic":
                body_out = stub_anthropic.error(body_out)
            return reply.status, dict(reply.headers), body_out
        if protocol == "anthropic":
            return 200, dict(reply.headers), stub_anthropic.message(request, reply, next(self._ids))
        return 200, dict(reply.headers), self._completion(request, reply)

    def _completion(self, request: ChatRequest, reply: Reply) -> dict[str, Any]:
        number = next(self._ids)
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        calls: list[dict[str, Any]] = []
        for index, tool_call in enumerate(reply.tool_calls):
            arguments = tool_call.raw_arguments or reply.raw_arguments
            if arguments is None:
                arguments = json.dumps(tool_call.arguments)
            calls.append(
                {
                    "id": f"call_{number}_{index}",
                    "type": "function",
                    "function": {"name": tool_call.name, "arguments": arguments},
                }
            )
        if calls:
            message["tool_calls"] = calls
        prompt = json.dumps(request.messages) + json.dumps(request.tools)
        answer = (reply.content or "") + "".join(c["function"]["arguments"] for c in calls)
        usage: dict[str, Any] = {
            "prompt_tokens": estimate_tokens(prompt),
            "completion_tokens": estimate_tokens(answer),
        }
        usage.update(reply.usage or {})
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        return {
            "id": f"chatcmpl-stub-{number}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": "tool_calls" if calls else "stop",
                }
            ],
            "usage": usage,
        }

    def _models(self) -> dict[str, Any]:
        with self._lock:
            names = sorted(name for name in self._queues if name != ANY_MODEL)
        return {
            "object": "list",
            "data": [{"id": n, "object": "model", "created": 0, "owned_by": "stub"} for n in names],
        }


def _make_handler(server: StubModelServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            if self.path.rstrip("/") in ("/v1/models", "/models"):
                self._send(200, {}, server._models())
            else:
                self._send(
                    404,
                    {},
                    {"error": {"message": f"no route {self.path}", "type": "not_found_error"}},
                )

        def do_POST(self) -> None:
            from pipeline.testing import stub_anthropic

            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            path = self.path.split("?")[0].rstrip("/")
            protocol = {
                "/v1/chat/completions": "openai",
                "/chat/completions": "openai",
                stub_anthropic.MESSAGES_PATH: "anthropic",
                stub_anthropic.COUNT_TOKENS_PATH: "count_tokens",
            }.get(path)
            if protocol is None:
                self._send(
                    404,
                    {},
                    {"error": {"message": f"no route {self.path}", "type": "not_found_error"}},
                )
                return
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError as exc:
                self._send(
                    400,
                    {},
                    {
                        "error": {
                            "message": f"request is not JSON: {exc}",
                            "type": "invalid_request_error",
                        }
                    },
                )
                return
            if protocol == "count_tokens":
                server.token_counts.append(body)
                self._send(200, {}, {"input_tokens": server.count_tokens(body)})
            else:
                self._send(*server._answer(body, protocol))

        def _send(self, status: int, headers: dict[str, str], payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout); nothing left to tell it

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
