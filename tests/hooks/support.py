"""Helpers for the hook tests: lessons files, staged changes, pre-commit run for real."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline.memory.lesson import Check, Lesson, Source, to_line

ROOT = Path(__file__).resolve().parents[2]

# Patterns and lines on which lesson screening must agree with a plain per-line search.
PATTERNS = [
    r"\blegacy_api_5\(", r"import deprecated\b", r"^\s*from old import", r"TODO\(ticket-3\)",
    r"requests\.get\([^)]*timeout=None", r"\bconsole\.log\(", "colou?r", "a+b", "foo|bar",
    "(?i)foo", r"x{2}yz", r"\s+print\(", r"\bprint\(", r"eval\(", r"\d+px", "^import os$",
    r"\x41bc", 'f"{x}"', r"\s*print", r"\Wprint\W", r"(ab)+c", r"[pP]rint\(",
    r"print\b", r"\bfoo_bar", r"a.b", r"ab*c", r"ab+?c", r"^\s+$", r"\$HOME", r"x\ty",
]  # fmt: skip
LINES = [
    "legacy_api_5(x)", "xlegacy_api_5(x)", "import deprecated", "import deprecated_mod",
    "    from old import x", "TODO(ticket-3)", "requests.get(url, timeout=None)", "console.log(1)",
    "color", "colour", "colr", "aab", "b", "FOO", "bar", "xxyz", "yz", "  print(1)", "print(1)",
    "reprint(1)", "eval(x)", "medieval(x)", "10px", "import os", "import osx", "Abc", 'f"{x}"',
    "foobarbaz", "foobaz", "print", " print ", "ababc", "Print(", "printer", "foo_bar", "xfoo_bar",
    "axb", "ac", "abbbc", "   ", "$HOME", "x\ty", "",
]  # fmt: skip


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def guard(
    pattern: str,
    *,
    files: str = "**",
    severity: str = "error",
    insight: str = "",
    source: Source | None = None,
    status: str = "active",
) -> Lesson:
    return Lesson(
        kind="mistake",
        trigger=f"writing {pattern}",
        insight=insight or f"do not write {pattern}",
        source=source or Source(),
        check=Check(pattern=pattern, files=files, severity=severity),  # type: ignore[arg-type]
        status=status,
    )  # type: ignore[arg-type]


def write_lessons(repo: Path, lessons: Sequence[Lesson]) -> Path:
    path = repo / ".factory" / "lessons.jsonl"
    path.parent.mkdir(exist_ok=True)
    path.write_text("".join(to_line(lesson) for lesson in lessons), encoding="utf-8")
    return path


def stage(repo: Path, name: str, text: str) -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    git(repo, "add", name)


def pre_commit(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )


def try_repo(repo: Path, hook: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo` against this repository: its hooks as a user's config gets them."""
    return pre_commit(repo, "try-repo", str(ROOT), hook, *args)
