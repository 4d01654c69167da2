"""Formatting times for humans."""

from timefmt.clock import format_clock
from timefmt.duration import format_duration, parse_duration

__all__ = ["format_clock", "format_duration", "parse_duration"]
