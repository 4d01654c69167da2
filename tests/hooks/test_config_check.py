from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.precommit import config_check
from tests.hooks.support import guard, write_lessons


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "models:\n  default: x\n  reviewers:\n    - model: a\n      focuss: b\n",
            ":5: models.reviewers.0.focuss: unknown key",
        ),
        (
            "trigger_label: x\nbudget:\n  per_job_usd: -1\n",
            ":3: budget.per_job_usd: Input should be greater than 0",
        ),
        ("limits: {workers: 0}\n", ":1: limits.workers:"),
        ("budget:\n  per_job_usd: [1\n", "line 3 is not valid YAML"),
    ],
)
def test_config_errors_name_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "factory.yaml").write_text(text)
    problem = config_check.check_config(tmp_path)
    assert problem is not None
    assert problem.startswith(str(tmp_path / "factory.yaml"))
    assert expected in problem


def test_valid_config_ignores_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTORY_WORKERS", "not a number")
    (tmp_path / "factory.yaml").write_text("limits:\n  workers: 3\n")
    assert config_check.check_config(tmp_path) is None


def test_duplicate_lesson_ids_name_the_line(tmp_path: Path) -> None:
    write_lessons(tmp_path, [guard("a"), guard("b"), guard("a")])
    problem = config_check.check_lessons(tmp_path)
    assert problem is not None and "lessons.jsonl:3: duplicate id" in problem
