"""The task set of `factory bench` (bench/tasks/): every task is sound.

For each task: its task.yaml is complete; its starting repository passes its own tests; the
hidden tests fail on that starting repository; and they pass once the reference solution is
laid over it. Tasks whose `requires` (node, chromium, playwright) are missing here are skipped
with the reason."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

TASKS_DIR = Path(__file__).resolve().parents[2] / "bench" / "tasks"
TASKS = sorted(path.name for path in TASKS_DIR.iterdir() if (path / "task.yaml").is_file())
KINDS = {"library", "bugfix", "cli", "web", "refactor", "feature"}
REQUIRED_KEYS = {"brief", "test_command", "kind"}
OPTIONAL_KEYS = {"timeout_minutes", "requires"}
CHROMIUM = Path("/usr/bin/chromium")
RUN_TIMEOUT = 180
JUNK = shutil.ignore_patterns("__pycache__", ".pytest_cache", "node_modules")

# What each `requires` entry needs on this machine: (is it there, what to install).
REQUIREMENTS: dict[str, tuple[Callable[[], bool], str]] = {
    "node": (lambda: shutil.which("node") is not None and shutil.which("npm") is not None,
             "node and npm on PATH"),
    "chromium": (CHROMIUM.exists, f"Chromium at {CHROMIUM} (apt-get install chromium)"),
    "playwright": (lambda: importlib.util.find_spec("playwright") is not None,
                   "the playwright package (pip install playwright; no browser download)"),
}


def load_task(name: str) -> dict[str, Any]:
    task = yaml.safe_load((TASKS_DIR / name / "task.yaml").read_text(encoding="utf-8"))
    assert isinstance(task, dict), f"{name}: task.yaml is not a mapping"
    return task


def files_under(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts}


def test_at_least_twelve_tasks_and_every_kind() -> None:
    assert len(TASKS) >= 12, TASKS
    kinds = {load_task(name)["kind"] for name in TASKS}
    assert kinds == KINDS, f"kinds without a task: {sorted(KINDS - kinds)}"


@pytest.mark.parametrize("name", TASKS)
def test_task_is_well_formed(name: str) -> None:
    task = load_task(name)
    assert task.keys() >= REQUIRED_KEYS, f"{name}: missing {sorted(REQUIRED_KEYS - task.keys())}"
    assert task.keys() <= REQUIRED_KEYS | OPTIONAL_KEYS, f"{name}: unknown keys {sorted(task)}"
    assert task["kind"] in KINDS, f"{name}: kind {task['kind']!r}"
    assert isinstance(task["brief"], str) and len(task["brief"].split()) >= 30
    assert isinstance(task["test_command"], str) and shlex.split(task["test_command"])
    timeout = task.get("timeout_minutes", 1)
    assert isinstance(timeout, int) and not isinstance(timeout, bool) and timeout > 0
    requires = task.get("requires", [])
    assert isinstance(requires, list) and set(requires) <= REQUIREMENTS.keys(), requires

    root = TASKS_DIR / name
    repo, hidden, solution = (files_under(root / part) for part in ("repo", "hidden", "solution"))
    assert repo and hidden and solution, f"{name}: repo/, hidden/ and solution/ must hold files"
    assert "README.md" in repo, f"{name}: the starting repository has no README.md"
    assert not hidden & repo, f"{name}: hidden files would replace visible ones: {hidden & repo}"
    assert not hidden & solution, f"{name}: the solution carries hidden tests: {hidden & solution}"


def skip_unless_available(task: dict[str, Any], name: str) -> None:
    missing = [what for need in task.get("requires", [])
               for available, what in [REQUIREMENTS[need]] if not available()]
    if missing:
        pytest.skip(f"bench task {name} needs " + ", ".join(missing))


def checkout(name: str, destination: Path, *, solved: bool, hidden: bool) -> Path:
    """The task's starting repository, optionally with the solution and the hidden tests."""
    root = TASKS_DIR / name
    shutil.copytree(root / "repo", destination, ignore=JUNK)
    for part, wanted in (("solution", solved), ("hidden", hidden)):
        if wanted:
            shutil.copytree(root / part, destination, ignore=JUNK, dirs_exist_ok=True)
    return destination


def run_tests(command: str, cwd: Path, *,
              stop_early: bool = False) -> subprocess.CompletedProcess[str]:
    """The task's test command; a leading `python` is this interpreter."""
    argv = shlex.split(command)
    if argv[0] in ("python", "python3"):
        argv[0] = sys.executable
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTEST_", "NODE_OPTIONS", "NODE_TEST"))}
    # The tasks use bare pytest: this venv's plugins would only slow each run down (~0.4 s).
    env.update(PYTHONDONTWRITEBYTECODE="1", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
               npm_config_update_notifier="false", npm_config_fund="false",
               npm_config_audit="false")
    if stop_early:
        env["PYTEST_ADDOPTS"] = "-x"  # one failure is proof enough; pytest only
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL)


def report(done: subprocess.CompletedProcess[str]) -> str:
    return f"exit {done.returncode}\n{(done.stdout + done.stderr)[-4000:]}"


def skipped_tests(output: str) -> bool:
    """pytest's `N skipped` or node --test's `# skipped N`, N > 0."""
    return re.search(r"\b[1-9]\d* skipped\b|^# skipped [1-9]", output, re.MULTILINE) is not None


@pytest.mark.parametrize("name", TASKS)
def test_hidden_tests_fail_before_and_pass_with_the_solution(name: str, tmp_path: Path) -> None:
    task = load_task(name)
    skip_unless_available(task, name)
    command = task["test_command"]
    start = checkout(name, tmp_path / "start", solved=False, hidden=False)
    unsolved = checkout(name, tmp_path / "unsolved", solved=False, hidden=True)
    solved = checkout(name, tmp_path / "solved", solved=True, hidden=True)

    # The three states are independent: run them side by side.
    with ThreadPoolExecutor(max_workers=3) as pool:
        visible_run = pool.submit(run_tests, command, start)
        unsolved_run = pool.submit(run_tests, command, unsolved, stop_early=True)
        solved_run = pool.submit(run_tests, command, solved)
    visible, hidden_before, hidden_after = (visible_run.result(), unsolved_run.result(),
                                            solved_run.result())

    assert visible.returncode == 0, (
        f"{name}: the starting repository fails its own tests\n{report(visible)}")
    assert not skipped_tests(visible.stdout), (
        f"{name}: visible tests were skipped\n{report(visible)}")
    assert hidden_before.returncode != 0, (
        f"{name}: the hidden tests pass on the starting repository\n{report(hidden_before)}")
    assert hidden_after.returncode == 0, (
        f"{name}: the solution fails the tests\n{report(hidden_after)}")
    assert not skipped_tests(hidden_after.stdout), (
        f"{name}: tests were skipped with the solution\n{report(hidden_after)}")
