"""What nightly asks of a retry, and what a retry reports: the flows bring their own.

Locally the run resumes in-process (`pipeline.local.resume`); on GitHub the issue is requeued
for the role jobs (`pipeline.actions.requeue`). `factory nightly` picks one and passes it in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pipeline.nightly.select import Allowance, Candidate


@dataclass(frozen=True)
class RetryResult:
    action: str
    """retried, replanned, requeued, replan-queued or failed."""
    phase: str | None
    reason: str | None
    cost_usd: float = 0.0


class Retrier(Protocol):
    def __call__(self, candidate: Candidate, allowance: Allowance) -> RetryResult: ...
