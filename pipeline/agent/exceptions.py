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
