"""mean, median, mode, sample variance and standard deviation."""

import math


class StatsError(ValueError):
    """The data are not enough for the statistic asked for."""


def mean(data):
    """The arithmetic mean."""
    values = list(data)
    if not values:
        raise StatsError("mean requires at least one data point")
    return sum(values) / len(values)


def median(data):
    """The middle value; for an even count, the mean of the two middle values."""
    values = sorted(data)
    if not values:
        raise StatsError("median requires at least one data point")
    n = len(values)
    if n % 2:
        return values[n // 2]
    return (values[n // 2 - 1] + values[n // 2]) / 2


def mode(data):
    """The most common value; on a tie, the smallest of the most common values."""
    counts = {}
    for value in data:
        counts[value] = counts.get(value, 0) + 1
    if not counts:
        raise StatsError("mode requires at least one data point")
    best = max(counts.values())
    return min(value for value, count in counts.items() if count == best)


def variance(data):
    """The sample variance (divides by n - 1)."""
    values = list(data)
    if len(values) < 2:
        raise StatsError("variance requires at least two data points")
    m = mean(values)
    return sum((x - m) ** 2 for x in values) / (len(values) - 1)


def stdev(data):
    """The sample standard deviation."""
    return math.sqrt(variance(data))
