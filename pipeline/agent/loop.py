"""The agent loop: ask the model, run the tools it calls, until a finishing tool is called.

The conversation stays within the model's window (`context.py`); when it cannot, the role
writes a handoff note and goes on in a fresh context. A job's slice ending stops it the same way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.agent.context import Conversation, Handoff
from pipeline.agent.deadline import Deadline
from pipeline.agent.exceptions import (
    ContextExceeded,
    FormatError,
    LimitsExceeded,
    RoleFailed,
    SliceEnded,
    Submitted,
    ToolError,
)
from pipeline.agent.tools import Toolbox

if TYPE_CHECKING:
    from pipeline.agent.model import ModelClient, ToolCall

NO_TOOL_CALL = "Your reply had no tool call. Act only through the tools; end with {finish}."


class Agent:
    def __init__(self, model: ModelClient, toolbox: Toolbox, *, role: str, finish: str,
                 max_steps: int, format_retries: int, task: str | None = None,
                 model_name: str | None = None, trajectory: Path | None = None,
                 handoff: Handoff | None = None, reset_at: float = 0.6,
                 deadline: Deadline | None = None) -> None:
        self.model, self.toolbox, self.role, self.finish = model, toolbox, role, finish
        self.max_steps, self.format_retries = max_steps, format_retries
        self.task, self.model_name, self.trajectory = task, model_name, trajectory
        self.handoff, self.reset_at, self.deadline = handoff, reset_at, deadline
        """deadline: when the job's slice ends (None: no slices)."""
        self.system = ""
        self.earlier: list[dict[str, Any]] = []
        """The messages of the contexts before the last reset, for the trajectory."""
        self.context = Conversation.start(model, role, model_name, reset_at, "", "")
        self.format_errors = 0

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.context.messages

    def run(self, system: str, user: str) -> Any:
        """The finishing tool's validated arguments; RoleFailed when the role cannot finish."""
        self.system = system
        self.context = Conversation.start(self.model, self.role, self.model_name, self.reset_at,
                                          system, user)
        try:
            for _ in range(self.max_steps):
                self.step()
        except Submitted as done:
            return done.payload
        finally:
            self.save()
        contexts = sum(1 for m in self.earlier if m.get("role") == "factory")
        more = f" ({contexts} context resets: is the model's window too small?)" if contexts else ""
        raise LimitsExceeded(f"{self.role} used all {self.max_steps} steps without calling "
                             f"{self.finish}{more}")

    def step(self) -> None:
        if self.deadline is not None and self.deadline.passed():
            raise SliceEnded(self.ask_note(slice_ended=True) if self.context.progressed else "")
        if self.context.crowded(self.toolbox.schemas) and self.context.progressed:
            self.reset(f"the conversation passed {self.reset_at:.0%} of the model's window")
            return
        try:
            reply = self.model.complete(role=self.role, messages=self.messages,
                                        tools=self.toolbox.schemas, model=self.model_name,
                                        task=self.task)
        except ContextExceeded as exc:  # the window is learned now: never a failure of the role
            self.reset(f"the model refused the request as too long ({exc.message})")
            return
        self.messages.append(reply.message)
        if not reply.tool_calls:
            self.protocol_error(NO_TOOL_CALL.format(finish=self.finish), as_user=True)
            return
        errors_before = self.format_errors
        misplaced = self.misplaced_finish(reply.tool_calls)
        if misplaced:  # never accepted in part: one format error, every call answered with it
            refusal = self.protocol_error(misplaced)
        for call in reply.tool_calls:
            self.messages.append({"role": "tool", "tool_call_id": call.id,
                                  "content": refusal if misplaced else self.execute(call)})
        if self.format_errors == errors_before:
            self.format_errors = 0  # a well-formed step: only errors in a row fail the role

    def reset(self, why: str) -> None:
        """Hand off and go on in a fresh context; the first request is simply retried if
        nothing was said yet and it fits the window as now known."""
        if not self.context.progressed:
            if self.context.fits(self.toolbox.schemas):
                return
            raise RoleFailed(f"{self.role}: its opening prompt alone does not fit the model's "
                             f"window ({why}); set limits.context_tokens or use a larger model")
        if self.handoff is None:
            raise RoleFailed(f"{self.role}: {why}, and this agent cannot hand off")
        note = self.ask_note()
        self.handoff.record(note, why)
        self.earlier += [*self.messages, {"role": "factory", "content": f"reset: {why}",
                                          "handoff": note}]
        self.context = Conversation.start(self.model, self.role, self.model_name, self.reset_at,
                                          self.system, self.handoff.resume(note))

    def ask_note(self, *, slice_ended: bool = False) -> str:
        if self.handoff is None:
            return ""
        return self.context.ask_handoff(self.handoff.request(slice_ended), self.task)

    def misplaced_finish(self, calls: list[ToolCall]) -> str | None:
        """Why a reply's finishing calls break the protocol: at most one, as the last call."""
        finishing = [index for index, call in enumerate(calls) if call.name == self.finish]
        if len(finishing) > 1:
            return (f"the reply calls {self.finish} {len(finishing)} times; a reply holds at most "
                    f"one {self.finish}, as its last call. None of its calls ran: reply again")
        if finishing and finishing[0] != len(calls) - 1:
            return (f"{self.finish} must be the last call of a reply. None of its calls ran: "
                    "reply again")
        return None

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
        self.trajectory.write_text(json.dumps([*self.earlier, *self.messages], indent=1, ensure_ascii=False,
                                              default=str), encoding="utf-8")
