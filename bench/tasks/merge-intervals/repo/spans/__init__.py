"""Closed numeric intervals."""

from spans.interval import Interval

__all__ = ["Interval"]
