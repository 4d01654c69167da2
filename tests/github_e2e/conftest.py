"""The Actions side, simulated: each job a fresh clone of a bare `origin`, the fake GitHub
behind GITHUB_API_URL, the scripted model behind OPENAI_API_BASE, and the writer applying
what the role jobs emit. The next job is the one the writer dispatched."""

from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from doubles.fake_github import FakeGitHub
from factory_testlib import factory_yaml, git

from pipeline.cli import main
from pipeline.forge.backoff import Backoff
from pipeline.forge.github import GitHubForge

REPO = "octo/calc"


class Actions:
    def __init__(self, root: Path, origin: Path, fake: FakeGitHub,
                 monkeypatch: pytest.MonkeyPatch) -> None:
        self.root, self.origin, self.fake, self.monkeypatch = root, origin, fake, monkeypatch
        self._runs = itertools.count(1)
        self.seen_dispatches = 0

    def checkout(self, name: str) -> Path:
        path = self.root / "runs" / f"{next(self._runs):02d}-{name}"
        subprocess.run(["git", "clone", "-q", str(self.origin), str(path)], check=True)
        return path

    def invoke(self, *args: str, env: dict[str, str] | None = None) -> Result:
        with self.monkeypatch.context() as patch:
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            return CliRunner().invoke(main, list(args), catch_exceptions=False)

    def role(self, command: str, number: int, *, env: dict[str, str] | None = None,
             extra: tuple[str, ...] = ()) -> Path:
        """A role job: its own checkout, read-only on GitHub, outputs in a directory."""
        repo = self.checkout(command)
        out = self.root / "outputs" / repo.name
        result = self.invoke(command, str(number), "--outputs", str(out), "--repo", str(repo),
                             *extra, env=env)
        assert result.exit_code == 0, result.output
        return out

    def apply(self, out: Path, *, ok: bool = True) -> Result:
        repo = self.checkout("apply")
        result = self.invoke("apply", str(out), "--repo", str(repo))
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def dispatched(self) -> list[tuple[str, int]]:
        """workflow_dispatch requests since the last look: (command, number)."""
        new = self.fake.dispatches[self.seen_dispatches:]
        self.seen_dispatches = len(self.fake.dispatches)
        return [(inputs["command"], int(inputs["number"])) for _, _, _, inputs in new]

    def outputs(self, out: Path) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((out / "outputs.json").read_text())
        return loaded


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
    env = {"GITHUB_API_URL": fake.base_url, "GITHUB_TOKEN": "test-token",
           "GITHUB_REPOSITORY": REPO}
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    def forge(_repo: Path, environ: Any = None) -> GitHubForge:
        # PyGithub's pauses between requests are for the real API, not the fake.
        return GitHubForge.from_env(environ, throttle=False, backoff=Backoff(sleep=lambda _s: None))

    monkeypatch.setattr("pipeline.actions.job.open_forge", forge)
    monkeypatch.setattr("pipeline.commands.apply.open_forge", forge)
    return Actions(tmp_path, origin, fake, monkeypatch)
