"""Merging overlapping or touching intervals."""

from collections.abc import Iterable

from spans.interval import Interval, Number


def merge(intervals: Iterable[tuple[Number, Number]]) -> list[Interval]:
    checked = []
    for start, end in intervals:
        if start > end:
            raise ValueError(f"invalid interval: ({start}, {end})")
        checked.append(Interval(start, end))
    checked.sort()
    merged: list[Interval] = []
    for interval in checked:
        if merged and interval.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Interval(last.start, max(last.end, interval.end))
        else:
            merged.append(interval)
    return merged


def total_length(intervals: Iterable[tuple[Number, Number]]) -> Number:
    return sum((interval.length for interval in merge(intervals)), 0)
