"""The GitHub API calls one issue costs, counted on the workflow's real jobs (the figure, by
endpoint, is printed by bench/github_bench.py)."""

from __future__ import annotations

from doubles.actions import Actions, by_endpoint
from doubles.fake_github import FakeGitHub
from doubles.stub_model import StubModelServer

from pipeline.forge.github import GitHubForge
from pipeline.steps.state import load

from .conftest import REPO
from .scenario import one_task_issue

BUDGET = 40
"""A 1,000 requests an hour GITHUB_TOKEN then carries 25 issues an hour."""


def test_a_one_task_issue_is_merged_within_the_call_budget(
        stub: StubModelServer, actions: Actions, fake: FakeGitHub, github: GitHubForge) -> None:
    jobs = one_task_issue(actions, fake, stub, REPO)

    names = [job.name for job in jobs]
    roles = [n for n in names if n not in ("detect", "apply") and not n.startswith("review[")]
    assert {"plan", "build", "panel", "evaluate"} <= set(roles)
    assert names.count("detect") == names.count("apply") == len(roles)
    [pr] = github.list_prs("all")
    assert pr.merged and not pr.draft
    issue = github.get_issue(1)
    assert issue.state == "closed" and set(issue.labels) == {"factory", "factory:done"}
    state = load(github, 1)
    assert state is not None and state.phase == "done"
    calls = sum(job.total for job in jobs)
    assert calls <= BUDGET, f"{calls} API calls: {dict(by_endpoint(jobs))}"
