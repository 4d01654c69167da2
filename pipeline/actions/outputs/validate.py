"""The writer's gate: outputs are checked completely before the first write.

A refusal is reported once (one comment on the job's issue or PR, keyed so a re-run does not
repeat it) with every reason found; reasons never quote a secret.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from pipeline.actions.outputs import checks, commits, lessons_branch
from pipeline.actions.outputs.schema import (
    BUNDLE_FILE,
    OUTPUTS_FILE,
    LessonsOp,
    OpenPrOp,
    Outputs,
    load,
)
from pipeline.config.settings import Config
from pipeline.core.errors import WorkFailed
from pipeline.core.sanitize import neutralise_mentions
from pipeline.forge.protocol import Forge

KEY = "<!-- factory:key {} -->"
KEY_PATTERN = re.compile(r"<!-- factory:key ([0-9a-f]{16}) -->")
_SHA = re.compile(r"\b[0-9a-f]{7,40}\b")


def key_of(kind: str, number: int, text: str) -> str:
    """Same kind, target and text (commit ids aside: a re-run job makes new ones) → same key."""
    normal = _SHA.sub("", " ".join(text.split()))
    return hashlib.sha256(f"{kind}\0{number}\0{normal}".encode()).hexdigest()[:16]


def keyed(body: str, key: str) -> str:
    return f"{neutralise_mentions(body).rstrip()}\n\n{KEY.format(key)}"


class Refused(WorkFailed):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("outputs refused: " + "; ".join(reasons))
        self.reasons = reasons


def refusal_text(role: str, reasons: list[str]) -> str:
    lines = [f"**Dark Factory did not apply the `{role}` job's outputs**, and wrote nothing "
             "else from them:", ""]
    lines += [f"- {reason}" for reason in reasons]
    lines += ["", "The outputs stay in the workflow run's artifacts for a person to inspect."]
    return "\n".join(lines)


def post_refusal(forge: Forge, number: int, role: str, reasons: list[str]) -> None:
    text = refusal_text(role, reasons)
    key = key_of("refusal", number, text)
    if not any(key in c.body for c in forge.comments(number)):
        forge.post_comment(number, keyed(text, key))


def raw_target(directory: Path) -> tuple[str, int | None]:
    try:
        raw = json.loads((directory / OUTPUTS_FILE).read_text(encoding="utf-8"))
        number = raw.get("number") if isinstance(raw, dict) else None
        role = raw.get("role") if isinstance(raw, dict) else None
        return str(role or "unknown"), number if isinstance(number, int) and number > 0 else None
    except (OSError, ValueError):
        return "unknown", None


def validate(directory: Path, repo: Path, config: Config, environ: Mapping[str, str],
             limits: checks.Limits) -> tuple[Outputs, list[commits.Change]]:
    """Everything checked before the first write; Refused lists every reason found."""
    outputs = load(directory)
    reasons = checks.check_limits(outputs, limits) + checks.check_labels(outputs, config)
    reasons += checks.check_branches(outputs)
    opened = {op.ref for op in outputs.ops if isinstance(op, OpenPrOp)}
    for op in outputs.ops:
        number = getattr(op, "number", 1)
        if number < 0 and number not in opened:
            reasons.append(f"{op.op} names PR {number}, which these outputs do not open")
        if isinstance(op, LessonsOp):
            try:
                lessons_branch.validate(op.lessons)
            except ValidationError as exc:
                reasons.append(f"a lesson is malformed: {exc.errors()[0]['msg']}")
    changes: list[commits.Change] = []
    if outputs.refs and not reasons:
        commits.fetch_bundle(repo, directory / BUNDLE_FILE, outputs.refs)
        changes = [commits.inspect(repo, branch, f"{commits.INCOMING}{branch}")
                   for branch in sorted(outputs.refs)]
        reasons += checks.check_changes(changes, config, limits)
    reasons += checks.check_secrets(outputs, changes, checks.secret_values(environ))
    if reasons:
        raise Refused(reasons)
    return outputs, changes
