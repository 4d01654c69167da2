"""The judge agrees with the shipped task set: each reference solution, committed as a run would
leave it, passes the hidden tests the way `factory bench` runs them (in the sandbox, starting
tests and runner files put back, every hidden test file reporting passes)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.config.settings import Config
from pipeline.core import git
from pipeline.lift.judge import judge
from pipeline.lift.runner import prepare_repo
from pipeline.lift.tasks import load_tasks

TASKS_DIR = Path(__file__).resolve().parents[2] / "bench" / "tasks"
TASKS = {task.name: task for task in load_tasks(TASKS_DIR)}


@pytest.mark.parametrize("name", sorted(TASKS))
def test_the_reference_solution_passes_the_judge(name: str, tmp_path: Path) -> None:
    task = TASKS[name]
    missing = task.missing()
    if missing:
        pytest.skip(f"bench task {name} needs " + ", ".join(missing))
    repo = tmp_path / "run"
    prepare_repo(task, repo)
    shutil.copytree(task.root / "solution", repo, dirs_exist_ok=True)
    git.commit_all(repo, "the reference solution")
    config = Config().model_copy(update={"test_command": task.test_command})

    verdict = judge(repo, tmp_path / "judged", task.repo, task.hidden, task.test_command, config)

    assert verdict.passed, f"{verdict.reason}\n{verdict.output}"
    assert verdict.reset_files == []
