"""`factory init` installs the workflow (never clobbering a different one) and says what to set."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import main
from pipeline.templates import WORKFLOW_PATH, workflow


def test_init_writes_the_workflow_and_prints_the_settings(git_repo: Path) -> None:
    result = CliRunner().invoke(main, ["init", "--repo", str(git_repo)])

    assert result.exit_code == 0, result.output
    assert (git_repo / WORKFLOW_PATH).read_text() == workflow()
    assert f"wrote {WORKFLOW_PATH}" in result.output
    for needed in ("ANTHROPIC_API_KEY", "QDRANT_URL", "FACTORY_ENABLED=false", "FACTORY_APP_ID",
                   "allow GitHub Actions to create and approve pull requests"):
        assert needed in result.output


def test_init_leaves_a_different_workflow_alone_and_says_so(git_repo: Path) -> None:
    path = git_repo / WORKFLOW_PATH
    path.parent.mkdir(parents=True)
    path.write_text("name: mine\n")

    result = CliRunner().invoke(main, ["init", "--repo", str(git_repo)])

    assert result.exit_code == 0, result.output
    assert path.read_text() == "name: mine\n"
    assert "differs from this version's: left as it is" in result.output
    again = CliRunner().invoke(main, ["init", "--repo", str(git_repo)])
    assert path.read_text() == "name: mine\n" and again.exit_code == 0


def test_factory_enabled_false_stops_every_command(git_repo: Path) -> None:
    runner = CliRunner(env={"FACTORY_ENABLED": "false"})
    for args in (["plan", "1"], ["apply", str(git_repo)], ["run", "x", "--repo", str(git_repo)]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0 and "the factory is stopped" in result.output, args
    assert not (git_repo / ".factory").exists()
