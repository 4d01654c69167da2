"""`factory nightly` on the embedded forge with seeded history: what is retried, re-planned,
left alone and refused for budget, and the one digest issue per day."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from doubles.stub_model import StubModelServer
from factory_testlib import factory_yaml, git
from observe_testlib import finishing_scripts, hours_ago, now, seed_call, seed_issue, write_lessons

from pipeline.cli import main
from pipeline.demo.scripted import ScriptedModel, task_of
from pipeline.forge.local import LocalForge
from pipeline.ledger.store import Ledger, Scope
from pipeline.observe import digest_issue
from pipeline.steps.setup import prepare_factory_dir
from pipeline.steps.state import load

BUDGET = {"per_job_usd": 2.0, "per_issue_usd": 0.5, "per_day_usd": 3.0}


def configure(repo: Path, **budget: float) -> tuple[LocalForge, Ledger]:
    (repo / "factory.yaml").write_text(factory_yaml(budget={**BUDGET, **budget}))
    git(repo, "commit", "-qam", "budgets")
    prepare_factory_dir(repo)
    return LocalForge(repo / ".factory" / "forge.db"), Ledger.for_repo(repo)


def nightly(repo: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["nightly", "--repo", str(repo), "--json", *args])
    assert result.exit_code == 0, result.output
    parsed: dict[str, Any] = json.loads(result.output)
    return parsed


def digests(forge: LocalForge) -> list[int]:
    return [i.number for i in forge.list_issues(["factory:digest"])]


@pytest.mark.slow
def test_retries_stalled_replans_moved_and_leaves_the_rest(stub: StubModelServer,
                                                           sample_repo: Path) -> None:
    forge, ledger = configure(sample_repo)
    old_base = git(sample_repo, "rev-parse", "HEAD")
    budget_stop = "budget spent: the run cap of $2.00 is reached — continue with `factory run --resume`"
    stalled = seed_issue(forge, "stalled on budget", "stopped", base_commit=old_base,
                         reason=budget_stop, cost=0.05)
    seed_call(ledger, stalled.issue, at=hours_ago(5), cost=0.05)
    spent = seed_issue(forge, "issue over its cap", "stopped", base_commit=old_base,
                       reason=budget_stop, cost=0.6)
    seed_call(ledger, spent.issue, at=hours_ago(6), cost=0.6)
    fresh = seed_issue(forge, "stopped minutes ago", "stopped", base_commit=old_base,
                       reason="interrupted — continue with `factory run --resume`")
    seed_call(ledger, fresh.issue, at=hours_ago(0.1), cost=0.01)
    moved = seed_issue(forge, "blocked on an old base", "blocked", base_commit=old_base,
                       reason="merging factory/issue-4 into main conflicts: merge it yourself")
    seed_call(ledger, moved.issue, at=hours_ago(8), cost=0.02, role="planner")
    (sample_repo / "NOTES.md").write_text("main moved on\n")
    git(sample_repo, "add", "NOTES.md")
    git(sample_repo, "commit", "-qm", "main moves")
    unchanged = seed_issue(forge, "blocked, nothing new", "blocked",
                           base_commit=git(sample_repo, "rev-parse", "HEAD"),
                           reason="tasks blocked: A1 (after 2 round(s): tests fail)")
    done = seed_issue(forge, "finished", "done", base_commit=old_base, task_status="passed")
    before = {s.issue: forge.comments(s.issue)[0].body for s in (spent, fresh, unchanged, done)}
    stub.responder = ScriptedModel(finishing_scripts())

    report = nightly(sample_repo)

    actions = {a["issue"]: a for a in report["actions"]}
    assert set(actions) == {stalled.issue, spent.issue, moved.issue}
    assert actions[stalled.issue]["action"] == "retried"
    assert actions[stalled.issue]["outcome"] == "done"
    assert actions[moved.issue]["action"] == "replanned"
    assert "base branch main moved" in actions[moved.issue]["why"]
    assert actions[spent.issue]["action"] == "skipped"
    assert "over its budget" in actions[spent.issue]["outcome"]
    # Nothing over budget, too fresh or unchanged was touched: no calls, same tracking comment.
    assert {task_of(r) for r in stub.requests} <= {"A1", "D1", None}
    seeded_calls = {spent.issue: 1, fresh.issue: 1, unchanged.issue: 0, done.issue: 0}
    for issue, calls in seeded_calls.items():
        assert ledger.totals(Scope(issue=issue)).calls == calls
        assert forge.comments(issue)[0].body == before[issue]
    replanned = load(forge, moved.issue)
    assert replanned is not None and replanned.phase == "done"
    assert list(replanned.tasks) == ["D1"]
    assert (sample_repo / "calc" / "subtract.py").exists()
    assert (sample_repo / "calc" / "multiply.py").exists()

    assert digests(forge) == [report["digest_issue"]] and report["digest_created"]
    body = forge.get_issue(report["digest_issue"]).body
    assert body.count("```mermaid") >= 3
    assert "over its budget" in body and "blocked, nothing new" in body
    assert report["digest"]["merged"] == [stalled.issue, moved.issue]


def test_digest_is_created_once_and_updated_in_place(stub: StubModelServer,
                                                     sample_repo: Path) -> None:
    forge, ledger = configure(sample_repo)
    write_lessons(sample_repo, now().isoformat())
    git(sample_repo, "add", "-f", ".factory/lessons.jsonl")
    git(sample_repo, "commit", "-qm", "a lesson")
    head = git(sample_repo, "rev-parse", "HEAD")
    blocked = seed_issue(forge, "blocked, nothing new", "blocked", base_commit=head,
                         reason="tasks blocked: A1")
    seed_call(ledger, blocked.issue, at=now(), cost=0.03, role="planner")

    first = nightly(sample_repo, "--no-consolidate")
    seed_call(ledger, blocked.issue, at=now(), cost=0.07, role="evaluator", model="openai/other")
    second = nightly(sample_repo, "--no-consolidate")

    assert first["digest_created"] and not second["digest_created"]
    assert digests(forge) == [first["digest_issue"]] == [second["digest_issue"]]
    body = forge.get_issue(first["digest_issue"]).body
    assert "$0.1000" in body and "openai/other" in body
    assert second["digest"]["lessons_added"] and "give it its own module" in body
    assert digest_issue.parse(body) == {"day": now().date().isoformat(), "actions": []}
    assert stub.requests == []


def test_nothing_is_retried_once_the_day_is_spent(stub: StubModelServer,
                                                  sample_repo: Path) -> None:
    forge, ledger = configure(sample_repo, per_day_usd=0.1)
    head = git(sample_repo, "rev-parse", "HEAD")
    stalled = seed_issue(forge, "stalled on budget", "stopped", base_commit=head,
                         reason="budget spent")
    seed_call(ledger, stalled.issue, at=hours_ago(5), cost=0.01)
    seed_call(ledger, None, at=now(), cost=0.1, role="learner")

    report = nightly(sample_repo, "--no-consolidate")

    assert [a["action"] for a in report["actions"]] == ["skipped"]
    assert "daily budget spent" in report["actions"][0]["outcome"]
    assert stub.requests == []
    state = load(forge, stalled.issue)
    assert state is not None and state.phase == "stopped"
    assert "daily budget spent" in forge.get_issue(report["digest_issue"]).body


def test_consolidation_runs_or_says_why_not(sample_repo: Path) -> None:
    configure(sample_repo)
    assert nightly(sample_repo)["memory"] == "no lessons yet"
    write_lessons(sample_repo, "2026-01-01T00:00:00+00:00")
    git(sample_repo, "add", "-f", ".factory/lessons.jsonl")
    git(sample_repo, "commit", "-qm", "a lesson")
    assert nightly(sample_repo)["memory"] == "0 merged, 0 superseded, 0 retired"


def test_a_checkout_that_cannot_merge_is_left_untouched(stub: StubModelServer,
                                                        sample_repo: Path) -> None:
    forge, _ = configure(sample_repo)
    old_base = git(sample_repo, "rev-parse", "HEAD")
    moved = seed_issue(forge, "blocked on an old base", "blocked", base_commit=old_base,
                       reason="merge conflict")
    git(sample_repo, "commit", "-q", "--allow-empty", "-m", "main moves")
    (sample_repo / "calc" / "ops.py").write_text("# work in progress\n")
    before = forge.comments(moved.issue)[0].body

    report = nightly(sample_repo, "--no-consolidate")

    assert [(a["action"], a["outcome"]) for a in report["actions"]] == [
        ("failed", f"blocked: {sample_repo} has uncommitted changes: nothing was retried")]
    assert forge.comments(moved.issue)[0].body == before and stub.requests == []
