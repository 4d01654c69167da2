"""The factory's real jobs against a GitHub that refuses what GitHub refuses: no PR before its
branch has a commit, no review comment off the diff, no merge of a conflicting, protected or
draft PR. Each time the factory copes, and says what happened where a person looks."""

from __future__ import annotations

import json

from doubles.actions import Actions
from doubles.fake_github import FakeGitHub
from doubles.stub_model import StubModelServer, call
from factory_testlib import git

from pipeline.demo.scripted import ScriptedModel
from pipeline.forge.github import GitHubForge
from pipeline.steps.state import load

from .conftest import REPO
from .scenario import labelled, one_task_scripts

FINDINGS = [
    {"path": "calc/subtract.py", "line": 2, "severity": "minor", "title": "Name the result",
     "body": "return a - b is fine, but a name would read better."},
    {"path": "calc/ops.py", "line": 1, "severity": "minor", "title": "add() is untested",
     "body": "ops.py has no test of its own; this PR does not touch it."}]


def built(actions: Actions, fake: FakeGitHub, stub: StubModelServer,
          scripts: dict[tuple[object, ...], list[object]] | None = None) -> int:
    """A one-task issue planned and built: its PR number (the run stops before review)."""
    stub.responder = ScriptedModel(dict(scripts or one_task_scripts()))  # type: ignore[arg-type]
    issue = fake.add_issue(REPO, "Add subtract", "subtract(a, b) in calc", ["factory"])
    actions.follow("issues", labelled(issue), until=("review",))
    return 2


def test_a_build_that_commits_nothing_opens_no_pr_and_records_its_stop(
        stub: StubModelServer, actions: Actions, fake: FakeGitHub, github: GitHubForge) -> None:
    scripts = one_task_scripts()
    scripts[("generator", "T1")] = [call("finish", summary="nothing to do")]
    stub.responder = ScriptedModel(dict(scripts))
    issue = fake.add_issue(REPO, "Add subtract", "subtract(a, b) in calc", ["factory"])

    jobs = actions.follow("issues", labelled(issue))

    assert [job.name for job in jobs] == ["plan", "detect", "apply", "build", "detect", "apply"]
    assert github.list_prs("all") == []
    state = load(github, issue)
    assert state is not None and state.phase == "blocked" and state.pr is None
    assert "without changing any file" in (state.reason or "")
    assert set(github.get_issue(issue).labels) == {"factory", "factory:blocked"}


def test_findings_off_the_diff_go_into_the_review_body(
        stub: StubModelServer, actions: Actions, fake: FakeGitHub, github: GitHubForge) -> None:
    scripts = one_task_scripts()
    scripts[("reviewer", "PR2")] = [call("submit_review", verdict="approve", findings=FINDINGS)]
    pr = built(actions, fake, stub, scripts)
    # A person adds a commit: the PR no longer shows only the task the panel approved.
    person = actions.checkout("person")
    git(person, "checkout", "-q", "factory/issue-1")
    (person / "NOTES.md").write_text("subtract is new\n")
    git(person, "add", "-A")
    git(person, "commit", "-qm", "notes")
    git(person, "push", "-q", "origin", "factory/issue-1")

    reviewer = actions.role("review", pr, env={"FACTORY_REVIEWER": "0"})
    actions.apply(actions.role("review", pr, extra=("--panel", str(reviewer.parent))))

    [review] = [r for r in github.reviews(pr) if "Review panel on pr" in r.body]
    assert [(c.path, c.line) for c in review.comments] == [("calc/subtract.py", 2)]
    assert "Not on a line of the PR's diff" in review.body
    assert "`calc/ops.py:1` add() is untested: ops.py has no test of its own" in review.body
    assert actions.dispatched()[-1] == ("evaluate", pr)


def test_a_conflict_with_main_blocks_the_issue_with_the_files(
        stub: StubModelServer, actions: Actions, fake: FakeGitHub, github: GitHubForge) -> None:
    pr = built(actions, fake, stub)
    person = actions.checkout("person")
    (person / "calc" / "subtract.py").write_text("def subtract(a, b):\n    return b - a\n")
    git(person, "add", "-A")
    git(person, "commit", "-qm", "someone else's subtract")
    git(person, "push", "-q", "origin", "main")

    actions.apply(actions.role("evaluate", pr))

    state = load(github, 1)
    assert state is not None and state.phase == "blocked"
    assert "conflicts with main (in calc/subtract.py)" in (state.reason or "")
    assert "factory:blocked" in github.get_issue(1).labels
    assert not github.get_pr(pr).merged


def test_a_merge_github_refuses_blocks_the_issue_with_githubs_reason(
        stub: StubModelServer, actions: Actions, fake: FakeGitHub, github: GitHubForge) -> None:
    pr = built(actions, fake, stub)
    fake.protect(REPO, "main", ["ci"])

    out = actions.role("evaluate", pr)
    assert [op["op"] for op in actions.outputs(out)["ops"]].count("merge") == 1
    actions.apply(out)

    state = load(github, 1)
    assert state is not None and state.phase == "blocked"
    assert 'GitHub would not merge #2: ' in (state.reason or "")
    assert 'Required status check "ci" is expected.' in (state.reason or "")
    issue = github.get_issue(1)
    assert issue.state == "open" and "factory:blocked" in issue.labels
    assert "factory:done" not in issue.labels
    assert not github.get_pr(pr).merged
    assert ("learn", pr) not in actions.dispatched()
    pr_state = json.dumps([c.body for c in github.comments(pr) if "factory:state" in c.body])
    assert "blocked" in pr_state
