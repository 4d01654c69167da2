"""The hooks through the real pre-commit framework: `pre-commit try-repo` against this
repository, in a temp git repository, offline (the hooks need no environment installed)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from pipeline.memory.lesson import Source
from pipeline.precommit.precommit_config import ensure_factory_hooks
from tests.hooks.support import git, guard, pre_commit, stage, try_repo, write_lessons

MESSAGE = "Fix the parser\n\nLesson: when parsing dates, do use ISO 8601 only\n"


def _lessons(repo: Path) -> list[dict[str, object]]:
    path = repo / ".factory" / "lessons.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_staged_change_matching_an_error_lesson_fails(git_repo: Path) -> None:
    write_lessons(
        git_repo,
        [
            guard(
                r"\bprint\(",
                files="*.py",
                insight="log, never print",
                source=Source(repo="acme/app", pr=42),
            )
        ],
    )
    stage(git_repo, "src/app.py", "import logging\n\nprint('hi')\n")
    done = try_repo(git_repo, "factory-lessons")
    assert done.returncode == 1, done.stdout
    assert "src/app.py:3: error: log, never print" in done.stdout
    assert "from: https://github.com/acme/app/pull/42" in done.stdout


def test_warn_lesson_passes_with_its_message(git_repo: Path) -> None:
    write_lessons(git_repo, [guard("TODO", severity="warn", insight="file an issue instead")])
    stage(git_repo, "notes.md", "# TODO: tidy\n")
    done = try_repo(git_repo, "factory-lessons", "--verbose")
    assert done.returncode == 0, done.stdout
    assert "notes.md:1: warn: file an issue instead" in done.stdout


def test_clean_change_passes(git_repo: Path) -> None:
    write_lessons(git_repo, [guard(r"\bprint\(")])
    (git_repo / "old.py").write_text("print('kept')\n")
    git(git_repo, "add", "old.py")
    git(git_repo, "commit", "-qm", "old")
    stage(git_repo, "old.py", "print('kept')\nlogging.info('new')\n")
    done = try_repo(git_repo, "factory-lessons")
    assert done.returncode == 0, done.stdout


def test_trailer_is_recorded_with_its_commit(git_repo: Path) -> None:
    stage(git_repo, "dates.py", "x = 1\n")
    git(git_repo, "commit", "-qm", MESSAGE)
    sha = git(git_repo, "rev-parse", "HEAD")
    done = try_repo(git_repo, "factory-lesson-trailer", "--hook-stage", "post-commit")
    assert done.returncode == 0, done.stdout
    [lesson] = _lessons(git_repo)
    assert (lesson["trigger"], lesson["insight"]) == ("parsing dates", "use ISO 8601 only")
    assert lesson["source"]["commit"] == sha  # type: ignore[index]
    try_repo(git_repo, "factory-lesson-trailer", "--hook-stage", "post-commit")
    assert len(_lessons(git_repo)) == 1


def test_malformed_trailer_refuses_the_commit(git_repo: Path) -> None:
    message = git_repo / ".git" / "COMMIT_EDITMSG"
    message.write_text("Fix\n\nLesson: always use ISO dates\n")
    done = try_repo(
        git_repo,
        "factory-lesson-trailer",
        "--hook-stage",
        "commit-msg",
        "--commit-msg-filename",
        str(message),
    )
    assert done.returncode == 1
    assert "malformed trailer `Lesson: always use ISO dates`" in done.stdout
    assert "Lesson: when <situation>, do <what to do>" in done.stdout
    message.write_text(MESSAGE)
    done = try_repo(
        git_repo,
        "factory-lesson-trailer",
        "--hook-stage",
        "commit-msg",
        "--commit-msg-filename",
        str(message),
    )
    assert done.returncode == 0, done.stdout


def test_bad_config_fails_naming_file_and_line(git_repo: Path) -> None:
    stage(git_repo, "factory.yaml", "models:\n  default: openai/x\n  planer: openai/y\n")
    done = try_repo(git_repo, "factory-config")
    assert done.returncode == 1
    assert "factory.yaml:3: models.planer: unknown key" in done.stdout
    stage(git_repo, "factory.yaml", "models:\n  planner: openai/y\n")
    write_lessons(git_repo, [guard("a"), guard("a")])
    git(git_repo, "add", ".factory/lessons.jsonl")
    done = try_repo(git_repo, "factory-config")
    assert done.returncode == 1
    assert ".factory/lessons.jsonl:2: duplicate id" in done.stdout


def test_installed_hooks_guard_real_commits(git_repo: Path) -> None:
    """ensure_factory_hooks's config, `pre-commit install`, then plain `git commit`s."""
    ensure_factory_hooks(git_repo)
    write_lessons(git_repo, [guard(r"\beval\(", insight="never eval input")])
    git(git_repo, "add", "-A")
    assert pre_commit(git_repo, "install").returncode == 0
    git(git_repo, "commit", "-qm", "hooks")

    def commit(message: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "-C", str(git_repo), "commit", "-qm", message], capture_output=True, text=True
        )

    stage(git_repo, "a.py", "eval(x)\n")
    refused = commit("add a")
    assert refused.returncode != 0 and "never eval input" in refused.stdout + refused.stderr
    stage(git_repo, "a.py", "int(x)\n")
    refused = commit("add a\n\nLesson: parse, never eval\n")
    assert refused.returncode != 0 and "malformed trailer" in refused.stdout + refused.stderr
    assert commit(MESSAGE).returncode == 0
    assert _lessons(git_repo)[-1]["source"]["commit"] == git(git_repo, "rev-parse", "HEAD")  # type: ignore[index]
