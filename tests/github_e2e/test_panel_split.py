"""The panel split across matrix jobs: a reviewer whose job left nothing failed, never approved."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import pytest

from pipeline.actions.panel_jobs import RESULT_FILE, combine, read_results, reviewer_index
from pipeline.config.settings import Config, Models, Reviewer
from pipeline.core.errors import BadInput
from pipeline.review.panel import PanelResult, ReviewerOutcome
from pipeline.roles.schemas import MergedFinding

PANEL = Config(models=Models(reviewers=[Reviewer(model="openai/a", focus="correctness"),
                                        Reviewer(model="openai/b", focus="security")]))


def one(model: str, verdict: Literal["approve", "changes"],
        findings: list[MergedFinding]) -> PanelResult:
    return PanelResult(verdict=verdict, quorum=1,
                       findings=findings,
                       reviewers=[ReviewerOutcome(name=model, model=model, focus="x",
                                                  verdict=verdict, findings=len(findings))])


def finding(severity: str) -> MergedFinding:
    return MergedFinding(id="f1", path="calc/m.py", line=2, severity=severity,  # type: ignore[arg-type]
                         title="division by zero", body="b is not checked", reviewers=["x"])


def save(directory: Path, index: int, commit: str, result: PanelResult) -> None:
    directory.mkdir(parents=True)
    (directory / RESULT_FILE).write_text(json.dumps(
        {"index": index, "commit": commit, "result": result.model_dump(mode="json")}))


def test_missing_reviewers_fail_and_quorum_decides(tmp_path: Path) -> None:
    save(tmp_path / "factory-review-0", 0, "abc", one("openai/a", "approve", []))
    save(tmp_path / "factory-review-1", 1, "old", one("openai/b", "approve", []))

    results, _spend = read_results(tmp_path, "abc")
    assert list(results) == [0]  # the other reviewed an older commit
    two = PANEL.model_copy(update={"limits": PANEL.limits.model_copy(update={"quorum": 2})})
    combined = combine(two, results)

    assert combined.verdict == "no_quorum"
    assert [r.error for r in combined.reviewers] == [None, "its review job left no result"]
    assert combine(PANEL, results).verdict == "approve"


def test_findings_are_merged_and_blocking_ones_ask_for_changes(tmp_path: Path) -> None:
    save(tmp_path / "a", 0, "abc", one("openai/a", "changes", [finding("major")]))
    save(tmp_path / "b", 1, "abc", one("openai/b", "changes", [finding("minor")]))

    combined = combine(PANEL, read_results(tmp_path, "abc")[0])

    assert combined.verdict == "changes"
    [merged] = combined.findings
    assert merged.severity == "major" and merged.reviewers == ["a", "b"]


def test_reviewer_index_is_checked() -> None:
    assert reviewer_index("1", PANEL) == 1
    with pytest.raises(BadInput, match="below 2"):
        reviewer_index("2", PANEL)
