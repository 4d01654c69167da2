"""The cost ledger: every model call, failed attempts included, in SQLite under .factory/."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

LEDGER_FILE = Path(".factory") / "ledger.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    day TEXT NOT NULL,
    run_id TEXT NOT NULL,
    issue INTEGER,
    role TEXT NOT NULL,
    task TEXT,
    model TEXT NOT NULL,
    input_tokens INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL,
    latency_s REAL NOT NULL,
    ok INTEGER NOT NULL,
    error TEXT,
    cacheable_prompt_tokens INTEGER NOT NULL,
    n_calls INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS calls_run ON calls (run_id);
CREATE INDEX IF NOT EXISTS calls_issue ON calls (issue);
CREATE INDEX IF NOT EXISTS calls_day ON calls (day);
CREATE TABLE IF NOT EXISTS lessons_used (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    run_id TEXT NOT NULL,
    role TEXT NOT NULL,
    task TEXT,
    lesson_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS lessons_used_run ON lessons_used (run_id);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    day TEXT NOT NULL,
    run_id TEXT NOT NULL,
    issue INTEGER,
    role TEXT NOT NULL,
    task TEXT,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_issue ON events (issue);
"""

_CALL_COLUMNS = (
    "ts, run_id, issue, role, task, model, input_tokens, cached_input_tokens, output_tokens, "
    "cost_usd, latency_s, ok, error, cacheable_prompt_tokens, n_calls"
)
_TOTALS = (
    "COALESCE(SUM(n_calls), 0) AS calls, COALESCE(SUM(n_calls * (1 - ok)), 0) AS failed, "
    "COALESCE(SUM(input_tokens), 0) AS input_tokens, "
    "COALESCE(SUM(cached_input_tokens), 0) AS cached_input_tokens, "
    "COALESCE(SUM(output_tokens), 0) AS output_tokens, "
    "COALESCE(SUM(cost_usd), 0.0) AS cost_usd, COALESCE(SUM(latency_s), 0.0) AS latency_s, "
    "COALESCE(SUM(cacheable_prompt_tokens), 0) AS cacheable_prompt_tokens"
)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Call:
    """One model call (or one failed attempt at one)."""

    run_id: str
    role: str
    model: str
    issue: int | None = None
    task: str | None = None
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    ok: bool = True
    error: str | None = None
    cacheable_prompt_tokens: int = 0
    """Prompt tokens in a prefix shared with the previous call (or system + tools at first)."""
    ts: datetime = field(default_factory=utc_now)
    id: int | None = None
    """Assigned by the ledger; None before the call is recorded."""
    n_calls: int = 1
    """How many calls the row stands for: more than one for a row another job recorded and
    this ledger absorbed (see persisted.py)."""


@dataclass(frozen=True)
class Event:
    """Something besides a call: a context reset (`reset`), a slice's end (`slice`)."""

    run_id: str
    role: str
    kind: str
    detail: str
    issue: int | None = None
    task: str | None = None
    ts: datetime = field(default_factory=utc_now)


@dataclass(frozen=True)
class Totals:
    """Sums over a set of calls."""

    calls: int = 0
    failed: int = 0
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    cacheable_prompt_tokens: int = 0

    @property
    def cacheable_fraction(self) -> float:
        """Share of the prompt tokens that sat in a cacheable prefix."""
        return self.cacheable_prompt_tokens / self.input_tokens if self.input_tokens else 0.0


@dataclass(frozen=True)
class LessonUse:
    run_id: str
    role: str
    task: str | None
    lesson_id: str
    ts: datetime


@dataclass(frozen=True)
class Scope:
    """Which calls a query covers; every field left None means all of them."""

    run_id: str | None = None
    issue: int | None = None
    day: date | None = None

    def where(self) -> tuple[str, list[object]]:
        clauses: list[str] = []
        params: list[object] = []
        if self.run_id is not None:
            clauses.append("run_id = ?")
            params.append(self.run_id)
        if self.issue is not None:
            clauses.append("issue = ?")
            params.append(self.issue)
        if self.day is not None:
            clauses.append("day = ?")
            params.append(self.day.isoformat())
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _totals(row: sqlite3.Row) -> Totals:
    return Totals(**{name: row[name] for name in Totals.__dataclass_fields__})


class Ledger:
    """SQLite in WAL mode, one connection per operation: safe across threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            columns = {row["name"] for row in db.execute("PRAGMA table_info(calls)")}
            if "n_calls" not in columns:  # a ledger written before rows could be absorbed
                db.execute("ALTER TABLE calls ADD COLUMN n_calls INTEGER NOT NULL DEFAULT 1")

    @classmethod
    def for_repo(cls, repo: Path) -> Ledger:
        return cls(repo / LEDGER_FILE)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30)) as db, db:
            db.row_factory = sqlite3.Row
            yield db

    def record(self, call: Call) -> Call:
        """Store one call; returns it with its id."""
        ts = call.ts.astimezone(UTC)
        with self._connect() as db:
            cursor = db.execute(
                f"INSERT INTO calls (day, {_CALL_COLUMNS}) VALUES ({', '.join('?' * 16)})",
                (
                    ts.date().isoformat(),
                    ts.isoformat(),
                    call.run_id,
                    call.issue,
                    call.role,
                    call.task,
                    call.model,
                    call.input_tokens,
                    call.cached_input_tokens,
                    call.output_tokens,
                    call.cost_usd,
                    call.latency_s,
                    int(call.ok),
                    call.error,
                    call.cacheable_prompt_tokens,
                    call.n_calls,
                ),
            )
        return replace(call, ts=ts, id=cursor.lastrowid)

    def record_lesson_used(self, run_id: str, role: str, task: str | None, lesson_id: str) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO lessons_used (ts, run_id, role, task, lesson_id) VALUES (?,?,?,?,?)",
                (utc_now().isoformat(), run_id, role, task, lesson_id),
            )

    def record_event(self, event: Event) -> None:
        ts = event.ts.astimezone(UTC)
        with self._connect() as db:
            db.execute("INSERT INTO events (ts, day, run_id, issue, role, task, kind, detail) "
                       "VALUES (?,?,?,?,?,?,?,?)",
                       (ts.isoformat(), ts.date().isoformat(), event.run_id, event.issue,
                        event.role, event.task, event.kind, event.detail))

    def events(self, scope: Scope | None = None, kind: str | None = None) -> list[Event]:
        where, params = (scope or Scope()).where()
        if kind is not None:
            where += (" AND " if where else " WHERE ") + "kind = ?"
            params.append(kind)
        with self._connect() as db:
            rows = db.execute("SELECT run_id, role, kind, detail, issue, task, ts FROM events"
                              f"{where} ORDER BY id", params).fetchall()
        return [Event(r["run_id"], r["role"], r["kind"], r["detail"], r["issue"], r["task"],
                      datetime.fromisoformat(r["ts"])) for r in rows]

    def lessons_used(self, run_id: str | None = None) -> list[LessonUse]:
        query = "SELECT run_id, role, task, lesson_id, ts FROM lessons_used"
        params: list[object] = []
        if run_id is not None:
            query += " WHERE run_id = ?"
            params.append(run_id)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY id", params).fetchall()
        return [
            LessonUse(
                r["run_id"], r["role"], r["task"], r["lesson_id"], datetime.fromisoformat(r["ts"])
            )
            for r in rows
        ]

    def totals(self, scope: Scope | None = None) -> Totals:
        where, params = (scope or Scope()).where()
        with self._connect() as db:
            return _totals(db.execute(f"SELECT {_TOTALS} FROM calls{where}", params).fetchone())

    def run_totals(self, run_id: str) -> Totals:
        return self.totals(Scope(run_id=run_id))

    def issue_totals(self, issue: int) -> Totals:
        return self.totals(Scope(issue=issue))

    def day_totals(self, day: date | None = None) -> Totals:
        """One UTC day; today unless given."""
        return self.totals(Scope(day=day or utc_now().date()))

    def by_role(self, scope: Scope | None = None) -> dict[str, Totals]:
        return self._grouped("role", scope)

    def by_model(self, scope: Scope | None = None) -> dict[str, Totals]:
        return self._grouped("model", scope)

    def _grouped(self, column: str, scope: Scope | None) -> dict[str, Totals]:
        where, params = (scope or Scope()).where()
        query = f"SELECT {column}, {_TOTALS} FROM calls{where} GROUP BY {column} ORDER BY {column}"
        with self._connect() as db:
            return {row[column]: _totals(row) for row in db.execute(query, params)}

    def calls(self, scope: Scope | None = None, *, limit: int | None = None) -> list[Call]:
        """Calls in the order they were recorded (the last `limit` of them when given)."""
        where, params = (scope or Scope()).where()
        query = f"SELECT id, {_CALL_COLUMNS} FROM calls{where} ORDER BY id"
        if limit is not None:
            query = f"SELECT * FROM ({query} DESC LIMIT ?) ORDER BY id"
            params.append(limit)
        with self._connect() as db:
            rows = db.execute(query, params).fetchall()
        return [_call(row) for row in rows]


def _call(row: sqlite3.Row) -> Call:
    values = dict(zip(row.keys(), row, strict=True))
    return Call(**{**values, "ts": datetime.fromisoformat(values["ts"]), "ok": bool(values["ok"])})
