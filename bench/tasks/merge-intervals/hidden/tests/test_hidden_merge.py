import pytest

from spans import Interval, merge, total_length


def test_empty():
    assert merge([]) == []
    assert total_length([]) == 0


def test_overlapping_unsorted_input():
    assert merge([(8, 10), (1, 3), (2, 6), (15, 18)]) == [(1, 6), (8, 10), (15, 18)]


def test_returns_interval_objects():
    result = merge([(1, 2)])
    assert result == [Interval(1, 2)]
    assert all(isinstance(item, Interval) for item in result)


def test_touching_intervals_merge():
    assert merge([(3, 5), (1, 3)]) == [Interval(1, 5)]


def test_nested_interval_is_absorbed():
    assert merge([(1, 10), (2, 3), (4, 5)]) == [Interval(1, 10)]
    assert merge([(2, 3), (1, 10)]) == [Interval(1, 10)]


def test_chain_of_overlaps():
    assert merge([(1, 2), (2, 3), (3, 4), (10, 11)]) == [Interval(1, 4), Interval(10, 11)]


def test_later_short_interval_does_not_shrink_the_end():
    assert merge([(0, 100), (50, 60), (70, 80)]) == [Interval(0, 100)]


def test_negative_and_float_bounds():
    assert merge([(-5, -2), (-3, 0.5), (1.5, 2)]) == [Interval(-5, 0.5), Interval(1.5, 2)]


def test_zero_length_intervals():
    assert merge([(4, 4)]) == [Interval(4, 4)]
    assert merge([(4, 4), (1, 2)]) == [Interval(1, 2), Interval(4, 4)]
    assert merge([(4, 4), (2, 4)]) == [Interval(2, 4)]
    assert merge([(3, 3), (1, 5)]) == [Interval(1, 5)]


def test_duplicates():
    assert merge([(1, 2), (1, 2), (1, 2)]) == [Interval(1, 2)]


def test_generator_input():
    assert merge((i, i + 1) for i in range(0, 10, 3)) == [(0, 1), (3, 4), (6, 7), (9, 10)]


def test_caller_list_is_not_modified():
    data = [(5, 6), (1, 2), Interval(0, 3)]
    merge(data)
    assert data == [(5, 6), (1, 2), Interval(0, 3)]


def test_invalid_interval_message():
    with pytest.raises(ValueError) as info:
        merge([(1, 2), (5, 1)])
    assert str(info.value) == "invalid interval: (5, 1)"
    with pytest.raises(ValueError) as info:
        total_length([(-1, -2)])
    assert str(info.value) == "invalid interval: (-1, -2)"


def test_total_length_counts_overlaps_once():
    assert total_length([(0, 10), (5, 15)]) == 15
    assert total_length([(0, 1), (2, 3), (0, 1)]) == 2
    assert total_length([(-10, -5), (-7, 0)]) == 10
    assert total_length([(4, 4)]) == 0
