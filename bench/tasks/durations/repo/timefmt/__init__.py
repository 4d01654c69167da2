"""Formatting times for humans."""

from timefmt.clock import format_clock

__all__ = ["format_clock"]
