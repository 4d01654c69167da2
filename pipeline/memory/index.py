"""The Qdrant index over the lessons: one code path for embedded and server Qdrant.

Active lessons live in one collection and inactive ones in an archive beside it, so the common
search needs no status filter (embedded Qdrant evaluates filters point by point in Python).
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pipeline.core.errors import FactoryError
from pipeline.memory.embed import Embedder
from pipeline.memory.lesson import Lesson
from pipeline.memory.sparse import Sparse, encode_document, encode_query

if TYPE_CHECKING:
    from qdrant_client import QdrantClient

SCHEMA = 1
SPARSE = "bm25"
DENSE = "dense"
BATCH = 256
# Evidence can be a long log; its head (the error) is what matches a later failure.
EVIDENCE_CHARS = 400
log = logging.getLogger(__name__)
_NAMESPACE = uuid.UUID("6f1d3c2e-8a4b-5c6d-9e0f-a1b2c3d4e5f6")


def point_id(lesson_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, lesson_id))


def sparse_fields(lesson: Lesson) -> list[tuple[str, float]]:
    """What the sparse vector reads, and how much: the situation and tags count double."""
    return [(lesson.trigger, 2.0), (" ".join(lesson.tags), 2.0), (lesson.insight, 1.0),
            (" ".join(lesson.paths), 1.0), (lesson.evidence[:EVIDENCE_CHARS], 0.5)]


def dense_text(lesson: Lesson) -> str:
    return f"{lesson.trigger}\n{lesson.insight}\n{' '.join(lesson.tags)}"


def connect(storage: Path | None, url: str | None, api_key: str | None) -> QdrantClient:
    """A server when url is set, else embedded under storage."""
    from qdrant_client import QdrantClient

    if url:
        return QdrantClient(url=url, api_key=api_key or None)
    assert storage is not None
    storage.mkdir(parents=True, exist_ok=True)
    return QdrantClient(path=str(storage))


def wipe_embedded(storage: Path) -> None:
    shutil.rmtree(storage, ignore_errors=True)


@dataclass(frozen=True)
class Hit:
    lesson_id: str
    score: float


class LessonIndex:
    def __init__(self, client: QdrantClient, name: str, embedder: Embedder | None) -> None:
        self.client = client
        self.name = name
        self.archive = f"{name}_archive"
        self.embedder = embedder

    @property
    def embedder_name(self) -> str:
        return self.embedder.name if self.embedder else "none"

    def metadata(self) -> dict[str, Any] | None:
        """The stored metadata, or None when the index is missing or half-made."""
        if not (self.client.collection_exists(self.name)
                and self.client.collection_exists(self.archive)):
            return None
        meta = self.client.get_collection(self.name).config.metadata
        return dict(meta) if meta else None

    def set_fingerprint(self, fingerprint: str) -> None:
        self.client.update_collection(self.name, metadata={
            "schema": SCHEMA, "embedder": self.embedder_name, "fingerprint": fingerprint})

    def count(self) -> int:
        return sum(self.client.count(name, exact=True).count for name in (self.name, self.archive))

    def recreate(self) -> None:
        from qdrant_client import models

        dense: dict[str, models.VectorParams] = {}
        if self.embedder is not None:
            size = len(self.embedder.embed(["probe"])[0])
            dense[DENSE] = models.VectorParams(size=size, distance=models.Distance.COSINE)
        for name in (self.name, self.archive):
            if self.client.collection_exists(name):
                self.client.delete_collection(name)
            self.client.create_collection(
                name, vectors_config=dense,
                sparse_vectors_config={SPARSE: models.SparseVectorParams(
                    modifier=models.Modifier.IDF)},
                metadata={"schema": SCHEMA, "embedder": self.embedder_name, "fingerprint": ""})

    def upsert(self, lessons: Sequence[Lesson]) -> None:
        """Index lessons (new or changed): each in the collection its status belongs to."""
        from qdrant_client import models

        for start in range(0, len(lessons), BATCH):
            batch = lessons[start:start + BATCH]
            dense = self.embedder.embed([dense_text(x) for x in batch]) if self.embedder else None
            points: dict[str, list[models.PointStruct]] = {self.name: [], self.archive: []}
            for position, lesson in enumerate(batch):
                sparse = encode_document(sparse_fields(lesson))
                vectors: dict[str, Any] = {SPARSE: models.SparseVector(
                    indices=sparse.indices, values=sparse.values)}
                if dense is not None:
                    vectors[DENSE] = dense[position]
                home = self.name if lesson.status == "active" else self.archive
                points[home].append(models.PointStruct(
                    id=point_id(lesson.id), vector=vectors, payload=_payload(lesson)))
            for home, items in points.items():
                other = self.archive if home == self.name else self.name
                if items:
                    self.client.delete(other, models.PointIdsList(points=[p.id for p in items]))
                    self.client.upsert(home, items)

    def search(self, text: str, *, limit: int, kinds: Iterable[str] | None = None,
               repo: str | None = None, include_inactive: bool = False,
               mode: Literal["hybrid", "sparse", "dense"] = "hybrid") -> list[Hit]:
        """Hybrid (RRF) when there is an embedder; `mode` narrows it for measurements."""
        sparse = encode_query(text) if mode != "dense" else Sparse([], [])
        use_dense = self.embedder is not None and mode != "sparse" and bool(text.strip())
        dense = self._embed_query(text) if use_dense else None
        if not sparse.indices and dense is None:
            return []
        names = [self.name, self.archive] if include_inactive else [self.name]
        hits = [hit for name in names
                for hit in self._query(name, sparse, dense, limit, _filter(kinds, repo))]
        hits.sort(key=lambda hit: -hit.score)
        return hits[:limit]

    def _embed_query(self, text: str) -> list[float] | None:
        """The query's dense vector; None (sparse only) when the embedder fails, so a role
        still gets its lessons while the embedding service is down."""
        assert self.embedder is not None
        try:
            return self.embedder.embed([text])[0]
        except FactoryError as exc:
            log.warning("dense retrieval skipped: %s", exc)
            return None

    def _query(self, name: str, sparse: Sparse, dense: list[float] | None, limit: int,
               where: Any) -> list[Hit]:
        from qdrant_client import models

        sparse_query = models.SparseVector(indices=sparse.indices, values=sparse.values)
        if dense is None:
            result = self.client.query_points(name, query=sparse_query, using=SPARSE,
                                              query_filter=where, limit=limit)
        elif not sparse.indices:
            result = self.client.query_points(name, query=dense, using=DENSE,
                                              query_filter=where, limit=limit)
        else:
            depth = max(limit * 4, 20)
            result = self.client.query_points(
                name,
                prefetch=[models.Prefetch(query=sparse_query, using=SPARSE, filter=where,
                                          limit=depth),
                          models.Prefetch(query=dense, using=DENSE, filter=where, limit=depth)],
                query=models.FusionQuery(fusion=models.Fusion.RRF), limit=limit)
        return [Hit(str((p.payload or {})["lesson_id"]), float(p.score)) for p in result.points]


def _payload(lesson: Lesson) -> dict[str, Any]:
    return {"lesson_id": lesson.id, "status": lesson.status, "kind": lesson.kind,
            "paths": lesson.paths, "tags": lesson.tags, "repo": lesson.source.repo}


def _filter(kinds: Iterable[str] | None, repo: str | None) -> Any:
    from qdrant_client import models

    must: list[models.Condition] = []
    if kinds:
        must.append(models.FieldCondition(key="kind", match=models.MatchAny(any=list(kinds))))
    if repo:
        must.append(models.FieldCondition(key="repo", match=models.MatchValue(value=repo)))
    return models.Filter(must=must) if must else None
