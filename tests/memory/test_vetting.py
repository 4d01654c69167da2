from collections.abc import Callable
from pathlib import Path

from pipeline.config.settings import Config
from pipeline.memory.lesson import Lesson
from pipeline.memory.store import open_store
from pipeline.memory.vetting import rejection_reason

MakeLesson = Callable[..., Lesson]
SOURCE = {"repo": "acme/app", "pr": 12, "by": "learner"}


def test_vague_unsourced_and_duplicate_lessons_are_rejected(repo: Path, config: Config,
                                                            make_lesson: MakeLesson) -> None:
    known = make_lesson("SQLite database is locked by concurrent writers",
                        "Enable WAL journal mode and set a busy timeout", source=SOURCE)
    with open_store(repo, config) as store:
        store.add([known])
        vague = make_lesson("Be careful", "Write good code", source=SOURCE)
        assert "vague" in (rejection_reason(vague, store) or "")
        unsourced = make_lesson("Flaky tests sleep on CI", "Wait on an event with a deadline")
        assert "provenance" in (rejection_reason(unsourced, store) or "")
        again = make_lesson("SQLite database locked by concurrent writers",
                            "Enable the WAL journal mode and set a busy timeout", source=SOURCE)
        assert known.id in (rejection_reason(again, store) or "")
        fresh = make_lesson("Flaky tests sleep on CI", "Wait on an event with a deadline",
                            source=SOURCE)
        assert rejection_reason(fresh, store) is None
