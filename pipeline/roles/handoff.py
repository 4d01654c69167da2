"""A role's side of a context reset: the prompts that ask for the handoff note and open the
fresh context (`prompts/handoff.md`), the branch's state shown there, and where notes are kept
so a person can read what each context knew."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core import git
from pipeline.roles import prompts

if TYPE_CHECKING:
    from pipeline.agent.model import ModelClient

ResetHook = Callable[[str, str | None, str, str], None]
"""(role, task, note, why), called after each reset."""
BRANCH_LOG = 15


def branch_state(root: Path) -> str:
    """The worktree's recent commits and its uncommitted changes, as git prints them."""
    parts = []
    log = git.git_result(root, "log", "--oneline", f"-{BRANCH_LOG}")
    if log.ok and log.stdout.strip():
        parts.append(f"$ git log --oneline -{BRANCH_LOG}\n{log.stdout.strip()}")
    status = git.git_result(root, "status", "--short")
    if status.ok:
        parts.append(f"$ git status --short\n{status.stdout.strip() or '(clean)'}")
    stat = git.git_result(root, "diff", "--stat", "HEAD")
    if stat.ok and stat.stdout.strip():
        parts.append(f"$ git diff --stat HEAD\n{stat.stdout.strip()}")
    return "\n\n".join(parts)


class NoteKeeper:
    """Each note as a file (`.factory/runs/<run>/handoffs/`), each reset in the ledger, and
    the run's hook told (it counts resets in the run state)."""

    def __init__(self, model: ModelClient, directory: Path | None,
                 hook: ResetHook | None) -> None:
        self.model, self.directory, self.hook = model, directory, hook

    def keep(self, role: str, task: str | None, number: int, note: str, why: str) -> None:
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            name = f"{role}-{task}" if task else role
            path = self.directory / f"{name}-context-{number}.md"
            path.write_text(f"<!-- {why} -->\n{note}\n", encoding="utf-8")
        self.model.note_event(role, task, "reset", why)
        if self.hook is not None:
            self.hook(role, task, note, why)


@dataclass
class RoleHandoff:
    """The Handoff of one role's agent (see pipeline.agent.context.Handoff)."""

    role: str
    task: str | None
    opening: str
    """The role's first message: the brief, spec and task, as the first context had them."""
    repo: Path
    branch: Path | None
    keeper: NoteKeeper
    contexts: int = 1

    def request(self, slice_ended: bool = False) -> str:
        return prompts.render_block("handoff", "request", {"slice_ended": slice_ended},
                                    self.repo)

    def resume(self, note: str) -> str:
        self.contexts += 1
        branch = branch_state(self.branch) if self.branch is not None else ""
        return prompts.render_block("handoff", "resume", {
            "opening": self.opening, "number": self.contexts, "note": note or
            "(no note: the previous context could not write one; read the branch instead)",
            "branch": branch}, self.repo)

    def record(self, note: str, why: str) -> None:
        self.keeper.keep(self.role, self.task, self.contexts, note, why)
