"""Positional notation in bases 2 to 36."""

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _check_base(base: int) -> None:
    if not 2 <= base <= 36:
        raise ValueError(f"base must be in 2..36, not {base}")


def to_base(n: int, base: int) -> str:
    """Digits of `n` in `base`, lower case, with a leading '-' for negatives."""
    _check_base(base)
    if n == 0:
        return "0"
    sign = "-" if n < 0 else ""
    n = abs(n)
    digits = []
    while n:
        n, digit = divmod(n, base)
        digits.append(DIGITS[digit])
    return sign + "".join(reversed(digits))


def from_base(text: str, base: int) -> int:
    """Inverse of to_base; case-insensitive."""
    _check_base(base)
    return int(text, base)
