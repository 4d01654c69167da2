"""Word frequencies of text."""

from wordfreq.counting import count_words

__all__ = ["count_words"]
