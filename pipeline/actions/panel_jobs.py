"""The review panel split across Actions jobs: one reviewer per matrix job, merged after.

`FACTORY_REVIEWER=<i>` runs reviewer i of `models.panel()` alone and saves its result as
`reviewer.json`; the panel job reads every one (a missing one is a failed reviewer, never an
approval), merges the findings and decides the verdict by quorum, as the in-process panel does.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from pydantic import ValidationError

from pipeline.config.settings import Config
from pipeline.core.errors import BadInput
from pipeline.ledger.persisted import Persisted, persisted
from pipeline.review.merge import merge_findings
from pipeline.review.panel import (
    PanelInput,
    PanelResult,
    PanelVerdict,
    ReviewerOutcome,
    reviewer_names,
    run_panel,
)
from pipeline.roles.base import RoleContext
from pipeline.roles.schemas import Finding

RESULT_FILE = "reviewer.json"


def reviewer_index(raw: str, config: Config) -> int:
    panel = config.models.panel()
    if not raw.strip().isdigit() or int(raw) >= len(panel):
        raise BadInput(f"FACTORY_REVIEWER={raw!r}: expected an index below {len(panel)} "
                       "(the panel's size in factory.yaml)")
    return int(raw)


def run_one(ctx: RoleContext, given: PanelInput, index: int, commit: str, out: Path) -> PanelResult:
    """Reviewer index alone; its result and what it spent (for the panel job's outputs: this
    job has no writer of its own) saved in out."""
    reviewer = ctx.config.models.panel()[index]
    result = run_panel(ctx, dataclasses.replace(given, reviewers=[reviewer], quorum=1))
    out.mkdir(parents=True, exist_ok=True)
    spend = persisted(ctx.model.ledger, [ctx.model.run_id])
    (out / RESULT_FILE).write_text(json.dumps({"index": index, "commit": commit,
                                               "result": result.model_dump(mode="json"),
                                               "spend": spend}))
    return result


def read_results(directory: Path, commit: str) -> tuple[dict[int, PanelResult], Persisted]:
    """Every reviewer.json under directory that reviewed commit, by reviewer index; and what
    every reviewer job spent, whatever it reviewed."""
    found: dict[int, PanelResult] = {}
    spend: Persisted = {}
    for path in sorted(directory.rglob(RESULT_FILE)):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(raw.get("spend"), dict):
                spend.update(raw["spend"])
            if raw.get("commit") == commit:
                found[int(raw["index"])] = PanelResult.model_validate(raw["result"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError, ValidationError):
            continue  # unreadable: that reviewer counts as failed
    return found, spend


def combine(config: Config, results: dict[int, PanelResult]) -> PanelResult:
    panel = config.models.panel()
    names = reviewer_names(panel)
    outcomes: list[ReviewerOutcome] = []
    reports: list[tuple[str, list[Finding]]] = []
    for index, (reviewer, name) in enumerate(zip(panel, names, strict=True)):
        got = results.get(index)
        if got is None or not got.reviewers:
            outcomes.append(ReviewerOutcome(name=name, model=reviewer.model,
                                            focus=reviewer.focus,
                                            error="its review job left no result"))
            continue
        outcome = got.reviewers[0].model_copy(update={"name": name})
        outcomes.append(outcome)
        if outcome.ok:
            reports.append((name, [Finding(path=f.path, line=f.line, severity=f.severity,
                                           title=f.title, body=f.body) for f in got.findings]))
    findings = merge_findings(reports)
    quorum = min(config.limits.quorum, len(panel))
    answered = sum(1 for outcome in outcomes if outcome.ok)
    verdict: PanelVerdict = ("no_quorum" if answered < quorum else
                             "changes" if any(f.blocking for f in findings) else "approve")
    return PanelResult(verdict=verdict, quorum=quorum, findings=findings, reviewers=outcomes,
                       wall_s=max((r.wall_s for r in results.values()), default=0.0))
