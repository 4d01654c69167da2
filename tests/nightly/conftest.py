"""Fixtures for nightly on GitHub: the fake GitHub server and a GitHubForge pointed at it."""

from __future__ import annotations

import pytest
from doubles.fake_github import FakeGitHub

from pipeline.forge.backoff import Backoff
from pipeline.forge.github import GitHubForge

REPO = "octo/widgets"


@pytest.fixture
def github(fake: FakeGitHub) -> GitHubForge:
    return GitHubForge(REPO, "test-token", fake.base_url, throttle=False,
                       backoff=Backoff(sleep=lambda seconds: None))
