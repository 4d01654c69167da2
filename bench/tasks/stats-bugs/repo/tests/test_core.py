import pytest

from stats import StatsError, mean, median, mode, stdev, variance


def test_mean():
    assert mean([1, 2, 3, 4]) == 2.5


def test_median_of_sorted_odd_count():
    assert median([1, 2, 3]) == 2


def test_mode():
    assert mode([1, 1, 2]) == 1


def test_mode_of_nothing():
    with pytest.raises(StatsError):
        mode([])


def test_constant_data_have_no_spread():
    assert variance([5, 5, 5]) == 0
    assert stdev([2, 2]) == 0
