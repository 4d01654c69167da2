"""Seconds as a clock reading."""


def format_clock(seconds: int) -> str:
    """3725 -> "01:02:05"; hours grow past 99 rather than wrapping."""
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"
