"""Budget caps checked before every model call: per run, per issue, per UTC day."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.config.settings import Budget
from pipeline.core.errors import BudgetExceeded
from pipeline.ledger.store import Ledger


@dataclass(frozen=True)
class Cap:
    name: str
    """How the cap is named to a user: `run`, `issue #3`, `day 2026-01-31`."""
    limit_usd: float
    spent_usd: float

    @property
    def remaining_usd(self) -> float:
        return self.limit_usd - self.spent_usd


class BudgetGuard:
    """Reads what is spent from the ledger, so parallel workers of a run share their caps (and
    on Actions, where each job has a ledger of its own, what earlier jobs spent is absorbed into
    it first: pipeline/ledger/persisted.py)."""

    def __init__(
        self,
        budget: Budget,
        ledger: Ledger,
        *,
        run_id: str,
        issue: int | None,
        budget_usd: float | None = None,
    ) -> None:
        self.budget, self.ledger, self.run_id, self.issue = budget, ledger, run_id, issue
        self.run_limit = budget_usd if budget_usd is not None else budget.per_job_usd

    def caps(self) -> list[Cap]:
        caps = []
        if self.run_limit is not None:
            spent = self.ledger.run_totals(self.run_id).cost_usd
            caps.append(Cap("run", self.run_limit, spent))
        if self.issue is not None and self.budget.per_issue_usd is not None:
            spent = self.ledger.issue_totals(self.issue).cost_usd
            caps.append(Cap(f"issue #{self.issue}", self.budget.per_issue_usd, spent))
        if self.budget.per_day_usd is not None:
            day = self.ledger.day_totals()
            caps.append(Cap("UTC day", self.budget.per_day_usd, day.cost_usd))
        return caps

    def _check_tokens(self, prompt_tokens: int) -> None:
        """`budget.per_issue_tokens`: the issue's input and output tokens, every model's."""
        limit = self.budget.per_issue_tokens
        if limit is None or self.issue is None:
            return
        totals = self.ledger.issue_totals(self.issue)
        used = totals.input_tokens + totals.output_tokens
        if used >= limit:
            raise BudgetExceeded(f"budget spent: the issue #{self.issue} cap of {limit} tokens "
                                 f"is reached ({used} used)")
        if prompt_tokens > limit - used:
            raise BudgetExceeded(f"budget: the next prompt ({prompt_tokens} tokens) would cross "
                                 f"the issue #{self.issue} cap of {limit} tokens ({used} used)")

    def remaining(self) -> float | None:
        """The tightest cap's headroom; None when nothing is capped."""
        caps = self.caps()
        return min(cap.remaining_usd for cap in caps) if caps else None

    def check(self, prompt_cost_usd: float = 0.0, prompt_tokens: int = 0) -> None:
        """Refuse a call when a cap is reached, or when its prompt alone would cross one."""
        self._check_tokens(prompt_tokens)
        for cap in self.caps():
            if cap.spent_usd >= cap.limit_usd:
                raise BudgetExceeded(
                    f"budget spent: the {cap.name} cap of ${cap.limit_usd:.2f} is reached "
                    f"(${cap.spent_usd:.4f} spent)"
                )
            if prompt_cost_usd > cap.remaining_usd:
                raise BudgetExceeded(
                    f"budget: the next prompt ({prompt_tokens} tokens, ${prompt_cost_usd:.4f}) "
                    f"would cross the {cap.name} cap of ${cap.limit_usd:.2f} "
                    f"(${cap.spent_usd:.4f} spent)"
                )
