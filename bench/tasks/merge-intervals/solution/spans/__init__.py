"""Closed numeric intervals."""

from spans.interval import Interval
from spans.merge import merge, total_length

__all__ = ["Interval", "merge", "total_length"]
