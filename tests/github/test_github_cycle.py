"""The API-call budget of one issue → PR cycle, and that re-running it converges."""

from __future__ import annotations

from doubles.fake_github import FakeGitHub
from doubles.github_cycle import issue_to_pr

from pipeline.forge import tracking
from pipeline.forge.github import GitHubForge

from .conftest import REPO

BUDGET = 40  # a 1,000 requests/hour GITHUB_TOKEN then carries 25+ issues an hour


def test_cycle_stays_within_the_call_budget(forge: GitHubForge, fake: FakeGitHub) -> None:
    pr = issue_to_pr(forge, fake, REPO)
    assert fake.total_calls <= BUDGET, dict(fake.calls)
    repo = fake.repos[REPO]
    assert [c.body.count("factory:state") for c in repo.comments.values()] == [1, 1]
    assert repo.issues[1].labels == ["factory", "factory:done"]
    assert len(repo.pulls) == 1 and repo.pulls[pr].draft
    assert len([r for r in repo.reviews.values() if r.body]) == 2


def test_rerunning_converges(forge: GitHubForge, fake: FakeGitHub) -> None:
    pr = issue_to_pr(forge, fake, REPO)
    again = GitHubForge(REPO, "t", fake.base_url, throttle=False)
    assert again.open_pr("factory/issue-1", "main", "Add a widget", "For #1").number == pr
    tracking.upsert(again, 1, "- [x] plan\n- [x] build\n- [x] review",
                    {"phase": "done", "cost": 0.4, "pr": pr})
    again.set_labels(1, add=["factory:done"], remove=["factory:review"])
    repo = fake.repos[REPO]
    assert len(repo.pulls) == 1 and len(repo.comments) == 2
    assert repo.issues[1].labels == ["factory", "factory:done"]
