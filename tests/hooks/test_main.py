from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.precommit.__main__ import main


def test_unknown_hook_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nope"]) == 2
    assert "usage: factory-hook {lessons,lesson-trailer,config}" in capsys.readouterr().err


def test_runs_a_hook_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    (tmp_path / "factory.yaml").write_text("limits:\n  workers: 0\n")
    assert main(["config"]) == 1
    assert "factory.yaml:2: limits.workers" in capsys.readouterr().err
