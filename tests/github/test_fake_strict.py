"""The fake GitHub refuses what GitHub refuses, computed from the git objects behind it: a pull
request without commits, review comments off the diff or at a commit not in the pull request,
merges of drafts, conflicts and unchecked protected branches; and it answers `mergeable: null`
while it computes, then `clean`, `dirty` or `blocked`. (How the factory copes is tested with
the factory: tests/github/test_github_forge.py, tests/github_e2e/.)"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from doubles.fake_github import FakeGitHub, gitstore

from .conftest import REPO

FORTY = "".join(f"line {i}\n" for i in range(1, 41))


def call(fake: FakeGitHub, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{fake.base_url}{path}", data=data, method=method,
                                     headers={"Authorization": "token t"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def open_pr(fake: FakeGitHub, head: str, **extra: Any) -> dict[str, Any]:
    status, pull = call(fake, "POST", f"/repos/{REPO}/pulls",
                        {"title": "t", "head": head, "base": "main", **extra})
    assert status == 201, pull
    return dict(pull)


def changed_line(fake: FakeGitHub, head: str = "factory/issue-1") -> dict[str, Any]:
    """A PR changing line 20 of a 40-line file."""
    fake.push(REPO, "main", {"app.py": FORTY})
    fake.push(REPO, head, {"app.py": FORTY.replace("line 20\n", "changed\n")})
    return open_pr(fake, head)


def test_no_pull_request_without_commits(fake: FakeGitHub) -> None:
    fake.push(REPO, "factory/issue-1", sha=fake.repos[REPO].refs["main"])

    status, body = call(fake, "POST", f"/repos/{REPO}/pulls",
                        {"title": "t", "head": "factory/issue-1", "base": "main"})

    assert status == 422 and body["message"] == "Validation Failed"
    assert body["errors"][0]["message"] == "No commits between main and factory/issue-1"
    assert fake.repos[REPO].pulls == {}
    fake.push(REPO, "factory/issue-1")
    assert open_pr(fake, "factory/issue-1")["commits"] >= 1


def test_a_review_with_one_comment_off_the_diff_is_refused_whole(fake: FakeGitHub) -> None:
    pull = changed_line(fake)
    reviews = f"/repos/{REPO}/pulls/{pull['number']}/reviews"

    def review(*comments: dict[str, Any], commit: str | None = None) -> tuple[int, Any]:
        body: dict[str, Any] = {"body": "b", "event": "COMMENT", "comments": list(comments)}
        if commit:
            body["commit_id"] = commit
        return call(fake, "POST", reviews, body)

    on = {"path": "app.py", "line": 20, "side": "RIGHT", "body": "here"}
    assert review(on, {"path": "app.py", "line": 2, "side": "RIGHT", "body": "far"}) == (
        422, {"message": "Unprocessable Entity", "documentation_url": "https://docs.github.com/rest",
              "errors": ["pull_request_review_thread.line must be part of the diff"]})
    assert review({"path": "other.py", "line": 1, "body": "x"})[1]["errors"] == [
        "Path could not be resolved"]
    main = fake.repos[REPO].refs["main"]
    assert review(on, commit=main)[1]["errors"] == ["The commitOID is not part of the pull request"]
    assert call(fake, "GET", reviews) == (200, [])
    # Lines the diff shows: the change, its context, and on the left the line it replaced.
    context = {"path": "app.py", "line": 17, "side": "RIGHT", "body": "context"}
    removed = {"path": "app.py", "line": 20, "side": "LEFT", "body": "was"}
    assert review(on, context, removed)[0] == 200


def test_mergeable_is_null_while_computed_then_dirty_on_conflicts(fake: FakeGitHub) -> None:
    pull = changed_line(fake)
    path = f"/repos/{REPO}/pulls/{pull['number']}"

    def mergeability() -> tuple[bool | None, str]:
        body = call(fake, "GET", path)[1]
        return body["mergeable"], body["mergeable_state"]

    assert mergeability() == (None, "unknown")
    assert mergeability() == (True, "clean")
    fake.push(REPO, "main", {"app.py": FORTY.replace("line 20\n", "conflicting\n")})
    assert mergeability() == (None, "unknown")
    assert mergeability() == (False, "dirty")
    assert call(fake, "PUT", f"{path}/merge", {}) == (
        405, {"message": "Pull Request is not mergeable",
              "documentation_url": "https://docs.github.com/rest"})


def test_a_protected_branch_blocks_until_its_checks_pass(fake: FakeGitHub) -> None:
    pull = changed_line(fake)
    path = f"/repos/{REPO}/pulls/{pull['number']}"
    fake.protect(REPO, "main", ["ci"])
    call(fake, "GET", path)

    assert call(fake, "GET", path)[1]["mergeable_state"] == "blocked"
    assert call(fake, "PUT", f"{path}/merge", {})[1]["message"] == (
        'Required status check "ci" is expected.')
    call(fake, "POST", f"/repos/{REPO}/statuses/{pull['head']['sha']}",
         {"state": "success", "context": "ci"})
    assert call(fake, "GET", path)[1]["mergeable_state"] == "clean"
    assert call(fake, "PUT", f"{path}/merge", {})[0] == 200


def test_a_draft_merges_only_once_marked_ready(fake: FakeGitHub) -> None:
    fake.push(REPO, "factory/issue-1")
    pull = open_pr(fake, "factory/issue-1", draft=True)
    path = f"/repos/{REPO}/pulls/{pull['number']}"
    call(fake, "GET", path)

    assert call(fake, "GET", path)[1]["mergeable_state"] == "draft"
    assert call(fake, "PUT", f"{path}/merge", {})[1]["message"] == "Pull Request is still a draft"
    ready = {"query": "mutation Mutation($input: MarkPullRequestReadyForReviewInput!) { "
                      "markPullRequestReadyForReview(input: $input) { pullRequest { isDraft } } }",
             "variables": {"input": {"pullRequestId": pull["node_id"]}}}
    assert call(fake, "POST", "/graphql", ready)[1]["data"][
        "markPullRequestReadyForReview"]["pullRequest"] == {"isDraft": False}
    assert call(fake, "PUT", f"{path}/merge", {})[0] == 200


def test_a_merge_is_a_merge_commit_in_git_and_closes_the_issues_it_names(
        fake: FakeGitHub) -> None:
    issue = fake.add_issue(REPO, "Add a widget")
    fake.push(REPO, "factory/issue-1", {"widget.py": "spin = True\n"})
    pull = open_pr(fake, "factory/issue-1", body=f"The widget.\n\nCloses #{issue}")
    path = f"/repos/{REPO}/pulls/{pull['number']}"
    head = pull["head"]["sha"]

    assert call(fake, "PUT", f"{path}/merge", {"sha": "0" * 40})[0] == 409
    status, merged = call(fake, "PUT", f"{path}/merge", {"sha": head})

    assert status == 200 and merged["merged"]
    git_dir = fake.repos[REPO].git_dir
    assert gitstore.head(git_dir, "main") == merged["sha"]
    assert gitstore.out(git_dir, "show", "main:widget.py") == "spin = True"
    assert gitstore.out(git_dir, "rev-parse", "main^2") == head
    assert call(fake, "GET", f"/repos/{REPO}/issues/{issue}")[1]["state"] == "closed"
