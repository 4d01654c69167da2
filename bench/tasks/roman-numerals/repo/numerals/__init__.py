"""Converting numbers between notations."""

from numerals.bases import from_base, to_base

__all__ = ["from_base", "to_base"]
