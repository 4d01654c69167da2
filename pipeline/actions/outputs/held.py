"""Work held for a person: what the writer does instead of applying outputs whose commits
detection flagged (a protected path, a symlink, a secret, a new workflow step, ...).

Nothing of the outputs is applied and no commit is pushed — a pushed branch could run its own
workflows with the repository's secrets — but the issue and any PR the outputs name get the
label `factory:needs-human`, one comment (keyed: a re-run adds none) names every finding and
where the commits are, and the tracking comment shows the verdict.
"""

from __future__ import annotations

from typing import NoReturn

from pipeline.actions.outputs.schema import Outputs
from pipeline.actions.outputs.validate import key_of, keyed
from pipeline.core.errors import WorkFailed
from pipeline.detection.verdict import SECTION, Verdict, render
from pipeline.forge import tracking
from pipeline.forge.protocol import Forge
from pipeline.forge.types import NEEDS_HUMAN


class Held(WorkFailed):
    def __init__(self, verdict: Verdict) -> None:
        where = ", ".join(dict.fromkeys(f"{f.kind} {f.where}" for f in verdict.findings))
        super().__init__(f"held for a person (label {NEEDS_HUMAN}): {where}")
        self.verdict = verdict


def subjects(outputs: Outputs) -> list[int]:
    """The issue or PR the outputs are about, and every existing one their operations name."""
    named = [getattr(op, "number", 0) for op in outputs.ops]
    return list(dict.fromkeys(n for n in [outputs.number, *named] if n > 0))


def held_text(outputs: Outputs, verdict: Verdict) -> str:
    lines = [f"**Dark Factory held the `{outputs.role}` job's work for a person** "
             f"(label `{NEEDS_HUMAN}`). Nothing of it was pushed, posted or merged:", ""]
    lines += [f"- {f.kind}: `{f.where}` — {f.detail}" for f in verdict.findings[:30]]
    if outputs.refs:
        branches = ", ".join(f"`{b}`" for b in sorted(outputs.refs))
        lines += ["", f"The commits ({branches}) are in the workflow run's artifact "
                  "`commits.bundle`: `git fetch commits.bundle 'refs/heads/*:refs/held/*'` "
                  "to look at them. If they are fine, push them yourself and remove the label."]
    return "\n".join(lines)


def hold(forge: Forge, outputs: Outputs, verdict: Verdict) -> NoReturn:
    """Label, comment, tracking section; then Held (the job fails: a person must act)."""
    for number in subjects(outputs):
        forge.set_labels(number, add=[NEEDS_HUMAN])
    text = held_text(outputs, verdict)
    key = key_of("held", outputs.number, text)
    if not any(key in c.body for c in forge.comments(outputs.number)):
        forge.post_comment(outputs.number, keyed(text, key))
    tracking.set_section(forge, outputs.number, SECTION, render(verdict))
    raise Held(verdict)
