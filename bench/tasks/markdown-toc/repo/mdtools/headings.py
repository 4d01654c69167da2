"""ATX headings of a Markdown document, outside fenced code blocks."""

import re
from dataclasses import dataclass

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)(.*)$")
_CLOSING = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int


def headings(markdown: str) -> list[Heading]:
    found = []
    fence = None
    for number, line in enumerate(markdown.splitlines(), start=1):
        marker = _FENCE.match(line)
        if fence is not None:
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = None
            continue
        if marker:
            fence = marker.group(1)
            continue
        match = _ATX.match(line)
        if match:
            text = _CLOSING.sub("", match.group(2).strip()).strip()
            found.append(Heading(len(match.group(1)), text, number))
    return found
