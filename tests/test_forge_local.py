from __future__ import annotations

import threading
from pathlib import Path

import pytest

from pipeline.core.errors import BadInput
from pipeline.forge import tracking
from pipeline.forge.local import LocalForge
from pipeline.forge.types import InlineComment


@pytest.fixture
def forge(tmp_path: Path) -> LocalForge:
    return LocalForge(tmp_path / "forge.db")


def test_issues_and_prs_share_numbers(forge: LocalForge) -> None:
    issue = forge.create_issue("Add x", "body", ["factory"])
    pr = forge.open_pr("factory/issue-1", "main", "x", "spec")
    assert (issue.number, pr.number) == (1, 2)
    with pytest.raises(BadInput, match="no pull request #1"):
        forge.get_pr(1)


def test_open_pr_is_idempotent_per_head(forge: LocalForge) -> None:
    first = forge.open_pr("factory/issue-1", "main", "x", "spec", draft=True)
    again = forge.open_pr("factory/issue-1", "main", "x", "spec")
    assert first == again and first.draft
    forge.merge_pr(first.number, "done")
    assert forge.get_pr(first.number).merged and forge.find_pr("factory/issue-1") is not None


def test_labels_have_no_duplicates(forge: LocalForge) -> None:
    forge.create_issue("t", "b", ["factory"])
    forge.set_labels(1, add=["factory:planning", "factory"])
    forge.set_labels(1, add=["factory:building"], remove=["factory:planning"])
    assert forge.get_issue(1).labels == ("factory", "factory:building")


def test_tracking_comment_is_edited_in_place(forge: LocalForge) -> None:
    forge.create_issue("t", "b")
    forge.post_comment(1, "a person's comment", author="alice")
    tracking.upsert(forge, 1, "phase: planning", {"phase": "planning"})
    tracking.upsert(forge, 1, "phase: building", {"phase": "building", "note": "a -- b"})
    tracking.upsert(forge, 1, "phase: building", {"phase": "building", "note": "a -- b"})
    ours = [c for c in forge.comments(1) if c.by_factory]
    assert len(ours) == 1 and "phase: building" in ours[0].body
    assert tracking.read_state(forge, 1) == {"phase": "building", "note": "a -- b"}
    assert "--" not in ours[0].body.split("<!--", 1)[1].rsplit("-->", 1)[0]


def test_reviews_keep_their_inline_comments_and_replies(forge: LocalForge) -> None:
    pr = forge.open_pr("factory/issue-1", "main", "x", "spec")
    review = forge.post_review(pr.number, "abc123", "summary", "changes",
                               [InlineComment("a.py", 3, "off by one")])
    [stored] = forge.reviews(pr.number)
    assert stored.comments == (InlineComment("a.py", 3, "off by one"),)
    assert stored.id == review.id and stored.commit == "abc123"
    [inline] = forge.review_comments(pr.number)
    reply = forge.reply_to_review_comment(pr.number, inline.id, "fixed in def456")
    assert reply.in_reply_to == inline.id and reply.path == "a.py"
    assert forge.comments(pr.number) == []


def test_concurrent_writers_lose_nothing(forge: LocalForge) -> None:
    forge.create_issue("t", "b")
    threads = [threading.Thread(target=lambda i=i: forge.post_comment(1, f"c{i}"))
               for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(c.body for c in forge.comments(1)) == sorted(f"c{i}" for i in range(20))
