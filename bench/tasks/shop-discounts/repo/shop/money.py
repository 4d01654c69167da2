def format_cents(cents: int) -> str:
    """1234 -> "12.34", 5 -> "0.05", -150 -> "-1.50"."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"
