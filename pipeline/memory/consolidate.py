"""Nightly consolidation: merge near-duplicates, settle contradictions, retire harmful lessons.

Nothing is deleted: a merged or contradicted lesson becomes `superseded` (pointing at the
lesson that replaces it), a harmful one `retired`, each with its `status_reason`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.config.settings import Config
from pipeline.memory.lesson import Lesson
from pipeline.memory.ranking import weight
from pipeline.memory.sparse import tokens

DUPLICATE_SIMILARITY = 0.6
TRIGGER_SIMILARITY = 0.6
# A contradiction talks about the same thing: some overlap beyond the situation itself.
CONTRADICTION_OVERLAP = 0.3
RETIRE_HARMFUL = 3
_NEGATION = re.compile(r"\b(?:not|never|don't|dont|do not|avoid|no longer|stop|without)\b", re.I)


@dataclass
class ConsolidationReport:
    merged: list[tuple[str, str]] = field(default_factory=list)
    """(duplicate, kept): the duplicate is superseded, the kept lesson gains its confirmations."""
    superseded: list[tuple[str, str]] = field(default_factory=list)
    """(older, newer): contradictions settled in favour of the newer lesson."""
    retired: list[str] = field(default_factory=list)
    """Lessons whose recorded harm clearly outweighs their help."""
    weights: dict[str, float] = field(default_factory=dict)
    """Rank multipliers of active lessons that differ from neutral (help, harm, disuse)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _similarity(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _negated(text: str) -> bool:
    return bool(_NEGATION.search(text))


def _standing(lesson: Lesson) -> tuple[int, int, str, str]:
    """Which of two duplicates to keep: most confirmed, most helpful, then oldest."""
    return (-lesson.confirmed, lesson.harmful - lesson.helpful, lesson.created, lesson.id)


def _candidates(active: list[Lesson], terms: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Pairs sharing one of their rarer terms: avoids comparing every lesson with every other."""
    postings: dict[str, list[str]] = defaultdict(list)
    for lesson in active:
        for term in terms[lesson.id]:
            postings[term].append(lesson.id)
    pairs: set[tuple[str, str]] = set()
    for lesson in active:
        rare = sorted(terms[lesson.id], key=lambda t: len(postings[t]))[:4]
        for term in rare:
            for other in postings[term]:
                if other != lesson.id:
                    pairs.add((min(lesson.id, other), max(lesson.id, other)))
    return pairs


def plan(lessons: list[Lesson], now: datetime | None = None) -> tuple[list[Lesson],
                                                                       ConsolidationReport]:
    """The changed lessons and the report, computed without touching any store."""
    now = now or datetime.now(UTC)
    report = ConsolidationReport()
    current = {x.id: x for x in lessons}
    active = [x for x in lessons if x.status == "active"]
    whole = {x.id: set(tokens(f"{x.trigger} {x.insight}")) for x in active}
    trigger = {x.id: set(tokens(x.trigger)) for x in active}
    changed: dict[str, Lesson] = {}
    for first, second in sorted(_candidates(active, whole)):
        a, b = current[first], current[second]
        if a.status != "active" or b.status != "active":
            continue
        same_situation = _similarity(trigger[a.id], trigger[b.id]) >= TRIGGER_SIMILARITY
        overlap = _similarity(whole[a.id], whole[b.id])
        if (same_situation and overlap >= CONTRADICTION_OVERLAP
                and _negated(a.insight) != _negated(b.insight)):
            older, newer = sorted((a, b), key=lambda x: (x.created, x.id))
            current[older.id] = changed[older.id] = older.model_copy(update={
                "status": "superseded", "superseded_by": newer.id,
                "status_reason": f"contradicted by newer lesson {newer.id}"})
            report.superseded.append((older.id, newer.id))
        elif overlap >= DUPLICATE_SIMILARITY:
            keep, drop = sorted((a, b), key=_standing)
            current[keep.id] = changed[keep.id] = keep.model_copy(update={
                "confirmed": keep.confirmed + 1 + drop.confirmed,
                "uses": keep.uses + drop.uses, "helpful": keep.helpful + drop.helpful,
                "harmful": keep.harmful + drop.harmful,
                "tags": list(dict.fromkeys([*keep.tags, *drop.tags])),
                "paths": list(dict.fromkeys([*keep.paths, *drop.paths]))})
            current[drop.id] = changed[drop.id] = drop.model_copy(update={
                "status": "superseded", "superseded_by": keep.id,
                "status_reason": f"near-duplicate of {keep.id}, merged"})
            report.merged.append((drop.id, keep.id))
    for lesson in list(current.values()):
        if lesson.status != "active":
            continue
        if lesson.harmful >= RETIRE_HARMFUL and lesson.harmful >= 2 * (lesson.helpful + 1):
            current[lesson.id] = changed[lesson.id] = lesson.model_copy(update={
                "status": "retired",
                "status_reason": f"harmful in {lesson.harmful} runs, helpful in {lesson.helpful}"})
            report.retired.append(lesson.id)
            continue
        factor = round(weight(lesson, now), 3)
        if factor != 1.0:
            report.weights[lesson.id] = factor
    return list(changed.values()), report


def consolidate(repo: Path, config: Config) -> ConsolidationReport:
    """Run consolidation over the repository's lessons and write the result through the store."""
    from pipeline.memory.store import open_store

    with open_store(repo, config) as store:
        changed, report = plan(store.list(status=None))
        store.update(changed)
    return report
