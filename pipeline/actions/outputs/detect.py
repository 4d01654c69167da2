"""The detect job: a role job's outputs and commits judged before the writer sees them.

It holds no write token (contents: read) and, with `detection: model`, the model keys; the
writer holds the write token and no model key. Its verdict is bound to the outputs it judged
(their digest), so the writer cannot be handed a verdict for something else.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pipeline.actions.outputs import checks, commits
from pipeline.actions.outputs.schema import BUNDLE_FILE, load
from pipeline.actions.outputs.validate import verdict_digest
from pipeline.config.settings import Config
from pipeline.detection.judge import judge
from pipeline.detection.verdict import Verdict
from pipeline.roles.base import RoleContext


def detect_dir(directory: Path, repo: Path, config: Config, environ: Mapping[str, str],
               model: RoleContext | None = None) -> Verdict:
    outputs = load(directory)
    changes = []
    if outputs.refs:
        commits.fetch_bundle(repo, directory / BUNDLE_FILE, outputs.refs)
        changes = commits.incoming(repo, outputs.refs)
    said = "\n\n".join(f"{where}:\n{text}" for where, text in checks.texts(outputs))
    verdict = judge(changes, config, environ, outputs=said, model=model)
    verdict.digest = verdict_digest(directory)
    return verdict
