"""When GitHub will not merge a PR the evaluation passed (it conflicts with its base, branch
protection wants more), the job's outcome cannot stand: the writer applies a blocked issue
instead, with GitHub's reason, rather than closing it, labelling it done and starting `learn`.
Nightly re-plans a blocked issue once its base branch has moved."""

from __future__ import annotations

from pipeline.actions import pr_tracking
from pipeline.actions.outputs.schema import (
    CloseOp,
    DispatchOp,
    LabelsOp,
    Operation,
    TrackingOp,
)
from pipeline.forge.types import phase_label
from pipeline.steps.state import RunState, render_body

BLOCKED = phase_label("blocked")


def blocked_instead(ops: list[Operation], pr: int, reason: str) -> list[Operation]:
    """ops with the merge's consequences replaced by a blocked issue saying why."""
    issue = next((op.number for op in ops if isinstance(op, TrackingOp)
                  and op.state.get("pr") == pr and op.number != pr), None)
    changed: list[Operation] = []
    for op in ops:
        if isinstance(op, CloseOp) or (isinstance(op, DispatchOp) and op.command == "learn"):
            continue
        if isinstance(op, LabelsOp) and op.number == issue:
            op = LabelsOp(number=op.number, add=[BLOCKED],
                          remove=[name for name in op.remove if name != BLOCKED])
        elif isinstance(op, TrackingOp) and op.number == issue:
            state = RunState.model_validate(op.state)
            state.phase, state.reason = "blocked", reason
            op = TrackingOp(number=op.number, body=render_body(state),
                            state=state.model_dump(mode="json"))
        elif isinstance(op, TrackingOp) and op.number == pr:
            owner = int(op.state.get("issue") or issue or 0)
            op = TrackingOp(number=pr, body=pr_tracking.text(owner, "blocked", reason),
                            state=pr_tracking.state(owner, "blocked"))
        changed.append(op)
    return changed
