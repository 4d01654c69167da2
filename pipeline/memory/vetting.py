"""Whether a proposed lesson is worth keeping: specific enough, new, and traceable to its source.

The learner calls `rejection_reason` on each lesson it proposes and shows the model the reasons,
so vague or duplicate lessons never reach the store.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipeline.memory.consolidate import DUPLICATE_SIMILARITY
from pipeline.memory.lesson import Lesson
from pipeline.memory.sparse import tokens

if TYPE_CHECKING:
    from pipeline.memory.store import LessonStore

MIN_TRIGGER_TERMS = 2
MIN_INSIGHT_TERMS = 3
GENERIC = re.compile(r"\b(be careful|best practices?|good code|clean code|write (better|more|good) "
                     r"tests?|test (more|properly|thoroughly)|pay attention|double[- ]check)\b",
                     re.IGNORECASE)


def similarity(a: Lesson, b: Lesson) -> float:
    """Jaccard similarity of the two lessons' situation-and-advice terms."""
    left = set(tokens(f"{a.trigger} {a.insight}"))
    right = set(tokens(f"{b.trigger} {b.insight}"))
    return len(left & right) / len(left | right) if left and right else 0.0


def vague_reason(lesson: Lesson) -> str | None:
    if len(set(tokens(lesson.trigger))) < MIN_TRIGGER_TERMS:
        return "trigger is too vague: name the situation (files, commands, symptoms)"
    if len(set(tokens(lesson.insight))) < MIN_INSIGHT_TERMS:
        return "insight is too vague: say what to do and why"
    if GENERIC.search(lesson.insight) and len(lesson.insight.split()) < 15:
        return "insight is too generic to act on: say what to do, where, and why"
    return None


def duplicates(lesson: Lesson, store: LessonStore, k: int = 5) -> list[Lesson]:
    """Known lessons (any status) that say nearly the same thing."""
    found = store.search(f"{lesson.trigger} {lesson.insight}", k=k, include_inactive=True)
    return [s.lesson for s in found
            if s.lesson.id == lesson.id or similarity(s.lesson, lesson) >= DUPLICATE_SIMILARITY]


def rejection_reason(lesson: Lesson, store: LessonStore, *, require_source: bool = True
                     ) -> str | None:
    """Why the lesson should not be stored, or None when it should."""
    if require_source and not (lesson.source.repo and lesson.source.pr):
        return "provenance missing: a learned lesson names its repository and PR"
    reason = vague_reason(lesson)
    if reason:
        return reason
    same = duplicates(lesson, store)
    if same:
        return f"duplicates known lesson {same[0].id}: {same[0].trigger}"
    return None
