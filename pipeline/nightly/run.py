"""`factory nightly`: retry what stalled, re-plan what the world moved under, consolidate memory,
and write the day's digest issue. Safe to run twice a day: the digest is edited, not duplicated."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.config.settings import Config
from pipeline.core import git
from pipeline.core.errors import FactoryError
from pipeline.forge.select import TrackerForge
from pipeline.ledger.persisted import absorb
from pipeline.ledger.store import Ledger, utc_now
from pipeline.memory.lesson import LESSONS_FILE
from pipeline.nightly.retriers import Retrier
from pipeline.nightly.select import allowance, select
from pipeline.observe import digest_issue
from pipeline.observe.digest import collect
from pipeline.observe.history import issue_views


@dataclass(frozen=True)
class NightlyOptions:
    stale_after: timedelta = timedelta(hours=2)
    """A stopped run is retried only once its last model call is at least this old."""
    max_retries: int = 5
    """Retries and re-plans started in one night at most."""
    consolidate: bool = True


@dataclass
class NightlyReport:
    day: str
    actions: list[dict[str, Any]] = field(default_factory=list)
    memory: str = "not run"
    digest_issue: int | None = None
    digest_created: bool = False
    digest: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day, "actions": self.actions, "memory": self.memory,
                "digest_issue": self.digest_issue, "digest_created": self.digest_created,
                "digest": self.digest, "errors": self.errors}


def git_base_head(repo: Path) -> Callable[[str], str | None]:
    """Where a base branch points now: the local branch, else origin's, else unknown."""
    def head(branch: str) -> str | None:
        for ref in (f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"):
            found = git.git_result(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
            if found.ok:
                return found.stdout.strip()
        return None
    return head


def consolidate_memory(repo: Path, config: Config) -> tuple[str, str | None]:
    """(summary, error); a missing or broken memory never stops the digest from being written."""
    if not (repo / LESSONS_FILE).exists():
        return "no lessons yet", None
    try:
        from pipeline.memory.consolidate import consolidate
    except ImportError:
        return "memory consolidation unavailable", None
    try:
        report = consolidate(repo, config)
    # Qdrant and the store raise their own types; any of them is reported in the digest
    # and fails the job (exit 1) after the digest is written, rather than losing the digest.
    except Exception as exc:
        message = exc.message if isinstance(exc, FactoryError) else f"{type(exc).__name__}: {exc}"
        return f"memory consolidation failed: {message}", message
    return (f"{len(report.merged)} merged, {len(report.superseded)} superseded, "
            f"{len(report.retired)} retired", None)


def run_nightly(repo: Path, config: Config, forge: TrackerForge, ledger: Ledger,
                retrier: Retrier, options: NightlyOptions | None = None,
                now: datetime | None = None) -> NightlyReport:
    options = options or NightlyOptions()
    now = now or utc_now()
    report = NightlyReport(now.date().isoformat())
    views = issue_views(forge, ledger, config.trigger_label)
    candidates, _ = select(views, now=now, stale_after=options.stale_after,
                           base_head=git_base_head(repo),
                           slice_minutes=config.limits.slice_minutes)
    for view in views:  # what Actions jobs spent, each in a ledger of its own
        if view.state is not None:
            absorb(ledger, view.state.spend, view.number)
    started = 0
    for candidate in candidates:
        record: dict[str, Any] = {"issue": candidate.view.number, "why": candidate.why}
        grant = allowance(candidate.view, config.budget, ledger, now)
        if grant.refused:
            record.update(action="skipped", outcome=grant.refused)
        elif started >= options.max_retries:
            record.update(action="skipped", outcome=f"nightly limit of {options.max_retries} "
                                                     "retries reached")
        else:
            started += 1
            result = retrier(candidate, grant)
            record.update(action=result.action, cost_usd=round(result.cost_usd, 6),
                          outcome=f"{result.phase}" + (f": {result.reason}" if result.reason
                                                       else ""))
        report.actions.append(record)
    if options.consolidate:
        report.memory, error = consolidate_memory(repo, config)
        if error:
            report.errors.append(f"memory: {error}")
    acted = {a["issue"] for a in report.actions if a["action"] != "skipped"}
    digest = collect(now.date(), issue_views(forge, ledger, config.trigger_label), forge, ledger,
                     repo, acted)
    digest.per_day_cap, digest.memory, digest.actions = (config.budget.per_day_usd,
                                                         report.memory, report.actions)
    report.digest_issue, report.digest_created = digest_issue.upsert(forge, digest)
    report.digest = digest.summary()
    return report
