"""The embedded forge: issues, PRs, comments and reviews in SQLite under .factory/.

Numbers are shared by issues and PRs, as on GitHub. Safe to use from several threads.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pipeline.core.errors import BadInput
from pipeline.forge.types import Comment, InlineComment, Issue, PullRequest, Review, Verdict

FACTORY_AUTHOR = "dark-factory[bot]"
SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    number INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('issue', 'pr')),
    title TEXT NOT NULL, body TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'open',
    labels TEXT NOT NULL DEFAULT '[]', author TEXT,
    head TEXT, base TEXT, head_sha TEXT, merged INTEGER NOT NULL DEFAULT 0,
    draft INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number INTEGER NOT NULL REFERENCES items(number),
    body TEXT NOT NULL, author TEXT, path TEXT, line INTEGER, in_reply_to INTEGER,
    review_id INTEGER,
    created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pr INTEGER NOT NULL REFERENCES items(number),
    sha TEXT, verdict TEXT NOT NULL, body TEXT NOT NULL, author TEXT,
    created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
"""


class LocalForge:
    """Implements protocols.Forge on one SQLite file."""

    def __init__(self, path: Path, author: str = FACTORY_AUTHOR) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.author = author
        self._lock = threading.Lock()
        with self._db() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = sqlite3.connect(self.path, timeout=30)
            db.row_factory = sqlite3.Row
            try:
                db.execute("PRAGMA journal_mode=WAL")
                with db:
                    yield db
            finally:
                db.close()

    def _row(self, number: int, kind: str) -> sqlite3.Row:
        with self._db() as db:
            row = db.execute("SELECT * FROM items WHERE number = ?", (number,)).fetchone()
        if row is None or row["kind"] != kind:
            raise BadInput(f"there is no {'issue' if kind == 'issue' else 'pull request'} "
                           f"#{number} in the local forge: `factory status` lists them")
        return row

    @staticmethod
    def _issue(row: sqlite3.Row) -> Issue:
        return Issue(number=row["number"], title=row["title"], body=row["body"],
                     labels=tuple(json.loads(row["labels"])), state=row["state"],
                     author=row["author"], author_association="OWNER")

    @staticmethod
    def _pr(row: sqlite3.Row) -> PullRequest:
        return PullRequest(number=row["number"], title=row["title"], body=row["body"],
                           head=row["head"], base=row["base"], head_sha=row["head_sha"],
                           state=row["state"], merged=bool(row["merged"]),
                           draft=bool(row["draft"]), labels=tuple(json.loads(row["labels"])))

    def _comment(self, row: sqlite3.Row) -> Comment:
        return Comment(id=row["id"], number=row["number"], body=row["body"], author=row["author"],
                       path=row["path"], line=row["line"], in_reply_to=row["in_reply_to"],
                       review_id=row["review_id"], by_factory=row["author"] == self.author,
                       author_association="OWNER")

    # issues -----------------------------------------------------------------------------
    def create_issue(self, title: str, body: str, labels: Sequence[str] = (),
                     author: str | None = None) -> Issue:
        with self._db() as db:
            cursor = db.execute(
                "INSERT INTO items (kind, title, body, labels, author) VALUES ('issue', ?, ?, ?, ?)",
                (title, body, json.dumps(sorted(set(labels))), author or "local-user"))
            number = cursor.lastrowid
        assert number is not None
        return self.get_issue(number)

    def get_issue(self, number: int) -> Issue:
        return self._issue(self._row(number, "issue"))

    def list_issues(self, labels: Sequence[str] = (), state: str = "all") -> list[Issue]:
        """Issues in state (`open`, `closed`, `all`) carrying every label given."""
        with self._db() as db:
            rows = db.execute("SELECT * FROM items WHERE kind = 'issue' ORDER BY number").fetchall()
        issues = [self._issue(row) for row in rows]
        return [i for i in issues if state in ("all", i.state) and set(labels) <= set(i.labels)]

    def edit_issue(self, number: int, *, title: str | None = None, body: str | None = None) -> None:
        self._row(number, "issue")
        with self._db() as db:
            if title is not None:
                db.execute("UPDATE items SET title = ? WHERE number = ?", (title, number))
            if body is not None:
                db.execute("UPDATE items SET body = ? WHERE number = ?", (body, number))

    def close_issue(self, number: int) -> None:
        with self._db() as db:
            db.execute("UPDATE items SET state = 'closed' WHERE number = ?", (number,))

    def set_labels(self, number: int, add: Sequence[str] = (), remove: Sequence[str] = ()) -> None:
        with self._db() as db:
            row = db.execute("SELECT labels FROM items WHERE number = ?", (number,)).fetchone()
            if row is None:
                raise BadInput(f"there is no issue or pull request #{number}")
            labels = (set(json.loads(row["labels"])) - set(remove)) | set(add)
            db.execute("UPDATE items SET labels = ? WHERE number = ?",
                       (json.dumps(sorted(labels)), number))

    # comments ---------------------------------------------------------------------------
    def comments(self, number: int) -> list[Comment]:
        with self._db() as db:
            rows = db.execute("SELECT * FROM comments WHERE number = ? AND path IS NULL "
                              "AND review_id IS NULL ORDER BY id", (number,)).fetchall()
        return [self._comment(row) for row in rows]

    def post_comment(self, number: int, body: str, author: str | None = None) -> Comment:
        with self._db() as db:
            cursor = db.execute("INSERT INTO comments (number, body, author) VALUES (?, ?, ?)",
                                (number, body, author or self.author))
            row = db.execute("SELECT * FROM comments WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return self._comment(row)

    def edit_comment(self, comment_id: int, body: str) -> None:
        with self._db() as db:
            db.execute("UPDATE comments SET body = ? WHERE id = ?", (body, comment_id))

    # pull requests ----------------------------------------------------------------------
    def open_pr(self, head: str, base: str, title: str, body: str,
                draft: bool = False) -> PullRequest:
        existing = self.find_pr(head)
        if existing is not None and existing.state == "open":
            return existing
        with self._db() as db:
            cursor = db.execute(
                "INSERT INTO items (kind, title, body, head, base, draft, author) "
                "VALUES ('pr', ?, ?, ?, ?, ?, ?)", (title, body, head, base, int(draft), self.author))
            number = cursor.lastrowid
        assert number is not None
        return self.get_pr(number)

    def get_pr(self, number: int, wait_mergeable: bool = False) -> PullRequest:
        """The PR (its mergeability unknown: the local flow merges with git itself)."""
        return self._pr(self._row(number, "pr"))

    def find_pr(self, head: str) -> PullRequest | None:
        with self._db() as db:
            row = db.execute("SELECT * FROM items WHERE kind = 'pr' AND head = ? "
                             "ORDER BY (state = 'open') DESC, number DESC LIMIT 1",
                             (head,)).fetchone()
        return self._pr(row) if row else None

    def list_prs(self) -> list[PullRequest]:
        with self._db() as db:
            rows = db.execute("SELECT * FROM items WHERE kind = 'pr' ORDER BY number").fetchall()
        return [self._pr(row) for row in rows]

    def set_head_sha(self, pr: int, sha: str) -> None:
        with self._db() as db:
            db.execute("UPDATE items SET head_sha = ? WHERE number = ?", (sha, pr))

    def merge_pr(self, pr: int, message: str, sha: str | None = None) -> None:
        with self._db() as db:
            db.execute("UPDATE items SET state = 'closed', merged = 1 WHERE number = ? "
                       "AND kind = 'pr'", (pr,))

    # reviews ----------------------------------------------------------------------------
    def post_review(self, pr: int, commit: str | None, body: str, verdict: Verdict,
                    comments: Sequence[InlineComment] = (), author: str | None = None) -> Review:
        self._row(pr, "pr")
        with self._db() as db:
            cursor = db.execute("INSERT INTO reviews (pr, sha, verdict, body, author) "
                                "VALUES (?, ?, ?, ?, ?)",
                                (pr, commit, verdict, body, author or self.author))
            review_id = cursor.lastrowid
            for inline in comments:
                db.execute("INSERT INTO comments (number, body, author, path, line, review_id) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           (pr, inline.body, author or self.author, inline.path, inline.line,
                            review_id))
        return Review(id=review_id or 0, pr=pr, commit=commit, verdict=verdict, body=body,
                      author=author or self.author, comments=tuple(comments))

    def reviews(self, pr: int, inline_comments: bool = True) -> list[Review]:
        with self._db() as db:
            rows = db.execute("SELECT * FROM reviews WHERE pr = ? ORDER BY id", (pr,)).fetchall()
            inline = db.execute("SELECT * FROM comments WHERE number = ? AND review_id IS NOT NULL "
                                "ORDER BY id", (pr,)).fetchall()
        by_review: dict[int, list[InlineComment]] = {}
        for row in inline:
            by_review.setdefault(row["review_id"], []).append(
                InlineComment(path=row["path"], line=row["line"], body=row["body"]))
        return [Review(id=row["id"], pr=row["pr"], commit=row["sha"], verdict=row["verdict"],
                       body=row["body"], author=row["author"], author_association="OWNER",
                       by_factory=row["author"] == self.author,
                       comments=tuple(by_review.get(row["id"], []))) for row in rows]

    def review_comments(self, pr: int) -> list[Comment]:
        with self._db() as db:
            rows = db.execute("SELECT * FROM comments WHERE number = ? AND "
                              "(path IS NOT NULL OR in_reply_to IS NOT NULL) ORDER BY id",
                              (pr,)).fetchall()
        return [self._comment(row) for row in rows]

    def reply_to_review_comment(self, pr: int, comment_id: int, body: str,
                                author: str | None = None) -> Comment:
        with self._db() as db:
            parent = db.execute("SELECT * FROM comments WHERE id = ? AND number = ?",
                                (comment_id, pr)).fetchone()
            if parent is None:
                raise BadInput(f"there is no review comment {comment_id} on #{pr}")
            cursor = db.execute(
                "INSERT INTO comments (number, body, author, path, line, in_reply_to) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (pr, body, author or self.author, parent["path"], parent["line"], comment_id))
            row = db.execute("SELECT * FROM comments WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return self._comment(row)


