import math

import pytest

from stats import StatsError, mean, median, mode, stdev, variance


@pytest.mark.parametrize(("function", "message"), [
    (mean, "mean requires at least one data point"),
    (median, "median requires at least one data point"),
    (mode, "mode requires at least one data point"),
])
def test_empty_input(function, message):
    for empty in ([], (), iter([])):
        with pytest.raises(StatsError) as info:
            function(empty)
        assert str(info.value) == message


def test_stats_error_is_a_value_error():
    with pytest.raises(ValueError):
        mean([])


def test_median_sorts_its_input():
    assert median([3, 1, 2]) == 2
    assert median([9, -4, 7, 0, 1]) == 1


def test_median_of_even_count():
    assert median([4, 1, 3, 2]) == 2.5
    assert median([1, 3]) == 2.0
    assert median([-1.5, -0.5]) == -1.0


def test_median_of_one_value():
    assert median([7]) == 7


def test_median_leaves_the_list_alone():
    data = [3, 1, 2]
    median(data)
    assert data == [3, 1, 2]


def test_mode_tie_takes_the_smallest():
    assert mode([3, 3, 1, 1, 2]) == 1
    assert mode([5, -2, 5, -2]) == -2
    assert mode([4]) == 4


def test_sample_variance():
    assert variance([1, 2, 3, 4]) == pytest.approx(5 / 3)
    assert variance([2, 4, 4, 4, 5, 5, 7, 9]) == pytest.approx(32 / 7)


def test_stdev_is_the_root_of_the_sample_variance():
    assert stdev([1, 2, 3, 4]) == pytest.approx(math.sqrt(5 / 3))


@pytest.mark.parametrize("function", [variance, stdev])
@pytest.mark.parametrize("data", [[], [1]])
def test_variance_needs_two_points(function, data):
    with pytest.raises(StatsError) as info:
        function(data)
    assert str(info.value) == "variance requires at least two data points"


def test_generators_and_tuples():
    assert mean(x for x in [1, 2, 3]) == 2
    assert median(x for x in [3, 1, 2, 4]) == 2.5
    assert mode(x for x in [2, 2, 1]) == 2
    assert variance(x for x in [1, 2, 3, 4]) == pytest.approx(5 / 3)
    assert stdev(x for x in [1, 2, 3, 4]) == pytest.approx(math.sqrt(5 / 3))
    assert mean((1, 2)) == 1.5
    assert median((5, 1, 3)) == 3
