"""Small text helpers."""

from textkit.case import snake_case, title_case

__all__ = ["snake_case", "title_case"]
