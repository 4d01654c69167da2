"""Files `factory init` writes into a repository, kept as package data.

May import: nothing else of pipeline."""

from __future__ import annotations

from importlib.resources import files

WORKFLOW_PATH = ".github/workflows/factory.yml"
"""Where the factory workflow goes in a target repository."""


def workflow() -> str:
    """The factory's GitHub Actions workflow (router, one job per role, writer)."""
    return files(__name__).joinpath("factory.yml").read_text(encoding="utf-8")
