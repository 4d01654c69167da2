"""The lesson record (design.md's format), its content-derived id, and the JSONL file it lives in."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.core.errors import BadInput

# Re-exported: the rules live in a stdlib-only module so the commit hook stays fast.
from pipeline.memory.patterns import MAX_PATTERN_LENGTH as MAX_PATTERN_LENGTH
from pipeline.memory.patterns import validate_pattern as validate_pattern

LESSONS_FILE = Path(".factory") / "lessons.jsonl"


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    repo: str | None = None
    issue: int | None = None
    pr: int | None = None
    commit: str | None = None
    by: str | None = None
    """The model or person the lesson came from."""


class Check(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pattern: str
    """A regular expression tested against added lines of staged changes."""
    files: str = "**"
    """Glob of the files the pattern applies to."""
    severity: Literal["error", "warn"] = "warn"
    """`error` fails the commit; `warn` prints the lesson and lets it through."""

    @field_validator("pattern")
    @classmethod
    def _safe(cls, value: str) -> str:
        return validate_pattern(value)


class Lesson(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = ""
    kind: Literal["mistake", "fix", "pattern", "preference"]
    trigger: str = Field(min_length=3, max_length=500)
    """When the lesson applies (the situation, "when X")."""
    insight: str = Field(min_length=3, max_length=1000)
    """What to do and why ("do Y, because Z")."""
    evidence: str = ""
    tags: list[str] = Field(default_factory=list)
    paths: list[str] = Field(default_factory=list)
    source: Source = Field(default_factory=Source)
    check: Check | None = None
    created: str = Field(default_factory=now_iso)
    confirmed: int = 0
    uses: int = 0
    helpful: int = 0
    harmful: int = 0
    status: Literal["active", "superseded", "retired"] = "active"
    superseded_by: str | None = None
    status_reason: str | None = None

    def model_post_init(self, _context: object) -> None:
        if not self.id:
            self.id = lesson_id(self.kind, self.trigger, self.insight)


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def lesson_id(kind: str, trigger: str, insight: str) -> str:
    """Content-derived, so re-ingesting the same lesson yields the same id."""
    digest = hashlib.sha256(
        "\x1f".join([kind, _normalise(trigger), _normalise(insight)]).encode()
    ).hexdigest()
    return f"L-{digest[:16]}"


def parse_lines(text: str, source: str) -> list[Lesson]:
    """Every line a lesson; the first bad one raises BadInput naming file and line."""
    lessons: list[Lesson] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            lesson = Lesson.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise BadInput(f"{source}:{number}: not valid JSON ({exc.msg})") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "lesson"
            raise BadInput(f"{source}:{number}: {where}: {first['msg']}") from None
        if lesson.id in seen:
            raise BadInput(f"{source}:{number}: duplicate id {lesson.id} (first on line "
                           f"{seen[lesson.id]})")
        seen[lesson.id] = number
        lessons.append(lesson)
    return lessons


def read_file(path: Path) -> list[Lesson]:
    if not path.exists():
        return []
    return parse_lines(path.read_text(encoding="utf-8"), str(path))


def write_file(path: Path, lessons: list[Lesson]) -> None:
    """Atomic rewrite: a killed writer leaves the old file, never half of a new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("".join(to_line(lesson) for lesson in lessons), encoding="utf-8")
    tmp.replace(path)


def to_line(lesson: Lesson) -> str:
    return json.dumps(lesson.model_dump(mode="json"), ensure_ascii=False, sort_keys=True) + "\n"
