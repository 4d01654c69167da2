"""The tracking comment of a factory PR: where the issue's work stands, and why CI may be
silent on it. The issue's own tracking comment holds the plan, tasks and cost."""

from __future__ import annotations

import os
from typing import Any


def app_token() -> bool:
    """Whether the writer holds a GitHub App token (its PRs start CI) rather than GITHUB_TOKEN."""
    return os.environ.get("FACTORY_APP_TOKEN", "").lower() in ("1", "true", "yes")


def text(issue: int, phase: str, reason: str | None) -> str:
    ci = ("Opened with the factory's GitHub App token, so the repository's CI runs on it."
          if app_token() else
          "Opened with GITHUB_TOKEN, which starts no CI runs: the factory dispatched the "
          "review and the evaluation explicitly (workflow_dispatch).")
    lines = [f"### Dark Factory: built for #{issue}", "",
             f"Phase: **{phase}**" + (f": {reason}" if reason else ""),
             "", ci, "", "The issue's tracking comment holds the plan, tasks and cost."]
    return "\n".join(lines)


def state(issue: int, phase: str) -> dict[str, Any]:
    return {"issue": issue, "phase": phase}
