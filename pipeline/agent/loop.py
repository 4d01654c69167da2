"""The agent loop: ask the model, run the tools it calls, until a finishing tool is called."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.agent.exceptions import FormatError, LimitsExceeded, RoleFailed, Submitted, ToolError
from pipeline.agent.tools import Toolbox

if TYPE_CHECKING:
    from pipeline.agent.model import ModelClient, ToolCall

NO_TOOL_CALL = "Your reply had no tool call. Act only through the tools; end with {finish}."


class Agent:
    def __init__(self, model: ModelClient, toolbox: Toolbox, *, role: str, finish: str,
                 max_steps: int, format_retries: int, task: str | None = None,
                 model_name: str | None = None, trajectory: Path | None = None) -> None:
        self.model, self.toolbox, self.role, self.finish = model, toolbox, role, finish
        self.max_steps, self.format_retries = max_steps, format_retries
        self.task, self.model_name, self.trajectory = task, model_name, trajectory
        self.messages: list[dict[str, Any]] = []
        self.format_errors = 0

    def run(self, system: str, user: str) -> Any:
        """The finishing tool's validated arguments; RoleFailed when the role cannot finish."""
        self.messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        try:
            for _ in range(self.max_steps):
                self.step()
        except Submitted as done:
            return done.payload
        finally:
            self.save()
        raise LimitsExceeded(f"{self.role} used all {self.max_steps} steps without calling {self.finish}")

    def step(self) -> None:
        reply = self.model.complete(role=self.role, messages=self.messages,
                                    tools=self.toolbox.schemas, model=self.model_name,
                                    task=self.task)
        self.messages.append(reply.message)
        if not reply.tool_calls:
            self.protocol_error(NO_TOOL_CALL.format(finish=self.finish), as_user=True)
            return
        errors_before = self.format_errors
        for call in reply.tool_calls:
            self.messages.append({"role": "tool", "tool_call_id": call.id,
                                  "content": self.execute(call)})
        if self.format_errors == errors_before:
            self.format_errors = 0  # a well-formed step: only errors in a row fail the role

    def execute(self, call: ToolCall) -> str:
        try:
            return self.toolbox.call(call.name, None if call.error else call.arguments,
                                     call.raw_arguments)
        except FormatError as exc:
            return self.protocol_error(str(exc))
        except ToolError as exc:
            return f"error: {exc}"

    def protocol_error(self, message: str, *, as_user: bool = False) -> str:
        self.format_errors += 1
        if self.format_errors > self.format_retries:
            raise RoleFailed(f"{self.role} broke the protocol {self.format_errors} times in a row; "
                             f"last problem: {message}")
        if as_user:
            self.messages.append({"role": "user", "content": message})
        return f"error: {message}"

    def save(self) -> None:
        if self.trajectory is None:
            return
        self.trajectory.parent.mkdir(parents=True, exist_ok=True)
        self.trajectory.write_text(json.dumps(self.messages, indent=1, ensure_ascii=False,
                                              default=str), encoding="utf-8")
