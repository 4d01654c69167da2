"""The writer's view of the forge during one apply: each issue's or PR's comments and reviews
listed once and kept up to date with the writer's own posts and edits, and a PR the writer
has just opened known to have none. GitHub's rate limit is the factory's scarcest resource."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pipeline.forge.protocol import Forge
from pipeline.forge.types import Comment, InlineComment, PullRequest, Review, Verdict


class CachingForge:
    def __init__(self, inner: Forge) -> None:
        self.inner = inner
        self._comments: dict[int, list[Comment]] = {}
        self._fresh: set[int] = set()
        """PRs opened during this apply: no reviews or review comments yet but the writer's."""

    def open_pr(self, head: str, base: str, title: str, body: str,
                draft: bool = False) -> PullRequest:
        created: set[int] = getattr(self.inner, "created_prs", set())
        before = set(created)
        pr = self.inner.open_pr(head, base, title, body, draft)
        if pr.number in created - before:
            self._comments.setdefault(pr.number, [])
            self._fresh.add(pr.number)
        return pr

    def comments(self, number: int) -> list[Comment]:
        if number not in self._comments:
            self._comments[number] = self.inner.comments(number)
        return list(self._comments[number])

    def post_comment(self, number: int, body: str) -> Comment:
        posted = self.inner.post_comment(number, body)
        if number in self._comments:
            self._comments[number].append(posted)
        return posted

    def edit_comment(self, comment_id: int, body: str) -> None:
        self.inner.edit_comment(comment_id, body)
        for comments in self._comments.values():
            for index, comment in enumerate(comments):
                if comment.id == comment_id:
                    comments[index] = replace(comment, body=body)

    def reviews(self, pr: int, inline_comments: bool = True) -> list[Review]:
        return [] if pr in self._fresh else self.inner.reviews(pr, inline_comments)

    def review_comments(self, pr: int) -> list[Comment]:
        return [] if pr in self._fresh else self.inner.review_comments(pr)

    def post_review(self, pr: int, commit: str | None, body: str, verdict: Verdict,
                    comments: Sequence[InlineComment] = ()) -> Review:
        self._fresh.discard(pr)  # its reviews are no longer known to be none
        return self.inner.post_review(pr, commit, body, verdict, comments)

    def reply_to_review_comment(self, pr: int, comment_id: int, body: str) -> Comment:
        self._fresh.discard(pr)
        return self.inner.reply_to_review_comment(pr, comment_id, body)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
