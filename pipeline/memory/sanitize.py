"""Text hygiene for lessons: what is written to memory is later read by every role's prompt."""

from __future__ import annotations

import re
import unicodedata

from pipeline.memory.lesson import Lesson

_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
# Bidi embeddings/overrides/isolates can make text read differently from what a reviewer sees.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_KEEP = frozenset("\n\t")


def _visible(char: str) -> bool:
    if char in _KEEP:
        return True
    if char in _BIDI:
        return False
    # Cc: control characters; Cf: format characters (zero-width spaces, joiners, tag
    # characters that smuggle hidden text); Co/Cs/Cn: private, surrogate, unassigned.
    return unicodedata.category(char) not in {"Cc", "Cf", "Co", "Cs", "Cn"}


def clean_text(text: str) -> str:
    """Strip HTML comments and invisible, control and bidi characters; keep the visible text."""
    text = unicodedata.normalize("NFKC", text)
    text = _HTML_COMMENT.sub("", text)
    text = "".join(char for char in text if _visible(char))
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def clean_lesson(lesson: Lesson) -> Lesson:
    """The lesson with every free-text field cleaned; its id follows its content if that changed."""
    source = lesson.source.model_copy(update={
        "by": clean_text(lesson.source.by) if lesson.source.by else lesson.source.by,
        "repo": clean_text(lesson.source.repo) if lesson.source.repo else lesson.source.repo,
    })
    fields = {
        "trigger": clean_text(lesson.trigger),
        "insight": clean_text(lesson.insight),
        "evidence": clean_text(lesson.evidence),
        "tags": [tag for tag in (clean_text(t) for t in lesson.tags) if tag],
        "paths": [path for path in (clean_text(p) for p in lesson.paths) if path],
        "status_reason": clean_text(lesson.status_reason) if lesson.status_reason else None,
        "source": source,
    }
    changed = fields["trigger"] != lesson.trigger or fields["insight"] != lesson.insight
    data = lesson.model_dump()
    data.update(fields)
    data["source"] = source.model_dump()
    if changed:
        data["id"] = ""
    # Validation runs again: cleaning may have shortened a field below its minimum.
    return Lesson.model_validate(data)
