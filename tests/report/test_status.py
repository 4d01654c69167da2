"""`factory status` on a seeded forge and ledger: the dashboard, --json, and --watch."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from factory_testlib import git
from observe_testlib import hours_ago, now, seed_call, seed_issue

from pipeline.cli import main
from pipeline.forge.local import LocalForge
from pipeline.ledger.store import Ledger
from pipeline.steps.setup import prepare_factory_dir


def seeded(repo: Path) -> None:
    prepare_factory_dir(repo)
    forge, ledger = LocalForge(repo / ".factory" / "forge.db"), Ledger.for_repo(repo)
    head = git(repo, "rev-parse", "HEAD")
    done = seed_issue(forge, "Add subtract", "done", base_commit=head, task_status="passed", pr=9)
    stuck = seed_issue(forge, "Add multiply", "blocked", base_commit=head, task="D1",
                       task_status="blocked", reason="tasks blocked: D1 (tests fail)")
    seed_call(ledger, done.issue, at=hours_ago(30), cost=0.25, role="planner")
    seed_call(ledger, stuck.issue, at=now(), cost=0.5, model="openai/other")
    seed_call(ledger, stuck.issue, at=now(), cost=0.0, role="reviewer", ok=False,
              error="RateLimitError: slow down")


def test_json_has_issues_tasks_costs_and_failures(sample_repo: Path) -> None:
    seeded(sample_repo)

    result = CliRunner().invoke(main, ["status", "--repo", str(sample_repo), "--json"])

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(i["issue"], i["phase"]) for i in data["issues"]] == [(1, "done"), (2, "blocked")]
    assert data["issues"][1]["tasks"]["D1"]["status"] == "blocked"
    assert data["issues"][0]["cost_usd"] == 0.25
    costs = data["costs"]
    assert (costs["today_usd"], costs["total_usd"], costs["calls"]) == (0.5, 0.75, 3)
    assert costs["by_model"] == {"openai/other": 0.5, "openai/scripted": 0.25}
    kinds = [(f["kind"], f["issue"]) for f in data["failures"]]
    assert kinds == [("model call", 2), ("blocked", 2)]
    assert "RateLimitError" in data["failures"][0]["why"]


def test_dashboard_shows_phases_tasks_costs_and_failures(sample_repo: Path) -> None:
    seeded(sample_repo)

    result = CliRunner().invoke(main, ["status", "--repo", str(sample_repo)],
                                env={"COLUMNS": "160"})

    assert result.exit_code == 0, result.output
    for text in ("Add subtract", "done", "blocked", "D1 multiply", "today $0.5000",
                 "total $0.7500", "Recent failures", "RateLimitError", "openai/other"):
        assert text in result.output, text


def test_watch_refreshes_until_stopped(sample_repo: Path) -> None:
    seeded(sample_repo)

    result = CliRunner().invoke(main, ["status", "--repo", str(sample_repo), "--watch",
                                       "--interval", "0.1", "--refreshes", "2"])

    assert result.exit_code == 0, result.output
    assert "Add multiply" in result.output


def test_a_repository_without_runs(git_repo: Path) -> None:
    result = CliRunner().invoke(main, ["status", "--repo", str(git_repo)])
    assert result.exit_code == 0 and "No factory runs here yet" in result.output
    data = json.loads(CliRunner().invoke(main, ["status", "--repo", str(git_repo), "--json"]).output)
    assert data["issues"] == [] and data["costs"]["calls"] == 0
    assert git(git_repo, "status", "--porcelain", "--untracked-files=no") == ""
