from spans import Interval


def test_length():
    assert Interval(1, 5).length == 4
    assert Interval(-3, -1).length == 2


def test_touching_intervals_overlap():
    assert Interval(1, 5).overlaps(Interval(5, 8))
    assert not Interval(1, 5).overlaps(Interval(6, 8))


def test_contains_its_end_points():
    assert Interval(1, 5).contains(1) and Interval(1, 5).contains(5)
