"""RecordingForge: reads from the real forge, records every write as an operation.

A role job runs against it exactly as against a forge. What it writes is kept in an overlay,
so the job reads back its own comments, reviews and replies (the tracking comment is found
and edited, a commit already reviewed is not reviewed again) while nothing reaches the forge.
Reads of the real forge are cached for the job: they cost one request each.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pipeline.actions.outputs.schema import (
    CloseOp,
    CommentOp,
    DispatchOp,
    InlineOp,
    LabelsOp,
    LessonsOp,
    MergeOp,
    OpenPrOp,
    Operation,
    ReplyOp,
    ReviewOp,
    StatusOp,
    TrackingOp,
)
from pipeline.core.errors import WorkFailed
from pipeline.core.sanitize import sanitize
from pipeline.forge import tracking
from pipeline.forge.protocol import Forge
from pipeline.forge.types import Comment, InlineComment, Issue, PullRequest, Review, Verdict


def _clean(comments: list[Comment]) -> list[Comment]:
    """People's text as a person sees it (no hidden parts): it reaches the models' prompts."""
    return [c if c.by_factory else replace(c, body=sanitize(c.body)) for c in comments]


class RecordingForge:
    def __init__(self, inner: Forge) -> None:
        self.inner = inner
        self.ops: list[Operation] = []
        self._ids = itertools.count(-1, -1)
        self._comments: dict[int, list[Comment]] = {}
        """Comments read from the forge, then edited here."""
        self._reviews: dict[int, list[Review]] = {}
        self._with_inline: set[int] = set()
        """PRs whose reviews were read with their inline comments."""
        self._review_comments: dict[int, list[Comment]] = {}
        self._mine: dict[int, list[Comment]] = {}
        self._my_reviews: dict[int, list[Review]] = {}
        self._my_review_comments: dict[int, list[Comment]] = {}
        """What this job posted: read back with what the forge holds, never read to post."""
        self._prs: dict[int, PullRequest] = {}
        self._tracking: dict[int, int] = {}
        """Issue or PR → index in ops of its tracking operation (one per number)."""
        self._labels: dict[int, dict[str, bool]] = {}
        self._added_first: dict[int, set[str]] = {}
        self._scopes: dict[int, str] = {}
        """Issue → the one task this job built: its tracking op carries only that task."""

    # reads ------------------------------------------------------------------------------
    def get_issue(self, number: int) -> Issue:
        return self.inner.get_issue(number)

    def get_pr(self, number: int, wait_mergeable: bool = False) -> PullRequest:
        known = self._prs.get(number)
        if known is None or (wait_mergeable and known.mergeable is None and number > 0):
            self._prs[number] = self.inner.get_pr(number, wait_mergeable)
        return self._prs[number]

    def find_pr(self, head: str) -> PullRequest | None:
        mine = [p for p in self._prs.values() if p.head == head and p.state == "open"]
        return mine[0] if mine else self.inner.find_pr(head)

    def comments(self, number: int) -> list[Comment]:
        if number not in self._comments:
            self._comments[number] = _clean(self.inner.comments(number) if number > 0 else [])
        return [*self._comments[number], *self._mine.get(number, [])]

    def reviews(self, pr: int, inline_comments: bool = True) -> list[Review]:
        if pr not in self._reviews or (inline_comments and pr not in self._with_inline):
            self._reviews[pr] = self.inner.reviews(pr, inline_comments) if pr > 0 else []
            if inline_comments:
                self._with_inline.add(pr)
        return [*self._reviews[pr], *self._my_reviews.get(pr, [])]

    def review_comments(self, pr: int) -> list[Comment]:
        if pr not in self._review_comments:
            self._review_comments[pr] = _clean(self.inner.review_comments(pr) if pr > 0
                                               else [])
        return [*self._review_comments[pr], *self._my_review_comments.get(pr, [])]

    def __getattr__(self, name: str) -> Any:
        if name in ("list_issues", "list_prs", "viewer"):
            return getattr(self.inner, name)
        raise AttributeError(name)

    # writes -----------------------------------------------------------------------------
    def create_issue(self, title: str, body: str, labels: Sequence[str] = ()) -> Issue:
        raise WorkFailed("a role job may not open issues")

    def _set_tracking(self, number: int, text: str) -> None:
        state = tracking.parse_state(text) or {}
        body = text[:text.index(tracking.MARKER)].rstrip() if tracking.MARKER in text else text
        op = TrackingOp(number=number, body=body, state=state, task=self._scopes.get(number))
        if number in self._tracking:
            self.ops[self._tracking[number]] = op
        else:
            self._tracking[number] = len(self.ops)
            self.ops.append(op)

    def post_comment(self, number: int, body: str) -> Comment:
        comment = Comment(id=next(self._ids), number=number, body=body, by_factory=True)
        self._mine.setdefault(number, []).append(comment)
        if tracking.MARKER in body:
            self._set_tracking(number, body)
        else:
            self.ops.append(CommentOp(number=number, body=body))
        return comment

    def track(self, number: int, body: str, state: dict[str, Any]) -> None:
        """Set number's tracking comment without reading it: the writer finds and edits it."""
        self._set_tracking(number, tracking.render(body, state))

    def edit_comment(self, comment_id: int, body: str) -> None:
        for number, comments in [*self._comments.items(), *self._mine.items()]:
            for index, comment in enumerate(comments):
                if comment.id == comment_id:
                    if not (comment.by_factory and tracking.MARKER in body):
                        raise WorkFailed("a role job may edit only its tracking comment")
                    comments[index] = replace(comment, body=body)
                    self._set_tracking(number, body)
                    return
        raise WorkFailed(f"comment {comment_id} was never read: cannot edit it")

    def set_labels(self, number: int, add: Sequence[str] = (), remove: Sequence[str] = ()) -> None:
        """Folded into one change per issue: a label this job added and then removed again
        (a phase it passed through) is neither added nor removed."""
        wanted = self._labels.setdefault(number, {})
        added_first = self._added_first.setdefault(number, set())
        for name in remove:
            if wanted.get(name) and name in added_first:
                del wanted[name]
            else:
                wanted[name] = False
        for name in add:
            if name not in wanted:
                added_first.add(name)
            wanted[name] = True

    def open_pr(self, head: str, base: str, title: str, body: str,
                draft: bool = False) -> PullRequest:
        """A placeholder PR the writer opens, or finds open already (so no request here)."""
        existing = next((p for p in self._prs.values() if p.head == head and p.state == "open"),
                        None)
        if existing is not None:
            return existing
        ref = next(self._ids)
        self.ops.append(OpenPrOp(ref=ref, head=head, base=base, title=title, body=body))
        self._prs[ref] = PullRequest(number=ref, title=title, body=body, head=head, base=base,
                                     draft=True)
        return self._prs[ref]

    def merge_pr(self, pr: int, message: str, sha: str | None = None) -> None:
        self.ops.append(MergeOp(number=pr, message=message, sha=sha))

    def close_issue(self, number: int) -> None:
        self.ops.append(CloseOp(number=number))

    def set_status(self, sha: str, state: str, context: str, description: str = "",
                   target_url: str | None = None) -> None:
        self.ops.append(StatusOp.model_validate({"sha": sha, "state": state, "context": context,
                                                 "description": description}))

    def post_review(self, pr: int, commit: str | None, body: str, verdict: Verdict,
                    comments: Sequence[InlineComment] = ()) -> Review:
        review_id = next(self._ids)
        inline = [InlineOp(path=c.path, line=c.line, body=c.body, ref=next(self._ids))
                  for c in comments]
        self.ops.append(ReviewOp(number=pr, commit=commit, body=body, verdict=verdict,
                                 comments=inline))
        review = Review(id=review_id, pr=pr, commit=commit, verdict=verdict, body=body,
                        comments=tuple(comments))
        self._my_reviews.setdefault(pr, []).append(review)
        self._my_review_comments.setdefault(pr, []).extend(
            Comment(id=c.ref or 0, number=pr, body=c.body, path=c.path, line=c.line,
                    review_id=review_id, by_factory=True) for c in inline)
        return review

    def reply_to_review_comment(self, pr: int, comment_id: int, body: str) -> Comment:
        parent = next((c for c in self.review_comments(pr) if c.id == comment_id), None)
        reply = Comment(id=next(self._ids), number=pr, body=body, in_reply_to=comment_id,
                        path=parent.path if parent else None,
                        line=parent.line if parent else None, by_factory=True)
        self._my_review_comments.setdefault(pr, []).append(reply)
        self.ops.append(ReplyOp(number=pr, comment_id=comment_id, body=body))
        return reply

    # job-only operations ----------------------------------------------------------------
    def scope(self, number: int, task: str) -> None:
        """This job builds only task of issue number: its state is merged, not replaced."""
        self._scopes[number] = task

    def dispatch(self, command: str, number: int, key: str | None = None) -> None:
        self.ops.append(DispatchOp.model_validate({"command": command, "number": number,
                                                   "key": key}))

    def propose_lessons(self, pr: int, lessons: list[dict[str, Any]]) -> None:
        self.ops.append(LessonsOp(pr=pr, lessons=lessons))

    def operations(self) -> list[Operation]:
        """Every write, label changes folded into one operation per issue or PR."""
        labels: list[Operation] = [
            LabelsOp(number=number, add=sorted(n for n, on in wanted.items() if on),
                     remove=sorted(n for n, on in wanted.items() if not on))
            for number, wanted in self._labels.items() if wanted]
        return [*self.ops, *labels]
