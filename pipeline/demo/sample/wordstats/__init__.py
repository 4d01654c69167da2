from wordstats.core import count_words

__all__ = ["count_words"]
