"""Counting words."""

import re
from collections import Counter

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


def count_words(text: str) -> Counter:
    """Lower-cased words of `text` and how often each occurs."""
    return Counter(match.group().lower() for match in _WORD.finditer(text))
