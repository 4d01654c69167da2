"""The writer's checks: everything an output may not do, found before anything is written.

Each check returns the reasons it refuses; the writer applies an output only when there are
none. The reasons are posted, so they never quote a secret.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.actions.outputs.commits import Change
from pipeline.actions.outputs.schema import (
    CommentOp,
    LabelsOp,
    LessonsOp,
    OpenPrOp,
    Outputs,
    ReplyOp,
    ReviewOp,
    TrackingOp,
)
from pipeline.config.settings import Config
from pipeline.core.sanitize import redact
from pipeline.forge.types import PHASES, phase_label
from pipeline.precommit.globs import matches

_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
_SECRET_NAME = re.compile(r"(?:TOKEN|SECRET|PASSWORD|PASSWD|_KEY|APIKEY|CREDENTIALS?)$")
_BRANCH = re.compile(r"^factory/[A-Za-z0-9._/-]+$")


@dataclass(frozen=True)
class Limits:
    """How much one output may ask for."""

    operations: int = 200
    posts: int = 60
    """Comments, reviews and replies together."""
    body_chars: int = 60_000
    """GitHub refuses bodies over 65,536 characters."""
    branches: int = 20
    files: int = 200
    """Files changed by one branch against the default branch."""
    patch_bytes: int = 1_000_000
    lessons: int = 20


def allowed_labels(config: Config) -> set[str]:
    return {config.trigger_label.lower(), *(phase_label(p) for p in PHASES)}


def secret_values(environ: Mapping[str, str]) -> dict[str, str]:
    """Values of the environment's secret-looking variables: never to be posted or pushed."""
    return {name: value for name, value in environ.items()
            if _SECRET_NAME.search(name.upper()) and len(value) >= 6}


def find_secret(text: str, secrets: Mapping[str, str]) -> str | None:
    """What kind of secret text carries (never the secret itself), or None."""
    for name, value in secrets.items():
        if value in text:
            return f"the value of ${name}"
    if _PRIVATE_KEY.search(text):
        return "a private key"
    if redact(text) != text:
        return "a token-shaped string (a known API key format)"
    return None


def texts(outputs: Outputs) -> list[tuple[str, str]]:
    """(where, text) for everything the output would post."""
    found: list[tuple[str, str]] = []
    for index, op in enumerate(outputs.ops):
        where = f"operation {index + 1} ({op.op})"
        if isinstance(op, TrackingOp):
            found.append((where, op.body + json.dumps(op.state)))
        elif isinstance(op, CommentOp | ReplyOp):
            found.append((where, op.body))
        elif isinstance(op, ReviewOp):
            found.append((where, op.body + "".join(c.body for c in op.comments)))
        elif isinstance(op, OpenPrOp):
            found.append((where, op.title + "\n" + op.body))
        elif isinstance(op, LessonsOp):
            found.append((where, json.dumps(op.lessons)))
    return found


def check_limits(outputs: Outputs, limits: Limits) -> list[str]:
    reasons = []
    if len(outputs.ops) > limits.operations:
        reasons.append(f"{len(outputs.ops)} operations (the limit is {limits.operations})")
    posts = sum(isinstance(op, CommentOp | ReviewOp | ReplyOp) for op in outputs.ops)
    if posts > limits.posts:
        reasons.append(f"{posts} comments, reviews and replies (the limit is {limits.posts})")
    for where, text in texts(outputs):
        if len(text) > limits.body_chars:
            reasons.append(f"{where}: {len(text)} characters (the limit is {limits.body_chars})")
    if len(outputs.refs) > limits.branches:
        reasons.append(f"{len(outputs.refs)} branches (the limit is {limits.branches})")
    lessons = sum(len(op.lessons) for op in outputs.ops if isinstance(op, LessonsOp))
    if lessons > limits.lessons:
        reasons.append(f"{lessons} lessons (the limit is {limits.lessons})")
    return reasons


def check_labels(outputs: Outputs, config: Config) -> list[str]:
    allowed = allowed_labels(config)
    outside = sorted({name for op in outputs.ops if isinstance(op, LabelsOp)
                      for name in (*op.add, *op.remove) if name.lower() not in allowed})
    return [f"label {name!r} is not one of the factory's labels" for name in outside]


def check_secrets(outputs: Outputs, changes: Sequence[Change],
                  secrets: Mapping[str, str]) -> list[str]:
    reasons = []
    for where, text in texts(outputs):
        kind = find_secret(text, secrets)
        if kind:
            reasons.append(f"{where} carries {kind}")
    for change in changes:
        kind = find_secret(change.patch, secrets)
        if kind:
            reasons.append(f"the commits on {change.branch} carry {kind}")
    return reasons


def check_branches(outputs: Outputs) -> list[str]:
    bad = [b for b in outputs.refs if not _BRANCH.match(b) or ".." in b]
    heads = [op.head for op in outputs.ops if isinstance(op, OpenPrOp)]
    bad += [h for h in heads if not _BRANCH.match(h)]
    return [f"branch {b!r} is not a factory/ branch" for b in sorted(set(bad))]


def check_changes(changes: Sequence[Change], config: Config, limits: Limits) -> list[str]:
    reasons = []
    for change in changes:
        if len(change.files) > limits.files:
            reasons.append(f"{change.branch} changes {len(change.files)} files "
                           f"(the limit is {limits.files})")
        size = len(change.patch.encode())
        if size > limits.patch_bytes:
            reasons.append(f"{change.branch}'s patch is {size} bytes "
                           f"(the limit is {limits.patch_bytes})")
        held = [f for f in change.files
                if any(matches(glob, f) for glob in config.protected_paths)]
        if held:
            reasons.append(f"{change.branch} changes protected paths, held for a person: "
                           + ", ".join(f"`{f}`" for f in held[:10]))
    return reasons
