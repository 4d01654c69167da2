"""The CLI as a user meets it: fast help, one-line errors with exit 2, nothing half-written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main


def test_help_loads_no_heavy_library() -> None:
    code = ("import sys; from click.testing import CliRunner; from pipeline.cli import main; "
            "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output; "
            "heavy = [m for m in ('litellm', 'qdrant_client', 'github', 'openai', 'anthropic') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_help_lists_the_contract_commands() -> None:
    result = CliRunner().invoke(main, ["--help"])
    for command in ("init", "run", "demo", "status", "doctor"):
        assert f"  {command} " in result.output


def one_line_error(result: object) -> str:
    output = getattr(result, "output", "").strip()
    assert output.count("\n") == 0, output
    return output


@pytest.mark.parametrize("args, message", [
    (["run", ""], "the brief is empty"),
    (["run"], "the brief is empty"),
    (["run", "x", "--budget", "-1"], "--budget"),
    (["run", "x", "--workers", "0"], "--workers"),
])
def test_bad_arguments(sample_repo: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, [*args, "--repo", str(sample_repo)])
    assert result.exit_code == 2
    assert message in result.output
    assert not (sample_repo / ".factory").exists()


def test_not_a_repository(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["run", "do it", "--repo", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not a git repository" in one_line_error(result)


def test_bad_config_names_the_key(sample_repo: Path) -> None:
    (sample_repo / "factory.yaml").write_text("modles:\n  default: x\n")
    subprocess.run(["git", "-C", str(sample_repo), "commit", "-qam", "typo"], check=True)
    result = CliRunner().invoke(main, ["run", "do it", "--repo", str(sample_repo)])
    assert result.exit_code == 2
    assert "modles: unknown key" in one_line_error(result)
    assert not (sample_repo / ".factory").exists()


def test_missing_model_key_says_what_to_set(sample_repo: Path) -> None:
    result = CliRunner().invoke(main, ["run", "do it", "--repo", str(sample_repo),
                                       "--model", "anthropic/claude-sonnet-4-5"])
    assert result.exit_code == 2
    line = one_line_error(result)
    assert "ANTHROPIC_API_KEY" in line and "factory demo" in line
    assert not (sample_repo / ".factory").exists()


def test_uncommitted_changes_are_refused(sample_repo: Path, stub: object) -> None:
    (sample_repo / "calc" / "ops.py").write_text("broken")
    result = CliRunner().invoke(main, ["run", "do it", "--repo", str(sample_repo)])
    assert result.exit_code == 2 and "uncommitted changes" in one_line_error(result)


def test_resume_with_nothing_to_resume(sample_repo: Path, stub: object) -> None:
    result = CliRunner().invoke(main, ["run", "--resume", "--repo", str(sample_repo)])
    assert result.exit_code == 2 and "nothing to resume" in one_line_error(result)


def test_init_writes_config_and_ignores_and_never_clobbers(git_repo: Path) -> None:
    (git_repo / ".gitignore").write_text("*.log")
    first = CliRunner().invoke(main, ["init", "--repo", str(git_repo)])
    assert first.exit_code == 0, first.output
    assert "wrote factory.yaml" in first.output
    assert (git_repo / ".gitignore").read_text().splitlines()[0] == "*.log"
    (git_repo / "factory.yaml").write_text("test_command: make check\n")
    second = CliRunner().invoke(main, ["init", "--repo", str(git_repo)])
    assert "factory.yaml exists: left as it is" in second.output
    assert (git_repo / "factory.yaml").read_text() == "test_command: make check\n"
    assert (git_repo / ".gitignore").read_text().count(".factory/*") == 1


def test_demo_runs_the_whole_pipeline_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTORY_RETRY_BASE_S", "0.01")
    target = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--dir", str(target)])
    assert result.exit_code == 0, result.output
    assert "SCRIPTED model, not a real one" in result.output
    assert "Done: merged factory/issue-1 into main" in result.output
    run = subprocess.run([sys.executable, "-m", "wordstats", "README.md", "--top", "1"],
                         cwd=target, capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip()
