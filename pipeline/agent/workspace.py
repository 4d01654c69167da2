"""The file and command tools of design.md, confined to one worktree."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field

from pipeline.agent.exceptions import ToolError
from pipeline.agent.tools import Tool
from pipeline.sandbox.protocol import Sandbox

SKIP_DIRS = {".git", ".factory", "node_modules", "__pycache__", ".venv", ".mypy_cache",
             ".pytest_cache", ".ruff_cache"}
MAX_LISTED = 500


class PathArg(BaseModel):
    path: str = Field(default=".", description="Path relative to the repository root.")


class SearchArgs(BaseModel):
    pattern: str = Field(description="Regular expression searched line by line.")
    path: str = Field(default=".", description="File or directory to search in.")


class WriteArgs(BaseModel):
    path: str
    content: str


class EditArgs(BaseModel):
    path: str
    old: str = Field(description="Exact text to replace; must occur exactly once.")
    new: str


class RunArgs(BaseModel):
    command: str = Field(description="A bash command run in the repository root.")


class Workspace:
    """Resolves every path inside root, refusing `..`, absolute paths and symlinks out."""

    def __init__(self, root: Path, sandbox: Sandbox | None = None) -> None:
        self.root = root.resolve()
        self.sandbox = sandbox
        self.written: set[str] = set()
        self.commit_check: Callable[[], str | None] | None = None
        """Why the work here cannot be committed as it is (set by the step that commits)."""

    def ready_to_commit(self) -> None:
        """ToolError, for the model to act on, when the work cannot be committed as it is."""
        problem = self.commit_check() if self.commit_check is not None else None
        if problem:
            raise ToolError(problem)

    def resolve(self, path: str) -> Path:
        if os.path.isabs(path):
            raise ToolError(f"{path}: absolute paths are refused; use a path relative to the repository root")
        candidate = (self.root / path).resolve()
        if candidate != self.root and self.root not in candidate.parents:
            raise ToolError(f"{path}: outside the repository; refused")
        relative = candidate.relative_to(self.root).parts
        if relative and relative[0] in {".git", ".factory"}:
            raise ToolError(f"{path}: {relative[0]}/ is off limits")
        return candidate

    def _files(self, base: Path) -> list[Path]:
        if base.is_file():
            return [base]
        found: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            found.extend(Path(dirpath) / name for name in sorted(filenames))
        return found

    def list_files(self, args: PathArg) -> str:
        base = self.resolve(args.path)
        if not base.exists():
            raise ToolError(f"{args.path}: no such file or directory")
        names = [str(p.relative_to(self.root)) for p in self._files(base)]
        more = f"\n[... {len(names) - MAX_LISTED} more]" if len(names) > MAX_LISTED else ""
        return "\n".join(names[:MAX_LISTED]) + more if names else "(empty)"

    def read_file(self, args: PathArg) -> str:
        target = self.resolve(args.path)
        if not target.is_file():
            raise ToolError(f"{args.path}: not a file")
        return target.read_text(encoding="utf-8", errors="replace")

    def search(self, args: SearchArgs) -> str:
        try:
            regex = re.compile(args.pattern)
        except re.error as exc:
            raise ToolError(f"bad pattern: {exc}") from None
        hits: list[str] = []
        for file in self._files(self.resolve(args.path)):
            try:
                lines = file.read_text(encoding="utf-8").splitlines()
            except (UnicodeDecodeError, OSError):
                continue
            rel = file.relative_to(self.root)
            hits.extend(f"{rel}:{n}: {line}" for n, line in enumerate(lines, 1) if regex.search(line))
            if len(hits) >= 200:
                break
        return "\n".join(hits[:200]) if hits else "no matches"

    def write_file(self, args: WriteArgs) -> str:
        target = self.resolve(args.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(args.content, encoding="utf-8")
        self.written.add(str(target.relative_to(self.root)))
        return f"wrote {args.path} ({len(args.content)} characters)"

    def edit_file(self, args: EditArgs) -> str:
        target = self.resolve(args.path)
        if not target.is_file():
            raise ToolError(f"{args.path}: not a file")
        text = target.read_text(encoding="utf-8")
        count = text.count(args.old)
        if count != 1:
            raise ToolError(f"{args.path}: the old text occurs {count} times; it must occur exactly once")
        target.write_text(text.replace(args.old, args.new, 1), encoding="utf-8")
        self.written.add(str(target.relative_to(self.root)))
        return f"edited {args.path}"

    def run(self, args: RunArgs) -> str:
        if self.sandbox is None:
            raise ToolError("running commands is not available to this role")
        result = self.sandbox.run(args.command)
        status = "timed out and was killed" if result.timed_out else f"exit code {result.returncode}"
        return f"{status}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"

    def read_only_tools(self) -> list[Tool]:
        return [
            Tool("list_files", "List files under a directory of the repository.", PathArg, self.list_files),
            Tool("read_file", "Read a text file of the repository.", PathArg, self.read_file),
            Tool("search", "Search files for a regular expression; prints path:line: text.",
                 SearchArgs, self.search),
        ]

    def write_tools(self) -> list[Tool]:
        return [
            Tool("write_file", "Create or overwrite a file with the given content.", WriteArgs,
                 self.write_file),
            Tool("edit_file", "Replace one exact occurrence of old with new in a file.", EditArgs,
                 self.edit_file),
        ]

    def run_tool(self) -> Tool:
        return Tool("run", "Run a shell command in the repository root (no network, no secrets, "
                    "time-limited). Returns exit code and output.", RunArgs, self.run)


