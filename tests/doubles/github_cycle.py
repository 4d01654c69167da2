"""A scripted issue → PR cycle through GitHubForge: the GitHub side of every job, no model.

Used by the API-call budget test and bench/github_bench.py, so both count the same thing.
"""

from __future__ import annotations

from doubles.fake_github import FakeGitHub
from pipeline.forge import tracking
from pipeline.forge.github import GitHubForge
from pipeline.forge.types import InlineComment, phase_label


def issue_to_pr(forge: GitHubForge, fake: FakeGitHub, repo: str, reviewers: int = 2) -> int:
    """Run one cycle on a fresh issue a person opened (set up directly, not counted)."""
    issue = fake.add_issue(repo, "Add a widget", "It should spin.", ["factory"], "octocat")

    # plan
    forge.get_issue(issue)
    forge.set_labels(issue, add=[phase_label("planning")])
    tracking.upsert(forge, issue, "- [ ] plan", {"phase": "planning"})
    tracking.upsert(forge, issue, "- [x] plan\n- [ ] build", {"phase": "building", "cost": 0.1})
    forge.set_labels(issue, add=[phase_label("building")], remove=[phase_label("planning")])

    # build: the branch is pushed with git, then the PR is opened
    branch = f"factory/issue-{issue}"
    fake.push(repo, branch)
    pr = forge.open_pr(branch, "main", "Add a widget", f"For #{issue}", draft=True)
    tracking.upsert(forge, pr.number, "- [ ] review", {"phase": "review", "issue": issue})
    forge.set_labels(issue, add=[phase_label("review")], remove=[phase_label("building")])

    # review panel, evaluation, response
    assert pr.head_sha
    forge.set_status(pr.head_sha, "pending", "factory/evaluate", "evaluating")
    for i in range(reviewers):
        forge.post_review(pr.number, pr.head_sha, f"Reviewer {i}", "changes",
                          [InlineComment("widget.py", 3 + i, "handle the empty case")])
    findings = forge.reviews(pr.number)
    forge.set_status(pr.head_sha, "success", "factory/evaluate", "all criteria met")
    for comment in forge.review_comments(pr.number):
        if comment.in_reply_to is None:
            forge.reply_to_review_comment(pr.number, comment.id, "Fixed.")
    assert len(findings) == reviewers
    tracking.upsert(forge, pr.number, "- [x] review", {"phase": "done", "issue": issue})
    tracking.upsert(forge, issue, "- [x] plan\n- [x] build\n- [x] review",
                    {"phase": "done", "cost": 0.4, "pr": pr.number})
    forge.set_labels(issue, add=[phase_label("done")], remove=[phase_label("review")])
    return pr.number
