"""Fixtures for the GitHub side: the fake GitHub server and a GitHubForge pointed at it."""

from __future__ import annotations

from pathlib import Path

import pytest
from doubles.fake_github import FakeGitHub, find_spec
from doubles.fake_github.spec import Spec, load

from pipeline.forge.backoff import Backoff
from pipeline.forge.github import GitHubForge

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
needs_node_modules = pytest.mark.skipif(
    not NODE_MODULES.is_dir(), reason="node_modules absent: run `npm ci` (CI installs it)")
REPO = "octo/widgets"


@pytest.fixture
def spec() -> Spec:
    if find_spec() is None:
        pytest.skip("GitHub's OpenAPI description absent: run `npm ci` (CI installs it)")
    return load()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def forge(fake: FakeGitHub, sleeps: list[float]) -> GitHubForge:
    env = {"GITHUB_API_URL": fake.base_url, "GITHUB_TOKEN": "test-token",
           "GITHUB_REPOSITORY": REPO}
    return GitHubForge.from_env(env, throttle=False, backoff=Backoff(sleep=sleeps.append))
