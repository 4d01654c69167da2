"""The writer's gate: outputs are checked completely before the first write.

A refusal is reported once (one comment on the job's issue or PR, keyed so a re-run does not
repeat it) with every reason found; reasons never quote a secret. The commits are judged by
detection (the writer's own static checks, plus the detect job's verdict when given, which must
be for these very outputs): a finding holds the work for a person (held.py).
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
from pipeline.detection.secrets import secret_values
from pipeline.detection.static import static_findings
from pipeline.detection.verdict import Verdict, digest_of
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


def verdict_digest(directory: Path) -> str:
    """What a detection verdict is bound to: these outputs and these commits."""
    return digest_of(directory / OUTPUTS_FILE, directory / BUNDLE_FILE)


def validate(directory: Path, repo: Path, config: Config, environ: Mapping[str, str],
             limits: checks.Limits, verdict: Verdict | None = None) -> tuple[Outputs, Verdict]:
    """Everything checked before the first write; Refused lists every reason found. The
    verdict returned holds the writer's own static findings and those of `verdict`."""
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
    if verdict is not None and verdict.digest != verdict_digest(directory):
        reasons.append("the detection verdict given is for other outputs: run `factory detect` "
                       "on these")
    elif verdict is None and config.detection == "model":
        reasons.append("factory.yaml asks for `detection: model`, and no verdict of the detect "
                       "job was given (factory apply DIR --verdict FILE)")
    secrets = secret_values(environ)
    reasons += checks.check_secrets(outputs, secrets)
    own = Verdict()
    if outputs.refs and not reasons:
        commits.fetch_bundle(repo, directory / BUNDLE_FILE, outputs.refs)
        own = Verdict(findings=[finding for change in commits.incoming(repo, outputs.refs)
                                for finding in static_findings(change, config, secrets)])
    if reasons:
        raise Refused(reasons)
    return outputs, own.merged(verdict) if verdict is not None else own
