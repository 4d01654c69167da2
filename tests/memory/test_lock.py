"""Concurrent writers: separate processes queue on the store's lock and nothing is lost."""

import multiprocessing
from pathlib import Path

import pytest

from pipeline.config.settings import Config
from pipeline.memory.lesson import LESSONS_FILE, Lesson, parse_lines
from pipeline.memory.lock import StoreBusy
from pipeline.memory.store import open_store


def _writer(repo: str, worker: int, count: int) -> None:
    lessons = [Lesson(kind="fix", trigger=f"worker {worker} situation number {i}",
                      insight=f"do the right thing {i} for worker {worker}") for i in range(count)]
    for lesson in lessons:
        with open_store(Path(repo), Config(), lock_timeout=60) as store:
            store.add([lesson])


def test_concurrent_writers_queue_and_lose_nothing(repo: Path) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(repo), n, 4)) for n in range(3)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=60)
        assert process.exitcode == 0
    lessons = parse_lines((repo / LESSONS_FILE).read_text(), "lessons.jsonl")
    assert len(lessons) == 12
    with open_store(repo, Config()) as store:
        assert store.stats()["indexed"] == 12


def test_a_writer_that_cannot_get_the_lock_fails_clearly(repo: Path) -> None:
    with open_store(repo, Config()):
        with pytest.raises(StoreBusy, match="in use by another factory process") as caught:
            open_store(repo, Config(), lock_timeout=0.2)
        assert caught.value.exit_code == 1
