"""factory-lesson-trailer: people teach the factory with `Lesson: when X, do Y` in a commit.

pre-commit calls the hook with the message file at the commit-msg stage: the trailer is
validated there, and a malformed one refuses the commit. It calls it with no file at the
post-commit stage: the commit now has a sha to cite, so the lesson is appended to
.factory/lessons.jsonl then. Lesson ids are content-derived, so a lesson taught twice is
recorded once.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from pipeline.core import git
from pipeline.core.errors import BadInput, FactoryError
from pipeline.memory.lesson import LESSONS_FILE, Lesson, Source, read_file, to_line

USAGE = "Lesson: when <situation>, do <what to do>"
_SHAPE = re.compile(r"when\s+(?P<trigger>.+?),\s*do\s+(?P<insight>.+)", re.IGNORECASE | re.DOTALL)
_LESSON_LINE = re.compile(r"^lesson\s*:", re.IGNORECASE)
_SCISSORS = "# ------------------------ >8 ------------------------"


def lesson_from_trailer(
    value: str, *, commit: str | None = None, by: str | None = None, evidence: str = ""
) -> Lesson:
    """`when X, do Y` → a lesson; BadInput says what is wrong with any other shape."""
    match = _SHAPE.fullmatch(value.strip())
    if match is None:
        raise BadInput(f"malformed trailer `Lesson: {value.strip()}`: write it as `{USAGE}`")
    try:
        return Lesson(
            kind="pattern",
            trigger=match["trigger"].strip(),
            insight=match["insight"].strip(),
            evidence=evidence,
            tags=["commit-trailer"],
            source=Source(commit=commit, by=by),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "situation" if first["loc"][:1] == ("trigger",) else "what to do"
        raise BadInput(
            f"trailer `Lesson: {value.strip()}`: the {where} part: {first['msg']}"
        ) from None


def _values(lines: str) -> list[str]:
    values = []
    for line in lines.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "lesson":
            values.append(value.strip())
    return values


def check_message(repo: Path, message_file: Path) -> list[Lesson]:
    """The lessons a commit message teaches; BadInput if one is malformed or misplaced."""
    values = _values(git.git(repo, "interpret-trailers", "--parse", str(message_file.resolve())))
    text = message_file.read_text(encoding="utf-8").split(_SCISSORS, 1)[0]
    body = [line for line in text.splitlines()[1:] if not line.startswith("#")]
    if sum(bool(_LESSON_LINE.match(line)) for line in body) > len(values):
        raise BadInput(
            "a `Lesson:` line must be a trailer: put it in the last paragraph of the "
            f"message, as `{USAGE}`"
        )
    return [lesson_from_trailer(value) for value in values]


def head_lessons(repo: Path) -> list[Lesson]:
    """The lessons HEAD's message teaches, citing HEAD's sha and author."""
    sha, author, subject, trailers = git.git(
        repo, "log", "-1", "--format=%H%x00%an%x00%s%x00%(trailers:key=Lesson,unfold)", "HEAD"
    ).split("\0", 3)
    evidence = f"commit {sha[:12]}: {subject}"
    return [
        lesson_from_trailer(value, commit=sha, by=author, evidence=evidence)
        for value in _values(trailers)
    ]


def record(repo: Path, lessons: Sequence[Lesson]) -> list[Lesson]:
    """Append the lessons the file does not hold yet; returns those appended."""
    path = repo / LESSONS_FILE
    known = {lesson.id for lesson in read_file(path)}
    new = []
    for lesson in lessons:
        if lesson.id not in known:
            known.add(lesson.id)
            new.append(lesson)
    if new:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        with path.open("a", encoding="utf-8") as handle:
            handle.write(
                ("\n" if text and not text.endswith("\n") else "")
                + "".join(to_line(lesson) for lesson in new)
            )
    return new


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    repo = Path.cwd()
    try:
        if args:
            check_message(repo, Path(args[0]))
            return 0
        for lesson in record(repo, head_lessons(repo)):
            print(
                f"factory-lesson-trailer: recorded {lesson.id} in {LESSONS_FILE} "
                f"(commit {lesson.source.commit}); commit that file to share it"
            )
    except FactoryError as exc:
        print(f"factory-lesson-trailer: {exc.format_message()}", file=sys.stderr)
        return 1
    return 0
