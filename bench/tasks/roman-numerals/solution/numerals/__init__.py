"""Converting numbers between notations."""

from numerals.bases import from_base, to_base
from numerals.roman import from_roman, to_roman

__all__ = ["from_base", "from_roman", "to_base", "to_roman"]
