"""Which forge the observing commands read: GitHub when Actions' variables say so, else local."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from pipeline.forge.protocol import Forge
from pipeline.forge.types import Issue

DIGEST_LABEL = "factory:digest"


class TrackerForge(Forge, Protocol):
    """A forge that can also list issues and edit an issue's body (the digest needs both)."""

    def list_issues(self, labels: Sequence[str] = (), state: str = "open") -> list[Issue]: ...
    def edit_issue(self, number: int, *, title: str | None = None,
                   body: str | None = None) -> None: ...


def on_github(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return bool(env.get("GITHUB_REPOSITORY") and env.get("GITHUB_TOKEN"))


def open_forge(repo: Path, environ: Mapping[str, str] | None = None) -> TrackerForge:
    """GitHub when GITHUB_REPOSITORY and GITHUB_TOKEN are set; the embedded forge otherwise."""
    if on_github(environ):
        from pipeline.forge.github import GitHubForge

        return GitHubForge.from_env(environ)
    from pipeline.forge.local import LocalForge

    return LocalForge(repo / ".factory" / "forge.db")
