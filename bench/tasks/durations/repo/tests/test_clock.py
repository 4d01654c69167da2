import pytest

from timefmt import format_clock


def test_format_clock():
    assert format_clock(0) == "00:00:00"
    assert format_clock(3725) == "01:02:05"
    assert format_clock(360000) == "100:00:00"


def test_negative():
    with pytest.raises(ValueError):
        format_clock(-1)
