"""Splitting a list into numbered pages."""

from pager.paginate import Page, PageError, page_count, paginate

__all__ = ["Page", "PageError", "page_count", "paginate"]
