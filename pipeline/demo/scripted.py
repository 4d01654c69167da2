"""A scripted model for whole-pipeline runs: replies chosen by role, task, attempt and step.

The role is told by the finishing tool offered, the task by the `<task id="...">` tag the
prompts carry, the step by how many replies the conversation already holds, and the attempt by
how many different conversations (rounds) the same role has had on the same task. So a script
survives retries, parallel tasks and a resumed run, and says nothing about timing.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from pipeline.demo.model_server import ChatRequest, Reply, call, text_of

ROLE_BY_FINISH = {"submit_plan": "planner", "finish": "generator", "submit_review": "reviewer",
                  "submit_evaluation": "evaluator", "submit_lessons": "learner",
                  "submit_verdict": "detector"}
_TASK = re.compile(r'<task id="([^"]+)">')


def role_of(request: ChatRequest) -> str:
    for tool, role in ROLE_BY_FINISH.items():
        if tool in request.tool_names():
            return role
    return "unknown"


def task_of(request: ChatRequest) -> str | None:
    first_user = next((m for m in request.messages if m.get("role") == "user"), None)
    match = _TASK.search(text_of(first_user.get("content")) if first_user else "")
    return match.group(1) if match else None


def step_of(request: ChatRequest) -> int:
    return sum(1 for m in request.messages if m.get("role") == "assistant")


class ScriptedModel:
    """Responder for StubModelServer: `server.responder = ScriptedModel({...})`.

    Keys are tried most specific first: (role, task, attempt), (role, task), (role,). A role
    may be written `reviewer@<model name>` to script one reviewer of a panel.
    """

    def __init__(self, scripts: dict[tuple[object, ...], Sequence[Reply]] | None = None) -> None:
        self.scripts: dict[tuple[object, ...], Sequence[Reply]] = dict(scripts or {})
        self._conversations: dict[tuple[str, str | None], list[str]] = {}
        self._lock = threading.Lock()

    def attempt_of(self, role: str, task: str | None, request: ChatRequest) -> int:
        first_user = next((m for m in request.messages if m.get("role") == "user"), {})
        opening = f"{request.model}\n{text_of(first_user.get('content'))}"
        with self._lock:
            seen = self._conversations.setdefault((role, task), [])
            if opening not in seen:
                seen.append(opening)
            return seen.index(opening) + 1

    def __call__(self, request: ChatRequest) -> Reply:
        if request.tool_names() == {"handoff"}:
            return call("handoff", note=f"scripted handoff after {step_of(request)} step(s)")
        role, task, step = role_of(request), task_of(request), step_of(request)
        attempt = self.attempt_of(role, task, request)
        for name in (f"{role}@{request.model}", role):
            for key in ((name, task, attempt), (name, task), (name,)):
                replies = self.scripts.get(key)
                if replies is not None:
                    if step < len(replies):
                        return replies[step]
                    return Reply.error(500, f"scripted model: {key} has no reply for step {step}")
        return Reply.error(500, f"scripted model: nothing scripted for role={role} task={task} "
                                f"attempt={attempt} model={request.model}")
