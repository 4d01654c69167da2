from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.errors import BadInput
from pipeline.memory.lesson import read_file
from pipeline.precommit import trailer
from tests.hooks.support import git


def test_when_x_do_y() -> None:
    lesson = trailer.lesson_from_trailer(
        "when adding a migration, do run it on a copy, do not edit old ones"
    )
    assert (lesson.trigger, lesson.insight) == (
        "adding a migration",
        "run it on a copy, do not edit old ones",
    )
    assert (
        lesson.id
        == trailer.lesson_from_trailer(
            "When adding a migration,  do run it on a copy, do not edit old ones"
        ).id
    )


@pytest.mark.parametrize("value", ["always test", "when x do y", "when , do it"])
def test_malformed_trailer_says_how_to_write_it(value: str) -> None:
    with pytest.raises(BadInput, match="when <situation>, do <what to do>"):
        trailer.lesson_from_trailer(value)


def test_too_short_part_is_named() -> None:
    with pytest.raises(BadInput, match="the what to do part"):
        trailer.lesson_from_trailer("when editing the schema, do x")


def test_lesson_line_outside_the_trailers_is_refused(git_repo: Path) -> None:
    message = git_repo / "MSG"
    message.write_text("subject\n\nLesson: when a thing, do b thing\n\nmore prose\n")
    with pytest.raises(BadInput, match="must be a trailer"):
        trailer.check_message(git_repo, message)
    message.write_text("subject\n\nprose\n\nLesson: when a thing, do b thing\n# Lesson: comment\n")
    assert [lesson.trigger for lesson in trailer.check_message(git_repo, message)] == ["a thing"]


def test_head_lesson_recorded_once_with_provenance(git_repo: Path) -> None:
    (git_repo / "f").write_text("f\n")
    git(git_repo, "add", "f")
    git(
        git_repo,
        "commit",
        "-qm",
        "fix f\n\nLesson: when touching f, do keep it short\n"
        "Lesson: when writing docs,\n  do link the issue",
    )
    sha = git(git_repo, "rev-parse", "HEAD")
    added = trailer.record(git_repo, trailer.head_lessons(git_repo))
    assert [lesson.insight for lesson in added] == ["keep it short", "link the issue"]
    assert trailer.record(git_repo, trailer.head_lessons(git_repo)) == []
    stored = read_file(git_repo / ".factory" / "lessons.jsonl")
    assert [(lesson.source.commit, lesson.source.by) for lesson in stored] == [
        (sha, "Test User")
    ] * 2
