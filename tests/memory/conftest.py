"""Fixtures for the memory tests: a temp repository, default config, the labelled lesson set."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.config.settings import Config
from pipeline.memory.lesson import Lesson

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Query:
    text: str
    paths: list[str]
    expected: list[str]


@dataclass(frozen=True)
class LabelledSet:
    lessons: list[Lesson]
    key_of: dict[str, str]
    queries: list[Query]


def load_labelled_set() -> LabelledSet:
    lessons: list[Lesson] = []
    key_of: dict[str, str] = {}
    for line in (DATA / "retrieval_lessons.jsonl").read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        key = raw.pop("key")
        lesson = Lesson.model_validate({**raw, "created": "2026-11-01T00:00:00+00:00"})
        key_of[lesson.id] = key
        lessons.append(lesson)
    queries = [Query(q["query"], q["paths"], q["expected"]) for q in
               map(json.loads, (DATA / "retrieval_queries.jsonl").read_text().splitlines())]
    return LabelledSet(lessons, key_of, queries)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    return path


@pytest.fixture
def config() -> Config:
    return Config()


@pytest.fixture(scope="session")
def labelled() -> LabelledSet:
    return load_labelled_set()


def _make_lesson(trigger: str, insight: str, kind: str = "fix", **extra: object) -> Lesson:
    return Lesson.model_validate({"kind": kind, "trigger": trigger, "insight": insight, **extra})


MakeLesson = Callable[..., Lesson]


@pytest.fixture
def make_lesson() -> MakeLesson:
    return _make_lesson
