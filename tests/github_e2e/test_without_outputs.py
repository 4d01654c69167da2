"""Without --outputs a role applies its own outputs, through the same writer: on GitHub, and
on the embedded forge when no GITHUB_REPOSITORY is set."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from doubles.fake_github import FakeGitHub
from doubles.stub_model import StubModelServer
from factory_testlib import git
from test_run_e2e import calc_scripts

from pipeline.cli import main
from pipeline.demo.scripted import ScriptedModel
from pipeline.forge.github import GitHubForge
from pipeline.forge.local import LocalForge
from pipeline.steps.state import load

from .conftest import REPO, Actions


def test_a_role_without_outputs_applies_itself_on_github(
        stub: StubModelServer, actions: Actions, fake: FakeGitHub, github: GitHubForge) -> None:
    stub.responder = ScriptedModel(dict(calc_scripts()))
    issue = fake.add_issue(REPO, "Add subtract and multiply", "to calc", ["factory"])
    repo = actions.checkout("plan")

    result = actions.invoke("plan", str(issue), "--repo", str(repo))

    assert result.exit_code == 0, result.output
    state = load(github, issue)
    assert state is not None and state.plan is not None
    assert "factory:planning" in github.get_issue(issue).labels
    assert actions.dispatched() == [("build", issue)]


def test_roles_on_the_embedded_forge(stub: StubModelServer, sample_repo: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    stub.responder = ScriptedModel(dict(calc_scripts()))
    forge = LocalForge(sample_repo / ".factory" / "forge.db")
    issue = forge.create_issue("Add subtract and multiply", "to calc", ["factory"]).number
    runner = CliRunner()

    planned = runner.invoke(main, ["plan", str(issue), "--repo", str(sample_repo)])
    assert planned.exit_code == 0, planned.output
    assert "next: factory build 1" in planned.output
    built = runner.invoke(main, ["build", str(issue), "--repo", str(sample_repo)])
    assert built.exit_code == 0, built.output

    pr = forge.find_pr("factory/issue-1")
    assert pr is not None and pr.draft
    assert "calc/multiply.py" in git(sample_repo, "ls-tree", "-r", "--name-only", "factory/issue-1")
    state = load(forge, issue)
    assert state is not None and state.pr == pr.number
    assert all(t.status == "passed" for t in state.tasks.values())
    assert git(sample_repo, "branch", "--show-current") == "main"
