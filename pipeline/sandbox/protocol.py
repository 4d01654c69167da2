"""What a sandbox must offer: the agent's commands, run in its worktree."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from pipeline.core.proc import Result


class Sandbox(Protocol):
    """Runs the agent's commands in its worktree, with no secrets and a time limit."""

    root: Path

    def run(self, command: str, timeout: float | None = None) -> Result: ...
    def describe(self) -> str: ...
