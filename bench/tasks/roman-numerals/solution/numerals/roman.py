"""Roman numerals, 1 to 3999, canonical subtractive form only."""

_SYMBOLS = [
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
]
_CANONICAL: dict[str, int] = {}


def to_roman(n: int) -> str:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"to_roman() expects an int, not {type(n).__name__}")
    if not 1 <= n <= 3999:
        raise ValueError(f"out of range: {n}")
    parts = []
    for value, symbol in _SYMBOLS:
        count, n = divmod(n, value)
        parts.append(symbol * count)
    return "".join(parts)


def from_roman(text: str) -> int:
    if not isinstance(text, str):
        raise TypeError(f"from_roman() expects a str, not {type(text).__name__}")
    if not _CANONICAL:
        _CANONICAL.update((to_roman(n), n) for n in range(1, 4000))
    value = _CANONICAL.get(text.strip().upper())
    if value is None:
        raise ValueError(f"invalid roman numeral: {text!r}")
    return value
