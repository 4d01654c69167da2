"""A table of contents with GitHub-style anchors."""

import re

from mdtools.headings import headings

_UNWANTED = re.compile(r"[^\w\- ]")


def anchor(text: str, seen: dict[str, int] | None = None) -> str:
    base = _UNWANTED.sub("", text.lower()).replace(" ", "-")
    if seen is None:
        return base
    repeats = seen.get(base, 0)
    seen[base] = repeats + 1
    return f"{base}-{repeats}" if repeats else base


def build_toc(markdown: str, max_level: int = 3) -> str:
    if not 1 <= max_level <= 6:
        raise ValueError(f"max_level must be 1 to 6, not {max_level}")
    seen: dict[str, int] = {}
    entries = []
    for heading in headings(markdown):
        target = anchor(heading.text, seen)
        if heading.level <= max_level:
            entries.append((heading.level, heading.text, target))
    if not entries:
        return ""
    top = min(level for level, _, _ in entries)
    return "".join(f"{'  ' * (level - top)}- [{text}](#{target})\n" for level, text, target in entries)
