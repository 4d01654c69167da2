"""The Actions side, simulated: each job a fresh clone of a bare `origin`, the fake GitHub
behind GITHUB_API_URL, the scripted model behind OPENAI_API_BASE, and the writer applying
what the role jobs emit (tests/doubles/actions.py). The next job is the one the writer
dispatched."""

from __future__ import annotations

from pathlib import Path

import pytest
from doubles.actions import Actions, fast_forge
from doubles.fake_github import FakeGitHub
from factory_testlib import factory_yaml, git

from pipeline.forge.backoff import Backoff
from pipeline.forge.github import GitHubForge

REPO = "octo/calc"


@pytest.fixture
def github_repo() -> str:
    return REPO


@pytest.fixture
def origin(sample_repo: Path, tmp_path: Path, fake: FakeGitHub) -> Path:
    (sample_repo / "factory.yaml").write_text(factory_yaml(auto_merge=True))
    git(sample_repo, "commit", "-qam", "factory: auto_merge")
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(sample_repo), str(bare))
    fake.link_git(REPO, str(bare))
    return bare


@pytest.fixture
def github(fake: FakeGitHub) -> GitHubForge:
    """The repository as a person (or a test) sees it."""
    return GitHubForge(REPO, "test-token", fake.base_url, throttle=False,
                       backoff=Backoff(sleep=lambda _s: None))


@pytest.fixture
def actions(tmp_path: Path, origin: Path, fake: FakeGitHub,
            monkeypatch: pytest.MonkeyPatch) -> Actions:
    runner = Actions(tmp_path, origin, fake, REPO)
    for name, value in runner.env.items():
        monkeypatch.setenv(name, value)
    for target in ("pipeline.actions.job.open_forge", "pipeline.commands.apply.open_forge"):
        monkeypatch.setattr(target, fast_forge)
    return runner
