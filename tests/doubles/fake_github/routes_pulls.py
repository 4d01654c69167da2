"""Pull request, review and review comment endpoints of the fake GitHub.

As strict as GitHub where the factory meets it: no pull request without commits between base
and head; review comments only on lines the pull request's diff shows, at one of its commits
(otherwise the whole review is refused); `mergeable: null` until computed after each change;
no merge of a draft, a conflicting or a protected-and-unchecked pull request; merges written
to the repository's git objects, closing the issues the pull request says it closes.
"""

from __future__ import annotations

import re
from typing import Any

from doubles.fake_github import gitstore
from doubles.fake_github.router import HttpError, Reply, Request, route
from doubles.fake_github.state import (
    IssueRec,
    PullRec,
    Repo,
    ReviewCommentRec,
    ReviewRec,
    now,
)

R = "/repos/{owner}/{repo}"
_EVENTS = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}
_CLOSES = re.compile(r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s+#(\d+)\b", re.IGNORECASE)


def _pull(req: Request) -> tuple[Repo, PullRec]:
    repo = req.repo()
    pull = repo.pulls.get(req.int_param("pull_number"))
    if pull is None:
        raise HttpError(404, "Not Found")
    return repo, pull


def _branch(repo: Repo, head: str) -> str:
    owner, _, branch = head.rpartition(":")
    if owner and owner.lower() != repo.owner.login.lower():
        raise HttpError(422, "Validation Failed: forks are not modelled by the fake")
    return branch


def invalid(message: str, field: str | None = None, code: str = "custom") -> HttpError:
    """GitHub's 422 on a create: `Validation Failed` with the reason in `errors`."""
    error: dict[str, Any] = {"resource": "PullRequest", "code": code}
    if code == "custom":
        error["message"] = message
    if field is not None:
        error["field"] = field
    return HttpError(422, "Validation Failed", errors=[error])


def unprocessable(reason: str) -> HttpError:
    """GitHub's 422 on a review: `Unprocessable Entity`, the reason as a string in `errors`."""
    return HttpError(422, "Unprocessable Entity", errors=[reason])


@route("POST", f"{R}/pulls")
def create_pull(req: Request) -> Reply:
    repo = req.repo()
    title, base = req.field("title"), req.field("base")
    head = _branch(repo, req.field("head"))
    for name, branch in (("head", head), ("base", base)):
        if branch not in repo.refs:
            raise invalid(f"{name} {branch} not found", name, "invalid")
    for pull in repo.pulls.values():
        if pull.head == head and pull.base == base and repo.issues[pull.number].state == "open":
            raise invalid(f"A pull request already exists for {repo.owner.login}:{head}.")
    if gitstore.commits_between(repo.git_dir, repo.refs[base], repo.refs[head]) == 0:
        raise invalid(f"No commits between {base} and {head}")
    number = repo.next_number()
    repo.issues[number] = IssueRec(number=number, id=req.fake.ids(), title=title,
                                   body=req.field("body", required=False), user=req.user,
                                   is_pr=True,
                                   author_association=req.fake.association(repo, req.user))
    pull = PullRec(number=number, head=head, head_sha=repo.refs[head], base=base,
                   base_sha=repo.refs[base], draft=bool(req.field("draft", bool, required=False)))
    repo.pulls[number] = pull
    return Reply(201, req.fake.bodies.pull(repo, pull))


@route("GET", f"{R}/pulls")
def list_pulls(req: Request) -> Reply:
    repo = req.repo()
    state = req.query.get("state", "open")
    head = _branch(repo, req.query["head"]) if "head" in req.query else None
    base = req.query.get("base")
    found = [p for p in repo.pulls.values()
             if state in ("all", repo.issues[p.number].state)
             and head in (None, p.head) and base in (None, p.base)]
    return req.page([req.fake.bodies.pull(repo, p, "pull-request-simple") for p in found])


def _status_ok(repo: Repo, sha: str, context: str) -> bool:
    latest = [s for s in repo.statuses if s.sha == sha and s.context == context]
    return bool(latest) and latest[-1].state == "success"


def _missing_checks(repo: Repo, pull: PullRec) -> list[str]:
    return [c for c in repo.protected.get(pull.base, []) if not _status_ok(repo, pull.head_sha, c)]


def mergeability(repo: Repo, pull: PullRec) -> tuple[bool | None, str]:
    """(`mergeable`, `mergeable_state`) as a read sees them: null and `unknown` on the first
    read after head or base moved, while GitHub computes; then the computed values."""
    if pull.merged or repo.issues[pull.number].state != "open":
        return None, "unknown"
    pair = (pull.head_sha, pull.base_sha)
    if pull.checked != pair:
        pull.checked = pair
        pull.mergeable = gitstore.merged_tree(repo.git_dir, pull.base_sha,
                                              pull.head_sha) is not None
        return None, "unknown"
    if not pull.mergeable:
        return False, "dirty"
    if pull.draft:
        return True, "draft"
    return True, "blocked" if _missing_checks(repo, pull) else "clean"


@route("GET", f"{R}/pulls/{{pull_number}}")
def read_pull(req: Request) -> Reply:
    repo, pull = _pull(req)
    mergeable, state = mergeability(repo, pull)
    return Reply(200, req.fake.bodies.pull(repo, pull, mergeable=mergeable, state=state))


@route("GET", f"{R}/pulls/{{pull_number}}/merge")
def is_merged(req: Request) -> Reply:
    _, pull = _pull(req)
    return Reply(204 if pull.merged else 404)


@route("PUT", f"{R}/pulls/{{pull_number}}/merge")
def merge(req: Request) -> Reply:
    repo, pull = _pull(req)
    issue = repo.issues[pull.number]
    if pull.merged or issue.state != "open":
        raise HttpError(405, "Pull Request is not mergeable")
    if pull.draft:
        raise HttpError(405, "Pull Request is still a draft")
    expected = req.field("sha", required=False)
    if expected is not None and expected != pull.head_sha:
        raise HttpError(409, "Head branch was modified. Review and try the merge again.")
    missing = _missing_checks(repo, pull)
    if missing:
        raise HttpError(405, f'Required status check "{missing[0]}" is expected.')
    message = req.field("commit_message", required=False) or f"Merge pull request #{pull.number}"
    sha = gitstore.merge(repo.git_dir, pull.base, pull.head_sha, message)
    if sha is None:
        raise HttpError(405, "Pull Request is not mergeable")
    req.fake.sync(repo)
    pull.merged, pull.merged_at, pull.merge_sha = True, now(), sha
    issue.state, issue.closed = "closed", pull.merged_at
    if pull.base == repo.default_branch:  # closing keywords close issues on the default branch
        for number in _CLOSES.findall(issue.body or ""):
            closed = repo.issues.get(int(number))
            if closed is not None and not closed.is_pr and closed.state == "open":
                closed.state, closed.closed, closed.updated = "closed", now(), now()
    return Reply(200, {"sha": sha, "merged": True, "message": "Pull Request successfully merged"})


@route("GET", f"{R}/pulls/{{pull_number}}/reviews")
def list_reviews(req: Request) -> Reply:
    repo, pull = _pull(req)
    return req.page([req.fake.bodies.review(repo, r) for r in repo.reviews.values()
                     if r.pr == pull.number])


@route("POST", f"{R}/pulls/{{pull_number}}/reviews")
def create_review(req: Request) -> Reply:
    repo, pull = _pull(req)
    event = req.field("event", required=False)
    body = req.field("body", required=False) or ""
    if event is not None and event not in _EVENTS:
        raise HttpError(422, f"Unprocessable Entity: event {event!r}")
    own = repo.issues[pull.number].user.login == req.user.login
    if own and event in ("APPROVE", "REQUEST_CHANGES"):
        verb = "approve" if event == "APPROVE" else "request changes on"
        raise HttpError(422, f"Unprocessable Entity: Can not {verb} your own pull request")
    if event in ("REQUEST_CHANGES", "COMMENT") and not body:
        raise HttpError(422, "Unprocessable Entity: body is required for this event")
    commit = req.field("commit_id", required=False) or pull.head_sha
    comments = req.field("comments", list, required=False) or []
    review = ReviewRec(id=req.fake.ids(), pr=pull.number, user=req.user, body=body,
                       state=_EVENTS.get(event or "", "PENDING"), commit_id=commit)
    for item in comments:
        if not isinstance(item, dict) or not item.get("path") or not item.get("body"):
            raise unprocessable("each comment needs a path and a body")
        check_anchor(repo, pull, commit, item)
    repo.reviews[review.id] = review
    for item in comments:
        rec = ReviewCommentRec(id=req.fake.ids(), pr=pull.number, review_id=review.id,
                               path=item["path"], line=item["line"],
                               body=item["body"], user=req.user, commit_id=commit)
        repo.review_comments[rec.id] = rec
    return Reply(200, req.fake.bodies.review(repo, review))


def check_anchor(repo: Repo, pull: PullRec, commit: str, item: dict[str, Any]) -> None:
    """A comment must sit at one of the pull request's commits, on a line its diff shows (on
    the side named); GitHub refuses the whole request otherwise."""
    if not gitstore.in_pull(repo.git_dir, pull.base_sha, pull.head_sha, commit):
        raise unprocessable("The commitOID is not part of the pull request")
    line = item.get("line")
    if "position" in item or not isinstance(line, int):
        raise unprocessable("pull_request_review_thread.line must be a line number")
    shown = gitstore.diff_lines(repo.git_dir, pull.base_sha, commit)
    side = shown.left if item.get("side") == "LEFT" else shown.right
    if item["path"] not in side:
        raise unprocessable("Path could not be resolved")
    if line not in side[item["path"]]:
        raise unprocessable("pull_request_review_thread.line must be part of the diff")


@route("GET", f"{R}/pulls/{{pull_number}}/comments")
def list_review_comments(req: Request) -> Reply:
    repo, pull = _pull(req)
    return req.page([req.fake.bodies.review_comment(repo, c)
                     for c in repo.review_comments.values() if c.pr == pull.number])


def _reply(req: Request, repo: Repo, pull: PullRec, parent_id: int) -> Reply:
    parent = repo.review_comments.get(parent_id)
    if parent is None or parent.pr != pull.number:
        raise HttpError(404, "Not Found")
    review = ReviewRec(id=req.fake.ids(), pr=pull.number, user=req.user, body="",
                       state="COMMENTED", commit_id=parent.commit_id)
    repo.reviews[review.id] = review
    rec = ReviewCommentRec(id=req.fake.ids(), pr=pull.number, review_id=review.id,
                           path=parent.path, line=parent.line, body=req.field("body"),
                           user=req.user, commit_id=parent.commit_id,
                           in_reply_to=parent.in_reply_to or parent.id)
    repo.review_comments[rec.id] = rec
    return Reply(201, req.fake.bodies.review_comment(repo, rec))


@route("POST", f"{R}/pulls/{{pull_number}}/comments")
def create_review_comment(req: Request) -> Reply:
    repo, pull = _pull(req)
    reply_to = req.field("in_reply_to", int, required=False)
    if reply_to is not None:
        return _reply(req, repo, pull, reply_to)
    review = ReviewRec(id=req.fake.ids(), pr=pull.number, user=req.user, body="",
                       state="COMMENTED", commit_id=req.field("commit_id"))
    check_anchor(repo, pull, review.commit_id, {"path": req.field("path"),
                                                "line": req.field("line", int),
                                                "side": req.field("side", required=False)})
    repo.reviews[review.id] = review
    rec = ReviewCommentRec(id=req.fake.ids(), pr=pull.number, review_id=review.id,
                           path=req.field("path"), line=req.field("line", int),
                           body=req.field("body"), user=req.user, commit_id=review.commit_id)
    repo.review_comments[rec.id] = rec
    return Reply(201, req.fake.bodies.review_comment(repo, rec))


@route("POST", f"{R}/pulls/{{pull_number}}/comments/{{comment_id}}/replies")
def reply(req: Request) -> Reply:
    repo, pull = _pull(req)
    return _reply(req, repo, pull, req.int_param("comment_id"))
