"""Changing the case of words."""

import re

_SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to"}
_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(text: str) -> str:
    """"HTTPServer error" -> "http_server_error"."""
    spaced = _BOUNDARY.sub(" ", text)
    words = re.findall(r"[A-Za-z0-9]+", spaced)
    return "_".join(word.lower() for word in words)


def title_case(text: str) -> str:
    """Capitalise every word except small words that are not first or last."""
    words = text.split()
    result = []
    for index, word in enumerate(words):
        lower = word.lower()
        if lower in _SMALL_WORDS and 0 < index < len(words) - 1:
            result.append(lower)
        else:
            result.append(lower[:1].upper() + lower[1:])
    return " ".join(result)
