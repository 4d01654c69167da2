"""The review panel: every configured reviewer in parallel, each its own model and focus.

A reviewer that errors, times out, or cannot produce a valid `submit_review` (after the agent
loop's own retries) is a failed reviewer with its reason: never an approval. The verdict
counts only when at least `quorum` reviewers answered (capped at the panel's size, so a
one-reviewer panel can pass); otherwise it is `no_quorum`, which blocks like `changes`.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast

from pydantic import BaseModel, Field

from pipeline.agent.workspace import Workspace
from pipeline.config.settings import Reviewer
from pipeline.core.errors import BudgetExceeded, WorkFailed
from pipeline.review.difffit import context_tokens, diff_budget, estimate_tokens, fit_diff
from pipeline.review.merge import merge_findings
from pipeline.roles.base import RoleContext
from pipeline.roles.reviewer import ReviewInput, review
from pipeline.roles.schemas import Criterion, MergedFinding, Review, TaskSpec

if TYPE_CHECKING:
    from pipeline.agent.model import ModelClient, ModelReply

PanelVerdict = Literal["approve", "changes", "no_quorum"]


@dataclass(frozen=True)
class PanelInput:
    spec: str
    criteria: list[Criterion]
    task: TaskSpec
    diff: str
    workspace: Workspace
    reviewers: Sequence[Reviewer] | None = None
    """Defaults to the config's panel."""
    quorum: int | None = None
    """Defaults to `limits.quorum`."""
    focus_paths: Sequence[str] = ()
    """Files the task is about: shown first when the diff must be cut."""
    context_tokens: Mapping[str, int] = field(default_factory=dict)
    """Per model: its input window, where litellm does not know it (or a test wants it tiny)."""


class ReviewerOutcome(BaseModel):
    name: str
    """How the summary names this reviewer: its model, plus its focus if the model repeats."""
    model: str
    focus: str
    verdict: Literal["approve", "changes"] | None = None
    findings: int = 0
    error: str | None = None
    """Why this reviewer failed; None when it answered."""
    wall_s: float = 0.0
    cost_usd: float = 0.0
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    left_out: list[str] = Field(default_factory=list)
    omitted: list[str] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


class PanelResult(BaseModel):
    verdict: PanelVerdict
    quorum: int
    findings: list[MergedFinding] = Field(default_factory=list)
    reviewers: list[ReviewerOutcome] = Field(default_factory=list)
    wall_s: float = 0.0

    @property
    def answered(self) -> list[ReviewerOutcome]:
        return [r for r in self.reviewers if r.ok]

    @property
    def failed(self) -> list[ReviewerOutcome]:
        return [r for r in self.reviewers if not r.ok]

    @property
    def blocking(self) -> list[MergedFinding]:
        return [f for f in self.findings if f.blocking]

    @property
    def passed(self) -> bool:
        return self.verdict == "approve"

    @property
    def cost_usd(self) -> float:
        return sum(r.cost_usd for r in self.reviewers)


class _Meter:
    """Wraps the shared model client to count one reviewer's calls, cost and tokens."""

    def __init__(self, inner: ModelClient) -> None:
        self.inner = inner
        self.calls = self.input_tokens = self.output_tokens = 0
        self.cost_usd = 0.0

    def complete(self, **kwargs: Any) -> ModelReply:
        reply = self.inner.complete(**kwargs)
        self.calls += 1
        self.cost_usd += reply.cost_usd
        self.input_tokens += reply.input_tokens
        self.output_tokens += reply.output_tokens
        return reply

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def reviewer_names(reviewers: Sequence[Reviewer]) -> list[str]:
    bare = [r.model.removeprefix("openai/") if r.model.startswith("openai/") else r.model
            for r in reviewers]
    return [f"{name} ({r.focus})" if bare.count(name) > 1 else name
            for name, r in zip(bare, reviewers, strict=True)]


def _prompt_tokens(given: PanelInput) -> int:
    text = given.spec + given.task.description + "".join(c.text for c in given.criteria)
    return estimate_tokens(text)


def _one(ctx: RoleContext, given: PanelInput, reviewer: Reviewer,
         name: str) -> tuple[ReviewerOutcome, Review | None]:
    started = time.monotonic()
    window = given.context_tokens.get(reviewer.model) or context_tokens(reviewer.model)
    fitted = fit_diff(given.diff, diff_budget(window, _prompt_tokens(given)), given.focus_paths)
    meter = _Meter(ctx.model)
    trajectories = ctx.trajectories
    if trajectories is not None and name != reviewer.model.removeprefix("openai/"):
        # The model repeats in the panel: one folder per focus keeps trajectories apart.
        trajectories = trajectories / ("reviewer-" + re.sub(r"[^A-Za-z0-9_.-]+", "-",
                                                           reviewer.focus))
    metered = dataclasses.replace(ctx, model=cast("ModelClient", meter), trajectories=trajectories)
    result: Review | None = None
    error: str | None = None
    try:
        result = review(metered, ReviewInput(
            given.spec, given.criteria, given.task, fitted.text, given.workspace, reviewer.model,
            reviewer.focus, left_out=fitted.left_out, omitted=fitted.omitted,
            changed=(*fitted.shown, *fitted.left_out)))
    except BudgetExceeded:
        raise
    except WorkFailed as exc:
        error = exc.message
    outcome = ReviewerOutcome(
        name=name, model=reviewer.model, focus=reviewer.focus,
        verdict=result.verdict if result else None,
        findings=len(result.findings) if result else 0, error=error,
        wall_s=round(time.monotonic() - started, 3), cost_usd=meter.cost_usd, calls=meter.calls,
        input_tokens=meter.input_tokens, output_tokens=meter.output_tokens,
        left_out=list(fitted.left_out), omitted=list(fitted.omitted))
    return outcome, result


def run_panel(ctx: RoleContext, given: PanelInput) -> PanelResult:
    """Every reviewer at once; their findings merged; the verdict by quorum and severity."""
    reviewers = list(given.reviewers or ctx.config.models.panel())
    names = reviewer_names(reviewers)
    quorum = min(given.quorum or ctx.config.limits.quorum, len(reviewers))
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(reviewers), thread_name_prefix="reviewer") as pool:
        futures = [pool.submit(_one, ctx, given, reviewer, name)
                   for reviewer, name in zip(reviewers, names, strict=True)]
        done = [future.result() for future in futures]
    outcomes = [outcome for outcome, _ in done]
    findings = merge_findings([(outcome.name, result.findings) for outcome, result in done
                               if result is not None])
    answered = sum(1 for outcome in outcomes if outcome.ok)
    verdict: PanelVerdict = ("no_quorum" if answered < quorum else
                             "changes" if any(f.blocking for f in findings) else "approve")
    return PanelResult(verdict=verdict, quorum=quorum, findings=findings, reviewers=outcomes,
                       wall_s=round(time.monotonic() - started, 3))
