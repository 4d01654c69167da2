"""Repository, user, issue, comment, label, status and ref endpoints of the fake GitHub."""

from __future__ import annotations

from urllib.parse import unquote

from doubles.fake_github import gitstore
from doubles.fake_github.router import HttpError, Reply, Request, route
from doubles.fake_github.state import CommentRec, IssueRec, Label, Repo, StatusRec, now

R = "/repos/{owner}/{repo}"


def ensure_label(req: Request, repo: Repo, name: str) -> str:
    """GitHub creates a label the first time an issue gets it; names match case-insensitively."""
    key = name.lower()
    if key not in repo.labels:
        repo.labels[key] = Label(id=req.fake.ids(), name=name)
    return repo.labels[key].name


def get_issue(repo: Repo, number: int) -> IssueRec:
    issue = repo.issues.get(number)
    if issue is None:
        raise HttpError(404, "Not Found")
    return issue


@route("GET", "/user")
def user(req: Request) -> Reply:
    if req.user.type == "Bot":
        raise HttpError(403, "Resource not accessible by integration")
    return Reply(200, req.fake.bodies.user(req.user, "private-user"))


@route("GET", R)
def repository(req: Request) -> Reply:
    return Reply(200, req.fake.bodies.repository(req.repo()))


@route("POST", f"{R}/issues")
def create_issue(req: Request) -> Reply:
    repo = req.repo()
    title = req.field("title")
    labels = req.field("labels", list, required=False) or []
    number = repo.next_number()
    issue = IssueRec(number=number, id=req.fake.ids(), title=title,
                     body=req.field("body", required=False), user=req.user,
                     author_association=req.fake.association(repo, req.user))
    issue.labels = [ensure_label(req, repo, str(name)) for name in dict.fromkeys(labels)]
    repo.issues[number] = issue
    return Reply(201, req.fake.bodies.issue(repo, issue))


@route("GET", f"{R}/issues")
def list_issues(req: Request) -> Reply:
    repo = req.repo()
    state = req.query.get("state", "open")
    wanted = {n.lower() for n in req.query.get("labels", "").split(",") if n}
    found = [i for i in repo.issues.values()
             if state in ("all", i.state) and wanted <= {n.lower() for n in i.labels}]
    return req.page([req.fake.bodies.issue(repo, i) for i in found])


@route("GET", f"{R}/issues/comments")
def list_repository_comments(req: Request) -> Reply:
    """Comments on every issue and PR, oldest change first; `since` keeps those changed at or
    after it (an edit counts)."""
    repo = req.repo()
    since = req.query.get("since", "")
    found = sorted((c for c in repo.comments.values() if c.updated >= since),
                   key=lambda c: (c.updated, c.id))
    return req.page([req.fake.bodies.comment(repo, c) for c in found])


@route("GET", f"{R}/issues/{{issue_number}}")
def read_issue(req: Request) -> Reply:
    repo = req.repo()
    return Reply(200, req.fake.bodies.issue(repo, get_issue(repo, req.int_param("issue_number"))))


@route("PATCH", f"{R}/issues/{{issue_number}}")
def edit_issue(req: Request) -> Reply:
    repo = req.repo()
    issue = get_issue(repo, req.int_param("issue_number"))
    for name in ("title", "body", "state"):
        value = req.field(name, required=False)
        if value is not None:
            setattr(issue, name, value)
    labels = req.field("labels", list, required=False)
    if labels is not None:
        issue.labels = [ensure_label(req, repo, str(n)) for n in dict.fromkeys(labels)]
    issue.closed = now() if issue.state == "closed" else None
    issue.updated = now()
    return Reply(200, req.fake.bodies.issue(repo, issue))


@route("GET", f"{R}/issues/{{issue_number}}/comments")
def list_comments(req: Request) -> Reply:
    repo = req.repo()
    number = get_issue(repo, req.int_param("issue_number")).number
    return req.page([req.fake.bodies.comment(repo, c) for c in repo.comments.values()
                     if c.issue == number])


@route("POST", f"{R}/issues/{{issue_number}}/comments")
def create_comment(req: Request) -> Reply:
    repo = req.repo()
    issue = get_issue(repo, req.int_param("issue_number"))
    comment = CommentRec(id=req.fake.ids(), issue=issue.number, body=req.field("body"),
                         user=req.user)
    repo.comments[comment.id] = comment
    return Reply(201, req.fake.bodies.comment(repo, comment))


def _comment(req: Request) -> tuple[Repo, CommentRec]:
    repo = req.repo()
    comment = repo.comments.get(req.int_param("comment_id"))
    if comment is None:
        raise HttpError(404, "Not Found")
    return repo, comment


@route("GET", f"{R}/issues/comments/{{comment_id}}")
def read_comment(req: Request) -> Reply:
    repo, comment = _comment(req)
    return Reply(200, req.fake.bodies.comment(repo, comment))


@route("PATCH", f"{R}/issues/comments/{{comment_id}}")
def edit_comment(req: Request) -> Reply:
    repo, comment = _comment(req)
    if comment.user.login != req.user.login:
        raise HttpError(403, "Must have admin rights to Repository.")
    comment.body = req.field("body")
    comment.updated = now()
    return Reply(200, req.fake.bodies.comment(repo, comment))


@route("GET", f"{R}/issues/{{issue_number}}/labels")
def issue_labels(req: Request) -> Reply:
    repo = req.repo()
    issue = get_issue(repo, req.int_param("issue_number"))
    return req.page([req.fake.bodies.label(repo, repo.labels[n.lower()]) for n in issue.labels])


@route("POST", f"{R}/issues/{{issue_number}}/labels")
def add_labels(req: Request) -> Reply:
    repo = req.repo()
    issue = get_issue(repo, req.int_param("issue_number"))
    names = req.body.get("labels") if isinstance(req.body, dict) else req.body
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise HttpError(422, "Invalid request.\n\nlabels must be a list of strings.")
    have = {n.lower() for n in issue.labels}
    for name in names:
        if name.lower() not in have:
            issue.labels.append(ensure_label(req, repo, name))
            have.add(name.lower())
    return Reply(200, [req.fake.bodies.label(repo, repo.labels[n.lower()]) for n in issue.labels])


@route("DELETE", f"{R}/issues/{{issue_number}}/labels/{{name}}")
def remove_label(req: Request) -> Reply:
    repo = req.repo()
    issue = get_issue(repo, req.int_param("issue_number"))
    name = unquote(req.params["name"]).lower()
    if name not in {n.lower() for n in issue.labels}:
        raise HttpError(404, "Label does not exist")
    issue.labels = [n for n in issue.labels if n.lower() != name]
    return Reply(200, [req.fake.bodies.label(repo, repo.labels[n.lower()]) for n in issue.labels])


@route("GET", f"{R}/labels")
def list_labels(req: Request) -> Reply:
    repo = req.repo()
    return req.page([req.fake.bodies.label(repo, label) for label in repo.labels.values()])


@route("POST", f"{R}/labels")
def create_label(req: Request) -> Reply:
    repo = req.repo()
    name = req.field("name")
    if name.lower() in repo.labels:
        raise HttpError(422, "Validation Failed")
    label = Label(id=req.fake.ids(), name=name, color=req.field("color", required=False) or "ededed",
                  description=req.field("description", required=False))
    repo.labels[name.lower()] = label
    return Reply(201, req.fake.bodies.label(repo, label))


@route("POST", f"{R}/statuses/{{sha}}")
def create_status(req: Request) -> Reply:
    repo = req.repo()
    state = req.field("state")
    if state not in ("error", "failure", "pending", "success"):
        raise HttpError(422, "Validation Failed")
    status = StatusRec(id=req.fake.ids(), sha=req.params["sha"], state=state,
                       context=req.field("context", required=False) or "default",
                       description=req.field("description", required=False),
                       target_url=req.field("target_url", required=False), user=req.user)
    repo.statuses.append(status)
    return Reply(201, req.fake.bodies.status(repo, status))


@route("GET", f"{R}/git/ref/{{ref}}")
def read_ref(req: Request) -> Reply:
    repo = req.repo()
    branch = req.params["ref"].removeprefix("heads/")
    if branch not in repo.refs:
        raise HttpError(404, "Not Found")
    return Reply(200, req.fake.bodies.ref(repo, branch))


@route("POST", f"{R}/git/refs")
def create_ref(req: Request) -> Reply:
    repo = req.repo()
    ref, sha = req.field("ref"), req.field("sha")
    if not ref.startswith("refs/heads/"):
        raise HttpError(422, "Reference name must start with refs/heads/")
    branch = ref.removeprefix("refs/heads/")
    if branch in repo.refs:
        raise HttpError(422, "Reference already exists")
    if not gitstore.exists(repo.git_dir, sha):
        raise HttpError(422, "Object does not exist")
    gitstore.set_ref(repo.git_dir, branch, sha)
    req.fake.sync(repo)
    return Reply(201, req.fake.bodies.ref(repo, branch))
