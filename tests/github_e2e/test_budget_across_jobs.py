"""Each Actions job starts with an empty ledger. What every job spent is kept, by the writer, in
its issue's tracking state (rows per day, role and model, keyed by the job's run id); the next
jobs and nightly absorb those rows into their own ledger. So the per-issue and per-day caps hold
across jobs, and the nightly digest's figures are the sum of what the jobs spent."""

from __future__ import annotations

import json
from pathlib import Path

from doubles.actions import Actions
from doubles.fake_github import FakeGitHub
from doubles.stub_model import StubModelServer, call
from factory_testlib import factory_yaml, git
from test_run_e2e import calc_scripts

from pipeline.demo.scripted import ScriptedModel, role_of
from pipeline.forge import tracking
from pipeline.forge.github import GitHubForge
from pipeline.ledger.store import Ledger, Totals, utc_now
from pipeline.steps.state import load, render_body

from .conftest import REPO
from .scenario import one_task_issue


def spent(github: GitHubForge, issue: int, source: str, cost: float) -> None:
    """What another job spent on issue today, kept as the writer keeps it."""
    state = load(github, issue)
    assert state is not None
    row = [utc_now().date().isoformat(), "generator", "openai/scripted", 3, 0, 1000, 0, 500, cost]
    state.spend[source] = [row]
    tracking.upsert(github, issue, render_body(state), state.model_dump(mode="json"))


def test_the_issue_cap_counts_earlier_jobs_and_stops_cleanly(
        stub: StubModelServer, actions: Actions, fake: FakeGitHub, github: GitHubForge) -> None:
    stub.responder = ScriptedModel(dict(calc_scripts()))
    issue = fake.add_issue(REPO, "Add subtract and multiply", "to calc", ["factory"])
    actions.apply(actions.role("plan", issue))
    spent(github, issue, "build-earlier", 19.999)  # almost all of per_issue_usd (20)
    asked_before = len(stub.requests)

    out = actions.role("build", issue)
    actions.apply(out)

    assert [role_of(r) for r in stub.requests[asked_before:]] == []
    stopped = load(github, issue)
    assert stopped is not None and stopped.phase == "stopped"
    assert "issue #1 cap of $20.00" in (stopped.reason or "")
    assert "factory:blocked" in github.get_issue(issue).labels
    assert actions.dispatched() == [("build", issue)]


def test_the_day_cap_counts_what_every_job_on_every_issue_spent(
        stub: StubModelServer, actions: Actions, fake: FakeGitHub, github: GitHubForge) -> None:
    stub.responder = ScriptedModel(dict(calc_scripts()))
    origin_clone = actions.checkout("config")
    (origin_clone / "factory.yaml").write_text(factory_yaml(auto_merge=True,
                                                            budget={"per_day_usd": 1.0}))
    git(origin_clone, "commit", "-qam", "a daily cap")
    git(origin_clone, "push", "-q", "origin", "HEAD:main")
    issue = fake.add_issue(REPO, "Add subtract and multiply", "to calc", ["factory"])
    other = fake.add_issue(REPO, "Something else", "elsewhere", ["factory"])

    plan_out = actions.role("plan", issue)
    actions.apply(plan_out)
    actions.apply(plan_out)  # a re-run writer keeps the same job's spend once
    kept = load(github, issue)
    assert kept is not None and list(kept.spend) == list(actions.outputs(plan_out)["spend"])
    [rows] = kept.spend.values()
    assert [row[1] for row in rows] == ["planner"] and rows[0][8] > 0

    # Another issue's jobs spent the rest of the day's budget: the build stops before any call.
    actions.apply(actions.role("plan", other))
    spent(github, other, "build-elsewhere", 1.0)
    asked_before = len(stub.requests)
    actions.apply(actions.role("build", issue))

    assert stub.requests[asked_before:] == []
    stopped = load(github, issue)
    assert stopped is not None and stopped.phase == "stopped"
    assert "UTC day cap of $1.00" in (stopped.reason or "")


def what_jobs_spent(root: Path) -> list[Totals]:
    """What each role job spent, from the ledger it left in its checkout. A job's ledger also
    holds the earlier jobs' spend it absorbed: each run is counted once, where it first shows,
    which is the ledger of the job that made it (checkouts are numbered in order)."""
    seen: set[str] = set()
    spent: list[Totals] = []
    for path in sorted((root / "runs").glob("*/.factory/ledger.db")):
        ledger = Ledger(path)
        runs = {call.run_id for call in ledger.calls()}
        spent += [ledger.run_totals(run) for run in sorted(runs - seen)]
        seen |= runs
    return spent


def test_the_digest_is_the_sum_of_what_the_jobs_spent(
        stub: StubModelServer, actions: Actions, fake: FakeGitHub, github: GitHubForge,
        tmp_path: Path) -> None:
    jobs = one_task_issue(actions, fake, stub, REPO)
    assert len([job for job in jobs if job.name != "apply"]) >= 4
    spent = what_jobs_spent(tmp_path)
    total, calls = sum(t.cost_usd for t in spent), sum(t.calls for t in spent)
    assert total > 0 and len(spent) >= 3

    result = actions.invoke("nightly", "--json", "--no-consolidate",
                            "--repo", str(actions.checkout("nightly")))

    assert result.exit_code == 0, result.output
    digest = json.loads(result.output)["digest"]
    assert abs(digest["cost_usd"] - total) < 1e-6  # the digest rounds to six places
    assert set(digest["cost_by_role"]) == {"planner", "generator", "reviewer", "evaluator"}
    assert abs(sum(digest["cost_by_role"].values()) - total) < 1e-5
    [issue] = github.list_issues(["factory:digest"])
    assert f"on {calls} model call(s)" in issue.body


def test_the_spend_of_the_review_matrix_reaches_the_issue(
        stub: StubModelServer, actions: Actions, fake: FakeGitHub, github: GitHubForge) -> None:
    """The reviewer jobs have no writer of their own: the panel job's outputs carry them."""
    from .test_strict_github import built

    pr = built(actions, fake, stub)
    person = actions.checkout("person")  # a commit of a person's: the PR is reviewed afresh
    git(person, "checkout", "-q", "factory/issue-1")
    (person / "NOTES.md").write_text("notes\n")
    git(person, "add", "-A")
    git(person, "commit", "-qm", "notes")
    git(person, "push", "-q", "origin", "factory/issue-1")
    before = load(github, 1)
    assert before is not None

    reviewer = actions.role("review", pr, env={"FACTORY_REVIEWER": "0"})
    panel_out = actions.role("review", pr, extra=("--panel", str(reviewer.parent)))
    actions.apply(panel_out)

    after = load(github, 1)
    assert after is not None
    assert set(before.spend) < set(after.spend)
    [new] = set(after.spend) - set(before.spend)
    assert new.startswith("review-") and new in actions.outputs(panel_out)["spend"]
    assert [row[1] for row in after.spend[new]] == ["reviewer"]


def test_the_detection_models_spend_reaches_the_issue(
        actions: Actions, github: GitHubForge, stub: StubModelServer, fake: FakeGitHub) -> None:
    """The detect job has no writer either: its verdict carries what its model spent."""
    from .test_detection import PLANTS, apply, configure, detect, role_outputs

    configure(actions, detection="model")
    stub.responder = ScriptedModel({("detector",): [call("submit_verdict", verdict="clean")]})
    issue = fake.add_issue(REPO, "Add stats", "mean(xs)", ["factory"])
    tracking.upsert(github, issue, "### Dark Factory", {"issue": issue})
    out = role_outputs(actions, issue, PLANTS["model"])

    verdict = detect(actions, out, {"OPENAI_API_KEY": "sk-test-not-a-real-key"})
    assert apply(actions, out, verdict)[0] == 0

    spend = (tracking.read_state(github, issue) or {}).get("spend") or {}
    [(source, rows)] = spend.items()
    assert source.startswith("detect-") and [row[1] for row in rows] == ["detector"]
    assert rows[0][8] > 0
