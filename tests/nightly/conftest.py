"""Fixtures for nightly on GitHub: the fake GitHub server and a GitHubForge pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipeline.forge.backoff import Backoff
from pipeline.forge.github import GitHubForge
from pipeline.testing.fake_github import FakeGitHub, find_spec

REPO = "octo/widgets"


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    if find_spec() is None:
        pytest.skip("GitHub's OpenAPI description absent: run `npm ci` (CI installs it)")
    with FakeGitHub() as server:
        server.add_repo(REPO)
        yield server
    assert server.errors == [], "fake GitHub: spec drift or unrouted requests"


@pytest.fixture
def github(fake: FakeGitHub) -> GitHubForge:
    return GitHubForge(REPO, "test-token", fake.base_url, throttle=False,
                       backoff=Backoff(sleep=lambda seconds: None))
