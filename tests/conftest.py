"""Fixtures shared by every test: real git repositories in temp dirs, no network, no real keys."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from doubles.fake_github import FakeGitHub, find_spec
from doubles.stub_model import StubModelServer
from factory_testlib import SAMPLE, factory_yaml, git

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test may see a real key or the developer's git identity."""
    for name in list(os.environ):
        if name.endswith(("_API_KEY", "_TOKEN")) or name.startswith(("GITHUB_", "GIT_", "FACTORY_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    (tmp_path / "gitconfig").write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n")
    yield


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """An empty-but-committed git repository on branch main."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("# sample\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "initial")
    return repo


@pytest.fixture
def sample_repo(tmp_path: Path) -> Path:
    """tests/fixtures/sample_calc as a committed git repository with a factory.yaml."""
    repo = tmp_path / "calc"
    shutil.copytree(SAMPLE, repo, ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "factory.yaml").write_text(factory_yaml())
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "calc: add")
    return repo


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[StubModelServer]:
    """The scripted model server, reachable by litellm as openai/<name>."""
    with StubModelServer() as server:
        monkeypatch.setenv("OPENAI_API_BASE", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
        monkeypatch.setenv("FACTORY_RETRY_BASE_S", "0.01")
        yield server


@pytest.fixture
def github_repo() -> str:
    """The repository the fake GitHub serves (a test folder may override it)."""
    return "octo/widgets"


@pytest.fixture
def fake(github_repo: str) -> Iterator[FakeGitHub]:
    """The stateful fake GitHub, every response checked against GitHub's OpenAPI description."""
    if find_spec() is None:
        pytest.skip("GitHub's OpenAPI description absent: run `npm ci` (CI installs it)")
    with FakeGitHub() as server:
        server.add_repo(github_repo)
        yield server
    assert server.errors == [], "fake GitHub: spec drift or unrouted requests"
