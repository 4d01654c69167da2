"""The closed interval [start, end]."""

from typing import NamedTuple

Number = int | float


class Interval(NamedTuple):
    start: Number
    end: Number

    @property
    def length(self) -> Number:
        return self.end - self.start

    def overlaps(self, other: "Interval") -> bool:
        """True when the two share at least one point (touching counts)."""
        return self.start <= other.end and other.start <= self.end

    def contains(self, value: Number) -> bool:
        return self.start <= value <= self.end
