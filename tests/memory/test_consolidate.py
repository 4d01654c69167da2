from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from pipeline.config.settings import Config
from pipeline.memory.consolidate import consolidate, plan
from pipeline.memory.lesson import LESSONS_FILE, Lesson, parse_lines
from pipeline.memory.ranking import weight
from pipeline.memory.store import open_store

MakeLesson = Callable[..., Lesson]


def test_near_duplicates_merge_and_raise_confirmation(repo: Path, config: Config,
                                                      make_lesson: MakeLesson) -> None:
    first = make_lesson("SQLite database is locked by concurrent writers",
                        "Enable WAL journal mode and set a busy timeout", tags=["sqlite"],
                        created="2026-01-01T00:00:00+00:00")
    again = make_lesson("SQLite database locked by concurrent writers",
                        "Enable the WAL journal mode and set a busy timeout", tags=["db"],
                        created="2026-02-01T00:00:00+00:00", uses=2)
    other = make_lesson("HTTP 429 from the model API", "Back off exponentially")
    with open_store(repo, config) as store:
        store.add([first, again, other])
    report = consolidate(repo, config)
    assert report.merged == [(again.id, first.id)]
    kept = {x.id: x for x in parse_lines((repo / LESSONS_FILE).read_text(), "f")}
    assert len(kept) == 3  # nothing deleted
    assert kept[first.id].confirmed == 1 and kept[first.id].uses == 2
    assert kept[first.id].tags == ["sqlite", "db"]
    assert kept[again.id].status == "superseded" and kept[again.id].superseded_by == first.id
    assert "near-duplicate" in (kept[again.id].status_reason or "")
    assert consolidate(repo, config).merged == []  # converges


def test_a_newer_contradicting_lesson_supersedes_the_older(make_lesson: MakeLesson) -> None:
    old = make_lesson("Choosing the HTTP client for model calls", "Use requests for model calls",
                      created="2026-01-01T00:00:00+00:00")
    new = make_lesson("Choosing the HTTP client for model calls",
                      "Do not use requests for model calls, use httpx",
                      created="2026-03-01T00:00:00+00:00")
    changed, report = plan([old, new])
    assert report.superseded == [(old.id, new.id)]
    [updated] = changed
    assert updated.status == "superseded" and "contradicted" in (updated.status_reason or "")


def test_harmful_lessons_are_retired_and_weights_follow_outcomes(
        make_lesson: MakeLesson) -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    bad = make_lesson("Skip the tests when in a hurry", "Merge without running tests",
                      harmful=4, uses=4)
    good = make_lesson("Run the linters before pushing", "Run ruff and mypy locally",
                       helpful=3, uses=3, created="2026-10-01T00:00:00+00:00")
    stale = make_lesson("Old advice nobody retrieved", "Something dated",
                        created="2025-06-01T00:00:00+00:00")
    fresh = make_lesson("New advice nobody retrieved yet", "Something fresh",
                        created="2026-10-31T00:00:00+00:00")
    changed, report = plan([bad, good, stale, fresh], now)
    assert report.retired == [bad.id]
    assert [x.status for x in changed] == ["retired"]
    assert weight(good, now) > 1.0 > weight(fresh, now) > weight(stale, now) >= 0.5
    assert report.weights[good.id] > 1 > report.weights[stale.id]
