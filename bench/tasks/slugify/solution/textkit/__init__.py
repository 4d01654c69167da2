"""Small text helpers."""

from textkit.case import snake_case, title_case
from textkit.slug import slugify

__all__ = ["slugify", "snake_case", "title_case"]
