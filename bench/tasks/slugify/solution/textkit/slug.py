"""URL slugs."""

import re
import unicodedata

_APOSTROPHES = re.compile("['\u2019]")
_WORDS = re.compile(r"[a-z0-9]+")


def slugify(text: str, *, separator: str = "-", max_length: int | None = None) -> str:
    """Lower-case ASCII words of `text` joined by `separator`, cut at a word boundary."""
    if not isinstance(text, str):
        raise TypeError(f"slugify() expects a str, not {type(text).__name__}")
    if not separator:
        raise ValueError("separator must not be empty")
    if max_length is not None and max_length < 1:
        raise ValueError("max_length must be at least 1")
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    words = _WORDS.findall(_APOSTROPHES.sub("", ascii_text.lower()))
    if max_length is None:
        return separator.join(words)
    kept: list[str] = []
    length = 0
    for word in words:
        added = len(word) + (len(separator) if kept else 0)
        if length + added > max_length:
            break
        kept.append(word)
        length += added
    if not kept and words:
        return words[0][:max_length]
    return separator.join(kept)
