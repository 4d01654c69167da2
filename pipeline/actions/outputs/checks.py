"""The writer's checks: everything an output may not do, found before anything is written.

Each check returns the reasons it refuses; the writer applies an output only when there are
none. The reasons are posted, so they never quote a secret. What the commits may not carry
(symlinks, caps, secrets, protected paths, suspicious additions) is detection's to find: it
holds the work for a person rather than refusing it (pipeline/detection).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

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
from pipeline.detection.secrets import find_secret
from pipeline.forge.types import PHASES, phase_label

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
    lessons: int = 20


def allowed_labels(config: Config) -> set[str]:
    return {config.trigger_label.lower(), *(phase_label(p) for p in PHASES)}


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


def check_secrets(outputs: Outputs, secrets: Mapping[str, str]) -> list[str]:
    reasons = []
    for where, text in texts(outputs):
        kind = find_secret(text, secrets)
        if kind:
            reasons.append(f"{where} carries {kind}")
    return reasons


def check_branches(outputs: Outputs) -> list[str]:
    bad = [b for b in outputs.refs if not _BRANCH.match(b) or ".." in b]
    heads = [op.head for op in outputs.ops if isinstance(op, OpenPrOp)]
    bad += [h for h in heads if not _BRANCH.match(h)]
    return [f"branch {b!r} is not a factory/ branch" for b in sorted(set(bad))]
