import pytest

from timefmt import format_duration, parse_duration


@pytest.mark.parametrize(("text", "seconds"), [
    ("1h30m", 5400), ("2d 4h", 187200), ("90s", 90), ("0s", 0), ("1w", 604800),
    ("90m", 5400), ("1H30M", 5400), ("  1d  2h 3m\t4s \n", 93784), ("1w2d3h4m5s", 788645),
    ("007m", 420),
])
def test_parse(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", [
    "", "   ", "5", "h", "1x", "1.5h", "-1h", "+1h", "1 h", "30m1h", "1h1h", "1h,30m",
    "1hh", "1h 30", "s1", "1m1d", "1s1w", "١h",
])
def test_invalid(text):
    with pytest.raises(ValueError) as info:
        parse_duration(text)
    assert str(info.value) == f"invalid duration: {text!r}"


@pytest.mark.parametrize("value", [90, None, b"1h", 1.5])
def test_parse_rejects_non_strings(value):
    with pytest.raises(TypeError):
        parse_duration(value)


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0s"), (1, "1s"), (59, "59s"), (60, "1m"), (90, "1m30s"), (3600, "1h"),
    (3661, "1h1m1s"), (5400, "1h30m"), (86400, "1d"), (604801, "1w1s"),
    (2 * 604800 + 86400 + 1, "2w1d1s"),
])
def test_format(seconds, text):
    assert format_duration(seconds) == text


def test_format_negative():
    with pytest.raises(ValueError):
        format_duration(-1)


@pytest.mark.parametrize("value", [True, 1.0, "60", None])
def test_format_rejects_non_ints(value):
    with pytest.raises(TypeError):
        format_duration(value)


def test_round_trip():
    for n in [*range(0, 5000, 7), 86399, 86400, 604799, 604800, 10**7 + 3]:
        assert parse_duration(format_duration(n)) == n
