"""JSON bodies the fake sends: the spec's minimal template for each schema, filled with state.

Every `url` points back at the fake itself, because PyGithub follows them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from doubles.fake_github.spec import Spec
from doubles.fake_github.state import (
    CommentRec,
    IssueRec,
    Label,
    PullRec,
    Repo,
    ReviewCommentRec,
    ReviewRec,
    StatusRec,
    User,
)


class Bodies:
    def __init__(self, spec: Spec, base: str,
                 associate: Callable[[Repo, User], str] = lambda _r, _u: "OWNER") -> None:
        self.spec = spec
        self.base = base
        self.associate = associate
        """Each author's real association, as GitHub reports it on what they wrote."""

    def repo_url(self, repo: Repo) -> str:
        return f"{self.base}/repos/{repo.full_name}"

    def user(self, user: User, schema: str = "simple-user") -> dict[str, Any]:
        body = self.spec.template(schema)
        url = f"{self.base}/users/{user.login}"
        body.update(login=user.login, id=user.id, node_id=f"U_{user.id}", type=user.type,
                    url=url, html_url=f"{self.base}/web/{user.login}",
                    repos_url=f"{url}/repos")
        if schema == "private-user":
            body["user_view_type"] = "private"  # the discriminator between private and public
        return body

    def label(self, repo: Repo, label: Label) -> dict[str, Any]:
        body = self.spec.template("label")
        body.update(id=label.id, node_id=f"LA_{label.id}", name=label.name, color=label.color,
                    description=label.description, default=False,
                    url=f"{self.repo_url(repo)}/labels/{label.name}")
        return body

    def repository(self, repo: Repo, schema: str = "full-repository") -> dict[str, Any]:
        body = self.spec.template(schema)
        url = self.repo_url(repo)
        body.update(id=repo.id, node_id=f"R_{repo.id}", name=repo.name,
                    full_name=repo.full_name, owner=self.user(repo.owner), url=url,
                    html_url=f"{self.base}/web/{repo.full_name}", private=False,
                    default_branch=repo.default_branch, has_issues=True,
                    clone_url=f"{self.base}/git/{repo.full_name}.git")
        return body

    def issue(self, repo: Repo, issue: IssueRec) -> dict[str, Any]:
        body = self.spec.template("issue")
        url = f"{self.repo_url(repo)}/issues/{issue.number}"
        comments = sum(1 for c in repo.comments.values() if c.issue == issue.number)
        body.update(
            id=issue.id, node_id=f"I_{issue.id}", number=issue.number, title=issue.title,
            body=issue.body, user=self.user(issue.user), state=issue.state, url=url,
            html_url=f"{self.base}/web/{repo.full_name}/issues/{issue.number}",
            repository_url=self.repo_url(repo), comments_url=f"{url}/comments",
            labels_url=f"{url}/labels{{/name}}", events_url=f"{url}/events",
            labels=[self.label(repo, repo.labels[name.lower()]) for name in issue.labels],
            comments=comments, created_at=issue.created, updated_at=issue.updated,
            closed_at=issue.closed, author_association=issue.author_association)
        if issue.is_pr:
            pull = repo.pulls[issue.number]
            pr_url = f"{self.repo_url(repo)}/pulls/{issue.number}"
            body["pull_request"] = {"url": pr_url, "html_url": pr_url, "diff_url": pr_url,
                                    "patch_url": pr_url, "merged_at": pull.merged_at}
        return body

    def comment(self, repo: Repo, comment: CommentRec) -> dict[str, Any]:
        body = self.spec.template("issue-comment")
        body.update(
            id=comment.id, node_id=f"IC_{comment.id}", body=comment.body,
            user=self.user(comment.user), created_at=comment.created,
            updated_at=comment.updated,
            author_association=self.associate(repo, comment.user),
            url=f"{self.repo_url(repo)}/issues/comments/{comment.id}",
            html_url=f"{self.base}/web/{repo.full_name}/issues/{comment.issue}#c{comment.id}",
            issue_url=f"{self.repo_url(repo)}/issues/{comment.issue}")
        return body

    def _branch(self, repo: Repo, ref: str, sha: str, user: User) -> dict[str, Any]:
        return {"label": f"{repo.owner.login}:{ref}", "ref": ref, "sha": sha,
                "user": self.user(user), "repo": self.repository(repo, "repository")}

    def pull(self, repo: Repo, pull: PullRec, schema: str = "pull-request",
             mergeable: bool | None = None, state: str = "unknown") -> dict[str, Any]:
        """mergeable and state (`mergeable_state`) as the route computed them."""
        issue = repo.issues[pull.number]
        body = self.spec.template(schema)
        url = f"{self.repo_url(repo)}/pulls/{pull.number}"
        issue_url = f"{self.repo_url(repo)}/issues/{pull.number}"
        html = f"{self.base}/web/{repo.full_name}/pull/{pull.number}"
        body.update(
            id=issue.id, node_id=f"PR_{issue.id}", number=pull.number, title=issue.title,
            body=issue.body, state=issue.state, user=self.user(issue.user), url=url,
            html_url=html, issue_url=issue_url, diff_url=f"{html}.diff",
            patch_url=f"{html}.patch", comments_url=f"{issue_url}/comments",
            commits_url=f"{url}/commits", review_comments_url=f"{url}/comments",
            review_comment_url=f"{self.repo_url(repo)}/pulls/comments{{/number}}",
            statuses_url=f"{self.repo_url(repo)}/statuses/{pull.head_sha}",
            labels=[self.label(repo, repo.labels[name.lower()]) for name in issue.labels],
            head=self._branch(repo, pull.head, pull.head_sha, issue.user),
            base=self._branch(repo, pull.base, pull.base_sha, repo.owner),
            draft=pull.draft, merged_at=pull.merged_at, merge_commit_sha=pull.merge_sha,
            created_at=issue.created, updated_at=issue.updated, closed_at=issue.closed,
            author_association=issue.author_association)
        links = {"self": url, "html": html, "issue": issue_url,
                 "comments": f"{issue_url}/comments", "review_comments": f"{url}/comments",
                 "review_comment": f"{self.repo_url(repo)}/pulls/comments{{/number}}",
                 "commits": f"{url}/commits",
                 "statuses": f"{self.repo_url(repo)}/statuses/{pull.head_sha}"}
        body["_links"] = {key: {"href": value} for key, value in links.items()}
        if schema == "pull-request":
            body.update(merged=pull.merged, mergeable=mergeable, mergeable_state=state,
                        comments=0, review_comments=0, commits=1, additions=0, deletions=0,
                        changed_files=0)
        return body

    def review(self, repo: Repo, review: ReviewRec) -> dict[str, Any]:
        body = self.spec.template("pull-request-review")
        pr_url = f"{self.repo_url(repo)}/pulls/{review.pr}"
        html = f"{self.base}/web/{repo.full_name}/pull/{review.pr}#r{review.id}"
        body.update(id=review.id, node_id=f"PRR_{review.id}", user=self.user(review.user),
                    body=review.body, state=review.state, commit_id=review.commit_id,
                    html_url=html, pull_request_url=pr_url, submitted_at=review.submitted,
                    author_association=self.associate(repo, review.user),
                    _links={"html": {"href": html}, "pull_request": {"href": pr_url}})
        return body

    def review_comment(self, repo: Repo, comment: ReviewCommentRec) -> dict[str, Any]:
        body = self.spec.template("pull-request-review-comment")
        pr_url = f"{self.repo_url(repo)}/pulls/{comment.pr}"
        url = f"{self.repo_url(repo)}/pulls/comments/{comment.id}"
        html = f"{self.base}/web/{repo.full_name}/pull/{comment.pr}#rc{comment.id}"
        body.update(
            url=url, id=comment.id, node_id=f"PRRC_{comment.id}",
            pull_request_review_id=comment.review_id, diff_hunk="@@ -1 +1 @@",
            path=comment.path, commit_id=comment.commit_id,
            original_commit_id=comment.commit_id, user=self.user(comment.user),
            body=comment.body, created_at=comment.created, updated_at=comment.created,
            html_url=html, pull_request_url=pr_url,
            author_association=self.associate(repo, comment.user),
            line=comment.line, original_line=comment.line, side="RIGHT",
            _links={"self": {"href": url}, "html": {"href": html},
                    "pull_request": {"href": pr_url}})
        if comment.in_reply_to is not None:
            body["in_reply_to_id"] = comment.in_reply_to
        return body

    def status(self, repo: Repo, status: StatusRec) -> dict[str, Any]:
        body = self.spec.template("status")
        body.update(url=f"{self.repo_url(repo)}/statuses/{status.sha}", id=status.id,
                    node_id=f"SC_{status.id}", state=status.state,
                    description=status.description, target_url=status.target_url,
                    context=status.context, created_at=status.created,
                    updated_at=status.created, creator=self.user(status.user),
                    avatar_url=None)
        return body

    def ref(self, repo: Repo, branch: str) -> dict[str, Any]:
        ref = f"refs/heads/{branch}"
        sha = repo.refs[branch]
        return {"ref": ref, "node_id": f"REF_{branch}", "url": f"{self.repo_url(repo)}/git/{ref}",
                "object": {"type": "commit", "sha": sha,
                           "url": f"{self.repo_url(repo)}/git/commits/{sha}"}}

    def error(self, message: str, errors: list[Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"message": message,
                                "documentation_url": "https://docs.github.com/rest"}
        if errors is not None:
            body["errors"] = errors
        return body
