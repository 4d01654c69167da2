"""Each Actions job starts with an empty ledger: the issue's cost so far comes from its tracking
state, so the per-issue cap holds across jobs, and a job that hits it stops cleanly."""

from __future__ import annotations

from test_run_e2e import calc_scripts

from pipeline.forge import tracking
from pipeline.forge.github import GitHubForge
from pipeline.state import load, render_body
from pipeline.testing.fake_github import FakeGitHub
from pipeline.testing.scripted import ScriptedModel, role_of
from pipeline.testing.stub_model import StubModelServer

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
