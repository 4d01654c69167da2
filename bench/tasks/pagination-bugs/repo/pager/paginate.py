"""Pages numbered from 1."""

from dataclasses import dataclass


class PageError(ValueError):
    """A page number outside the pages there are."""


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    pages: int
    total: int
    per_page: int

    @property
    def has_next(self) -> bool:
        return self.number <= self.pages

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    def describe(self) -> str:
        if self.total == 0:
            return "no items"
        first = (self.number - 1) * self.per_page + 1
        last = first + self.per_page - 1
        return f"items {first}-{last} of {self.total}"


def page_count(total: int, per_page: int) -> int:
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    return total // per_page + 1


def paginate(items, number: int, per_page: int = 10) -> Page:
    items = list(items)
    pages = page_count(len(items), per_page)
    start = number * per_page
    return Page(items[start:start + per_page], number, pages, len(items), per_page)
