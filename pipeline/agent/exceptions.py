"""How an agent run ends, as small exceptions carrying their message."""

from __future__ import annotations

from typing import Any

from pipeline.core.errors import WorkFailed


class Submitted(Exception):
    """A finishing tool was called with valid arguments."""

    def __init__(self, payload: Any) -> None:
        super().__init__("submitted")
        self.payload = payload


class ToolError(Exception):
    """A tool refused or failed; the message is shown to the model, which may try again."""


class FormatError(ToolError):
    """The reply broke the protocol (no tool call, bad JSON, schema); counts toward failure."""


class RoleFailed(WorkFailed):
    """The role could not produce a valid result: never to be read as approval."""


class LimitsExceeded(RoleFailed):
    """The role ran out of steps."""


class ContextExceeded(Exception):
    """The request does not fit the model's input window: the provider said so, or the
    factory knew before sending it. Never a failure of the role: the conversation resets."""

    def __init__(self, model: str, message: str, *, window: int | None = None,
                 requested: int | None = None, counted: int = 0) -> None:
        super().__init__(message)
        self.model, self.message = model, message
        self.window = window
        """The window the provider named (its own tokens), when it named one."""
        self.requested = requested
        """The request's size as the provider counted it, when it said."""
        self.counted = counted
        """The request's size under the factory's own count."""


class SliceEnded(Exception):
    """The job's slice of time is over: the role stopped after writing its handoff note."""

    def __init__(self, note: str) -> None:
        super().__init__("the slice ended")
        self.note = note
