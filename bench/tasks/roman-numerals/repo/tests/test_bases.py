import pytest

from numerals import from_base, to_base


def test_round_trip_in_several_bases():
    for base in (2, 8, 10, 16, 36):
        for n in (-1000, -1, 0, 1, 35, 36, 255, 123456):
            assert from_base(to_base(n, base), base) == n


def test_hex_digits_are_lower_case():
    assert to_base(255, 16) == "ff"


def test_bad_base():
    with pytest.raises(ValueError):
        to_base(10, 1)
