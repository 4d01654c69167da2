"""The day's spend across Actions jobs lives in the digest's marker: counted once per job, kept
when nightly rewrites the digest, and read back for the daily cap."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipeline.forge.local import LocalForge
from pipeline.observe import day_spend, digest_issue
from pipeline.observe.digest import Digest

DAY = date(2026, 11, 25)


def test_spend_is_counted_once_per_job_and_survives_the_nightly_digest(tmp_path: Path) -> None:
    forge = LocalForge(tmp_path / "forge.db")

    assert day_spend.add(forge, DAY, 0.25, "job-a")
    assert not day_spend.add(forge, DAY, 0.25, "job-a")
    assert day_spend.add(forge, DAY, 0.5, "job-b")
    assert day_spend.spent(forge, DAY) == 0.75
    assert day_spend.spent(forge, date(2026, 11, 24)) == 0.0

    number, created = digest_issue.upsert(forge, Digest(day=DAY, actions=[
        {"issue": 1, "action": "retried", "why": "stopped", "outcome": "merged"}]))

    assert not created
    [issue] = forge.list_issues(["factory:digest"])
    assert issue.number == number and issue.title == "Factory digest 2026-11-25"
    assert day_spend.spent(forge, DAY) == 0.75
    assert day_spend.add(forge, DAY, 0.25, "job-c")
    assert day_spend.spent(forge, DAY) == 1.0
    assert digest_issue.earlier_actions(forge.list_issues(["factory:digest"])[0]) == [
        {"issue": 1, "action": "retried", "why": "stopped", "outcome": "merged"}]
