"""The demo's model: a real HTTP server speaking OpenAI chat completions, tool calls included,
whose answers come from a script instead of a model.

litellm reaches it as `openai/<name>` with `OPENAI_API_BASE` set to `server.url`, through the
same code path as a real provider. The tests' stub model (tests/doubles) builds on it.
"""

from __future__ import annotations

import itertools
import json
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
}


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


def text_of(content: Any) -> str:
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
                return text_of(message.get("content"))
        return ""

    def system_text(self) -> str:
        if self.protocol == "anthropic":
            return text_of(self.body.get("system"))
        return "\n".join(
            text_of(m.get("content")) for m in self.messages if m.get("role") == "system"
        )

    def tool_results(self) -> list[str]:
        """The contents of the tool messages, in order."""
        return [text_of(m.get("content")) for m in self.messages if m.get("role") == "tool"]

    def text(self) -> str:
        """Every message's text joined, for loose assertions."""
        return "\n".join(text_of(m.get("content")) for m in self.messages)


def estimate_tokens(text: str) -> int:
    """The stub's deterministic token count: about four characters a token."""
    return max(1, math.ceil(len(text) / 4))



Responder = Callable[[ChatRequest], Reply]
Answer = tuple[int, dict[str, str], dict[str, Any]]
"""An HTTP status, extra headers and the JSON body."""


def _no_script(request: ChatRequest) -> Reply:
    return Reply.error(500, f"scripted model: no responder for model {request.model!r}")


class ScriptedServer:
    """A threaded OpenAI-compatible server on 127.0.0.1 answering from `responder`; starts on
    construction. Every request is kept in `requests`."""

    routes: ClassVar[Mapping[str, str]] = {"/v1/chat/completions": "openai",
                                           "/chat/completions": "openai"}
    """Request path → the protocol its body speaks (subclasses add more)."""

    def __init__(self, responder: Responder = _no_script) -> None:
        self._lock = threading.Lock()
        self._requests: list[ChatRequest] = []
        self._ids = itertools.count(1)
        self._closing = threading.Event()
        self.responder: Responder = responder
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        host, port = self._httpd.server_address[:2]
        self.base_url = f"http://{host!s}:{port}"
        self.url = f"{self.base_url}/v1"
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, name="scripted-model",
                                        daemon=True)
        self._thread.start()

    @property
    def requests(self) -> list[ChatRequest]:
        with self._lock:
            return list(self._requests)

    def close(self) -> None:
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def handle(self, protocol: str, body: dict[str, Any]) -> Answer:
        """One request whose path named protocol."""
        return self.answer(body, protocol)

    def answer(self, body: dict[str, Any], protocol: str = "openai") -> Answer:
        request = ChatRequest(model=str(body.get("model", "")),
                              messages=list(body.get("messages") or []),
                              tools=list(body.get("tools") or []), body=body, protocol=protocol)
        with self._lock:
            self._requests.append(request)
        try:
            reply = self.reply_to(request)
        except Exception as exc:  # a broken responder must fail loudly, not hang the caller
            reply = Reply.error(500, f"responder raised {type(exc).__name__}: {exc}")
        if reply.delay_s and self._closing.wait(reply.delay_s):
            return 503, {}, {"error": {"message": "model server closing", "type": "server_error"}}
        if reply.status != 200:
            return reply.status, dict(reply.headers), self.error_body(reply, protocol)
        return 200, dict(reply.headers), self.success_body(request, reply, next(self._ids))

    def reply_to(self, request: ChatRequest) -> Reply:
        if request.body.get("stream"):
            return Reply.error(400, "this model server does not stream: send stream=false")
        return self.responder(request)

    def error_body(self, reply: Reply, protocol: str) -> dict[str, Any]:
        return reply.error_body or Reply.error(reply.status).error_body or {}

    def success_body(self, request: ChatRequest, reply: Reply, number: int) -> dict[str, Any]:
        return completion(request, reply, number)

    def models(self) -> list[str]:
        return []


def completion(request: ChatRequest, reply: Reply, number: int) -> dict[str, Any]:
    """A chat.completion object for reply, with usage estimated from the request's size."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    calls: list[dict[str, Any]] = []
    for index, tool_call in enumerate(reply.tool_calls):
        arguments = tool_call.raw_arguments or reply.raw_arguments
        if arguments is None:
            arguments = json.dumps(tool_call.arguments)
        calls.append({"id": f"call_{number}_{index}", "type": "function",
                      "function": {"name": tool_call.name, "arguments": arguments}})
    if calls:
        message["tool_calls"] = calls
    prompt = json.dumps(request.messages) + json.dumps(request.tools)
    answer = (reply.content or "") + "".join(c["function"]["arguments"] for c in calls)
    usage: dict[str, Any] = {"prompt_tokens": estimate_tokens(prompt),
                             "completion_tokens": estimate_tokens(answer)}
    usage.update(reply.usage or {})
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    return {"id": f"chatcmpl-scripted-{number}", "object": "chat.completion",
            "created": int(time.time()), "model": request.model,
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": "tool_calls" if calls else "stop"}],
            "usage": usage}


def _error(status: int, message: str, kind: str) -> Answer:
    return status, {}, {"error": {"message": message, "type": kind}}


def _make_handler(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            if self.path.rstrip("/") in ("/v1/models", "/models"):
                self._send(200, {}, {"object": "list", "data": [
                    {"id": n, "object": "model", "created": 0, "owned_by": "scripted"}
                    for n in server.models()]})
            else:
                self._send(*_error(404, f"no route {self.path}", "not_found_error"))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            protocol = server.routes.get(self.path.split("?")[0].rstrip("/"))
            if protocol is None:
                self._send(*_error(404, f"no route {self.path}", "not_found_error"))
                return
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError as exc:
                self._send(*_error(400, f"request is not JSON: {exc}", "invalid_request_error"))
                return
            self._send(*server.handle(protocol, body))

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
