"""Nightly against the fake GitHub: stalled issues are requeued for the role jobs, moved ones
re-planned, budget-capped ones left exactly as they were; the digest issue is made once a day."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from browser_testlib import needs_browser, render_mermaid
from click.testing import CliRunner
from doubles.fake_github import FakeGitHub
from factory_testlib import factory_yaml, git
from observe_testlib import hours_ago, now, seed_call, seed_issue

from pipeline.actions.requeue import Requeue
from pipeline.cli import main
from pipeline.config import settings as config_module
from pipeline.forge.github import GitHubForge
from pipeline.forge.select import on_github, open_forge
from pipeline.ledger.store import Ledger
from pipeline.nightly.run import NightlyOptions, run_nightly
from pipeline.steps.setup import prepare_factory_dir
from pipeline.steps.state import load, save

from .conftest import REPO


def test_requeues_replans_and_keeps_one_digest(fake: FakeGitHub, github: GitHubForge,
                                               git_repo: Path) -> None:
    (git_repo / "factory.yaml").write_text(factory_yaml(budget={"per_issue_usd": 0.5}))
    git(git_repo, "add", "factory.yaml")
    git(git_repo, "commit", "-qm", "config")
    old_base = git(git_repo, "rev-parse", "HEAD~1")
    head = git(git_repo, "rev-parse", "HEAD")
    prepare_factory_dir(git_repo)
    ledger = Ledger.for_repo(git_repo)
    stalled = seed_issue(github, "stalled on a model outage", "stopped", base_commit=head,
                         reason="no model answered for generator", cost=0.02)
    seed_call(ledger, stalled.issue, at=hours_ago(4), cost=0.02)
    capped = seed_issue(github, "over its cap", "stopped", base_commit=head,
                        reason="budget spent: the issue #2 cap", cost=0.7)
    moved = seed_issue(github, "blocked on an old base", "blocked", base_commit=old_base,
                       reason="tasks blocked: A1 (merge conflict with other tasks)")
    seed_call(ledger, moved.issue, at=now(), cost=0.04, role="reviewer", model="openai/judge")
    capped_comment = github.comments(capped.issue)[0].body
    config = config_module.load(git_repo)
    day = now().date().isoformat()

    first = run_nightly(git_repo, config, github, ledger, Requeue(github, day, start_on(github)))

    by_issue = {a["issue"]: a["action"] for a in first.actions}
    assert by_issue == {stalled.issue: "requeued", capped.issue: "skipped",
                        moved.issue: "replan-queued"}
    requeued = github.get_issue(stalled.issue)
    assert "factory:building" in requeued.labels and "factory:blocked" not in requeued.labels
    state = load(github, stalled.issue)
    assert state is not None and state.phase == "building" and "requeued" in (state.reason or "")
    assert github.get_issue(capped.issue).labels == ("factory", "factory:blocked")
    assert github.comments(capped.issue)[0].body == capped_comment
    replanned = load(github, moved.issue)
    assert replanned is not None and replanned.plan is None and replanned.base_commit == head
    assert "factory:planning" in github.get_issue(moved.issue).labels
    assert len(github.comments(moved.issue)) == 1
    assert first.digest_created and first.memory == "no lessons yet"
    assert fake.dispatches == [
        (REPO, "factory.yml", "main", {"command": "build", "number": str(stalled.issue)}),
        (REPO, "factory.yml", "main", {"command": "plan", "number": str(moved.issue)})]

    seed_call(ledger, None, at=now(), cost=0.05, role="learner")
    second = run_nightly(git_repo, config, github, ledger, Requeue(github, day))

    digests = github.list_issues(["factory:digest"], state="all")
    assert [d.number for d in digests] == [first.digest_issue] == [second.digest_issue]
    assert not second.digest_created and fake.calls["PATCH /repos/{owner}/{repo}/issues/{issue_number}"] == 1
    body = digests[0].body
    assert "learner" in body and "openai/judge" in body and "replan-queued" in body
    assert "factory" not in digests[0].labels


def start_on(github: GitHubForge) -> Callable[[str, int], None]:
    def start(command: str, number: int) -> None:
        github.dispatch_workflow("factory.yml", "main", {"command": command,
                                                         "number": str(number)})
    return start


def test_a_refused_dispatch_leaves_the_issue_requeued(fake: FakeGitHub, github: GitHubForge,
                                                      git_repo: Path) -> None:
    prepare_factory_dir(git_repo)
    stalled = seed_issue(github, "stalled", "stopped", base_commit="0" * 40,
                         reason="interrupted")
    fake.inject("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
                status=403, message="Resource not accessible by integration")

    report = run_nightly(git_repo, config_module.load(git_repo), github,
                         Ledger.for_repo(git_repo), Requeue(github, "today", start_on(github)),
                         NightlyOptions(consolidate=False))

    assert [a["action"] for a in report.actions] == ["requeued"]
    assert "could not start the build job" in report.actions[0]["outcome"]
    assert "factory:building" in github.get_issue(stalled.issue).labels


def test_open_forge_follows_the_actions_variables(tmp_path: Path, fake: FakeGitHub) -> None:
    env = {"GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": "t", "GITHUB_API_URL": fake.base_url}
    assert on_github(env) and isinstance(open_forge(tmp_path, env), GitHubForge)
    assert not on_github({"GITHUB_REPOSITORY": REPO})
    assert type(open_forge(tmp_path, {})).__name__ == "LocalForge"


def test_the_command_uses_github_when_actions_says_so(fake: FakeGitHub, git_repo: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": "test-token",
                        "GITHUB_API_URL": fake.base_url}.items():
        monkeypatch.setenv(name, value)

    result = CliRunner().invoke(main, ["nightly", "--repo", str(git_repo), "--json"])

    assert result.exit_code == 0, result.output
    number = json.loads(result.output)["digest_issue"]
    issue = fake.repos[REPO].issues[number]
    assert issue.labels == ["factory:digest"] and issue.body.count("```mermaid") == 1
    assert "Nothing to retry or re-plan." in issue.body


@needs_browser
def test_the_posted_digest_charts_render(fake: FakeGitHub, github: GitHubForge, git_repo: Path,
                                         tmp_path: Path) -> None:
    prepare_factory_dir(git_repo)
    ledger = Ledger.for_repo(git_repo)
    for days, role, model, cost in ((0, "planner", "anthropic/claude-sonnet-4-5", 0.4),
                                    (0, "reviewer", "gemini/gemini-2.5-pro", 0.1),
                                    (0, "generator", "ollama/qwen2.5-coder:7b", 0.0004),
                                    (3, "evaluator", "openai/gpt-5", 1.2)):
        seed_call(ledger, None, at=now() - timedelta(days=days), cost=cost, role=role,
                  model=model)
    config = config_module.load(git_repo)

    report = run_nightly(git_repo, config, github, ledger, Requeue(github, "today"))

    body = github.get_issue(report.digest_issue or 0).body
    charts = re.findall(r"```mermaid\n(.*?)\n```", body, re.DOTALL)
    assert len(charts) == 3
    assert [r["error"] for r in render_mermaid(charts, tmp_path)] == [None, None, None]


def test_a_job_that_died_unrecorded_is_found_by_its_heartbeat(
        fake: FakeGitHub, github: GitHubForge, git_repo: Path) -> None:
    """A killed build job (runner timeout, cancelled) and a plan whose build never started
    record no stop: their heartbeat, older than a slice, is what nightly goes by."""
    head = git(git_repo, "rev-parse", "HEAD")
    prepare_factory_dir(git_repo)
    ledger = Ledger.for_repo(git_repo)
    seeded = {}
    for title, phase, silent in (("killed mid-build", "building", timedelta(hours=2)),
                                 ("build never started", "planning", timedelta(hours=3)),
                                 ("building right now", "building", timedelta(minutes=20))):
        state = seed_issue(github, title, phase, base_commit=head)  # type: ignore[arg-type]
        state.heartbeat = (now() - silent).isoformat(timespec="seconds")
        save(github, state)
        seeded[title] = state.issue
    config = config_module.load(git_repo)

    report = run_nightly(git_repo, config, github, ledger,
                         Requeue(github, now().date().isoformat(), start_on(github)))

    acted = {a["issue"]: (a["action"], a["why"]) for a in report.actions}
    assert set(acted) == {seeded["killed mid-build"], seeded["build never started"]}
    action, why = acted[seeded["killed mid-build"]]
    assert action == "requeued" and why.startswith("no sign of life for 2 h while building")
    assert sorted(inputs["number"] for *_, inputs in fake.dispatches) == sorted(
        str(seeded[title]) for title in ("killed mid-build", "build never started"))
    assert {inputs["command"] for *_, inputs in fake.dispatches} == {"build"}
    again = run_nightly(git_repo, config, github, ledger,
                        Requeue(github, now().date().isoformat(), start_on(github)))
    assert [a for a in again.actions if a["action"] != "skipped"] == [], \
        "a requeue is a sign of life: the next nightly waits a slice again"
