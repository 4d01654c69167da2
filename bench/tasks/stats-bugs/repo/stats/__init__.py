"""Descriptive statistics for small data sets."""

from stats.core import StatsError, mean, median, mode, stdev, variance

__all__ = ["StatsError", "mean", "median", "mode", "stdev", "variance"]
