"""Retrieval quality on the labelled set in data/: realistic lessons and task-like queries."""

from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.memory.store import open_store

RECALL_AT_5_FLOOR = 0.90
MRR_FLOOR = 0.80


def test_sparse_retrieval_meets_the_recall_floor(repo: Path, config: Config,
                                                 labelled: Any) -> None:
    recall = reciprocal = 0.0
    misses = []
    with open_store(repo, config) as store:
        assert len(store.add(labelled.lessons)) >= 40
        for query in labelled.queries:
            found = [labelled.key_of[s.lesson.id]
                     for s in store.search(query.text, paths=query.paths, k=5)]
            hits = [key for key in query.expected if key in found]
            recall += len(hits) / len(query.expected)
            ranks = [found.index(key) + 1 for key in hits]
            reciprocal += 1 / min(ranks) if ranks else 0.0
            if len(hits) < len(query.expected):
                misses.append((query.text, query.expected, found))
    count = len(labelled.queries)
    assert count >= 30
    assert recall / count >= RECALL_AT_5_FLOOR, misses
    assert reciprocal / count >= MRR_FLOOR, misses
