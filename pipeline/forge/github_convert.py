"""GitHub JSON → the forge's plain records, and the hidden markers the factory signs with."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

from pipeline.forge import tracking
from pipeline.forge.types import Comment, InlineComment, Issue, PullRequest, Review, Verdict

MARK = "<!-- factory -->"
"""Appended to everything the factory posts, so its own text never triggers it again."""
_ANY_MARK = re.compile(r"<!-- factory[ :]")
_HIDDEN = re.compile(r"<!--.*?-->", re.DOTALL)
_VERDICT = re.compile(r"<!-- factory:verdict (approve|changes|comment) -->")
_STATES: dict[str, Verdict] = {"APPROVED": "approve", "CHANGES_REQUESTED": "changes"}


def raw(obj: Any) -> dict[str, Any]:
    """The JSON PyGithub parsed; read directly because its attributes lazily fetch the object
    again whenever a field is missing from a list response, costing one request per item."""
    return cast(dict[str, Any], obj._rawData)


def has_mark(body: str | None) -> bool:
    return bool(body and _ANY_MARK.search(body))


def marked(body: str) -> str:
    return body if has_mark(body) else f"{body.rstrip()}\n\n{MARK}"


def unmarked(body: str) -> str:
    return body.replace(MARK, "").rstrip()


def with_verdict(body: str, verdict: Verdict) -> str:
    return f"{body.rstrip()}\n\n<!-- factory:verdict {verdict} -->"


UNPLACED_CHARS = 20_000
"""Room for the text of inline comments moved into a review's body (GitHub allows 65,536)."""


def with_unplaced(body: str, comments: Sequence[InlineComment], reason: str) -> str:
    """body, then the inline comments GitHub would not place on the diff, as text."""
    if not comments:
        return body
    lines = [f"GitHub could not place {len(comments)} comment(s) on the diff ({reason}); "
             "here they are:"]
    lines += [f"- `{c.path}:{c.line}`: {' '.join(_HIDDEN.sub('', c.body).split())}"
              for c in comments]
    moved = "\n".join(lines)
    if len(moved) > UNPLACED_CHARS:
        moved = moved[:UNPLACED_CHARS] + " …"
    before, marker, after = body.partition(f"\n\n{tracking.MARKER}")
    return f"{before.rstrip()}\n\n{moved}{marker}{after}"


def is_factory(data: Mapping[str, Any], viewer: str | None) -> bool:
    """Signed by the factory, and written by its identity (a Bot when /user is closed to it)."""
    user = data.get("user") or {}
    if not has_mark(data.get("body")):
        return False
    return user.get("login") == viewer if viewer else user.get("type") == "Bot"


def _labels(data: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(label["name"] if isinstance(label, dict) else str(label)
                 for label in data.get("labels") or ())


def issue(data: Mapping[str, Any]) -> Issue:
    return Issue(number=data["number"], title=data["title"], body=data.get("body") or "",
                 labels=_labels(data), state=data.get("state", "open"),
                 author=(data.get("user") or {}).get("login"),
                 author_association=data.get("author_association"))


def comment(data: Mapping[str, Any], number: int, by_factory: bool) -> Comment:
    return Comment(id=data["id"], number=number, body=data.get("body") or "",
                   author=(data.get("user") or {}).get("login"), path=data.get("path"),
                   line=data.get("line") or data.get("original_line"),
                   in_reply_to=data.get("in_reply_to_id"),
                   review_id=data.get("pull_request_review_id"), by_factory=by_factory,
                   author_association=data.get("author_association"))


def pull(data: Mapping[str, Any]) -> PullRequest:
    return PullRequest(number=data["number"], title=data["title"], body=data.get("body") or "",
                       head=data["head"]["ref"], base=data["base"]["ref"],
                       head_sha=data["head"].get("sha"), state=data.get("state", "open"),
                       merged=bool(data.get("merged") or data.get("merged_at")),
                       draft=bool(data.get("draft")), labels=_labels(data),
                       mergeable=data.get("mergeable"), mergeable_state=data.get("mergeable_state"))


def review(data: Mapping[str, Any], pr: int, comments: tuple[InlineComment, ...],
           trusted: bool) -> Review:
    """trusted: written by the factory, so its verdict marker counts (anyone may write one)."""
    body = data.get("body") or ""
    marker = _VERDICT.search(body) if trusted else None
    verdict: Verdict = (cast(Verdict, marker.group(1)) if marker
                        else _STATES.get(data.get("state", ""), "comment"))
    text = unmarked(_VERDICT.sub("", body))
    return Review(id=data["id"], pr=pr, commit=data.get("commit_id"), verdict=verdict,
                  body=text, author=(data.get("user") or {}).get("login"), comments=comments,
                  author_association=data.get("author_association"), by_factory=trusted)
