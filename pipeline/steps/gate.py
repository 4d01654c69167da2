"""What the factory refuses to commit (issue #12): an out-of-tree symlink, an embedded
repository, a file, patch or file count over the caps, a secret. Checked when the model calls
`finish` (a tool error it can act on) and again just before the commit (a failed round, then a
blocked task with the reason) — never a silent drop."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.config.settings import Config
from pipeline.detection.changes import staged
from pipeline.detection.secrets import secret_values
from pipeline.detection.static import commit_findings


def commit_refusal(worktree: Path, base: str, config: Config) -> str | None:
    """Why the worktree's change (everything since base) cannot be committed, or None."""
    findings = commit_findings(staged(worktree, base), config, secret_values(os.environ))
    if not findings:
        return None
    lines = [f"- {f.where}: {f.detail}" for f in findings]
    return "The change cannot be committed as it is:\n" + "\n".join(lines)
