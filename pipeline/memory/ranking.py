"""How a lesson's record moves its rank: confirmations and help raise it, harm and disuse lower it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from fnmatch import fnmatch

from pipeline.memory.lesson import Lesson

PATH_BOOST = 1.5
# An unused lesson loses rank linearly with age, down to this floor after DECAY_DAYS.
DECAY_FLOOR = 0.5
DECAY_DAYS = 365.0


def _age_days(created: str, now: datetime) -> float:
    try:
        then = datetime.fromisoformat(created)
    except ValueError:
        return 0.0
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return max(0.0, (now - then).total_seconds() / 86400)


def weight(lesson: Lesson, now: datetime | None = None) -> float:
    """A multiplier on retrieval score, about 1.0 for a fresh lesson with no record."""
    now = now or datetime.now(UTC)
    confidence = 1.0 + 0.1 * min(lesson.confirmed, 5)
    outcome = (lesson.helpful + 2) / (lesson.harmful + 2)
    decay = 1.0
    if lesson.uses == 0:
        decay = max(DECAY_FLOOR, 1.0 - (1.0 - DECAY_FLOOR) * _age_days(lesson.created, now)
                    / DECAY_DAYS)
    return confidence * outcome * decay


def touches(lesson: Lesson, paths: Sequence[str]) -> bool:
    """Whether any touched path falls under one of the lesson's paths (a glob or a prefix)."""
    for mine in lesson.paths:
        prefix = mine.rstrip("/") + "/"
        for path in paths:
            if fnmatch(path, mine) or path.startswith(prefix) or path == mine:
                return True
    return False
