"""The verdict on a change: the static checks always, a model's reading with `detection: model`.

Fail closed: a model that gives no verdict (broken replies, budget spent, no model answering)
is a finding, never a pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from pipeline.config.settings import Config
from pipeline.core.errors import FactoryError
from pipeline.detection.changes import Change
from pipeline.detection.secrets import secret_values
from pipeline.detection.static import static_findings
from pipeline.detection.verdict import Finding, Verdict
from pipeline.ledger.store import Ledger
from pipeline.roles.base import RoleContext


def model_context(config: Config, ledger: Ledger, repo: Path, *, run_id: str,
                  issue: int | None, trajectories: Path | None = None) -> RoleContext:
    """A context whose model calls are capped by budget.detection_usd, on models.detector."""
    from pipeline.agent.model import ModelClient

    budget = config.budget.model_copy(update={"per_job_usd": config.budget.detection_usd})
    capped = config.model_copy(update={"budget": budget})
    client = ModelClient(capped, ledger, run_id=run_id, issue=issue)
    return RoleContext(capped, client, repo, trajectories=trajectories)


def model_findings(ctx: RoleContext, changes: Sequence[Change], outputs: str
                   ) -> list[Finding]:
    from pipeline.roles.detector import DetectInput, detect

    patch = "\n".join(change.patch for change in changes)
    try:
        result = detect(ctx, DetectInput(patch, outputs))
    except FactoryError as exc:
        return [Finding(kind="model", where="detection",
                        detail=f"the detection model gave no verdict, so the change is held: "
                               f"{exc.message[:300]}")]
    found = [Finding(kind="model", where=t.where, detail=t.detail) for t in result.threats]
    if result.verdict == "threat" and not found:
        found.append(Finding(kind="model", where="the change",
                             detail="the detection model called it a threat"))
    return found


def judge(changes: Sequence[Change], config: Config, environ: Mapping[str, str], *,
          outputs: str = "", model: RoleContext | None = None) -> Verdict:
    """Every change's static findings, then the model's (with `detection: model`)."""
    secrets = secret_values(environ)
    findings = [f for change in changes for f in static_findings(change, config, secrets)]
    checked = ["static"]
    if config.detection == "model":
        name = config.models.for_role("detector")
        if model is None:
            findings.append(Finding(kind="model", where="detection",
                                    detail="detection: model is configured, but no model was "
                                           "asked (run `factory detect` with the model keys)"))
        elif changes or outputs:
            findings += model_findings(model, changes, outputs)
        checked.append(f"model {name}")
    return Verdict(findings=list(dict.fromkeys(findings)), checked=checked)
