"""Judging a finished run: its final merged state, checked out apart from the run, with the
starting repository's tests and test-runner files put back, the hidden tests copied in last, and
the task's test command run in the sandbox.

Green means more than exit status 0: pytest must report every hidden test file's tests passed
(none failed, errored or skipped), and a TAP run (node --test) must count passes, no failure and
no hidden file that ended before reporting a test. So a run that edits, deletes, skips or shadows
tests, or exits the test process early, cannot pass by it."""

from __future__ import annotations

import fnmatch
import re
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pipeline.config.settings import Config
from pipeline.core import git
from pipeline.core.proc import Result
from pipeline.sandbox.worktree import WorktreeSandbox

RUNNER_FILES = {"conftest.py", "pytest.ini", "tox.ini", "setup.cfg", "pyproject.toml",
                "package.json", ".npmrc", "pytest.py", "sitecustomize.py", "usercustomize.py"}
"""Files that steer how tests are found and run: reset to their starting version (or removed
when the run added them) before the hidden tests run."""
SHADOWING_DIRS = {"pytest", "_pytest"}
"""Top-level packages that would shadow the test runner itself (`python -m pytest`)."""
TEST_DIRS = {"test", "tests", "__tests__"}
TEST_NAMES = ("test_*.py", "*_test.py", "*.test.js", "*.test.mjs", "*.test.cjs", "*.spec.js")
JUNK = {".git", "__pycache__", ".pytest_cache", "node_modules"}
_SHORT = re.compile(r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (?:\[\d+\] )?(\S+?)(?:::|:\d|\s|$)",
                    re.MULTILINE)
_TAP_COUNT = re.compile(r"^# (tests|pass|fail|cancelled) (\d+)$", re.MULTILINE)
_TAP_FILE = re.compile(r"^# Subtest: (.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    reason: str | None
    reset_files: list[str]
    output: str


def is_test_file(relative: PurePosixPath) -> bool:
    return bool(TEST_DIRS & set(relative.parts[:-1])) or any(
        fnmatch.fnmatch(relative.name, pattern) for pattern in TEST_NAMES)


def is_runner_file(relative: PurePosixPath) -> bool:
    return relative.name in RUNNER_FILES or relative.parts[0] in SHADOWING_DIRS


def files_under(root: Path) -> dict[PurePosixPath, Path]:
    found = {}
    for path in root.rglob("*"):
        relative = PurePosixPath(path.relative_to(root).as_posix())
        if JUNK & set(relative.parts) or (path.is_dir() and not path.is_symlink()):
            continue
        found[relative] = path
    return found


def place(source: Path, root: Path, relative: PurePosixPath) -> None:
    """Copy source to root/relative, replacing whatever the run left on the way: a file where a
    directory belongs, a symbolic link (which would make the copy land elsewhere)."""
    current = root
    for part in relative.parts[:-1]:
        current = current / part
        if current.is_symlink() or (current.exists() and not current.is_dir()):
            current.unlink()
        current.mkdir(exist_ok=True)
    target = current / relative.name
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.is_dir():
        shutil.rmtree(target)
    shutil.copyfile(source, target)


def reset_tests(start: Path, tree: Path) -> list[str]:
    """Put back the starting repository's tests and test-runner files; remove runner files the
    run added. The paths that differed, for the record."""
    original = files_under(start)
    final = files_under(tree)
    changed = []
    for relative, source in sorted(original.items()):
        if not (is_test_file(relative) or is_runner_file(relative)):
            continue
        target = final.get(relative)
        if target is None or target.is_symlink() or target.read_bytes() != source.read_bytes():
            place(source, tree, relative)
            changed.append(str(relative))
    for relative, path in sorted(final.items()):
        if is_runner_file(relative) and relative not in original:
            path.unlink()
            changed.append(f"{relative} (added by the run; removed)")
    return changed


def checkout(run_repo: Path, destination: Path) -> Path:
    """The run's final merged state (the checked-out branch), in a worktree of its own."""
    git.git(run_repo, "worktree", "add", "--detach", "--force", str(destination),
            git.head(run_repo))
    return destination


def judge(run_repo: Path, destination: Path, start: Path, hidden: Path, command: str,
          config: Config) -> Verdict:
    tree = checkout(run_repo, destination)
    reset = reset_tests(start, tree)
    hidden_files = sorted(files_under(hidden))
    for relative in hidden_files:
        place(hidden / relative, tree, relative)
    pytest = "pytest" in command
    sandbox = WorktreeSandbox(tree, config.sandbox, timeout=config.limits.command_timeout_s)
    result = sandbox.run(f"export PYTEST_ADDOPTS=-rA; {command}" if pytest else command)
    output = result.stdout + result.stderr
    tests = [path for path in hidden_files if is_test_file(path)]
    reason = failure(result, tests, tree, pytest)
    return Verdict(reason is None, reason, reset, output[-4000:])


def last_line(text: str) -> str:
    lines = [line.strip(" =") for line in text.strip().splitlines() if line.strip(" =")]
    return lines[-1][:200] if lines else "no output"


def failure(result: Result, hidden_tests: list[PurePosixPath], tree: Path,
            pytest: bool) -> str | None:
    """Why the hidden tests do not count as passed; None when they do."""
    output = result.stdout + result.stderr
    if result.timed_out:
        return "hidden tests timed out"
    if result.returncode != 0:
        return f"hidden tests failed (exit {result.returncode}): {last_line(output)}"
    if pytest:
        return pytest_failure(output, [p for p in hidden_tests if p.suffix == ".py"])
    counts = {name: int(value) for name, value in _TAP_COUNT.findall(output)}
    if counts:
        return tap_failure(counts, _TAP_FILE.findall(output), hidden_tests, tree)
    return None


def pytest_failure(output: str, hidden_tests: list[PurePosixPath]) -> str | None:
    outcomes: dict[str, set[str]] = {}
    for outcome, path in _SHORT.findall(output):
        outcomes.setdefault(outcome, set()).add(path)
    if outcomes.get("FAILED") or outcomes.get("ERROR"):
        return f"hidden tests failed: {last_line(output)}"
    for path in map(str, hidden_tests):
        if any(path in outcomes.get(kind, set()) for kind in ("SKIPPED", "XFAIL", "XPASS")):
            return f"hidden tests in {path} were skipped or marked to fail"
        if path not in outcomes.get("PASSED", set()):
            return f"pytest reported no passed test from {path}: {last_line(output)}"
    return None


def tap_failure(counts: dict[str, int], file_subtests: list[str],
                hidden_tests: list[PurePosixPath], tree: Path) -> str | None:
    if counts.get("fail", 0) or counts.get("cancelled", 0) or not counts.get("pass", 0):
        return (f"hidden tests failed: {counts.get('pass', 0)} passed, "
                f"{counts.get('fail', 0)} failed, {counts.get('cancelled', 0)} cancelled")
    reported = {Path(name.strip()) for name in file_subtests}
    for path in hidden_tests:
        if tree / path in reported:  # node names a file only when it reported no test of its own
            return f"{path} ended before reporting any test"
    return None
