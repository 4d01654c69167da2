"""Compact durations: "1h30m" <-> 5400 seconds."""

import re

UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_ORDER = "wdhms"
_PIECE = re.compile(r"\s*([0-9]+)([a-z])", re.ASCII)


def parse_duration(text: str) -> int:
    if not isinstance(text, str):
        raise TypeError(f"parse_duration() expects a str, not {type(text).__name__}")
    error = ValueError(f"invalid duration: {text!r}")
    rest = text.strip().lower()
    if not rest:
        raise error
    total, position, last_rank = 0, 0, -1
    while position < len(rest):
        match = _PIECE.match(rest, position)
        if match is None or match.group(2) not in UNITS:
            raise error
        rank = _ORDER.index(match.group(2))
        if rank <= last_rank:
            raise error
        total += int(match.group(1)) * UNITS[match.group(2)]
        last_rank, position = rank, match.end()
    return total


def format_duration(seconds: int) -> str:
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise TypeError(f"format_duration() expects an int, not {type(seconds).__name__}")
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    parts = []
    for unit in _ORDER:
        count, seconds = divmod(seconds, UNITS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
