import pytest

from numerals import from_roman, to_roman


@pytest.mark.parametrize(("n", "roman"), [
    (1, "I"), (3, "III"), (4, "IV"), (9, "IX"), (14, "XIV"), (40, "XL"), (44, "XLIV"),
    (90, "XC"), (400, "CD"), (444, "CDXLIV"), (900, "CM"), (1994, "MCMXCIV"),
    (2024, "MMXXIV"), (3888, "MMMDCCCLXXXVIII"), (3999, "MMMCMXCIX"),
])
def test_known_values(n, roman):
    assert to_roman(n) == roman
    assert from_roman(roman) == n


@pytest.mark.parametrize("n", [0, -1, 4000, 10**6])
def test_out_of_range(n):
    with pytest.raises(ValueError) as info:
        to_roman(n)
    assert str(info.value) == f"out of range: {n}"


@pytest.mark.parametrize("value", [True, False, 3.0, "12", None])
def test_to_roman_rejects_non_ints(value):
    with pytest.raises(TypeError):
        to_roman(value)


def test_case_and_whitespace():
    assert from_roman("mcmxciv") == 1994
    assert from_roman(" McMxCiV\n") == 1994


@pytest.mark.parametrize("text", ["IIII", "VV", "IC", "XM", "MMMM", "IIX", "", "  ", "ABC",
                                  "IL", "VX", "LL", "DD", "CCCC", "XXXX", "IVI", "XCX"])
def test_non_canonical_is_invalid(text):
    with pytest.raises(ValueError) as info:
        from_roman(text)
    assert str(info.value) == f"invalid roman numeral: {text!r}"


def test_message_quotes_the_original_argument():
    with pytest.raises(ValueError) as info:
        from_roman(" iiii ")
    assert str(info.value) == "invalid roman numeral: ' iiii '"


@pytest.mark.parametrize("value", [5, None, b"V"])
def test_from_roman_rejects_non_strings(value):
    with pytest.raises(TypeError):
        from_roman(value)


def test_round_trip():
    for n in range(1, 4000):
        assert from_roman(to_roman(n)) == n
