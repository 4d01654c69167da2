"""GitHubForge: the Forge protocol over GitHub's REST API, through PyGithub.

Configured only from GITHUB_API_URL, GITHUB_TOKEN and GITHUB_REPOSITORY. Objects are
lazy, so writing to an issue or PR costs one request and no preliminary GET.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from pipeline.core.errors import BadInput, WorkFailed
from pipeline.forge import github_convert as convert
from pipeline.forge.backoff import Backoff
from pipeline.forge.types import Comment, InlineComment, Issue, PullRequest, Review, Verdict

DEFAULT_API_URL = "https://api.github.com"
MARK = convert.MARK
_REPOSITORY = re.compile(r"^[\w.-]+/[\w.-]+$")
INSTALLATION_TOKEN = "ghs_"
"""GITHUB_TOKEN and GitHub App installation tokens: GitHub refuses them GET /user."""
MERGEABLE_POLLS = 6
"""Reads of a PR whose mergeability GitHub is still computing (null), 1 s then doubling."""
T = TypeVar("T")


class ForgeError(WorkFailed):
    """GitHub refused or failed a request after retries."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class EmptyPullRequest(ForgeError):
    """GitHub opens no pull request without commits between base and head."""


class MergeRefused(ForgeError):
    """GitHub would not merge: conflicts, branch protection, a head that moved."""


def _describe(exc: BaseException) -> tuple[int, str, Mapping[str, Any] | None] | None:
    from github import GithubException
    from requests import RequestException

    if isinstance(exc, GithubException):
        data = exc.data if isinstance(exc.data, dict) else {}
        message = str(data.get("message") or exc.message or "")
        # A 422 names its reasons in `errors`: strings, or objects with a message or a code.
        details = [str(e.get("message") or e.get("code") or "") if isinstance(e, dict) else str(e)
                   for e in data.get("errors") or [] if e]
        if details:
            message = f"{message}: {'; '.join(d for d in details if d)}"
        return exc.status, message, exc.headers
    if isinstance(exc, RequestException):
        return 0, str(exc), None
    return None


class GitHubForge:
    def __init__(self, repository: str, token: str | None = None,
                 api_url: str = DEFAULT_API_URL, *, throttle: bool = True,
                 backoff: Backoff | None = None) -> None:
        """throttle=False drops PyGithub's pauses between requests (for tests on the fake)."""
        import github

        if not _REPOSITORY.match(repository):
            raise BadInput(f"GITHUB_REPOSITORY must look like owner/name, not {repository!r}")
        self.repository = repository
        self.backoff = backoff or Backoff()
        auth = github.Auth.Token(token) if token else None
        # PyGithub's own retry is off: Backoff decides, so that writes are never repeated
        # after a 5xx that may have applied them.
        self._gh = github.Github(auth=auth, base_url=api_url.rstrip("/"), retry=None, lazy=True,
                                 per_page=100, timeout=30,
                                 seconds_between_requests=0.25 if throttle else 0,
                                 seconds_between_writes=1.0 if throttle else 0)
        self._repo = self._gh.get_repo(repository)
        self._login: str | None = None
        self._login_known = bool(token and token.startswith(INSTALLATION_TOKEN))
        """An installation token has no user to ask for: its comments are a Bot's."""
        self._pulls: dict[int, dict[str, Any]] = {}
        """The last read of each PR (its node id and draft flag, for merging)."""
        self.created_prs: set[int] = set()
        """PRs this forge opened (rather than found open): they have no comments yet."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, throttle: bool = True,
                 backoff: Backoff | None = None) -> GitHubForge:
        env = os.environ if environ is None else environ
        repository = env.get("GITHUB_REPOSITORY", "")
        if not repository:
            raise BadInput("GITHUB_REPOSITORY is not set: expected owner/name")
        return cls(repository, env.get("GITHUB_TOKEN") or None,
                   env.get("GITHUB_API_URL") or DEFAULT_API_URL, throttle=throttle,
                   backoff=backoff)

    # plumbing
    def _call(self, what: str, fn: Callable[[], T], *, idempotent: bool = True) -> T:
        try:
            return self.backoff.call(fn, idempotent=idempotent, describe=_describe)
        except Exception as exc:
            info = _describe(exc)
            if info is None:
                raise
            status, message, _ = info
            raise ForgeError(f"GitHub {what} on {self.repository} failed ({status or 'no connection'}):"
                             f" {message.splitlines()[0] if message else 'no message'}",
                             status) from None

    def _remember(self, data: Mapping[str, Any]) -> None:
        login = (data.get("user") or {}).get("login")
        if login and not self._login_known:
            self._login, self._login_known = login, True

    def viewer(self) -> str | None:
        """The token's login; None for App/Actions tokens, which may not read /user."""
        if not self._login_known:
            try:
                user = self._call("GET /user", lambda: convert.raw(self._gh.get_user().complete()))
                self._login = user.get("login")
            except ForgeError as exc:
                if exc.status not in (401, 403, 404):
                    raise
                self._login = None
            self._login_known = True
        return self._login

    def _is_factory(self, data: Mapping[str, Any]) -> bool:
        return convert.is_factory(data, self.viewer())

    # issues, labels and comments
    def create_issue(self, title: str, body: str, labels: Sequence[str] = ()) -> Issue:
        created = self._call("create issue", lambda: convert.raw(
            self._repo.create_issue(title=title, body=body, labels=list(dict.fromkeys(labels)))),
            idempotent=False)
        return convert.issue(created)

    def get_issue(self, number: int) -> Issue:
        data = self._call(f"read issue #{number}",
                          lambda: convert.raw(self._repo.get_issue(number).complete()))
        return convert.issue(data)

    def list_issues(self, labels: Sequence[str] = (), state: str = "open") -> list[Issue]:
        """Issues (not PRs) in state (`open`, `closed`, `all`) carrying every label given."""
        items = self._call("list issues", lambda: [convert.raw(i) for i in self._repo.get_issues(
            state=state, labels=list(labels))])
        return [convert.issue(i) for i in items if "pull_request" not in i]

    def edit_issue(self, number: int, *, title: str | None = None,
                   body: str | None = None) -> None:
        """Change an issue's title or body; what is not given is left as it is."""
        fields = {k: v for k, v in (("title", title), ("body", body)) if v is not None}
        if fields:
            url = f"{self._repo.url}/issues/{number}"
            self._call(f"edit #{number}", lambda: self._gh.requester.requestJsonAndCheck(
                "PATCH", url, input=fields))

    def close_issue(self, number: int) -> None:
        self._call(f"close #{number}", lambda: self._repo.get_issue(number).edit(state="closed"))

    def set_labels(self, number: int, add: Sequence[str] = (), remove: Sequence[str] = ()) -> None:
        from github import GithubException

        issue = self._repo.get_issue(number)
        adding = list(dict.fromkeys(add))
        if adding:
            # GitHub adds only what is missing, so this is idempotent in one request.
            self._call(f"label #{number}", lambda: issue.add_to_labels(*adding))
        for name in dict.fromkeys(n for n in remove if n not in adding):
            def drop(name: str = name) -> None:
                try:
                    issue.remove_from_labels(name)
                except GithubException as exc:
                    if exc.status != 404:  # not on the issue: already as wanted
                        raise
            self._call(f"unlabel #{number}", drop)

    def comments(self, number: int) -> list[Comment]:
        items = self._call(f"list comments of #{number}", lambda: [
            convert.raw(c) for c in self._repo.get_issue(number).get_comments()])
        return [convert.comment(c, number, self._is_factory(c)) for c in items]

    def comments_since(self, since: datetime) -> list[Comment]:
        """Every issue and PR comment of the repository created or edited since `since`."""
        items = self._call("list recent comments", lambda: [convert.raw(c) for c in
                                                            self._repo.get_issues_comments(
                                                                sort="updated", since=since)])
        return [convert.comment(c, int(str(c.get("issue_url", "")).rsplit("/", 1)[-1] or 0),
                                self._is_factory(c)) for c in items]

    def post_comment(self, number: int, body: str) -> Comment:
        data = self._call(f"comment on #{number}", lambda: convert.raw(
            self._repo.get_issue(number).create_comment(convert.marked(body))), idempotent=False)
        self._remember(data)
        return convert.comment(data, number, True)

    def edit_comment(self, comment_id: int, body: str) -> None:
        url = f"{self._repo.url}/issues/comments/{comment_id}"
        self._call(f"edit comment {comment_id}", lambda: self._gh.requester.requestJsonAndCheck(
            "PATCH", url, input={"body": convert.marked(body)}))

    # pull requests
    def get_pr(self, number: int, wait_mergeable: bool = False) -> PullRequest:
        """The PR; with wait_mergeable, read again (1 s, then doubling) while GitHub is still
        computing whether it merges (`mergeable: null`), a bounded number of times."""
        for attempt in range(MERGEABLE_POLLS):
            data = self._call(f"read PR #{number}",
                              lambda: convert.raw(self._repo.get_pull(number).complete()))
            self._pulls[number] = data
            pull = convert.pull(data)
            if not wait_mergeable or pull.mergeable is not None or pull.state != "open" \
                    or attempt == MERGEABLE_POLLS - 1:
                return pull
            self.backoff.sleep(float(2 ** attempt))
        raise AssertionError("unreachable")

    def find_pr(self, head: str) -> PullRequest | None:
        owner = self.repository.split("/")[0]
        found = self._call(f"find PR for {head}", lambda: [
            convert.raw(p) for p in self._repo.get_pulls(state="open", head=f"{owner}:{head}")])
        return convert.pull(found[0]) if found else None

    def list_prs(self, state: str = "open") -> list[PullRequest]:
        items = self._call("list PRs", lambda: [convert.raw(p)
                                                for p in self._repo.get_pulls(state=state)])
        return [convert.pull(p) for p in items]

    def open_pr(self, head: str, base: str, title: str, body: str,
                draft: bool = False) -> PullRequest:
        """Open the PR, or find the open one GitHub says exists (asking first would cost a
        request every time). EmptyPullRequest when head has no commits over base."""
        try:
            data = self._call(f"open PR for {head}", lambda: convert.raw(self._repo.create_pull(
                title=title, body=body, head=head, base=base, draft=draft)), idempotent=False)
        except ForgeError as exc:
            if exc.status == 422 and "No commits between" in str(exc):
                raise EmptyPullRequest(str(exc), exc.status) from None
            existing = self.find_pr(head) if exc.status == 422 else None
            if existing is None:
                raise
            return existing
        self.created_prs.add(data["number"])
        return convert.pull(data)

    def merge_pr(self, pr: int, message: str, sha: str | None = None) -> None:
        """Merge (a draft is marked ready first: GitHub merges no draft), only if the head is
        still sha when given. MergeRefused says why GitHub would not."""
        from github.GithubObject import NotSet

        data = self._pulls.get(pr) or convert.raw(self._repo.get_pull(pr).complete())
        if data.get("merged"):
            return
        if data.get("draft"):
            self._call(f"mark PR #{pr} ready", lambda: self._gh.requester.graphql_named_mutation(
                "markPullRequestReadyForReview", {"pullRequestId": data["node_id"]},
                "pullRequest { isDraft }"))
        try:
            self._call(f"merge PR #{pr}", lambda: self._repo.get_pull(pr).merge(
                commit_message=message, sha=sha or NotSet), idempotent=False)
        except ForgeError as exc:
            if exc.status not in (405, 409):
                raise
            if self.get_pr(pr).merged:  # an earlier attempt went through
                return
            raise MergeRefused(str(exc), exc.status) from None

    def set_status(self, sha: str, state: str, context: str, description: str = "",
                   target_url: str | None = None) -> None:
        """A commit status (`pending`, `success`, `failure`, `error`) on sha."""
        extra = {"target_url": target_url} if target_url else {}
        self._call(f"status on {sha[:12]}", lambda: self._repo.get_commit(sha).create_status(
            state, description=description[:140], context=context, **extra))

    def dispatch_workflow(self, workflow: str, ref: str, inputs: Mapping[str, str]) -> None:
        """Start workflow (file name) on ref: what a job started by GITHUB_TOKEN cannot cause."""
        url = f"{self._repo.url}/actions/workflows/{workflow}/dispatches"
        self._call(f"dispatch {workflow}", lambda: self._gh.requester.requestJsonAndCheck(
            "POST", url, input={"ref": ref, "inputs": dict(inputs)}), idempotent=False)

    # reviews
    def post_review(self, pr: int, commit: str | None, body: str, verdict: Verdict,
                    comments: Sequence[InlineComment] = ()) -> Review:
        """One review, posted as a comment: GitHub lets no one approve or request changes on
        their own PR, which every factory PR is, so the verdict travels in the body's marker.

        GitHub drops the whole review when one inline comment is not on a line of the PR's
        diff, or the commit is not one of the PR's: it is then posted again without them, the
        comments' text moved into the body."""
        from github.PullRequest import ReviewComment

        pull = self._repo.get_pull(pr)

        def send(text: str, inline: Sequence[InlineComment], at: str | None) -> dict[str, Any]:
            anchored: list[ReviewComment] = [
                {"path": c.path, "line": c.line, "side": "RIGHT", "body": convert.marked(c.body)}
                for c in inline]
            extra = {"commit": self._repo.get_commit(at)} if at else {}
            return convert.raw(pull.create_review(body=convert.with_verdict(text, verdict),
                                                  event="COMMENT", comments=anchored, **extra))

        try:
            data = self._call(f"review PR #{pr}", lambda: send(body, comments, commit),
                              idempotent=False)
            placed = tuple(comments)
        except ForgeError as exc:
            if exc.status != 422 or not (comments or commit):
                raise
            text = convert.with_unplaced(body, comments, str(exc))
            data = self._call(f"review PR #{pr}", lambda: send(text, (), None), idempotent=False)
            placed = ()
        self._remember(data)
        return convert.review(data, pr, placed, trusted=True)

    def review_comments(self, pr: int) -> list[Comment]:
        items = self._call(f"list review comments of #{pr}", lambda: [
            convert.raw(c) for c in self._repo.get_pull(pr).get_review_comments()])
        return [convert.comment(c, pr, self._is_factory(c)) for c in items]

    def reviews(self, pr: int, inline_comments: bool = True) -> list[Review]:
        """The PR's reviews; their inline comments cost a second request (left out without)."""
        items = self._call(f"list reviews of #{pr}", lambda: [
            convert.raw(r) for r in self._repo.get_pull(pr).get_reviews()])
        inline: dict[int, list[InlineComment]] = {}
        for c in self.review_comments(pr) if inline_comments else []:
            if c.review_id is not None and c.in_reply_to is None and c.path:
                inline.setdefault(c.review_id, []).append(
                    InlineComment(c.path, c.line or 0, convert.unmarked(c.body)))
        return [convert.review(r, pr, tuple(inline.get(r["id"], ())), self._is_factory(r))
                for r in items
                if r.get("body") or r["id"] in inline or r.get("state") != "COMMENTED"]

    def reply_to_review_comment(self, pr: int, comment_id: int, body: str) -> Comment:
        data = self._call(f"reply on PR #{pr}", lambda: convert.raw(
            self._repo.get_pull(pr).create_review_comment_reply(comment_id, convert.marked(body))),
            idempotent=False)
        self._remember(data)
        return convert.comment(data, pr, True)
