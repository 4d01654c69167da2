"""The lesson store: `.factory/lessons.jsonl` is the truth, the Qdrant index follows it."""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import logging
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from pipeline.config.settings import Config
from pipeline.core.errors import BadInput, FactoryError
from pipeline.memory import index as qindex
from pipeline.memory.embed import make_embedder
from pipeline.memory.lesson import LESSONS_FILE, Lesson, parse_lines, to_line, write_file
from pipeline.memory.lock import DEFAULT_TIMEOUT_S, StoreLock
from pipeline.memory.ranking import PATH_BOOST, touches, weight
from pipeline.memory.sanitize import clean_lesson, clean_text

if TYPE_CHECKING:
    from qdrant_client import QdrantClient

STORAGE_DIR = Path(".factory") / "memory"
LOCK_FILE = Path(".factory") / "memory.lock"
EMBEDDED_COLLECTION = "lessons"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScoredLesson:
    lesson: Lesson
    score: float


def collection_name(repo: Path, url: str | None) -> str:
    """Embedded: one store per checkout. A shared server: one collection per repository."""
    override = os.environ.get("FACTORY_MEMORY_COLLECTION")
    if override:
        return override
    if not url:
        return EMBEDDED_COLLECTION
    slug = os.environ.get("GITHUB_REPOSITORY") or repo.resolve().name
    return "lessons_" + re.sub(r"[^A-Za-z0-9]+", "_", slug).strip("_").lower()


class LessonStore:
    """Open with `open_store`; every method runs under the store's lock."""

    def __init__(self, repo: Path, config: Config, *, lock_timeout: float = DEFAULT_TIMEOUT_S
                 ) -> None:
        self.repo = repo
        self.path = repo / LESSONS_FILE
        self.url = config.memory.url
        self._lock = StoreLock(repo / LOCK_FILE, lock_timeout)
        self._embedder_spec = config.memory.embedding
        self._lessons: dict[str, Lesson] = {}
        self._index: qindex.LessonIndex | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def open(self) -> LessonStore:
        self._lock.acquire()
        try:
            self._lessons = {x.id: x for x in self._read()}
            self._index = self._connect()
            if not self._index_is_current():
                self.rebuild()
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        if self._index is not None:
            self._index.client.close()
            self._index = None
        self._lock.release()

    def __enter__(self) -> LessonStore:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _read(self) -> list[Lesson]:
        if not self.path.exists():
            return []
        return parse_lines(self.path.read_text(encoding="utf-8"), str(self.path))

    def _connect(self) -> qindex.LessonIndex:
        embedder = make_embedder(self._embedder_spec)
        name = collection_name(self.repo, self.url)
        if self.url:
            try:
                client = qindex.connect(None, self.url, os.environ.get("QDRANT_API_KEY"))
                index = qindex.LessonIndex(client, name, embedder)
                index.metadata()
            except FactoryError:
                raise
            except Exception as exc:
                raise FactoryError(f"cannot use Qdrant at {self.url}: {exc}") from None
            return index
        storage = self.repo / STORAGE_DIR
        local: QdrantClient | None = None
        try:
            local = qindex.connect(storage, None, None)
            index = qindex.LessonIndex(local, name, embedder)
            index.metadata()
            return index
        except Exception as exc:
            # A corrupt embedded index is only a cache of the JSONL: start it afresh.
            log.warning("embedded lesson index at %s is unreadable (%s); rebuilding it",
                        storage, exc)
            if local is not None:
                with contextlib.suppress(Exception):
                    local.close()
            qindex.wipe_embedded(storage)
            return qindex.LessonIndex(qindex.connect(storage, None, None), name, embedder)

    def _fingerprint(self, text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    def _index_is_current(self) -> bool:
        meta = self.index.metadata()
        if not meta:
            return False
        text = self.path.read_text(encoding="utf-8") if self.path.exists() else ""
        return (meta.get("schema") == qindex.SCHEMA
                and meta.get("embedder") == self.index.embedder_name
                and meta.get("fingerprint") == self._fingerprint(text)
                and self.index.count() == len(self._lessons))

    @property
    def index(self) -> qindex.LessonIndex:
        if self._index is None:
            raise FactoryError("the lesson store is not open (use open_store)")
        return self._index

    def _save(self, changed: Sequence[Lesson]) -> None:
        """Write the JSONL atomically, then the index; a crash between them is healed on open."""
        write_file(self.path, list(self._lessons.values()))
        text = self.export()
        if changed:
            self.index.upsert(changed)
        self.index.set_fingerprint(self._fingerprint(text))

    # -- reading ---------------------------------------------------------------------------

    def get(self, lesson_id: str) -> Lesson | None:
        return self._lessons.get(lesson_id)

    def resolve(self, prefix: str) -> Lesson:
        """A lesson by id or unique id prefix; BadInput when none or several match."""
        if prefix in self._lessons:
            return self._lessons[prefix]
        found = [x for x in self._lessons.values() if x.id.startswith(prefix)]
        if len(found) != 1:
            what = "no lesson" if not found else f"{len(found)} lessons"
            raise BadInput(f"{what} with id {prefix!r}")
        return found[0]

    def list(self, *, status: str | None = "active", kinds: Iterable[str] | None = None,
             tag: str | None = None, path: str | None = None, repo: str | None = None
             ) -> builtins.list[Lesson]:
        """Lessons in file order; `status=None` lists every status."""
        wanted = set(kinds) if kinds else None
        return [x for x in self._lessons.values()
                if (status is None or x.status == status)
                and (wanted is None or x.kind in wanted)
                and (tag is None or tag in x.tags)
                and (path is None or touches(x, [path]))
                and (repo is None or x.source.repo == repo)]

    def search(self, query: str, *, paths: Sequence[str] = (), k: int = 5,
               kinds: Iterable[str] | None = None, include_inactive: bool = False,
               repo: str | None = None) -> builtins.list[ScoredLesson]:
        """Best lessons for a task: hybrid retrieval, then each lesson's record and paths."""
        if k <= 0:
            return []
        text = " ".join([query, *paths])
        hits = self.index.search(text, limit=max(4 * k, 20), kinds=kinds, repo=repo,
                                 include_inactive=include_inactive)
        now = datetime.now(UTC)
        scored: list[ScoredLesson] = []
        for hit in hits:
            lesson = self._lessons.get(hit.lesson_id)
            if lesson is None:
                continue
            score = hit.score * weight(lesson, now)
            if paths and touches(lesson, paths):
                score *= PATH_BOOST
            scored.append(ScoredLesson(lesson, round(score, 6)))
        scored.sort(key=lambda s: -s.score)
        return scored[:k]

    def export(self) -> str:
        return "".join(to_line(x) for x in self._lessons.values())

    def stats(self) -> dict[str, Any]:
        lessons = list(self._lessons.values())
        return {
            "lessons": len(lessons),
            "by_status": dict(Counter(x.status for x in lessons)),
            "by_kind": dict(Counter(x.kind for x in lessons)),
            "uses": sum(x.uses for x in lessons),
            "helpful": sum(x.helpful for x in lessons),
            "harmful": sum(x.harmful for x in lessons),
            "indexed": self.index.count(),
            "embedder": self.index.embedder_name,
            "backend": self.url or str(self.repo / STORAGE_DIR),
            "collection": self.index.name,
            "file": str(self.path),
        }

    # -- writing ---------------------------------------------------------------------------

    def add(self, lessons: Iterable[Lesson]) -> builtins.list[str]:
        """Clean, validate and store new lessons; ids already known (any status) add nothing."""
        fresh: list[Lesson] = []
        seen: set[str] = set()
        for lesson in lessons:
            try:
                cleaned = clean_lesson(lesson)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"]) or "lesson"
                raise BadInput(f"lesson {lesson.id or lesson.trigger[:40]!r}: {where}: "
                               f"{first['msg']}") from None
            if cleaned.id in self._lessons or cleaned.id in seen:
                continue
            seen.add(cleaned.id)
            fresh.append(cleaned)
        if fresh:
            self._lessons.update((x.id, x) for x in fresh)
            self._save(fresh)
        return [x.id for x in fresh]

    def import_lines(self, text: str, source: str) -> builtins.list[str]:
        """Lessons from another repository's JSONL: all valid, or BadInput and nothing written."""
        return self.add(parse_lines(text, source))

    def update(self, lessons: Sequence[Lesson]) -> None:
        """Replace known lessons with changed versions of themselves (counters, status)."""
        for lesson in lessons:
            if lesson.id not in self._lessons:
                raise BadInput(f"no lesson with id {lesson.id!r}")
        changed = [clean_lesson(x) for x in lessons]
        for lesson in changed:
            self._lessons[lesson.id] = lesson
        if changed:
            self._save(changed)

    def forget(self, lesson_id: str, reason: str) -> Lesson:
        """Retire a lesson: out of retrieval, kept in the file with the reason."""
        if not reason.strip():
            raise BadInput("forgetting a lesson needs a reason")
        lesson = self.resolve(lesson_id).model_copy(
            update={"status": "retired", "status_reason": clean_text(reason)})
        self.update([lesson])
        return lesson

    def supersede(self, old_id: str, new_id: str, reason: str) -> Lesson:
        """Mark old as replaced by new (a contradiction settled explicitly)."""
        new = self.resolve(new_id)
        old = self.resolve(old_id)
        if old.id == new.id:
            raise BadInput("a lesson cannot supersede itself")
        updated = old.model_copy(update={"status": "superseded", "superseded_by": new.id,
                                         "status_reason": clean_text(reason)})
        self.update([updated])
        return updated

    def record_outcome(self, ids: Iterable[str], helpful: bool) -> None:
        """Credit lessons that were in a run's prompt with how the run went."""
        changed: builtins.list[Lesson] = []
        for lesson_id in dict.fromkeys(ids):
            lesson = self._lessons.get(lesson_id)
            if lesson is None:
                continue
            field = "helpful" if helpful else "harmful"
            changed.append(lesson.model_copy(update={
                "uses": lesson.uses + 1, field: getattr(lesson, field) + 1}))
        self.update(changed)

    def rebuild(self) -> int:
        """Recreate the index from the JSONL alone; returns the number of lessons indexed."""
        self._lessons = {x.id: x for x in self._read()}
        self.index.recreate()
        self.index.upsert(list(self._lessons.values()))
        text = self.path.read_text(encoding="utf-8") if self.path.exists() else ""
        self.index.set_fingerprint(self._fingerprint(text))
        return len(self._lessons)


def open_store(repo: Path, config: Config, *, lock_timeout: float = DEFAULT_TIMEOUT_S
               ) -> LessonStore:
    """The store for repo, opened (locked, index checked against the JSONL): use as `with`."""
    return LessonStore(repo, config, lock_timeout=lock_timeout).open()
