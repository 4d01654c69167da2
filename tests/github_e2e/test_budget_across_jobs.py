"""Each Actions job starts with an empty ledger: the issue's cost so far comes from its tracking
state, so the per-issue cap holds across jobs, and a job that hits it stops cleanly."""

from __future__ import annotations

from doubles.fake_github import FakeGitHub
from doubles.stub_model import StubModelServer
from test_run_e2e import calc_scripts

from pipeline.demo.scripted import ScriptedModel, role_of
from pipeline.forge import tracking
from pipeline.forge.github import GitHubForge
from pipeline.steps.state import load, render_body

from .conftest import REPO, Actions


def test_the_issue_cap_counts_earlier_jobs_and_stops_cleanly(
        stub: StubModelServer, actions: Actions, fake: FakeGitHub, github: GitHubForge) -> None:
    stub.responder = ScriptedModel(dict(calc_scripts()))
    issue = fake.add_issue(REPO, "Add subtract and multiply", "to calc", ["factory"])
    actions.apply(actions.role("plan", issue))
    state = load(github, issue)
    assert state is not None
    state.cost_usd = 19.999  # earlier jobs spent almost all of per_issue_usd (20)
    tracking.upsert(github, issue, render_body(state), state.model_dump(mode="json"))
    asked_before = len(stub.requests)

    out = actions.role("build", issue)
    actions.apply(out)

    assert [role_of(r) for r in stub.requests[asked_before:]] == []
    stopped = load(github, issue)
    assert stopped is not None and stopped.phase == "stopped"
    assert "issue #1 cap of $20.00" in (stopped.reason or "")
    assert "factory:blocked" in github.get_issue(issue).labels
    assert actions.dispatched() == [("build", issue)]


def test_the_day_cap_counts_what_every_job_spent(
        stub: StubModelServer, actions: Actions, fake: FakeGitHub, github: GitHubForge) -> None:
    from factory_testlib import factory_yaml, git

    from pipeline.observe import day_spend, digest_issue

    stub.responder = ScriptedModel(dict(calc_scripts()))
    origin_clone = actions.checkout("config")
    (origin_clone / "factory.yaml").write_text(factory_yaml(auto_merge=True,
                                                            budget={"per_day_usd": 1.0}))
    git(origin_clone, "commit", "-qam", "a daily cap")
    git(origin_clone, "push", "-q", "origin", "HEAD:main")
    issue = fake.add_issue(REPO, "Add subtract and multiply", "to calc", ["factory"])

    plan_out = actions.role("plan", issue)
    actions.apply(plan_out)
    actions.apply(plan_out)  # a re-run writer counts the same job once
    planned = day_spend.spent(github, day_spend.today())
    assert planned > 0
    [digest] = github.list_issues(["factory:digest"])
    assert digest_issue.parse(digest.body)["spent_usd"] == planned  # type: ignore[index]

    # Other jobs spent the rest of the day's budget: the build job stops before any call.
    day_spend.add(github, day_spend.today(), 1.0, "another-job")
    asked_before = len(stub.requests)
    actions.apply(actions.role("build", issue))

    assert stub.requests[asked_before:] == []
    stopped = load(github, issue)
    assert stopped is not None and stopped.phase == "stopped"
    assert "UTC day cap of $1.00" in (stopped.reason or "")
