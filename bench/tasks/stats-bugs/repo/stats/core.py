"""mean, median, mode, sample variance and standard deviation."""

import math


class StatsError(ValueError):
    """The data are not enough for the statistic asked for."""


def mean(data):
    """The arithmetic mean."""
    return sum(data) / len(data)


def median(data):
    """The middle value; for an even count, the mean of the two middle values."""
    n = len(data)
    return data[n // 2]


def mode(data):
    """The most common value; on a tie, the smallest of the most common values."""
    if not data:
        raise StatsError("mode requires at least one data point")
    counts = {}
    for value in data:
        counts[value] = counts.get(value, 0) + 1
    best = max(counts.values())
    for value, count in counts.items():
        if count == best:
            return value


def variance(data):
    """The sample variance (divides by n - 1)."""
    m = mean(data)
    return sum((x - m) ** 2 for x in data) / len(data)


def stdev(data):
    """The sample standard deviation."""
    return math.sqrt(variance(data))
