"""Pull request, review and review comment endpoints of the fake GitHub."""

from __future__ import annotations

from doubles.fake_github.router import HttpError, Reply, Request, route
from doubles.fake_github.state import (
    IssueRec,
    PullRec,
    Repo,
    ReviewCommentRec,
    ReviewRec,
    fake_sha,
    now,
)

R = "/repos/{owner}/{repo}"
_EVENTS = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}


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


@route("POST", f"{R}/pulls")
def create_pull(req: Request) -> Reply:
    repo = req.repo()
    title, base = req.field("title"), req.field("base")
    head = _branch(repo, req.field("head"))
    if head not in repo.refs or base not in repo.refs:
        raise HttpError(422, f"Validation Failed: no branch {head if head not in repo.refs else base}")
    for pull in repo.pulls.values():
        if pull.head == head and pull.base == base and repo.issues[pull.number].state == "open":
            raise HttpError(422, f"A pull request already exists for {repo.owner.login}:{head}.")
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


@route("GET", f"{R}/pulls/{{pull_number}}")
def read_pull(req: Request) -> Reply:
    repo, pull = _pull(req)
    pull.head_sha = repo.refs.get(pull.head, pull.head_sha) if not pull.merged else pull.head_sha
    return Reply(200, req.fake.bodies.pull(repo, pull))


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
    pull.merged, pull.merged_at = True, now()
    pull.merge_sha = fake_sha("merge", pull.number, pull.head_sha)
    repo.refs[pull.base] = pull.merge_sha
    issue.state, issue.closed = "closed", pull.merged_at
    return Reply(200, {"sha": pull.merge_sha, "merged": True,
                       "message": "Pull Request successfully merged"})


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
            raise HttpError(422, "Unprocessable Entity: each comment needs path and body")
        if not isinstance(item.get("line", item.get("position")), int):
            raise HttpError(422, "Unprocessable Entity: each comment needs a line")
    repo.reviews[review.id] = review
    for item in comments:
        rec = ReviewCommentRec(id=req.fake.ids(), pr=pull.number, review_id=review.id,
                               path=item["path"], line=item.get("line", item.get("position")),
                               body=item["body"], user=req.user, commit_id=commit)
        repo.review_comments[rec.id] = rec
    return Reply(200, req.fake.bodies.review(repo, review))


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
